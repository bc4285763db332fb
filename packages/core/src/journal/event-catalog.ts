import { ROLES } from '../access/roles.js';
import { problem, SerialtraceError, type Problem } from '../errors/serialtrace-error.js';
import { RECORD_STATUSES } from '../records/record-status.js';
import { closestName } from '../text/edit-distance.js';

/** The JSON kinds an event's data field may take. */
export type EventFieldType = 'string' | 'number' | 'boolean' | 'object' | 'array';

/**
 * One field of an event's data: its JSON kind, whether it may be left out or be null, and what it
 * holds. An object field with `fields` has exactly those; one without may hold any members (a
 * series' settings, a caller's metadata). An array field with `items` holds only such items.
 *
 * @example { type: 'string', optional: true, description: 'The work order the serials were issued for.' }
 */
export interface EventField {
  readonly type: EventFieldType;
  readonly description: string;
  /** Left out of the data when it does not apply; a field without this flag is always there. */
  readonly optional?: true;
  /** There, but null when it has no value. */
  readonly nullable?: true;
  /** The only values a string field takes. */
  readonly values?: readonly string[];
  /** The members of an object field, when its shape is fixed. */
  readonly fields?: EventShape;
  /** The shape of every item of an array field. */
  readonly items?: EventField;
}

/** The data of an event: its fields by name. */
export type EventShape = Readonly<Record<string, EventField>>;

/** What kind of thing an audit entry is about; its `entityId` names the one thing. */
export const EVENT_ENTITY_TYPES = {
  series: { label: 'Series', description: 'A series, by its id.' },
  record: { label: 'Record', description: 'An issued serial, by its record id.' },
  label_template: { label: 'Label template', description: 'A stored label template, by its id.' },
  script: { label: 'Script', description: 'A customer script, by its id.' },
  user: { label: 'User', description: 'A user, by its id.' },
  api_key: { label: 'API key', description: 'An API key, by its id (the part of the key that is not secret).' },
  company: { label: 'Company', description: 'A company, by its id.' },
  epcis_capture: { label: 'EPCIS capture', description: 'A capture job of the EPCIS repository, by its id (GET /epcis/capture/{id}).' },
  shipment: { label: 'Shipment', description: 'A shipment or receipt, by the eventID of the ObjectEvent that records it (GET /epcis/events/{eventID}).' },
  container: { label: 'Container', description: 'A parent units are packed into (a case, a pallet), by its identifier: a GS1 Digital Link such as https://id.gs1.org/00/{sscc}.' },
} as const satisfies Record<string, { readonly label: string; readonly description: string }>;

export type EventEntityType = keyof typeof EVENT_ENTITY_TYPES;

/** One kind of audited action: what it is about, how people read it, and the shape of its data. */
export interface EventSpec {
  readonly entityType: EventEntityType;
  /** A few words for lists and filters: "Series created". */
  readonly label: string;
  /** One sentence for the documentation. */
  readonly description: string;
  readonly data: EventShape;
}

const SERIES_NAME = { type: 'string', description: 'The series\' name when it happened.' } as const;
const SERIAL = { type: 'string', description: 'The record\'s serial.' } as const;
const STATUS = { type: 'string', values: RECORD_STATUSES } as const;
const USERNAME = { type: 'string', description: 'The user\'s name, unique in the company.' } as const;
const SCRIPT_RUN = {
  script: { type: 'string', description: 'The script\'s name.' },
  version: { type: 'number', description: 'The version of the script that ran.' },
  run: { type: 'number', description: 'The run\'s id (GET /api/v1/script-runs/{id}).' },
  apiCalls: { type: 'number', description: 'How many calls to the manufacturing and documents APIs the run made.' },
  durationMs: { type: 'number', description: 'How long the run took, in whole milliseconds.' },
} as const;

/**
 * Every action the audit trail records, declared once. The audit writer refuses an entry this
 * catalog does not declare ({@link assertEventDeclared}); the web UI's filters, the CLI's
 * `audit --action` and `docs/events.md` read it. An action, once written, keeps its name and the
 * meaning of its fields: entries are never rewritten, so a change of shape is a new field, left
 * optional.
 *
 * @example EVENT_TYPES['series.created'].label // 'Series created'
 */
export const EVENT_TYPES = {
  'series.created': {
    entityType: 'series',
    label: 'Series created',
    description: 'A series was defined; its first version\'s settings are kept in full.',
    data: {
      version: { type: 'number', description: 'The series\' version, 1.' },
      settings: { type: 'object', description: 'Every setting of the series, as the API answers them (format, base, start, increment, reset, ...).' },
    },
  },
  'series.updated': {
    entityType: 'series',
    label: 'Series changed',
    description: 'Settings of a series were changed, making a new version of it.',
    data: {
      version: { type: 'number', description: 'The series\' new version.' },
      changes: { type: 'object', description: 'Each changed setting by name, as `{from, to}`.' },
    },
  },
  'serials.generated': {
    entityType: 'series',
    label: 'Serials generated',
    description: 'One request issued serials from a series: one entry per request, whatever its quantity.',
    data: {
      series: SERIES_NAME,
      seriesVersion: { type: 'number', description: 'The version of the series the serials were issued under.' },
      period: { type: 'string', description: 'The reset period the serials belong to (`*` for a series that never resets).' },
      serials: { type: 'array', items: { type: 'string', description: 'A serial.' }, description: 'Every serial issued, in order.' },
      firstSequence: { type: 'string', description: 'The counter value of the first serial, in decimal.' },
      lastSequence: { type: 'string', optional: true, description: 'The counter value of the last serial, in decimal, when more than one was issued.' },
      workOrder: { type: 'string', optional: true, description: 'The work order the serials were issued for.' },
      partNumber: { type: 'string', optional: true, description: 'The part number the serials were issued for.' },
      context: { type: 'object', optional: true, description: 'The context values the request gave (`LINE`, `PLANT`, ...).' },
      metadataSha256: { type: 'string', optional: true, description: 'The SHA-256 of the request\'s metadata, which the records keep.' },
      idempotencyKey: { type: 'string', optional: true, description: 'The request\'s idempotency key.' },
      lot: { type: 'string', optional: true, description: 'The GS1 lot (AI 10) of the items.' },
      expiry: { type: 'string', optional: true, description: 'The GS1 expiry date (AI 17), YYYY-MM-DD.' },
      skipped: {
        type: 'array',
        optional: true,
        description: 'Values passed over because their serial was already taken, by this series or another of a global scope.',
        items: {
          type: 'object',
          description: 'A value passed over.',
          fields: {
            sequence: { type: 'string', description: 'The counter value, in decimal.' },
            serial: { type: 'string', description: 'The serial it would have printed.' },
            conflictsWith: { type: 'string', description: 'The series that already holds that serial.' },
          },
        },
      },
    },
  },
  'serials.lease_released': {
    entityType: 'series',
    label: 'Leased values released',
    description: 'A server gave back a lease of values of a leased series; the values it never issued are skipped for good.',
    data: {
      series: SERIES_NAME,
      period: { type: 'string', description: 'The reset period of the lease.' },
      owner: { type: 'string', description: 'The server process that held the lease.' },
      reason: {
        type: 'string',
        values: ['request_done', 'replaced', 'period_ended', 'expired', 'shutdown', 'series_changed'],
        description: 'Why the lease ended.',
      },
      skipped: {
        type: 'object',
        description: 'The counter values never issued, in decimal.',
        fields: {
          first: { type: 'string', description: 'The first value skipped.' },
          last: { type: 'string', description: 'The last value skipped.' },
          count: { type: 'string', description: 'How many values were skipped.' },
        },
      },
    },
  },
  'record.status_changed': {
    entityType: 'record',
    label: 'Record status changed',
    description: 'A record moved along its lifecycle; the entry\'s reason, when given, says why.',
    data: {
      series: SERIES_NAME,
      serial: SERIAL,
      from: { ...STATUS, description: 'The status before.' },
      to: { ...STATUS, description: 'The status after.' },
      data: { type: 'object', nullable: true, description: 'What the caller recorded with the move (a measurement, a defect code), or null.' },
    },
  },
  'record.label_printed': {
    entityType: 'record',
    label: 'Label printed',
    description: 'A record\'s label was printed; the first print of a generated record also moves it to printed.',
    data: {
      series: SERIES_NAME,
      serial: SERIAL,
      template: { type: 'string', description: 'The label template printed.' },
      format: { type: 'string', description: 'The document printed: png, pdf or zpl.' },
      print: { type: 'number', description: 'Which print of this record it was, from 1.' },
      reprint: { type: 'boolean', description: 'Whether the label had been printed before.' },
      from: { type: 'string', values: ['generated'], optional: true, description: 'The status before, when this first print moved the record.' },
      to: { type: 'string', values: ['printed'], optional: true, description: 'The status after, when this first print moved the record.' },
    },
  },
  'epcis_capture.finished': {
    entityType: 'epcis_capture',
    label: 'EPCIS capture finished',
    description: 'EPCIS events posted by a partner or a machine were stored in the repository (a document or a single event).',
    data: {
      events: { type: 'number', description: 'How many events the document held.' },
      captured: { type: 'number', description: 'How many of them were stored (fewer only when errors were allowed to proceed).' },
      errorBehaviour: { type: 'string', values: ['rollback', 'proceed'], description: 'The GS1-Capture-Error-Behaviour the capture asked for.' },
    },
  },
  'container.packed': {
    entityType: 'container',
    label: 'Units packed',
    description: 'Units were packed into a container; an AggregationEvent (ADD) says so in the EPCIS repository, after one (DELETE) per parent the units were moved out of.',
    data: {
      event: { type: 'string', description: 'The eventID of the AggregationEvent that packed them.' },
      children: { type: 'array', items: { type: 'string', description: 'A unit, as its GS1 Digital Link.' }, description: 'The units packed.' },
      moved: {
        type: 'array',
        items: { type: 'object', description: 'A unit moved, and the container it left.', fields: { child: { type: 'string', description: 'The unit.' }, from: { type: 'string', description: 'The container it left.' } } },
        description: 'The units taken out of another container to be packed (a move); empty when none.',
      },
    },
  },
  'container.unpacked': {
    entityType: 'container',
    label: 'Units unpacked',
    description: 'Units were taken out of a container; an AggregationEvent (DELETE) says so in the EPCIS repository.',
    data: {
      event: { type: 'string', description: 'The eventID of the AggregationEvent that unpacked them.' },
      children: { type: 'array', items: { type: 'string', description: 'A unit, as its GS1 Digital Link.' }, description: 'The units taken out.' },
    },
  },
  'shipment.shipped': {
    entityType: 'shipment',
    label: 'Shipped',
    description: 'Units or containers were shipped; an ObjectEvent (shipping, in_transit) records it, and whatever the containers hold moves with them.',
    data: {
      identifiers: { type: 'array', items: { type: 'string', description: 'A unit or container, as its GS1 Digital Link.' }, description: 'What was shipped.' },
      contained: { type: 'number', description: 'How many units the containers held, at every level.' },
      bizTransactions: { type: 'array', items: { type: 'string', description: 'A business transaction\'s id.' }, description: 'The purchase orders, despatch advices, ... it answers.' },
    },
  },
  'shipment.received': {
    entityType: 'shipment',
    label: 'Received',
    description: 'Units or containers were received; an ObjectEvent (receiving, in_progress) records it, and whatever the containers hold moves with them.',
    data: {
      identifiers: { type: 'array', items: { type: 'string', description: 'A unit or container, as its GS1 Digital Link.' }, description: 'What was received.' },
      contained: { type: 'number', description: 'How many units the containers held, at every level.' },
      bizTransactions: { type: 'array', items: { type: 'string', description: 'A business transaction\'s id.' }, description: 'The purchase orders, despatch advices, ... it answers.' },
    },
  },
  'label_template.saved': {
    entityType: 'label_template',
    label: 'Label template saved',
    description: 'A label template was stored, as a new template or a new version of one.',
    data: {
      name: { type: 'string', description: 'The template\'s name.' },
      version: { type: 'number', description: 'The version stored.' },
      template: { type: 'object', description: 'The template as stored: size, barcode, lines.' },
    },
  },
  'label_template.deleted': {
    entityType: 'label_template',
    label: 'Label template deleted',
    description: 'A stored label template was deleted.',
    data: {
      name: { type: 'string', description: 'The template\'s name.' },
      version: { type: 'number', description: 'Its last version.' },
    },
  },
  'script.saved': {
    entityType: 'script',
    label: 'Script saved',
    description: 'A customer script was stored, as a new script or a new version of one.',
    data: {
      name: { type: 'string', description: 'The script\'s name.' },
      version: { type: 'number', description: 'The version stored.' },
      sourceLength: { type: 'number', description: 'The length of its source, in UTF-16 code units.' },
      previousVersion: { type: 'number', optional: true, description: 'The version it replaces, when there was one.' },
    },
  },
  'script.run': {
    entityType: 'script',
    label: 'Script run',
    description: 'A script ran to the end; what it generated or changed was kept, each with its own entries.',
    data: SCRIPT_RUN,
  },
  'script.run_failed': {
    entityType: 'script',
    label: 'Script run failed',
    description: 'A script run failed or was stopped; everything it generated or changed was undone.',
    data: {
      ...SCRIPT_RUN,
      error: {
        type: 'object',
        description: 'Why it failed.',
        fields: {
          code: { type: 'string', description: 'The error code (SCRIPT_FAILED, SCRIPT_TIMEOUT, ... or the code of a refused call).' },
          message: { type: 'string', description: 'The error message.' },
        },
      },
    },
  },
  'user.created': {
    entityType: 'user',
    label: 'User added',
    description: 'A user was added to the company (the first admin of a new company, or the first start\'s admin, included).',
    data: {
      username: USERNAME,
      role: { type: 'string', values: ROLES, description: 'The user\'s role.' },
      systemAdmin: { type: 'boolean', optional: true, description: 'Present, true, when the user may also create companies (the first start\'s admin).' },
    },
  },
  'user.updated': {
    entityType: 'user',
    label: 'User changed',
    description: 'An admin changed a user\'s role, disabled or enabled them, or set a new password for them.',
    data: {
      username: USERNAME,
      role: {
        type: 'object',
        optional: true,
        description: 'The role change, when the role changed.',
        fields: {
          from: { type: 'string', values: ROLES, description: 'The role before.' },
          to: { type: 'string', values: ROLES, description: 'The role after.' },
        },
      },
      disabled: { type: 'boolean', optional: true, description: 'Whether the user is now disabled, when that was set.' },
      passwordReset: { type: 'boolean', optional: true, description: 'Present, true, when an admin set a new password (the user must change it).' },
    },
  },
  'user.password_changed': {
    entityType: 'user',
    label: 'Password changed',
    description: 'A user changed their own password.',
    data: { username: USERNAME },
  },
  'api_key.created': {
    entityType: 'api_key',
    label: 'API key created',
    description: 'An API key was created (its secret is never recorded).',
    data: {
      name: { type: 'string', description: 'The key\'s name.' },
      role: { type: 'string', values: ROLES, description: 'The key\'s role.' },
      station: { type: 'string', nullable: true, description: 'The station its requests are recorded at, or null.' },
      expiresAt: { type: 'string', nullable: true, description: 'When the key stops working (ISO-8601), or null for never.' },
    },
  },
  'api_key.revoked': {
    entityType: 'api_key',
    label: 'API key revoked',
    description: 'An API key was revoked; requests signed with it are refused from then on.',
    data: { name: { type: 'string', description: 'The key\'s name.' } },
  },
  'company.created': {
    entityType: 'company',
    label: 'Company created',
    description: 'A system administrator created a company with its first admin; written in the new company\'s trail and in the creator\'s.',
    data: {
      companyId: { type: 'number', description: 'The new company\'s id.' },
      name: { type: 'string', description: 'The new company\'s name.' },
      admin: { type: 'string', description: 'The username of its first admin.' },
    },
  },
  'master_key.rotated': {
    entityType: 'company',
    label: 'Master key rotated',
    description: 'The keys of the company\'s randomised series were re-wrapped under a new master key; the series keep their keys and order.',
    data: {
      from: { type: 'string', description: 'The id of the master key before (8 hex digits; never the key).' },
      to: { type: 'string', description: 'The id of the master key after.' },
      series: { type: 'array', items: { type: 'string', description: 'A series\' name.' }, description: 'The series whose keys were re-wrapped.' },
    },
  },
} as const satisfies Record<string, EventSpec>;

/** The name of an audited action, such as `series.created`. */
export type EventType = keyof typeof EVENT_TYPES;

/** Every declared action, in the catalog's order. */
export const EVENT_TYPE_NAMES: readonly EventType[] = Object.keys(EVENT_TYPES) as EventType[];

type FieldValue<F> = F extends { readonly type: 'string' }
  ? F extends { readonly values: readonly (infer V)[] }
    ? V
    : string
  : F extends { readonly type: 'number' }
    ? number
    : F extends { readonly type: 'boolean' }
      ? boolean
      : F extends { readonly type: 'array' }
        ? F extends { readonly items: infer I }
          ? readonly FieldOrNull<I>[]
          : readonly unknown[]
        : F extends { readonly type: 'object' }
          ? F extends { readonly fields: infer S }
            ? ShapeValue<S>
            : Readonly<Record<string, unknown>>
          : never;

type FieldOrNull<F> = F extends { readonly nullable: true } ? FieldValue<F> | null : FieldValue<F>;

/** One object type instead of an intersection, so that editors show the data's fields. */
type Flat<T> = { [K in keyof T]: T[K] };

type ShapeValue<S> = Flat<
  {
    readonly [K in keyof S as S[K] extends { readonly optional: true } ? never : K]: FieldOrNull<S[K]>;
  } & {
    readonly [K in keyof S as S[K] extends { readonly optional: true } ? K : never]?: FieldOrNull<S[K]>;
  }
>;

/**
 * The data of an event as a TypeScript type, read from its declared shape.
 *
 * @example const data: EventData<'api_key.revoked'> = { name: 'Line 3 marker' };
 */
export type EventData<T extends EventType> = ShapeValue<(typeof EVENT_TYPES)[T]['data']>;

export function isEventType(name: string): name is EventType {
  return Object.hasOwn(EVENT_TYPES, name);
}

export function isEventEntityType(name: string): name is EventEntityType {
  return Object.hasOwn(EVENT_ENTITY_TYPES, name);
}

/**
 * The declared action nearest to a name that is not one, for "did you mean" hints; undefined when
 * none is near enough to be what was meant.
 *
 * @example suggestEventType('serial.generated') === 'serials.generated'
 */
export function suggestEventType(name: string): EventType | undefined {
  const wanted = name.trim().toLowerCase().replace(/-/g, '_');
  if (isEventType(wanted)) return wanted;
  return closestName(wanted, EVENT_TYPE_NAMES, Math.max(3, Math.ceil(wanted.length / 4)));
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

const EXPECTED: Readonly<Record<EventFieldType, string>> = {
  string: 'a string',
  number: 'a finite number',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fits(type: EventFieldType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
  }
}

function fieldProblems(field: EventField, value: unknown, path: string, out: string[]): void {
  if (value === null) {
    if (field.nullable !== true) out.push(`${path} is null; expected ${EXPECTED[field.type]}`);
    return;
  }
  if (!fits(field.type, value)) {
    out.push(`${path} is ${kindOf(value)}; expected ${EXPECTED[field.type]}${field.nullable === true ? ' or null' : ''}`);
    return;
  }
  if (field.values !== undefined && !field.values.includes(value as string)) {
    out.push(`${path} is "${value as string}"; expected one of ${field.values.join(', ')}`);
  }
  if (field.fields !== undefined) shapeProblems(field.fields, value as Record<string, unknown>, `${path}.`, out);
  if (field.items !== undefined) {
    const items = field.items;
    (value as unknown[]).forEach((item, i) => fieldProblems(items, item, `${path}[${i}]`, out));
  }
}

function shapeProblems(shape: EventShape, data: Record<string, unknown>, prefix: string, out: string[]): void {
  for (const [name, field] of Object.entries(shape)) {
    const path = `${prefix}${name}`;
    if (!Object.hasOwn(data, name) || data[name] === undefined) {
      if (field.optional !== true) out.push(`${path} is missing`);
      continue;
    }
    fieldProblems(field, data[name], path, out);
  }
  for (const name of Object.keys(data)) {
    if (!Object.hasOwn(shape, name) && data[name] !== undefined) out.push(`${prefix}${name} is not a declared field`);
  }
}

/**
 * Everything about `data` that does not fit the declared shape of `type`, each in words naming
 * the field (`data.serials[2] is a number; expected a string`); empty when it fits. Fields the
 * shape does not declare are problems too, so the catalog stays a true account of what is written.
 * A name that is not a declared action is one problem.
 *
 * @example eventProblems('api_key.revoked', {}) // ['data.name is missing']
 */
export function eventProblems(type: string, data: unknown): string[] {
  if (!isEventType(type)) {
    const suggestion = suggestEventType(type);
    return [`"${type}" is not a declared event type${suggestion === undefined ? '' : `; did you mean ${suggestion}?`}`];
  }
  if (!isPlainObject(data)) return [`data is ${kindOf(data)}; expected an object`];
  const out: string[] = [];
  shapeProblems(EVENT_TYPES[type].data, data, 'data.', out);
  return out;
}

/**
 * Refuses, with EVENT_UNDECLARED listing every problem, an audit entry whose action the catalog
 * does not declare, whose entity type is not its action's, or whose data does not fit the
 * action's shape. The audit writer calls it before an entry is sealed.
 *
 * @example assertEventDeclared('api_key.revoked', 'api_key', { name: 'Line 3 marker' }); // passes
 */
export function assertEventDeclared(type: string, entityType: string, data: unknown): asserts type is EventType {
  const reasons: string[] = [];
  if (!isEventType(type)) {
    reasons.push(...eventProblems(type, data));
  } else {
    const declared = EVENT_TYPES[type].entityType;
    if (entityType !== declared) reasons.push(`entityType is "${entityType}"; expected "${declared}", the entity type of ${type}`);
    reasons.push(...eventProblems(type, data));
  }
  if (reasons.length === 0) return;
  const problems: Problem[] = reasons.map((reason) => problem('EVENT_UNDECLARED', { event: type, entityType, reason }));
  throw SerialtraceError.fromProblems(problems);
}
