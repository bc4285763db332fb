import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildBracketed,
  buildDigitalLink,
  buildElementString,
  canonicalDigitalLink,
  completeKey,
  GS,
  GS1_CHARSETS,
  GS1_SYMBOLOGY_IDS,
  readScannedCode,
  sglnUrn,
  sgtinUrn,
  ssccUrn,
  type AiValue,
  type ScannedCode,
  type ScannedCodeOptions,
} from '@serialtrace/core';
import { thrown } from './helpers.js';

const DL = 'https://id.gs1.org';
const GTIN = '09506000134352';
/** GS1 company prefix 9506000 (7 digits) for every key below. */
const L = 7;
const SSCC = completeKey('09506000000000001', 'SSCC'); // 095060000000000015
const GLN = completeKey('950600012345', 'GLN'); // 9506000123455
const GRAI = `0${completeKey('950600099999', 'GLN')}`; // '0' + GRAI-13 9506000999999

/** The gs1 reading of `code`; fails the test when it reads as anything else. */
function gs1(code: string, options?: ScannedCodeOptions): Extract<ScannedCode, { kind: 'gs1' }> {
  const read = readScannedCode(code, options);
  if (read.kind !== 'gs1') throw new Error(`expected GS1, got ${JSON.stringify(read)}`);
  return read;
}

/** One unit in every notation: [what, code, notation]. */
type Notations = readonly (readonly [string, string, 'elementString' | 'bracketed' | 'digitalLink' | 'epcUrn'])[];

const SGTIN_WITH_LOT: Notations = [
  ['element string', `01${GTIN}1727033110LOT1${GS}21ABC`, 'elementString'],
  ['element string, ]d2 and CR LF', `]d201${GTIN}1727033110LOT1${GS}21ABC\r\n`, 'elementString'],
  ['element string, serial before lot', `01${GTIN}17270331${GS}21ABC${GS}10LOT1`, 'elementString'],
  ['bracketed', `(01)${GTIN}(17)270331(10)LOT1(21)ABC`, 'bracketed'],
  ['bracketed as a label prints it', `(01) ${GTIN} (17) 270331 (10) LOT1 (21) ABC`, 'bracketed'],
  ['Digital Link, lot in the path', `${DL}/01/${GTIN}/10/LOT1/21/ABC?17=270331`, 'digitalLink'],
  ['Digital Link on another host, lot in the query', `https://brand.example.com/p/01/${GTIN}/21/ABC?17=270331&10=LOT1&linkType=all`, 'digitalLink'],
  ['EPC URN', 'urn:epc:id:sgtin:9506000.013435.ABC', 'epcUrn'],
];

describe('every notation of one unit reads to one identifier', () => {
  it.each(SGTIN_WITH_LOT)('SGTIN with lot and expiry: %s', (_, code, notation) => {
    const read = gs1(code);
    expect(read.notation).toBe(notation);
    expect(read.identifier).toBe(`${DL}/01/${GTIN}/21/ABC`);
    expect(read.identifier).toBe(canonicalDigitalLink(sgtinUrn(GTIN, L, 'ABC')));
    expect(read.instance).toBe(true);
    expect(read.gtin).toBe(GTIN);
    expect(read.serial).toBe('ABC');
    expect(read.sscc).toBeUndefined();
    if (notation === 'epcUrn') {
      // The URN names the unit only; lot and expiry are not part of it.
      expect(read.lot).toBeUndefined();
      expect(read.ais).toEqual([{ ai: '01', value: GTIN }, { ai: '21', value: 'ABC' }]);
    } else {
      expect(read.lot).toBe('LOT1');
      expect(read.expiry).toBe('2027-03-31');
      expect([...read.ais].sort((a, b) => a.ai.localeCompare(b.ai))).toEqual([
        { ai: '01', value: GTIN },
        { ai: '10', value: 'LOT1' },
        { ai: '17', value: '270331' },
        { ai: '21', value: 'ABC' },
      ]);
    }
  });

  it('keeps the AIs in the order the code gives them', () => {
    expect(gs1(`01${GTIN}17270331${GS}21ABC${GS}10LOT1`).ais.map((a) => a.ai)).toEqual(['01', '17', '21', '10']);
    expect(gs1(`${DL}/01/${GTIN}/21/ABC?17=270331&10=LOT1`).ais.map((a) => a.ai)).toEqual(['01', '21', '17', '10']);
  });

  const SSCC_FORMS: Notations = [
    ['digits only', `00${SSCC}`, 'elementString'],
    ['GS1-128 ]C1 and LF', `]C100${SSCC}\n`, 'elementString'],
    ['with a content GTIN and count', `00${SSCC}02${GTIN}3724`, 'elementString'],
    ['bracketed', `(00)${SSCC}`, 'bracketed'],
    ['Digital Link', `https://example.com/00/${SSCC}`, 'digitalLink'],
    ['EPC URN', ssccUrn(SSCC, L), 'epcUrn'],
  ];
  it.each(SSCC_FORMS)('SSCC: %s', (_, code, notation) => {
    const read = gs1(code);
    expect(read).toMatchObject({ notation, identifier: `${DL}/00/${SSCC}`, instance: true, sscc: SSCC });
    expect(read.identifier).toBe(canonicalDigitalLink(ssccUrn(SSCC, L)));
  });

  const SGLN_FORMS: Notations = [
    ['element string ]d2', `]d2414${GLN}254400`, 'elementString'],
    ['bracketed', `(414)${GLN}(254)400`, 'bracketed'],
    ['Digital Link', `${DL}/414/${GLN}/254/400`, 'digitalLink'],
    ['EPC URN', 'urn:epc:id:sgln:9506000.12345.400', 'epcUrn'],
  ];
  it.each(SGLN_FORMS)('SGLN: %s', (_, code, notation) => {
    const read = gs1(code);
    expect(read).toMatchObject({ notation, identifier: `${DL}/414/${GLN}/254/400`, instance: true });
    expect(read.identifier).toBe(canonicalDigitalLink(sglnUrn(GLN, L, '400')));
  });

  const GRAI_FORMS: Notations = [
    ['element string ]d2', `]d28003${GRAI}X7`, 'elementString'],
    ['element string, digits first, no symbology identifier', `8003${GRAI}X7`, 'elementString'],
    ['bracketed', `(8003)${GRAI}X7`, 'bracketed'],
    ['Digital Link', `${DL}/8003/${GRAI}X7`, 'digitalLink'],
    ['EPC URN', 'urn:epc:id:grai:9506000.99999.X7', 'epcUrn'],
  ];
  it.each(GRAI_FORMS)('GRAI with serial: %s', (_, code, notation) => {
    const read = gs1(code);
    expect(read).toMatchObject({ notation, identifier: `${DL}/8003/${GRAI}X7`, instance: true });
    expect(read.identifier).toBe(canonicalDigitalLink('urn:epc:id:grai:9506000.99999.X7'));
  });

  it('classes: a GTIN alone, a GTIN with a lot, a GRAI without serial', () => {
    for (const code of [`01${GTIN}`, `(01)${GTIN}`, `${DL}/01/${GTIN}`, 'urn:epc:idpat:sgtin:9506000.013435.*', `https://example.com/gtin/${GTIN.slice(1)}`]) {
      expect(gs1(code)).toMatchObject({ identifier: `${DL}/01/${GTIN}`, instance: false, gtin: GTIN });
    }
    for (const code of [`01${GTIN}10LOT1`, `(01)${GTIN}(17)270331(10)LOT1`, `${DL}/01/${GTIN}/10/LOT1`, `${DL}/01/${GTIN}?10=LOT1`, 'urn:epc:class:lgtin:9506000.013435.LOT1']) {
      expect(gs1(code)).toMatchObject({ identifier: `${DL}/01/${GTIN}/10/LOT1`, instance: false, lot: 'LOT1' });
    }
    expect(gs1(`(8003)${GRAI}`)).toMatchObject({ identifier: `${DL}/8003/${GRAI}`, instance: false });
  });

  it('a GLN alone and a GIAI name one thing', () => {
    expect(gs1(`414${GLN}`)).toMatchObject({ identifier: `${DL}/414/${GLN}`, instance: true });
    expect(gs1('urn:epc:id:sgln:9506000.12345.0')).toMatchObject({ identifier: `${DL}/414/${GLN}`, instance: true });
    expect(gs1(`]d280049506000A-17`)).toMatchObject({ identifier: `${DL}/8004/9506000A-17`, instance: true });
    expect(gs1('urn:epc:id:giai:9506000.A-17').identifier).toBe(`${DL}/8004/9506000A-17`);
  });

  it('the identifier is canonical: canonicalDigitalLink leaves it as it is', () => {
    for (const [, code] of [...SGTIN_WITH_LOT, ...SSCC_FORMS, ...SGLN_FORMS, ...GRAI_FORMS]) {
      const { identifier } = gs1(code);
      expect(canonicalDigitalLink(identifier)).toBe(identifier);
    }
  });
});

describe('scanner output', () => {
  it.each(GS1_SYMBOLOGY_IDS)('GS1 symbology identifier %s', (id) => {
    expect(gs1(`${id}01${GTIN}10LOT1${GS}21ABC`)).toMatchObject({ notation: 'elementString', identifier: `${DL}/01/${GTIN}/21/ABC`, lot: 'LOT1' });
  });

  it('drops any other symbology identifier and reads what follows: a plain QR code carries a Digital Link', () => {
    expect(gs1(`]Q1${DL}/01/${GTIN}/21/ABC`)).toMatchObject({ notation: 'digitalLink', identifier: `${DL}/01/${GTIN}/21/ABC` });
    expect(readScannedCode(']C0SN-1002\r')).toEqual({ kind: 'text', text: 'SN-1002' });
    expect(readScannedCode(']A0 ABC')).toEqual({ kind: 'text', text: 'ABC' });
  });

  it('reads GS as ASCII 29 and as the configured character, with FNC1 first or a GS last', () => {
    const expected = { identifier: `${DL}/01/${GTIN}/21/ABC`, lot: 'LOT1', serial: 'ABC' };
    expect(gs1(`01${GTIN}10LOT1${GS}21ABC`)).toMatchObject(expected);
    expect(gs1(`01${GTIN}10LOT1~21ABC`, { gs: '~' })).toMatchObject(expected);
    expect(gs1(`]d201${GTIN}10LOT1|21ABC`, { gs: '|' })).toMatchObject(expected);
    expect(gs1(`~01${GTIN}10LOT1~21ABC~`, { gs: '~' })).toMatchObject(expected);
    expect(gs1(`${GS}01${GTIN}10LOT1${GS}21ABC${GS}\r\n`)).toMatchObject(expected);
    // ASCII 29 is understood whatever character is configured.
    expect(gs1(`01${GTIN}10LOT1${GS}21ABC`, { gs: '~' })).toMatchObject(expected);
    expect(gs1(`01${GTIN}10LOT1{GS}21ABC`, { gs: '{GS}' })).toMatchObject(expected);
  });

  it('strips surrounding whitespace: CR, LF, TAB, spaces', () => {
    for (const suffix of ['\r\n', '\n', '\r', '\t', '  ']) {
      expect(gs1(`01${GTIN}21ABC${suffix}`).identifier).toBe(`${DL}/01/${GTIN}/21/ABC`);
      expect(gs1(` ${DL}/01/${GTIN}/21/ABC${suffix}`).identifier).toBe(`${DL}/01/${GTIN}/21/ABC`);
      expect(readScannedCode(` A-1002${suffix}`)).toEqual({ kind: 'text', text: 'A-1002' });
    }
  });

  it('reads an element string that starts with an attribute before its key', () => {
    expect(gs1(`1727033101${GTIN}21ABC`)).toMatchObject({ identifier: `${DL}/01/${GTIN}/21/ABC`, expiry: '2027-03-31' });
  });

  it('the configured separator must be a character GS1 data cannot hold', () => {
    for (const gs of ['', 'A', '1', '-', '<GS>']) {
      const error = thrown(() => readScannedCode('12345', { gs }));
      expect(error.code).toBe('VALUE_INVALID');
      expect(error.details.field).toBe('gs');
    }
    expect(readScannedCode('12345', { gs: GS })).toEqual({ kind: 'text', text: '12345' });
  });
});

describe('expiry (17)', () => {
  it.each([
    ['270331', '2027-03-31'],
    ['270300', '2027-03-31'],
    ['270400', '2027-04-30'],
    ['280200', '2028-02-29'],
    ['270200', '2027-02-28'],
    ['251215', '2025-12-15'],
    // Two-digit years are 2000-2099, as the (17) date check takes them; core reads no clock for GS1's sliding window.
    ['991231', '2099-12-31'],
  ])('%s -> %s', (yymmdd, date) => {
    expect(gs1(`(01)${GTIN}(17)${yymmdd}(21)ABC`).expiry).toBe(date);
    expect(gs1(`${DL}/01/${GTIN}/21/ABC?17=${yymmdd}`).expiry).toBe(date);
  });
});

describe('bare serials and other URIs', () => {
  it.each([
    'ABC123',
    '12345',
    '000123',
    '0',
    'A-1002-X',
    '2025-0001',
    'SN:12',
    '12:30',
    'lot 7 unit 3',
    // Digits that begin like an AI but are no GS1 data: (21) serial without its GTIN, a GTIN cut short, (10) alone.
    '2112345',
    '0112345',
    '10LOT1',
    // A GTIN without its AI, and keys without a check digit, cannot be told from serials without a symbology identifier.
    GTIN,
    '80049506000A17',
    '4019506000X',
    // Starts with a letter: the configured separator is then just a character of the serial.
    'AB~CD',
    '(A)12',
  ])('%j is text', (code) => {
    expect(readScannedCode(code, { gs: '~' })).toEqual({ kind: 'text', text: code });
  });

  it.each([
    'urn:uuid:6f1e0f3a-2b7c-4c1e-9d8e-0a1b2c3d4e5f',
    'https://example.com/item/7',
    'http://example.com/2000/01/rdf-schema',
    'https://example.com/01/ABC',
    'urn:epc:tag:sgtin-96:3.9506000.013435.1',
    'urn:epc:id:gid:95100000.12345.400',
    'URN:EPC:ID:SGTIN:9506000.013435.ABC',
    'ftp://files.example.com/a',
  ])('%s is a URI, kept as written', (code) => {
    expect(readScannedCode(` ${code}\r\n`)).toEqual({ kind: 'uri', identifier: code });
  });

  it('refuses an empty code', () => {
    for (const code of ['', '  \r\n', ']C0', ']C0  ']) expect(thrown(() => readScannedCode(code)).code).toBe('VALUE_INVALID');
  });
});

describe('malformed GS1 is refused, not taken for a serial', () => {
  const BAD_GTIN = `${GTIN.slice(0, 13)}3`;
  it.each([
    ['wrong GTIN check digit, digits only', `01${BAD_GTIN}`, 'GS1_AI_VALUE_INVALID', 'csum'],
    ['wrong GTIN check digit, with a serial', `01${BAD_GTIN}21ABC`, 'GS1_AI_VALUE_INVALID', 'csum'],
    ['wrong GTIN check digit, ]d2', `]d201${BAD_GTIN}21ABC`, 'GS1_AI_VALUE_INVALID', 'csum'],
    ['wrong GTIN check digit, bracketed', `(01)${BAD_GTIN}(21)ABC`, 'GS1_AI_VALUE_INVALID', 'csum'],
    ['wrong SSCC check digit', '00095060000000000017', 'GS1_AI_VALUE_INVALID', 'csum'],
    ['wrong GLN check digit', `414${GLN.slice(0, 12)}0`, 'GS1_AI_VALUE_INVALID', 'csum'],
    ['GTIN one digit short, bracketed', `(01)${GTIN.slice(1)}(21)ABC`, 'GS1_AI_VALUE_INVALID', 'length'],
    ['GTIN one digit short, ]d2', `]d201${GTIN.slice(1)}`, 'GS1_AI_VALUE_INVALID', 'length'],
    ['GTIN one digit short, with GS', `01${GTIN.slice(1)}${GS}21ABC`, 'GS1_AI_VALUE_INVALID', 'charset'],
    ['no such day', `(01)${GTIN}(17)270231(21)ABC`, 'GS1_AI_VALUE_INVALID', 'yymmd0'],
    ['serial longer than 20', `(01)${GTIN}(21)${'A'.repeat(21)}`, 'GS1_AI_VALUE_INVALID', 'length'],
    ['a serial without its GTIN', ']d221ABC', 'GS1_AI_REQUIRED_MISSING', undefined],
    ['no key at all', '(99)ABC', 'GS1_AI_REQUIRED_MISSING', 'key'],
    ['a TPX without its GTIN', ']d2235ABC', 'GS1_AI_REQUIRED_MISSING', 'req'],
    ['unknown AI', ']d205123', 'GS1_AI_UNKNOWN', undefined],
    // The lot runs on to the end and holds the '~', which is no GS1 character.
    ['a separator that is not configured', `01${GTIN}10LOT1~21ABC`, 'GS1_AI_VALUE_INVALID', 'charset'],
    ['a separator that is not configured, after a fixed-length key', `01${GTIN}~21ABC`, 'GS1_SYNTAX_INVALID', undefined],
    ['GS in text that is no element string', `ABC${GS}DEF`, 'GS1_SYNTAX_INVALID', undefined],
    ['symbology identifier and nothing else', ']d2', 'GS1_SYNTAX_INVALID', undefined],
    ['bracket without a value', `(01)${GTIN}(21)`, 'GS1_AI_VALUE_INVALID', 'length'],
    ['a GIAI that does not start with a company prefix', ']d28004ABC', 'GS1_AI_VALUE_INVALID', 'gcppos1'],
    ['a bad data attribute in a Digital Link query', `${DL}/01/${GTIN}/21/ABC?17=271399`, 'GS1_AI_VALUE_INVALID', 'yymmd0'],
    ['a serial as a Digital Link query parameter', `${DL}/01/${GTIN}?21=ABC`, 'GS1_DIGITAL_LINK_INVALID', 'data attribute'],
  ])('%s: %j', (_, code, errorCode, rule) => {
    const error = thrown(() => readScannedCode(code, { gs: '|' }));
    expect(error.code).toBe(errorCode);
    if (rule !== undefined) expect(error.details.rule).toBe(rule);
  });

  it.each([
    ['Digital Link with a wrong check digit', `${DL}/01/${BAD_GTIN}/21/ABC`, 'GS1_AI_VALUE_INVALID'],
    ['Digital Link with qualifiers out of order', `${DL}/01/${GTIN}/21/ABC/10/LOT1`, 'GS1_DIGITAL_LINK_INVALID'],
    ['SGTIN URN with a short item reference', 'urn:epc:id:sgtin:9506000.01343.ABC', undefined],
    ['SGTIN URN without serial', 'urn:epc:id:sgtin:9506000.013435', undefined],
    ['SSCC URN with a letter', 'urn:epc:id:sscc:9506000.000000000A', undefined],
    ['unknown EPC scheme', 'urn:epc:id:sgtinx:9506000.013435.ABC', undefined],
  ])('%s is refused as EPCIS capture refuses it: %s', (_, code, cause) => {
    const error = thrown(() => readScannedCode(code));
    expect(error.code).toBe('EPCIS_IDENTIFIER_INVALID');
    if (cause !== undefined) expect(error.details.cause).toBe(cause);
    expect(thrown(() => canonicalDigitalLink(code)).message).toBe(error.message);
  });
});

describe('properties', () => {
  const digits = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: length, maxLength: length });
  const gtin = digits(13).map((body) => completeKey(body));
  const cset82 = fc.string({ unit: fc.constantFrom(...GS1_CHARSETS.X), minLength: 1, maxLength: 20 });
  const symbology = fc.constantFrom('', ...GS1_SYMBOLOGY_IDS);

  it('element string, bracketed, Digital Link and EPC URN of a GTIN, serial and lot read to one identifier', () => {
    fc.assert(
      fc.property(gtin, cset82, cset82, fc.integer({ min: 6, max: 12 }), symbology, (g, serial, lot, prefixLength, id) => {
        const ais: AiValue[] = [
          { ai: '01', value: g },
          { ai: '10', value: lot },
          { ai: '21', value: serial },
        ];
        const urn = sgtinUrn(g, prefixLength, serial);
        const identifier = buildDigitalLink([ais[0]!, ais[2]!]);
        expect(canonicalDigitalLink(urn)).toBe(identifier);
        const elementString = buildElementString(ais, id === '' ? {} : { symbology: id });
        const forms = [
          gs1(`${elementString}\r\n`),
          gs1(elementString.replaceAll(GS, '~'), { gs: '~' }),
          gs1(buildBracketed(ais)),
          gs1(buildDigitalLink(ais, { base: 'https://example.com' })),
          gs1(`${buildDigitalLink([ais[0]!, ais[2]!])}?10=${encodeURIComponent(lot)}`),
        ];
        for (const read of forms) {
          expect(read).toMatchObject({ kind: 'gs1', identifier, instance: true, gtin: g, serial, lot });
          expect(read.ais).toHaveLength(3);
        }
        expect(gs1(urn)).toMatchObject({ notation: 'epcUrn', identifier, instance: true, gtin: g, serial });
      }),
    );
  });

  it('a GTIN with a lot only reads to the LGTIN class in every notation', () => {
    fc.assert(
      fc.property(gtin, cset82, fc.integer({ min: 6, max: 12 }), (g, lot, prefixLength) => {
        const ais: AiValue[] = [
          { ai: '01', value: g },
          { ai: '10', value: lot },
        ];
        const identifier = buildDigitalLink(ais);
        for (const code of [buildElementString(ais), buildBracketed(ais), identifier, `https://id.gs1.org/01/${g}/10/${encodeURIComponent(lot)}`]) {
          expect(gs1(code)).toMatchObject({ identifier, instance: false, gtin: g, lot });
        }
        const urn = `urn:epc:class:lgtin:${g.slice(1, 1 + prefixLength)}.${g[0]}${g.slice(1 + prefixLength, 13)}.${escapeLot(lot)}`;
        expect(gs1(urn)).toMatchObject({ identifier, instance: false, lot });
      }),
    );
  });

  it('numeric serials of up to 14 digits, and serials that start with a letter, are text', () => {
    const numeric = fc.integer({ min: 1, max: 14 }).chain((length) => digits(length));
    const lettered = fc
      .tuple(fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'), fc.string({ unit: fc.constantFrom(...'ABCXYZ0123456789-./'), maxLength: 20 }))
      .map(([first, rest]) => first + rest);
    fc.assert(
      fc.property(fc.oneof(numeric, lettered), (serial) => {
        expect(readScannedCode(`${serial}\r\n`, { gs: '~' })).toEqual({ kind: 'text', text: serial });
      }),
    );
  });

  it('a GTIN with a wrong check digit is refused in every notation', () => {
    fc.assert(
      fc.property(gtin, fc.integer({ min: 1, max: 9 }), cset82, (g, shift, serial) => {
        const bad = g.slice(0, 13) + String((Number(g[13]) + shift) % 10);
        const escaped = encodeURIComponent(serial).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
        expect(thrown(() => readScannedCode(`01${bad}`)).code).toBe('GS1_AI_VALUE_INVALID');
        expect(thrown(() => readScannedCode(`01${bad}21${serial}`)).code).toBe('GS1_AI_VALUE_INVALID');
        expect(thrown(() => readScannedCode(`(01)${bad}(21)${serial.replaceAll('(', '\\(')}`)).code).toBe('GS1_AI_VALUE_INVALID');
        expect(thrown(() => readScannedCode(`${DL}/01/${bad}/21/${escaped}`)).code).toBe('EPCIS_IDENTIFIER_INVALID');
      }),
    );
  });
});

describe('the documented examples', () => {
  it('reads them as the doc comments say', () => {
    expect(readScannedCode(']d201095060001343521727033110LOT1\u001d21ABC\r\n')).toMatchObject({ identifier: `${DL}/01/${GTIN}/21/ABC` });
    expect(readScannedCode('urn:epc:id:sscc:9506000.0000000001')).toMatchObject({ identifier: `${DL}/00/095060000000000015` });
    expect(readScannedCode(' 12345 ')).toEqual({ kind: 'text', text: '12345' });
    expect(readScannedCode('0109506000134352~21ABC', { gs: '~' })).toMatchObject({ identifier: `${DL}/01/${GTIN}/21/ABC` });
  });
});

/** A lot as the LGTIN URN escapes it (EPC Tag Data Standard). */
function escapeLot(lot: string): string {
  return lot.replace(/[^A-Za-z0-9!'()*+,\-.:;=_]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
