import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildBracketed,
  buildElementString,
  checkAis,
  completeKey,
  GS1_CHARSETS,
  GS1_SYMBOLOGY_IDS,
  parseBracketed,
  parseElementString,
  type AiValue,
} from '@serialtrace/core';
import { thrown } from './helpers.js';

/** Section B of the conformance vectors: bracketed form and element string, `<GS>` standing for ASCII 29. */
const CONVERSIONS: readonly (readonly [string, string])[] = [
  ['(01)09520123456788(17)251231(10)ABC123(21)12345', '01095201234567881725123110ABC123<GS>2112345'],
  ['(01)09520123456788(10)ABC123(21)12345(17)251231', '010952012345678810ABC123<GS>2112345<GS>17251231'],
  ['(01)12345678901231(10)12345', '01123456789012311012345'],
  ['(10)12345(11)991225', '1012345<GS>11991225'],
  ['(3900)12345(11)991225', '390012345<GS>11991225'],
  ['(01)09520123456788(3103)000195(3922)0299(17)201225', '0109520123456788310300019539220299<GS>17201225'],
  ['(00)106141412345678908', '00106141412345678908'],
  ['(00)106141412345678908(02)10614141073464(37)24', '0010614141234567890802106141410734643724'],
  ['(00)106141412345678908(400)PO-4711(414)0614141000012', '00106141412345678908400PO-4711<GS>4140614141000012'],
  ['(01)80614141123458(21)6789', '0180614141123458216789'],
  ['(01)00350242040624(17)271130(10)LOT-1(21)SN001', '01003502420406241727113010LOT-1<GS>21SN001'],
  ['(01)04006381333931(11)250115(17)301100(10)L1(21)A1b2C3', '0104006381333931112501151730110010L1<GS>21A1b2C3'],
];

const gs = (text: string) => text.replaceAll('<GS>', '\u001d');
// Two vectors are conversions of one barcode's data whose partners (01, 255, 8020) are elsewhere.
const convert = { associations: false } as const;

describe('bracketed form and element string (vectors section B)', () => {
  it.each(CONVERSIONS)('%s <-> %s', (bracketed, elementString) => {
    const ais = parseBracketed(bracketed, convert);
    expect(buildElementString(ais, convert)).toBe(gs(elementString));
    expect(parseElementString(gs(elementString), convert).ais).toEqual(ais);
    expect(buildBracketed(ais, convert)).toBe(bracketed);
  });

  it('reads the AIs and values of the bracketed form', () => {
    expect(parseBracketed('(01)09520123456788(17)251231(10)ABC123(21)12345')).toEqual([
      { ai: '01', value: '09520123456788' },
      { ai: '17', value: '251231' },
      { ai: '10', value: 'ABC123' },
      { ai: '21', value: '12345' },
    ]);
  });

  it.each(GS1_SYMBOLOGY_IDS)('recognises the symbology identifier %s in front of an element string', (id) => {
    const { symbology, ais } = parseElementString(`${id}0180614141123458216789`);
    expect(symbology).toBe(id);
    expect(ais).toEqual([{ ai: '01', value: '80614141123458' }, { ai: '21', value: '6789' }]);
    expect(buildElementString(ais, { symbology: id })).toBe(`${id}0180614141123458216789`);
  });

  it('reads a GS1 DataMatrix scan with a separator (gs1-syntax-engine vector)', () => {
    expect(parseElementString(gs(']d2011231231231233310ABC123<GS>99TESTING'))).toEqual({
      symbology: ']d2',
      ais: [
        { ai: '01', value: '12312312312333' },
        { ai: '10', value: 'ABC123' },
        { ai: '99', value: 'TESTING' },
      ],
    });
  });

  it('refuses a symbology identifier of non-GS1 data', () => {
    const error = thrown(() => parseElementString(']d1011231231231233310ABC'));
    expect(error.code).toBe('GS1_SYNTAX_INVALID');
  });

  it('names an unknown AI in an element string and in the bracketed form', () => {
    expect(thrown(() => parseElementString('0480614141123458')).details).toMatchObject({ ai: '0480' });
    const error = thrown(() => parseBracketed('(01)80614141123458(04)12'));
    expect(error.code).toBe('GS1_AI_UNKNOWN');
    expect(error.details).toMatchObject({ ai: '04' });
  });

  it('refuses malformed bracketed text with its position', () => {
    for (const text of ['', '01)123', '(1)23', '(01']) {
      expect(thrown(() => parseBracketed(text)).code, text).toBe('GS1_SYNTAX_INVALID');
    }
    expect(thrown(() => parseBracketed('(01)80614141123458x(21)1')).code).toBe('GS1_AI_VALUE_INVALID');
  });

  it('keeps parentheses inside values by escaping "(" in the bracketed form', () => {
    const ais = [{ ai: '01', value: '80614141123458' }, { ai: '21', value: 'A(B)C' }];
    expect(buildBracketed(ais)).toBe('(01)80614141123458(21)A\\(B)C');
    expect(parseBracketed('(01)80614141123458(21)A\\(B)C')).toEqual(ais);
  });

  it('round-trips any GTIN with serial, lot and expiry through both forms', () => {
    const cset82 = fc.string({ unit: fc.constantFrom(...GS1_CHARSETS.X), minLength: 1, maxLength: 20 });
    const gtin = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 13, maxLength: 13 }).map((body) => completeKey(body));
    const date = fc.tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 28 }));
    const message = fc.tuple(gtin, cset82, cset82, date).chain(([g, lot, serial, [y, m, d]]) => {
      const expiry = [y, m, d].map((n) => String(n).padStart(2, '0')).join('');
      const ais: AiValue[] = [
        { ai: '01', value: g },
        { ai: '17', value: expiry },
        { ai: '10', value: lot },
        { ai: '21', value: serial },
      ];
      return fc.shuffledSubarray(ais.slice(1), { minLength: 0 }).map((rest) => [ais[0]!, ...rest]);
    });
    fc.assert(
      fc.property(message, (ais) => {
        expect(parseElementString(buildElementString(ais)).ais).toEqual(ais);
        expect(parseBracketed(buildBracketed(ais))).toEqual(ais);
      }),
    );
  });
});

/** Section C of the conformance vectors: bracketed input and the expected problems (none when valid). */
const VALIDATION: readonly (readonly [string, readonly Record<string, unknown>[]])[] = [
  ['(01)09520123456788(17)251231(10)ABC123(21)12345', []],
  ['(01)09520123456789(17)251231(10)ABC123(21)12345', [{ code: 'GS1_AI_VALUE_INVALID', ai: '01', rule: 'csum' }]],
  ['(00)106141412345678907', [{ code: 'GS1_AI_VALUE_INVALID', ai: '00', rule: 'csum' }]],
  ['(01)09520123456788(21)ABC DEF', [{ code: 'GS1_AI_VALUE_INVALID', ai: '21', rule: 'charset' }]],
  ['(01)09520123456788(21)123456789012345678901', [{ code: 'GS1_AI_VALUE_INVALID', ai: '21', rule: 'length' }]],
  ['(01)09520123456788(17)251300', [{ code: 'GS1_AI_VALUE_INVALID', ai: '17', rule: 'yymmd0' }]],
  ['(01)09520123456788(17)251200', []],
  ['(21)12345', [{ code: 'GS1_AI_REQUIRED_MISSING', ai: '21', rule: 'req', required: '(01) or (03) or (8006)' }]],
  ['(01)80614141123458(21)AB/CD', []],
];

describe('validation of AI values (vectors section C)', () => {
  it.each(VALIDATION)('%s', (bracketed, expected) => {
    if (expected.length === 0) {
      expect(() => parseBracketed(bracketed)).not.toThrow();
      return;
    }
    const error = thrown(() => parseBracketed(bracketed));
    expect(error.problems.map((p) => ({ code: p.code, ...p.details }))).toEqual(expected.map((e) => expect.objectContaining(e)));
  });

  it('names the AI and the rule in the message', () => {
    expect(thrown(() => parseBracketed('(01)09520123456789')).message).toBe(
      'The value "09520123456789" of AI (01) breaks the rule csum: the check digit should be 8',
    );
    expect(thrown(() => parseBracketed('(01)09520123456788(21)ABC DEF')).message).toContain('" " at position 3 is not in GS1 CSET 82');
    expect(thrown(() => parseBracketed('(01)09520123456788(21)123456789012345678901')).message).toContain('21 characters; expected 1 to 20');
    expect(thrown(() => parseBracketed('(01)09520123456788(17)251300')).message).toContain('month 13 does not exist');
  });

  it('reports every problem at once', () => {
    const error = thrown(() => parseBracketed('(01)09520123456789(17)250230(21)A B(10)' + 'L'.repeat(21)));
    expect(error.problems.map((p) => [p.details?.['ai'], p.details?.['rule']])).toEqual([
      ['01', 'csum'],
      ['17', 'yymmd0'],
      ['21', 'charset'],
      ['10', 'length'],
    ]);
    expect(error.message).toContain('(and 3 more problems)');
  });

  it('checks dates, times and other syntax tests of the dictionary', () => {
    const rules = (ais: AiValue[]) => checkAis(ais, { associations: false }).map((p) => p.details?.['rule']);
    expect(rules([{ ai: '17', value: '240229' }])).toEqual([]);
    expect(rules([{ ai: '17', value: '250229' }])).toEqual(['yymmd0']);
    expect(rules([{ ai: '7006', value: '250100' }])).toEqual(['yymmdd']);
    expect(rules([{ ai: '7003', value: '2501012460' }])).toEqual(['hhmi']);
    expect(rules([{ ai: '7250', value: '20251301' }])).toEqual(['yyyymmdd']);
    expect(rules([{ ai: '8003', value: '10614141000125' }])).toEqual(['zero', 'csum']);
    expect(rules([{ ai: '8006', value: '106141410734640302' }])).toEqual(['pieceoftotal']);
    expect(rules([{ ai: '3103', value: '00019' }])).toEqual(['length']);
    expect(rules([{ ai: '8010', value: 'ABC-12/#' }])).toEqual([]);
    expect(rules([{ ai: '8010', value: 'abc' }])).toEqual(['charset']);
  });

  it('refuses an AI repeated with another value, and accepts a plain repeat', () => {
    const gtin = { ai: '01', value: '09520123456788' };
    const problems = checkAis([gtin, { ai: '21', value: 'A' }, { ai: '21', value: 'B' }]);
    expect(problems.map((p) => [p.code, p.details?.['ai']])).toEqual([['GS1_AI_DUPLICATE', '21']]);
    expect(checkAis([gtin, { ai: '21', value: 'A' }, { ai: '21', value: 'A' }])).toEqual([]);
  });

  it('refuses AIs the dictionary forbids together', () => {
    const problems = checkAis([
      { ai: '00', value: '106141412345678908' },
      { ai: '01', value: '09520123456788' },
      { ai: '02', value: '10614141073464' },
      { ai: '37', value: '24' },
    ]);
    expect(problems.map((p) => [p.code, p.details?.['ai'], p.details?.['other']])).toEqual([
      ['GS1_AI_EXCLUDED', '01', '37'],
      ['GS1_AI_EXCLUDED', '02', '01'],
    ]);
  });
});
