import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_CONTEXT_KEYS, MAX_CONTEXT_VALUE_LENGTH, normalizeContext, resolveContext } from '@serialtrace/core';
import { planFor, thrown, wall } from './helpers.js';

describe('normalizeContext', () => {
  it('upper-cases and trims keys, keeps values, and keeps keys beyond the five tokens as data', () => {
    expect(normalizeContext({ line: 'L1', ' plant ': 'P 7', Station: 'ST-3', batch: 42 })).toEqual({ LINE: 'L1', PLANT: 'P 7', STATION: 'ST-3', BATCH: '42' });
  });

  it('treats a missing context as empty', () => {
    expect(normalizeContext(undefined)).toEqual({});
    expect(normalizeContext(null)).toEqual({});
    expect(normalizeContext({})).toEqual({});
  });

  it.each([['L1'], [42], [[]], [true]])('refuses a context that is not an object: %j', (value) => {
    const error = thrown(() => normalizeContext(value));
    expect(error.code).toBe('CONTEXT_INVALID');
    expect(error.details['field']).toBe('context');
  });

  it('refuses empty, too long, control-character and non-text values, and bad or repeated names, all at once', () => {
    const error = thrown(() =>
      normalizeContext({
        LINE: '',
        PLANT: 'x'.repeat(MAX_CONTEXT_VALUE_LENGTH + 1),
        BATCH: 'a\nb',
        PART: { id: 1 },
        '1st': 'v',
        'bad-name': 'v',
        shift: 'A',
        SHIFT: 'B',
        OK: 'x'.repeat(MAX_CONTEXT_VALUE_LENGTH),
      }),
    );
    expect(error.code).toBe('CONTEXT_INVALID');
    expect(error.problems.map((p) => [p.field, p.details?.['reason']])).toEqual([
      ['context.LINE', 'the value is empty'],
      ['context.PLANT', `the value is longer than ${MAX_CONTEXT_VALUE_LENGTH} characters`],
      ['context.BATCH', 'the value: it contains a line break (U+000A) at character 2, and it must be one line'],
      ['context.PART', 'the value must be text'],
      ['context.1st', 'names are letters, digits and _ starting with a letter'],
      ['context.bad-name', 'names are letters, digits and _ starting with a letter'],
      ['context.SHIFT', 'given twice'],
    ]);
    expect(error.details['field']).toBe('context.LINE');
    expect(error.message).toBe('Invalid context context.LINE: the value is empty (and 6 more problems)');
  });

  it(`refuses more than ${MAX_CONTEXT_KEYS} entries`, () => {
    const many = Object.fromEntries(Array.from({ length: MAX_CONTEXT_KEYS + 1 }, (_, i) => [`K${i}`, 'v']));
    expect(thrown(() => normalizeContext(many)).problems.map((p) => p.details?.['reason'])).toEqual([`at most ${MAX_CONTEXT_KEYS} entries`]);
    delete many['K0'];
    expect(Object.keys(normalizeContext(many))).toHaveLength(MAX_CONTEXT_KEYS);
  });

  it('valid contexts survive unchanged up to key case (property)', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,10}$/), fc.stringMatching(/^[ -~]{1,64}$/), { maxKeys: 10 }),
        (context) => {
          const lower = Object.fromEntries(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
          expect(normalizeContext(lower)).toEqual(context);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('resolveContext', () => {
  const noon = wall(2025, 6, 15, 12, 0);

  it('takes the tokens the request gives', () => {
    const plan = planFor({ format: '{PLANT}-{LINE}-{BATCH}-{####}' });
    expect(resolveContext(plan, noon, { context: { PLANT: 'P1', LINE: 'L2', BATCH: 'B3', STATION: 'S' } })).toEqual({ PLANT: 'P1', LINE: 'L2', BATCH: 'B3' });
  });

  it('names every missing token at once, with the position of the first, and the message lists them', () => {
    const plan = planFor({ format: 'X-{PLANT}-{LINE}{BATCH}-{####}' });
    const error = thrown(() => resolveContext(plan, noon, { context: { LINE: 'L1' } }));
    expect(error.code).toBe('CONTEXT_MISSING');
    expect(error.details).toMatchObject({ field: 'context.PLANT', missing: ['PLANT', 'BATCH'], tokens: ['{PLANT}', '{BATCH}'], position: 2 });
    expect(error.message).toBe('The format needs {PLANT}, {BATCH} but the request does not give them');
    const one = thrown(() => resolveContext(planFor({ format: '{####}-{LINE}' }), noon, { context: {} }));
    expect(one.details).toMatchObject({ field: 'context.LINE', missing: ['LINE'], position: 7 });
    expect(one.message).toBe('The format needs {LINE} but the request does not give it');
  });

  it('{PART} falls back to the part number; a PART in the context wins', () => {
    const plan = planFor({ format: '{PART}-{####}' });
    expect(resolveContext(plan, noon, { context: {}, partNumber: 'PN-77' })).toEqual({ PART: 'PN-77' });
    expect(resolveContext(plan, noon, { context: { PART: 'CTX' }, partNumber: 'PN-77' })).toEqual({ PART: 'CTX' });
    for (const partNumber of [null, undefined, '']) {
      expect(thrown(() => resolveContext(plan, noon, { context: {}, partNumber })).code).toBe('CONTEXT_MISSING');
    }
  });

  it('{SHIFT} comes from the calendar when the series has one (or resets per shift)', () => {
    const perShift = planFor({ format: '{YY}{JJJ}{SHIFT}-{####}', reset: 'shift' });
    expect(resolveContext(perShift, wall(2025, 6, 15, 7, 59), { context: {} })).toEqual({ SHIFT: 'A' });
    expect(resolveContext(perShift, wall(2025, 6, 15, 8, 0), { context: {} })).toEqual({ SHIFT: 'B' });
    expect(resolveContext(perShift, wall(2025, 6, 15, 16, 0), { context: { SHIFT: 'C' } })).toEqual({ SHIFT: 'C' });
    const nights = planFor({ format: '{YY}{JJJ}{SHIFT}{HH}-{####}', reset: 'daily', shiftStarts: 'E=06:00,L=14:00,N=22:00' });
    expect(resolveContext(nights, wall(2025, 6, 16, 3, 0), { context: {} })).toEqual({ SHIFT: 'N' });
  });

  it('a SHIFT in the request that contradicts the calendar is refused, not silently overridden', () => {
    const plan = planFor({ format: '{YY}{JJJ}{SHIFT}-{####}', reset: 'shift' });
    const error = thrown(() => resolveContext(plan, wall(2025, 6, 15, 9, 0), { context: { SHIFT: 'A' } }));
    expect(error.code).toBe('CONTEXT_INVALID');
    expect(error.details['field']).toBe('context.SHIFT');
    expect(error.message).toBe("Invalid context context.SHIFT: the series' shift calendar says shift B is running, not A");
    // Previews show what the calendar says instead.
    expect(resolveContext(plan, wall(2025, 6, 15, 9, 0), { context: { SHIFT: 'A' } }, true)).toEqual({ SHIFT: 'B' });
  });

  it('without a calendar, {SHIFT} must come from the request', () => {
    const plan = planFor({ format: '{SHIFT}-{####}' });
    expect(thrown(() => resolveContext(plan, noon, { context: {} })).details).toMatchObject({ missing: ['SHIFT'] });
    expect(resolveContext(plan, noon, { context: { SHIFT: 'Z' } })).toEqual({ SHIFT: 'Z' });
  });

  it('placeholders mode leaves missing tokens out instead of refusing', () => {
    const plan = planFor({ format: '{LINE}-{PLANT}-{####}' });
    expect(resolveContext(plan, noon, { context: { LINE: 'L1' } }, true)).toEqual({ LINE: 'L1' });
  });
});
