import { canonicalDigitalLink } from '@serialtrace/core';
import { eventHashId } from '../event-hash/event-hash.js';
import { canonicalTimestamp, webVocabularyUri } from '../event-hash/canonical-value.js';
import { BARE_TERM_VOCABULARIES } from '../event-hash/cbv-vocabulary.js';

/**
 * Where an identifier appears in an event, as the standard query parameters tell them apart:
 * `MATCH_epc` looks at `epc` and `child`, `MATCH_anyEPC` at every instance role, and the `...Class`
 * roles are the epcClass members of the quantity lists.
 */
export type EventIdentifierRole =
  | 'epc'
  | 'parent'
  | 'child'
  | 'input'
  | 'output'
  | 'class'
  | 'childClass'
  | 'inputClass'
  | 'outputClass'
  | LinkRole;

/**
 * A business transaction, source or destination of one type, as a role: the kind and the type's
 * web URI, so that `EQ_bizTransaction_po=...` is one range of the identifiers' key like an EPC.
 */
export type LinkRole = `bizTransaction ${string}` | `source ${string}` | `destination ${string}`;

/** The lists an event names its business transactions, sources and destinations in. */
const LINK_LISTS = [
  ['bizTransactionList', 'bizTransaction', 'bizTransaction-type'],
  ['sourceList', 'source', 'source-dest-type'],
  ['destinationList', 'destination', 'source-dest-type'],
] as const;

/**
 * The role of a business transaction, source or destination of a type, written as a bare CBV term
 * (`po`, `owning_party`), an EPCIS 1.x URN or a web URI: all three give one role.
 *
 * @example linkRole('bizTransaction', 'po') === 'bizTransaction https://ref.gs1.org/cbv/BTT-po'
 */
export function linkRole(kind: 'bizTransaction' | 'source' | 'destination', type: string): LinkRole {
  const vocabulary = BARE_TERM_VOCABULARIES[kind === 'bizTransaction' ? 'bizTransaction-type' : 'source-dest-type'];
  const text = type.trim();
  const uri = (vocabulary.terms as readonly string[]).includes(text)
    ? vocabulary.prefix + text
    : text.startsWith('cbv:')
      ? `https://ref.gs1.org/cbv/${text.slice('cbv:'.length)}`
      : webVocabularyUri(text);
  return `${kind} ${uri}`;
}

/** The parts of an event the repository selects on, in one normal form whatever notation was captured. */
export interface EventNormalForm {
  /** The eventID as captured, or the event hash when it has none. */
  readonly eventId: string;
  /** The CBV 2.0 event hash, whatever the eventID. */
  readonly eventHash: string;
  readonly type: string;
  /** UTC with milliseconds (`2020-03-04T10:00:30.000Z`), so that instants sort as text. */
  readonly eventTime: string;
  readonly eventTimeZoneOffset: string;
  readonly action: string | null;
  /** Web URIs: a bare CBV term or an EPCIS 1.x URN becomes `https://ref.gs1.org/cbv/...`. */
  readonly bizStep: string | null;
  readonly disposition: string | null;
  readonly readPoint: string | null;
  readonly bizLocation: string | null;
  readonly errorDeclared: boolean;
  /** Each identifier once per role, GS1 keys as their canonical Digital Link. */
  readonly identifiers: readonly { readonly role: EventIdentifierRole; readonly identifier: string }[];
}

const INSTANCE_LISTS: readonly (readonly [member: string, role: EventIdentifierRole])[] = [
  ['epcList', 'epc'],
  ['childEPCs', 'child'],
  ['inputEPCList', 'input'],
  ['outputEPCList', 'output'],
];

const QUANTITY_LISTS: readonly (readonly [member: string, role: EventIdentifierRole])[] = [
  ['quantityList', 'class'],
  ['childQuantityList', 'childClass'],
  ['inputQuantityList', 'inputClass'],
  ['outputQuantityList', 'outputClass'],
];

/**
 * An identifier in the one form the repository stores and compares: a GS1 key (EPC URN or
 * Digital Link on any host) as its canonical Digital Link, any other URI as written. A malformed
 * GS1 form throws EPCIS_IDENTIFIER_INVALID (capture has refused those already).
 *
 * @example canonicalIdentifier('urn:epc:id:sscc:4012345.0000000111') === 'https://id.gs1.org/00/040123450000001112'
 */
export function canonicalIdentifier(text: string): string {
  const trimmed = text.trim();
  return canonicalDigitalLink(trimmed) ?? trimmed;
}

/**
 * A business step or disposition as its web URI: a bare CBV term (`shipping`) or an EPCIS 1.x
 * URN (`urn:epcglobal:cbv:bizstep:shipping`) becomes `https://ref.gs1.org/cbv/BizStep-shipping`;
 * any other URI is kept.
 *
 * @example cbvUri('disposition', 'in_transit') === 'https://ref.gs1.org/cbv/Disp-in_transit'
 */
export function cbvUri(vocabulary: 'bizStep' | 'disposition', value: string): string {
  const text = value.trim();
  const { prefix, terms } = BARE_TERM_VOCABULARIES[vocabulary];
  if ((terms as readonly string[]).includes(text)) return prefix + text;
  if (text.startsWith('cbv:')) return `https://ref.gs1.org/cbv/${text.slice('cbv:'.length)}`;
  return webVocabularyUri(text);
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value : null);
const idOf = (value: unknown): string | null => (typeof value === 'object' && value !== null ? text((value as { id?: unknown }).id) : null);

/**
 * The normal form of a validated event: its id and hash, its time in UTC, its vocabulary as web
 * URIs and every identifier it names, by role. `context` is the document's @context (for the
 * event hash's namespace prefixes).
 *
 * @example
 * eventNormalForm({ type: 'ObjectEvent', eventTime: '2020-03-04T11:00:30+01:00', eventTimeZoneOffset: '+01:00',
 *   epcList: ['urn:epc:id:sgtin:0614141.107346.2018'], action: 'OBSERVE', bizStep: 'shipping' }).identifiers
 * // [{ role: 'epc', identifier: 'https://id.gs1.org/01/10614141073464/21/2018' }]
 */
export function eventNormalForm(event: Readonly<Record<string, unknown>>, context?: unknown): EventNormalForm {
  const eventHash = eventHashId(event, context);
  const identifiers: { role: EventIdentifierRole; identifier: string }[] = [];
  const seen = new Set<string>();
  const add = (role: EventIdentifierRole, value: unknown) => {
    const written = text(value);
    if (written === null) return;
    const identifier = canonicalIdentifier(written);
    const key = `${role} ${identifier}`;
    if (seen.has(key)) return;
    seen.add(key);
    identifiers.push({ role, identifier });
  };
  add('parent', event.parentID);
  for (const [member, role] of INSTANCE_LISTS) {
    const list = event[member];
    if (Array.isArray(list)) for (const epc of list) add(role, epc);
  }
  for (const [member, role] of QUANTITY_LISTS) {
    const list = event[member];
    if (Array.isArray(list)) for (const element of list) add(role, (element as { epcClass?: unknown } | null)?.epcClass);
  }
  for (const [member, kind] of LINK_LISTS) {
    const list = event[member];
    if (!Array.isArray(list)) continue;
    for (const element of list) {
      const { type, bizTransaction, source, destination } = (element ?? {}) as Record<string, unknown>;
      // A business transaction may be untyped; a source or destination always has a type.
      const typeText = typeof type === 'string' && type.trim() !== '' ? type : '';
      add(linkRole(kind, typeText), kind === 'bizTransaction' ? bizTransaction : kind === 'source' ? source : destination);
    }
  }
  const readPoint = idOf(event.readPoint);
  const bizLocation = idOf(event.bizLocation);
  const bizStep = text(event.bizStep);
  const disposition = text(event.disposition);
  return {
    eventId: text(event.eventID) ?? eventHash,
    eventHash,
    type: String(event.type),
    eventTime: canonicalTimestamp(String(event.eventTime)),
    eventTimeZoneOffset: String(event.eventTimeZoneOffset),
    action: text(event.action),
    bizStep: bizStep === null ? null : cbvUri('bizStep', bizStep),
    disposition: disposition === null ? null : cbvUri('disposition', disposition),
    readPoint: readPoint === null ? null : canonicalIdentifier(readPoint),
    bizLocation: bizLocation === null ? null : canonicalIdentifier(bizLocation),
    errorDeclared: typeof event.errorDeclaration === 'object' && event.errorDeclaration !== null,
    identifiers,
  };
}
