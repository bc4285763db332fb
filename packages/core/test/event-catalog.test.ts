import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  assertEventDeclared,
  EVENT_ENTITY_TYPES,
  EVENT_TYPE_NAMES,
  EVENT_TYPES,
  eventProblems,
  isEventEntityType,
  isEventType,
  suggestEventType,
  type EventData,
  type EventField,
  type EventShape,
  type EventType,
} from '@serialtrace/core';
import { thrown } from './helpers.js';

/**
 * One entry of each action as the services write it. Typed by the catalog, so a shape that stops
 * describing these fails to compile as well as to validate.
 */
const EXAMPLES: { readonly [T in EventType]: EventData<T> } = {
  'series.created': { version: 1, settings: { name: 'Widgets', format: 'W-{####}', start: '0', increment: '1' } },
  'series.updated': { version: 2, changes: { description: { from: null, to: 'Line 3' } } },
  'serials.generated': {
    series: 'Widgets',
    seriesVersion: 1,
    period: '*',
    serials: ['W-0001', 'W-0002'],
    firstSequence: '1',
    lastSequence: '2',
    workOrder: 'WO-1',
    context: { LINE: 'L1' },
    metadataSha256: 'ab'.repeat(32),
    skipped: [{ sequence: '3', serial: 'W-0003', conflictsWith: 'Gadgets' }],
  },
  'serials.lease_released': {
    series: 'Widgets',
    period: '2025-06-15',
    owner: 'host:42:abcd',
    reason: 'shutdown',
    skipped: { first: '101', last: '200', count: '100' },
  },
  'record.status_changed': { series: 'Widgets', serial: 'W-0001', from: 'generated', to: 'in_progress', data: null },
  'record.label_printed': { series: 'Widgets', serial: 'W-0001', template: 'serial', format: 'png', print: 1, reprint: false, from: 'generated', to: 'printed' },
  'epcis_capture.finished': { events: 12, captured: 11, errorBehaviour: 'proceed' },
  'container.packed': {
    event: 'urn:uuid:8f2c',
    children: ['https://id.gs1.org/01/09520123456788/21/A1'],
    moved: [{ child: 'https://id.gs1.org/01/09520123456788/21/A1', from: 'https://id.gs1.org/00/095201234000000017' }],
  },
  'shipment.shipped': { identifiers: ['https://id.gs1.org/00/095201234000000017'], contained: 40, bizTransactions: ['urn:epcglobal:cbv:bt:0952012300007:PO-7'] },
  'shipment.received': { identifiers: ['https://id.gs1.org/00/095201234000000017'], contained: 40, bizTransactions: [] },
  'container.unpacked': { event: 'urn:uuid:9a1d', children: ['https://id.gs1.org/01/09520123456788/21/A1'] },
  'label_template.saved': { name: 'small', version: 1, template: { widthMm: 50, heightMm: 25 } },
  'label_template.deleted': { name: 'small', version: 3 },
  'script.saved': { name: 'pack', version: 2, sourceLength: 120, previousVersion: 1 },
  'script.run': { script: 'pack', version: 2, run: 7, apiCalls: 3, durationMs: 12 },
  'script.run_failed': { script: 'pack', version: 2, run: 8, apiCalls: 0, durationMs: 300, error: { code: 'SCRIPT_TIMEOUT', message: 'ran too long' } },
  'user.created': { username: 'admin', role: 'admin', systemAdmin: true },
  'user.updated': { username: 'jane', role: { from: 'viewer', to: 'operator' }, disabled: false, passwordReset: true },
  'user.password_changed': { username: 'jane' },
  'api_key.created': { name: 'Line 3 marker', role: 'operator', station: null, expiresAt: '2026-01-01T00:00:00.000Z' },
  'api_key.revoked': { name: 'Line 3 marker' },
  'company.created': { companyId: 2, name: 'Acme', admin: 'boss' },
  'master_key.rotated': { from: '0a1b2c3d', to: '4e5f6a7b', series: ['Widgets'] },
};

/** The actions the services write, listed by hand: the catalog declares these and no others. */
const WRITTEN_TODAY = [
  'series.created',
  'series.updated',
  'serials.generated',
  'serials.lease_released',
  'record.status_changed',
  'record.label_printed',
  'epcis_capture.finished',
  'container.packed',
  'container.unpacked',
  'shipment.shipped',
  'shipment.received',
  'label_template.saved',
  'label_template.deleted',
  'script.saved',
  'script.run',
  'script.run_failed',
  'user.created',
  'user.updated',
  'user.password_changed',
  'api_key.created',
  'api_key.revoked',
  'company.created',
  'master_key.rotated',
];

function eachField(shape: EventShape, prefix: string, visit: (path: string, field: EventField) => void): void {
  for (const [name, field] of Object.entries(shape)) {
    const path = `${prefix}${name}`;
    visit(path, field);
    if (field.fields !== undefined) eachField(field.fields, `${path}.`, visit);
    if (field.items !== undefined) {
      visit(`${path}[]`, field.items);
      if (field.items.fields !== undefined) eachField(field.items.fields, `${path}[].`, visit);
    }
  }
}

describe('the event catalog', () => {
  it('declares exactly the actions the services write', () => {
    expect([...EVENT_TYPE_NAMES].sort()).toEqual([...WRITTEN_TODAY].sort());
    expect(EVENT_TYPE_NAMES).toEqual(Object.keys(EVENT_TYPES));
  });

  it.each(EVENT_TYPE_NAMES)('%s has an entity type, a label, a description and a data shape', (type) => {
    const spec = EVENT_TYPES[type];
    expect(type).toMatch(/^[a-z][a-z_]*\.[a-z][a-z_]*$/);
    expect(isEventEntityType(spec.entityType)).toBe(true);
    expect(spec.label).toMatch(/^[A-Z][^.]*[a-z]$/);
    expect(spec.description).toMatch(/^[A-Z].*\.$/);
    expect(Object.keys(spec.data).length).toBeGreaterThan(0);
    eachField(spec.data, 'data.', (path, field) => {
      expect(['string', 'number', 'boolean', 'object', 'array'], path).toContain(field.type);
      expect(field.description, path).toMatch(/^[A-Z`].*\.$/);
      if (field.values !== undefined) expect(field.type, path).toBe('string');
      if (field.fields !== undefined) expect(field.type, path).toBe('object');
      if (field.items !== undefined) expect(field.type, path).toBe('array');
    });
  });

  it('gives every entity type a label, and uses every one', () => {
    for (const [name, entity] of Object.entries(EVENT_ENTITY_TYPES)) {
      expect(entity.label, name).toMatch(/^[A-Z]/);
      expect(entity.description, name).toMatch(/\.$/);
      expect(EVENT_TYPE_NAMES.some((type) => EVENT_TYPES[type].entityType === name), name).toBe(true);
    }
  });

  it('names actions after their entity, except a master key rotation, which each company records', () => {
    for (const type of EVENT_TYPE_NAMES) {
      const entity = EVENT_TYPES[type].entityType;
      const subject = type.split('.')[0];
      if (type === 'serials.generated' || type === 'serials.lease_released') expect(entity).toBe('series');
      else if (type === 'master_key.rotated') expect(entity).toBe('company');
      else expect(entity, type).toBe(subject);
    }
  });

  it('isEventType knows the declared names only, not what objects inherit', () => {
    for (const type of EVENT_TYPE_NAMES) expect(isEventType(type)).toBe(true);
    for (const name of ['series.create', 'Series.Created', '', 'toString', '__proto__', 'constructor']) expect(isEventType(name), name).toBe(false);
    expect(isEventEntityType('api_key')).toBe(true);
    expect(isEventEntityType('hasOwnProperty')).toBe(false);
  });

  it('reads the data type from the shape', () => {
    expectTypeOf<EventData<'api_key.revoked'>>().toEqualTypeOf<{ readonly name: string }>();
    expectTypeOf<EventData<'record.status_changed'>['to']>().toEqualTypeOf<'generated' | 'printed' | 'in_progress' | 'completed' | 'voided' | 'scrapped'>();
    expectTypeOf<EventData<'api_key.created'>['station']>().toEqualTypeOf<string | null>();
    expectTypeOf<EventData<'serials.generated'>['serials']>().toEqualTypeOf<readonly string[]>();
    expectTypeOf<EventData<'serials.generated'>['lot']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<EventData<'user.updated'>['role']>().toEqualTypeOf<{ readonly from: 'admin' | 'engineer' | 'operator' | 'auditor' | 'viewer'; readonly to: 'admin' | 'engineer' | 'operator' | 'auditor' | 'viewer' } | undefined>();
  });
});

describe('eventProblems', () => {
  it.each(EVENT_TYPE_NAMES)('finds nothing wrong with an entry of %s as the services write it', (type) => {
    expect(eventProblems(type, EXAMPLES[type])).toEqual([]);
    // What the chain stores is JSON: the same data read back fits too.
    expect(eventProblems(type, JSON.parse(JSON.stringify(EXAMPLES[type])))).toEqual([]);
  });

  it('names a missing required field, and lets an optional one be left out', () => {
    expect(eventProblems('api_key.revoked', {})).toEqual(['data.name is missing']);
    expect(eventProblems('api_key.revoked', { name: undefined })).toEqual(['data.name is missing']);
    expect(eventProblems('script.saved', { name: 'pack', version: 1, sourceLength: 10 })).toEqual([]);
    expect(eventProblems('serials.lease_released', { series: 'W', period: '*', owner: 'o', reason: 'expired', skipped: { first: '1', last: '2' } })).toEqual([
      'data.skipped.count is missing',
    ]);
  });

  it('names a field of the wrong type, down to the item of an array', () => {
    expect(eventProblems('series.created', { version: '1', settings: [] })).toEqual([
      'data.version is a string; expected a finite number',
      'data.settings is an array; expected an object',
    ]);
    expect(eventProblems('master_key.rotated', { from: 'a', to: 'b', series: ['W', 7, null] })).toEqual([
      'data.series[1] is a number; expected a string',
      'data.series[2] is null; expected a string',
    ]);
    expect(eventProblems('script.run', { script: 's', version: 1, run: 1, apiCalls: Number.NaN, durationMs: Infinity })).toEqual([
      'data.apiCalls is NaN; expected a finite number',
      'data.durationMs is Infinity; expected a finite number',
    ]);
    expect(eventProblems('record.label_printed', { ...EXAMPLES['record.label_printed'], reprint: 'no' })).toEqual(['data.reprint is a string; expected a boolean']);
  });

  it('takes null only where the shape allows it', () => {
    expect(eventProblems('api_key.created', { name: 'k', role: 'viewer', station: null, expiresAt: null })).toEqual([]);
    expect(eventProblems('api_key.created', { name: null, role: 'viewer', station: 3, expiresAt: null })).toEqual([
      'data.name is null; expected a string',
      'data.station is a number; expected a string or null',
    ]);
  });

  it('holds a field with a fixed set of values to it', () => {
    expect(eventProblems('record.status_changed', { ...EXAMPLES['record.status_changed'], to: 'shipped' })).toEqual([
      'data.to is "shipped"; expected one of generated, printed, in_progress, completed, voided, scrapped',
    ]);
    expect(eventProblems('user.updated', { username: 'j', role: { from: 'viewer', to: 'boss' } })).toEqual([
      'data.role.to is "boss"; expected one of admin, engineer, operator, auditor, viewer',
    ]);
  });

  it('refuses a field the shape does not declare, at any depth, but lets an open object hold anything', () => {
    expect(eventProblems('api_key.revoked', { name: 'k', secret: 'x' })).toEqual(['data.secret is not a declared field']);
    expect(eventProblems('script.run_failed', { ...EXAMPLES['script.run_failed'], error: { code: 'X', message: 'm', stack: 's' } })).toEqual([
      'data.error.stack is not a declared field',
    ]);
    expect(eventProblems('serials.generated', { ...EXAMPLES['serials.generated'], skipped: [{ sequence: '1', serial: 'W', conflictsWith: 'G', why: 'x' }] })).toEqual([
      'data.skipped[0].why is not a declared field',
    ]);
    expect(eventProblems('series.created', { version: 1, settings: { anything: { at: ['all'] } } })).toEqual([]);
  });

  it('wants data to be an object', () => {
    expect(eventProblems('api_key.revoked', null)).toEqual(['data is null; expected an object']);
    expect(eventProblems('api_key.revoked', ['k'])).toEqual(['data is an array; expected an object']);
    expect(eventProblems('api_key.revoked', 'k')).toEqual(['data is a string; expected an object']);
  });

  it('calls a name that is not declared one problem, with the name that was probably meant', () => {
    expect(eventProblems('serial.generated', {})).toEqual(['"serial.generated" is not a declared event type; did you mean serials.generated?']);
    expect(eventProblems('nothing.happened', {})).toEqual(['"nothing.happened" is not a declared event type']);
  });
});

/** Data that fits `field`: what a writer following the catalog could produce. */
function fitting(field: EventField): fc.Arbitrary<unknown> {
  let value: fc.Arbitrary<unknown>;
  if (field.values !== undefined) value = fc.constantFrom(...field.values);
  else if (field.type === 'string') value = fc.string();
  else if (field.type === 'number') value = fc.double({ noNaN: true, noDefaultInfinity: true });
  else if (field.type === 'boolean') value = fc.boolean();
  else if (field.type === 'array') value = fc.array(field.items === undefined ? fc.jsonValue() : fitting(field.items), { maxLength: 4 });
  else value = field.fields === undefined ? fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 }) : fittingShape(field.fields);
  return field.nullable === true ? fc.option(value, { nil: null }) : value;
}

function fittingShape(shape: EventShape): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  const required: string[] = [];
  for (const [name, field] of Object.entries(shape)) {
    model[name] = fitting(field);
    if (field.optional !== true) required.push(name);
  }
  return fc.record(model, { requiredKeys: required });
}

/** A JSON value of another kind than `type` (and not null, which has problems of its own). */
function wrongKind(type: EventField['type']): fc.Arbitrary<unknown> {
  const kinds: Record<EventField['type'], fc.Arbitrary<unknown>> = {
    string: fc.string(),
    number: fc.integer(),
    boolean: fc.boolean(),
    object: fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 }),
    array: fc.array(fc.integer(), { maxLength: 2 }),
  };
  return fc.oneof(...(Object.keys(kinds) as EventField['type'][]).filter((k) => k !== type).map((k) => kinds[k]));
}

describe('eventProblems, for any data', () => {
  const typeArb = fc.constantFrom(...EVENT_TYPE_NAMES);

  it('finds nothing wrong with data built from the declared shape', () => {
    fc.assert(
      fc.property(
        typeArb.chain((type) => fc.tuple(fc.constant(type), fittingShape(EVENT_TYPES[type].data))),
        ([type, data]) => {
          expect(eventProblems(type, data)).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('names the field when one top-level field is dropped or given a value of another kind', () => {
    const case_ = typeArb.chain((type) => {
      const names = Object.keys(EVENT_TYPES[type].data);
      return fc.tuple(fc.constant(type), fittingShape(EVENT_TYPES[type].data), fc.constantFrom(...names)).chain(([t, data, name]) => {
        const field = (EVENT_TYPES[t].data as EventShape)[name]!;
        return fc.tuple(fc.constant(t), fc.constant(data), fc.constant(name), fc.constant(field), wrongKind(field.type), fc.boolean());
      });
    });
    fc.assert(
      fc.property(case_, ([type, data, name, field, wrong, drop]) => {
        const changed: Record<string, unknown> = { ...data };
        if (drop) delete changed[name];
        else changed[name] = wrong;
        const problems = eventProblems(type, changed);
        if (drop && field.optional === true) {
          expect(problems).toEqual([]);
        } else {
          expect(problems.length).toBeGreaterThan(0);
          expect(problems.every((p) => p.startsWith(`data.${name} `))).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('assertEventDeclared', () => {
  it('passes an entry as declared, and narrows its name', () => {
    const name: string = 'api_key.revoked';
    assertEventDeclared(name, 'api_key', { name: 'k' });
    expectTypeOf(name).toEqualTypeOf<EventType>();
    for (const type of EVENT_TYPE_NAMES) expect(() => assertEventDeclared(type, EVENT_TYPES[type].entityType, EXAMPLES[type])).not.toThrow();
  });

  it('refuses an undeclared action with EVENT_UNDECLARED and a suggestion', () => {
    const error = thrown(() => assertEventDeclared('series.create', 'series', {}));
    expect(error.code).toBe('EVENT_UNDECLARED');
    expect(error.message).toBe('The audit event series.create cannot be written: "series.create" is not a declared event type; did you mean series.created?');
    expect(error.details).toMatchObject({ event: 'series.create', entityType: 'series' });
  });

  it('refuses an entry about another kind of entity than its action\'s', () => {
    const error = thrown(() => assertEventDeclared('api_key.revoked', 'user', { name: 'k' }));
    expect(error.code).toBe('EVENT_UNDECLARED');
    expect(error.details['reason']).toBe('entityType is "user"; expected "api_key", the entity type of api_key.revoked');
  });

  it('refuses data that does not fit, with every problem at once', () => {
    const error = thrown(() => assertEventDeclared('api_key.created', 'record', { name: 1, role: 'boss', extra: true }));
    expect(error.code).toBe('EVENT_UNDECLARED');
    expect(error.problems.map((p) => p.details?.['reason'])).toEqual([
      'entityType is "record"; expected "api_key", the entity type of api_key.created',
      'data.name is a number; expected a string',
      'data.role is "boss"; expected one of admin, engineer, operator, auditor, viewer',
      'data.station is missing',
      'data.expiresAt is missing',
      'data.extra is not a declared field',
    ]);
    expect(error.message).toMatch(/\(and 5 more problems\)$/);
  });
});

describe('suggestEventType', () => {
  it.each([
    ['serial.generated', 'serials.generated'],
    ['series.create', 'series.created'],
    ['Series.Created', 'series.created'],
    ['api-key.revoked', 'api_key.revoked'],
    ['record.status_change', 'record.status_changed'],
    ['user.password_change', 'user.password_changed'],
    ['script.ran', 'script.run'],
    ['labeltemplate.saved', 'label_template.saved'],
  ])('suggests %s -> %s', (name, meant) => {
    expect(suggestEventType(name)).toBe(meant);
  });

  it('suggests nothing for a name far from every action', () => {
    for (const name of ['x', 'nothing.happened', 'parcel.lost', '']) expect(suggestEventType(name), name).toBeUndefined();
  });
});
