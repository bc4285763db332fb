import { createCipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  chooseFf1Domain,
  createSequencePermutation,
  GUESS_BOUND_DIVISOR,
  guessLimit,
  guessProbability,
  utf8,
  type BlockCipher,
} from '@serialtrace/core';

function aes256(seed: string, batched = false): BlockCipher {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ecb', key, null);
  cipher.setAutoPadding(false);
  const encryptBlock = (block: Uint8Array) => cipher.update(block);
  return batched ? { encryptBlock, encryptBlocks: encryptBlock } : { encryptBlock };
}

/** permute over the whole space: each value once, and invert undoes it. */
function expectBijection(order: ReturnType<typeof createSequencePermutation>, tweak?: string): bigint[] {
  const space = Number(order.space);
  const hits = new Uint8Array(space);
  const out: bigint[] = [];
  for (let i = 0n; i < order.space; i++) {
    const value = order.permute(i, tweak);
    expect(value >= 0n && value < order.space).toBe(true);
    hits[Number(value)]! += 1;
    expect(order.invert(value, tweak)).toBe(i);
    out.push(value);
  }
  expect(hits.every((h) => h === 1)).toBe(true);
  return out;
}

// Spaces below the FF1 minimum of 10^6 values walk ~10^6/space FF1 calls per serial; the exhaustive
// checks lower the FF1 minimum so they stay fast. The walk is the same code either way.
const TEST = { minDomain: 100n };

describe('sequence permutation', () => {
  it('hits every value of a space of 1,000 exactly once', () => {
    const order = createSequencePermutation(aes256('a'), 1000n, TEST);
    expect(order.space).toBe(1000n);
    const values = expectBijection(order);
    expect(values.slice(0, 10)).not.toEqual(values.slice(0, 10).toSorted((a, b) => Number(a - b)));
  });

  it('hits every value of a space of 10,000 once under two tweaks, in two different orders', () => {
    const order = createSequencePermutation(aes256('b'), 10_000n, TEST);
    const first = expectBijection(order, '2026-11-23');
    const second = expectBijection(order, '2026-11-24');
    const same = first.filter((v, i) => second[i] === v).length;
    expect(same).toBeLessThan(10); // about 1 expected by chance
  });

  it('walks spaces that are not a power of anything (odd, prime, just above a power of two)', () => {
    for (const space of [2n, 3n, 97n, 1025n, 4099n]) expectBijection(createSequencePermutation(aes256('c'), space, TEST));
  });

  it('stays a bijection on the real 10^6 minimum domain for a small space (sampled)', () => {
    const order = createSequencePermutation(aes256('d'), 1000n);
    const seen = new Set<bigint>();
    for (let i = 0n; i < 10n; i++) {
      const value = order.permute(i * 97n);
      expect(value < 1000n).toBe(true);
      expect(order.invert(value)).toBe(i * 97n);
      seen.add(value);
    }
    expect(seen.size).toBe(10);
  });

  it('different keys and tweaks give different orders', () => {
    const space = 10n ** 12n;
    const a = createSequencePermutation(aes256('key one'), space);
    const b = createSequencePermutation(aes256('key two'), space);
    const take = (order: typeof a, tweak?: string) => Array.from({ length: 20 }, (_, i) => order.permute(BigInt(i), tweak));
    expect(take(a)).not.toEqual(take(b));
    expect(take(a, '2026-11-23')).not.toEqual(take(a, '2026-11-24'));
    expect(take(a, '2026-11-23')).not.toEqual(take(a));
    expect(take(a, '2026-11-23')).toEqual(take(a, '2026-11-23'));
    // The empty tweak is the same as none.
    expect(take(a, '')).toEqual(take(a));
  });

  it('reveals nothing about issue order over a space of 10^12', () => {
    const space = 10n ** 12n;
    const order = createSequencePermutation(aes256('order'), space);
    const n = 2000;
    const values = Array.from({ length: n }, (_, i) => order.permute(BigInt(i), '2026-11-23'));
    for (let i = 0; i < n; i += 97) expect(order.invert(values[i]!, '2026-11-23')).toBe(BigInt(i));
    expect(new Set(values).size).toBe(n);

    // A counter would ascend every time (1.0); a random order about half the time.
    let ascending = 0;
    for (let i = 1; i < n; i++) if (values[i]! > values[i - 1]!) ascending++;
    expect(Math.abs(ascending / (n - 1) - 0.5)).toBeLessThan(0.05);

    // Spearman rank correlation between index and value: ~0 for a random order, 1 for a counter.
    const ranks = new Array<number>(n);
    values
      .map((v, i) => [v, i] as const)
      .sort((x, y) => (x[0] < y[0] ? -1 : 1))
      .forEach(([, i], rank) => (ranks[i] = rank));
    const sumD2 = ranks.reduce((acc, rank, i) => acc + (rank - i) ** 2, 0);
    const rho = 1 - (6 * sumD2) / (n * (n * n - 1));
    expect(Math.abs(rho)).toBeLessThan(0.1);

    // Values spread over the whole space: each tenth holds about a tenth of them.
    const deciles = new Array<number>(10).fill(0);
    for (const v of values) deciles[Number((v * 10n) / space)]! += 1;
    for (const count of deciles) expect(Math.abs(count - n / 10)).toBeLessThan(80);
  });

  it.each([
    ['10^12', 10n ** 12n],
    ['10^6 + 1 (walks)', 10n ** 6n + 1n],
    ['2^40 + 1', 2n ** 40n + 1n],
    ['36^13 (bigint halves)', 36n ** 13n],
    ['1,000 on the 10^6 minimum domain (long walks)', 1000n],
  ])('permuteMany agrees with permute for a space of %s, with or without a batching cipher', (_name, space) => {
    const single = createSequencePermutation(aes256('many'), space);
    const batched = createSequencePermutation(aes256('many', true), space);
    const count = space < 10_000n ? 4 : 400;
    const indices = Array.from({ length: count }, (_, i) => (BigInt(i) * 7_919n) % space);
    const expected = indices.map((i) => single.permute(i, 'P1'));
    expect(batched.permuteMany(indices, 'P1')).toEqual(expected);
    expect(single.permuteMany(indices, 'P1')).toEqual(expected);
    expect(batched.permuteMany([], 'P1')).toEqual([]);
    expect(() => batched.permuteMany([0n, space], 'P1')).toThrow(RangeError);
  });

  it('refuses spaces below 2 and indices outside the space', () => {
    expect(() => createSequencePermutation(aes256('e'), 1n)).toThrow(RangeError);
    expect(() => createSequencePermutation(aes256('e'), 0n)).toThrow(RangeError);
    const order = createSequencePermutation(aes256('e'), 10n ** 6n);
    expect(() => order.permute(-1n)).toThrow(RangeError);
    expect(() => order.permute(10n ** 6n)).toThrow(RangeError);
    expect(() => order.invert(10n ** 6n)).toThrow(RangeError);
  });
});

describe('FF1 domain of a space', () => {
  it.each<[bigint, number, number]>([
    [2n, 1000, 2],
    [10n ** 6n, 1000, 2],
    [10n ** 9n, 31_623, 2],
    [2n ** 32n, 65_536, 2],
    [2n ** 32n + 1n, 1626, 3],
    [10n ** 12n, 10_000, 3],
    [36n ** 10n, 7776, 4], // 6^20: exact, no walking
  ])('space %s runs on radix %i, length %i', (space, radix, length) => {
    expect(chooseFf1Domain(space)).toEqual({ radix, length });
  });

  it('never needs more than 1.003 FF1 calls per serial on average from 10^6 to 2^128', () => {
    for (let bits = 21; bits <= 128; bits++) {
      for (const space of [2n ** BigInt(bits) + 1n, 3n * 2n ** BigInt(bits - 2) + 7n]) {
        const { radix, length } = chooseFf1Domain(space);
        const domain = BigInt(radix) ** BigInt(length);
        expect(domain >= space).toBe(true);
        expect(BigInt(radix - 1) ** BigInt(length) < space).toBe(true);
        expect(Number((domain * 1_000_000n) / space) / 1e6).toBeLessThan(1.003);
      }
    }
  });
});

describe('UTF-8 tweaks', () => {
  it('agrees with TextEncoder, lone surrogates included', () => {
    for (const text of ['', '2026-11-23', 'Größe', '€', '漢字', '😀x', '\ud800', 'a\udc00b', '\ud83d']) {
      expect(Array.from(utf8(text))).toEqual(Array.from(new TextEncoder().encode(text)));
    }
  });
});

describe('guess bound', () => {
  it('allows one serial per 10,000 values', () => {
    expect(GUESS_BOUND_DIVISOR).toBe(10_000n);
    expect(guessLimit(10n ** 12n)).toBe(100_000_000n);
    expect(guessLimit(9_999n)).toBe(0n);
    expect(guessLimit(19_999n)).toBe(1n);
    expect(guessLimit(0n)).toBe(0n);
  });

  it('shows the chance of a lucky guess', () => {
    expect(guessProbability(50n, 1_000_000n)).toBeCloseTo(0.00005, 12);
    expect(guessProbability(0n, 0n)).toBe(0);
    expect(guessProbability(1n, 3n * 10n ** 30n)).toBeCloseTo(1 / 3e30, 40);
  });
});
