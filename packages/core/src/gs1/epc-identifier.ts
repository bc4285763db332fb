import { problem, SerialtraceError, type Problem } from '../errors/serialtrace-error.js';
import { aiEntry } from './ai-dictionary.js';
import { gs1CheckDigit } from './check-digit.js';
import { buildDigitalLink, parseDigitalLink } from './digital-link.js';
import { type AiValue } from './element-string.js';
import { COMPANY_PREFIX_LENGTHS, escapeEpcComponent, lgtinUrn, sglnUrn, sgtinPatternUrn, sgtinUrn, ssccUrn } from './epc-urn.js';

/** What an identifier stands for in an EPCIS event; `transaction` and `any` take every GS1 form. */
export type EpcisIdentifierRole = 'epc' | 'class' | 'location' | 'party' | 'transaction' | 'any';

/**
 * The short names GS1 Digital Link 1.1 allowed instead of AIs in the path (`/gtin/...`); later
 * versions dropped them, but EPCIS documents still carry them.
 */
const DL_SHORT_NAMES: Readonly<Record<string, string>> = {
  sscc: '00',
  gtin: '01',
  lot: '10',
  ser: '21',
  cpv: '22',
  gdti: '253',
  glnx: '254',
  gcn: '255',
  ginc: '401',
  gsin: '402',
  gln: '414',
  payTo: '415',
  party: '417',
  grai: '8003',
  giai: '8004',
  itip: '8006',
  cpid: '8010',
  cpsn: '8011',
  gmn: '8013',
  gsrnp: '8017',
  gsrn: '8018',
  srin: '8019',
  refNo: '8020',
};

/** EPC schemes of the Tag Data Standard that carry no GS1 key, so they have no Digital Link form. */
const NON_GS1_SCHEMES: ReadonlySet<string> = new Set(['gid', 'usdod', 'adi', 'bic', 'imovn']);

/** A GS1 identifier read from either notation: its canonical Digital Link and the AIs of its path. */
interface Gs1Identifier {
  readonly canonical: string;
  readonly ais: readonly AiValue[];
}

/**
 * The canonical GS1 Digital Link URI (on https://id.gs1.org, primary key and key qualifiers only,
 * GTINs as 14 digits) of an EPC URN or of a GS1 Digital Link URI on any host; undefined for any
 * other text, which EPCIS keeps as it is. Refuses with EPCIS_IDENTIFIER_INVALID text that claims
 * to be a GS1 form (`urn:epc:...`, or an http(s) path holding a primary key such as `/01/`) but is
 * malformed or has a wrong check digit.
 *
 * @example canonicalDigitalLink('urn:epc:id:sgln:4012345.00011.987') === 'https://id.gs1.org/414/4012345000115/254/987'
 */
export function canonicalDigitalLink(text: string): string | undefined {
  return readGs1Identifier(text)?.canonical;
}

/**
 * Like canonicalDigitalLink, but answers a problem instead of throwing, and checks that the
 * identifier fits its role: an EPC for `epc` (an instance, or an SGLN or PGLN, which the Tag
 * Data Standard counts as EPCs too), a class (GTIN, GTIN and lot, asset type, ...)
 * for `class`, a GLN (414) for `location`, a party GLN (417, or 414 without extension) for `party`.
 * Texts that are no GS1 form are fine for every role (canonical undefined, no problem).
 *
 * @example checkEpcisIdentifier('urn:epc:id:sscc:4012345.0000000111', 'location').problem?.code === 'EPCIS_IDENTIFIER_INVALID'
 */
export function checkEpcisIdentifier(text: string, role: EpcisIdentifierRole): { readonly canonical: string | undefined; readonly problem?: Problem } {
  let identifier: Gs1Identifier | undefined;
  try {
    identifier = readGs1Identifier(text);
  } catch (error) {
    if (!(error instanceof SerialtraceError)) throw error;
    return { canonical: undefined, problem: problem(error.code, error.details) };
  }
  if (identifier === undefined) return { canonical: undefined };
  const category = categoryOf(identifier.ais);
  if (role === 'any' || role === 'transaction' || ROLE_CATEGORIES[role].includes(category)) return { canonical: identifier.canonical };
  const key = identifier.ais[0]?.ai ?? '';
  return {
    canonical: identifier.canonical,
    problem: problem('EPCIS_IDENTIFIER_INVALID', {
      kind: ROLE_NOUNS[role],
      value: text,
      reason: `it names ${CATEGORY_NOUNS[category]} (AI ${key}), not ${ROLE_WANTED[role]}`,
    }),
  };
}

/**
 * The EPC URN of a GS1 Digital Link identifier, given the length of its GS1 company prefix (6 to
 * 12; a Digital Link does not carry it). Class identifiers answer their class or pattern URN
 * (`/01/{gtin}` gives `urn:epc:idpat:sgtin:...*`, `/01/{gtin}/10/{lot}` an LGTIN). undefined when
 * the text is no Digital Link or the identifier has no URN form (a CPV, a lot next to a serial,
 * (415), (8013), a (7040) or (8019) qualifier).
 *
 * @example digitalLinkToEpcUrn('https://id.gs1.org/01/80614141123458/21/6789', 7) === 'urn:epc:id:sgtin:0614141.812345.6789'
 */
export function digitalLinkToEpcUrn(digitalLink: string, companyPrefixLength: number): string | undefined {
  const identifier = /^https?:\/\//i.test(digitalLink) ? readGs1Identifier(digitalLink) : undefined;
  if (identifier === undefined) return undefined;
  const L = companyPrefixLength;
  if (!Number.isInteger(L) || L < COMPANY_PREFIX_LENGTHS.min || L > COMPANY_PREFIX_LENGTHS.max) {
    throw new SerialtraceError('VALUE_INVALID', {
      field: 'companyPrefixLength',
      reason: `${String(L)} is not a GS1 company prefix length; expected a whole number from 6 to 12`,
    });
  }
  const [key = { ai: '', value: '' }, ...qualifiers] = identifier.ais;
  const v = key.value;
  const shape = qualifiers.map((q) => q.ai).join(',');
  const q = (ai: string): string => qualifiers.find((a) => a.ai === ai)?.value ?? '';
  /** Company prefix and the digits after it, for keys whose check digit the URN drops. */
  const split = (digits: string, referenceLength: number): string => `${digits.slice(0, L)}.${digits.slice(L, L + referenceLength)}`;
  /** GTIN-14 as URN fields: prefix, then indicator digit and item reference. */
  const gtinFields = (gtin: string): string => `${gtin.slice(1, 1 + L)}.${gtin[0] ?? ''}${gtin.slice(1 + L, 13)}`;
  /** Keys with an alphanumeric reference after the prefix (GIAI, GINC, CPID). */
  const prefixed = (scheme: string, value: string, escape: (text: string) => string): string => {
    if (!/^\d+$/.test(value.slice(0, L)) || value.length <= L) {
      throw new SerialtraceError('EPCIS_IDENTIFIER_INVALID', {
        kind: 'GS1 Digital Link URI',
        value: digitalLink,
        reason: `"${value}" does not start with a ${L}-digit company prefix followed by a reference, as the ${scheme} URN needs`,
      });
    }
    return `${value.slice(0, L)}.${escape(value.slice(L))}`;
  };
  switch (`${key.ai}:${shape}`) {
    case '01:21':
      return sgtinUrn(v, L, q('21'));
    case '01:10':
      return lgtinUrn(v, L, q('10'));
    case '01:':
      return sgtinPatternUrn(v, L);
    case '01:235':
      return `urn:epc:id:upui:${gtinFields(v)}.${escapeEpcComponent(q('235'))}`;
    case '00:':
      return ssccUrn(v, L);
    case '414:':
      return sglnUrn(v, L);
    case '414:254':
      return sglnUrn(v, L, q('254'));
    case '417:':
      return `urn:epc:id:pgln:${split(v, 12 - L)}`;
    case '8003:':
      return v.length > 14 ? `urn:epc:id:grai:${split(v.slice(1), 12 - L)}.${escapeEpcComponent(v.slice(14))}` : `urn:epc:idpat:grai:${split(v.slice(1), 12 - L)}.*`;
    case '8004:':
      return `urn:epc:id:giai:${prefixed('GIAI', v, escapeEpcComponent)}`;
    case '8017:':
      return `urn:epc:id:gsrnp:${split(v, 17 - L)}`;
    case '8018:':
      return `urn:epc:id:gsrn:${split(v, 17 - L)}`;
    case '253:':
      return v.length > 13 ? `urn:epc:id:gdti:${split(v, 12 - L)}.${escapeEpcComponent(v.slice(13))}` : `urn:epc:idpat:gdti:${split(v, 12 - L)}.*`;
    case '255:':
      return v.length > 13 ? `urn:epc:id:sgcn:${split(v, 12 - L)}.${v.slice(13)}` : `urn:epc:idpat:sgcn:${split(v, 12 - L)}.*`;
    case '8010:8011':
      return `urn:epc:id:cpi:${prefixed('CPI', v, escapeEpcComponent)}.${q('8011')}`;
    case '8010:':
      return `urn:epc:idpat:cpi:${prefixed('CPI', v, escapeEpcComponent)}.*`;
    case '401:':
      return `urn:epc:id:ginc:${prefixed('GINC', v, escapeEpcComponent)}`;
    case '402:':
      return `urn:epc:id:gsin:${split(v, 16 - L)}`;
    case '8006:21':
      return `urn:epc:id:itip:${gtinFields(v)}.${v.slice(14, 16)}.${v.slice(16, 18)}.${escapeEpcComponent(q('21'))}`;
    case '8006:':
      return `urn:epc:idpat:itip:${gtinFields(v)}.${v.slice(14, 16)}.${v.slice(16, 18)}.*`;
    default:
      return undefined;
  }
}

/** `gln` is a GLN (414) alone, which names a place and a party alike; `location` is one with an extension. */
type Category = 'instance' | 'class' | 'gln' | 'location' | 'party' | 'other';

const ROLE_CATEGORIES: Readonly<Record<'epc' | 'class' | 'location' | 'party', readonly Category[]>> = {
  // SGLN and PGLN are EPC schemes of the Tag Data Standard too; an association names a place as its parent.
  epc: ['instance', 'gln', 'location', 'party'],
  class: ['class'],
  location: ['gln', 'location'],
  party: ['gln', 'party'],
};

const ROLE_NOUNS: Readonly<Record<'epc' | 'class' | 'location' | 'party', string>> = {
  epc: 'EPC',
  class: 'EPC class',
  location: 'location',
  party: 'party',
};

const ROLE_WANTED: Readonly<Record<'epc' | 'class' | 'location' | 'party', string>> = {
  epc: 'an EPC (an instance, a location or a party)',
  class: 'a class of objects',
  location: 'a location (GLN, with or without extension)',
  party: 'a party (GLN without extension)',
};

const CATEGORY_NOUNS: Readonly<Record<Category, string>> = {
  instance: 'an instance EPC',
  class: 'a class of objects',
  gln: 'a GLN',
  location: 'a location with an extension',
  party: 'a party GLN',
  other: 'a GS1 key that is no EPC, class, location or party',
};

/** What the AIs of a canonical Digital Link name. */
function categoryOf(ais: readonly AiValue[]): Category {
  const [key = { ai: '', value: '' }, ...rest] = ais;
  const has = (ai: string) => rest.some((a) => a.ai === ai);
  switch (key.ai) {
    case '01':
      return has('21') || has('235') ? 'instance' : 'class';
    case '8006':
      return has('21') ? 'instance' : 'class';
    case '00':
    case '8004':
    case '8017':
    case '8018':
    case '401':
    case '402':
      return 'instance';
    case '8003':
      return key.value.length > 14 ? 'instance' : 'class';
    case '253':
    case '255':
      return key.value.length > 13 ? 'instance' : 'class';
    case '8010':
      return has('8011') ? 'instance' : 'class';
    case '8013':
      return 'class';
    case '414':
      return rest.length === 0 ? 'gln' : 'location';
    case '417':
      return 'party';
    default:
      return 'other';
  }
}

/** The GS1 identifier `text` holds, undefined when it is no GS1 form; refuses malformed GS1 forms. */
function readGs1Identifier(text: string): Gs1Identifier | undefined {
  // Tag and raw URIs encode a tag's bits, not an identity; EPCIS keeps them as they are.
  if (text.startsWith('urn:epc:tag:') || text.startsWith('urn:epc:raw:')) return undefined;
  if (text.startsWith('urn:epc:')) {
    const ais = wrap('EPC URN', text, () => epcUrnAis(text));
    return ais === undefined ? undefined : { ais, canonical: wrap('EPC URN', text, () => buildDigitalLink(ais)) };
  }
  const path = digitalLinkPath(text);
  if (path === undefined) return undefined;
  return wrap('GS1 Digital Link URI', text, () => {
    // Only the path: data attributes in the query are not part of the identifier.
    const parsed = parseDigitalLink(`https://id.gs1.org${path}`);
    // A serialised item is its GTIN and serial, as its SGTIN URN says: a lot (10) or consumer
    // product variant (22) beside the serial qualifies nothing more, so the same unit is one
    // identifier whichever notation names it.
    const serialised = parsed[0]?.ai === '01' && parsed.some((a) => a.ai === '21');
    const ais = serialised ? parsed.filter((a) => a.ai !== '10' && a.ai !== '22') : parsed;
    return { ais, canonical: buildDigitalLink(ais) };
  });
}

/**
 * The path of an http(s) URI from its primary key on, with short names replaced by AIs and a
 * short GTIN padded to 14 digits; undefined when the path holds no primary key whose value
 * starts with four digits, followed by qualifier and value pairs.
 */
function digitalLinkPath(text: string): string | undefined {
  const match = /^https?:\/\/[^/?#]+(\/[^?#]*)?(?:[?#].*)?$/i.exec(text);
  if (match === null) return undefined;
  const segments = (match[1] ?? '').split('/').slice(1);
  if (segments.at(-1) === '') segments.pop();
  const aiOf = (segment: string) => DL_SHORT_NAMES[segment] ?? segment;
  // Every GS1 key value starts with digits of a company prefix; asking for four of them keeps
  // paths such as /2000/01/rdf-schema from passing for a GTIN.
  const start = segments.findIndex(
    (segment, index) => (segments.length - index) % 2 === 0 && aiEntry(aiOf(segment))?.dlPrimaryKey === true && /^\d{4}/.test(segments[index + 1] ?? ''),
  );
  if (start < 0) return undefined;
  const path = segments.slice(start).map((segment, index) => (index % 2 === 0 ? aiOf(segment) : segment));
  // Digital Link accepts GTIN-8, -12 and -13 under /01/; the canonical form pads them.
  if (path[0] === '01' && /^(\d{8}|\d{12}|\d{13})$/.test(path[1] ?? '')) path[1] = (path[1] ?? '').padStart(14, '0');
  return `/${path.join('/')}`;
}

/** Runs `read` and turns any refusal into EPCIS_IDENTIFIER_INVALID, keeping the cause as the reason. */
function wrap<T>(kind: string, value: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof SerialtraceError) || error.code === 'EPCIS_IDENTIFIER_INVALID') throw error;
    throw new SerialtraceError('EPCIS_IDENTIFIER_INVALID', { kind, value, reason: error.message, cause: error.code });
  }
}

/**
 * The AIs of an EPC URN (pure identity, LGTIN class, or the ID patterns that name a class);
 * undefined for EPC forms without a GS1 key (GID, USDOD, ..., and patterns wider than a class).
 */
function epcUrnAis(urn: string): AiValue[] | undefined {
  const fail = (reason: string): never => {
    throw new SerialtraceError('EPCIS_IDENTIFIER_INVALID', { kind: 'EPC URN', value: urn, reason });
  };
  const head = /^urn:epc:(id|class|idpat):([A-Za-z0-9-]+):(.*)$/.exec(urn);
  if (head === null) return fail('expected urn:epc:id:, urn:epc:class: or urn:epc:idpat: followed by a scheme and its fields');
  const [, family = '', scheme = '', body = ''] = head;
  if (NON_GS1_SCHEMES.has(scheme)) return undefined;
  const fields = body.split('.');
  /** The first `count - 1` fields, then the rest joined again: serials may hold dots. */
  const take = (count: number): string[] => {
    if (fields.length < count) fail(`expected ${count} dot-separated fields after "${scheme}:"`);
    return [...fields.slice(0, count - 1), fields.slice(count - 1).join('.')];
  };
  const exactly = (count: number): string[] => {
    if (fields.length !== count) fail(`expected ${count} dot-separated fields after "${scheme}:"`);
    return fields;
  };
  const prefix = (text: string): string => {
    if (!/^\d+$/.test(text) || text.length < COMPANY_PREFIX_LENGTHS.min || text.length > COMPANY_PREFIX_LENGTHS.max) {
      fail(`the company prefix "${text}" must be 6 to 12 digits`);
    }
    return text;
  };
  const digits = (text: string, length: number, name: string): string => {
    if (!new RegExp(`^\\d{${length}}$`).test(text)) fail(`the ${name} "${text}" must be ${length} digits with this company prefix`);
    return text;
  };
  const text = (value: string, name: string): string => {
    if (value === '') fail(`the ${name} is missing`);
    if (/%(?![0-9A-Fa-f]{2})/.test(value) || !/^[A-Za-z0-9!'()*+,\-.:;=_%]*$/.test(value)) fail(`the ${name} "${value}" has characters an EPC URN must escape`);
    return value.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  };
  const withCheck = (body: string): string => body + String(gs1CheckDigit(body));
  /** A GTIN-14 from prefix and indicator-plus-item-reference fields. */
  const gtin = (cp: string, reference: string): string => {
    const p = prefix(cp);
    const r = digits(reference, 13 - p.length, 'indicator digit and item reference');
    return withCheck(r.slice(0, 1) + p + r.slice(1));
  };
  /** A 13-digit key (GLN, GDTI, GRAI, GCN) from prefix and reference fields. */
  const key13 = (cp: string, reference: string, name: string): string => {
    const p = prefix(cp);
    return withCheck(p + digits(reference, 12 - p.length, name));
  };
  const wildcard = (value: string): void => {
    if (value !== '*') fail('an ID pattern that names a class ends in ".*"');
  };

  if (family === 'class') {
    if (scheme !== 'lgtin') return fail(`"${scheme}" is not an EPC class scheme (lgtin)`);
    const [cp = '', ref = '', lot = ''] = take(3);
    return [{ ai: '01', value: gtin(cp, ref) }, { ai: '10', value: text(lot, 'lot') }];
  }
  if (family === 'idpat') {
    // Patterns with a wildcard before the last field (every GTIN of a company, ...) have no Digital Link form.
    if (fields.slice(1, -1).includes('*')) return undefined;
    switch (scheme) {
      case 'sgtin':
      case 'upui': {
        const [cp = '', ref = '', star = ''] = exactly(3);
        wildcard(star);
        return [{ ai: '01', value: gtin(cp, ref) }];
      }
      case 'grai': {
        const [cp = '', type = '', star = ''] = exactly(3);
        wildcard(star);
        return [{ ai: '8003', value: `0${key13(cp, type, 'asset type')}` }];
      }
      case 'gdti': {
        const [cp = '', type = '', star = ''] = exactly(3);
        wildcard(star);
        return [{ ai: '253', value: key13(cp, type, 'document type') }];
      }
      case 'sgcn': {
        const [cp = '', ref = '', star = ''] = exactly(3);
        wildcard(star);
        return [{ ai: '255', value: key13(cp, ref, 'coupon reference') }];
      }
      case 'cpi': {
        const [cp = '', ref = '', star = ''] = exactly(3);
        wildcard(star);
        return [{ ai: '8010', value: prefix(cp) + cpiReference(ref, fail) }];
      }
      case 'itip': {
        const [cp = '', ref = '', piece = '', total = '', star = ''] = exactly(5);
        wildcard(star);
        return [{ ai: '8006', value: gtin(cp, ref) + digits(piece, 2, 'piece') + digits(total, 2, 'total') }];
      }
      case 'sscc':
      case 'sgln':
      case 'giai':
      case 'gsrn':
      case 'gsrnp':
      case 'ginc':
      case 'gsin':
      case 'pgln':
        return undefined;
      default:
        return fail(`"${scheme}" is not an EPC pattern scheme of the Tag Data Standard`);
    }
  }
  switch (scheme) {
    case 'sgtin': {
      const [cp = '', ref = '', serial = ''] = take(3);
      return [{ ai: '01', value: gtin(cp, ref) }, { ai: '21', value: text(serial, 'serial') }];
    }
    case 'sscc': {
      const [cp = '', ref = ''] = exactly(2);
      const p = prefix(cp);
      const r = digits(ref, 17 - p.length, 'extension digit and serial reference');
      return [{ ai: '00', value: withCheck(r.slice(0, 1) + p + r.slice(1)) }];
    }
    case 'sgln': {
      const [cp = '', ref = '', extension = ''] = take(3);
      const gln = key13(cp, ref, 'location reference');
      // Extension 0 is how the URN says there is none.
      return extension === '0' ? [{ ai: '414', value: gln }] : [{ ai: '414', value: gln }, { ai: '254', value: text(extension, 'extension') }];
    }
    case 'pgln': {
      const [cp = '', ref = ''] = exactly(2);
      return [{ ai: '417', value: key13(cp, ref, 'party reference') }];
    }
    case 'grai': {
      const [cp = '', type = '', serial = ''] = take(3);
      return [{ ai: '8003', value: `0${key13(cp, type, 'asset type')}${text(serial, 'serial')}` }];
    }
    case 'gdti': {
      const [cp = '', type = '', serial = ''] = take(3);
      return [{ ai: '253', value: key13(cp, type, 'document type') + text(serial, 'serial') }];
    }
    case 'sgcn': {
      const [cp = '', ref = '', serial = ''] = exactly(3);
      if (!/^\d{1,12}$/.test(serial)) fail(`the serial "${serial}" must be 1 to 12 digits`);
      return [{ ai: '255', value: key13(cp, ref, 'coupon reference') + serial }];
    }
    case 'giai':
    case 'ginc': {
      const [cp = '', ref = ''] = take(2);
      return [{ ai: scheme === 'giai' ? '8004' : '401', value: prefix(cp) + text(ref, scheme === 'giai' ? 'asset reference' : 'consignment reference') }];
    }
    case 'gsrn':
    case 'gsrnp': {
      const [cp = '', ref = ''] = exactly(2);
      const p = prefix(cp);
      return [{ ai: scheme === 'gsrn' ? '8018' : '8017', value: withCheck(p + digits(ref, 17 - p.length, 'service reference')) }];
    }
    case 'gsin': {
      const [cp = '', ref = ''] = exactly(2);
      const p = prefix(cp);
      return [{ ai: '402', value: withCheck(p + digits(ref, 16 - p.length, 'shipper reference')) }];
    }
    case 'cpi': {
      const [cp = '', ref = '', serial = ''] = exactly(3);
      if (!/^(0|[1-9]\d{0,11})$/.test(serial)) fail(`the serial "${serial}" must be 1 to 12 digits without leading zeros`);
      return [{ ai: '8010', value: prefix(cp) + cpiReference(ref, fail) }, { ai: '8011', value: serial }];
    }
    case 'itip': {
      const [cp = '', ref = '', piece = '', total = '', serial = ''] = take(5);
      return [
        { ai: '8006', value: gtin(cp, ref) + digits(piece, 2, 'piece') + digits(total, 2, 'total') },
        { ai: '21', value: text(serial, 'serial') },
      ];
    }
    case 'upui': {
      const [cp = '', ref = '', tpx = ''] = take(3);
      return [{ ai: '01', value: gtin(cp, ref) }, { ai: '235', value: text(tpx, 'third-party extension') }];
    }
    default:
      return fail(`"${scheme}" is not an EPC scheme of the Tag Data Standard`);
  }
}

/** A CPI part reference: digits, capitals and `-`, with `#` and `/` escaped as %23 and %2F. */
function cpiReference(text: string, fail: (reason: string) => never): string {
  if (!/^(?:[0-9A-Z-]|%23|%2[Ff])+$/.test(text)) fail(`the part reference "${text}" may hold only 0-9, A-Z, -, %23 (#) and %2F (/)`);
  return text.replace(/%23/g, '#').replace(/%2[Ff]/g, '/');
}
