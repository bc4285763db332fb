import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { directChildren, endOf, NO_STATE, parentAfter, unitState, type AggregationFact, type UnitEvent } from '@serialtrace/epcis';

const t = (n: number) => new Date(Date.UTC(2025, 5, 1, 8) + n * 1000).toISOString();
const fact = (event: number, action: AggregationFact['action'], parent: string, child: string | null, second = event): AggregationFact => ({ parent, child, action, eventTime: t(second), event });

describe('what holds what, replayed from aggregation facts', () => {
  it('puts a child into a parent, moves it with a later ADD elsewhere, and takes it out by name or by emptying', () => {
    const facts = [fact(1, 'ADD', 'case-1', 'u1'), fact(2, 'ADD', 'case-1', 'u2'), fact(3, 'ADD', 'case-2', 'u2'), fact(4, 'DELETE', 'case-1', null)];
    expect(parentAfter('u1', facts.slice(0, 1))).toBe('case-1');
    expect(parentAfter('u2', facts.slice(0, 3))).toBe('case-2');
    expect(parentAfter('u1', facts)).toBeNull();
    // Emptying case-1 does not touch what moved to case-2.
    expect(parentAfter('u2', facts)).toBe('case-2');
    // A DELETE from a parent the child is not in changes nothing.
    expect(parentAfter('u2', [...facts, fact(5, 'DELETE', 'case-1', 'u2')])).toBe('case-2');
    expect(directChildren(['case-1', 'case-2'], facts)).toEqual(new Map([['case-1', []], ['case-2', ['u2']]]));
  });

  it('replays in event time whatever the order of capture: a late report lands in its place', () => {
    // Captured last (event 9) but happened first: the unpack at second 5 still wins.
    const facts = [fact(2, 'DELETE', 'case', 'u1', 5), fact(9, 'ADD', 'case', 'u1', 1)];
    expect(parentAfter('u1', facts)).toBeNull();
    // Equal times go in the order captured.
    expect(parentAfter('u1', [fact(1, 'ADD', 'a', 'u1', 3), fact(2, 'ADD', 'b', 'u1', 3)])).toBe('b');
  });

  it('agrees with a simulation of any sequence of packs, moves and unpacks', () => {
    const parents = ['p0', 'p1', 'p2'];
    const children = ['c0', 'c1', 'c2', 'c3'];
    const step = fc.record({
      action: fc.constantFrom<AggregationFact['action']>('ADD', 'OBSERVE', 'DELETE'),
      parent: fc.constantFrom(...parents),
      child: fc.option(fc.constantFrom(...children), { nil: null }),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        const where = new Map<string, string>();
        const facts: AggregationFact[] = [];
        steps.forEach(({ action, parent, child }, i) => {
          if (child === null && action !== 'DELETE') return;
          facts.push(fact(i + 1, action, parent, child));
          if (child === null) {
            for (const [c, p] of [...where]) if (p === parent) where.delete(c);
          } else if (action === 'DELETE') {
            if (where.get(child) === parent) where.delete(child);
          } else where.set(child, parent);
        });
        // Shuffled: the replay orders them itself.
        const shuffled = [...facts].reverse();
        for (const c of children) expect(parentAfter(c, shuffled)).toBe(where.get(c) ?? null);
        const contents = directChildren(parents, shuffled);
        for (const p of parents) expect(contents.get(p)).toEqual(children.filter((c) => where.get(c) === p));
      }),
    );
  });
});

describe('a unit’s state from its events', () => {
  const cbv = (kind: 'BizStep' | 'Disp', term: string) => `https://ref.gs1.org/cbv/${kind}-${term}`;
  const event = (second: number, overrides: Partial<UnitEvent> = {}): UnitEvent => ({
    type: 'ObjectEvent',
    action: 'OBSERVE',
    role: 'epc',
    eventTime: t(second),
    bizStep: null,
    disposition: null,
    readPoint: null,
    bizLocation: null,
    void: false,
    ...overrides,
  });

  it('is commissioned by an ADD, keeps the last disposition and location, and ends with a DELETE or a final disposition', () => {
    const commissioned = event(1, { action: 'ADD', bizStep: cbv('BizStep', 'commissioning'), disposition: cbv('Disp', 'active'), readPoint: 'rp-1' });
    const shipped = event(2, { bizStep: cbv('BizStep', 'shipping'), disposition: cbv('Disp', 'in_transit'), readPoint: 'dock' });
    const state = unitState([shipped, commissioned]);
    expect(state).toMatchObject({ commissioned: true, decommissioned: false, disposition: cbv('Disp', 'in_transit'), readPoint: 'dock', lastEventTime: t(2), events: 2 });
    expect(endOf(state)).toBeNull();
    expect(endOf(unitState([commissioned, event(3, { action: 'DELETE', bizStep: cbv('BizStep', 'decommissioning') })]))).toBe('decommissioned');
    expect(endOf(unitState([commissioned, event(3, { disposition: cbv('Disp', 'recalled') })]))).toBe('recalled');
    expect(endOf(unitState([commissioned, event(3, { disposition: cbv('Disp', 'destroyed') })]))).toBe('destroyed');
    // Being packed (as a child) neither commissions nor ends it.
    expect(unitState([event(1, { type: 'AggregationEvent', action: 'DELETE', role: 'child' })])).toMatchObject({ commissioned: false, decommissioned: false, events: 1 });
    expect(unitState([])).toEqual(NO_STATE);
  });

  it('leaves out what was declared wrong', () => {
    const destroyed = event(3, { disposition: cbv('Disp', 'destroyed'), void: true });
    expect(endOf(unitState([event(1, { action: 'ADD' }), destroyed]))).toBeNull();
  });
});
