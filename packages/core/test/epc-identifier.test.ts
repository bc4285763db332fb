import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildDigitalLink,
  canonicalDigitalLink,
  checkEpcisIdentifier,
  completeKey,
  digitalLinkToEpcUrn,
  GS1_CHARSETS,
  sgtinUrn,
  type EpcisIdentifierRole,
} from '@serialtrace/core';
import { thrown } from './helpers.js';

const DL = 'https://id.gs1.org';

/**
 * EPC URN, company prefix length, canonical Digital Link. Most come from the CBV 2.0 hash
 * fixtures (packages/epcis/test/fixtures/epcis-hash/*.prehashes), the SGTIN, SSCC and SGLN ones
 * also from section E of /work/shared/conformance/gs1/vectors.md.
 */
const INSTANCES: readonly (readonly [string, number, string])[] = [
  ['urn:epc:id:sgtin:0614141.812345.6789', 7, '/01/80614141123458/21/6789'],
  ['urn:epc:id:sgtin:0614141.107346.2017', 7, '/01/10614141073464/21/2017'],
  ['urn:epc:id:sgtin:9520123.045678.12345', 7, '/01/09520123456788/21/12345'],
  ['urn:epc:id:sgtin:952012345.0678.12345', 9, '/01/09520123456788/21/12345'],
  ['urn:epc:id:sgtin:415056789012.0.987654', 12, '/01/04150567890128/21/987654'],
  ['urn:epc:id:sgtin:4012345.011111.98%22', 7, '/01/04012345111118/21/98%22'],
  ['urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()', 7, '/01/80614141123458/21/6789%2F%26%25%22%21%3F%28%29'],
  ['urn:epc:id:sscc:4012345.0000000111', 7, '/00/040123450000001112'],
  ['urn:epc:id:sscc:4012345.3111111111', 7, '/00/340123451111111111'],
  ['urn:epc:id:sscc:0614141.1234567890', 7, '/00/106141412345678908'],
  ['urn:epc:id:sscc:376123450.00000001', 9, '/00/037612345000000014'],
  ['urn:epc:id:sgln:4012345.00011.987', 7, '/414/4012345000115/254/987'],
  ['urn:epc:id:sgln:0614141.12345.400', 7, '/414/0614141123452/254/400'],
  ['urn:epc:id:sgln:4012345.00005.0', 7, '/414/4012345000054'],
  ['urn:epc:id:grai:4012345.00022.334455', 7, '/8003/04012345000221334455'],
  ['urn:epc:id:grai:4012345.66666.87', 7, '/8003/0401234566666387'],
  ['urn:epc:id:giai:4012345.ABC345', 7, '/8004/4012345ABC345'],
  ['urn:epc:id:giai:4012345.AAbb', 7, '/8004/4012345AAbb'],
  ['urn:epc:id:gsrn:4012345.0000006765', 7, '/8018/401234500000067657'],
  ['urn:epc:id:gsrn:4012345.9876540000', 7, '/8018/401234598765400000'],
  ['urn:epc:id:gsrnp:4012345.0000000007', 7, '/8017/401234500000000074'],
  ['urn:epc:id:gsrnp:4012345.0000098765', 7, '/8017/401234500000987658'],
  ['urn:epc:id:gdti:4012345.00009.PO-4711', 7, '/253/4012345000092PO-4711'],
  ['urn:epc:id:gdti:4012345.55555.98', 7, '/253/401234555555498'],
  ['urn:epc:id:gdti:987659999999..9', 12, '/253/98765999999929'],
  ['urn:epc:id:cpi:0614141.11111111111111-A%23%2F.1234', 7, '/8010/061414111111111111111-A%23%2F/8011/1234'],
  ['urn:epc:id:cpi:4012345.ABC.123', 7, '/8010/4012345ABC/8011/123'],
  ['urn:epc:id:sgcn:4012345.99999.44', 7, '/255/401234599999044'],
  ['urn:epc:id:ginc:0614141.xyz47%2F11', 7, '/401/0614141xyz47%2F11'],
  ['urn:epc:id:ginc:4012345.333', 7, '/401/4012345333'],
  ['urn:epc:id:gsin:4012345.222333444', 7, '/402/40123452223334442'],
  ['urn:epc:id:gsin:4012345.999987654', 7, '/402/40123459999876541'],
  ['urn:epc:id:itip:4012345.011111.01.02.987', 7, '/8006/040123451111180102/21/987'],
  ['urn:epc:id:itip:4012345.012345.01.02.999', 7, '/8006/040123451234560102/21/999'],
  ['urn:epc:id:upui:4012345.012345.AB12', 7, '/01/04012345123456/235/AB12'],
  // The CBV hash reference leaves the apostrophe as it is; serialtrace escapes it as GS1's syntax engine does.
  ["urn:epc:id:upui:1234567.098765.51qIgY)%3C%26Jp3*j7'SDB", 7, '/01/01234567987651/235/51qIgY%29%3C%26Jp3%2Aj7%27SDB'],
  ['urn:epc:id:pgln:4000001.00000', 7, '/417/4000001000005'],
  ['urn:epc:id:pgln:999999999999.', 12, '/417/9999999999994'],
];

/** Class-level URNs: LGTIN and the ID patterns that name one class. */
const CLASSES: readonly (readonly [string, number, string])[] = [
  ['urn:epc:class:lgtin:4012345.012345.Lot987', 7, '/01/04012345123456/10/Lot987'],
  ['urn:epc:class:lgtin:4054739.099914.20160711', 7, '/01/04054739999148/10/20160711'],
  ['urn:epc:class:lgtin:4012345.012345.998877', 7, '/01/04012345123456/10/998877'],
  ['urn:epc:idpat:sgtin:4054739.099914.*', 7, '/01/04054739999148'],
  ['urn:epc:idpat:sgtin:4012345.098765.*', 7, '/01/04012345987652'],
  ['urn:epc:idpat:grai:4012345.66666.*', 7, '/8003/04012345666663'],
  ['urn:epc:idpat:gdti:4012345.55555.*', 7, '/253/4012345555554'],
  ['urn:epc:idpat:sgcn:4012345.99999.*', 7, '/255/4012345999990'],
  ['urn:epc:idpat:itip:4012345.012345.01.02.*', 7, '/8006/040123451234560102'],
  ['urn:epc:idpat:cpi:4012345.ABC.*', 7, '/8010/4012345ABC'],
];

describe('canonicalDigitalLink of EPC URNs', () => {
  it.each(INSTANCES)('%s (L=%i) is %s', (urn, _L, path) => {
    expect(canonicalDigitalLink(urn)).toBe(DL + path);
  });

  it.each(CLASSES)('class %s (L=%i) is %s', (urn, _L, path) => {
    expect(canonicalDigitalLink(urn)).toBe(DL + path);
  });

  it('maps a UPUI pattern to its GTIN, as the hash reference does', () => {
    expect(canonicalDigitalLink('urn:epc:idpat:upui:4012345.012345.*')).toBe(`${DL}/01/04012345123456`);
  });

  it('keeps dots inside serials, which the URN does not escape', () => {
    expect(canonicalDigitalLink('urn:epc:id:sgtin:0614141.812345.A.B.C')).toBe(`${DL}/01/80614141123458/21/A.B.C`);
    expect(canonicalDigitalLink('urn:epc:id:giai:0614141.12.34')).toBe(`${DL}/8004/061414112.34`);
  });
});

describe('canonicalDigitalLink of Digital Link URIs', () => {
  it.each([
    ['https://id.gs1.org/01/80614141123458/21/6789', '/01/80614141123458/21/6789'],
    // A serialised item is its GTIN and serial, as its SGTIN URN: a lot or variant beside the serial drops.
    ['https://example.com/01/12312312312326/22/ABC/10/DEF/21/GHI?95=INT', '/01/12312312312326/21/GHI'],
    ['https://id.gs1.org/01/09520123456788/10/ABC123/21/12345?17=251231', '/01/09520123456788/21/12345'],
    ['https://id.gs1.org/01/09520123456788/10/ABC123', '/01/09520123456788/10/ABC123'],
    ['http://example.com/some/path/00/106141412345678908/', '/00/106141412345678908'],
    ['https://id.gs1.org/01/02345673', '/01/00000002345673'],
    ['https://id.gs1.org/01/036000291452/21/1', '/01/00036000291452/21/1'],
    ['https://id.gs1.org/01/4006381333931', '/01/04006381333931'],
    ['https://id.gs1.org/01/80614141123458/21/A%2fB%25C', '/01/80614141123458/21/A%2FB%25C'],
    ["https://id.gs1.org/01/80614141123458/21/A'B", '/01/80614141123458/21/A%27B'],
    ['https://id.gs1.org/gtin/09780345418913', '/01/09780345418913'],
    ['https://example.com/gtin/09780345418913/21/765tz?abc=211121', '/01/09780345418913/21/765tz'],
    ['https://example.com/gln/4012345000054/glnx/5#top', '/414/4012345000054/254/5'],
    ['https://id.gs1.org/417/4000001000005', '/417/4000001000005'],
    ['https://id.gs1.org/8004/4000001111', '/8004/4000001111'],
    ['https://id.gs1.org/8003/04012345666663', '/8003/04012345666663'],
  ])('%s is %s', (uri, path) => {
    expect(canonicalDigitalLink(uri)).toBe(DL + path);
  });
});

describe('canonicalDigitalLink leaves other identifiers alone', () => {
  it.each([
    'urn:example:thing:1',
    'https://example.com/x',
    'https://example.com/',
    'http://transaction.acme.com/po/12345678',
    'urn:epcglobal:cbv:bt:5200001000008:4711',
    'geo:50.947573340894124,6.922120147375441',
    'http://www.w3.org/2000/01/rdf-schema#',
    'https://example.com/blog/01/intro',
    'urn:epc:id:gid:95100000.12345.400',
    'urn:epc:id:usdod:2S194.12345678901',
    'urn:epc:idpat:sgtin:4012345.*.*',
    'urn:epc:idpat:sscc:4012345.*',
    'urn:epc:tag:sgtin-96:3.0614141.812345.6789',
    'urn:epc:raw:96.x3074257BF7194E4000001A85',
    '',
  ])('%j is no GS1 form', (text) => {
    expect(canonicalDigitalLink(text)).toBeUndefined();
  });
});

describe('canonicalDigitalLink refuses malformed GS1 forms', () => {
  it.each([
    // wrong check digits
    ['https://id.gs1.org/01/09520123456789/21/1', 'csum'],
    ['https://id.gs1.org/00/106141412345678907', 'csum'],
    ['https://example.com/414/4012345000116', 'csum'],
    ['https://id.gs1.org/8018/401234500000067658', 'csum'],
    ['https://id.gs1.org/8003/04012345666664', 'csum'],
    ['https://id.gs1.org/402/40123452223334443', 'csum'],
    ['https://id.gs1.org/01/02345674', 'check digit'],
    // lengths
    ['https://id.gs1.org/01/095201234567888', 'length'],
    ['https://id.gs1.org/00/10614141234567890', 'length'],
    ['urn:epc:id:sgtin:0614141.81234.6789', 'must be 6 digits'],
    ['urn:epc:id:sscc:0614141.123456789', 'must be 10 digits'],
    ['urn:epc:id:sgln:0614141.1234.0', 'must be 5 digits'],
    ['urn:epc:id:sgtin:06141.41812345.1', 'company prefix'],
    ['urn:epc:id:gsin:4012345.22233344', 'must be 9 digits'],
    ['urn:epc:id:sgtin:0614141.812345.123456789012345678901', 'length'],
    // structure
    ['urn:epc:id:sgtin:0614141.812345', 'fields'],
    ['urn:epc:id:sgtin:0614141.812345.', 'serial is missing'],
    ['urn:epc:id:sscc:0614141.1234567890.1', 'fields'],
    ['urn:epc:id:sgln:0614141.12345', 'fields'],
    ['urn:epc:id:sgtin:0614141.812345.A/B', 'must escape'],
    ['urn:epc:id:sgtin:0614141.812345.A%2', 'must escape'],
    ['urn:epc:id:sgtin:0614141.812345.A%20B', 'charset'],
    ['urn:epc:id:cpi:4012345.ABC.0123', 'leading zeros'],
    ['urn:epc:id:cpi:4012345.abc.1', 'part reference'],
    ['urn:epc:id:sgcn:4012345.99999.A1', '1 to 12 digits'],
    ['urn:epc:idpat:sgtin:4012345.098765.5', '.*'],
    // unknown schemes and families
    ['urn:epc:id:xyz:4012345.1', 'not an EPC scheme'],
    ['urn:epc:class:sgtin:4012345.012345.1', 'not an EPC class scheme'],
    ['urn:epc:idpat:xyz:4012345.*', 'not an EPC pattern scheme'],
    ['urn:epc:foo:bar', 'expected urn:epc:id:'],
    ['urn:epc:id:sgtin', 'expected urn:epc:id:'],
    // Digital Link structure
    ['https://id.gs1.org/01/09520123456788/21/12345/10/ABC1', 'order'],
    ['https://id.gs1.org/01/09520123456788/17/251231', 'not a key qualifier'],
    ['https://id.gs1.org/414/4012345000054/21/1', 'not a key qualifier'],
    ['https://id.gs1.org/01/09520123456788/21/A%2', 'percent-encoding'],
    ['https://id.gs1.org/8003/14012345666663', 'zero'],
  ])('%s (%s)', (text, reason) => {
    const error = thrown(() => canonicalDigitalLink(text));
    expect(error.code).toBe('EPCIS_IDENTIFIER_INVALID');
    expect(error.details).toMatchObject({ value: text, kind: text.startsWith('urn:') ? 'EPC URN' : 'GS1 Digital Link URI' });
    expect(error.details['reason']).toEqual(expect.stringContaining(reason));
  });
});

describe('checkEpcisIdentifier', () => {
  const cases: readonly (readonly [string, EpcisIdentifierRole, boolean])[] = [
    ['urn:epc:id:sgtin:0614141.812345.6789', 'epc', true],
    ['urn:epc:id:sscc:4012345.0000000111', 'epc', true],
    ['urn:epc:id:grai:4012345.66666.87', 'epc', true],
    ['urn:epc:id:giai:4012345.ABC345', 'epc', true],
    ['urn:epc:id:gsrn:4012345.0000006765', 'epc', true],
    ['urn:epc:id:gsrnp:4012345.0000000007', 'epc', true],
    ['urn:epc:id:gdti:4012345.55555.98', 'epc', true],
    ['urn:epc:id:cpi:4012345.ABC.123', 'epc', true],
    ['urn:epc:id:sgcn:4012345.99999.44', 'epc', true],
    ['urn:epc:id:ginc:4012345.333', 'epc', true],
    ['urn:epc:id:gsin:4012345.222333444', 'epc', true],
    ['urn:epc:id:itip:4012345.011111.01.02.987', 'epc', true],
    ['urn:epc:id:upui:4012345.012345.AB12', 'epc', true],
    ['https://id.gs1.org/01/09520123456788/10/ABC123/21/12345', 'epc', true],
    ['urn:epc:class:lgtin:4012345.012345.Lot987', 'epc', false],
    ['urn:epc:idpat:grai:4012345.66666.*', 'epc', false],
    ['https://id.gs1.org/8003/04012345666663', 'epc', false],
    ['https://id.gs1.org/253/4012345555554', 'epc', false],
    ['urn:epc:id:sgln:4012345.00011.987', 'epc', true],
    ['urn:epc:id:pgln:4000001.00000', 'epc', true],
    ['https://id.gs1.org/01/04054739999148', 'epc', false],
    ['urn:epc:class:lgtin:4012345.012345.Lot987', 'class', true],
    ['urn:epc:idpat:sgtin:4054739.099914.*', 'class', true],
    ['https://id.gs1.org/01/04054739999148', 'class', true],
    ['urn:epc:idpat:itip:4012345.012345.01.02.*', 'class', true],
    ['urn:epc:idpat:cpi:4012345.ABC.*', 'class', true],
    ['urn:epc:id:sgtin:0614141.812345.6789', 'class', false],
    ['urn:epc:id:sscc:4012345.0000000111', 'class', false],
    ['urn:epc:id:sgln:4012345.00011.987', 'location', true],
    ['urn:epc:id:sgln:4012345.00011.0', 'location', true],
    ['https://id.gs1.org/414/4012345000115', 'location', true],
    ['urn:epc:id:pgln:4000001.00000', 'location', false],
    ['urn:epc:id:sscc:4012345.0000000111', 'location', false],
    ['urn:epc:id:pgln:4000001.00000', 'party', true],
    ['https://id.gs1.org/414/4012345000115', 'party', true],
    ['https://id.gs1.org/414/4012345000115/254/987', 'party', false],
    ['urn:epc:id:sgtin:0614141.812345.6789', 'party', false],
    ['urn:epc:id:gdti:4012345.55555.98', 'transaction', true],
    ['urn:epc:id:sscc:4012345.0000000111', 'transaction', true],
    ['https://id.gs1.org/415/4012345000115/8020/ABC', 'any', true],
    ['https://id.gs1.org/415/4012345000115/8020/ABC', 'epc', false],
  ];

  it.each(cases)('%s as %s: %s', (text, role, fits) => {
    const answer = checkEpcisIdentifier(text, role);
    expect(answer.canonical).toBe(canonicalDigitalLink(text));
    if (fits) {
      expect(answer.problem).toBeUndefined();
    } else {
      expect(answer.problem).toMatchObject({ code: 'EPCIS_IDENTIFIER_INVALID', severity: 'error', details: { value: text } });
      expect(answer.problem?.field).toBeUndefined();
    }
  });

  it('names the role it wanted and what it got', () => {
    const { problem } = checkEpcisIdentifier('urn:epc:id:sscc:4012345.0000000111', 'location');
    expect(problem?.details).toMatchObject({ kind: 'location' });
    expect(problem?.message).toBe(
      'Invalid location "urn:epc:id:sscc:4012345.0000000111": it names an instance EPC (AI 00), not a location (GLN, with or without extension)',
    );
  });

  it('names what an EPC may be when a class stands in its place', () => {
    expect(checkEpcisIdentifier('urn:epc:class:lgtin:4012345.012345.Lot987', 'epc').problem?.message).toBe(
      'Invalid EPC "urn:epc:class:lgtin:4012345.012345.Lot987": it names a class of objects (AI 01), not an EPC (an instance, a location or a party)',
    );
  });

  it('answers a malformed GS1 form with a problem instead of throwing', () => {
    const answer = checkEpcisIdentifier('urn:epc:id:sgtin:0614141.81234.6789', 'epc');
    expect(answer.canonical).toBeUndefined();
    expect(answer.problem).toMatchObject({ code: 'EPCIS_IDENTIFIER_INVALID', details: { kind: 'EPC URN', value: 'urn:epc:id:sgtin:0614141.81234.6789' } });
  });

  it('accepts other URIs in every role', () => {
    for (const role of ['epc', 'class', 'location', 'party', 'transaction', 'any'] as const) {
      expect(checkEpcisIdentifier('urn:example:thing:1', role)).toEqual({ canonical: undefined });
      expect(checkEpcisIdentifier('urn:epc:id:gid:95100000.12345.400', role)).toEqual({ canonical: undefined });
    }
  });
});

describe('digitalLinkToEpcUrn', () => {
  it.each([...INSTANCES, ...CLASSES.filter(([urn]) => !urn.startsWith('urn:epc:idpat:upui'))])('%s round-trips through its Digital Link with L=%i', (urn, L, path) => {
    expect(digitalLinkToEpcUrn(DL + path, L)).toBe(urn);
    expect(canonicalDigitalLink(digitalLinkToEpcUrn(DL + path, L) ?? '')).toBe(DL + path);
  });

  it('reads the same Digital Link with another company prefix length', () => {
    expect(digitalLinkToEpcUrn(`${DL}/01/09520123456788/21/12345`, 9)).toBe('urn:epc:id:sgtin:952012345.0678.12345');
    expect(digitalLinkToEpcUrn(`${DL}/00/106141412345678908`, 12)).toBe('urn:epc:id:sscc:061414123456.17890');
    expect(digitalLinkToEpcUrn(`${DL}/414/0614141123452`, 6)).toBe('urn:epc:id:sgln:061414.112345.0');
  });

  it('reads Digital Links on any host, with short names or query strings', () => {
    expect(digitalLinkToEpcUrn('https://example.com/gtin/09780345418913/ser/765tz?17=251231', 7)).toBe('urn:epc:id:sgtin:9780345.041891.765tz');
  });

  it('writes a serialised item with a lot as its SGTIN, the lot being no part of the identity', () => {
    expect(digitalLinkToEpcUrn(`${DL}/01/09520123456788/10/ABC123/21/12345`, 7)).toBe('urn:epc:id:sgtin:9520123.045678.12345');
  });

  it('escapes URN components', () => {
    expect(digitalLinkToEpcUrn(`${DL}/01/80614141123458/21/A%2FB%25C`, 7)).toBe('urn:epc:id:sgtin:0614141.812345.A%2FB%25C');
  });

  it.each([
    'https://id.gs1.org/01/09520123456788/22/ABC',
    'https://id.gs1.org/415/4012345000115/8020/ABC',
    'https://id.gs1.org/414/4012345000115/7040/1A2B',
    'https://id.gs1.org/8018/401234500000067657/8019/12',
    'https://id.gs1.org/8006/040123451111180102/10/L1',
    'https://example.com/x',
    'urn:epc:id:sgtin:0614141.812345.6789',
  ])('%s has no EPC URN form', (uri) => {
    expect(digitalLinkToEpcUrn(uri, 7)).toBeUndefined();
  });

  it('refuses a company prefix length outside 6 to 12, or one the key cannot hold', () => {
    expect(thrown(() => digitalLinkToEpcUrn(`${DL}/00/106141412345678908`, 5)).details).toMatchObject({ field: 'companyPrefixLength' });
    expect(thrown(() => digitalLinkToEpcUrn(`${DL}/00/106141412345678908`, 7.5)).code).toBe('VALUE_INVALID');
    expect(thrown(() => digitalLinkToEpcUrn(`${DL}/8004/4012345ABC345`, 9)).code).toBe('EPCIS_IDENTIFIER_INVALID');
    expect(thrown(() => digitalLinkToEpcUrn(`${DL}/8004/4012345`, 7)).code).toBe('EPCIS_IDENTIFIER_INVALID');
  });

  it('refuses a malformed Digital Link', () => {
    expect(thrown(() => digitalLinkToEpcUrn(`${DL}/01/09520123456789/21/1`, 7)).code).toBe('EPCIS_IDENTIFIER_INVALID');
  });
});

describe('properties', () => {
  const gtin = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 13, maxLength: 13 }).map((body) => completeKey(body));
  const serial = fc.string({ unit: fc.constantFrom(...GS1_CHARSETS.X), minLength: 1, maxLength: 20 });

  it('SGTIN: URN -> Digital Link -> URN with the same prefix length, for any GTIN and CSET 82 serial', () => {
    fc.assert(
      fc.property(gtin, fc.integer({ min: 6, max: 12 }), serial, (g, L, s) => {
        const urn = sgtinUrn(g, L, s);
        const link = canonicalDigitalLink(urn);
        expect(link).toBe(buildDigitalLink([{ ai: '01', value: g }, { ai: '21', value: s }]));
        expect(digitalLinkToEpcUrn(link ?? '', L)).toBe(urn);
      }),
    );
  });

  it('the canonical form is a fixed point', () => {
    fc.assert(
      fc.property(gtin, serial, (g, s) => {
        const link = buildDigitalLink([{ ai: '01', value: g }, { ai: '21', value: s }], { base: 'https://example.com/path' });
        const canonical = canonicalDigitalLink(link);
        expect(canonicalDigitalLink(canonical ?? '')).toBe(canonical);
      }),
    );
  });
});

describe('the EPCIS example documents', () => {
  const fixtures = fileURLToPath(new URL('../../epcis/test/fixtures/', import.meta.url));
  const files = (dir: string, ending: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = `${dir}/${name}`;
      return statSync(path).isDirectory() ? files(path, ending) : path.endsWith(ending) ? [path] : [];
    });
  const documents = [
    ...files(`${fixtures}epcis`, '.jsonld'),
    ...files(`${fixtures}epcis-openepcis/Capture/Documents`, '.json'),
    ...files(`${fixtures}epcis-hash`, '.jsonld'),
  ];

  /** Every identifier in the fields that hold EPCs, classes, locations, parties and transactions, with its role. */
  function identifiers(node: unknown, found: [string, EpcisIdentifierRole][] = []): [string, EpcisIdentifierRole][] {
    if (Array.isArray(node)) {
      for (const item of node) identifiers(item, found);
    } else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
        if (['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList'].includes(key) && Array.isArray(value)) {
          for (const epc of value) if (typeof epc === 'string') found.push([epc, 'epc']);
        } else if (key === 'parentID' && typeof value === 'string') found.push([value, 'epc']);
        else if (key === 'epcClass' && typeof value === 'string') found.push([value, 'class']);
        else if ((key === 'readPoint' || key === 'bizLocation') && typeof (value as { id?: unknown } | null)?.id === 'string') {
          found.push([(value as { id: string }).id, 'location']);
        } else if ((key === 'source' || key === 'destination') && typeof value === 'string') found.push([value, 'any']);
        else if (key === 'bizTransaction' && typeof value === 'string') found.push([value, 'transaction']);
        identifiers(value, found);
      }
    }
    return found;
  }

  /**
   * Two OpenEPCIS examples carry GRAIs that are not valid: a wrong check digit, and a value
   * without the leading zero (8003 starts with 0). Refusing them is right.
   */
  const KNOWN_BAD: ReadonlyMap<string, string> = new Map([
    ['https://id.example.com/8003/030013450007718765', 'csum'],
    ['https://id.example.com/8003/952012200000001004', 'zero'],
  ]);

  it('finds the documents', () => {
    expect(documents.length).toBeGreaterThan(100);
  });

  it('accepts every GS1 identifier in epcList, parentID, childEPCs, input/outputEPCList, epcClass, readPoint, bizLocation, source and destination', () => {
    let gs1 = 0;
    for (const file of documents) {
      for (const [id] of identifiers(JSON.parse(readFileSync(file, 'utf8')))) {
        const bad = KNOWN_BAD.get(id);
        if (bad !== undefined) {
          expect(thrown(() => canonicalDigitalLink(id)).details['reason']).toEqual(expect.stringContaining(bad));
          continue;
        }
        let canonical: string | undefined;
        expect(() => (canonical = canonicalDigitalLink(id)), `${id} in ${file}`).not.toThrow();
        if (canonical !== undefined) gs1++;
      }
    }
    expect(gs1).toBeGreaterThan(500);
  });

  /** The hash fixture for epcList normalisation puts classes in an epcList on purpose, to show they are converted too. */
  const CLASSES_IN_EPC_LIST: ReadonlySet<string> = new Set(['urn:epc:class:lgtin:4012345.012345.Lot987', 'https://id.gs1.org/gtin/09780345418913']);

  it('finds each identifier fit for the role its field gives it', () => {
    const misfits: string[] = [];
    for (const file of documents) {
      for (const [id, role] of identifiers(JSON.parse(readFileSync(file, 'utf8')))) {
        if (KNOWN_BAD.has(id) || (role === 'epc' && CLASSES_IN_EPC_LIST.has(id) && file.endsWith('epclist_normalisation.jsonld'))) continue;
        const { problem } = checkEpcisIdentifier(id, role);
        if (problem !== undefined) misfits.push(`${file.slice(fixtures.length)}: ${problem.message}`);
      }
    }
    expect(misfits).toEqual([]);
  });
});
