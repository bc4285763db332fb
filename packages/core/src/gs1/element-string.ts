import { problem, refuseOnErrors, SerialtraceError, type Problem } from '../errors/serialtrace-error.js';
import { aiEntry, aiFixedLength, aiMatchesPattern, firstCharOutside, type AiEntry } from './ai-dictionary.js';
import { gs1CheckDigit, hasValidCheckDigit } from './check-digit.js';

/** One element of GS1 data: an application identifier and its value. */
export interface AiValue {
  readonly ai: string;
  readonly value: string;
}

/** ASCII 29, which a scanner sends for an FNC1 that separates a variable-length value. */
export const GS = '\u001d';

/** Symbology identifiers that announce GS1 data: DataMatrix, GS1-128, QR, DataBar/composite, DotCode. */
export const GS1_SYMBOLOGY_IDS = [']d2', ']C1', ']Q3', ']e0', ']J1'] as const;
export type Gs1SymbologyId = (typeof GS1_SYMBOLOGY_IDS)[number];

export interface Gs1ParseOptions {
  /**
   * Check the pairings of the dictionary (`req=`, `ex=`) over the whole message; true unless
   * turned off, e.g. to convert one barcode's data when the item carries others.
   */
  readonly associations?: boolean;
}

/** Linters of the syntax dictionary this module checks; the others (gcppos1, iso3166, ...) need tables it does not carry. */
export const CHECKED_LINTERS = ['csum', 'yymmd0', 'yymmdd', 'yyyymmdd', 'hhmi', 'hh', 'mi', 'ss', 'zero', 'nonzero', 'yesno', 'hyphen', 'nozeroprefix', 'pieceoftotal'] as const;

/**
 * Parses the bracketed, human-readable form. A `(` inside a value is written `\(`.
 *
 * @example parseBracketed('(01)09520123456788(10)ABC') // [{ ai: '01', value: '09520123456788' }, { ai: '10', value: 'ABC' }]
 */
export function parseBracketed(text: string, options: Gs1ParseOptions = {}): AiValue[] {
  const ais: AiValue[] = [];
  let position = 0;
  if (text === '') throw syntax(0, 'the text is empty');
  while (position < text.length) {
    const head = /^\((\d{2,4})\)/.exec(text.slice(position));
    if (head === null) throw syntax(position, 'expected "(" and an AI of 2 to 4 digits and ")"');
    let value = '';
    let at = position + head[0].length;
    while (at < text.length && !(text[at] === '(' && /^\(\d{2,4}\)/.test(text.slice(at)))) {
      if (text[at] === '\\' && text[at + 1] === '(') at++;
      value += text[at];
      at++;
    }
    ais.push({ ai: head[1] ?? '', value });
    position = at;
  }
  return refuse(ais, options);
}

/** The bracketed form of `ais`, after checking them. */
export function buildBracketed(ais: readonly AiValue[], options: Gs1ParseOptions = {}): string {
  refuse(ais, options);
  return ais.map(({ ai, value }) => `(${ai})${value.replaceAll('(', '\\(')}`).join('');
}

/**
 * Parses an element string as a scanner sends it: values of predefined-length AIs end where
 * their length says, the others at a GS (ASCII 29) or the end; a leading GS1 symbology
 * identifier such as `]d2` is recognised and returned.
 *
 * @example parseElementString(']d2011231231231233310ABC123\u001d99TESTING').symbology === ']d2'
 */
export function parseElementString(text: string, options: Gs1ParseOptions = {}): { symbology?: Gs1SymbologyId; ais: AiValue[] } {
  let position = 0;
  let symbology: Gs1SymbologyId | undefined;
  if (text.startsWith(']')) {
    const id = text.slice(0, 3);
    if (!(GS1_SYMBOLOGY_IDS as readonly string[]).includes(id)) {
      throw syntax(0, `"${id}" is not the symbology identifier of a GS1 barcode (${GS1_SYMBOLOGY_IDS.join(', ')})`);
    }
    symbology = id as Gs1SymbologyId;
    position = 3;
  }
  if (text[position] === GS) position++; // FNC1 in first position, when a scanner passes it on
  if (position >= text.length) throw syntax(position, 'there is no data');
  const ais: AiValue[] = [];
  while (position < text.length) {
    const entry = [2, 3, 4].map((n) => aiEntry(text.slice(position, position + n))).find((e) => e !== undefined);
    if (entry === undefined) {
      const digits = /^\d{2,4}/.exec(text.slice(position))?.[0];
      if (digits === undefined) throw syntax(position, 'expected an AI of 2 to 4 digits');
      throw new SerialtraceError('GS1_AI_UNKNOWN', { ai: digits.slice(0, 4), position });
    }
    position += entry.ai.length;
    const fixed = entry.predefinedLength ? aiFixedLength(entry) : undefined;
    let end: number;
    if (fixed !== undefined) {
      end = Math.min(position + fixed, text.length);
    } else {
      end = text.indexOf(GS, position);
      if (end < 0) end = text.length;
    }
    ais.push({ ai: entry.ai, value: text.slice(position, end) });
    position = end;
    if (text[position] === GS) position++;
  }
  const checked = refuse(ais, options);
  return symbology === undefined ? { ais: checked } : { symbology, ais: checked };
}

/**
 * The element string of `ais`, after checking them: a GS follows each value of an AI without a
 * predefined length, except the last. Put predefined-length AIs first to save separators.
 *
 * @example buildElementString([{ ai: '10', value: '12345' }, { ai: '11', value: '991225' }], { associations: false }) === '1012345\u001d11991225'
 */
export function buildElementString(ais: readonly AiValue[], options: Gs1ParseOptions & { readonly symbology?: Gs1SymbologyId } = {}): string {
  refuse(ais, options);
  let text = options.symbology ?? '';
  ais.forEach(({ ai, value }, index) => {
    text += ai + value;
    if (index < ais.length - 1 && aiEntry(ai)?.predefinedLength !== true) text += GS;
  });
  return text;
}

/**
 * Every problem of `ais`: unknown AIs, values that break their AI's format (length, character
 * set, check digit, dates, ...), and unless turned off, an AI repeated with another value and
 * missing or forbidden pairings.
 */
export function checkAis(ais: readonly AiValue[], options: Gs1ParseOptions = {}): Problem[] {
  const problems: Problem[] = [];
  if (ais.length === 0) problems.push(problem('GS1_SYNTAX_INVALID', { position: 0, reason: 'there is no data' }));
  ais.forEach(({ ai, value }, index) => {
    const entry = aiEntry(ai);
    if (entry === undefined) problems.push(problem('GS1_AI_UNKNOWN', { ai, index }));
    else problems.push(...checkValue(entry, value, index));
  });
  if (options.associations !== false) problems.push(...checkAssociations(ais));
  return problems;
}

function refuse(ais: readonly AiValue[], options: Gs1ParseOptions): AiValue[] {
  refuseOnErrors(checkAis(ais, options));
  return [...ais];
}

function syntax(position: number, reason: string): SerialtraceError {
  return new SerialtraceError('GS1_SYNTAX_INVALID', { position, reason });
}

function checkValue(entry: AiEntry, value: string, index: number): Problem[] {
  const { ai } = entry;
  const bad = (rule: string, reason: string): Problem => problem('GS1_AI_VALUE_INVALID', { ai, value, rule, reason, index });
  const minimum = entry.components.filter((c) => !c.optional).reduce((sum, c) => sum + c.min, 0);
  const maximum = entry.components.reduce((sum, c) => sum + c.max, 0);
  if (value.length < minimum || value.length > maximum) {
    const expected = minimum === maximum ? `exactly ${maximum}` : `${minimum} to ${maximum}`;
    return [bad('length', `${value.length} characters; expected ${expected}`)];
  }
  const problems: Problem[] = [];
  let at = 0;
  for (const component of entry.components) {
    if (at >= value.length && component.optional) break;
    const part = value.slice(at, at + component.max);
    if (part.length < component.min) {
      problems.push(bad('length', `a part is ${part.length} characters; expected at least ${component.min}`));
      break;
    }
    const outside = firstCharOutside(part, component.charSet);
    if (outside !== undefined) {
      const set = { N: 'digits', X: 'GS1 CSET 82', Y: 'GS1 CSET 39', Z: 'GS1 CSET 64' }[component.charSet];
      problems.push(bad('charset', `${JSON.stringify(outside.char)} at position ${at + outside.index} is not in ${set}`));
    } else {
      for (const linter of component.linters) {
        const reason = lint(linter, part);
        if (reason !== undefined) problems.push(bad(linter, reason));
      }
    }
    at += part.length;
  }
  return problems;
}

/** Why `part` fails the named GS1 syntax test, or undefined when it passes (or the test is not checked here). */
function lint(linter: string, part: string): string | undefined {
  const n = (from: number, to: number) => Number(part.slice(from, to));
  switch (linter) {
    case 'csum':
      return hasValidCheckDigit(part) ? undefined : `the check digit should be ${gs1CheckDigit(part.slice(0, -1))}`;
    case 'yymmd0':
      return dateProblem(2000 + n(0, 2), n(2, 4), n(4, 6), true);
    case 'yymmdd':
      return dateProblem(2000 + n(0, 2), n(2, 4), n(4, 6), false);
    case 'yyyymmdd':
      return dateProblem(n(0, 4), n(4, 6), n(6, 8), false);
    case 'hhmi':
      return n(0, 2) > 23 ? 'hours must be 00 to 23' : n(2, 4) > 59 ? 'minutes must be 00 to 59' : undefined;
    case 'hh':
      return n(0, 2) > 23 ? 'hours must be 00 to 23' : undefined;
    case 'mi':
      return n(0, 2) > 59 ? 'minutes must be 00 to 59' : undefined;
    case 'ss':
      return n(0, 2) > 59 ? 'seconds must be 00 to 59' : undefined;
    case 'zero':
      return /^0+$/.test(part) ? undefined : 'must be zero';
    case 'nonzero':
      return /^0+$/.test(part) ? 'must not be zero' : undefined;
    case 'yesno':
      return part === '0' || part === '1' ? undefined : 'must be 0 (no) or 1 (yes)';
    case 'hyphen':
      return part === '-' ? undefined : 'must be "-"';
    case 'nozeroprefix':
      return part.length > 1 && part.startsWith('0') ? 'must not start with 0' : undefined;
    case 'pieceoftotal': {
      const half = part.length / 2;
      const piece = n(0, half);
      const total = n(half, part.length);
      return piece === 0 || total === 0 || piece > total ? `piece ${piece} of ${total} is not a piece of the total` : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Dates in GS1 data. A two-digit year is taken as 20YY for the month length; leap years agree
 * across the century windows GS1 uses except for 2100, which no live date reaches.
 */
function dateProblem(year: number, month: number, day: number, dayZeroAllowed: boolean): string | undefined {
  if (month < 1 || month > 12) return `month ${String(month).padStart(2, '0')} does not exist`;
  const length = [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 31;
  if (day === 0) return dayZeroAllowed ? undefined : 'day 00 is not allowed here';
  if (day > length) return `day ${day} does not exist in month ${String(month).padStart(2, '0')}`;
  return undefined;
}

function checkAssociations(ais: readonly AiValue[]): Problem[] {
  const present = [...new Set(ais.map((a) => a.ai))];
  const has = (pattern: string) => present.some((ai) => aiMatchesPattern(ai, pattern));
  const problems: Problem[] = [];
  for (const ai of present) {
    if (new Set(ais.filter((a) => a.ai === ai).map((a) => a.value)).size > 1) problems.push(problem('GS1_AI_DUPLICATE', { ai, rule: 'duplicate' }));
  }
  for (const ai of present) {
    const entry = aiEntry(ai);
    if (entry === undefined) continue;
    for (const alternatives of entry.requires) {
      if (!alternatives.some((group) => group.every(has))) {
        const required = alternatives.map((group) => group.map((p) => `(${p})`).join(' with ')).join(' or ');
        problems.push(problem('GS1_AI_REQUIRED_MISSING', { ai, rule: 'req', required }));
      }
    }
    for (const pattern of entry.excludes) {
      // An AI is not exclusive of itself even when it matches the pattern.
      const other = present.find((p) => p !== ai && aiMatchesPattern(p, pattern));
      if (other !== undefined) problems.push(problem('GS1_AI_EXCLUDED', { ai, rule: 'ex', other }));
    }
  }
  return problems;
}
