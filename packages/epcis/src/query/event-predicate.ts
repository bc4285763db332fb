import { SerialtraceError } from '@serialtrace/core';
import { canonicalTimestamp, webVocabularyUri } from '../event-hash/canonical-value.js';
import { BARE_TERM_VOCABULARIES, EPCIS_CONTEXT_PREFIXES, type BareTermVocabulary } from '../event-hash/cbv-vocabulary.js';
import { canonicalIdentifier, cbvUri } from '../repository/event-normal-form.js';

/** How a number or an instant compares with the bound a query gives. */
export type Comparison = 'EQ' | 'GT' | 'GE' | 'LT' | 'LE';

/** The sensor attributes compared as text, and where each lives: metadata, report, or both. */
export type SensorTextMember =
  | 'type'
  | 'deviceID'
  | 'dataProcessingMethod'
  | 'microorganism'
  | 'chemicalSubstance'
  | 'bizRules'
  | 'stringValue'
  | 'hexBinaryValue'
  | 'uriValue';

/** The numbers of a sensor report; all but `percRank` are in the report's `uom`. */
export type SensorNumberMember = 'value' | 'minValue' | 'maxValue' | 'meanValue' | 'sDev' | 'percValue' | 'percRank';

/**
 * The structure an extension field is looked for in, as the parameter names it: `EQ_<field>` the
 * event, `EQ_ILMD_<field>` its ilmd, `EQ_ERROR_DECLARATION_<field>`, `EQ_SENSORELEMENT_<field>`,
 * `EQ_SENSORMETADATA_<field>`, `EQ_SENSORREPORT_<field>`.
 */
export type FieldScope = 'event' | 'ilmd' | 'errorDeclaration' | 'sensorElement' | 'sensorMetadata' | 'sensorReport';

/** What an extension field's value must be: one of some texts, above or below a number or an instant, or there at all. */
export type FieldTest =
  | { readonly op: 'EQ'; readonly values: readonly string[] }
  | { readonly op: Exclude<Comparison, 'EQ'>; readonly number: number }
  | { readonly op: Exclude<Comparison, 'EQ'>; readonly time: string }
  | { readonly op: 'EXISTS' };

/**
 * A selection the store cannot make from its columns, tested on each candidate event document.
 * Plain data (JSON round-trips it), its values already in the normal form they are compared in:
 * vocabulary as web URIs, GS1 identifiers as canonical Digital Links, instants as UTC with
 * milliseconds. Within one condition any value will do (OR); every condition must hold (AND).
 *
 * @example
 * { kind: 'quantity', op: 'GE', value: 1 }                                  // GE_quantity=1
 * { kind: 'sensorNumber', member: 'value', op: 'GT', value: 30, uom: 'CEL' } // GT_value_CEL=30
 * { kind: 'field', scope: 'ilmd', inner: false, namespace: 'http://ns.example.com/epcis/', localName: 'grading',
 *   test: { op: 'EQ', values: ['A'] } }                                      // EQ_ILMD_http://ns.example.com/epcis/#grading=A
 */
export type ResidualCondition =
  /** `EQ_/GT_/GE_/LT_/LE_quantity`: the quantity of some QuantityElement, in any quantity list. */
  | { readonly kind: 'quantity'; readonly op: Comparison; readonly value: number }
  /** `EQ_persistentDisposition_set` / `_unset`: disposition web URIs. */
  | { readonly kind: 'persistentDisposition'; readonly member: 'set' | 'unset'; readonly values: readonly string[] }
  | { readonly kind: 'transformationId'; readonly values: readonly string[] }
  /** `GE_/LT_errorDeclarationTime`. */
  | { readonly kind: 'errorDeclarationTime'; readonly op: 'GE' | 'LT'; readonly time: string }
  /** `EQ_errorReason`: error reason web URIs (`https://ref.gs1.org/cbv/ER-incorrect_data`). */
  | { readonly kind: 'errorReason'; readonly values: readonly string[] }
  | { readonly kind: 'correctiveEventId'; readonly values: readonly string[] }
  /** `GE_/LT_startTime`, `GE_/LT_endTime` of a sensor element's metadata. */
  | { readonly kind: 'sensorTime'; readonly member: 'startTime' | 'endTime'; readonly op: 'GE' | 'LT'; readonly time: string }
  /** `EQ_type`, `EQ_deviceID`, `EQ_stringValue`, ...: some sensor metadata or report has one of the values. */
  | { readonly kind: 'sensorText'; readonly member: SensorTextMember; readonly values: readonly string[] }
  | { readonly kind: 'sensorBoolean'; readonly value: boolean }
  /**
   * `GE_value_CEL`, `LT_minValue_KGM`, `EQ_percRank`, ...: some report's number, in that unit (no
   * unit conversion: a report in FAH does not answer a query in CEL). No `uom` for percRank.
   */
  | { readonly kind: 'sensorNumber'; readonly member: SensorNumberMember; readonly op: Comparison; readonly value: number; readonly uom?: string }
  /**
   * An extension field named by its namespace and local name, at the top of its scope or, when
   * `inner`, nested at any depth inside one of the scope's top-level extension fields.
   */
  | {
      readonly kind: 'field';
      readonly scope: FieldScope;
      readonly inner: boolean;
      readonly namespace: string;
      readonly localName: string;
      readonly test: FieldTest;
    };

/**
 * Whether a stored event document (parsed JSON, identifiers as captured in URN or Digital Link)
 * meets every residual condition. Prefixed names in the event (`example:grading`, a measurement
 * type `example:Abc`) are read through the event's own `@context`, which capture keeps with it.
 *
 * @example meetsResidual({ type: 'ObjectEvent', quantityList: [{ epcClass: '...', quantity: 5 }] }, [{ kind: 'quantity', op: 'GT', value: 4 }]) === true
 */
export function meetsResidual(event: Readonly<Record<string, unknown>>, conditions: readonly ResidualCondition[]): boolean {
  if (conditions.length === 0) return true;
  const prefixes = contextPrefixes(event['@context']);
  return conditions.every((condition) => meets(event, condition, prefixes));
}

function meets(event: Readonly<Record<string, unknown>>, condition: ResidualCondition, prefixes: Prefixes): boolean {
  switch (condition.kind) {
    case 'quantity':
      return QUANTITY_LISTS.some((list) => records(event[list]).some((element) => compareNumber(numberOf(element.quantity), condition.op, condition.value)));
    case 'persistentDisposition': {
      const written = texts(record(event.persistentDisposition)?.[condition.member]);
      return written.some((value) => condition.values.includes(cbvUri('disposition', value)));
    }
    case 'transformationId': {
      const id = textOf(event.transformationID);
      return id !== undefined && condition.values.includes(identifierForm(id));
    }
    case 'errorDeclarationTime': {
      const time = instantOf(record(event.errorDeclaration)?.declarationTime);
      return time !== undefined && compareText(time, condition.op, condition.time);
    }
    case 'errorReason': {
      const reason = textOf(record(event.errorDeclaration)?.reason);
      return reason !== undefined && condition.values.includes(termUri('error-reason', reason, prefixes));
    }
    case 'correctiveEventId':
      return texts(record(event.errorDeclaration)?.correctiveEventIDs).some((id) => condition.values.includes(id.trim()));
    case 'sensorTime':
      return sensorElements(event).some((element) => {
        const time = instantOf(record(element.sensorMetadata)?.[condition.member]);
        return time !== undefined && compareText(time, condition.op, condition.time);
      });
    case 'sensorText':
      return sensorHolders(event, SENSOR_TEXT_HOLDERS[condition.member]).some((holder) => {
        const value = textOf(holder[condition.member]);
        if (value === undefined) return false;
        const form = sensorTextForm(condition.member, value, prefixes);
        // A query's prefixed type (`example:Abc`) is read with the event's prefixes too: the query has none of its own.
        return condition.values.some((wanted) => wanted === form || (condition.member === 'type' && termUri('measurementType', wanted, prefixes) === form));
      });
    case 'sensorBoolean':
      return sensorHolders(event, 'report').some((report) => booleanOf(report.booleanValue) === condition.value);
    case 'sensorNumber':
      return sensorHolders(event, 'report').some(
        (report) =>
          (condition.uom === undefined || textOf(report.uom)?.trim() === condition.uom) &&
          compareNumber(numberOf(report[condition.member]), condition.op, condition.value),
      );
    case 'field':
      return fieldValues(event, condition, prefixes).some((value) => meetsFieldTest(value, condition.test));
  }
}

// ---------------------------------------------------------------------------------------------
// Normal forms shared with the query parser, so that a value compares the same on both sides.

/**
 * A term of a CBV or GS1 vocabulary as its web URI: a bare term of the vocabulary, an EPCIS 1.x
 * URN, or a prefixed name (`cbv:`, `gs1:`, or a prefix of `prefixes`) all give one URI; any
 * other text is kept.
 *
 * @example termUri('error-reason', 'incorrect_data') === 'https://ref.gs1.org/cbv/ER-incorrect_data'
 * @example termUri('measurementType', 'gs1:Temperature') === 'https://gs1.org/voc/Temperature'
 */
export function termUri(vocabulary: BareTermVocabulary, value: string, prefixes: Prefixes = STANDARD_PREFIXES): string {
  const text = value.trim();
  const { prefix, terms } = BARE_TERM_VOCABULARIES[vocabulary];
  if ((terms as readonly string[]).includes(text)) return prefix + text;
  return expandPrefixed(webVocabularyUri(text), prefixes);
}

/**
 * An identifier in the form the repository compares: a GS1 key as its canonical Digital Link,
 * anything else as written. A malformed GS1 form is compared as written rather than refused:
 * the event was valid when captured, and a query value was checked when parsed.
 *
 * @example identifierForm('urn:epc:id:giai:4000001.111') === 'https://id.gs1.org/8004/4000001111'
 */
export function identifierForm(text: string): string {
  try {
    return canonicalIdentifier(text);
  } catch (error) {
    if (error instanceof SerialtraceError) return text.trim();
    throw error;
  }
}

/** The normal form of a sensor attribute's text, as both the query and the event write it. */
export function sensorTextForm(member: SensorTextMember, value: string, prefixes: Prefixes = STANDARD_PREFIXES): string {
  switch (member) {
    case 'type':
      return termUri('measurementType', value, prefixes);
    case 'deviceID':
      return identifierForm(value);
    case 'hexBinaryValue':
      // xsd:hexBinary is case-insensitive; its canonical form is upper case.
      return value.trim().toUpperCase();
    case 'stringValue':
      // A string value is data, not a name: compared exactly as written.
      return value;
    default:
      return value.trim();
  }
}

/**
 * Namespace prefixes (`example` -> `http://ns.example.com/epcis/`) an event's names are read with.
 * A map, not an object: a document may declare any name, `constructor` and `__proto__` included.
 */
export type Prefixes = ReadonlyMap<string, string>;

/** The prefixes the EPCIS 2.0 context defines, which every document may use undeclared. */
const STANDARD_PREFIXES: Prefixes = new Map(Object.entries(EPCIS_CONTEXT_PREFIXES));

/** The prefixes of a JSON-LD `@context` (a URL, an object, or a list of both) over those of the EPCIS context. */
export function contextPrefixes(context: unknown): Prefixes {
  const prefixes = new Map(STANDARD_PREFIXES);
  for (const part of Array.isArray(context) ? context : [context]) {
    const entries = record(part);
    if (entries === undefined) continue;
    for (const [name, value] of Object.entries(entries)) {
      if (name.startsWith('@')) continue;
      const iri = typeof value === 'string' ? value : textOf(record(value)?.['@id']);
      if (iri !== undefined) prefixes.set(name, iri);
    }
  }
  return prefixes;
}

/**
 * How two namespaces are told equal: XML names a namespace `http://ns.example.com/epcis`, JSON-LD
 * contexts write `http://ns.example.com/epcis/` (or end in `#`, or `:` for a URN) so that a local
 * name can follow; one trailing separator does not make another namespace.
 */
export function namespaceKey(namespace: string): string {
  return namespace.trim().replace(/[#/:]$/, '');
}

// ---------------------------------------------------------------------------------------------

type Json = Readonly<Record<string, unknown>>;

const QUANTITY_LISTS = ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'] as const;

/** Where each text attribute may stand: in a sensor element's metadata, in its reports, or in both. */
const SENSOR_TEXT_HOLDERS: Readonly<Record<SensorTextMember, 'metadata' | 'report' | 'both'>> = {
  type: 'report',
  deviceID: 'both',
  dataProcessingMethod: 'both',
  microorganism: 'report',
  chemicalSubstance: 'report',
  bizRules: 'metadata',
  stringValue: 'report',
  hexBinaryValue: 'report',
  uriValue: 'report',
};

const record = (value: unknown): Json | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined);
const records = (value: unknown): Json[] => (Array.isArray(value) ? value.map(record).filter((r): r is Json => r !== undefined) : []);
const textOf = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);
const texts = (value: unknown): string[] => (Array.isArray(value) ? value : [value]).map(textOf).filter((t): t is string => t !== undefined);

function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && NUMBER.test(value.trim())) return Number(value.trim());
  return undefined;
}

function booleanOf(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  return undefined;
}

/** The instant a timestamp names, UTC with milliseconds; undefined for text that is none. */
function instantOf(value: unknown): string | undefined {
  const text = textOf(value);
  if (text === undefined || !TIMESTAMP_WITH_ZONE.test(text.trim())) return undefined;
  const instant = canonicalTimestamp(text);
  return isInstant(instant) ? instant : undefined;
}

/** Whether `text` is an instant exactly as canonicalTimestamp writes one (and a real date). */
export function isInstant(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(text)) return false;
  const date = new Date(text);
  return !Number.isNaN(date.getTime()) && date.toISOString() === text;
}

/** Date, time and a zone (Z or an offset): a date-time without a zone names no one instant. */
export const TIMESTAMP_WITH_ZONE = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$/;

export const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function compareNumber(actual: number | undefined, op: Comparison, bound: number): boolean {
  if (actual === undefined) return false;
  return compare(actual === bound ? 0 : actual < bound ? -1 : 1, op);
}

/** Instants as canonical text sort as they follow each other. */
function compareText(actual: string, op: Comparison, bound: string): boolean {
  return compare(actual === bound ? 0 : actual < bound ? -1 : 1, op);
}

function compare(order: -1 | 0 | 1, op: Comparison): boolean {
  switch (op) {
    case 'EQ':
      return order === 0;
    case 'GT':
      return order > 0;
    case 'GE':
      return order >= 0;
    case 'LT':
      return order < 0;
    case 'LE':
      return order <= 0;
  }
}

function sensorElements(event: Json): Json[] {
  return records(event.sensorElementList);
}

function sensorHolders(event: Json, where: 'metadata' | 'report' | 'both'): Json[] {
  const holders: Json[] = [];
  for (const element of sensorElements(event)) {
    const metadata = record(element.sensorMetadata);
    if (where !== 'report' && metadata !== undefined) holders.push(metadata);
    if (where !== 'metadata') holders.push(...records(element.sensorReport));
  }
  return holders;
}

/** `prefix:local` with a known prefix as the IRI it stands for; any other text as it is. */
function expandPrefixed(text: string, prefixes: Prefixes): string {
  const colon = text.indexOf(':');
  if (colon <= 0) return text;
  const namespace = prefixes.get(text.slice(0, colon));
  // `https://... or `urn:...` is already an IRI; a prefix never starts a `//`.
  if (namespace === undefined || text.startsWith('//', colon + 1)) return text;
  return namespace + text.slice(colon + 1);
}

/** The namespace and local name a member's key stands for; undefined for the standard's own (unprefixed) members. */
function keyName(key: string, prefixes: Prefixes): { namespace: string; localName: string } | undefined {
  if (key.startsWith('@')) return undefined;
  const colon = key.indexOf(':');
  if (colon <= 0) return undefined;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(key) || key.startsWith('urn:')) {
    // A member named by a full IRI: the local name follows the last separator.
    const split = Math.max(key.lastIndexOf('#'), key.lastIndexOf('/'), key.startsWith('urn:') ? key.lastIndexOf(':') : -1);
    return split < 0 || split === key.length - 1 ? undefined : { namespace: key.slice(0, split + 1), localName: key.slice(split + 1) };
  }
  const namespace = prefixes.get(key.slice(0, colon));
  return namespace === undefined ? undefined : { namespace, localName: key.slice(colon + 1) };
}

function scopeObjects(event: Json, scope: FieldScope): Json[] {
  switch (scope) {
    case 'event':
      return [event];
    case 'ilmd':
      return [record(event.ilmd)].filter((r): r is Json => r !== undefined);
    case 'errorDeclaration':
      return [record(event.errorDeclaration)].filter((r): r is Json => r !== undefined);
    case 'sensorElement':
      return sensorElements(event);
    case 'sensorMetadata':
      return sensorElements(event)
        .map((element) => record(element.sensorMetadata))
        .filter((r): r is Json => r !== undefined);
    case 'sensorReport':
      return sensorElements(event).flatMap((element) => records(element.sensorReport));
  }
}

/** The values of every member the condition names, at the top of its scope or nested in the scope's extensions. */
function fieldValues(event: Json, condition: Extract<ResidualCondition, { kind: 'field' }>, prefixes: Prefixes): unknown[] {
  const wanted = namespaceKey(condition.namespace);
  const named = (key: string) => {
    const name = keyName(key, prefixes);
    return name !== undefined && name.localName === condition.localName && namespaceKey(name.namespace) === wanted;
  };
  const found: unknown[] = [];
  const walk = (value: unknown) => {
    for (const item of Array.isArray(value) ? value : [value]) {
      const object = record(item);
      if (object === undefined) continue;
      for (const [key, member] of Object.entries(object)) {
        if (named(key)) found.push(member);
        walk(member);
      }
    }
  };
  for (const object of scopeObjects(event, condition.scope)) {
    for (const [key, member] of Object.entries(object)) {
      // Only extension members (prefixed or full IRIs) are fields of this kind; `epcList` is none.
      if (keyName(key, prefixes) === undefined) continue;
      if (!condition.inner && named(key)) found.push(member);
      if (condition.inner) walk(member);
    }
  }
  return found;
}

/** A field's value as the scalars it holds: a list's items, a JSON-LD value object's `@value`. */
function scalars(value: unknown): (string | number | boolean)[] {
  if (Array.isArray(value)) return value.flatMap(scalars);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return [value];
  const object = record(value);
  return object !== undefined && '@value' in object ? scalars(object['@value']) : [];
}

function meetsFieldTest(value: unknown, test: FieldTest): boolean {
  if (test.op === 'EXISTS') return true;
  return scalars(value).some((scalar) => {
    if (test.op === 'EQ') return test.values.some((wanted) => sameScalar(scalar, wanted));
    if ('number' in test) return compareNumber(numberOf(scalar), test.op, test.number);
    const instant = instantOf(scalar);
    return instant !== undefined && compareText(instant, test.op, test.time);
  });
}

/** Equal as text, as numbers (`26` and `26.0`), or as instants written in two zones. */
function sameScalar(actual: string | number | boolean, wanted: string): boolean {
  const text = String(actual).trim();
  if (text === wanted.trim()) return true;
  const a = numberOf(actual);
  const b = numberOf(wanted);
  if (a !== undefined && b !== undefined) return a === b;
  const x = instantOf(actual);
  return x !== undefined && x === instantOf(wanted);
}
