import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BASE_NAMES,
  BASES,
  compileRenderer,
  DATE_TOKENS,
  encodeSequence,
  parseFormat,
  previewSerials,
  renderDateToken,
  sequenceWidth,
  type Base,
  type BaseName,
  type ContextToken,
  type LocalDateTime,
  type RenderFrame,
} from '@serialtrace/core';
import { ms, planFor, wall } from './helpers.js';

const JUNE_15 = wall(2025, 6, 15, 10, 30, 5);

function render(format: string, value: bigint, frame: Partial<RenderFrame> = {}): string {
  const parsed = parseFormat(format);
  expect(parsed.problems).toEqual([]);
  return compileRenderer(parsed, { local: JUNE_15, context: {}, base: BASES.numeric, minLength: 4, ...frame })(value);
}

describe('the documented examples', () => {
  it('SN-{YYYY}{JJJ}-{####} on 2025-06-15 with value 42 is SN-2025166-0042', () => {
    expect(render('SN-{YYYY}{JJJ}-{####}', 42n)).toBe('SN-2025166-0042');
  });

  it('{YY}{MM}{DD}{SHIFT}-{SEQUENCE} with minimum length 5, shift B and value 123 is 250615B-00123', () => {
    expect(render('{YY}{MM}{DD}{SHIFT}-{SEQUENCE}', 123n, { minLength: 5, context: { SHIFT: 'B' } })).toBe('250615B-00123');
  });

  it('P{YY}{WW}-{####} in alphanumeric with value 361 is P2524-00A1', () => {
    expect(render('P{YY}{WW}-{####}', 361n, { base: BASES.alphanumeric })).toBe('P2524-00A1');
  });

  it('LOT-{YYYY}{MM}{DD}-{LINE}-{####} with LINE=L1 and value 1 is LOT-20250615-L1-0001', () => {
    expect(render('LOT-{YYYY}{MM}{DD}-{LINE}-{####}', 1n, { context: { LINE: 'L1' } })).toBe('LOT-20250615-L1-0001');
  });

  it('the compileRenderer doc example holds', () => {
    expect(render('LOT-{YY}{MM}-{####}', 42n)).toBe('LOT-2506-0042');
  });

  it('the same examples come out of a whole series, end to end (previewSerials)', () => {
    const at = new Date(ms('2025-06-15T10:30:05Z'));
    expect(previewSerials(planFor({ format: 'SN-{YYYY}{JJJ}-{####}' }), { at, count: 1, current: 41n }).serials).toEqual(['SN-2025166-0042']);
    expect(
      previewSerials(planFor({ format: '{YY}{MM}{DD}{SHIFT}-{SEQUENCE}', minLength: 5, reset: 'shift' }), { at, count: 1, current: 122n }).serials,
    ).toEqual(['250615B-00123']);
    expect(
      previewSerials(planFor({ format: 'P{YY}{WW}-{####}', base: 'alphanumeric' }), { at, count: 1, current: 360n }).serials,
    ).toEqual(['P2524-00A1']);
    expect(
      previewSerials(planFor({ format: 'LOT-{YYYY}{MM}{DD}-{LINE}-{####}', reset: 'daily' }), { at, count: 1, context: { line: 'L1' } }).serials,
    ).toEqual(['LOT-20250615-L1-0001']);
  });
});

describe('sequence padding', () => {
  it('{SEQUENCE} pads to the minimum length', () => {
    expect(render('{SEQUENCE}', 7n, { minLength: 1 })).toBe('7');
    expect(render('{SEQUENCE}', 7n, { minLength: 6 })).toBe('000007');
    expect(render('{SEQUENCE}', 1234567n, { minLength: 6 })).toBe('1234567');
  });

  it('{###} pads to the larger of its # count and the minimum length', () => {
    expect(render('{###}', 7n, { minLength: 1 })).toBe('007');
    expect(render('{###}', 7n, { minLength: 5 })).toBe('00007');
    expect(render('{######}', 7n, { minLength: 5 })).toBe('000007');
    expect(sequenceWidth({ kind: 'sequence', hashes: 0, position: 0, length: 10 }, 4)).toBe(4);
    expect(sequenceWidth({ kind: 'sequence', hashes: 3, position: 0, length: 5 }, 5)).toBe(5);
    expect(sequenceWidth({ kind: 'sequence', hashes: 6, position: 0, length: 8 }, 5)).toBe(6);
  });

  it('pads with the base zero digit: A for alpha', () => {
    expect(render('{####}', 1n, { base: BASES.alpha })).toBe('AAAB');
    expect(render('{####}', 42n, { base: BASES.hex })).toBe('002A');
  });

  it('prints the value in every sequence token, each at its own width', () => {
    expect(render('{##}-{######}-{SEQUENCE}', 7n, { minLength: 1 })).toBe('07-000007-7');
  });

  it('a format without a sequence token renders the same text for every value', () => {
    const parsed = parseFormat('FIXED-{YYYY}');
    const fn = compileRenderer(parsed, { local: JUNE_15, context: {}, base: BASES.numeric, minLength: 4 });
    expect(fn(1n)).toBe('FIXED-2025');
    expect(fn(2n)).toBe('FIXED-2025');
  });
});

describe('date tokens', () => {
  it.each<[LocalDateTime, Record<string, string>]>([
    [wall(2024, 12, 30, 8, 5, 9), { YYYY: '2024', YY: '24', MM: '12', DD: '30', JJJ: '365', WW: '01', GGGG: '2025', GG: '25', HH: '08', NN: '05', SS: '09' }],
    [wall(2021, 1, 3, 23, 59, 59), { YYYY: '2021', YY: '21', MM: '01', DD: '03', JJJ: '003', WW: '53', GGGG: '2020', GG: '20', HH: '23', NN: '59', SS: '59' }],
    [wall(2024, 12, 31, 0, 0, 0), { YYYY: '2024', JJJ: '366', WW: '01', GGGG: '2025' }],
    [wall(2005, 2, 1, 0, 0, 0), { YYYY: '2005', YY: '05', MM: '02', DD: '01', JJJ: '032' }],
    [wall(2000, 1, 1, 0, 0, 0), { YY: '00', WW: '52', GGGG: '1999', GG: '99' }],
    [wall(1999, 12, 31, 12, 0, 0), { YY: '99', JJJ: '365' }],
  ])('renders %j', (local, expected) => {
    for (const [token, text] of Object.entries(expected)) {
      expect(renderDateToken(token as (typeof DATE_TOKENS)[number], local), token).toBe(text);
    }
  });

  it('every date token renders at its fixed width for any date of 1000-9999', () => {
    const widths: Record<string, number> = { YYYY: 4, YY: 2, MM: 2, DD: 2, JJJ: 3, WW: 2, GGGG: 4, GG: 2, HH: 2, NN: 2, SS: 2 };
    fc.assert(
      fc.property(
        fc.record({
          year: fc.integer({ min: 1001, max: 9998 }),
          month: fc.integer({ min: 1, max: 12 }),
          day: fc.integer({ min: 1, max: 28 }),
          hour: fc.integer({ min: 0, max: 23 }),
          minute: fc.integer({ min: 0, max: 59 }),
          second: fc.integer({ min: 0, max: 59 }),
        }),
        (local) => {
          for (const token of DATE_TOKENS) {
            expect(renderDateToken(token, local)).toMatch(new RegExp(`^\\d{${widths[token]}}$`));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('context tokens', () => {
  it('print their resolved value', () => {
    expect(render('{PLANT}/{LINE}/{BATCH}/{PART}/{SHIFT}/{####}', 1n, { context: { PLANT: 'P9', LINE: 'L2', BATCH: 'B7', PART: 'X-1', SHIFT: 'N' } })).toBe(
      'P9/L2/B7/X-1/N/0001',
    );
  });

  it('show a missing value as the token itself, or as the frame says (previews only)', () => {
    expect(render('{LINE}-{####}', 1n)).toBe('{LINE}-0001');
    expect(render('{LINE}-{####}', 1n, { missing: (token: ContextToken) => `<${token.toLowerCase()}>` })).toBe('<line>-0001');
  });
});

describe('renderer properties', () => {
  const base = fc.constantFrom(...BASE_NAMES).map((name): Base => BASES[name]);
  const node = fc.oneof(
    fc.constantFrom(...DATE_TOKENS, 'LINE', 'SHIFT').map((t) => `{${t}}`),
    fc.stringMatching(/^[A-Z0-9-]{1,3}$/),
  );
  const sequence = fc.oneof(fc.constant('{SEQUENCE}'), fc.integer({ min: 1, max: 8 }).map((n) => `{${'#'.repeat(n)}}`));
  const format = fc
    .tuple(fc.array(node, { maxLength: 5 }), fc.array(sequence, { minLength: 1, maxLength: 3 }), fc.array(node, { maxLength: 5 }))
    .chain(([head, seqs, tail]) =>
      fc.shuffledSubarray([...head, ...seqs, ...tail], { minLength: head.length + seqs.length + tail.length }),
    )
    .map((parts) => parts.join(''));
  const frameLocal = fc.record({
    year: fc.integer({ min: 1970, max: 2200 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
  });
  const value = fc.oneof(fc.bigInt({ min: 0n, max: 5000n }), fc.bigInt({ min: 0n, max: 2n ** 70n }));

  it('no two sequence values render alike in one frame (even past the width)', () => {
    fc.assert(
      fc.property(format, base, fc.integer({ min: 1, max: 8 }), frameLocal, fc.uniqueArray(value, { minLength: 2, maxLength: 30 }), (source, b, minLength, local, values) => {
        const parsed = parseFormat(source);
        expect(parsed.problems).toEqual([]);
        const fn = compileRenderer(parsed, { local, context: { LINE: 'L1', SHIFT: 'B' }, base: b, minLength });
        const rendered = values.map(fn);
        expect(new Set(rendered).size).toBe(values.length);
      }),
      { numRuns: 250 },
    );
  });

  it('{SEQUENCE} alone renders exactly encodeSequence(value, base, minLength)', () => {
    fc.assert(
      fc.property(base, fc.integer({ min: 1, max: 40 }), value, (b, minLength, v) => {
        expect(render('{SEQUENCE}', v, { base: b, minLength })).toBe(encodeSequence(v, b, minLength));
      }),
      { numRuns: 200 },
    );
  });

  it('the compiled renderer agrees with rendering each node on its own', () => {
    fc.assert(
      fc.property(format, fc.constantFrom<BaseName>(...BASE_NAMES), fc.integer({ min: 1, max: 8 }), frameLocal, value, (source, b, minLength, local, v) => {
        const parsed = parseFormat(source);
        const frame: RenderFrame = { local, context: { LINE: 'L1', SHIFT: 'B' }, base: BASES[b], minLength };
        const expected = parsed.nodes
          .map((n) => {
            switch (n.kind) {
              case 'literal':
                return n.text;
              case 'date':
                return renderDateToken(n.token, local);
              case 'context':
                return frame.context[n.token] ?? '';
              case 'sequence':
                return encodeSequence(v, BASES[b], Math.max(n.hashes, minLength));
            }
          })
          .join('');
        expect(compileRenderer(parsed, frame)(v)).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });
});
