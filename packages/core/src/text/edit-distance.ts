/**
 * How many single-character insertions, deletions and substitutions turn `a` into `b`
 * (Levenshtein), for "did you mean" hints.
 *
 * @example editDistance('serial.generated', 'serials.generated') === 1
 */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/**
 * The candidate nearest to `name`, if one is closer than `below` edits; the first of equally
 * near ones wins, so the candidates' order breaks ties.
 *
 * @example closestName('user.create', ['user.created', 'user.updated'], 3) === 'user.created'
 */
export function closestName<T extends string>(name: string, candidates: readonly T[], below: number): T | undefined {
  let best: T | undefined;
  let bestDistance = below;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
