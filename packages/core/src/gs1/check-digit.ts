import { SerialtraceError } from '../errors/serialtrace-error.js';

/** The GS1 keys whose last digit is a mod-10 check digit, with their full lengths. */
export const GS1_KEY_LENGTHS = {
  'GTIN-8': 8,
  'GTIN-12': 12,
  'GTIN-13': 13,
  'GTIN-14': 14,
  GLN: 13,
  SSCC: 18,
} as const;

export type Gs1KeyKind = keyof typeof GS1_KEY_LENGTHS;

/** Full key lengths accepted when no kind is named (a 13-digit key may be a GTIN-13 or a GLN). */
const ANY_KEY_LENGTHS: ReadonlySet<number> = new Set(Object.values(GS1_KEY_LENGTHS));

const DIGITS = /^[0-9]+$/;

/**
 * The GS1 mod-10 check digit of `body` (the digits without the check digit): weights 3,1,3,...
 * from the rightmost digit, then `(10 - sum % 10) % 10`. Leading zeros do not change it, so one
 * function serves every key length, and the check-digit linter of AI values (csum) too.
 *
 * @example gs1CheckDigit('952012345678') === 8
 */
export function gs1CheckDigit(body: string): number {
  if (!DIGITS.test(body)) {
    throw new SerialtraceError('GS1_KEY_INVALID', { kind: 'key body', key: body, reason: 'expected one or more digits 0-9' });
  }
  let sum = 0;
  for (let i = body.length - 1, weight = 3; i >= 0; i--, weight = 4 - weight) {
    sum += (body.charCodeAt(i) - 48) * weight;
  }
  return (10 - (sum % 10)) % 10;
}

/** True when the last digit of an all-digit `key` is the mod-10 check digit of the others. */
export function hasValidCheckDigit(key: string): boolean {
  return key.length >= 2 && DIGITS.test(key) && gs1CheckDigit(key.slice(0, -1)) === key.charCodeAt(key.length - 1) - 48;
}

/**
 * `body` followed by its check digit. The body must be the key without its check digit: 7, 11,
 * 12, 13 or 17 digits (GTIN-8, GTIN-12, GTIN-13 or GLN, GTIN-14, SSCC).
 *
 * @example completeKey('0952012345678') === '09520123456788'
 */
export function completeKey(body: string, kind?: Gs1KeyKind): string {
  const lengths = kind === undefined ? ANY_KEY_LENGTHS : new Set([GS1_KEY_LENGTHS[kind]]);
  checkShape(body, kind ?? 'key body', lengths, -1);
  return body + String(gs1CheckDigit(body));
}

/**
 * Returns `key` when it is a well-formed GS1 key of `kind` (any kind with a check digit when
 * none is named) whose check digit is right; refuses with GS1_KEY_INVALID or
 * GS1_CHECK_DIGIT_INVALID otherwise.
 *
 * @example verifyKey('106141412345678908', 'SSCC') === '106141412345678908'
 */
export function verifyKey(key: string, kind?: Gs1KeyKind): string {
  const lengths = kind === undefined ? ANY_KEY_LENGTHS : new Set([GS1_KEY_LENGTHS[kind]]);
  const name = kind ?? kindOfLength(key.length);
  checkShape(key, name, lengths, 0);
  const expected = gs1CheckDigit(key.slice(0, -1));
  const actual = key.charCodeAt(key.length - 1) - 48;
  if (expected !== actual) throw new SerialtraceError('GS1_CHECK_DIGIT_INVALID', { kind: name, key, expected, actual });
  return key;
}

/** Like `verifyKey`, as a yes or no. */
export function isValidKey(key: string, kind?: Gs1KeyKind): boolean {
  const lengths = kind === undefined ? ANY_KEY_LENGTHS : new Set<number>([GS1_KEY_LENGTHS[kind]]);
  return lengths.has(key.length) && hasValidCheckDigit(key);
}

function kindOfLength(length: number): string {
  const kinds = Object.entries(GS1_KEY_LENGTHS).filter(([, n]) => n === length).map(([k]) => k);
  return kinds.length === 0 ? 'key' : kinds.join(' or ');
}

/** `shift` is -1 for a body (one digit short of the key) and 0 for a full key. */
function checkShape(text: string, kind: string, fullLengths: ReadonlySet<number>, shift: number): void {
  const allowed = [...fullLengths].map((n) => n + shift).sort((a, b) => a - b);
  if (!DIGITS.test(text)) {
    throw new SerialtraceError('GS1_KEY_INVALID', { kind, key: text, reason: 'only digits 0-9 are allowed' });
  }
  if (!allowed.includes(text.length)) {
    throw new SerialtraceError('GS1_KEY_INVALID', {
      kind,
      key: text,
      reason: `${text.length} digits; expected ${[...new Set(allowed)].join(', ')}`,
      allowed,
    });
  }
}

/**
 * A GTIN-8, -12, -13 or -14 as the 14 digits AI (01) and Digital Link carry, after checking it.
 *
 * @example toGtin14('02345673') === '00000002345673'
 */
export function toGtin14(gtin: string): string {
  const kind = (['GTIN-8', 'GTIN-12', 'GTIN-13', 'GTIN-14'] as const).find((k) => GS1_KEY_LENGTHS[k] === gtin.length);
  if (kind === undefined) {
    throw new SerialtraceError('GS1_KEY_INVALID', { kind: 'GTIN', key: gtin, reason: `${gtin.length} digits; expected 8, 12, 13 or 14` });
  }
  return verifyKey(gtin, kind).padStart(14, '0');
}
