/** Small helpers the e2e tests' database checks share. */

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [item]);
    else group.push(item);
  }
  return groups;
}

export const sorted = (values: readonly string[]): string[] => [...values].sort();

/** The values that stand more than once, once for each repeat. */
export const duplicates = (values: readonly string[]): string[] => values.filter((v, i) => values.indexOf(v) !== i);
