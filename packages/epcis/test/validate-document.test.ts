import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Problem } from '@serialtrace/core';
import { validateEpcisDocument, validateEpcisEvent } from '@serialtrace/epcis';
import { describe, expect, it } from 'vitest';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const GS1 = join(FIXTURES, 'epcis');
const OPENEPCIS = join(FIXTURES, 'epcis-openepcis', 'Capture');
const CONTEXT = 'https://ref.gs1.org/standards/epcis/epcis-context.jsonld';

function filesUnder(dir: string, ending: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path, ending) : name.endsWith(ending) ? [path] : [];
    })
    .sort();
}

function read(path: string): any {
  return JSON.parse(readFileSync(path, 'utf8'));
}

const errorsOf = (problems: readonly Problem[]) => problems.filter((p) => p.severity === 'error');
const warningsOf = (problems: readonly Problem[]) => problems.filter((p) => p.severity === 'warning');
/** The parts of a problem a test pins down. */
const summary = (p: Problem) => ({ code: p.code, rule: p.details?.['rule'], event: p.details?.['event'], field: p.field, severity: p.severity });

// GS1's "all possible fields" showcases put a mean below the minimum and a report time months
// after its interval: plausible-value checks warn about them, and nothing else may be said.
const SHOWCASE_WARNINGS = [
  '/epcisBody/eventList/0/sensorElementList/0/sensorReport/0/meanValue',
  '/epcisBody/eventList/0/sensorElementList/0/sensorReport/0/time',
];
const isShowcase = (path: string) => /all_possible_fields\.json(ld)?$/.test(path);

describe('GS1 EPCIS 2.0 example documents', () => {
  const files = filesUnder(GS1, '.jsonld');
  const documents = files.filter((f) => read(f).type === 'EPCISDocument');
  const queryDocuments = files.filter((f) => read(f).type === 'EPCISQueryDocument');

  it('are all read: every .jsonld is a capture or a query document', () => {
    expect(documents.length).toBeGreaterThanOrEqual(45);
    expect(queryDocuments.map((f) => relative(GS1, f))).toEqual(['EPCISQueryDocument.jsonld']);
    expect(documents.length + queryDocuments.length).toBe(files.length);
  });

  it.each(documents.map((f) => [relative(GS1, f), f]))('%s validates', (_name, path) => {
    const { events, problems } = validateEpcisDocument(readFileSync(path, 'utf8'));
    expect(errorsOf(problems)).toEqual([]);
    expect(warningsOf(problems).map((p) => p.field)).toEqual(isShowcase(path) ? SHOWCASE_WARNINGS : []);
    expect(events).toHaveLength(read(path).epcisBody.eventList.length);
  });

  it.each(queryDocuments.map((f) => [relative(GS1, f), f]))('%s is refused as a capture body, and its events validate', (_name, path) => {
    const query = read(path);
    const refused = validateEpcisDocument(query);
    expect(refused.events).toEqual([]);
    expect(refused.problems.map(summary)).toEqual([{ code: 'EPCIS_DOCUMENT_INVALID', rule: 'schema', event: undefined, field: '/type', severity: 'error' }]);
    expect(refused.problems[0]?.message).toContain('EPCISQueryDocument');

    const { type: _type, epcisBody, ...rest } = query;
    const eventList = epcisBody.queryResults.resultsBody.eventList;
    const captured = validateEpcisDocument({ ...rest, type: 'EPCISDocument', schemaVersion: '2.0', epcisBody: { eventList } });
    expect(captured.problems).toEqual([]);
    expect(captured.events).toHaveLength(eventList.length);
  });
});

describe('OpenEPCIS capture documents', () => {
  // Three "valid" documents break EPCIS 2.0 itself; each is refused for exactly that reason.
  const NOT_VALID_AFTER_ALL: Record<string, ReturnType<typeof summary>> = {
    // The standard (7.3.6.2.2, and GS1's schema since 2022) allows persistentDisposition only in
    // ObjectEvent and TransformationEvent.
    'AggregationEvent_with_persistentDisposition.json': {
      code: 'EPCIS_EVENT_INVALID', rule: 'schema', event: 1, field: '/epcisBody/eventList/1/persistentDisposition', severity: 'error',
    },
    // GRAI 0 3001345000771 8765: the check digit of 300134500077 is 6, not 1.
    'Combination_of_different_event.json': {
      code: 'EPCIS_IDENTIFIER_INVALID', rule: 'identifier', event: 0, field: '/epcisBody/eventList/0/epcList/0', severity: 'error',
    },
    // A GRAI starts with the digit 0; this one starts with 9.
    'SensorData_with_combined_events.json': {
      code: 'EPCIS_IDENTIFIER_INVALID', rule: 'identifier', event: 12, field: '/epcisBody/eventList/12/epcList/0', severity: 'error',
    },
  };
  const documents = filesUnder(join(OPENEPCIS, 'Documents'), '.json');
  const events = filesUnder(join(OPENEPCIS, 'Events'), '.json');

  it('are all read', () => {
    expect(documents.length).toBeGreaterThanOrEqual(38);
    expect(events.length).toBeGreaterThanOrEqual(5);
    for (const name of Object.keys(NOT_VALID_AFTER_ALL)) expect(documents.map((f) => relative(join(OPENEPCIS, 'Documents'), f))).toContain(name);
  });

  it.each(documents.map((f) => [relative(join(OPENEPCIS, 'Documents'), f), f]))('%s', (name, path) => {
    const { problems } = validateEpcisDocument(readFileSync(path, 'utf8'));
    const expected = NOT_VALID_AFTER_ALL[name];
    if (expected !== undefined) {
      expect(errorsOf(problems).map(summary)).toEqual([expected]);
      return;
    }
    expect(errorsOf(problems)).toEqual([]);
    expect(warningsOf(problems).map((p) => p.field)).toEqual(isShowcase(path) ? SHOWCASE_WARNINGS : []);
  });

  it.each(events.map((f) => [relative(join(OPENEPCIS, 'Events'), f), f]))('single event %s validates', (_name, path) => {
    const { events: read_, problems } = validateEpcisEvent(readFileSync(path, 'utf8'));
    expect(problems).toEqual([]);
    expect(read_).toHaveLength(1);
  });
});

describe('OpenEPCIS invalid capture documents', () => {
  const dir = join(OPENEPCIS, 'Invalid');
  const files = filesUnder(dir, '.json');
  const EXPECTED: Record<string, ReturnType<typeof summary>[]> = {
    'ObjectEvent_with_invalid_action.json': [{ code: 'EPCIS_EVENT_INVALID', rule: 'schema', event: 0, field: '/epcisBody/eventList/0/action', severity: 'error' }],
    'ObjectEvent_with_non_standard_bizStep.json': [{ code: 'EPCIS_EVENT_INVALID', rule: 'schema', event: 0, field: '/epcisBody/eventList/0/bizStep', severity: 'error' }],
    'ObjectEvent_with_non_standard_bizStep_in_second_event.json': [
      { code: 'EPCIS_EVENT_INVALID', rule: 'schema', event: 1, field: '/epcisBody/eventList/1/bizStep', severity: 'error' },
    ],
    'ObjectEvent_with_non_standard_disposition.json': [
      { code: 'EPCIS_EVENT_INVALID', rule: 'schema', event: 0, field: '/epcisBody/eventList/0/disposition', severity: 'error' },
    ],
    'EPCISDocument_without_context.json': [{ code: 'EPCIS_DOCUMENT_INVALID', rule: 'schema', event: undefined, field: '/@context', severity: 'error' }],
    'ObjectEvent_with_ilmd_field_without_namespace.json': [
      { code: 'EPCIS_EVENT_INVALID', rule: 'schema', event: 0, field: '/epcisBody/eventList/0/ilmd/materialType', severity: 'error' },
    ],
    'ObjectEvent_with_invalid_certificationInfo.json': [
      { code: 'EPCIS_EVENT_INVALID', rule: 'schema', event: 0, field: '/epcisBody/eventList/0/certificationInfo/0', severity: 'error' },
      { code: 'EPCIS_EVENT_INVALID', rule: 'schema', event: 0, field: '/epcisBody/eventList/0/certificationInfo/1', severity: 'error' },
    ],
    'ObjectEvent_with_invalid_eventTime_format.json': [
      { code: 'EPCIS_EVENT_INVALID', rule: 'schema', event: 0, field: '/epcisBody/eventList/0/eventTime', severity: 'error' },
    ],
    'ObjectEvent_with_quantity_as_text.json': [
      { code: 'EPCIS_EVENT_INVALID', rule: 'schema', event: 0, field: '/epcisBody/eventList/0/quantityList/0/quantity', severity: 'error' },
    ],
    'ObjectEvent_with_unknown_field_in_quantityList.json': [
      { code: 'EPCIS_EVENT_INVALID', rule: 'schema', event: 0, field: '/epcisBody/eventList/0/quantityList/0/weight', severity: 'error' },
    ],
    'ObjectEvent_without_action_and_eventTime.json': [
      { code: 'EPCIS_EVENT_INVALID', rule: 'schema', event: 0, field: '/epcisBody/eventList/0/eventTime', severity: 'error' },
      { code: 'EPCIS_EVENT_INVALID', rule: 'schema', event: 0, field: '/epcisBody/eventList/0/eventTimeZoneOffset', severity: 'error' },
      { code: 'EPCIS_EVENT_INVALID', rule: 'action', event: 0, field: '/epcisBody/eventList/0/action', severity: 'error' },
    ],
    'ObjectEvent_without_identifier_list.json': [{ code: 'EPCIS_EVENT_INVALID', rule: 'schema', event: 0, field: '/epcisBody/eventList/0', severity: 'error' }],
    'Combination_of_multiple_invalid_fields.json': [
      { code: 'EPCIS_EVENT_INVALID', rule: 'schema', event: 0, field: '/epcisBody/eventList/0/bizStep', severity: 'error' },
      { code: 'EPCIS_EVENT_INVALID', rule: 'schema', event: 1, field: '/epcisBody/eventList/1/disposition', severity: 'error' },
      { code: 'EPCIS_EVENT_INVALID', rule: 'schema', event: 2, field: '/epcisBody/eventList/2/sourceList/0/type', severity: 'error' },
      { code: 'EPCIS_EVENT_INVALID', rule: 'schema', event: 3, field: '/epcisBody/eventList/3/ilmd/materialType', severity: 'error' },
      { code: 'EPCIS_EVENT_INVALID', rule: 'schema', event: 4, field: '/epcisBody/eventList/4/eventTime', severity: 'error' },
      { code: 'EPCIS_EVENT_INVALID', rule: 'schema', event: 4, field: '/epcisBody/eventList/4/action', severity: 'error' },
    ],
    'Combination_of_events_with_missing_mandatory_fields.json': [
      { code: 'EPCIS_EVENT_INVALID', rule: 'action', event: 0, field: '/epcisBody/eventList/0/action', severity: 'error' },
      { code: 'EPCIS_EVENT_INVALID', rule: 'schema', event: 1, field: '/epcisBody/eventList/1/eventTimeZoneOffset', severity: 'error' },
      { code: 'EPCIS_EVENT_INVALID', rule: 'action', event: 1, field: '/epcisBody/eventList/1/action', severity: 'error' },
    ],
  };

  it('are all read', () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  it.each(files.map((f) => [relative(dir, f), f]))('%s is refused', (name, path) => {
    const { problems } = validateEpcisDocument(readFileSync(path, 'utf8'));
    expect(errorsOf(problems).length).toBeGreaterThan(0);
    const expected = EXPECTED[name];
    if (expected !== undefined) expect(problems.map(summary)).toEqual(expected);
  });

  it('says what is wrong in plain words', () => {
    const messages = (name: string) => validateEpcisDocument(readFileSync(join(dir, name), 'utf8')).problems.map((p) => p.message);
    expect(messages('ObjectEvent_with_invalid_action.json')).toEqual(['Event 0: action "CREATE" is not one of OBSERVE, ADD, DELETE']);
    expect(messages('ObjectEvent_with_non_standard_bizStep.json')[0]).toMatch(
      /^Event 0: bizStep "transforming" is neither a CBV 2\.0 business step nor a URI \(did you mean transporting\?\); use one of accepting, .*shipping.*, or a URI of your own/,
    );
    expect(messages('ObjectEvent_with_unknown_field_in_quantityList.json')).toEqual([
      'Event 0: weight is not a field of a quantity list entry, which has epcClass, quantity and uom',
    ]);
    expect(messages('ObjectEvent_with_quantity_as_text.json')).toEqual(['Event 0: quantityList[0].quantity must be a number, not the text "twenty"']);
    expect(messages('ObjectEvent_with_invalid_certificationInfo.json')[0]).toBe('Event 0: certificationInfo[0] must be a URI, not an object');
    expect(messages('EPCISDocument_without_context.json')[0]).toMatch(/^Not an EPCIS document: @context is missing/);
  });

  it('names the event by its eventID too', () => {
    const document = read(join(dir, 'ObjectEvent_with_invalid_action.json'));
    document.epcisBody.eventList[0].eventID = 'ni:///sha-256;abc?ver=CBV2.0';
    const [found] = validateEpcisDocument(document).problems;
    expect(found?.details).toMatchObject({ event: 0, eventID: 'ni:///sha-256;abc?ver=CBV2.0', rule: 'schema' });
  });
});

describe('vocabulary values', () => {
  it('takes CBV words, URIs and CURIEs, and refuses a bare word that is no CBV value', () => {
    for (const bizStep of ['shipping', 'https://example.com/bizstep/transforming', 'example:transforming']) {
      expect(validateEpcisEvent(objectEvent({ bizStep })).problems).toEqual([]);
    }
    const [found] = validateEpcisEvent(objectEvent({ bizStep: 'shipped_wrong' })).problems;
    expect(summary(found as Problem)).toEqual({ code: 'EPCIS_EVENT_INVALID', rule: 'schema', event: 0, field: '/bizStep', severity: 'error' });
    expect(found?.details?.['allowed']).toContain('shipping');
  });

  it('takes an extension event type named by a URI, and refuses a bare unknown one', () => {
    expect(found(objectEvent({ type: 'https://example.com/InspectionEvent' }))).toEqual([]);
    expect(validateEpcisEvent(objectEvent({ type: 'InspectionEvent' })).problems.map((p) => p.message)).toEqual([
      'Event 0: type "InspectionEvent" is no EPCIS 2.0 event type (ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent) and no URI naming an event type of your own',
    ]);
  });

  it('asks for the bare word when a CBV value is written as its URI', () => {
    const [found] = validateEpcisEvent(objectEvent({ bizStep: 'urn:epcglobal:cbv:bizstep:shipping' })).problems;
    expect(found?.message).toBe('Event 0: bizStep "urn:epcglobal:cbv:bizstep:shipping" is a standard value written as a URI; EPCIS 2.0 JSON writes it as the bare word, here "shipping"');
  });
});

function objectEvent(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@context': CONTEXT,
    type: 'ObjectEvent',
    eventTime: '2026-07-22T06:45:00+02:00',
    eventTimeZoneOffset: '+02:00',
    action: 'OBSERVE',
    epcList: ['urn:epc:id:sgtin:0614141.107346.2017'],
    ...fields,
  };
}

function without(event: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(event).filter(([key]) => !keys.includes(key)));
}

function transformationEvent(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...without(objectEvent(), 'action', 'epcList'),
    type: 'TransformationEvent',
    inputEPCList: ['urn:epc:id:sgtin:0614141.107346.2017'],
    outputEPCList: ['urn:epc:id:sgtin:0614141.107346.2018'],
    ...fields,
  };
}

/** The rule and field of each problem of one event. */
function found(event: unknown): { rule: unknown; field: string | undefined; severity: string }[] {
  return validateEpcisEvent(event).problems.map((p) => ({ rule: p.details?.['rule'], field: p.field, severity: p.severity }));
}

describe('the timezone rule', () => {
  it('accepts an eventTime written with the same offset, or in UTC with any offset', () => {
    expect(found(objectEvent())).toEqual([]);
    expect(found(objectEvent({ eventTime: '2026-07-22T04:45:00Z', eventTimeZoneOffset: '-05:00' }))).toEqual([]);
    expect(found(objectEvent({ eventTime: '2026-07-22T04:45:00+14:00', eventTimeZoneOffset: '+14:00' }))).toEqual([]);
  });

  it('refuses an offset that contradicts the one written in eventTime', () => {
    const { problems } = validateEpcisEvent(objectEvent({ eventTime: '2026-07-22T06:45:00+01:00', eventTimeZoneOffset: '-05:00' }));
    expect(problems.map(summary)).toEqual([{ code: 'EPCIS_EVENT_INVALID', rule: 'timezone', event: 0, field: '/eventTimeZoneOffset', severity: 'error' }]);
    expect(problems[0]?.message).toContain('eventTimeZoneOffset -05:00 does not match the offset +01:00 written in eventTime');
  });

  it('refuses an offset beyond -14:00..+14:00 or of another shape, once', () => {
    expect(found(objectEvent({ eventTime: '2026-07-22T04:45:00Z', eventTimeZoneOffset: '+15:00' }))).toEqual([
      { rule: 'timezone', field: '/eventTimeZoneOffset', severity: 'error' },
    ]);
    expect(found(objectEvent({ eventTime: '2026-07-22T04:45:00Z', eventTimeZoneOffset: '0200' }))).toEqual([
      { rule: 'timezone', field: '/eventTimeZoneOffset', severity: 'error' },
    ]);
  });
});

describe('the action rule', () => {
  it('takes a TransformationEvent without action, and refuses one with', () => {
    expect(found(transformationEvent())).toEqual([]);
    const { problems } = validateEpcisEvent(transformationEvent({ action: 'ADD' }));
    expect(problems.map(summary)).toEqual([{ code: 'EPCIS_EVENT_INVALID', rule: 'action', event: 0, field: '/action', severity: 'error' }]);
    expect(problems[0]?.message).toMatch(/^Event 0: a TransformationEvent has no action/);
  });

  it('requires an action on object, aggregation, transaction and association events', () => {
    expect(found(without(objectEvent(), 'action'))).toEqual([{ rule: 'action', field: '/action', severity: 'error' }]);
    const transaction = { ...without(objectEvent(), 'action'), type: 'TransactionEvent', bizTransactionList: [{ type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:0614141000005:PO-1' }] };
    expect(found({ ...transaction, action: 'ADD' })).toEqual([]);
    expect(validateEpcisEvent(transaction).problems[0]?.message).toBe('Event 0: a TransactionEvent needs an action: ADD, OBSERVE or DELETE');
  });

  it('takes ilmd only with ADD', () => {
    const ilmd = { 'example:lot': 'L1' };
    expect(found(objectEvent({ action: 'ADD', ilmd }))).toEqual([]);
    expect(found(objectEvent({ action: 'OBSERVE', ilmd }))).toEqual([{ rule: 'action', field: '/ilmd', severity: 'error' }]);
  });

  it('needs the parentID of an AggregationEvent that adds or removes children', () => {
    const aggregation = { ...without(objectEvent(), 'epcList'), type: 'AggregationEvent', action: 'ADD', childEPCs: ['urn:epc:id:sgtin:0614141.107346.2017'] };
    expect(found({ ...aggregation, parentID: 'urn:epc:id:sscc:0614141.1234567890' })).toEqual([]);
    expect(found({ ...aggregation, action: 'OBSERVE' })).toEqual([]);
    expect(found(aggregation)).toEqual([{ rule: 'action', field: '/parentID', severity: 'error' }]);
  });
});

describe('what each event names (the schema alternatives, in one sentence)', () => {
  it('refuses a TransformationEvent with inputs only and no transformationID', () => {
    expect(found(transformationEvent({ outputEPCList: [] }))).toEqual([{ rule: 'schema', field: '', severity: 'error' }]);
    expect(found(transformationEvent({ outputEPCList: [], transformationID: 'urn:epc:id:gdti:0614141.12345.400' }))).toEqual([]);
  });

  it('refuses a persistentDisposition that neither sets nor unsets', () => {
    expect(found(objectEvent({ persistentDisposition: { set: ['completeness_verified'] } }))).toEqual([]);
    expect(found(objectEvent({ persistentDisposition: {} }))).toEqual([{ rule: 'schema', field: '/persistentDisposition', severity: 'error' }]);
  });
});

describe('the quantity rule', () => {
  const quantityList = (element: Record<string, unknown>) => objectEvent({ epcList: undefined, action: 'OBSERVE', quantityList: [element] });
  const epcClass = 'urn:epc:class:lgtin:4012345.012345.998877';

  it('takes a count, and a measured quantity with its unit', () => {
    expect(found(quantityList({ epcClass, quantity: 200 }))).toEqual([]);
    expect(found(quantityList({ epcClass, quantity: 12.5, uom: 'KGM' }))).toEqual([]);
    expect(found(quantityList({ epcClass }))).toEqual([]);
  });

  it('refuses a negative quantity and a unit without quantity', () => {
    expect(found(quantityList({ epcClass, quantity: -3 }))).toEqual([{ rule: 'quantity', field: '/quantityList/0/quantity', severity: 'error' }]);
    expect(found(quantityList({ epcClass, uom: 'KGM' }))).toEqual([{ rule: 'quantity', field: '/quantityList/0/uom', severity: 'error' }]);
  });

  it('refuses an entry without epcClass (schema), and warns about a fractional count', () => {
    expect(found(quantityList({ quantity: 3 }))).toEqual([{ rule: 'schema', field: '/quantityList/0/epcClass', severity: 'error' }]);
    expect(found(quantityList({ epcClass, quantity: 2.5 }))).toEqual([{ rule: 'quantity', field: '/quantityList/0/quantity', severity: 'warning' }]);
  });
});

describe('the sensor rule', () => {
  const withReport = (report: Record<string, unknown>, sensorMetadata?: Record<string, unknown>) =>
    objectEvent({ sensorElementList: [{ ...(sensorMetadata === undefined ? {} : { sensorMetadata }), sensorReport: [report] }] });
  const at = (field: string) => `/sensorElementList/0/sensorReport/0${field}`;

  it('takes plausible readings, and an alarm report without a measurement type', () => {
    expect(found(withReport({ type: 'Temperature', minValue: 2, meanValue: 4, maxValue: 8, sDev: 0.5, percRank: 50, percValue: 4, uom: 'CEL' }))).toEqual([]);
    expect(found(withReport({ exception: 'ALARM_CONDITION', booleanValue: true }))).toEqual([]);
    expect(found(withReport({ type: 'EffectiveDoseRate', value: 0.005, uom: 'P71' }))).toEqual([]);
  });

  it('refuses a report with neither type nor exception', () => {
    expect(found(withReport({ value: 3 }))).toEqual([{ rule: 'sensor', field: at(''), severity: 'error' }]);
  });

  it('refuses a minimum above the maximum, a negative sDev and a percentile rank beyond 100', () => {
    expect(found(withReport({ type: 'Temperature', minValue: 9, maxValue: 8 }))).toEqual([{ rule: 'sensor', field: at('/minValue'), severity: 'error' }]);
    expect(found(withReport({ type: 'Temperature', sDev: -0.1 }))).toEqual([{ rule: 'sensor', field: at('/sDev'), severity: 'error' }]);
    expect(found(withReport({ type: 'Temperature', percRank: 101, percValue: 4 }))).toEqual([{ rule: 'sensor', field: at('/percRank'), severity: 'error' }]);
  });

  it('refuses an interval that ends before it starts', () => {
    const sensorMetadata = { startTime: '2026-07-22T08:00:00Z', endTime: '2026-07-22T07:00:00Z' };
    expect(found(withReport({ type: 'Temperature', value: 4 }, sensorMetadata))).toEqual([
      { rule: 'sensor', field: '/sensorElementList/0/sensorMetadata/endTime', severity: 'error' },
    ]);
  });

  it('warns about a mean outside min..max and a report time outside its interval', () => {
    expect(found(withReport({ type: 'Temperature', minValue: 2, meanValue: 1, maxValue: 8 }))).toEqual([{ rule: 'sensor', field: at('/meanValue'), severity: 'warning' }]);
    const sensorMetadata = { startTime: '2026-07-22T07:00:00Z', endTime: '2026-07-22T08:00:00Z' };
    expect(found(withReport({ type: 'Temperature', value: 4, time: '2026-07-22T07:30:00Z' }, sensorMetadata))).toEqual([]);
    expect(found(withReport({ type: 'Temperature', value: 4, time: '2026-07-22T09:30:00Z' }, sensorMetadata))).toEqual([{ rule: 'sensor', field: at('/time'), severity: 'warning' }]);
  });
});

describe('the identifier rule', () => {
  it('takes well-formed EPC URNs, Digital Links and URIs of other schemes', () => {
    expect(found(objectEvent({ epcList: ['https://id.gs1.org/01/09521141012345/21/2017', 'urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6'] }))).toEqual([]);
    expect(found(objectEvent({ readPoint: { id: 'urn:epc:id:sgln:0614141.07346.1234' }, bizLocation: { id: 'https://id.gs1.org/414/9520123456788' } }))).toEqual([]);
  });

  it('refuses a Digital Link with a wrong check digit, naming event and field', () => {
    const { problems } = validateEpcisEvent(objectEvent({ epcList: ['urn:epc:id:sgtin:0614141.107346.2017', 'https://id.gs1.org/01/09521141012344/21/2017'] }));
    expect(problems.map(summary)).toEqual([{ code: 'EPCIS_IDENTIFIER_INVALID', rule: 'identifier', event: 0, field: '/epcList/1', severity: 'error' }]);
    expect(problems[0]?.details).toMatchObject({ value: 'https://id.gs1.org/01/09521141012344/21/2017' });
  });

  it('checks the role: a location is no SSCC, a class no serialised item', () => {
    expect(found(objectEvent({ readPoint: { id: 'urn:epc:id:sscc:0614141.1234567890' } }))).toEqual([{ rule: 'identifier', field: '/readPoint/id', severity: 'error' }]);
    expect(found(objectEvent({ epcList: undefined, quantityList: [{ epcClass: 'urn:epc:id:sgtin:0614141.107346.2017', quantity: 1 }] }))).toEqual([
      { rule: 'identifier', field: '/quantityList/0/epcClass', severity: 'error' },
    ]);
  });
});

describe('bodies that are no document or event', () => {
  it('refuses text that is not JSON, and a value that is not an object', () => {
    const notJson = validateEpcisDocument('{"type": "EPCISDocument",');
    expect(notJson.problems.map((p) => p.code)).toEqual(['EPCIS_DOCUMENT_INVALID']);
    expect(notJson.problems[0]?.message).toMatch(/^Not an EPCIS document: the body is not JSON/);
    expect(validateEpcisDocument([]).problems[0]?.message).toBe('Not an EPCIS document: the body is a list, not a JSON object');
    expect(validateEpcisEvent('42').problems.map((p) => p.code)).toEqual(['EPCIS_DOCUMENT_INVALID']);
  });

  it('sends a single event and a document each to its own endpoint', () => {
    expect(validateEpcisDocument(objectEvent()).problems[0]?.message).toMatch(/it is a single ObjectEvent; send it to POST \/epcis\/events/);
    const document = { '@context': [CONTEXT], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2026-07-22T10:30:00Z', epcisBody: { eventList: [objectEvent()] } };
    expect(validateEpcisDocument(document).problems).toEqual([]);
    expect(validateEpcisEvent(document).problems[0]?.message).toMatch(/an EPCISDocument, not a single event/);
  });

  it('reports every problem of every event at once', () => {
    const document = {
      '@context': [CONTEXT],
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: '2026-07-22T10:30:00Z',
      epcisBody: { eventList: [objectEvent({ action: 'CREATE' }), objectEvent(), transformationEvent({ action: 'ADD', eventTimeZoneOffset: '+03:00' })] },
    };
    expect(validateEpcisDocument(JSON.stringify(document)).problems.map(summary)).toEqual([
      { code: 'EPCIS_EVENT_INVALID', rule: 'schema', event: 0, field: '/epcisBody/eventList/0/action', severity: 'error' },
      { code: 'EPCIS_EVENT_INVALID', rule: 'timezone', event: 2, field: '/epcisBody/eventList/2/eventTimeZoneOffset', severity: 'error' },
      { code: 'EPCIS_EVENT_INVALID', rule: 'action', event: 2, field: '/epcisBody/eventList/2/action', severity: 'error' },
    ]);
  });
});
