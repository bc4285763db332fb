import { problem, type Problem } from '../errors/serialtrace-error.js';
import { closestName } from '../text/edit-distance.js';
import {
  CONTEXT_TOKENS,
  DATE_TOKENS,
  type ContextToken,
  type DateToken,
  type FormatNode,
  type ParsedFormat,
} from './format-node.js';

export const MAX_FORMAT_LENGTH = 200;

const ALL_TOKENS: readonly string[] = [...DATE_TOKENS, ...CONTEXT_TOKENS, 'SEQUENCE'];

/** Names people reach for that mean an existing token. */
const ALIASES: Readonly<Record<string, string>> = {
  SEQ: 'SEQUENCE',
  SERIAL: 'SEQUENCE',
  COUNTER: 'SEQUENCE',
  YEAR: 'YYYY',
  MONTH: 'MM',
  DAY: 'DD',
  JULIAN: 'JJJ',
  DOY: 'JJJ',
  WEEK: 'WW',
  HOUR: 'HH',
  MINUTE: 'NN',
  MIN: 'NN',
  MI: 'NN',
  SECOND: 'SS',
  SEC: 'SS',
  DDD: 'JJJ',
  LOT: 'BATCH',
  SITE: 'PLANT',
  PARTNUMBER: 'PART',
  PN: 'PART',
};

function suggestToken(name: string): string | undefined {
  const upper = name.toUpperCase().replace(/[\s_-]/g, '');
  if (ALL_TOKENS.includes(upper)) return upper;
  if (ALIASES[upper] !== undefined) return ALIASES[upper];
  if (/^[0#]+$/.test(name)) return '#'.repeat(name.length);
  return closestName(upper, ALL_TOKENS, 3);
}

/**
 * Parses a format once into nodes. Never throws: every syntax problem is collected with its
 * position, and parsing carries on past it so the user sees all of them at once.
 *
 * `{{` and `}}` are literal braces; `{TOKEN}` is a token; `{###}` is the sequence padded to at
 * least three characters.
 *
 * @example parseFormat('SN-{YYYY}{JJJ}-{####}').nodes.map(n => n.kind)
 *   // ['literal', 'date', 'date', 'literal', 'sequence']
 */
export function parseFormat(source: string): ParsedFormat {
  const nodes: FormatNode[] = [];
  const problems: Problem[] = [];
  let literal = '';
  let literalStart = 0;

  const flushLiteral = (end: number) => {
    if (literal !== '') nodes.push({ kind: 'literal', text: literal, position: literalStart, length: end - literalStart });
    literal = '';
  };
  const addLiteral = (text: string, at: number) => {
    if (literal === '') literalStart = at;
    literal += text;
  };

  if (source.length > MAX_FORMAT_LENGTH) {
    problems.push(
      problem('FORMAT_TOO_LONG', {
        field: 'format',
        actual: source.length,
        max: MAX_FORMAT_LENGTH,
        // Highlight the characters past the limit.
        position: MAX_FORMAT_LENGTH,
        length: source.length - MAX_FORMAT_LENGTH,
      }),
    );
  }

  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === '{') {
      if (source[i + 1] === '{') {
        addLiteral('{', i);
        i += 2;
        continue;
      }
      const close = source.indexOf('}', i + 1);
      const nextOpen = source.indexOf('{', i + 1);
      if (close < 0 || (nextOpen >= 0 && nextOpen < close)) {
        problems.push(
          problem('FORMAT_BRACE_UNBALANCED', {
            field: 'format',
            brace: '{',
            position: i,
            length: 1,
            reason: 'it is never closed; write {{ for a literal brace',
          }),
        );
        i += 1;
        continue;
      }
      flushLiteral(i);
      const name = source.slice(i + 1, close);
      const length = close - i + 1;
      if ((DATE_TOKENS as readonly string[]).includes(name)) {
        nodes.push({ kind: 'date', token: name as DateToken, position: i, length });
      } else if ((CONTEXT_TOKENS as readonly string[]).includes(name)) {
        nodes.push({ kind: 'context', token: name as ContextToken, position: i, length });
      } else if (name === 'SEQUENCE') {
        nodes.push({ kind: 'sequence', hashes: 0, position: i, length });
      } else if (/^#+$/.test(name)) {
        nodes.push({ kind: 'sequence', hashes: name.length, position: i, length });
      } else {
        const suggestion = suggestToken(name);
        problems.push(
          problem('FORMAT_TOKEN_UNKNOWN', {
            field: 'format',
            token: `{${name}}`,
            position: i,
            length,
            hint: suggestion === undefined ? '' : `; did you mean {${suggestion}}?`,
            ...(suggestion === undefined ? {} : { suggestion: `{${suggestion}}` }),
          }),
        );
      }
      i = close + 1;
      continue;
    }
    if (ch === '}') {
      if (source[i + 1] === '}') {
        addLiteral('}', i);
        i += 2;
        continue;
      }
      problems.push(
        problem('FORMAT_BRACE_UNBALANCED', {
          field: 'format',
          brace: '}',
          position: i,
          length: 1,
          reason: 'it closes nothing; write }} for a literal brace',
        }),
      );
      i += 1;
      continue;
    }
    const code = ch.charCodeAt(0);
    if (code < 0x20 || (code >= 0x7f && code < 0xa0)) {
      problems.push(
        problem('FORMAT_CHARACTER_INVALID', {
          field: 'format',
          character: `U+${code.toString(16).toUpperCase().padStart(4, '0')}`,
          position: i,
          length: 1,
        }),
      );
      i += 1;
      continue;
    }
    addLiteral(ch, i);
    i += 1;
  }
  flushLiteral(source.length);
  return { source, nodes, problems };
}
