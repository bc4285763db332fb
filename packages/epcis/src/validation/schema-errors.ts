import type { ErrorObject } from 'ajv';
import { isRecord, withArticle } from './event-rules.js';

/** One schema problem in words a person can act on, at the JSON pointer of the value. */
export interface SchemaFinding {
  readonly pointer: string;
  readonly reason: string;
  readonly details?: Readonly<Record<string, string | readonly string[]>>;
}

/** Where the events of the validated value are, and how a pointer reads as a field name. */
export interface SchemaContext {
  readonly root: unknown;
  /** The pointer of the event holding `pointer`, or undefined for a document-level value. */
  readonly eventOf: (pointer: string) => string | undefined;
}

// The anyOf alternatives at event level (what each event type must name, ilmd only with ADD)
// and inside persistentDisposition; their raw errors contradict one another, so the shape and
// action rules say them in one sentence each instead.
const EVENT_ALTERNATIVES = /^#\/allOf\/\d+\/anyOf(\/|$)/;

const VOCABULARIES: readonly { readonly at: RegExp; readonly name: string }[] = [
  { at: /\/bizStep$/, name: 'a CBV 2.0 business step' },
  { at: /(\/disposition|\/persistentDisposition\/(set|unset)\/\d+)$/, name: 'a CBV 2.0 disposition' },
  { at: /\/bizTransactionList\/\d+\/type$/, name: 'a CBV 2.0 business transaction type' },
  { at: /\/(sourceList|destinationList)\/\d+\/type$/, name: 'a CBV 2.0 source or destination type' },
  { at: /\/errorDeclaration\/reason$/, name: 'a CBV 2.0 error reason' },
  { at: /\/sensorReport\/\d+\/type$/, name: 'a GS1 measurement type' },
  { at: /\/sensorReport\/\d+\/exception$/, name: 'a GS1 sensor alert type' },
  { at: /\/sensorReport\/\d+\/component$/, name: 'a CBV 2.0 component' },
];

const CLOSED_OBJECTS: readonly { readonly at: RegExp; readonly what: string }[] = [
  { at: /QuantityList\/\d+$|quantityList\/\d+$/, what: 'a quantity list entry, which has epcClass, quantity and uom' },
  { at: /\/bizTransactionList\/\d+$/, what: 'a bizTransactionList entry, which has type and bizTransaction' },
  { at: /\/sourceList\/\d+$/, what: 'a sourceList entry, which has type and source' },
  { at: /\/destinationList\/\d+$/, what: 'a destinationList entry, which has type and destination' },
  { at: /\/persistentDisposition$/, what: 'persistentDisposition, which has set and unset' },
];

const EPCIS_EVENT_TYPES = ['ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent', 'AssociationEvent'];

/** Standard event fields that only some event types have, for saying where they belong. */
const FIELD_EVENT_TYPES: Readonly<Record<string, readonly string[]>> = {
  persistentDisposition: ['ObjectEvent', 'TransformationEvent'],
  ilmd: ['ObjectEvent', 'TransformationEvent'],
  epcList: ['ObjectEvent', 'TransactionEvent'],
  quantityList: ['ObjectEvent', 'TransactionEvent'],
  parentID: ['AggregationEvent', 'AssociationEvent', 'TransactionEvent'],
  childEPCs: ['AggregationEvent', 'AssociationEvent'],
  childQuantityList: ['AggregationEvent', 'AssociationEvent'],
  inputEPCList: ['TransformationEvent'],
  inputQuantityList: ['TransformationEvent'],
  outputEPCList: ['TransformationEvent'],
  outputQuantityList: ['TransformationEvent'],
  transformationID: ['TransformationEvent'],
};

function unescape(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The value at a JSON pointer, or undefined. */
export function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let value = root;
  for (const segment of pointer.slice(1).split('/').map(unescape)) {
    if (Array.isArray(value)) value = value[Number(segment)];
    else if (isRecord(value)) value = value[segment];
    else return undefined;
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return `the text ${JSON.stringify(value)}`;
    case 'number':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'object':
      return 'an object';
    default:
      return 'nothing';
  }
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : describe(value);
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'number' && Number.isInteger(value) ? 'integer' : typeof value;
}

const TYPE_PHRASES: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  null: 'null',
};

function typePhrase(error: ErrorObject): string {
  const type = String(error.params['type']);
  // The schema's URIs are text with format uri; saying so tells what the text should be.
  if (type === 'string' && /definitions\/(uri|id|eventID|vocab[^/]*)\//.test(error.schemaPath)) return 'a URI';
  return type.split(',').map((t) => TYPE_PHRASES[t] ?? t).join(' or ');
}

function typeMatches(expected: string, value: unknown): boolean {
  const actual = jsonType(value);
  return expected.split(',').some((t) => t === actual || (t === 'number' && actual === 'integer'));
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? 0;
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}

function closest(value: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(value.length / 3)) + 1;
  for (const candidate of allowed) {
    const d = distance(value.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Reads pointers as field names: `quantityList[0].quantity`, relative to the event holding them. */
function labeller(context: SchemaContext): (pointer: string) => string {
  return (pointer) => {
    const event = context.eventOf(pointer);
    const rest = event === undefined ? pointer : pointer.slice(event.length);
    if (rest === '') return event === undefined ? 'the document' : 'the event';
    return rest
      .slice(1)
      .split('/')
      .map(unescape)
      .map((segment, i) => (/^\d+$/.test(segment) ? `[${segment}]` : i === 0 ? segment : `.${segment}`))
      .join('');
  };
}

function leafFinding(error: ErrorObject, context: SchemaContext, label: (pointer: string) => string): SchemaFinding {
  const at = error.instancePath;
  const value = valueAt(context.root, at);
  const name = label(at);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': {
      const missing = String(params['missingProperty']);
      const pointer = `${at}/${escapePointer(missing)}`;
      const hint =
        missing === '@context'
          ? ': name the EPCIS JSON-LD context, "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"'
          : missing === 'eventTimeZoneOffset'
            ? ': give the UTC offset of the place where the event happened, such as +02:00'
            : '';
      return { pointer, reason: `${label(pointer)} is missing${hint}` };
    }
    case 'type':
      return { pointer: at, reason: `${name} must be ${typePhrase(error)}, not ${describe(value)}` };
    case 'format':
      if (params['format'] === 'date-time') {
        return { pointer: at, reason: `${name} ${show(value)} is not a date and time with a time zone, such as 2026-07-22T06:45:00+02:00` };
      }
      if (params['format'] === 'uri' && context.eventOf(at) !== undefined && `${context.eventOf(at) ?? ''}/type` === at) {
        return { pointer: at, reason: `type ${show(value)} is no EPCIS 2.0 event type (${EPCIS_EVENT_TYPES.join(', ')}) and no URI naming an event type of your own` };
      }
      if (params['format'] === 'uri') {
        return { pointer: at, reason: `${name} ${show(value)} is not a URI: it needs a scheme or prefix, such as urn:, https: or example:` };
      }
      return { pointer: at, reason: `${name} ${show(value)} is not a valid ${String(params['format'])}` };
    case 'pattern':
      if (/\/uom$/.test(at)) return { pointer: at, reason: `${name} ${show(value)} is not a UN/ECE unit code of 2 or 3 capital letters or digits, such as KGM` };
      if (/^\/schemaVersion$/.test(at)) return { pointer: at, reason: `schemaVersion ${show(value)} is not a version number such as 2.0` };
      if (/hexBinaryValue$/.test(at)) return { pointer: at, reason: `${name} ${show(value)} is not hexadecimal (digits 0-9 and letters A-F)` };
      return { pointer: at, reason: `${name} ${show(value)} does not have the form the standard gives (${String(params['pattern'])})` };
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map(String);
      return { pointer: at, reason: `${name} ${show(value)} is not one of ${allowed.join(', ')}`, details: { allowed } };
    }
    case 'additionalProperties': {
      const extra = String(params['additionalProperty']);
      const what = CLOSED_OBJECTS.find((o) => o.at.test(at))?.what ?? name;
      return { pointer: `${at}/${escapePointer(extra)}`, reason: `${extra} is not a field of ${what}` };
    }
    case 'uniqueItems':
      return { pointer: at, reason: `${name} lists the same value twice, at [${String(params['j'])}] and [${String(params['i'])}]` };
    case 'minItems': {
      const limit = Number(params['limit']);
      return { pointer: at, reason: `${name} needs at least ${limit} ${limit === 1 ? 'entry' : 'entries'}` };
    }
    default:
      return { pointer: at, reason: `${name} ${error.message ?? 'is not valid'}` };
  }
}

function unknownField(error: ErrorObject, context: SchemaContext, label: (pointer: string) => string): SchemaFinding {
  const at = error.instancePath;
  const field = String(error.params['propertyName']);
  const pointer = `${at}/${escapePointer(field)}`;
  const container = valueAt(context.root, at);
  const own = `a field of your own needs a namespace prefix declared in @context, such as example:${field}`;
  if (/\/ilmd$/.test(at)) {
    return { pointer, reason: `ilmd field ${field} has no namespace: ilmd holds master data fields of your own, named with a prefix declared in @context, such as example:${field}` };
  }
  if (context.eventOf(at) === at && isRecord(container) && typeof container['type'] === 'string') {
    const allowedIn = FIELD_EVENT_TYPES[field];
    const why = allowedIn === undefined ? own : `EPCIS 2.0 allows it only in ${allowedIn.join(' and ')}`;
    return { pointer, reason: `${field} is not a field of ${withArticle(container['type'])}; ${why}` };
  }
  return { pointer, reason: `${field} is not a field of ${label(at)}; ${own}` };
}

/** A value that had to match one of several schemas (a vocabulary value or a URI, a URI or a list). */
function alternativesFinding(at: string, members: readonly ErrorObject[], context: SchemaContext, label: (pointer: string) => string): SchemaFinding[] {
  const deeper = members.filter((m) => m.instancePath !== at);
  // The value took the shape of one alternative and failed inside it: those errors say what is wrong.
  if (deeper.length > 0) return deeper.map((m) => leafFinding(m, context, label));
  const value = valueAt(context.root, at);
  const name = label(at);
  const enumError = members.find((m) => m.keyword === 'enum');
  const vocabulary = VOCABULARIES.find((v) => v.at.test(at));
  if (enumError !== undefined && vocabulary !== undefined) {
    const allowed = (enumError.params as { allowedValues: unknown[] }).allowedValues.map(String);
    if (typeof value !== 'string') {
      return [{ pointer: at, reason: `${name} must be text, ${vocabulary.name} or a URI, not ${describe(value)}`, details: { allowed } }];
    }
    const uriPassed = !members.some((m) => m.keyword === 'format');
    if (uriPassed && members.some((m) => m.keyword === 'pattern')) {
      const bare = value.split(/[:/]/).pop()?.replace(/^[A-Za-z]+-/, '') ?? '';
      const hint = allowed.includes(bare) ? `, here "${bare}"` : '';
      return [{ pointer: at, reason: `${name} ${JSON.stringify(value)} is a standard value written as a URI; EPCIS 2.0 JSON writes it as the bare word${hint}`, details: { allowed } }];
    }
    const near = closest(value, allowed);
    return [
      {
        pointer: at,
        reason:
          `${name} ${JSON.stringify(value)} is neither ${vocabulary.name} nor a URI` +
          `${near === undefined ? '' : ` (did you mean ${near}?)`}; use one of ${allowed.join(', ')}, or a URI of your own such as https://example.com/${encodeURIComponent(value)}`,
        details: { allowed },
      },
    ];
  }
  const typeErrors = members.filter((m) => m.keyword === 'type');
  const fitting = members.filter((m) => m.keyword !== 'type');
  if (fitting.length > 0 && typeErrors.every((m) => !typeMatches(String(m.params['type']), value))) {
    // The value has the type of one alternative; what failed within that alternative is the news.
    return [leafFinding(fitting[0] as ErrorObject, context, label)];
  }
  if (typeErrors.length > 0) {
    const phrases = [...new Set(typeErrors.map(typePhrase))];
    const listOf = typeErrors.some((m) => m.params['type'] === 'array') && phrases.includes('a URI') ? ' (or a list of URIs)' : '';
    return [{ pointer: at, reason: `${name} must be ${phrases.filter((p) => p !== 'a list' || listOf === '').join(' or ')}${listOf}, not ${describe(value)}` }];
  }
  return [{ pointer: at, reason: `${name} ${show(value)} is not valid here` }];
}

function isWithin(pointer: string, at: string): boolean {
  return pointer === at || pointer.startsWith(`${at}/`);
}

/**
 * An error about a property name rather than a value. ajv marks them with `propertyName`, but not
 * inside a $ref; those still sit at the object's own path, where a value error of these keywords
 * cannot arise (format, pattern and the schema's enums and anyOfs apply to text and lists).
 */
function isNameError(error: ErrorObject, context: SchemaContext): boolean {
  if (error.propertyName !== undefined) return true;
  return ['enum', 'format', 'pattern', 'anyOf'].includes(error.keyword) && isRecord(valueAt(context.root, error.instancePath));
}

/** Errors that an extra rule reports in its own words, so the schema's would say it twice. */
function ownedByRule(error: ErrorObject, context: SchemaContext): boolean {
  if (error.keyword === 'required' && error.params['missingProperty'] === 'action') return true;
  if (error.keyword === 'pattern' && /\/eventTimeZoneOffset$|^\/eventTimeZoneOffset$/.test(error.instancePath)) return true;
  if (error.keyword === 'propertyNames' && error.params['propertyName'] === 'action') {
    const container = valueAt(context.root, error.instancePath);
    return isRecord(container) && container['type'] === 'TransformationEvent';
  }
  return false;
}

/**
 * ajv's errors as one finding per wrong value: the wrappers (if/then, anyOf) and the alternatives
 * that did not apply are dropped, duplicates merged, and each message names the field.
 */
export function translateSchemaErrors(errors: readonly ErrorObject[], context: SchemaContext): SchemaFinding[] {
  const label = labeller(context);
  const seen = new Set<string>();
  const kept: ErrorObject[] = [];
  for (const error of errors) {
    if (error.keyword === 'if' || EVENT_ALTERNATIVES.test(error.schemaPath) || ownedByRule(error, context)) continue;
    if (isNameError(error, context)) continue; // the propertyNames error speaks for it
    const key = `${error.instancePath}|${error.keyword}|${error.propertyName ?? ''}|${JSON.stringify(error.params)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(error);
  }
  // ajv reports an alternative's errors just before the anyOf error itself.
  const groups = new Map<ErrorObject, ErrorObject[]>();
  const grouped = new Set<ErrorObject>();
  for (const [index, error] of kept.entries()) {
    if (error.keyword !== 'anyOf' && error.keyword !== 'oneOf') continue;
    if (grouped.has(error)) continue;
    const members: ErrorObject[] = [];
    for (let j = index - 1; j >= 0; j--) {
      const member = kept[j] as ErrorObject;
      if (grouped.has(member) || groups.has(member) || !isWithin(member.instancePath, error.instancePath)) break;
      members.unshift(member);
    }
    members.forEach((m) => grouped.add(m));
    groups.set(error, members);
  }
  const findings: SchemaFinding[] = [];
  for (const error of kept) {
    if (grouped.has(error)) continue;
    const members = groups.get(error);
    if (members !== undefined) findings.push(...alternativesFinding(error.instancePath, members, context, label));
    else if (error.keyword === 'propertyNames') findings.push(unknownField(error, context, label));
    else findings.push(leafFinding(error, context, label));
  }
  return findings;
}
