import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CONTEXT_TOKENS,
  contextTokensOf,
  DATE_TOKENS,
  dateTokensOf,
  MAX_FORMAT_LENGTH,
  parseFormat,
  sequenceNodesOf,
  TOKEN_DESCRIPTIONS,
  type FormatNode,
  type ParsedFormat,
} from '@serialtrace/core';

function kinds(format: ParsedFormat): string[] {
  return format.nodes.map((n) => n.kind);
}

function codes(format: ParsedFormat): string[] {
  return format.problems.map((p) => p.code);
}

describe('parseFormat: tokens', () => {
  it('parses the documented example into literal, date, date, literal, sequence with positions', () => {
    const format = parseFormat('SN-{YYYY}{JJJ}-{####}');
    expect(format.problems).toEqual([]);
    expect(format.source).toBe('SN-{YYYY}{JJJ}-{####}');
    expect(format.nodes).toEqual<FormatNode[]>([
      { kind: 'literal', text: 'SN-', position: 0, length: 3 },
      { kind: 'date', token: 'YYYY', position: 3, length: 6 },
      { kind: 'date', token: 'JJJ', position: 9, length: 5 },
      { kind: 'literal', text: '-', position: 14, length: 1 },
      { kind: 'sequence', hashes: 4, position: 15, length: 6 },
    ]);
  });

  it.each(['YYYY', 'YY', 'MM', 'DD', 'JJJ', 'WW', 'HH', 'NN', 'SS', 'GGGG', 'GG'])('knows the date token {%s}', (token) => {
    const format = parseFormat(`X{${token}}{SEQUENCE}`);
    expect(format.problems).toEqual([]);
    expect(format.nodes[1]).toEqual({ kind: 'date', token, position: 1, length: token.length + 2 });
    expect([...dateTokensOf(format)]).toEqual([token]);
  });

  it('knows every date token of PRODUCT.md and the ISO week-year, and nothing else', () => {
    expect([...DATE_TOKENS].sort()).toEqual(['DD', 'GG', 'GGGG', 'HH', 'JJJ', 'MM', 'NN', 'SS', 'WW', 'YY', 'YYYY']);
    expect([...CONTEXT_TOKENS]).toEqual(['SHIFT', 'LINE', 'PLANT', 'BATCH', 'PART']);
  });

  it.each(['SHIFT', 'LINE', 'PLANT', 'BATCH', 'PART'])('knows the context token {%s}', (token) => {
    const format = parseFormat(`{${token}}-{####}`);
    expect(format.problems).toEqual([]);
    expect(format.nodes[0]).toEqual({ kind: 'context', token, position: 0, length: token.length + 2 });
    expect(contextTokensOf(format)).toEqual([token]);
  });

  it('lists context tokens once each, in order of appearance', () => {
    expect(contextTokensOf(parseFormat('{PLANT}{LINE}-{PLANT}-{####}'))).toEqual(['PLANT', 'LINE']);
  });

  it('reads {SEQUENCE} as a sequence padded to the minimum length and {#...#} as one padded to its # count', () => {
    const format = parseFormat('{SEQUENCE}/{#}/{##########}');
    expect(format.problems).toEqual([]);
    expect(sequenceNodesOf(format)).toEqual([
      { kind: 'sequence', hashes: 0, position: 0, length: 10 },
      { kind: 'sequence', hashes: 1, position: 11, length: 3 },
      { kind: 'sequence', hashes: 10, position: 15, length: 12 },
    ]);
  });

  it('every token has a description', () => {
    for (const token of [...DATE_TOKENS, ...CONTEXT_TOKENS, 'SEQUENCE', '####'] as const) {
      expect(TOKEN_DESCRIPTIONS[token].length).toBeGreaterThan(5);
    }
  });

  it('an empty format parses to nothing, without problems', () => {
    expect(parseFormat('')).toEqual({ source: '', nodes: [], problems: [] });
  });
});

describe('parseFormat: literal braces', () => {
  it('reads {{ and }} as literal braces', () => {
    const format = parseFormat('A{{{YYYY}}}B');
    expect(format.problems).toEqual([]);
    expect(format.nodes).toEqual([
      { kind: 'literal', text: 'A{', position: 0, length: 3 },
      { kind: 'date', token: 'YYYY', position: 3, length: 6 },
      { kind: 'literal', text: '}B', position: 9, length: 3 },
    ]);
  });

  it('{{SEQUENCE}} is the text "{SEQUENCE}", not a token', () => {
    const format = parseFormat('{{SEQUENCE}}');
    expect(format.problems).toEqual([]);
    expect(format.nodes).toEqual([{ kind: 'literal', text: '{SEQUENCE}', position: 0, length: 12 }]);
    expect(sequenceNodesOf(format)).toEqual([]);
  });
});

describe('parseFormat: problems', () => {
  it('names an unknown token with its position, length and a suggestion', () => {
    const format = parseFormat('SN-{YYY}-{seq}');
    expect(codes(format)).toEqual(['FORMAT_TOKEN_UNKNOWN', 'FORMAT_TOKEN_UNKNOWN']);
    const [yyy, seq] = format.problems;
    expect(yyy).toMatchObject({ field: 'format', position: 3, length: 5, severity: 'error', details: { token: '{YYY}', suggestion: '{YYYY}' } });
    expect(yyy!.message).toBe('Unknown token {YYY} at position 3; did you mean {YYYY}?');
    expect(seq).toMatchObject({ position: 9, length: 5, details: { token: '{seq}', suggestion: '{SEQUENCE}' } });
    expect(seq!.message).toContain('did you mean {SEQUENCE}?');
  });

  it.each([
    ['{yyyy}', '{YYYY}'],
    ['{Shift}', '{SHIFT}'],
    ['{YEAR}', '{YYYY}'],
    ['{WEEK}', '{WW}'],
    ['{LOT}', '{BATCH}'],
    ['{SITE}', '{PLANT}'],
    ['{part_number}', '{PART}'],
    ['{serial}', '{SEQUENCE}'],
    ['{0000}', '{####}'],
    ['{00}', '{##}'],
    ['{MIN}', '{NN}'],
    ['{DDD}', '{JJJ}'],
    ['{PLNT}', '{PLANT}'],
    ['{SEQUENCES}', '{SEQUENCE}'],
  ])('suggests a known token for %s: %s', (token, suggestion) => {
    const [first] = parseFormat(`${token}{####}`).problems;
    expect(first).toMatchObject({ code: 'FORMAT_TOKEN_UNKNOWN', position: 0, length: token.length, details: { token, suggestion } });
  });

  it('offers no suggestion when nothing is close', () => {
    const [first] = parseFormat('{XQZWVK}{####}').problems;
    expect(first!.code).toBe('FORMAT_TOKEN_UNKNOWN');
    expect(first!.details).not.toHaveProperty('suggestion');
    expect(first!.message).toBe('Unknown token {XQZWVK} at position 0');
  });

  it('reports an unclosed { at its position and keeps parsing after it', () => {
    const format = parseFormat('SN-{YYYY');
    expect(format.problems).toEqual([
      expect.objectContaining({ code: 'FORMAT_BRACE_UNBALANCED', field: 'format', position: 3, length: 1, details: expect.objectContaining({ brace: '{' }) as unknown }),
    ]);
    const nested = parseFormat('A{B{YYYY}-{####}');
    expect(nested.problems.map((p) => [p.code, p.position])).toEqual([['FORMAT_BRACE_UNBALANCED', 1]]);
    expect(kinds(nested)).toEqual(['literal', 'date', 'literal', 'sequence']);
  });

  it('reports a } that closes nothing at its position', () => {
    const format = parseFormat('SN-}{####}');
    expect(format.problems).toHaveLength(1);
    expect(format.problems[0]).toMatchObject({ code: 'FORMAT_BRACE_UNBALANCED', position: 3, length: 1, details: { brace: '}' } });
    expect(format.problems[0]!.message).toContain('write }} for a literal brace');
    expect(parseFormat('{####}}').problems.map((p) => p.position)).toEqual([6]);
  });

  it.each([
    ['\t', 'U+0009'],
    ['\n', 'U+000A'],
    ['\u0000', 'U+0000'],
    ['\u007f', 'U+007F'],
    ['\u0085', 'U+0085'],
  ])('refuses the control character %j with its code point and position', (ch, name) => {
    const format = parseFormat(`SN${ch}{####}`);
    expect(format.problems).toEqual([
      expect.objectContaining({ code: 'FORMAT_CHARACTER_INVALID', position: 2, length: 1, details: { character: name } }),
    ]);
  });

  it('accepts printable non-ASCII text', () => {
    expect(parseFormat('Ä-№-\u00a0-{####}').problems).toEqual([]);
  });

  it(`refuses formats longer than ${MAX_FORMAT_LENGTH} characters, and accepts exactly ${MAX_FORMAT_LENGTH}`, () => {
    const longest = `${'A'.repeat(MAX_FORMAT_LENGTH - 6)}{####}`;
    expect(longest).toHaveLength(MAX_FORMAT_LENGTH);
    expect(parseFormat(longest).problems).toEqual([]);
    const tooLong = parseFormat(`A${longest}`);
    expect(tooLong.problems.map((p) => [p.code, p.field, p.position, p.length, p.details])).toEqual([
      ['FORMAT_TOO_LONG', 'format', MAX_FORMAT_LENGTH, 1, { actual: 201, max: 200 }],
    ]);
    expect(tooLong.problems[0]!.message).toBe('The format is 201 characters long; at most 200 are allowed');
  });

  it('reports every problem at once, in order of position', () => {
    const source = `{YYY}\u0001{LINE}}{SEQ}{${'x'.repeat(200)}`;
    const format = parseFormat(source);
    expect(format.problems.map((p) => [p.code, p.position])).toEqual([
      ['FORMAT_TOO_LONG', 200],
      ['FORMAT_TOKEN_UNKNOWN', 0],
      ['FORMAT_CHARACTER_INVALID', 5],
      ['FORMAT_BRACE_UNBALANCED', 12],
      ['FORMAT_TOKEN_UNKNOWN', 13],
      ['FORMAT_BRACE_UNBALANCED', 18],
    ]);
    // The valid parts are still parsed.
    expect(contextTokensOf(format)).toEqual(['LINE']);
  });
});

describe('parseFormat properties', () => {
  const piece = fc.oneof(
    fc.constantFrom(...DATE_TOKENS, ...CONTEXT_TOKENS, 'SEQUENCE').map((t) => `{${t}}`),
    fc.integer({ min: 1, max: 8 }).map((n) => `{${'#'.repeat(n)}}`),
    fc.stringMatching(/^[A-Z0-9 ./_-]{1,4}$/),
    fc.constantFrom('{{', '}}'),
  );

  /** Writes nodes back as format text: the inverse of parsing. */
  function unparse(nodes: readonly FormatNode[]): string {
    return nodes
      .map((n) => {
        switch (n.kind) {
          case 'literal':
            return n.text.replace(/\{/g, '{{').replace(/\}/g, '}}');
          case 'date':
          case 'context':
            return `{${n.token}}`;
          case 'sequence':
            return n.hashes === 0 ? '{SEQUENCE}' : `{${'#'.repeat(n.hashes)}}`;
        }
      })
      .join('');
  }

  it('a format built from valid pieces parses without problems, and writing its nodes back gives the source', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const source = pieces.join('');
        const format = parseFormat(source);
        expect(format.problems).toEqual([]);
        expect(unparse(format.nodes)).toBe(source);
        // Literals are merged: two literal nodes never follow each other.
        format.nodes.forEach((n, i) => {
          if (i > 0) expect(n.kind === 'literal' && format.nodes[i - 1]!.kind === 'literal').toBe(false);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('never throws; nodes are in order and inside the source; without problems they tile it exactly', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.array(fc.oneof(piece, fc.constantFrom('{', '}', '\u0007', '{X}')), { maxLength: 15 }).map((p) => p.join('')),
    );
    fc.assert(
      fc.property(text, (source) => {
        const format = parseFormat(source);
        let end = 0;
        for (const node of format.nodes) {
          expect(node.position).toBeGreaterThanOrEqual(end);
          expect(node.length).toBeGreaterThan(0);
          end = node.position + node.length;
        }
        expect(end).toBeLessThanOrEqual(source.length);
        for (const p of format.problems) {
          expect(p.field).toBe('format');
          expect(p.position).toBeGreaterThanOrEqual(0);
        }
        if (format.problems.length === 0) {
          let at = 0;
          for (const node of format.nodes) {
            expect(node.position).toBe(at);
            at += node.length;
          }
          expect(at).toBe(source.length);
        }
      }),
      { numRuns: 300 },
    );
  });
});
