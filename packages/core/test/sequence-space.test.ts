import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BASE_NAMES,
  CAPACITY_CRITICAL,
  CAPACITY_WARNING,
  capacityOf,
  compileRenderer,
  nextValues,
  periodCapacity,
  remainingAfter,
  type BaseName,
  type SeriesPlan,
} from '@serialtrace/core';
import { planFor, wall } from './helpers.js';

function plan(base: BaseName, minLength: number, extra: { start?: bigint; increment?: bigint; allowGrowth?: boolean } = {}): SeriesPlan {
  return planFor({ format: 'SN-{SEQUENCE}', base, minLength, ...extra });
}

describe('capacity of a period', () => {
  it.each<[BaseName, number, bigint]>([
    ['numeric', 4, 9_999n],
    ['numeric', 1, 9n],
    ['hex', 4, 65_535n],
    ['alpha', 4, 456_975n],
    ['alphanumeric', 4, 1_679_615n],
    ['alphanumeric', 13, 36n ** 13n - 1n],
    ['numeric', 40, 10n ** 40n - 1n],
  ])('%s, width %i: %s serials (values 1 .. radix^width - 1; 0 is the start, never issued)', (base, width, serials) => {
    const p = plan(base, width);
    expect(periodCapacity(p)).toBe(serials);
    expect(capacityOf(p, 0n)).toEqual({ perPeriod: serials, used: 0n, remaining: serials, usedRatio: 0, level: 'ok' });
  });

  it('is exact beyond 2^64', () => {
    const p = plan('alphanumeric', 13);
    const perPeriod = 36n ** 13n - 1n;
    expect(perPeriod > 2n ** 64n).toBe(true);
    expect(capacityOf(p, perPeriod - 1n)).toMatchObject({ used: perPeriod - 1n, remaining: 1n, level: 'critical' });
    expect(capacityOf(p, perPeriod)).toMatchObject({ remaining: 0n, usedRatio: 1, level: 'exhausted' });
  });

  it('counts values start+increment, start+2*increment, ... that fit', () => {
    const p = plan('numeric', 4, { start: 100n, increment: 5n });
    // 105, 110, ..., 9995: (9999 - 100) / 5 = 1979 values.
    expect(periodCapacity(p)).toBe(1979n);
    expect(nextValues(p, 100n, 1979)!.at(-1)).toBe(9995n);
    expect(nextValues(p, 100n, 1980)).toBeUndefined();
    expect(capacityOf(p, 110n)).toMatchObject({ used: 2n, remaining: 1977n });
  });

  it('levels: ok below 80 %, warning from 80 %, critical from 95 %, exhausted when nothing fits', () => {
    expect(CAPACITY_WARNING).toBe(0.8);
    expect(CAPACITY_CRITICAL).toBe(0.95);
    const p = plan('numeric', 4);
    const at = (current: bigint) => capacityOf(p, current);
    expect(at(7_999n)).toMatchObject({ level: 'ok', usedRatio: 0.7999 });
    expect(at(8_000n)).toMatchObject({ level: 'warning', usedRatio: 0.8, remaining: 1_999n });
    expect(at(9_499n)).toMatchObject({ level: 'warning', usedRatio: 0.9499 });
    expect(at(9_500n)).toMatchObject({ level: 'critical', usedRatio: 0.95 });
    expect(at(9_998n)).toMatchObject({ level: 'critical', remaining: 1n });
    expect(at(9_999n)).toMatchObject({ level: 'exhausted', remaining: 0n, usedRatio: 1 });
  });

  it('a series that may grow is unbounded', () => {
    const p = plan('numeric', 4, { allowGrowth: true });
    expect(p.maxValue).toBeNull();
    expect(periodCapacity(p)).toBeNull();
    expect(capacityOf(p, 10n ** 30n)).toEqual({ perPeriod: null, used: 10n ** 30n, remaining: null, usedRatio: 0, level: 'ok' });
    expect(remainingAfter(p, 10n ** 30n)).toBeNull();
    expect(nextValues(p, 9_999n, 2)).toEqual([10_000n, 10_001n]);
  });

  it('used and remaining always add up to the period capacity, and the level follows the ratio (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...BASE_NAMES),
        fc.integer({ min: 1, max: 6 }),
        fc.bigInt({ min: 0n, max: 50n }),
        fc.bigInt({ min: 1n, max: 7n }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (base, width, start, increment, share) => {
          let p: SeriesPlan;
          try {
            p = plan(base, width, { start, increment });
          } catch {
            return; // no room for one serial: refused on creation
          }
          const perPeriod = periodCapacity(p)!;
          const used = BigInt(Math.floor(Number(perPeriod) * share));
          const capacity = capacityOf(p, start + used * increment);
          expect(capacity.used).toBe(used);
          expect(capacity.used + capacity.remaining!).toBe(perPeriod);
          expect(capacity.remaining).toBe(remainingAfter(p, start + used * increment));
          const expectedLevel =
            capacity.remaining === 0n ? 'exhausted' : capacity.usedRatio >= 0.95 ? 'critical' : capacity.usedRatio >= 0.8 ? 'warning' : 'ok';
          expect(capacity.level).toBe(expectedLevel);
          expect(capacity.usedRatio).toBeLessThanOrEqual(Number(used) / Number(perPeriod) + 1e-12);
          expect(capacity.usedRatio).toBeGreaterThan(Number(used) / Number(perPeriod) - 0.0001 - 1e-12);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('nextValues', () => {
  it('adds the increment and returns the new values', () => {
    expect(nextValues(plan('numeric', 4, { increment: 5n }), 0n, 3)).toEqual([5n, 10n, 15n]);
    expect(nextValues(plan('numeric', 4), 41n, 2)).toEqual([42n, 43n]);
    expect(nextValues(plan('numeric', 4), 0n, 0)).toEqual([]);
  });

  it('serves a request whole or not at all', () => {
    const p = plan('numeric', 4);
    expect(nextValues(p, 9_997n, 2)).toEqual([9_998n, 9_999n]);
    expect(nextValues(p, 9_997n, 3)).toBeUndefined();
    expect(nextValues(p, 9_999n, 1)).toBeUndefined();
    expect(remainingAfter(p, 9_997n)).toBe(2n);
    expect(remainingAfter(p, 9_999n)).toBe(0n);
    expect(remainingAfter(p, 12_345n)).toBe(0n);
  });

  it('the first serial of a fresh default series carries 1 and prints 0001', () => {
    const p = planFor({ format: '{SEQUENCE}' });
    const [first] = nextValues(p, p.settings.start, 1)!;
    expect(first).toBe(1n);
    const render = compileRenderer(p.format, { local: wall(2025, 6, 15), context: {}, base: p.base, minLength: p.settings.minLength });
    expect(render(first!)).toBe('0001');
  });

  it('exactly remainingAfter(current) values fit after current (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...BASE_NAMES),
        fc.integer({ min: 1, max: 3 }),
        fc.bigInt({ min: 1n, max: 9n }),
        fc.bigInt({ min: 0n, max: 20_000n }),
        (base, width, increment, raw) => {
          const p = plan(base, width, { increment: increment });
          const current = raw % (p.maxValue! + 1n);
          const remaining = remainingAfter(p, current)!;
          const n = Number(remaining);
          if (n > 0) {
            const values = nextValues(p, current, n)!;
            expect(values).toHaveLength(n);
            expect(values.every((v) => v <= p.maxValue!)).toBe(true);
            expect(values[0]).toBe(current + increment);
          }
          expect(nextValues(p, current, n + 1)).toBeUndefined();
        },
      ),
      { numRuns: 300 },
    );
  });
});
