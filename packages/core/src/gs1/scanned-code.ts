import { SerialtraceError } from '../errors/serialtrace-error.js';
import { daysInMonth, formatCivilDate } from '../time/civil-date.js';
import { aiEntry, GS1_CHARSETS, type AiEntry } from './ai-dictionary.js';
import { buildDigitalLink, parseDigitalLink } from './digital-link.js';
import { GS, GS1_SYMBOLOGY_IDS, parseBracketed, parseElementString, type AiValue } from './element-string.js';
import { canonicalDigitalLink, checkEpcisIdentifier } from './epc-identifier.js';

/**
 * How the scanners of a site write GS1 data.
 *
 * @example readScannedCode('0109506000134352~21ABC', { gs: '~' }) // GS written as '~'
 */
export interface ScannedCodeOptions {
  /**
   * The character a keyboard-wedge scanner sends for the GS1 separator (ASCII 29), e.g. '~' or
   * '|'; ASCII 29 itself is always understood. It must hold a character that GS1 data cannot
   * (one outside CSET 82), so it is never mistaken for part of a value.
   */
  readonly gs?: string;
}

/**
 * A code read to the identity the repository compares.
 *
 * @example { kind: 'gs1', notation: 'bracketed', identifier: 'https://id.gs1.org/01/09506000134352/21/ABC', instance: true, ais: [...], gtin: '09506000134352', serial: 'ABC' }
 */
export type ScannedCode =
  | {
      readonly kind: 'gs1';
      /**
       * How it was written: 'elementString' (with or without a symbology identifier such as ]d2,
       * ]C1, ]Q3, ]e0, ]J1), 'bracketed' ((01)...(21)...), 'digitalLink' (https://any.host/01/...),
       * 'epcUrn' (urn:epc:id:sgtin:..., sscc, sgln, grai, giai, urn:epc:class:lgtin:, ...).
       */
      readonly notation: 'elementString' | 'bracketed' | 'digitalLink' | 'epcUrn';
      /**
       * The canonical GS1 Digital Link of the instance, or of the class when the code names no
       * instance: what canonicalDigitalLink gives for the key's EPC URN, so it matches identifiers
       * stored from EPCIS events. A serial (21) or TPX (235) names the unit by itself, so a GTIN's
       * lot (10) and CPV (22) are then left out, as the SGTIN leaves them out.
       */
      readonly identifier: string;
      /** Whether the identifier names one instance (SGTIN, SSCC, GRAI with serial, GIAI, SGLN, ...) rather than a class. */
      readonly instance: boolean;
      /** Every AI the code carries, in order, data attributes such as (17) and (10) included. */
      readonly ais: readonly AiValue[];
      /** GTIN-14 (01) */
      readonly gtin?: string;
      /** (21) */
      readonly serial?: string;
      /** (10) */
      readonly lot?: string;
      /** (17) as YYYY-MM-DD; day 00 reads as the last day of its month, as GS1 says. */
      readonly expiry?: string;
      /** (00) */
      readonly sscc?: string;
    }
  /** Any other URI (urn:uuid:..., https://example.com/item/7 that is no Digital Link): kept as written, trimmed. */
  | { readonly kind: 'uri'; readonly identifier: string }
  /** Neither: a bare serial as a person types it (trimmed); the caller looks it up among its records. */
  | { readonly kind: 'text'; readonly text: string };

type Gs1Code = Extract<ScannedCode, { kind: 'gs1' }>;

/**
 * Reads a scanned or typed code in any notation. Surrounding whitespace (a scanner's CR, LF or
 * TAB suffix) is dropped; then, in this order:
 *
 * 1. A symbology identifier (`]` + two characters, ISO/IEC 15424): a GS1 one (]d2, ]C1, ]Q3, ]e0,
 *    ]J1) announces an element string; any other (]C0, ]Q1, ...) is dropped and the rest read
 *    again, since a plain QR code (]Q1) is how a Digital Link is printed.
 * 2. `http(s)://` with a GS1 key in its path is a Digital Link on any host (query attributes
 *    `?17=...&10=...` are read too); `urn:epc:` is an EPC URN. Both are read, and refused with
 *    EPCIS_IDENTIFIER_INVALID, exactly as EPCIS capture reads them (canonicalDigitalLink).
 *    Other URIs (`scheme://...`, `urn:nid:...`, EPC tag URNs) come back as `uri`; a colon alone
 *    does not make one, so `SN:12` stays text.
 * 3. `(` + an AI + `)` starts the bracketed form; spaces around the brackets, as labels print
 *    them, are dropped.
 * 4. An element string when the text holds an ASCII 29, the configured separator (and starts
 *    with a digit), or starts with the AI of a GS1 key that ends in a check digit followed by all
 *    its digits (`01` + 14, `00` + 18, `414` + 13, ...): GS1 then, so a wrong check digit or a
 *    cut value is refused with its GS1_* code, never taken for a serial. Other texts that start
 *    with digits are element strings only when they parse as one holding such a key
 *    (`17270331` + `01...`).
 * 5. Anything else is text: `12345`, `A-1002`, a GIAI or GINC without a symbology identifier
 *    (keys without a check digit cannot be told from serials), a GTIN without its AI.
 *
 * A digits-only serial that happens to read as a key (`01` + a GTIN with a right check digit)
 * is read as that key; one with a wrong check digit is refused.
 *
 * @example readScannedCode(']d201095060001343521727033110LOT1\u001d21ABC\r\n').identifier === 'https://id.gs1.org/01/09506000134352/21/ABC'
 * @example readScannedCode('urn:epc:id:sscc:9506000.0000000001').identifier === 'https://id.gs1.org/00/095060000000000015'
 * @example readScannedCode(' 12345 ') // { kind: 'text', text: '12345' }
 */
export function readScannedCode(text: string, options: ScannedCodeOptions = {}): ScannedCode {
  const gs = separatorOf(options.gs);
  const code = text.trim();
  if (code === '') throw new SerialtraceError('VALUE_INVALID', { field: 'code', reason: 'the code is empty' });
  const symbology = /^\][A-Za-z][0-9A-Za-z]/.exec(code)?.[0];
  if (symbology === undefined) return readCode(code, gs);
  const rest = code.slice(symbology.length);
  if ((GS1_SYMBOLOGY_IDS as readonly string[]).includes(symbology)) {
    return gs1Code('elementString', parseElementString(symbology + withGs(rest, gs)).ais);
  }
  const data = rest.trim();
  if (data === '') throw new SerialtraceError('VALUE_INVALID', { field: 'code', reason: `there is nothing after the symbology identifier ${symbology}` });
  return readCode(data, gs);
}

function readCode(code: string, gs: string | undefined): ScannedCode {
  if (/^https?:\/\//i.test(code)) {
    const canonical = canonicalDigitalLink(code);
    if (canonical === undefined) return { kind: 'uri', identifier: code };
    // canonicalDigitalLink reads the path only, and keeps only what identifies the unit; the
    // link's own data (a lot beside the serial, the query's attributes) is read from it as written.
    const query = /^[^?#]*\?([^#]*)/.exec(code)?.[1];
    let ais: readonly AiValue[];
    try {
      ais = parseDigitalLink(code);
    } catch {
      // A path with short names or a short GTIN, which the canonical form spells out.
      ais = parseDigitalLink(query === undefined ? canonical : `${canonical}?${query}`);
    }
    return gs1Code('digitalLink', ais);
  }
  // Case as canonicalDigitalLink has it, so a code is a GS1 form here exactly when it is one in EPCIS.
  if (code.startsWith('urn:epc:')) {
    const canonical = canonicalDigitalLink(code);
    return canonical === undefined ? { kind: 'uri', identifier: code } : gs1Code('epcUrn', parseDigitalLink(canonical));
  }
  if (/^(?:urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:|[A-Za-z][A-Za-z0-9+.-]*:\/\/)\S+$/i.test(code)) return { kind: 'uri', identifier: code };
  if (/^\(\d{2,4}\)/.test(code)) {
    // GS1 data hold no whitespace (CSET 82), so only the spaces a printed label puts around an AI go.
    const compact = code.replace(/\s+(?=\(\d{2,4}\))/g, '').replace(/(?<=(?:^|[^\\])\(\d{2,4}\))\s+/g, '');
    return gs1Code('bracketed', parseBracketed(compact));
  }
  const data = withGs(code, gs);
  const separated = code.includes(GS) || (data !== code && /^[\d\u001d]/.test(data));
  if (separated || startsWithCheckedKey(data)) return gs1Code('elementString', parseElementString(data).ais);
  if (/^\d{2}/.test(data)) {
    const ais = tryParseElementString(data);
    if (ais?.some(({ ai }) => checkedKeyLength(ai) !== undefined)) return gs1Code('elementString', ais);
  }
  return { kind: 'text', text: code };
}

function gs1Code(notation: Gs1Code['notation'], ais: readonly AiValue[]): Gs1Code {
  const identifier = identifierOf(ais);
  const value = (ai: string): string | undefined => ais.find((a) => a.ai === ai)?.value;
  const gtin = value('01');
  const serial = value('21');
  const lot = value('10');
  const expiry = value('17');
  const sscc = value('00');
  return {
    kind: 'gs1',
    notation,
    identifier,
    // EPCIS's own sorting of keys into instances and classes, so both agree on what a class is.
    instance: checkEpcisIdentifier(identifier, 'class').problem !== undefined,
    ais,
    ...(gtin === undefined ? {} : { gtin }),
    ...(serial === undefined ? {} : { serial }),
    ...(lot === undefined ? {} : { lot }),
    ...(expiry === undefined ? {} : { expiry: expiryDate(expiry) }),
    ...(sscc === undefined ? {} : { sscc }),
  };
}

/** The canonical Digital Link of the first GS1 key of `ais` and its qualifiers. */
function identifierOf(ais: readonly AiValue[]): string {
  const key = ais.find(({ ai }) => aiEntry(ai)?.dlPrimaryKey === true);
  if (key === undefined) {
    throw new SerialtraceError('GS1_AI_REQUIRED_MISSING', { ai: ais[0]?.ai ?? '', rule: 'key', required: 'a GS1 key such as (01), (00) or (414)' });
  }
  const qualifiers = new Set((aiEntry(key.ai) as AiEntry).dlQualifiers.flat());
  // The SGTIN (and ITIP) URN names a unit by its serial alone; leaving lot and CPV out keeps a
  // unit's label, whatever it prints besides, equal to the EPC its events carry.
  const serialised = ais.some(({ ai }) => ai === '21' || ai === '235');
  const path = ais.filter(({ ai }) => qualifiers.has(ai) && !(serialised && (ai === '10' || ai === '22')));
  const link = buildDigitalLink([key, ...path], { associations: false });
  const canonical = canonicalDigitalLink(link);
  if (canonical === undefined) {
    // Only keys of letters and digits (GIAI, GINC, CPID, GMN) get here: EPCIS would not read them as GS1 either.
    throw new SerialtraceError('GS1_AI_VALUE_INVALID', {
      ai: key.ai,
      value: key.value,
      rule: 'gcppos1',
      reason: 'a GS1 key starts with the digits of a GS1 Company Prefix',
    });
  }
  return canonical;
}

/**
 * `YYMMDD` as `YYYY-MM-DD`. Years are 2000-2099, as the (17) date check and readGs1Expiry take
 * them: GS1's sliding century window needs today's date, which core does not read, and it
 * differs only for years 50 and more from now.
 */
function expiryDate(yymmdd: string): string {
  const year = 2000 + Number(yymmdd.slice(0, 2));
  const month = Number(yymmdd.slice(2, 4));
  const day = Number(yymmdd.slice(4, 6));
  return formatCivilDate({ year, month, day: day === 0 ? daysInMonth(year, month) : day });
}

function separatorOf(gs: string | undefined): string | undefined {
  if (gs === undefined || gs === GS) return undefined;
  if (![...gs].some((char) => !GS1_CHARSETS.X.includes(char))) {
    throw new SerialtraceError('VALUE_INVALID', {
      field: 'gs',
      reason: `"${gs}" holds no character that GS1 data cannot (one outside CSET 82, such as ~ or |), so it could be part of a value`,
    });
  }
  return gs;
}

function withGs(text: string, gs: string | undefined): string {
  return gs === undefined ? text : text.replaceAll(gs, GS);
}

/** Digits from the AI up to the check digit of a GS1 key that has one ((01): 14, (8003): 14), else undefined. */
function checkedKeyLength(ai: string): number | undefined {
  const entry = aiEntry(ai);
  if (entry?.dlPrimaryKey !== true) return undefined;
  let length = 0;
  for (const component of entry.components) {
    if (component.charSet !== 'N' || component.optional || component.min !== component.max) return undefined;
    length += component.max;
    if (component.linters.includes('csum')) return length;
  }
  return undefined;
}

function startsWithCheckedKey(data: string): boolean {
  // AIs are prefix-free: at most one of the first 2, 3 or 4 digits is an AI.
  for (const size of [2, 3, 4]) {
    const length = checkedKeyLength(data.slice(0, size));
    if (length !== undefined) return new RegExp(`^\\d{${size + length}}`).test(data);
  }
  return false;
}

function tryParseElementString(data: string): AiValue[] | undefined {
  try {
    return parseElementString(data).ais;
  } catch (error) {
    if (error instanceof SerialtraceError) return undefined;
    throw error;
  }
}
