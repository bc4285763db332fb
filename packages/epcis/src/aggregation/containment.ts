/**
 * One child an AggregationEvent put into (`ADD`, `OBSERVE`) or took out of (`DELETE`) a parent.
 * `child` null: a DELETE that named no child, which takes every child out.
 */
export interface AggregationFact {
  readonly parent: string;
  readonly child: string | null;
  readonly action: 'ADD' | 'OBSERVE' | 'DELETE';
  /** UTC instant with milliseconds, so that facts sort as text. */
  readonly eventTime: string;
  /** The event's place in the repository: facts of one instant are in the order captured. */
  readonly event: number;
}

/** Facts in the order they happened: event time, then the order captured. */
export function inOrder(facts: readonly AggregationFact[]): AggregationFact[] {
  return [...facts].sort((a, b) => (a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : a.event - b.event));
}

/**
 * The parent a child is in after these facts, or null. Facts about the child move it: an `ADD`
 * or `OBSERVE` puts it into that parent (out of any other, since a child is in one parent at a
 * time), a `DELETE` from the parent it is in takes it out. A `DELETE` naming no child empties its
 * parent. Facts may come in any order and may be about other children: only the child's own, and
 * its parents' emptying, count. An `ADD` from a partner that names a child still in another parent
 * moves it: the repository records what was reported, and the later report wins.
 *
 * @example
 * parentAfter('u1', [
 *   { parent: 'case', child: 'u1', action: 'ADD', eventTime: '2025-06-01T08:00:00.000Z', event: 1 },
 *   { parent: 'case', child: null, action: 'DELETE', eventTime: '2025-06-01T09:00:00.000Z', event: 2 },
 * ]) === null
 */
export function parentAfter(child: string, facts: readonly AggregationFact[]): string | null {
  let parent: string | null = null;
  for (const fact of inOrder(facts)) {
    if (fact.child === child) {
      if (fact.action === 'DELETE') {
        if (parent === fact.parent) parent = null;
      } else {
        parent = fact.parent;
      }
    } else if (fact.child === null && fact.action === 'DELETE' && fact.parent === parent) {
      parent = null;
    }
  }
  return parent;
}

/**
 * The children each of `parents` holds after these facts: those the facts put into it that are
 * still there, as {@link parentAfter} judges from the facts about them (their own, wherever they
 * went since, and the parents' emptying). `facts` must hold every fact about the parents and about
 * every child they ever held, up to the instant asked about.
 *
 * @example directChildren(['case'], facts).get('case') // ['u1', 'u3']
 */
export function directChildren(parents: readonly string[], facts: readonly AggregationFact[]): Map<string, string[]> {
  const wanted = new Set(parents);
  const byChild = new Map<string, AggregationFact[]>();
  const emptying: AggregationFact[] = [];
  for (const fact of facts) {
    if (fact.child === null) {
      if (fact.action === 'DELETE') emptying.push(fact);
      continue;
    }
    let own = byChild.get(fact.child);
    if (own === undefined) byChild.set(fact.child, (own = []));
    own.push(fact);
  }
  const contents = new Map<string, string[]>(parents.map((p) => [p, []]));
  for (const [child, own] of byChild) {
    if (!own.some((f) => wanted.has(f.parent) && f.action !== 'DELETE')) continue;
    const parent = parentAfter(child, [...own, ...emptying]);
    if (parent !== null && wanted.has(parent)) contents.get(parent)!.push(child);
  }
  for (const children of contents.values()) children.sort();
  return contents;
}
