import { refuseOnErrors, SerialtraceError } from '../errors/serialtrace-error.js';
import { completeKey, verifyKey } from './check-digit.js';
import { checkAis } from './element-string.js';

/** GS1 company prefixes are 6 to 12 digits long; the length is not written in the key itself. */
export const COMPANY_PREFIX_LENGTHS = { min: 6, max: 12 } as const;

/** A pure identity EPC URN, read back into its GS1 key. */
export type EpcIdentity =
  | { readonly scheme: 'sgtin'; readonly gtin: string; readonly serial: string; readonly companyPrefixLength: number }
  | { readonly scheme: 'sscc'; readonly sscc: string; readonly companyPrefixLength: number }
  | { readonly scheme: 'sgln'; readonly gln: string; readonly extension: string; readonly companyPrefixLength: number };

/**
 * Escapes a serial or extension per the EPC Tag Data Standard: letters, digits and
 * `! ' ( ) * + , - . : ; = _` stay; `" % & / < > ?` become %XX.
 *
 * @example escapeEpcComponent('A/B%C') === 'A%2FB%25C'
 */
export function escapeEpcComponent(value: string): string {
  return value.replace(/[^A-Za-z0-9!'()*+,\-.:;=_]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * The SGTIN URN of a GTIN-14 and serial: the indicator digit moves in front of the item
 * reference and the check digit is dropped.
 *
 * @example sgtinUrn('80614141123458', 7, '6789') === 'urn:epc:id:sgtin:0614141.812345.6789'
 */
export function sgtinUrn(gtin: string, companyPrefixLength: number, serial: string): string {
  verifyKey(gtin, 'GTIN-14');
  checkPrefixLength(companyPrefixLength);
  refuseOnErrors(checkAis([{ ai: '21', value: serial }], { associations: false }));
  return `urn:epc:id:sgtin:${gtinReference(gtin, companyPrefixLength)}.${escapeEpcComponent(serial)}`;
}

/**
 * The LGTIN class URN of a GTIN-14 and lot (AI 10), which names every item of one lot.
 *
 * @example lgtinUrn('04012345123456', 7, '998877') === 'urn:epc:class:lgtin:4012345.012345.998877'
 */
export function lgtinUrn(gtin: string, companyPrefixLength: number, lot: string): string {
  verifyKey(gtin, 'GTIN-14');
  checkPrefixLength(companyPrefixLength);
  refuseOnErrors(checkAis([{ ai: '10', value: lot }], { associations: false }));
  return `urn:epc:class:lgtin:${gtinReference(gtin, companyPrefixLength)}.${escapeEpcComponent(lot)}`;
}

/**
 * The SGTIN pattern URN that matches every serial of a GTIN-14, as EPCIS queries use it.
 *
 * @example sgtinPatternUrn('04012345987652', 7) === 'urn:epc:idpat:sgtin:4012345.098765.*'
 */
export function sgtinPatternUrn(gtin: string, companyPrefixLength: number): string {
  verifyKey(gtin, 'GTIN-14');
  checkPrefixLength(companyPrefixLength);
  return `urn:epc:idpat:sgtin:${gtinReference(gtin, companyPrefixLength)}.*`;
}

/** Company prefix, a dot, then the indicator digit and item reference; the check digit is dropped. */
function gtinReference(gtin: string, L: number): string {
  return `${gtin.slice(1, 1 + L)}.${gtin[0] ?? ''}${gtin.slice(1 + L, 13)}`;
}

/**
 * The SSCC URN: the extension digit moves in front of the serial reference.
 *
 * @example ssccUrn('106141412345678908', 7) === 'urn:epc:id:sscc:0614141.1234567890'
 */
export function ssccUrn(sscc: string, companyPrefixLength: number): string {
  verifyKey(sscc, 'SSCC');
  checkPrefixLength(companyPrefixLength);
  const L = companyPrefixLength;
  return `urn:epc:id:sscc:${sscc.slice(1, 1 + L)}.${sscc[0] ?? ''}${sscc.slice(1 + L, 17)}`;
}

/**
 * The SGLN URN of a GLN and its extension (AI 254); extension `0` means none.
 *
 * @example sglnUrn('0614141123452', 7, '400') === 'urn:epc:id:sgln:0614141.12345.400'
 */
export function sglnUrn(gln: string, companyPrefixLength: number, extension = '0'): string {
  verifyKey(gln, 'GLN');
  checkPrefixLength(companyPrefixLength);
  if (extension !== '0') refuseOnErrors(checkAis([{ ai: '254', value: extension }], { associations: false }));
  const L = companyPrefixLength;
  return `urn:epc:id:sgln:${gln.slice(0, L)}.${gln.slice(L, 12)}.${escapeEpcComponent(extension)}`;
}

/**
 * Reads an SGTIN, SSCC or SGLN URN back into its key, recomputing the check digit.
 *
 * @example parseEpcUrn('urn:epc:id:sscc:0614141.1234567890') // { scheme: 'sscc', sscc: '106141412345678908', companyPrefixLength: 7 }
 */
export function parseEpcUrn(urn: string): EpcIdentity {
  const fail = (reason: string): never => {
    throw new SerialtraceError('EPC_URN_INVALID', { urn, reason });
  };
  const match = /^urn:epc:id:(sgtin|sscc|sgln):(\d+)\.(\d*)(?:\.(.*))?$/.exec(urn) ?? fail('expected urn:epc:id:sgtin:, sscc: or sgln: with dot-separated parts');
  const [, scheme, prefix = '', reference = '', rest] = match;
  const L = prefix.length;
  if (L < COMPANY_PREFIX_LENGTHS.min || L > COMPANY_PREFIX_LENGTHS.max) fail(`the company prefix has ${L} digits; expected 6 to 12`);
  const unescape = (text: string): string => {
    if (/%(?![0-9A-Fa-f]{2})/.test(text) || !/^[A-Za-z0-9!'()*+,\-.:;=_%]*$/.test(text)) fail(`"${text}" has characters an EPC URN must escape`);
    return text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  };
  switch (scheme) {
    case 'sgtin': {
      if (prefix.length + reference.length !== 13) fail('company prefix and item reference must have 13 digits together');
      if (rest === undefined || rest === '') fail('the serial is missing');
      const serial = unescape(rest ?? '');
      refuseOnErrors(checkAis([{ ai: '21', value: serial }], { associations: false }));
      return { scheme, gtin: completeKey(reference.slice(0, 1) + prefix + reference.slice(1)), serial, companyPrefixLength: L };
    }
    case 'sscc': {
      if (rest !== undefined) fail('an SSCC URN has two parts');
      if (prefix.length + reference.length !== 17) fail('company prefix and serial reference must have 17 digits together');
      return { scheme, sscc: completeKey(reference.slice(0, 1) + prefix + reference.slice(1)), companyPrefixLength: L };
    }
    default: {
      if (prefix.length + reference.length !== 12) fail('company prefix and location reference must have 12 digits together');
      if (rest === undefined || rest === '') fail('the extension is missing (0 when there is none)');
      return { scheme: 'sgln', gln: completeKey(prefix + reference), extension: unescape(rest ?? ''), companyPrefixLength: L };
    }
  }
}

function checkPrefixLength(length: number): void {
  if (!Number.isInteger(length) || length < COMPANY_PREFIX_LENGTHS.min || length > COMPANY_PREFIX_LENGTHS.max) {
    throw new SerialtraceError('VALUE_INVALID', {
      field: 'companyPrefixLength',
      reason: `${String(length)} is not a GS1 company prefix length; expected a whole number from 6 to 12`,
    });
  }
}
