import { canonicalDigitalLink, SerialtraceError } from '@serialtrace/core';
import { LEGACY_CBV_URN_PREFIXES } from './cbv-vocabulary.js';

/**
 * A value as the CBV 2.0 pre-hash writes it: trimmed, an EPCIS 1.x CBV URN replaced by its web
 * URI, a number without trailing zeros, and any GS1 identifier (EPC URN, EPC class or pattern URN,
 * Digital Link on any host) as its canonical https://id.gs1.org Digital Link.
 *
 * @example canonicalValue('urn:epc:id:sscc:4012345.0000000333') === 'https://id.gs1.org/00/040123450000003338'
 * @example canonicalValue('452.0') === '452'
 */
export function canonicalValue(text: string): string {
  const value = webVocabularyUri(text.trim());
  const number = readNumber(value);
  if (number !== undefined) return number;
  return digitalLinkOf(value) ?? value;
}

/**
 * A timestamp in UTC with exactly three decimals, rounded up from a fourth decimal of 5 to 9 as
 * CBV 2.0 says; text that is no ISO 8601 date-time is kept as it is. A date-time without an offset
 * is read as UTC (EPCIS requires the offset, so this only makes the answer independent of the host).
 *
 * @example canonicalTimestamp('2023-02-02T12:04:03.1415+01:00') === '2023-02-02T11:04:03.142Z'
 */
export function canonicalTimestamp(text: string): string {
  const trimmed = text.trim();
  const match = TIMESTAMP.exec(trimmed);
  if (!match) return trimmed;
  const [, year, month, day, hour, minute, second = '0', fraction = '', zulu, sign, offsetHours, offsetMinutes = '0'] = match;
  const date = new Date(0);
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  date.setUTCHours(Number(hour), Number(minute), Number(second), 0);
  // Date rolls 31 April over into May; a field out of range means the text is no timestamp.
  if (
    date.getUTCFullYear() !== Number(year) ||
    date.getUTCMonth() !== Number(month) - 1 ||
    date.getUTCDate() !== Number(day) ||
    date.getUTCHours() !== Number(hour) ||
    date.getUTCMinutes() !== Number(minute) ||
    date.getUTCSeconds() !== Number(second) ||
    Number(offsetHours ?? 0) > 23 ||
    Number(offsetMinutes) > 59
  ) {
    return trimmed;
  }
  const digits = fraction.padEnd(4, '0');
  const milliseconds = Number(digits.slice(0, 3)) + (Number(digits[3]) >= 5 ? 1 : 0);
  const offset = zulu !== undefined || sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes));
  return new Date(date.getTime() + milliseconds - offset * 60_000).toISOString();
}

/**
 * A finite number written as the reference implementation writes it (Python's `str` of an int or
 * float): integers in full, other numbers in their shortest round-trip form, in exponent form
 * below 1e-4.
 *
 * @example canonicalNumber(26.0) === '26'
 * @example canonicalNumber(0.00005) === '5e-05'
 */
export function canonicalNumber(value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  if (Number.isInteger(value)) return BigInt(value).toString();
  const [mantissa = '', exponent = '0'] = value.toExponential().split('e');
  const power = Number(exponent);
  return power < -4 ? `${mantissa}e-${String(-power).padStart(2, '0')}` : String(value);
}

// Optional seconds and fraction, then Z or an offset; what ISO 8601 and xsd:dateTime allow.
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

// The number syntax the reference implementation accepts (Python's float(), without inf and nan,
// which it leaves as text): a value such as "0614141" or "1e3" in any field becomes a number.
const NUMBER = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;

function readNumber(text: string): string | undefined {
  return NUMBER.test(text) ? canonicalNumber(Number(text.replaceAll('_', ''))) : undefined;
}

/**
 * A CBV value written as an EPCIS 1.x URN as its CBV 2.0 web URI; any other text as it is.
 *
 * @example webVocabularyUri('urn:epcglobal:cbv:bizstep:shipping') === 'https://ref.gs1.org/cbv/BizStep-shipping'
 */
export function webVocabularyUri(text: string): string {
  for (const [urn, webUri] of LEGACY_CBV_URN_PREFIXES) {
    if (text.startsWith(urn)) return webUri + text.slice(urn.length);
  }
  return text;
}

function digitalLinkOf(text: string): string | undefined {
  try {
    const canonical = canonicalDigitalLink(text);
    return canonical === undefined ? undefined : hashEscaping(finestIdentification(canonical));
  } catch (error) {
    // A URI that only looks like a GS1 form (an extension's https://example.com/01/abc) is still a
    // valid value; like the reference implementation, the hash keeps it as written.
    if (error instanceof SerialtraceError) return undefined;
    throw error;
  }
}

/**
 * The pre-hash escapes fewer characters of a value than serialtrace's canonical Digital Link:
 * GS1's reference algorithm, which the published hashes come from, leaves `'`, `;` and `=` as
 * they are (a UPUI serial `j7'SDB` stays `j7'SDB`).
 */
function hashEscaping(canonical: string): string {
  return canonical.replace(/%(27|3B|3D)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * CBV 2.0 constrains the canonical Digital Link further to the finest level of identification:
 * a GTIN or ITIP keeps its serial (21) but not the lot (10) beside it, and never the consumer
 * product variant (22). `https://id.gs1.org/01/{gtin}/10/L1/21/S1` becomes `.../01/{gtin}/21/S1`.
 */
function finestIdentification(canonical: string): string {
  const match = /^(https:\/\/id\.gs1\.org\/(?:01|8006)\/[^/]+)\/(.+)$/.exec(canonical);
  if (!match) return canonical;
  const [, key = '', path = ''] = match;
  const segments = path.split('/');
  const qualifiers = Array.from({ length: segments.length / 2 }, (_, i) => [segments[2 * i] ?? '', segments[2 * i + 1] ?? ''] as const);
  const serialised = qualifiers.some(([ai]) => ai === '21');
  const kept = qualifiers.filter(([ai]) => ai !== '22' && !(serialised && ai === '10'));
  return key + kept.map(([ai, value]) => `/${ai}/${value}`).join('');
}
