import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildDigitalLink,
  buildElementString,
  completeKey,
  escapeDigitalLinkValue,
  GS,
  GS1_CHARSETS,
  parseBracketed,
  parseDigitalLink,
  toGtin14,
} from '@serialtrace/core';
import { thrown } from './helpers.js';

/** Section D of the conformance vectors: bracketed data and their Digital Link URI. */
const LINKS: readonly (readonly [string, string])[] = [
  ['(01)12312312312326(21)abc123', 'https://id.gs1.org/01/12312312312326/21/abc123'],
  ['(01)12312312312326(22)ABC(10)DEF(21)GHI(95)INT', 'https://example.com/01/12312312312326/22/ABC/10/DEF/21/GHI?95=INT'],
  ['(21)XYZ(01)12312312312333(10)ABC123(99)XYZ', 'https://example.com/01/12312312312333/10/ABC123/21/XYZ?99=XYZ'],
  ['(01)12312312312333(10)ABC+123(99)XYZ+QWERTY', 'https://example.com/01/12312312312333/10/ABC%2B123?99=XYZ%2BQWERTY'],
  ['(01)09520123456788(17)251231(10)ABC123(21)12345', 'https://id.gs1.org/01/09520123456788/10/ABC123/21/12345?17=251231'],
  ['(01)00350242040624(17)271130(10)LOT-1(21)SN001', 'https://id.gs1.org/01/00350242040624/10/LOT-1/21/SN001?17=271130'],
  ['(01)80614141123458(21)A/B%C', 'https://id.gs1.org/01/80614141123458/21/A%2FB%25C'],
  ['(00)106141412345678908', 'https://id.gs1.org/00/106141412345678908'],
  ['(414)0614141123452(254)400', 'https://id.gs1.org/414/0614141123452/254/400'],
];

/** URIs to parse and the element string they hold, `^` standing for FNC1 (gs1-syntax-engine's notation). */
const PARSED: readonly (readonly [string, string])[] = [
  ['https://a/01/12312312312333/22/ABC%2d123?99=ABC&98=XYZ%2f987', '^011231231231233322ABC-123^99ABC^98XYZ/987'],
  ['https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426', '^010952012345678810ABC1^2112345^17180426'],
];

const baseOf = (uri: string) => /^https:\/\/[^/]+/.exec(uri)![0];

describe('GS1 Digital Link URIs (vectors section D)', () => {
  it.each(LINKS)('%s -> %s', (bracketed, uri) => {
    const ais = parseBracketed(bracketed);
    expect(buildDigitalLink(ais, { base: baseOf(uri) })).toBe(uri);
    const parsed = parseDigitalLink(uri);
    expect(parsed).toEqual(expect.arrayContaining(ais));
    expect(parsed).toHaveLength(ais.length);
  });

  it('pads a GTIN-8 to 14 digits: 02345673 -> /01/00000002345673', () => {
    expect(buildDigitalLink([{ ai: '01', value: toGtin14('02345673') }])).toBe('https://id.gs1.org/01/00000002345673');
  });

  it.each(PARSED)('parses %s into %s', (uri, caret) => {
    const elementString = caret.slice(1).replaceAll('^', GS);
    expect(buildElementString(parseDigitalLink(uri, { associations: false }), { associations: false })).toBe(elementString);
  });

  it('refuses qualifiers out of order: 01 takes 22, 10, 21 in that order', () => {
    const error = thrown(() => parseDigitalLink('https://id.gs1.org/01/09520123456788/21/12345/10/ABC1'));
    expect(error.code).toBe('GS1_DIGITAL_LINK_INVALID');
    expect(error.details).toMatchObject({ rule: 'qualifier order' });
  });

  it('refuses an AI in the path that is no qualifier: 17 is a data attribute', () => {
    const error = thrown(() => parseDigitalLink('https://id.gs1.org/01/09520123456788/17/251231'));
    expect(error.code).toBe('GS1_DIGITAL_LINK_INVALID');
    expect(error.details).toMatchObject({ rule: 'qualifier', ai: '17' });
  });

  it('refuses a URI without a primary key, and bad values with the AI and rule', () => {
    expect(thrown(() => parseDigitalLink('https://id.gs1.org/10/ABC')).details).toMatchObject({ rule: 'no primary key' });
    expect(thrown(() => parseDigitalLink('ftp://x/01/09520123456788')).details).toMatchObject({ rule: 'uri' });
    expect(thrown(() => parseDigitalLink('https://id.gs1.org/01/09520123456789')).details).toMatchObject({ ai: '01', rule: 'csum' });
    expect(thrown(() => buildDigitalLink([{ ai: '10', value: 'A' }], { associations: false })).code).toBe('GS1_DIGITAL_LINK_INVALID');
  });

  it('keeps path segments before the key and ignores query parameters that are no AIs', () => {
    expect(parseDigitalLink('https://brand.example/products/01/09520123456788/21/12345?linkType=gs1:pip&17=251231')).toEqual([
      { ai: '01', value: '09520123456788' },
      { ai: '21', value: '12345' },
      { ai: '17', value: '251231' },
    ]);
  });

  it('escapes every CSET 82 character but letters, digits, - . and _', () => {
    expect(escapeDigitalLinkValue('!"#%&\'()*+,/:;<=>?')).toBe('%21%22%23%25%26%27%28%29%2A%2B%2C%2F%3A%3B%3C%3D%3E%3F');
    expect(escapeDigitalLinkValue('Az09-._~')).toBe('Az09-._~');
  });

  it('round-trips any GTIN with lot, serial and expiry', () => {
    const cset82 = fc.string({ unit: fc.constantFrom(...GS1_CHARSETS.X), minLength: 1, maxLength: 20 });
    const gtin = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 13, maxLength: 13 }).map((body) => completeKey(body));
    fc.assert(
      fc.property(gtin, cset82, cset82, (g, lot, serial) => {
        const ais = [
          { ai: '01', value: g },
          { ai: '10', value: lot },
          { ai: '21', value: serial },
          { ai: '17', value: '301231' },
        ];
        expect(parseDigitalLink(buildDigitalLink(ais))).toEqual(ais);
      }),
    );
  });
});
