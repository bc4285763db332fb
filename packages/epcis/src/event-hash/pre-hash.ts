import { SerialtraceError } from '@serialtrace/core';
import { BARE_TERM_MEMBERS, BARE_TERM_VOCABULARIES, EPCIS_CONTEXT_PREFIXES } from './cbv-vocabulary.js';
import { canonicalTimestamp, canonicalNumber, canonicalValue } from './canonical-value.js';

/** What a caller may leave out of the hash besides what CBV 2.0 always leaves out. */
export interface EventHashOptions {
  /**
   * Top-level members a repository added to the event (its own capture id, a stored hash), named
   * as written (`example:captureID`) or expanded (`{https://ns.example.com/epcis/}captureID`).
   */
  readonly ignoreFields?: readonly string[];
}

/**
 * The canonical pre-hash string of one EPCIS 2.0 event (JSON-LD as captured), per CBV 2.0:
 * standard fields in the canonical order, lists sorted, values canonical, then ILMD, the business
 * transaction, source and destination lists and the user extensions, sorted. `context` is the
 * document's `@context` (for the namespace prefixes of user extensions); without it the event's own.
 *
 * @example
 * eventPreHash({ type: 'ObjectEvent', eventTime: '2020-03-04T11:00:30+01:00', eventTimeZoneOffset: '+01:00',
 *   epcList: ['urn:epc:id:sscc:4012345.0000000111'], action: 'OBSERVE', bizStep: 'shipping' })
 * // 'eventType=ObjectEventeventTime=2020-03-04T10:00:30.000ZeventTimeZoneOffset=+01:00epcListepc=https://id.gs1.org/00/040123450000001112action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-shipping'
 */
export function eventPreHash(event: Readonly<Record<string, unknown>>, context?: unknown, options: EventHashOptions = {}): string {
  const type = event.type;
  if (typeof type !== 'string' || type === '') {
    throw new SerialtraceError('EPCIS_EVENT_INVALID', { reason: 'an event needs a "type" to be hashed', rule: 'schema', field: '/type' });
  }
  const reader = new EventReader(context ?? event['@context']);
  const ignored = new Set(options.ignoreFields ?? []);
  const members = Object.entries(event).filter(([key]) => !NOT_HASHED.has(key) && !ignored.has(key) && !ignored.has(reader.name(key)));
  const { text, rest } = renderFields(reader.members(members, 'event'), EVENT_FIELDS);
  return `eventType=${type}${text}${sorted(rest.map(renderGeneric)).join('')}`;
}

/**
 * One member of an event as the pre-hash sees it. Names of user extensions are written
 * `{namespace}localName`; values have their CURIEs and bare CBV terms expanded but are otherwise
 * as captured, because timestamps and other values are made canonical differently.
 */
interface HashNode {
  readonly name: string;
  readonly value: string;
  readonly children: readonly HashNode[];
  /** Set on a business transaction, source or destination, whose type comes before its identifier. */
  readonly keepOrder?: boolean;
}

/** The canonical property order of CBV 2.0, as data: what each standard structure holds, in order. */
type CanonicalField =
  | { readonly kind: 'value'; readonly name: string }
  | { readonly kind: 'timestamp'; readonly name: string }
  | { readonly kind: 'structure'; readonly name: string; readonly fields: readonly CanonicalField[] };

const value = (name: string): CanonicalField => ({ kind: 'value', name });
const timestamp = (name: string): CanonicalField => ({ kind: 'timestamp', name });
const structure = (name: string, fields: readonly CanonicalField[]): CanonicalField => ({ kind: 'structure', name, fields });
const epcs = (name: string) => structure(name, [value('epc')]);
const quantities = (name: string) => structure(name, [structure('quantityElement', [value('epcClass'), value('quantity'), value('uom')])]);

const SENSOR_METADATA = structure('sensorMetadata', [
  timestamp('time'), timestamp('startTime'), timestamp('endTime'), value('deviceID'), value('deviceMetadata'),
  value('rawData'), value('dataProcessingMethod'), value('bizRules'),
]);
const SENSOR_REPORT = structure('sensorReport', [
  value('type'), value('exception'), value('deviceID'), value('deviceMetadata'), value('rawData'),
  value('dataProcessingMethod'), timestamp('time'), value('microorganism'), value('chemicalSubstance'), value('value'),
  value('component'), value('stringValue'), value('booleanValue'), value('hexBinaryValue'), value('uriValue'),
  value('minValue'), value('maxValue'), value('meanValue'), value('sDev'), value('percRank'), value('percValue'),
  value('uom'), value('coordinateReferenceSystem'),
]);

// bizTransactionList, sourceList and destinationList are missing on purpose: the reference
// implementation, whose test vectors GS1 publishes, writes them after the ordered fields, sorted
// together with ilmd and the user extensions, and every published hash depends on that.
const EVENT_FIELDS: readonly CanonicalField[] = [
  timestamp('eventTime'), value('eventTimeZoneOffset'), value('certificationInfo'), value('parentID'),
  epcs('epcList'), epcs('inputEPCList'), epcs('childEPCs'),
  quantities('quantityList'), quantities('childQuantityList'), quantities('inputQuantityList'),
  epcs('outputEPCList'), quantities('outputQuantityList'),
  value('action'), value('transformationID'), value('bizStep'), value('disposition'),
  structure('persistentDisposition', [value('set'), value('unset')]),
  structure('readPoint', [value('id')]), structure('bizLocation', [value('id')]),
  structure('sensorElementList', [structure('sensorElement', [SENSOR_METADATA, SENSOR_REPORT])]),
];

/**
 * Members that never enter the hash: the type is written first as eventType; eventID and
 * recordTime are not what happened; an error declaration added later must not change the hash,
 * so that it names the event it corrects.
 */
const NOT_HASHED: ReadonlySet<string> = new Set(['type', 'eventID', 'recordTime', 'errorDeclaration', '@context']);

/** Comments describe the event to people and say nothing about what happened. */
const COMMENTS: ReadonlySet<string> = new Set(['comment', '{http://www.w3.org/2000/01/rdf-schema#}comment']);

/** The element name of each list, where JSON drops the element level the XML binding names. */
const LIST_ELEMENTS: Readonly<Record<string, string>> = {
  epcList: 'epc',
  inputEPCList: 'epc',
  outputEPCList: 'epc',
  childEPCs: 'epc',
  quantityList: 'quantityElement',
  childQuantityList: 'quantityElement',
  inputQuantityList: 'quantityElement',
  outputQuantityList: 'quantityElement',
  sensorElementList: 'sensorElement',
};

/** The identifier member of each typed list entry, written right after the entry's type. */
const TYPED_ENTRIES: Readonly<Record<string, string>> = {
  bizTransactionList: 'bizTransaction',
  sourceList: 'source',
  destinationList: 'destination',
};

/** Reads JSON members into nodes, expanding names and values with the document's prefixes. */
class EventReader {
  private readonly prefixes: Map<string, string>;

  constructor(context: unknown) {
    this.prefixes = new Map(Object.entries(EPCIS_CONTEXT_PREFIXES));
    for (const definitions of [context].flat()) {
      if (typeof definitions !== 'object' || definitions === null) continue;
      for (const [prefix, iri] of Object.entries(definitions as Record<string, unknown>)) {
        if (!prefix.startsWith('@') && typeof iri === 'string') this.prefixes.set(prefix, iri);
      }
    }
  }

  /** `example:myField` becomes `{https://ns.example.com/epcis/}myField` when the prefix is known. */
  name(key: string): string {
    const expanded = this.expand(key);
    return expanded === undefined ? key : `{${expanded.namespace}}${expanded.local}`;
  }

  members(entries: readonly (readonly [string, unknown])[], scope: string): HashNode[] {
    const nodes: HashNode[] = [];
    for (const [key, json] of entries) {
      const name = this.name(key);
      if (json === null || json === undefined || COMMENTS.has(name)) continue;
      if (!Array.isArray(json)) {
        nodes.push(this.node(name, json, scope));
      } else if (json.length > 0) {
        nodes.push(...this.list(name, json, scope));
      }
    }
    return nodes;
  }

  /**
   * A list becomes one node holding its elements (`epcList` holding `epc`s); an extension list
   * named `...List` likewise, its elements named without the suffix, as the reference
   * implementation names them. Any other array repeats its member (`sensorReport`, `set`).
   */
  private list(name: string, items: readonly unknown[], scope: string): HashNode[] {
    const identifier = TYPED_ENTRIES[name];
    if (identifier !== undefined) {
      return [{ name, value: '', children: items.map((item) => this.typedEntry(name, identifier, item)) }];
    }
    const element = LIST_ELEMENTS[name] ?? (name.endsWith('List') ? name.slice(0, -'List'.length) : undefined);
    if (element === undefined) return items.map((item) => this.node(name, item, scope));
    return [{ name, value: '', children: items.map((item) => this.node(element, item, name)) }];
  }

  /** A business transaction, source or destination: its type, its identifier, then anything else. */
  private typedEntry(list: string, identifier: string, item: unknown): HashNode {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return this.node('', item, list);
    const children = this.members(Object.entries(item), list);
    const rank = (node: HashNode) => (node.name === 'type' ? 0 : node.name === identifier ? 1 : 2);
    return { name: '', value: '', children: children.sort((a, b) => rank(a) - rank(b) || compareCodePoints(a.name, b.name)), keepOrder: true };
  }

  private node(name: string, json: unknown, scope: string): HashNode {
    if (Array.isArray(json)) return { name, value: '', children: json.map((item) => this.node('', item, scope)) };
    if (typeof json === 'object' && json !== null) {
      return { name, value: '', children: this.members(Object.entries(json), name) };
    }
    if (typeof json === 'number') return { name, value: canonicalNumber(json) ?? String(json), children: [] };
    if (typeof json === 'boolean') return { name, value: String(json), children: [] };
    // Nothing else comes out of JSON.parse; a caller's undefined or function has no value to hash.
    if (typeof json !== 'string') return { name, value: '', children: [] };
    return { name, value: this.expandValue(json.trim(), BARE_TERM_MEMBERS[scope]?.[name]), children: [] };
  }

  /** A bare CBV term where the context gives one (`shipping` as a bizStep), else a CURIE expanded. */
  private expandValue(text: string, vocabulary: keyof typeof BARE_TERM_VOCABULARIES | undefined): string {
    if (vocabulary !== undefined) {
      const { prefix, terms } = BARE_TERM_VOCABULARIES[vocabulary];
      if ((terms as readonly string[]).includes(text)) return prefix + text;
    }
    const expanded = this.expand(text);
    return expanded === undefined ? text : expanded.namespace + expanded.local;
  }

  private expand(text: string): { namespace: string; local: string } | undefined {
    const colon = text.indexOf(':');
    const namespace = colon > 0 ? this.prefixes.get(text.slice(0, colon)) : undefined;
    return namespace === undefined ? undefined : { namespace, local: text.slice(colon + 1) };
  }
}

/** The ordered fields of one structure, and the members that are not among them. */
function renderFields(nodes: readonly HashNode[], fields: readonly CanonicalField[]): { text: string; rest: HashNode[] } {
  let text = '';
  for (const field of fields) {
    const parts = nodes.filter((node) => node.name === field.name).map((node) => renderField(node, field));
    text += sorted(parts).join('');
  }
  const names = new Set(fields.map((field) => field.name));
  return { text, rest: nodes.filter((node) => !names.has(node.name)) };
}

function renderField(node: HashNode, field: CanonicalField): string {
  switch (field.kind) {
    case 'value':
      return node.children.length > 0 ? renderGeneric(node) : node.value === '' ? '' : `${node.name}=${canonicalValue(node.value)}`;
    case 'timestamp':
      return node.value === '' ? '' : `${node.name}=${canonicalTimestamp(node.value)}`;
    case 'structure': {
      const { text, rest } = renderFields(node.children, field.fields);
      // User extensions inside readPoint, sensorReport etc. follow that structure's own fields.
      const inner = (node.value === '' ? '' : `=${canonicalValue(node.value)}`) + text + sorted(rest.map(renderGeneric)).join('');
      return inner === '' ? '' : node.name + inner;
    }
  }
}

/** ILMD, extensions and the typed lists: name, `=value` if any, then the children sorted. */
function renderGeneric(node: HashNode): string {
  const children = node.children.map(renderGeneric);
  const own = node.value === '' ? node.name : `${node.name}=${canonicalValue(node.value)}`;
  return own + (node.keepOrder ? children : sorted(children)).join('');
}

function sorted(texts: readonly string[]): string[] {
  return [...texts].sort(compareCodePoints);
}

/**
 * Orders strings by Unicode code point (= UTF-8 byte order), as CBV 2.0 asks. JavaScript compares
 * UTF-16 code units, which puts characters above U+FFFF before U+E000..U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  return unit >= 0xe000 ? unit - 0x800 : unit;
}
