import { problem, SerialtraceError, showValue, type Problem } from '../errors/serialtrace-error.js';
import type { ParsedFormat } from '../format/format-node.js';
import { sequenceWidth } from '../format/format-renderer.js';
import { firstCharOutside } from '../gs1/ai-dictionary.js';
import { gs1CheckDigit, isValidKey, toGtin14 } from '../gs1/check-digit.js';
import { buildDigitalLink } from '../gs1/digital-link.js';
import { buildBracketed, buildElementString, type AiValue } from '../gs1/element-string.js';
import { COMPANY_PREFIX_LENGTHS, sgtinUrn, ssccUrn } from '../gs1/epc-urn.js';

/** AI (21) serial numbers: at most 20 characters of GS1 character set 82. */
export const GS1_SERIAL_MAX_LENGTH = 20;
/** An SSCC before its check digit: extension digit, company prefix and serial reference. */
export const SSCC_BODY_LENGTH = 17;

const DATE_TOKEN_WIDTHS: Readonly<Record<string, number>> = { YYYY: 4, GGGG: 4, JJJ: 3 };

/**
 * The shortest and longest serial a format can print, in characters; `max` is `null` when context
 * values (whose length comes with each request) or a growing sequence make it open-ended.
 *
 * @example renderedLength(parseFormat('SN{YY}{####}'), 4, false) // { min: 8, max: 8 }
 */
export function renderedLength(format: ParsedFormat, minLength: number, allowGrowth: boolean): { min: number; max: number | null } {
  let min = 0;
  let open = false;
  for (const node of format.nodes) {
    switch (node.kind) {
      case 'literal':
        min += node.text.length;
        break;
      case 'date':
        min += DATE_TOKEN_WIDTHS[node.token] ?? 2;
        break;
      case 'sequence':
        min += sequenceWidth(node, minLength);
        if (allowGrowth) open = true;
        break;
      case 'context':
        min += 1;
        open = true;
        break;
    }
  }
  return { min, max: open ? null : min };
}

/** The GS1 fields of a series, as read from a caller's description. */
export interface Gs1Fields {
  readonly gtin: string | null;
  readonly sscc: boolean;
  readonly companyPrefix: string | null;
  readonly extensionDigit: number | null;
}

/** Reads the GS1 fields, refusing malformed keys and prefixes; each problem names its field. */
export function readGs1Fields(
  input: { gtin?: unknown; sscc?: unknown; companyPrefix?: unknown; extensionDigit?: unknown },
  sscc: boolean,
  problems: Problem[],
): Gs1Fields {
  const present = (value: unknown) => value !== undefined && value !== null && value !== '';
  let gtin: string | null = null;
  if (present(input.gtin)) {
    const text = typeof input.gtin === 'number' ? String(input.gtin) : input.gtin;
    if (typeof text !== 'string' || !/^\d{8}$|^\d{12,14}$/.test(text.trim())) {
      problems.push(problem('VALUE_INVALID', { field: 'gtin', reason: `"${showValue(input.gtin)}" is not a GTIN of 8, 12, 13 or 14 digits` }));
    } else if (!isValidKey(text.trim())) {
      const digits = text.trim();
      problems.push(
        problem('GS1_CHECK_DIGIT_INVALID', {
          field: 'gtin',
          kind: 'GTIN',
          key: digits,
          expected: String(gs1CheckDigit(digits.slice(0, -1))),
          actual: digits.slice(-1),
        }),
      );
    } else gtin = toGtin14(text.trim());
  }
  let companyPrefix: string | null = null;
  if (present(input.companyPrefix)) {
    const text = typeof input.companyPrefix === 'number' ? String(input.companyPrefix) : input.companyPrefix;
    const { min, max } = COMPANY_PREFIX_LENGTHS;
    if (typeof text !== 'string' || !new RegExp(`^\\d{${min},${max}}$`).test(text.trim())) {
      problems.push(
        problem('VALUE_INVALID', { field: 'companyPrefix', reason: `"${showValue(input.companyPrefix)}" is not a GS1 company prefix of ${min} to ${max} digits` }),
      );
    } else companyPrefix = text.trim();
  }
  let extensionDigit: number | null = null;
  if (present(input.extensionDigit)) {
    const text = String(input.extensionDigit).trim();
    if (!/^\d$/.test(text)) problems.push(problem('VALUE_INVALID', { field: 'extensionDigit', reason: `"${showValue(input.extensionDigit)}" is not one digit 0-9` }));
    else extensionDigit = Number(text);
  }

  if (gtin !== null && sscc) problems.push(problem('VALUE_INVALID', { field: 'gtin', reason: 'a series issues either serials of a GTIN or SSCCs, not both' }));
  if (sscc) {
    if (!present(input.companyPrefix)) problems.push(problem('VALUE_INVALID', { field: 'companyPrefix', reason: 'an SSCC series needs its GS1 company prefix' }));
    if (!present(input.extensionDigit)) problems.push(problem('VALUE_INVALID', { field: 'extensionDigit', reason: 'an SSCC series needs its extension digit (0-9)' }));
  } else {
    if (extensionDigit !== null) problems.push(problem('VALUE_INVALID', { field: 'extensionDigit', reason: 'only SSCC series have an extension digit' }));
    if (companyPrefix !== null && gtin === null) {
      problems.push(problem('VALUE_INVALID', { field: 'companyPrefix', reason: 'a company prefix belongs to a series bound to a GTIN or issuing SSCCs' }));
    }
    if (companyPrefix !== null && gtin !== null && gtin.slice(1, 1 + companyPrefix.length) !== companyPrefix) {
      problems.push(
        problem('VALUE_INVALID', {
          field: 'companyPrefix',
          reason: `GTIN ${gtin} does not carry company prefix ${companyPrefix} after its indicator digit`,
        }),
      );
    }
  }
  return { gtin, sscc, companyPrefix, extensionDigit };
}

/** The format an SSCC series prints before its check digit: extension digit, prefix, serial reference. */
export function ssccFormat(companyPrefix: string, extensionDigit: number): string {
  return `${extensionDigit}${companyPrefix}{${'#'.repeat(SSCC_BODY_LENGTH - 1 - companyPrefix.length)}}`;
}

/**
 * What a GS1 binding asks of the format: a GTIN series prints valid AI (21) values (20
 * characters of set 82 at most); an SSCC series prints exactly its 17 digits, starting with its
 * extension digit and company prefix, from a numeric sequence that cannot grow.
 */
export function gs1FormatProblems(
  fields: Gs1Fields,
  format: ParsedFormat,
  settings: { readonly base: string; readonly minLength: number; readonly allowGrowth: boolean },
): Problem[] {
  const problems: Problem[] = [];
  const length = renderedLength(format, settings.minLength, settings.allowGrowth);
  if (fields.gtin !== null) {
    for (const node of format.nodes) {
      if (node.kind !== 'literal') continue;
      const outside = firstCharOutside(node.text, 'X');
      if (outside !== undefined) {
        problems.push(
          problem('VALUE_INVALID', {
            field: 'format',
            position: node.position + outside.index,
            length: 1,
            reason: `"${outside.char}" is not allowed in a GS1 serial number (AI 21 takes GS1 character set 82)`,
          }),
        );
        break;
      }
    }
    if (length.min > GS1_SERIAL_MAX_LENGTH) {
      problems.push(
        problem('VALUE_INVALID', {
          field: 'format',
          reason: `its serials are at least ${length.min} characters long; a GS1 serial number (AI 21) has at most ${GS1_SERIAL_MAX_LENGTH}`,
        }),
      );
    }
  }
  if (fields.sscc && fields.companyPrefix !== null && fields.extensionDigit !== null) {
    const lead = `${fields.extensionDigit}${fields.companyPrefix}`;
    const first = format.nodes[0];
    const digitsOnly = format.nodes.every((n) => n.kind !== 'literal' || /^\d*$/.test(n.text));
    if (settings.base !== 'numeric') problems.push(problem('VALUE_INVALID', { field: 'base', reason: 'an SSCC is all digits; use the numeric base' }));
    if (settings.allowGrowth) problems.push(problem('VALUE_INVALID', { field: 'allowGrowth', reason: 'an SSCC has exactly 18 digits, so its sequence cannot grow' }));
    if (format.nodes.some((n) => n.kind === 'context')) {
      problems.push(problem('VALUE_INVALID', { field: 'format', reason: 'an SSCC is all digits of fixed length; context tokens cannot be part of it' }));
    } else if (!digitsOnly || first?.kind !== 'literal' || !first.text.startsWith(lead) || length.max !== SSCC_BODY_LENGTH) {
      problems.push(
        problem('VALUE_INVALID', {
          field: 'format',
          reason: `an SSCC series prints 17 digits starting with its extension digit and company prefix (${lead}), such as "${ssccFormat(fields.companyPrefix, fields.extensionDigit)}"; its check digit is added`,
        }),
      );
    }
  }
  return problems;
}

/**
 * Refuses a rendered serial that is no valid AI (21) value. The format was checked when the
 * series was saved, so only context values (whose text comes with the request) can fail here.
 */
export function assertGs1Serial(serial: string): void {
  if (serial.length > GS1_SERIAL_MAX_LENGTH) {
    throw new SerialtraceError('GS1_AI_VALUE_INVALID', {
      field: 'context',
      ai: '21',
      value: serial,
      rule: 'length',
      reason: `${serial.length} characters; a serial number has at most ${GS1_SERIAL_MAX_LENGTH}`,
    });
  }
  const outside = firstCharOutside(serial, 'X');
  if (outside !== undefined) {
    throw new SerialtraceError('GS1_AI_VALUE_INVALID', {
      field: 'context',
      ai: '21',
      value: serial,
      rule: 'charset',
      reason: `"${outside.char}" at position ${outside.index + 1} is outside GS1 character set 82`,
    });
  }
}

/** AI (10) batch/lot numbers: at most 20 characters of GS1 character set 82. */
export const GS1_LOT_MAX_LENGTH = 20;

/**
 * Reads a lot number for a GS1 item (AI 10), or `null` when none is given.
 *
 * @example readGs1Lot('L-2026/11', problems) === 'L-2026/11'
 */
export function readGs1Lot(value: unknown, problems: Problem[], field = 'lot'): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') {
    problems.push(problem('VALUE_INVALID', { field, reason: 'it must be text' }));
    return null;
  }
  if (value.length > GS1_LOT_MAX_LENGTH) {
    problems.push(
      problem('GS1_AI_VALUE_INVALID', { field, ai: '10', value, rule: 'length', reason: `${value.length} characters; a lot number has at most ${GS1_LOT_MAX_LENGTH}` }),
    );
    return null;
  }
  const outside = firstCharOutside(value, 'X');
  if (outside !== undefined) {
    problems.push(
      problem('GS1_AI_VALUE_INVALID', {
        field,
        ai: '10',
        value,
        rule: 'charset',
        reason: `"${outside.char}" at position ${outside.index + 1} is outside GS1 character set 82`,
      }),
    );
    return null;
  }
  return value;
}

/**
 * Reads an expiry date (AI 17) given as `YYYY-MM-DD` or in GS1's own `YYMMDD`, and returns it as
 * `YYYY-MM-DD`. Day `00` means the end of the month, as GS1 allows; years are 2000-2099, the
 * years AI (17) can print.
 *
 * @example readGs1Expiry('270300', problems) === '2027-03-00'
 */
export function readGs1Expiry(value: unknown, problems: Problem[], field = 'expiry'): string | null {
  if (value === undefined || value === null || value === '') return null;
  const text = typeof value === 'string' ? value.trim() : '';
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text) ?? /^()(\d{2})(\d{2})(\d{2})$/.exec(text);
  let year: number;
  let month: number;
  let day: number;
  if (match === null) {
    problems.push(problem('VALUE_INVALID', { field, reason: `"${showValue(value)}" is not a date as YYYY-MM-DD or YYMMDD` }));
    return null;
  }
  if (match.length === 4) {
    year = Number(match[1]);
    month = Number(match[2]);
    day = Number(match[3]);
  } else {
    year = 2000 + Number(match[2]);
    month = Number(match[3]);
    day = Number(match[4]);
  }
  const daysInMonth = month >= 1 && month <= 12 ? new Date(Date.UTC(year, month, 0)).getUTCDate() : 0;
  if (year < 2000 || year > 2099 || daysInMonth === 0 || day > daysInMonth) {
    problems.push(
      problem('GS1_AI_VALUE_INVALID', {
        field,
        ai: '17',
        value: text,
        rule: 'yymmd0',
        reason: year < 2000 || year > 2099 ? 'AI (17) prints years 2000 to 2099' : 'no such day',
      }),
    );
    return null;
  }
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** `2027-03-00` as AI (17) prints it: `270300`. */
export function expiryToYymmdd(expiry: string): string {
  return expiry.slice(2, 4) + expiry.slice(5, 7) + expiry.slice(8, 10);
}

/** How a record of a GS1 series is identified in each of GS1's notations. */
export interface Gs1Identity {
  /** GTIN-14 of the item (series bound to a GTIN). */
  readonly gtin: string | null;
  /** The SSCC (SSCC series); the serial itself. */
  readonly sscc: string | null;
  readonly ais: readonly AiValue[];
  /** `(01)09520123456788(17)270331(10)L1(21)SN1` */
  readonly bracketed: string;
  /** The same data with ASCII 29 (GS) after each variable-length value but the last, as a scanner sends it. */
  readonly elementString: string;
  readonly digitalLink: string;
  /** `urn:epc:id:sgtin:...` or `urn:epc:id:sscc:...`; `null` when the series does not know its company prefix. */
  readonly epcUrn: string | null;
}

/**
 * The GS1 identity of a serial of a GTIN or SSCC series, or `null` for other series. Fixed-length
 * AIs come first (01, 17), so only the lot needs a separator before the serial.
 *
 * @example gs1Identity(settings (GTIN 09520123456788), { serial: 'A1', lot: null, expiry: null })?.bracketed === '(01)09520123456788(21)A1'
 */
export function gs1Identity(
  settings: Pick<Gs1Fields, 'gtin' | 'sscc' | 'companyPrefix'>,
  item: { readonly serial: string; readonly lot: string | null; readonly expiry: string | null },
  options: { readonly digitalLinkBase?: string } = {},
): Gs1Identity | null {
  let ais: AiValue[];
  let epcUrn: string | null = null;
  const prefixLength = settings.companyPrefix?.length ?? null;
  if (settings.gtin !== null) {
    ais = [{ ai: '01', value: settings.gtin }];
    if (item.expiry !== null) ais.push({ ai: '17', value: expiryToYymmdd(item.expiry) });
    if (item.lot !== null) ais.push({ ai: '10', value: item.lot });
    ais.push({ ai: '21', value: item.serial });
    if (prefixLength !== null) epcUrn = sgtinUrn(settings.gtin, prefixLength, item.serial);
  } else if (settings.sscc) {
    ais = [{ ai: '00', value: item.serial }];
    if (prefixLength !== null) epcUrn = ssccUrn(item.serial, prefixLength);
  } else return null;
  const base = options.digitalLinkBase === undefined ? {} : { base: options.digitalLinkBase };
  return {
    gtin: settings.gtin,
    sscc: settings.sscc ? item.serial : null,
    ais,
    bracketed: buildBracketed(ais),
    elementString: buildElementString(ais),
    digitalLink: buildDigitalLink(ais, base),
    epcUrn,
  };
}
