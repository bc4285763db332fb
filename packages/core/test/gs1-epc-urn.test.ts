import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { completeKey, escapeEpcComponent, GS1_CHARSETS, lgtinUrn, parseEpcUrn, sglnUrn, sgtinPatternUrn, sgtinUrn, ssccUrn } from '@serialtrace/core';
import { thrown } from './helpers.js';

/** Section E of the conformance vectors: GTIN-14, company prefix length, serial, SGTIN URN. */
const SGTINS: readonly (readonly [string, number, string, string])[] = [
  ['80614141123458', 7, '6789', 'urn:epc:id:sgtin:0614141.812345.6789'],
  ['10614141073464', 7, '2017', 'urn:epc:id:sgtin:0614141.107346.2017'],
  ['04012345111118', 7, '987', 'urn:epc:id:sgtin:4012345.011111.987'],
  ['09520123456788', 7, '12345', 'urn:epc:id:sgtin:9520123.045678.12345'],
  ['09520123456788', 9, '12345', 'urn:epc:id:sgtin:952012345.0678.12345'],
  ['80614141123458', 7, 'A/B%C', 'urn:epc:id:sgtin:0614141.812345.A%2FB%25C'],
];

const SSCCS: readonly (readonly [string, number, string])[] = [
  ['106141412345678908', 7, 'urn:epc:id:sscc:0614141.1234567890'],
  ['006141411234567890', 7, 'urn:epc:id:sscc:0614141.0123456789'],
  ['037612345000000014', 9, 'urn:epc:id:sscc:376123450.00000001'],
];

describe('EPC URNs (vectors section E)', () => {
  it.each(SGTINS)('SGTIN of %s with L=%i and serial %s is %s', (gtin, L, serial, urn) => {
    expect(sgtinUrn(gtin, L, serial)).toBe(urn);
    expect(parseEpcUrn(urn)).toEqual({ scheme: 'sgtin', gtin, serial, companyPrefixLength: L });
  });

  it.each(SSCCS)('SSCC %s with L=%i is %s', (sscc, L, urn) => {
    expect(ssccUrn(sscc, L)).toBe(urn);
    expect(parseEpcUrn(urn)).toEqual({ scheme: 'sscc', sscc, companyPrefixLength: L });
  });

  it('SGLN of GLN 0614141123452 with extension 400 and L=7; extension 0 means none', () => {
    expect(sglnUrn('0614141123452', 7, '400')).toBe('urn:epc:id:sgln:0614141.12345.400');
    expect(sglnUrn('0614141123452', 7)).toBe('urn:epc:id:sgln:0614141.12345.0');
    expect(parseEpcUrn('urn:epc:id:sgln:0614141.12345.400')).toEqual({ scheme: 'sgln', gln: '0614141123452', extension: '400', companyPrefixLength: 7 });
  });

  it('LGTIN class URN for a lot, and the SGTIN pattern for every serial of a GTIN', () => {
    expect(lgtinUrn('04012345123456', 7, '998877')).toBe('urn:epc:class:lgtin:4012345.012345.998877');
    expect(sgtinPatternUrn('04012345987652', 7)).toBe('urn:epc:idpat:sgtin:4012345.098765.*');
  });

  it('escapes exactly " % & / < > ? of CSET 82 in serials', () => {
    expect(escapeEpcComponent('"%&/<>?')).toBe('%22%25%26%2F%3C%3E%3F');
    expect(escapeEpcComponent("!'()*+,-.:;=_Az09")).toBe("!'()*+,-.:;=_Az09");
  });

  it('refuses a bad check digit, a bad prefix length, a bad serial and malformed URNs', () => {
    expect(thrown(() => sgtinUrn('80614141123459', 7, '1')).code).toBe('GS1_CHECK_DIGIT_INVALID');
    expect(thrown(() => sgtinUrn('80614141123458', 5, '1')).details).toMatchObject({ field: 'companyPrefixLength' });
    expect(thrown(() => sgtinUrn('80614141123458', 7, 'A B')).details).toMatchObject({ ai: '21', rule: 'charset' });
    for (const urn of ['urn:epc:id:sgtin:0614141.81234.6789', 'urn:epc:id:sgtin:0614141.812345', 'urn:epc:id:sscc:0614141.123456789', 'urn:epc:id:giai:0614141.1', 'urn:epc:id:sgtin:0614141.812345.A/B']) {
      expect(thrown(() => parseEpcUrn(urn)).code, urn).toBe('EPC_URN_INVALID');
    }
  });

  it('round-trips any GTIN-14, prefix length and CSET 82 serial', () => {
    const gtin = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 13, maxLength: 13 }).map((body) => completeKey(body));
    const serial = fc.string({ unit: fc.constantFrom(...GS1_CHARSETS.X), minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(gtin, fc.integer({ min: 6, max: 12 }), serial, (g, L, s) => {
        expect(parseEpcUrn(sgtinUrn(g, L, s))).toEqual({ scheme: 'sgtin', gtin: g, serial: s, companyPrefixLength: L });
      }),
    );
  });
});
