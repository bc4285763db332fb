import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BASE_NAMES,
  BASES,
  decodeSequence,
  encodeSequence,
  isBaseName,
  maxValueForWidth,
  parseBaseName,
  type BaseName,
} from '@serialtrace/core';
import { thrown } from './helpers.js';

const anyBase = fc.constantFrom(...BASE_NAMES).map((name) => BASES[name]);

describe('the four alphabets', () => {
  it('are numeric 0-9, alphanumeric 0-9A-Z, hex 0-9A-F and alpha A-Z', () => {
    expect(BASES.numeric).toEqual({ name: 'numeric', radix: 10, digits: '0123456789' });
    expect(BASES.alphanumeric).toEqual({ name: 'alphanumeric', radix: 36, digits: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ' });
    expect(BASES.hex).toEqual({ name: 'hex', radix: 16, digits: '0123456789ABCDEF' });
    expect(BASES.alpha).toEqual({ name: 'alpha', radix: 26, digits: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' });
    expect([...BASE_NAMES]).toEqual(['numeric', 'alphanumeric', 'hex', 'alpha']);
  });

  it('have one digit per radix step, all distinct and in ascending character order', () => {
    for (const name of BASE_NAMES) {
      const { digits, radix } = BASES[name];
      expect(digits).toHaveLength(radix);
      expect(new Set(digits).size).toBe(radix);
      expect([...digits].sort().join('')).toBe(digits);
    }
  });

  it('parseBaseName accepts the four names and refuses anything else with VALUE_INVALID and the allowed list', () => {
    for (const name of BASE_NAMES) expect(parseBaseName(name)).toBe(name);
    expect(isBaseName('hex')).toBe(true);
    expect(isBaseName('HEX')).toBe(false);
    const error = thrown(() => parseBaseName('octal'));
    expect(error.code).toBe('VALUE_INVALID');
    expect(error.details['field']).toBe('base');
    expect(error.details['allowed']).toEqual([...BASE_NAMES]);
    expect(error.message).toContain('"octal" is not a base');
    expect(thrown(() => parseBaseName('Numeric', 'series.base')).details['field']).toBe('series.base');
  });
});

describe('encodeSequence', () => {
  it.each<[bigint, BaseName, number, string]>([
    [42n, 'hex', 4, '002A'],
    [255n, 'hex', 2, 'FF'],
    [0xabcdefn, 'hex', 4, 'ABCDEF'],
    [0n, 'numeric', 4, '0000'],
    [1n, 'numeric', 4, '0001'],
    [9999n, 'numeric', 4, '9999'],
    [10000n, 'numeric', 4, '10000'],
    [0n, 'numeric', 0, '0'],
    [123n, 'numeric', 5, '00123'],
    [361n, 'alphanumeric', 4, '00A1'],
    [35n, 'alphanumeric', 1, 'Z'],
    [36n, 'alphanumeric', 1, '10'],
    [1_679_615n, 'alphanumeric', 4, 'ZZZZ'],
    [0n, 'alpha', 4, 'AAAA'],
    [1n, 'alpha', 4, 'AAAB'],
    [25n, 'alpha', 4, 'AAAZ'],
    [26n, 'alpha', 4, 'AABA'],
    [456_975n, 'alpha', 4, 'ZZZZ'],
    [456_976n, 'alpha', 4, 'BAAAA'],
    [0n, 'alpha', 0, 'A'],
    [27n, 'alpha', 1, 'BB'],
  ])('writes %s in %s, width %s, as %s', (value, base, width, expected) => {
    expect(encodeSequence(value, BASES[base], width)).toBe(expected);
    expect(decodeSequence(expected, BASES[base])).toBe(value);
  });

  it('pads alpha with A, its zero digit, never with 0', () => {
    expect(encodeSequence(3n, BASES.alpha, 6)).toBe('AAAAAD');
    expect(encodeSequence(3n, BASES.alpha, 6)).not.toContain('0');
  });

  it('handles values beyond 2^64 exactly (13 base-36 characters)', () => {
    const big = 2n ** 64n;
    expect(encodeSequence(big, BASES.alphanumeric, 4)).toBe('3W5E11264SGSG');
    expect(encodeSequence(big, BASES.alphanumeric, 13)).toHaveLength(13);
    expect(decodeSequence('3W5E11264SGSG', BASES.alphanumeric)).toBe(big);
    const top = maxValueForWidth(BASES.alphanumeric, 13);
    expect(top).toBe(36n ** 13n - 1n);
    expect(top > 2n ** 64n).toBe(true);
    expect(encodeSequence(top, BASES.alphanumeric, 13)).toBe('Z'.repeat(13));
    expect(encodeSequence(top + 1n, BASES.alphanumeric, 13)).toBe(`1${'0'.repeat(13)}`);
    expect(encodeSequence(2n ** 80n + 7n, BASES.alpha, 1)).toBe(
      encodeSequence(2n ** 80n + 7n, BASES.alpha, 0),
    );
    expect(decodeSequence(encodeSequence(2n ** 100n, BASES.alpha, 30), BASES.alpha)).toBe(2n ** 100n);
  });

  it('refuses negative values', () => {
    expect(() => encodeSequence(-1n, BASES.numeric, 4)).toThrow(RangeError);
  });
});

describe('decodeSequence', () => {
  it('reads padded text back', () => {
    expect(decodeSequence('AAAB', BASES.alpha)).toBe(1n);
    expect(decodeSequence('002A', BASES.hex)).toBe(42n);
    expect(decodeSequence('00A1', BASES.alphanumeric)).toBe(361n);
    expect(decodeSequence('0042', BASES.numeric)).toBe(42n);
  });

  it('returns undefined for empty text and characters outside the base (case matters)', () => {
    expect(decodeSequence('', BASES.numeric)).toBeUndefined();
    expect(decodeSequence('002a', BASES.hex)).toBeUndefined();
    expect(decodeSequence('00G1', BASES.hex)).toBeUndefined();
    expect(decodeSequence('AA0B', BASES.alpha)).toBeUndefined();
    expect(decodeSequence('12A', BASES.numeric)).toBeUndefined();
    expect(decodeSequence('aaab', BASES.alpha)).toBeUndefined();
    expect(decodeSequence('-1', BASES.numeric)).toBeUndefined();
  });
});

describe('capacity of a width', () => {
  it.each<[BaseName, number, bigint]>([
    ['numeric', 4, 10_000n],
    ['hex', 4, 65_536n],
    ['alpha', 4, 456_976n],
    ['alphanumeric', 4, 1_679_616n],
    ['alphanumeric', 11, 36n ** 11n],
    ['alphanumeric', 13, 36n ** 13n],
    ['numeric', 40, 10n ** 40n],
  ])('%s with %s characters writes %s distinct values', (base, width, count) => {
    expect(maxValueForWidth(BASES[base], width) + 1n).toBe(count);
  });

  it('an 11-character base-36 sequence already outgrows 2^53', () => {
    expect(maxValueForWidth(BASES.alphanumeric, 11) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
  });
});

describe('encoding properties', () => {
  const value = fc.oneof(fc.bigInt({ min: 0n, max: 10_000n }), fc.bigInt({ min: 0n, max: 2n ** 96n }));
  const width = fc.integer({ min: 0, max: 24 });

  it('decodeSequence inverts encodeSequence', () => {
    fc.assert(
      fc.property(value, anyBase, width, (v, base, w) => {
        expect(decodeSequence(encodeSequence(v, base, w), base)).toBe(v);
      }),
      { numRuns: 300 },
    );
  });

  it('the output is max(width, natural length) long, uses only the base digits, and pads with the zero digit', () => {
    fc.assert(
      fc.property(value, anyBase, width, (v, base, w) => {
        const natural = v.toString(base.radix).length;
        const text = encodeSequence(v, base, w);
        expect(text).toHaveLength(Math.max(w, natural));
        for (const ch of text) expect(base.digits).toContain(ch);
        const padding = text.slice(0, text.length - natural);
        expect(padding).toBe(base.digits[0]!.repeat(padding.length));
        // The significant part never starts with the zero digit (except for zero itself).
        if (v > 0n) expect(text[padding.length]).not.toBe(base.digits[0]);
      }),
      { numRuns: 300 },
    );
  });

  it('for a fixed width, the order of the texts is the order of the values', () => {
    fc.assert(
      fc.property(anyBase, fc.integer({ min: 1, max: 16 }), fc.bigInt({ min: 0n, max: 2n ** 90n }), fc.bigInt({ min: 0n, max: 2n ** 90n }), (base, w, a0, b0) => {
        const limit = maxValueForWidth(base, w) + 1n;
        const a = a0 % limit;
        const b = b0 % limit;
        const ta = encodeSequence(a, base, w);
        const tb = encodeSequence(b, base, w);
        expect(ta).toHaveLength(w);
        expect(tb).toHaveLength(w);
        expect(Math.sign(ta < tb ? -1 : ta > tb ? 1 : 0)).toBe(a < b ? -1 : a > b ? 1 : 0);
      }),
      { numRuns: 300 },
    );
  });

  it('distinct values never encode alike, whatever the width', () => {
    fc.assert(
      fc.property(anyBase, width, value, value, (base, w, a, b) => {
        fc.pre(a !== b);
        expect(encodeSequence(a, base, w)).not.toBe(encodeSequence(b, base, w));
      }),
      { numRuns: 200 },
    );
  });
});
