import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { completeKey, GS1_KEY_LENGTHS, gs1CheckDigit, isValidKey, verifyKey, type Gs1KeyKind } from '@serialtrace/core';
import { thrown } from './helpers.js';

/** Section A of the conformance vectors: kind, body without check digit, full key. */
const VECTORS: readonly (readonly [Gs1KeyKind, string, string])[] = [
  ['GTIN-13', '952012345678', '9520123456788'],
  ['GTIN-14', '0952012345678', '09520123456788'],
  ['GTIN-12', '03600029145', '036000291452'],
  ['GTIN-12', '01234567890', '012345678905'],
  ['GTIN-8', '9638507', '96385074'],
  ['GTIN-8', '0234567', '02345673'],
  ['GTIN-13', '400638133393', '4006381333931'],
  ['GTIN-13', '590123412345', '5901234123457'],
  ['GTIN-14', '8061414112345', '80614141123458'],
  ['GTIN-14', '1061414107346', '10614141073464'],
  ['GTIN-14', '1231231231232', '12312312312326'],
  ['GTIN-14', '0401234511111', '04012345111118'],
  ['GTIN-14', '0035024204062', '00350242040624'],
  ['SSCC', '10614141234567890', '106141412345678908'],
  ['SSCC', '00614141123456789', '006141411234567890'],
  ['SSCC', '03761234500000001', '037612345000000014'],
  ['GLN', '061414112345', '0614141123452'],
  ['GLN', '061414100001', '0614141000012'],
];

describe('GS1 mod-10 check digits (vectors section A)', () => {
  it.each(VECTORS)('%s %s completes to %s', (kind, body, key) => {
    expect(gs1CheckDigit(body)).toBe(Number(key.at(-1)));
    expect(completeKey(body)).toBe(key);
    expect(completeKey(body, kind)).toBe(key);
    expect(verifyKey(key, kind)).toBe(key);
    expect(verifyKey(key)).toBe(key);
    expect(isValidKey(key, kind)).toBe(true);
  });

  it('does not change when the body is padded with zeros (GTIN-8 02345673 as GTIN-14 00000002345673)', () => {
    expect(completeKey('0000000234567', 'GTIN-14')).toBe('00000002345673');
    expect(gs1CheckDigit('000000952012345678')).toBe(gs1CheckDigit('952012345678'));
  });

  it.each([
    ['GTIN-14', '09520123456789', 8, 9],
    ['SSCC', '106141412345678907', 8, 7],
  ] as const)('refuses %s %s: the check digit should be %i', (kind, key, expected, actual) => {
    const error = thrown(() => verifyKey(key, kind));
    expect(error.code).toBe('GS1_CHECK_DIGIT_INVALID');
    expect(error.details).toMatchObject({ kind, key, expected, actual });
    expect(isValidKey(key, kind)).toBe(false);
  });

  it('refuses a GTIN-14 ending in any digit but its check digit', () => {
    for (let digit = 0; digit <= 9; digit++) {
      const key = `0952012345678${digit}`;
      expect(isValidKey(key, 'GTIN-14'), key).toBe(digit === 8);
    }
  });

  it.each([
    ['0952012345678X', 'GTIN-14', 'only digits'],
    ['', undefined, 'only digits'],
    ['123456789', undefined, '9 digits'],
    ['9520123456788', 'GTIN-14', '13 digits; expected 14'],
  ] as const)('refuses the malformed key "%s" (%s) with GS1_KEY_INVALID', (key, kind, reason) => {
    const error = thrown(() => verifyKey(key, kind));
    expect(error.code).toBe('GS1_KEY_INVALID');
    expect(error.message).toContain(reason);
  });

  it('refuses a body of the wrong length or with non-digits', () => {
    expect(thrown(() => completeKey('12345')).code).toBe('GS1_KEY_INVALID');
    expect(thrown(() => completeKey('952012345678', 'GTIN-14')).code).toBe('GS1_KEY_INVALID');
    expect(thrown(() => gs1CheckDigit('12a')).code).toBe('GS1_KEY_INVALID');
  });

  it('completes every body of every kind to a key that verifies, and no other last digit does', () => {
    const kinds = Object.keys(GS1_KEY_LENGTHS) as Gs1KeyKind[];
    const arbitrary = fc
      .constantFrom(...kinds)
      .chain((kind) =>
        fc.tuple(fc.constant(kind), fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: GS1_KEY_LENGTHS[kind] - 1, maxLength: GS1_KEY_LENGTHS[kind] - 1 }), fc.integer({ min: 1, max: 9 })),
      );
    fc.assert(
      fc.property(arbitrary, ([kind, body, offset]) => {
        const key = completeKey(body, kind);
        expect(verifyKey(key, kind)).toBe(key);
        const wrong = body + String((Number(key.at(-1)) + offset) % 10);
        expect(isValidKey(wrong, kind)).toBe(false);
      }),
    );
  });
});
