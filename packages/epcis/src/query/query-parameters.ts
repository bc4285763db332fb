import { problem, SerialtraceError, type Problem } from '@serialtrace/core';
import { canonicalTimestamp } from '../event-hash/canonical-value.js';
import { BARE_TERM_VOCABULARIES } from '../event-hash/cbv-vocabulary.js';
import { canonicalIdentifier, cbvUri, linkRole, type EventIdentifierRole } from '../repository/event-normal-form.js';
import {
  isInstant,
  NUMBER,
  sensorTextForm,
  termUri,
  TIMESTAMP_WITH_ZONE,
  type Comparison,
  type FieldScope,
  type FieldTest,
  type ResidualCondition,
  type SensorNumberMember,
  type SensorTextMember,
} from './event-predicate.js';

/**
 * One identifier parameter (`MATCH_epc`, `EQ_bizTransaction_po`, ...): an event is selected when
 * it names, in any of the roles, one of the values or an identifier starting with one of the
 * prefixes. Values and prefixes are canonical Digital Links for GS1 keys, other URIs as written.
 *
 * @example
 * // MATCH_epc=urn:epc:idpat:sgtin:0614141.107346.*
 * { roles: ['epc', 'child'], values: [], prefixes: ['https://id.gs1.org/01/10614141073464/21/'] }
 */
export interface EpcisIdentifierSelection {
  readonly roles: readonly EventIdentifierRole[];
  readonly values: readonly string[];
  readonly prefixes: readonly string[];
}

/**
 * An EPCIS 2.0 SimpleEventQuery, checked and in normal form: every list sorted and without
 * repeats, identifiers canonical, vocabulary as web URIs, instants in UTC with milliseconds.
 * Lists hold alternatives (OR); the members and the entries of `identifiers` and `residual` all
 * hold together (AND).
 *
 * @example
 * parseEpcisQuery({ eventType: 'ObjectEvent', EQ_bizStep: 'shipping', GE_eventTime: '2020-03-04T11:00:30+01:00' })
 * // { eventTypes: ['ObjectEvent'], bizSteps: ['https://ref.gs1.org/cbv/BizStep-shipping'],
 * //   eventTimeFrom: '2020-03-04T10:00:30.000Z', identifiers: [], orderBy: 'eventTime', direction: 'desc', residual: [], fingerprint: '...' }
 */
export interface EpcisQuery {
  readonly eventTypes?: readonly string[];
  /** `GE_eventTime`, inclusive. */
  readonly eventTimeFrom?: string;
  /** `LT_eventTime`, exclusive. */
  readonly eventTimeBefore?: string;
  readonly recordTimeFrom?: string;
  readonly recordTimeBefore?: string;
  readonly actions?: readonly string[];
  readonly bizSteps?: readonly string[];
  readonly dispositions?: readonly string[];
  /**
   * `EQ_readPoint` and `WD_readPoint` together. Which locations lie within another is master data,
   * which this repository does not keep: a location has no known descendants, so `WD_` selects
   * the location itself, like `EQ_`. Both given: either will do, as the standard says.
   */
  readonly readPoints?: readonly string[];
  /** `EQ_bizLocation` and `WD_bizLocation`, merged as for {@link readPoints}. */
  readonly bizLocations?: readonly string[];
  readonly eventIds?: readonly string[];
  /** Every `MATCH_*`, `EQ_bizTransaction_<type>`, `EQ_source_<type>` and `EQ_destination_<type>`: one entry each. */
  readonly identifiers: readonly EpcisIdentifierSelection[];
  /** `EXISTS_errorDeclaration=true`; `false`, like its absence, selects regardless. */
  readonly errorDeclared?: boolean;
  readonly orderBy: 'eventTime' | 'recordTime';
  readonly direction: 'asc' | 'desc';
  readonly eventCountLimit?: number;
  readonly maxEventCount?: number;
  readonly perPage?: number;
  /** Passed through untouched: the caller checks it against {@link fingerprint}. */
  readonly nextPageToken?: string;
  /** Selections the store cannot make from its columns, tested on each candidate event document (see event-predicate.ts). Empty when none. */
  readonly residual: readonly ResidualCondition[];
  /**
   * The parameters that select events, in a stable normalised form (sorted keys, no perPage and
   * nextPageToken), so a page token can be bound to the query it continues. A query written with
   * URNs and the same one written with Digital Links have one fingerprint. JSON text; hash it
   * where it must be short.
   */
  readonly fingerprint: string;
}

/** The raw parameters of a query: a query string's, each value as given, a repeated one as a list. */
export type EpcisQueryParameters = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Reads the standard query parameters of EPCIS 2.0 (the REST bindings' SimpleEventQuery).
 * Alternatives within a value are separated by `|`; a parameter given more than once is all its
 * values together. Refuses, with every problem found, EPCIS_QUERY_PARAMETER_INVALID naming the
 * parameter: unknown parameters, empty values, values of the wrong kind, the parameters this
 * repository cannot answer (master data attributes, ordering by an extension field).
 *
 * Instants need a zone (`Z` or an offset): a date alone (`2020-03-04`) names a different
 * midnight in every zone, and is refused rather than guessed.
 *
 * @example parseEpcisQuery({ MATCH_epc: 'urn:epc:id:sgtin:0614141.107346.2018|https://id.gs1.org/01/10614141073464/21/2019' }).identifiers
 * // [{ roles: ['epc', 'child'], prefixes: [],
 * //    values: ['https://id.gs1.org/01/10614141073464/21/2018', 'https://id.gs1.org/01/10614141073464/21/2019'] }]
 */
export function parseEpcisQuery(params: EpcisQueryParameters): EpcisQuery {
  const reader = new QueryReader();
  for (const [name, raw] of Object.entries(params)) {
    if (raw === undefined) continue;
    reader.read(name, typeof raw === 'string' ? [raw] : raw);
  }
  return reader.finish();
}

// ---------------------------------------------------------------------------------------------

const EVENT_TYPES = ['ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent', 'AssociationEvent'];
const ACTIONS = ['ADD', 'OBSERVE', 'DELETE'];

/** What each MATCH_ parameter looks at, and whether its values are classes (quantity lists) or instances. */
const MATCH_PARAMETERS: Readonly<Record<string, { readonly roles: readonly EventIdentifierRole[]; readonly classes: boolean }>> = {
  // The standard: "one of the EPCs listed in the epcList or childEPCs field".
  MATCH_epc: { roles: ['epc', 'child'], classes: false },
  MATCH_parentID: { roles: ['parent'], classes: false },
  MATCH_inputEPC: { roles: ['input'], classes: false },
  MATCH_outputEPC: { roles: ['output'], classes: false },
  MATCH_anyEPC: { roles: ['epc', 'parent', 'child', 'input', 'output'], classes: false },
  MATCH_epcClass: { roles: ['class', 'childClass'], classes: true },
  MATCH_inputEPCClass: { roles: ['inputClass'], classes: true },
  MATCH_outputEPCClass: { roles: ['outputClass'], classes: true },
  MATCH_anyEPCClass: { roles: ['class', 'childClass', 'inputClass', 'outputClass'], classes: true },
};

const TIME_PARAMETERS = {
  GE_eventTime: 'eventTimeFrom',
  LT_eventTime: 'eventTimeBefore',
  GE_recordTime: 'recordTimeFrom',
  LT_recordTime: 'recordTimeBefore',
} as const;

const SENSOR_TEXT_PARAMETERS: Readonly<Record<string, SensorTextMember>> = {
  EQ_type: 'type',
  EQ_deviceID: 'deviceID',
  EQ_dataProcessingMethod: 'dataProcessingMethod',
  EQ_microorganism: 'microorganism',
  EQ_chemicalSubstance: 'chemicalSubstance',
  EQ_bizRules: 'bizRules',
  EQ_stringValue: 'stringValue',
  EQ_hexBinaryValue: 'hexBinaryValue',
  EQ_uriValue: 'uriValue',
};

/** The scopes of extension-field parameters, as their names spell them after the operator (and `INNER_`). */
const FIELD_SCOPES: readonly (readonly [infix: string, scope: FieldScope])[] = [
  ['ILMD_', 'ilmd'],
  ['ERROR_DECLARATION_', 'errorDeclaration'],
  ['SENSORELEMENT_', 'sensorElement'],
  ['SENSORMETADATA_', 'sensorMetadata'],
  ['SENSORREPORT_', 'sensorReport'],
];

/** The scheduling parameters of a subscription, which name no events. */
const SUBSCRIPTION_PARAMETERS = new Set(['second', 'minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek', 'reportIfEmpty', 'stream', 'initialRecordTime']);

/** EPC schemes of the Tag Data Standard that carry no GS1 key: stored as written, so their patterns are text prefixes. */
const NON_GS1_SCHEMES = new Set(['gid', 'usdod', 'adi', 'bic', 'imovn']);

const URI = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;
const UOM = /^[A-Z0-9]{2,3}$/;
const LOCAL_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const GS1 = 'https://id.gs1.org';

/** Thrown inside one parameter's reading and collected, so that every problem is reported at once. */
class Refusal extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

function refuse(reason: string): never {
  throw new Refusal(reason);
}

/** The members of {@link EpcisQuery} that are lists of alternatives, filled by one or two parameters each. */
type ListKey = 'eventTypes' | 'actions' | 'bizSteps' | 'dispositions' | 'readPoints' | 'bizLocations' | 'eventIds';

class QueryReader {
  readonly #problems: Problem[] = [];
  readonly #lists = new Map<ListKey, Set<string>>();
  readonly #times: Partial<Record<(typeof TIME_PARAMETERS)[keyof typeof TIME_PARAMETERS], string>> = {};
  readonly #identifiers: EpcisIdentifierSelection[] = [];
  readonly #residual: ResidualCondition[] = [];
  #errorDeclared: boolean | undefined;
  #orderBy: 'eventTime' | 'recordTime' | undefined;
  /** Whether orderBy was given at all, valid or not: eventCountLimit needs it given. */
  #orderByGiven = false;
  #direction: 'asc' | 'desc' | undefined;
  #eventCountLimit: number | undefined;
  #maxEventCount: number | undefined;
  #perPage: number | undefined;
  #nextPageToken: string | undefined;

  read(name: string, given: readonly string[]): void {
    try {
      if (given.length === 0) refuse('given without a value');
      this.#read(name, given);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      this.#problems.push(problem('EPCIS_QUERY_PARAMETER_INVALID', { parameter: name, reason: error.reason }));
    }
  }

  finish(): EpcisQuery {
    if (this.#eventCountLimit !== undefined && this.#maxEventCount !== undefined) {
      this.#refuseLate('eventCountLimit', 'eventCountLimit and maxEventCount exclude each other: give one');
    }
    if (this.#eventCountLimit !== undefined && !this.#orderByGiven) {
      this.#refuseLate('eventCountLimit', 'eventCountLimit needs orderBy, which says which events come first');
    }
    if (this.#problems.length > 0) throw SerialtraceError.fromProblems(this.#problems);
    const list = (key: ListKey) => {
      const values = this.#lists.get(key);
      return values === undefined ? undefined : [...values].sort();
    };
    const selecting = {
      eventTypes: list('eventTypes'),
      ...this.#times,
      actions: list('actions'),
      bizSteps: list('bizSteps'),
      dispositions: list('dispositions'),
      readPoints: list('readPoints'),
      bizLocations: list('bizLocations'),
      eventIds: list('eventIds'),
      identifiers: sortedByJson(this.#identifiers),
      errorDeclared: this.#errorDeclared,
      orderBy: this.#orderBy ?? 'eventTime',
      direction: this.#direction ?? 'desc',
      eventCountLimit: this.#eventCountLimit,
      maxEventCount: this.#maxEventCount,
      residual: sortedByJson(this.#residual),
    } as const;
    const query: Record<string, unknown> = { ...selecting, perPage: this.#perPage, nextPageToken: this.#nextPageToken, fingerprint: stableJson(selecting) };
    for (const key of Object.keys(query)) if (query[key] === undefined) delete query[key];
    return query as unknown as EpcisQuery;
  }

  #refuseLate(parameter: string, reason: string): void {
    this.#problems.push(problem('EPCIS_QUERY_PARAMETER_INVALID', { parameter, reason }));
  }

  #read(name: string, given: readonly string[]): void {
    if (name === '@context') return; // A query body's JSON-LD context; it selects nothing.
    if (name === 'eventType') return this.#addList('eventTypes', alternatives(given).map(eventType));
    if (Object.hasOwn(TIME_PARAMETERS, name)) {
      this.#times[TIME_PARAMETERS[name as keyof typeof TIME_PARAMETERS]] = instant(single(given));
      return;
    }
    const match = own(MATCH_PARAMETERS, name);
    if (match !== undefined) return this.#addSelection(match.roles, alternatives(given), match.classes ? 'class' : 'instance');
    const sensorText = own(SENSOR_TEXT_PARAMETERS, name);
    if (sensorText !== undefined) {
      const values = alternatives(given).map((value) => sensorTextValue(sensorText, value));
      return this.#addResidual({ kind: 'sensorText', member: sensorText, values: unique(values) });
    }
    switch (name) {
      case 'EQ_action':
        return this.#addList('actions', alternatives(given).map(action));
      case 'EQ_bizStep':
        return this.#addList('bizSteps', alternatives(given).map((value) => vocabularyValue('bizStep', value)));
      case 'EQ_disposition':
        return this.#addList('dispositions', alternatives(given).map((value) => vocabularyValue('disposition', value)));
      case 'EQ_readPoint':
      case 'WD_readPoint':
        return this.#addList('readPoints', alternatives(given).map(exactIdentifier));
      case 'EQ_bizLocation':
      case 'WD_bizLocation':
        return this.#addList('bizLocations', alternatives(given).map(exactIdentifier));
      case 'EQ_eventID':
        return this.#addList('eventIds', alternatives(given).map(uri));
      case 'EXISTS_errorDeclaration':
        // The standard: "omitted (or has a value of false)": regardless of an error declaration.
        this.#errorDeclared = boolean(single(given)) ? true : undefined;
        return;
      case 'orderBy':
        this.#orderByGiven = true;
        this.#orderBy = orderBy(single(given));
        return;
      case 'orderDirection':
        this.#direction = direction(single(given));
        return;
      case 'eventCountLimit':
        this.#eventCountLimit = positiveInteger(single(given));
        return;
      case 'maxEventCount':
        this.#maxEventCount = positiveInteger(single(given));
        return;
      case 'perPage':
        this.#perPage = positiveInteger(single(given));
        return;
      case 'nextPageToken':
        // Opaque: checked by whoever issued it, so passed on exactly as given.
        single(given);
        this.#nextPageToken = given[0];
        return;
      case 'EQ_persistentDisposition_set':
      case 'EQ_persistentDisposition_unset': {
        const values = alternatives(given).map((value) => vocabularyValue('disposition', value));
        return this.#addResidual({ kind: 'persistentDisposition', member: name.endsWith('_set') ? 'set' : 'unset', values: unique(values) });
      }
      case 'EQ_transformationID':
        return this.#addResidual({ kind: 'transformationId', values: unique(alternatives(given).map(exactIdentifier)) });
      case 'GE_errorDeclarationTime':
      case 'LT_errorDeclarationTime':
        return this.#addResidual({ kind: 'errorDeclarationTime', op: name.startsWith('GE_') ? 'GE' : 'LT', time: instant(single(given)) });
      case 'EQ_errorReason':
        return this.#addResidual({ kind: 'errorReason', values: unique(alternatives(given).map((value) => vocabularyValue('error-reason', value))) });
      case 'EQ_correctiveEventID':
        return this.#addResidual({ kind: 'correctiveEventId', values: unique(alternatives(given).map(uri)) });
      case 'GE_startTime':
      case 'LT_startTime':
      case 'GE_endTime':
      case 'LT_endTime':
        return this.#addResidual({
          kind: 'sensorTime',
          member: name.endsWith('startTime') ? 'startTime' : 'endTime',
          op: name.startsWith('GE_') ? 'GE' : 'LT',
          time: instant(single(given)),
        });
      case 'EQ_booleanValue':
        return this.#addResidual({ kind: 'sensorBoolean', value: boolean(single(given)) });
    }
    if (this.#readFamily(name, given)) return;
    if (SUBSCRIPTION_PARAMETERS.has(name)) refuse('a parameter of a subscription\'s schedule, not of a query');
    refuse('not a parameter of the EPCIS SimpleEventQuery');
  }

  /** The parameters whose names carry a value of their own: a type, a unit, a field. True when `name` is one. */
  #readFamily(name: string, given: readonly string[]): boolean {
    let m: RegExpExecArray | null;
    if ((m = /^(EQ|GT|GE|LT|LE)_quantity$/.exec(name))) {
      this.#addResidual({ kind: 'quantity', op: m[1] as Comparison, value: number(single(given)) });
      return true;
    }
    if ((m = /^(EQ|GT|GE|LT|LE)_percRank$/.exec(name))) {
      this.#addResidual({ kind: 'sensorNumber', member: 'percRank', op: m[1] as Comparison, value: number(single(given)) });
      return true;
    }
    if ((m = /^(EQ|GT|GE|LT|LE)_(value|minValue|maxValue|meanValue|sDev|percValue)(?:_(.*))?$/.exec(name))) {
      const uom = m[3] ?? '';
      if (uom === '') refuse(`name the unit the value is in, as in ${m[1]}_${m[2]}_CEL (a UN/CEFACT Rec. 20 code)`);
      if (!UOM.test(uom)) refuse(`"${uom}" is no UN/CEFACT Rec. 20 unit code (2 or 3 capitals and digits, such as CEL or KGM)`);
      this.#addResidual({ kind: 'sensorNumber', member: m[2] as SensorNumberMember, op: m[1] as Comparison, value: number(single(given)), uom });
      return true;
    }
    if ((m = /^EQ_(bizTransaction|source|destination)_(.*)$/.exec(name))) {
      const kind = m[1] as 'bizTransaction' | 'source' | 'destination';
      const type = m[2] ?? '';
      if (type.trim() === '') refuse(`name the type after EQ_${kind}_ (such as ${kind === 'bizTransaction' ? 'po' : 'owning_party'})`);
      const vocabulary = kind === 'bizTransaction' ? 'bizTransaction-type' : 'source-dest-type';
      if (!type.includes(':') && !(BARE_TERM_VOCABULARIES[vocabulary].terms as readonly string[]).includes(type)) {
        refuse(`"${type}" is no CBV ${kind === 'bizTransaction' ? 'business transaction type' : 'source or destination type'}; other types are URIs`);
      }
      this.#addSelection([linkRole(kind, type)], alternatives(given), 'exact');
      return true;
    }
    if (/^(HASATTR|EQATTR)_/.test(name)) {
      refuse('not supported: it selects by master data attributes, which this repository does not keep');
    }
    if ((m = /^(EQ|GT|GE|LT|LE|EXISTS)_(INNER_)?(.+)$/.exec(name))) {
      const op = m[1] as Comparison | 'EXISTS';
      let rest = m[3] ?? '';
      const scopeEntry = FIELD_SCOPES.find(([infix]) => rest.startsWith(infix));
      if (scopeEntry !== undefined) rest = rest.slice(scopeEntry[0].length);
      const hash = rest.lastIndexOf('#');
      if (hash < 0) {
        // Not a field as the standard writes one; a prefixed name is one the query cannot resolve.
        if (!rest.includes(':')) return false;
        if (URI.test(rest) && !/^[A-Za-z_][A-Za-z0-9_.-]*:[A-Za-z_]/.test(rest)) {
          refuse(`name the field as namespace#localName, as in ${m[1]}_${m[2] ?? ''}${scopeEntry?.[0] ?? ''}http://ns.example.com/epcis/#myField`);
        }
        refuse(
          `name the field by its namespace and local name, as in ${m[1]}_${m[2] ?? ''}${scopeEntry?.[0] ?? ''}http://ns.example.com/epcis/#myField: ` +
            `the prefix "${rest.slice(0, rest.indexOf(':'))}:" means nothing outside the document that declared it`,
        );
      }
      const namespace = rest.slice(0, hash);
      const localName = rest.slice(hash + 1);
      if (!URI.test(namespace)) refuse(`"${namespace}" is no namespace URI (the field is namespace#localName)`);
      if (!LOCAL_NAME.test(localName)) refuse(`"${localName}" is no field name (the field is namespace#localName)`);
      this.#addResidual({
        kind: 'field',
        scope: scopeEntry?.[1] ?? 'event',
        inner: m[2] !== undefined,
        namespace,
        localName,
        test: fieldTest(op, given),
      });
      return true;
    }
    return false;
  }

  #addList(key: ListKey, values: readonly string[]): void {
    const set = this.#lists.get(key) ?? new Set<string>();
    for (const value of values) set.add(value);
    this.#lists.set(key, set);
  }

  /** Alternatives are a set: sorted, so that their order changes neither the query nor its fingerprint. */
  #addResidual(condition: ResidualCondition): void {
    if ('values' in condition) condition = { ...condition, values: [...new Set(condition.values)].sort() };
    if (condition.kind === 'field' && condition.test.op === 'EQ') condition = { ...condition, test: { op: 'EQ', values: [...condition.test.values].sort() } };
    this.#residual.push(condition);
  }

  /**
   * One identifier parameter: `instance` values take EPC patterns for every serial of a class,
   * `class` values take patterns and classes, `exact` ones (transactions, parties) only identifiers.
   */
  #addSelection(roles: readonly EventIdentifierRole[], given: readonly string[], kind: 'instance' | 'class' | 'exact'): void {
    const values = new Set<string>();
    const prefixes = new Set<string>();
    for (const text of given) {
      if (text.startsWith('urn:epc:idpat:') && kind !== 'exact') {
        const selection = patternSelection(text, kind === 'class');
        selection.values.forEach((v) => values.add(v));
        selection.prefixes.forEach((p) => prefixes.add(p));
        continue;
      }
      const identifier = exactIdentifier(text);
      values.add(identifier);
      // A product class holds its lots: /01/{gtin} selects the LGTIN classes /01/{gtin}/10/{lot} too.
      if (kind === 'class' && /^https:\/\/id\.gs1\.org\/01\/\d{14}$/.test(identifier)) prefixes.add(`${identifier}/10/`);
    }
    this.#identifiers.push({ roles: [...roles], values: [...values].sort(), prefixes: [...prefixes].sort() });
  }
}

/** The alternatives of a list parameter: its values split on `|`, trimmed, each once. */
function alternatives(given: readonly string[]): string[] {
  const values: string[] = [];
  for (const value of given) {
    for (const part of value.split('|')) {
      const text = part.trim();
      if (text === '') refuse(given.length === 1 && !value.includes('|') ? 'the value is empty' : `an empty alternative in "${value}"`);
      values.push(text);
    }
  }
  return unique(values);
}

/** The one value of a single-valued parameter. */
function single(given: readonly string[]): string {
  if (given.length !== 1) refuse(`given ${given.length} times; it takes one value`);
  const text = (given[0] ?? '').trim();
  if (text === '') refuse('the value is empty');
  return text;
}

/** A table's own entry: a parameter named `constructor` must not find Object's. */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function eventType(text: string): string {
  if (!EVENT_TYPES.includes(text)) refuse(`"${text}" is no EPCIS event type; expected ${EVENT_TYPES.join(', ')}`);
  return text;
}

function action(text: string): string {
  if (!ACTIONS.includes(text)) refuse(`"${text}" is no action; expected ADD, OBSERVE or DELETE`);
  return text;
}

function uri(text: string): string {
  if (!URI.test(text)) refuse(`"${text}" is no URI`);
  return text;
}

/**
 * A term of a CBV vocabulary as its web URI. A bare word must be one of the standard's terms: the
 * standard writes its own values bare and every other value as a URI, so a bare word outside the
 * vocabulary is a mistake that would otherwise select nothing, silently.
 */
function vocabularyValue(vocabulary: 'bizStep' | 'disposition' | 'error-reason', text: string): string {
  const terms = BARE_TERM_VOCABULARIES[vocabulary].terms as readonly string[];
  if (!text.includes(':') && !terms.includes(text)) {
    const noun = { bizStep: 'business step', disposition: 'disposition', 'error-reason': 'error reason' }[vocabulary];
    refuse(`"${text}" is no CBV ${noun}; other values are URIs`);
  }
  return vocabulary === 'error-reason' ? termUri(vocabulary, text) : cbvUri(vocabulary, text);
}

function sensorTextValue(member: SensorTextMember, text: string): string {
  if (member === 'type' && !text.includes(':') && !(BARE_TERM_VOCABULARIES.measurementType.terms as readonly string[]).includes(text)) {
    refuse(`"${text}" is no GS1 measurement type; other types are URIs`);
  }
  if (member === 'hexBinaryValue' && !/^(?:[0-9A-Fa-f]{2})*$/.test(text)) refuse(`"${text}" is no hexBinary value`);
  if (member === 'deviceID') return exactIdentifier(text);
  if (member !== 'type' && member !== 'stringValue' && member !== 'hexBinaryValue') uri(text);
  return sensorTextForm(member, text);
}

/** An identifier (EPC URN, Digital Link on any host, any other URI) in canonical form; patterns are refused. */
function exactIdentifier(text: string): string {
  uri(text);
  if (text.startsWith('urn:epc:idpat:')) refuse(`"${text}" is a pattern; this parameter takes identifiers`);
  try {
    return canonicalIdentifier(text);
  } catch (error) {
    if (error instanceof SerialtraceError) refuse(error.message);
    throw error;
  }
}

/**
 * The selection an EPC pattern (`urn:epc:idpat:sgtin:0614141.107346.*`) stands for. Stored GS1 keys
 * are canonical Digital Links, so a pattern becomes the prefix every matching Digital Link starts
 * with: the fixed fields must be a prefix of the key's digits. They are not when the Digital Link
 * puts a digit before the company prefix (the indicator of a GTIN, the extension of an SSCC), so
 * `urn:epc:idpat:sgtin:0614141.*.*` is refused. For classes, a pattern that fixes the class names
 * it exactly (its lots too, for a GTIN).
 */
function patternSelection(text: string, classes: boolean): { values: string[]; prefixes: string[] } {
  const head = /^urn:epc:idpat:([A-Za-z0-9-]+):(.+)$/.exec(text) ?? refuse(`"${text}" is no EPC pattern (urn:epc:idpat:scheme:fields)`);
  const [, scheme = '', body = ''] = head;
  const fields = body.split('.');
  if (fields.some((field) => field.startsWith('['))) refuse(`"${text}": ranges ([low-high]) are not supported; give the fields or *`);
  const star = fields.indexOf('*');
  if (star < 0) refuse(`"${text}" has no wildcard; an identifier is written urn:epc:id:...`);
  if (fields.slice(star).some((field) => field !== '*')) refuse(`"${text}": after a * every field must be * too`);
  const fixed = fields.slice(0, star);

  if (NON_GS1_SCHEMES.has(scheme)) {
    if (classes) refuse(`"${text}": ${scheme.toUpperCase()} names instances, not classes`);
    return { values: [], prefixes: [`urn:epc:id:${scheme}:${fixed.map((field) => `${field}.`).join('')}`] };
  }
  const expected = own(PATTERN_FIELDS, scheme) ?? refuse(`"${scheme}" is no EPC scheme of the Tag Data Standard`);
  if (fields.length !== expected.count) refuse(`"${text}": an ${scheme.toUpperCase()} pattern has ${expected.count} fields`);
  if (classes && !expected.hasClasses) refuse(`"${text}": ${scheme.toUpperCase()} names instances, not classes`);
  const [companyPrefix, reference, piece, total] = fixed;
  const indicatorFirst = () =>
    refuse(
      `"${text}" fixes too little to select by: the Digital Link puts the ${scheme === 'sscc' ? 'extension digit' : 'indicator digit'} before the company prefix, ` +
        `so ${scheme === 'sscc' ? 'no SSCC pattern but *.* is a prefix of it' : 'fix the item reference too'}`,
    );
  if (companyPrefix !== undefined && !/^\d{6,12}$/.test(companyPrefix)) refuse(`"${text}": the company prefix "${companyPrefix}" must be 6 to 12 digits`);
  const keyPrefix = (value: string) => ({ values: [], prefixes: [`${GS1}/${expected.ai}/${value}`] });
  /** The canonical Digital Link of an identifier built from the pattern's fields, the URN's checks and all. */
  const canonical = (urn: string): string => {
    try {
      return canonicalIdentifier(urn);
    } catch (error) {
      if (error instanceof SerialtraceError) refuse(error.message);
      throw error;
    }
  };

  if (fixed.length === 0) {
    // Every identifier of the scheme; an SGTIN and a UPUI share the /01/ of the GTIN under them.
    if ((scheme === 'sgtin' || scheme === 'upui') && !classes) refuse(`"${text}": every ${scheme.toUpperCase()} has no Digital Link prefix of its own; fix the company prefix and item reference`);
    return keyPrefix('');
  }
  switch (scheme) {
    case 'sgtin':
    case 'upui': {
      if (reference === undefined) return indicatorFirst();
      const gtinClass = canonical(`urn:epc:idpat:sgtin:${companyPrefix}.${reference}.*`);
      if (classes) return { values: [gtinClass], prefixes: [`${gtinClass}/10/`] };
      return { values: [], prefixes: [`${gtinClass}/${scheme === 'sgtin' ? '21' : '235'}/`] };
    }
    case 'itip': {
      if (reference === undefined) return indicatorFirst();
      if (total !== undefined) {
        const itipClass = canonical(`urn:epc:idpat:itip:${companyPrefix}.${reference}.${piece}.${total}.*`);
        return classes ? { values: [itipClass], prefixes: [] } : { values: [], prefixes: [`${itipClass}/21/`] };
      }
      if (piece !== undefined && !/^\d{2}$/.test(piece)) refuse(`"${text}": the piece number "${piece}" must be 2 digits`);
      const gtin = canonical(`urn:epc:idpat:sgtin:${companyPrefix}.${reference}.*`).slice(`${GS1}/01/`.length);
      return keyPrefix(gtin + (piece ?? ''));
    }
    case 'sscc':
      return indicatorFirst();
    case 'sgln': {
      if (reference === undefined) return keyPrefix(companyPrefix ?? '');
      // Extension 0 is how the URN writes a GLN without extension, which the Digital Link omits.
      const gln = canonical(`urn:epc:id:sgln:${companyPrefix}.${reference}.0`);
      return { values: [gln], prefixes: [`${gln}/254/`] };
    }
    case 'grai':
    case 'gdti':
    case 'sgcn': {
      // The serial follows the key's 13 digits (14 for a GRAI, after its leading 0) directly.
      if (reference === undefined) return keyPrefix((scheme === 'grai' ? '0' : '') + (companyPrefix ?? ''));
      const keyClass = canonical(`urn:epc:idpat:${scheme}:${companyPrefix}.${reference}.*`);
      return classes ? { values: [keyClass], prefixes: [] } : { values: [], prefixes: [keyClass] };
    }
    case 'cpi': {
      if (reference === undefined) return keyPrefix(companyPrefix ?? '');
      const partClass = canonical(`urn:epc:idpat:cpi:${companyPrefix}.${reference}.*`);
      return classes ? { values: [partClass], prefixes: [] } : { values: [], prefixes: [`${partClass}/8011/`] };
    }
    default:
      // GIAI, GINC, GSRN, GSRNP, GSIN, PGLN: the key starts with the company prefix.
      return keyPrefix(companyPrefix ?? '');
  }
}

/** The fields of each GS1 scheme's URN, the Digital Link key it becomes, and whether the scheme names classes. */
const PATTERN_FIELDS: Readonly<Record<string, { readonly count: number; readonly ai: string; readonly hasClasses: boolean }>> = {
  sgtin: { count: 3, ai: '01', hasClasses: true },
  upui: { count: 3, ai: '01', hasClasses: true },
  itip: { count: 5, ai: '8006', hasClasses: true },
  sscc: { count: 2, ai: '00', hasClasses: false },
  sgln: { count: 3, ai: '414', hasClasses: false },
  pgln: { count: 2, ai: '417', hasClasses: false },
  grai: { count: 3, ai: '8003', hasClasses: true },
  gdti: { count: 3, ai: '253', hasClasses: true },
  sgcn: { count: 3, ai: '255', hasClasses: true },
  cpi: { count: 3, ai: '8010', hasClasses: true },
  giai: { count: 2, ai: '8004', hasClasses: false },
  ginc: { count: 2, ai: '401', hasClasses: false },
  gsrn: { count: 2, ai: '8018', hasClasses: false },
  gsrnp: { count: 2, ai: '8017', hasClasses: false },
  gsin: { count: 2, ai: '402', hasClasses: false },
};

/** An instant in UTC with milliseconds, from an ISO 8601 date-time with a zone. */
function instant(text: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    refuse(`"${text}" is a date without a time; write an instant with its zone, such as ${text}T00:00:00Z`);
  }
  if (!TIMESTAMP_WITH_ZONE.test(text)) refuse(`"${text}" is no ISO 8601 date-time with a zone (Z or an offset such as +01:00)`);
  const utc = canonicalTimestamp(text);
  if (!isInstant(utc)) refuse(`"${text}" names no real date and time`);
  return utc;
}

function number(text: string): number {
  const value = Number(text);
  if (!NUMBER.test(text) || !Number.isFinite(value)) refuse(`"${text}" is no number`);
  return value;
}

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) refuse(`"${text}" is no positive whole number`);
  return value;
}

function boolean(text: string): boolean {
  if (text !== 'true' && text !== 'false') refuse(`"${text}" is neither true nor false`);
  return text === 'true';
}

function orderBy(text: string): 'eventTime' | 'recordTime' {
  if (text === 'eventTime' || text === 'recordTime') return text;
  if (text.includes(':') || text.includes('#')) refuse(`ordering by an extension field ("${text}") is not supported; order by eventTime or recordTime`);
  return refuse(`"${text}" cannot order events; expected eventTime or recordTime`);
}

function direction(text: string): 'asc' | 'desc' {
  if (text === 'ASC' || text === 'DESC') return text === 'ASC' ? 'asc' : 'desc';
  return refuse(`"${text}" is no order direction; expected ASC or DESC`);
}

/**
 * What an extension-field parameter asks of the field: `EQ_` one of the texts (compared as text,
 * as numbers or as instants, whichever the field holds); `GT_` ... `LE_` one number or instant;
 * `EXISTS_` only that it is there (`true`; `false` is refused, as it would select regardless).
 */
function fieldTest(op: Comparison | 'EXISTS', given: readonly string[]): FieldTest {
  if (op === 'EXISTS') {
    if (!boolean(single(given))) refuse('EXISTS_ takes true; to select regardless, leave it out');
    return { op: 'EXISTS' };
  }
  if (op === 'EQ') return { op, values: alternatives(given) };
  const bound = single(given);
  if (NUMBER.test(bound)) return { op, number: number(bound) };
  if (TIMESTAMP_WITH_ZONE.test(bound) || /^\d{4}-\d{2}-\d{2}$/.test(bound)) return { op, time: instant(bound) };
  return refuse(`"${bound}" is neither a number nor a date-time with a zone, the values ${op}_ compares`);
}

/** JSON with every object's keys sorted and undefined members left out: one text for one content. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_, member: unknown) => {
    if (typeof member !== 'object' || member === null || Array.isArray(member)) return member;
    return Object.fromEntries(Object.entries(member).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}

function sortedByJson<T>(items: readonly T[]): T[] {
  return items
    .map((item) => [stableJson(item), item] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, item]) => item);
}
