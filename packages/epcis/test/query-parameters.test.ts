import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { completeKey, SerialtraceError, sglnUrn, sgtinPatternUrn, sgtinUrn, ssccUrn } from '@serialtrace/core';
import { canonicalIdentifier, meetsResidual, parseEpcisQuery, type EpcisQuery, type ResidualCondition } from '@serialtrace/epcis';

type Params = Parameters<typeof parseEpcisQuery>[0];

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const json = (path: string) => JSON.parse(readFileSync(FIXTURES + path, 'utf8'));

/** The events of a document as the repository stores them: each with the document's @context. */
function eventsOf(path: string): Record<string, unknown>[] {
  const document = json(path);
  const body = document.epcisBody;
  const events: Record<string, unknown>[] = body.eventList ?? body.queryResults?.resultsBody?.eventList ?? [body.event];
  return events.map((event) => ({ '@context': document['@context'], ...event }));
}

/** A JSON query body (OpenEPCIS query files) as query parameters: lists stay lists, numbers become text. */
function paramsOf(body: Record<string, unknown>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(body).map(([name, value]) => [name, Array.isArray(value) ? value.map(String) : String(value)]));
}

function refusal(params: Params): SerialtraceError {
  try {
    parseEpcisQuery(params);
  } catch (error) {
    if (error instanceof SerialtraceError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(params)} to be refused`);
}

function expectRefused(params: Params, parameter: string, reason?: RegExp): void {
  const error = refusal(params);
  expect(error.code).toBe('EPCIS_QUERY_PARAMETER_INVALID');
  expect(error.details.parameter).toBe(parameter);
  if (reason !== undefined) expect(error.details.reason).toEqual(expect.stringMatching(reason));
}

/** The events of `events` a query's residual conditions keep. */
const kept = (params: Params, events: readonly Record<string, unknown>[]) => {
  const query = parseEpcisQuery(params);
  return events.filter((event) => meetsResidual(event, query.residual));
};
const keeps = (params: Params, event: Record<string, unknown>) => kept(params, [event]).length === 1;

const SGTIN_2017 = 'https://id.gs1.org/01/10614141073464/21/2017';

describe('parseEpcisQuery: defaults and the plain parameters', () => {
  it('answers the defaults for no parameters', () => {
    const query = parseEpcisQuery({});
    expect(query).toEqual({ identifiers: [], residual: [], orderBy: 'eventTime', direction: 'desc', fingerprint: query.fingerprint });
    expect(typeof query.fingerprint).toBe('string');
  });

  it('leaves out parameters given as undefined', () => {
    expect(parseEpcisQuery({ eventType: undefined, EQ_action: undefined })).toEqual(parseEpcisQuery({}));
  });

  it('reads event types, split on pipes and merged across repeats, sorted and once each', () => {
    expect(parseEpcisQuery({ eventType: 'TransactionEvent|ObjectEvent' }).eventTypes).toEqual(['ObjectEvent', 'TransactionEvent']);
    expect(parseEpcisQuery({ eventType: ['AssociationEvent', 'ObjectEvent|AssociationEvent'] }).eventTypes).toEqual(['AssociationEvent', 'ObjectEvent']);
    expect(parseEpcisQuery({ eventType: 'AggregationEvent|TransformationEvent' }).eventTypes).toEqual(['AggregationEvent', 'TransformationEvent']);
  });

  it('reads the four times as UTC instants with milliseconds', () => {
    const query = parseEpcisQuery({
      GE_eventTime: '2020-03-04T11:00:30+01:00',
      LT_eventTime: '2020-03-04T10:00:30.1234Z',
      GE_recordTime: '2022-06-30T00:15:47.000-05:00',
      LT_recordTime: '2022-06-30T05:15:47.9995Z',
    });
    expect(query.eventTimeFrom).toBe('2020-03-04T10:00:30.000Z');
    expect(query.eventTimeBefore).toBe('2020-03-04T10:00:30.123Z');
    expect(query.recordTimeFrom).toBe('2022-06-30T05:15:47.000Z');
    expect(parseEpcisQuery({ GE_eventTime: '2020-03-04T11:00:30.5+01' }).eventTimeFrom).toBe('2020-03-04T10:00:30.500Z');
    // Rounded as the event hash rounds stored times, so that bounds and events agree.
    expect(query.recordTimeBefore).toBe('2022-06-30T05:15:48.000Z');
  });

  it('reads actions, business steps and dispositions in normal form', () => {
    const query = parseEpcisQuery({
      EQ_action: 'OBSERVE|ADD',
      EQ_bizStep: ['shipping', 'urn:epcglobal:cbv:bizstep:receiving|https://ref.gs1.org/cbv/BizStep-shipping', 'https://example.com/steps/blending'],
      EQ_disposition: 'in_transit|urn:epcglobal:cbv:disp:in_progress',
    });
    expect(query.actions).toEqual(['ADD', 'OBSERVE']);
    expect(query.bizSteps).toEqual(['https://example.com/steps/blending', 'https://ref.gs1.org/cbv/BizStep-receiving', 'https://ref.gs1.org/cbv/BizStep-shipping']);
    expect(query.dispositions).toEqual(['https://ref.gs1.org/cbv/Disp-in_progress', 'https://ref.gs1.org/cbv/Disp-in_transit']);
  });

  it('merges EQ_ and WD_ locations (no master data: no descendants), canonical', () => {
    const query = parseEpcisQuery({
      EQ_readPoint: 'urn:epc:id:sgln:0614141.07346.1234',
      WD_readPoint: 'https://example.com/414/0614141073467/254/1234|urn:epc:id:sgln:0614141.00777.0',
      WD_bizLocation: 'urn:epc:id:sgln:0614141.00888.0',
      EQ_bizLocation: 'https://example.org/locations/dock-4',
    });
    expect(query.readPoints).toEqual(['https://id.gs1.org/414/0614141007776', 'https://id.gs1.org/414/0614141073467/254/1234']);
    expect(query.bizLocations).toEqual(['https://example.org/locations/dock-4', 'https://id.gs1.org/414/0614141008889']);
  });

  it('reads event IDs as written', () => {
    const id = 'ni:///sha-256;df7bb3c352fef055578554f09f5e2aa41782150ced7bd0b8af24dd3ccb30ba69?ver=CBV2.0';
    expect(parseEpcisQuery({ EQ_eventID: `${id}|urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8` }).eventIds).toEqual([id, 'urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8']);
  });

  it('reads EXISTS_errorDeclaration: true selects, false is the same as leaving it out', () => {
    expect(parseEpcisQuery({ EXISTS_errorDeclaration: 'true' }).errorDeclared).toBe(true);
    expect(parseEpcisQuery({ EXISTS_errorDeclaration: 'false' })).toEqual(parseEpcisQuery({}));
  });

  it('reads order, limits and paging', () => {
    const query = parseEpcisQuery({ orderBy: 'recordTime', orderDirection: 'ASC', eventCountLimit: '1', perPage: '50', nextPageToken: ' opaque token ' });
    expect(query).toMatchObject({ orderBy: 'recordTime', direction: 'asc', eventCountLimit: 1, perPage: 50, nextPageToken: ' opaque token ' });
    expect(parseEpcisQuery({ orderDirection: 'ASC' }).direction).toBe('asc');
    expect(parseEpcisQuery({ maxEventCount: '10' }).maxEventCount).toBe(10);
  });
});

describe('parseEpcisQuery: identifier parameters', () => {
  it.each([
    ['MATCH_epc', ['epc', 'child']],
    ['MATCH_parentID', ['parent']],
    ['MATCH_inputEPC', ['input']],
    ['MATCH_outputEPC', ['output']],
    ['MATCH_anyEPC', ['epc', 'parent', 'child', 'input', 'output']],
  ])('%s looks at %j', (name, roles) => {
    expect(parseEpcisQuery({ [name]: 'urn:epc:id:sgtin:0614141.107346.2017' }).identifiers).toEqual([{ roles, values: [SGTIN_2017], prefixes: [] }]);
  });

  it.each([
    ['MATCH_epcClass', ['class', 'childClass']],
    ['MATCH_inputEPCClass', ['inputClass']],
    ['MATCH_outputEPCClass', ['outputClass']],
    ['MATCH_anyEPCClass', ['class', 'childClass', 'inputClass', 'outputClass']],
  ])('%s looks at %j', (name, roles) => {
    const lgtin = 'https://id.gs1.org/01/04012345123456/10/998877';
    expect(parseEpcisQuery({ [name]: 'urn:epc:class:lgtin:4012345.012345.998877' }).identifiers).toEqual([{ roles, values: [lgtin], prefixes: [] }]);
  });

  it('canonicalises URNs and Digital Links on any host; alternatives and repeats are one entry, parameters AND', () => {
    const query = parseEpcisQuery({
      MATCH_epc: ['urn:epc:id:sgtin:0614141.107346.2017|https://example.com/01/10614141073464/21/2018', 'https://id.gs1.org/01/10614141073464/21/2017'],
      MATCH_parentID: 'urn:epc:id:sscc:0614141.1234567890',
    });
    expect(query.identifiers).toEqual([
      { roles: ['epc', 'child'], values: [SGTIN_2017, 'https://id.gs1.org/01/10614141073464/21/2018'], prefixes: [] },
      { roles: ['parent'], values: ['https://id.gs1.org/00/106141412345678908'], prefixes: [] },
    ]);
  });

  it('keeps identifiers that are no GS1 key as written', () => {
    expect(parseEpcisQuery({ MATCH_anyEPC: 'urn:epc:id:gid:95100000.12345.400|https://example.com/things/7' }).identifiers[0]?.values).toEqual([
      'https://example.com/things/7',
      'urn:epc:id:gid:95100000.12345.400',
    ]);
  });

  it('turns an SGTIN pattern into the Digital Link prefix of every serial of the GTIN', () => {
    expect(parseEpcisQuery({ MATCH_epc: 'urn:epc:idpat:sgtin:0614141.107346.*' }).identifiers).toEqual([
      { roles: ['epc', 'child'], values: [], prefixes: ['https://id.gs1.org/01/10614141073464/21/'] },
    ]);
  });

  it('matches a class written as an SGTIN pattern exactly as capture stores it, with its lots', () => {
    const stored = canonicalIdentifier('urn:epc:idpat:sgtin:4012345.011111.*');
    expect(stored).toBe('https://id.gs1.org/01/04012345111118');
    const selection = { roles: ['class', 'childClass'], values: [stored], prefixes: [`${stored}/10/`] };
    expect(parseEpcisQuery({ MATCH_epcClass: 'urn:epc:idpat:sgtin:4012345.011111.*' }).identifiers).toEqual([selection]);
    expect(parseEpcisQuery({ MATCH_epcClass: 'https://id.gs1.org/01/04012345111118' }).identifiers).toEqual([selection]);
  });

  it.each([
    ['urn:epc:idpat:sgln:0614141.07346.*', ['https://id.gs1.org/414/0614141073467'], ['https://id.gs1.org/414/0614141073467/254/']],
    ['urn:epc:idpat:sgln:0614141.*.*', [], ['https://id.gs1.org/414/0614141']],
    ['urn:epc:idpat:grai:0614141.12345.*', [], ['https://id.gs1.org/8003/00614141123452']],
    ['urn:epc:idpat:grai:0614141.*.*', [], ['https://id.gs1.org/8003/00614141']],
    ['urn:epc:idpat:gdti:0614141.12345.*', [], ['https://id.gs1.org/253/0614141123452']],
    ['urn:epc:idpat:giai:4000001.*', [], ['https://id.gs1.org/8004/4000001']],
    ['urn:epc:idpat:gsrn:0614141.*', [], ['https://id.gs1.org/8018/0614141']],
    ['urn:epc:idpat:pgln:0614141.*', [], ['https://id.gs1.org/417/0614141']],
    ['urn:epc:idpat:cpi:0614141.123ABC.*', [], ['https://id.gs1.org/8010/0614141123ABC/8011/']],
    ['urn:epc:idpat:itip:4012345.011111.01.02.*', [], ['https://id.gs1.org/8006/040123451111180102/21/']],
    ['urn:epc:idpat:itip:4012345.011111.*.*.*', [], ['https://id.gs1.org/8006/04012345111118']],
    ['urn:epc:idpat:upui:4012345.011111.*', [], ['https://id.gs1.org/01/04012345111118/235/']],
    ['urn:epc:idpat:sscc:*.*', [], ['https://id.gs1.org/00/']],
    ['urn:epc:idpat:gid:95100000.12345.*', [], ['urn:epc:id:gid:95100000.12345.']],
  ])('instance pattern %s selects values %j and prefixes %j', (pattern, values, prefixes) => {
    expect(parseEpcisQuery({ MATCH_anyEPC: pattern }).identifiers[0]).toEqual({ roles: ['epc', 'parent', 'child', 'input', 'output'], values, prefixes });
  });

  it.each([
    ['urn:epc:idpat:grai:0614141.12345.*', ['https://id.gs1.org/8003/00614141123452'], []],
    ['urn:epc:idpat:cpi:0614141.123ABC.*', ['https://id.gs1.org/8010/0614141123ABC'], []],
    ['urn:epc:idpat:itip:4012345.011111.01.02.*', ['https://id.gs1.org/8006/040123451111180102'], []],
    ['urn:epc:idpat:gdti:0614141.*.*', [], ['https://id.gs1.org/253/0614141']],
  ])('class pattern %s selects values %j and prefixes %j', (pattern, values, prefixes) => {
    expect(parseEpcisQuery({ MATCH_anyEPCClass: pattern }).identifiers[0]).toEqual({ roles: ['class', 'childClass', 'inputClass', 'outputClass'], values, prefixes });
  });

  it('reads business transactions, sources and destinations by type, each type one role', () => {
    const query = parseEpcisQuery({
      EQ_bizTransaction_po: 'urn:epc:id:gdti:0614141.00001.1618034|http://transaction.acme.com/po/12345678',
      'EQ_bizTransaction_urn:epcglobal:cbv:btt:inv': 'urn:epcglobal:cbv:bt:9520011111116:A123',
      EQ_source_owning_party: 'urn:epc:id:pgln:4012345.00225',
      EQ_destination_location: 'https://id.gs1.org/414/0614141007776',
      'EQ_source_https://example.com/sdt/carrier': 'https://example.com/parties/7',
    });
    expect(query.identifiers).toEqual([
      {
        roles: ['bizTransaction https://ref.gs1.org/cbv/BTT-inv'],
        values: ['urn:epcglobal:cbv:bt:9520011111116:A123'],
        prefixes: [],
      },
      {
        roles: ['bizTransaction https://ref.gs1.org/cbv/BTT-po'],
        values: ['http://transaction.acme.com/po/12345678', 'https://id.gs1.org/253/06141410000121618034'],
        prefixes: [],
      },
      { roles: ['destination https://ref.gs1.org/cbv/SDT-location'], values: ['https://id.gs1.org/414/0614141007776'], prefixes: [] },
      { roles: ['source https://example.com/sdt/carrier'], values: ['https://example.com/parties/7'], prefixes: [] },
      { roles: ['source https://ref.gs1.org/cbv/SDT-owning_party'], values: ['https://id.gs1.org/417/4012345002256'], prefixes: [] },
    ]);
  });

  it('gives a URN and its Digital Link on any host one selection and one fingerprint (property)', () => {
    const digits = (length: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: length, maxLength: length }).map((d) => d.join(''));
    const serial = fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/);
    const host = fc.constantFrom('https://id.gs1.org', 'https://example.com', 'http://brand.example.org/dl');
    const same = (urnParams: Params, dlParams: Params) => expect(parseEpcisQuery(urnParams)).toEqual(parseEpcisQuery(dlParams));
    fc.assert(
      fc.property(fc.integer({ min: 6, max: 12 }), digits(13), digits(17), digits(12), serial, host, (length, gtinBody, ssccBody, glnBody, text, base) => {
        const gtin = completeKey(gtinBody);
        const sscc = completeKey(ssccBody);
        const gln = completeKey(glnBody);
        same({ MATCH_anyEPC: sgtinUrn(gtin, length, text) }, { MATCH_anyEPC: `${base}/01/${gtin}/21/${text}` });
        same({ MATCH_parentID: ssccUrn(sscc, length) }, { MATCH_parentID: `${base}/00/${sscc}` });
        // The URN's extension 0 means none; the Digital Link then has no (254).
        same({ EQ_readPoint: sglnUrn(gln, length, text) }, { EQ_readPoint: text === '0' ? `${base}/414/${gln}` : `${base}/414/${gln}/254/${text}` });
        same({ EQ_source_location: sglnUrn(gln, length) }, { EQ_source_location: `${base}/414/${gln}` });
        same({ MATCH_epcClass: sgtinPatternUrn(gtin, length) }, { MATCH_epcClass: `${base}/01/${gtin}` });
      }),
    );
  });
});

describe('parseEpcisQuery: residual conditions', () => {
  const residual = (params: Params) => parseEpcisQuery(params).residual;

  it.each([
    ['EQ_quantity', 'EQ'],
    ['GT_quantity', 'GT'],
    ['GE_quantity', 'GE'],
    ['LT_quantity', 'LT'],
    ['LE_quantity', 'LE'],
  ])('reads %s', (name, op) => {
    expect(residual({ [name]: '12.5' })).toEqual([{ kind: 'quantity', op, value: 12.5 }]);
  });

  it('reads persistent dispositions, transformation IDs and the error declaration parameters', () => {
    expect(
      residual({
        EQ_persistentDisposition_set: 'completeness_inferred|urn:epcglobal:cbv:disp:recalled',
        EQ_persistentDisposition_unset: 'completeness_verified',
        EQ_transformationID: 'urn:epc:id:gdti:0614141.12345.400',
        GE_errorDeclarationTime: '2020-01-15T00:00:00+01:00',
        LT_errorDeclarationTime: '2020-01-16T00:00:00Z',
        EQ_errorReason: 'incorrect_data|urn:epcglobal:cbv:er:did_not_occur',
        EQ_correctiveEventID: 'urn:uuid:404d95fc-9457-4a51-bd6a-0bba133845a8',
      }),
    ).toEqual([
      { kind: 'correctiveEventId', values: ['urn:uuid:404d95fc-9457-4a51-bd6a-0bba133845a8'] },
      { kind: 'errorDeclarationTime', op: 'GE', time: '2020-01-14T23:00:00.000Z' },
      { kind: 'errorDeclarationTime', op: 'LT', time: '2020-01-16T00:00:00.000Z' },
      { kind: 'errorReason', values: ['https://ref.gs1.org/cbv/ER-did_not_occur', 'https://ref.gs1.org/cbv/ER-incorrect_data'] },
      { kind: 'persistentDisposition', member: 'set', values: ['https://ref.gs1.org/cbv/Disp-completeness_inferred', 'https://ref.gs1.org/cbv/Disp-recalled'] },
      { kind: 'persistentDisposition', member: 'unset', values: ['https://ref.gs1.org/cbv/Disp-completeness_verified'] },
      { kind: 'transformationId', values: ['https://id.gs1.org/253/0614141123452400'] },
    ]);
  });

  it('reads the sensor parameters', () => {
    expect(
      residual({
        GE_startTime: '2019-04-02T13:55:01+01:00',
        LT_endTime: '2019-04-02T14:55:00Z',
        EQ_type: 'Temperature|gs1:AbsoluteHumidity',
        EQ_deviceID: 'urn:epc:id:giai:4000001.111',
        EQ_hexBinaryValue: 'f0f0f0',
        EQ_booleanValue: 'true',
        GE_value_CEL: '26.1',
        LT_percRank: '51',
      }),
    ).toEqual([
      { kind: 'sensorBoolean', value: true },
      { kind: 'sensorNumber', member: 'percRank', op: 'LT', value: 51 },
      { kind: 'sensorNumber', member: 'value', op: 'GE', value: 26.1, uom: 'CEL' },
      { kind: 'sensorText', member: 'deviceID', values: ['https://id.gs1.org/8004/4000001111'] },
      { kind: 'sensorText', member: 'hexBinaryValue', values: ['F0F0F0'] },
      { kind: 'sensorText', member: 'type', values: ['https://gs1.org/voc/AbsoluteHumidity', 'https://gs1.org/voc/Temperature'] },
      { kind: 'sensorTime', member: 'endTime', op: 'LT', time: '2019-04-02T14:55:00.000Z' },
      { kind: 'sensorTime', member: 'startTime', op: 'GE', time: '2019-04-02T12:55:01.000Z' },
    ]);
  });

  it.each(['value', 'minValue', 'maxValue', 'meanValue', 'sDev', 'percValue'])('reads the %s family with its unit', (member) => {
    for (const op of ['EQ', 'GT', 'GE', 'LT', 'LE']) {
      expect(residual({ [`${op}_${member}_KGM`]: '-1.5e1' })).toEqual([{ kind: 'sensorNumber', member, op, value: -15, uom: 'KGM' }]);
    }
  });

  it('reads extension-field parameters by namespace#localName, in every scope', () => {
    expect(residual({ 'EQ_ILMD_http://ns.example.com/epcis/#grading': 'A|B' })).toEqual([
      { kind: 'field', scope: 'ilmd', inner: false, namespace: 'http://ns.example.com/epcis/', localName: 'grading', test: { op: 'EQ', values: ['A', 'B'] } },
    ]);
    expect(residual({ 'GT_INNER_SENSORREPORT_urn:example:ns#cv': '12' })).toEqual([
      { kind: 'field', scope: 'sensorReport', inner: true, namespace: 'urn:example:ns', localName: 'cv', test: { op: 'GT', number: 12 } },
    ]);
    expect(residual({ 'LE_ERROR_DECLARATION_https://ns.example.com/x#at': '2020-01-01T00:00:00+01:00' })).toEqual([
      { kind: 'field', scope: 'errorDeclaration', inner: false, namespace: 'https://ns.example.com/x', localName: 'at', test: { op: 'LE', time: '2019-12-31T23:00:00.000Z' } },
    ]);
    expect(residual({ 'EXISTS_INNER_https://ns.example.com/x#y': 'true' })).toEqual([
      { kind: 'field', scope: 'event', inner: true, namespace: 'https://ns.example.com/x', localName: 'y', test: { op: 'EXISTS' } },
    ]);
    for (const [infix, scope] of [
      ['SENSORELEMENT_', 'sensorElement'],
      ['SENSORMETADATA_', 'sensorMetadata'],
      ['INNER_ILMD_', 'ilmd'],
    ] as const) {
      expect(residual({ [`EQ_${infix}https://n.example.com/#f`]: 'v' })[0]).toMatchObject({ kind: 'field', scope, localName: 'f' });
    }
  });
});

describe('parseEpcisQuery: refusals', () => {
  it.each([
    [{ eventType: 'QuantityEvent' }, 'eventType', /no EPCIS event type/],
    [{ eventType: '' }, 'eventType', /empty/],
    [{ eventType: 'ObjectEvent|' }, 'eventType', /empty alternative/],
    [{ GE_eventTime: '2020-03-04' }, 'GE_eventTime', /date without a time/],
    [{ LT_eventTime: '2020-03-04T10:00:00' }, 'LT_eventTime', /with a zone/],
    [{ GE_recordTime: '2020-02-30T10:00:00Z' }, 'GE_recordTime', /no real date/],
    [{ LT_recordTime: ['2020-03-04T10:00:00Z', '2020-03-05T10:00:00Z'] }, 'LT_recordTime', /given 2 times/],
    [{ EQ_action: 'SHIPPED' }, 'EQ_action', /ADD, OBSERVE or DELETE/],
    [{ EQ_action: 'observe' }, 'EQ_action', /no action/],
    [{ EQ_bizStep: 'shiping' }, 'EQ_bizStep', /no CBV business step/],
    [{ EQ_disposition: 'lost' }, 'EQ_disposition', /no CBV disposition/],
    [{ EQ_readPoint: 'https://id.gs1.org/414/9521141123452' }, 'EQ_readPoint', /check digit should be 4/],
    [{ WD_bizLocation: 'urn:epc:idpat:sgln:0614141.07346.*' }, 'WD_bizLocation', /pattern/],
    [{ EQ_eventID: 'not a uri' }, 'EQ_eventID', /no URI/],
    [{ MATCH_epc: 'urn:epc:id:sgtin:0614141.107346' }, 'MATCH_epc', /Invalid EPC URN/],
    [{ MATCH_anyEPC: '*' }, 'MATCH_anyEPC', /no URI/],
    [{ MATCH_epc: 'urn:epc:idpat:sgtin:0614141.*.*' }, 'MATCH_epc', /indicator digit/],
    [{ MATCH_epcClass: 'urn:epc:idpat:sgtin:0614141.*.*' }, 'MATCH_epcClass', /indicator digit/],
    [{ MATCH_parentID: 'urn:epc:idpat:sscc:0614141.*' }, 'MATCH_parentID', /extension digit/],
    [{ MATCH_epc: 'urn:epc:idpat:sgtin:*.*.*' }, 'MATCH_epc', /no Digital Link prefix/],
    [{ MATCH_epc: 'urn:epc:idpat:sgtin:0614141.107346.[1-5]' }, 'MATCH_epc', /ranges/],
    [{ MATCH_epc: 'urn:epc:idpat:sgtin:0614141.*.2017' }, 'MATCH_epc', /after a \*/],
    [{ MATCH_epc: 'urn:epc:idpat:sgtin:0614141.107346.2017' }, 'MATCH_epc', /no wildcard/],
    [{ MATCH_epc: 'urn:epc:idpat:sgtin:0614141.*' }, 'MATCH_epc', /3 fields/],
    [{ MATCH_epc: 'urn:epc:idpat:sgtin:06141.107346.*' }, 'MATCH_epc', /6 to 12 digits/],
    [{ MATCH_epc: 'urn:epc:idpat:widget:1.*' }, 'MATCH_epc', /no EPC scheme/],
    [{ MATCH_epcClass: 'urn:epc:idpat:sscc:0614141.*' }, 'MATCH_epcClass', /instances, not classes/],
    [{ MATCH_epcClass: 'urn:epc:idpat:gid:1.2.*' }, 'MATCH_epcClass', /instances, not classes/],
    [{ EQ_bizTransaction_po: 'urn:epc:idpat:gdti:0614141.12345.*' }, 'EQ_bizTransaction_po', /pattern/],
    [{ EQ_bizTransaction_: 'urn:uuid:1' }, 'EQ_bizTransaction_', /name the type/],
    [{ EQ_source_owner: 'urn:epc:id:pgln:4012345.00225' }, 'EQ_source_owner', /no CBV source or destination type/],
    [{ EQ_destination_location: 'urn:epc:id:sgln:0614141.00777' }, 'EQ_destination_location', /Invalid EPC URN/],
    [{ EXISTS_errorDeclaration: 'yes' }, 'EXISTS_errorDeclaration', /neither true nor false/],
    [{ orderBy: 'quantity' }, 'orderBy', /eventTime or recordTime/],
    [{ orderBy: 'https://ns.example.com/epcis/#weight' }, 'orderBy', /extension field .* not supported/],
    [{ orderDirection: 'SIDEWAYS' }, 'orderDirection', /ASC or DESC/],
    [{ orderBy: 'eventTime', eventCountLimit: '0' }, 'eventCountLimit', /positive whole number/],
    [{ maxEventCount: '1.5' }, 'maxEventCount', /positive whole number/],
    [{ perPage: '-3' }, 'perPage', /positive whole number/],
    [{ nextPageToken: '' }, 'nextPageToken', /empty/],
    [{ eventCountLimit: '5' }, 'eventCountLimit', /needs orderBy/],
    [{ orderBy: 'eventTime', eventCountLimit: '5', maxEventCount: '5' }, 'eventCountLimit', /exclude each other/],
    [{ GE_quantity: 'many' }, 'GE_quantity', /no number/],
    [{ EQ_quantity: '1|2' }, 'EQ_quantity', /no number/],
    [{ EQ_persistentDisposition_set: 'kept' }, 'EQ_persistentDisposition_set', /no CBV disposition/],
    [{ EQ_errorReason: 'typo' }, 'EQ_errorReason', /no CBV error reason/],
    [{ EQ_type: 'Temprature' }, 'EQ_type', /no GS1 measurement type/],
    [{ EQ_hexBinaryValue: 'F0F' }, 'EQ_hexBinaryValue', /no hexBinary/],
    [{ EQ_uriValue: 'plain text' }, 'EQ_uriValue', /no URI/],
    [{ EQ_booleanValue: 'TRUE' }, 'EQ_booleanValue', /neither true nor false/],
    [{ GE_value: '3' }, 'GE_value', /name the unit/],
    [{ GE_value_celsius: '3' }, 'GE_value_celsius', /no UN\/CEFACT/],
    [{ GE_startTime: 'yesterday' }, 'GE_startTime', /ISO 8601/],
    [{ 'EQ_ILMD_example:grading': 'A' }, 'EQ_ILMD_example:grading', /namespace and local name.*prefix "example:"/],
    [{ 'EQ_https://ns.example.com/epcis/grading': 'A' }, 'EQ_https://ns.example.com/epcis/grading', /namespace#localName/],
    [{ 'EQ_https://ns.example.com/epcis#': 'A' }, 'EQ_https://ns.example.com/epcis#', /no field name/],
    [{ 'GT_https://ns.example.com/epcis#weight': 'heavy' }, 'GT_https://ns.example.com/epcis#weight', /neither a number nor a date-time/],
    [{ 'EXISTS_ILMD_https://ns.example.com/epcis#grading': 'false' }, 'EXISTS_ILMD_https://ns.example.com/epcis#grading', /takes true/],
    [{ 'EQATTR_bizLocation_https://ns#site': 'x' }, 'EQATTR_bizLocation_https://ns#site', /not supported.*master data/],
    [{ HASATTR_readPoint_x: 'x' }, 'HASATTR_readPoint_x', /not supported/],
    [{ GE_eventDate: '2026-01-01T00:00:00+01:00' }, 'GE_eventDate', /not a parameter/],
    [{ EQ_userID: 'alice' }, 'EQ_userID', /not a parameter/],
    [{ reportIfEmpty: 'true' }, 'reportIfEmpty', /subscription/],
  ] as [Params, string, RegExp][])('refuses %j (%s)', (params, parameter, reason) => {
    expectRefused(params, parameter, reason);
  });

  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__'])('refuses %s as unknown, not as an inherited member', (name) => {
    expectRefused(Object.fromEntries([[name, 'x']]), name, /not a parameter/);
  });

  it('refuses a parameter given as an empty list', () => {
    expectRefused({ eventType: [] }, 'eventType', /without a value/);
    expectRefused({ MATCH_epc: [] }, 'MATCH_epc', /without a value/);
  });

    it('reports every problem at once, the first as the headline', () => {
    const error = refusal({ eventType: 'Nope', GE_eventTime: 'soon', orderDirection: 'UP' });
    expect(error.code).toBe('EPCIS_QUERY_PARAMETER_INVALID');
    expect(error.problems.map((p) => p.details?.parameter)).toEqual(['eventType', 'GE_eventTime', 'orderDirection']);
  });

  it('refuses the OpenEPCIS invalid queries, naming each bad parameter', () => {
    const invalid = refusal(paramsOf(json('epcis-openepcis/Query/Queries/Invalid/Query_with_invalid_values.json')));
    expect(invalid.problems.map((p) => p.details?.parameter)).toEqual(['GE_eventTime', 'EQ_action', 'orderDirection']);
    expectRefused(paramsOf(json('epcis-openepcis/Query/Queries/Invalid/Query_with_unknown_parameter.json')), 'GE_eventDate', /not a parameter/);
  });

  it('reads the OpenEPCIS example query, whose bizLocation has a wrong check digit', () => {
    const body = json('epcis-openepcis/Query/Queries/SimpleEventQuery.json');
    expectRefused(paramsOf(body), 'EQ_bizLocation', /check digit should be 4/);
    const query = parseEpcisQuery(paramsOf({ ...body, EQ_bizLocation: ['https://id.gs1.org/414/9521141123454'] }));
    expect(query).toEqual({
      eventTypes: ['AggregationEvent', 'ObjectEvent'],
      eventTimeFrom: '2025-12-31T23:00:00.000Z',
      eventTimeBefore: '2026-12-31T22:59:59.000Z',
      actions: ['ADD', 'OBSERVE'],
      bizSteps: ['https://ref.gs1.org/cbv/BizStep-shipping'],
      dispositions: ['https://ref.gs1.org/cbv/Disp-in_transit'],
      bizLocations: ['https://id.gs1.org/414/9521141123454'],
      identifiers: [{ roles: ['epc', 'child'], values: ['https://id.gs1.org/01/09521141012345/21/2017'], prefixes: [] }],
      residual: [
        { kind: 'quantity', op: 'GE', value: 1 },
        { kind: 'quantity', op: 'LT', value: 500 },
      ],
      orderBy: 'eventTime',
      direction: 'desc',
      eventCountLimit: 100,
      fingerprint: query.fingerprint,
    } satisfies EpcisQuery);
  });
});

describe('parseEpcisQuery: the fingerprint', () => {
  const fingerprint = (params: Params) => parseEpcisQuery(params).fingerprint;

  it('is one text for one selection, whatever the order and notation of the parameters', () => {
    const a = fingerprint({ EQ_bizStep: 'shipping', MATCH_epc: 'urn:epc:id:sgtin:0614141.107346.2017|urn:epc:id:sgtin:0614141.107346.2018', GE_quantity: '3', GT_quantity: '1' });
    const b = fingerprint({
      GT_quantity: '1.0',
      GE_quantity: '3',
      MATCH_epc: ['https://example.com/01/10614141073464/21/2018', 'https://id.gs1.org/01/10614141073464/21/2017'],
      EQ_bizStep: 'https://ref.gs1.org/cbv/BizStep-shipping',
    });
    expect(a).toBe(b);
  });

  it('does not depend on the order of alternatives', () => {
    expect(fingerprint({ EQ_type: 'Temperature|Pressure', 'EQ_ILMD_https://n.example.com/#f': 'b|a', EQ_action: 'ADD|DELETE' })).toBe(
      fingerprint({ EQ_type: ['Pressure', 'Temperature'], 'EQ_ILMD_https://n.example.com/#f': 'a|b', EQ_action: 'DELETE|ADD' }),
    );
  });

  it('leaves out paging, and keeps everything that selects or orders', () => {
    expect(fingerprint({ eventType: 'ObjectEvent', perPage: '10', nextPageToken: 'abc' })).toBe(fingerprint({ eventType: 'ObjectEvent' }));
    const base = fingerprint({ eventType: 'ObjectEvent' });
    for (const extra of [{ orderDirection: 'ASC' }, { orderBy: 'recordTime' }, { maxEventCount: '3' }, { GE_quantity: '1' }, { MATCH_epc: SGTIN_2017 }, { EXISTS_errorDeclaration: 'true' }]) {
      expect(fingerprint({ eventType: 'ObjectEvent', ...extra })).not.toBe(base);
    }
  });

  it('is JSON with sorted keys', () => {
    const text = fingerprint({ LT_eventTime: '2020-01-01T00:00:00Z', EQ_action: 'ADD' });
    expect(JSON.parse(text)).toEqual({ actions: ['ADD'], direction: 'desc', eventTimeBefore: '2020-01-01T00:00:00.000Z', identifiers: [], orderBy: 'eventTime', residual: [] });
    expect(Object.keys(JSON.parse(text))).toEqual(Object.keys(JSON.parse(text)).sort());
  });
});

describe('meetsResidual: the GS1 example events', () => {
  const sensor = (n: string) => eventsOf(`epcis/WithSensorData/SensorDataExample${n}.jsonld`)[0] ?? {};
  const allFields = eventsOf('epcis/WithFullCombinationOfFields/transformation_event_all_possible_fields.jsonld')[0] ?? {};

  it('keeps every event when there are no conditions', () => {
    expect(meetsResidual({}, [])).toBe(true);
  });

  it('compares quantities of every quantity list', () => {
    const [transformation = {}] = eventsOf('epcis/Example_9.6.4-TransformationEvent.jsonld');
    expect(keeps({ GE_quantity: '220' }, transformation)).toBe(true);
    expect(keeps({ GT_quantity: '220' }, transformation)).toBe(false);
    expect(keeps({ EQ_quantity: '30' }, transformation)).toBe(true);
    expect(keeps({ LE_quantity: '9' }, transformation)).toBe(false);
    expect(keeps({ LT_quantity: '10.5' }, transformation)).toBe(true);
    const [aggregation = {}] = eventsOf('epcis/Example_9.6.3-AggregationEvent.jsonld');
    expect(keeps({ EQ_quantity: '200.5' }, aggregation)).toBe(true);
    const [objectEvent = {}] = eventsOf('epcis/Example_9.6.1-ObjectEvent.jsonld');
    expect(keeps({ GE_quantity: '0' }, objectEvent)).toBe(false);
  });

  it('selects by persistent disposition', () => {
    const events = eventsOf('epcis/PersistentDisposition-example.jsonld');
    const ids = (params: Params) => kept(params, events).map((event) => String(event.eventID).slice(0, 24));
    expect(ids({ EQ_persistentDisposition_set: 'completeness_inferred' })).toEqual([String(events[0]?.eventID).slice(0, 24)]);
    expect(ids({ EQ_persistentDisposition_set: 'https://ref.gs1.org/cbv/Disp-completeness_verified' })).toEqual([String(events[1]?.eventID).slice(0, 24)]);
    expect(ids({ EQ_persistentDisposition_unset: 'urn:epcglobal:cbv:disp:completeness_inferred' })).toEqual([String(events[1]?.eventID).slice(0, 24)]);
    expect(ids({ EQ_persistentDisposition_unset: 'completeness_verified' })).toEqual([]);
  });

  it('selects by error declaration', () => {
    const events = eventsOf('epcis/WithErrorDeclaration/ErrorDeclarationAndCorrectiveEvent.jsonld');
    const ids = (params: Params) => kept(params, events).map((event) => event.eventID);
    const declared = ['urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8'];
    expect(ids({ EQ_errorReason: 'incorrect_data' })).toEqual(declared);
    expect(ids({ EQ_errorReason: 'urn:epcglobal:cbv:er:incorrect_data' })).toEqual(declared);
    expect(ids({ EQ_errorReason: 'did_not_occur' })).toEqual([]);
    expect(ids({ GE_errorDeclarationTime: '2020-01-14T23:00:00Z' })).toEqual(declared);
    expect(ids({ GE_errorDeclarationTime: '2020-01-14T23:00:00.001Z' })).toEqual([]);
    expect(ids({ LT_errorDeclarationTime: '2020-01-15T00:00:00.001+01:00' })).toEqual(declared);
    expect(ids({ EQ_correctiveEventID: 'urn:uuid:404d95fc-9457-4a51-bd6a-0bba133845a8' })).toEqual(declared);
    expect(ids({ 'EQ_ERROR_DECLARATION_http://ns.example.com/epcis/#vendorExtension': 'Test1' })).toEqual(declared);
  });

  it('selects by transformation ID in either notation', () => {
    expect(keeps({ EQ_transformationID: 'urn:epc:id:gdti:0614141.12345.400' }, allFields)).toBe(true);
    expect(keeps({ EQ_transformationID: 'https://id.gs1.org/253/0614141123452400' }, allFields)).toBe(true);
    expect(keeps({ EQ_transformationID: 'urn:epc:id:gdti:0614141.12345.401' }, allFields)).toBe(false);
  });

  it('compares sensor values in their unit, without converting units', () => {
    const event = sensor('1');
    expect(keeps({ GE_value_CEL: '26.2' }, event)).toBe(true);
    expect(keeps({ GT_value_CEL: '26.2' }, event)).toBe(false);
    expect(keeps({ EQ_value_CEL: '26' }, event)).toBe(true);
    expect(keeps({ LT_value_CEL: '26' }, event)).toBe(false);
    expect(keeps({ GE_value_KMH: '162' }, event)).toBe(true);
    expect(keeps({ GE_value_FAH: '0' }, event)).toBe(false);
    expect(keeps({ GT_minValue_CEL: '0' }, event)).toBe(false);
  });

  it('compares minimum, maximum, mean, deviation and percentiles', () => {
    const event = sensor('2');
    expect(keeps({ GE_minValue_CEL: '26', LE_maxValue_CEL: '26.2', EQ_meanValue_CEL: '26.1', EQ_sDev_CEL: '0.1' }, event)).toBe(true);
    expect(keeps({ LT_maxValue_CEL: '26.2' }, event)).toBe(false);
    expect(keeps({ GT_minValue_A93: '12' }, event)).toBe(true);
    const twelve = sensor('12');
    expect(keeps({ EQ_percRank: '50', GE_percValue_CEL: '12.7' }, twelve)).toBe(true);
    expect(keeps({ GT_percRank: '50' }, twelve)).toBe(false);
  });

  it('compares sensor times as instants', () => {
    const event = sensor('2'); // startTime 13:55:01+01:00, endTime 14:55:00+01:00
    expect(keeps({ GE_startTime: '2019-04-02T12:55:01Z' }, event)).toBe(true);
    expect(keeps({ GE_startTime: '2019-04-02T12:55:01.001Z' }, event)).toBe(false);
    expect(keeps({ LT_endTime: '2019-04-02T15:55:00.001+02:00' }, event)).toBe(true);
    expect(keeps({ LT_endTime: '2019-04-02T13:55:00Z' }, event)).toBe(false);
    expect(keeps({ LT_startTime: '2030-01-01T00:00:00Z' }, sensor('1'))).toBe(false); // no start time at all
  });

  it('compares measurement types, device IDs and the other sensor texts in normal form', () => {
    expect(keeps({ EQ_type: 'Temperature' }, sensor('1'))).toBe(true);
    expect(keeps({ EQ_type: 'gs1:Temperature' }, sensor('1'))).toBe(true);
    expect(keeps({ EQ_type: 'https://gs1.org/voc/Temperature' }, sensor('1'))).toBe(true);
    expect(keeps({ EQ_type: 'Pressure' }, sensor('1'))).toBe(false);
    // Metadata device, written as a URN in the event.
    expect(keeps({ EQ_deviceID: 'https://id.gs1.org/8004/4000001111' }, sensor('1'))).toBe(true);
    const seven = sensor('7');
    // A prefixed type reads through the event's own @context.
    expect(keeps({ EQ_type: 'http://ns.example.com/epcis/Abc' }, seven)).toBe(true);
    expect(keeps({ EQ_type: 'example:Abc' }, seven)).toBe(true);
    expect(keeps({ EQ_deviceID: 'urn:epc:id:giai:4000001.115' }, seven)).toBe(true); // in a report
    expect(keeps({ EQ_deviceID: 'urn:epc:id:giai:4000001.999' }, seven)).toBe(false);
    expect(keeps({ EQ_stringValue: 'SomeString', EQ_hexBinaryValue: 'f0f0f0', EQ_booleanValue: 'true' }, seven)).toBe(true);
    expect(keeps({ EQ_stringValue: 'somestring' }, seven)).toBe(false);
    expect(keeps({ EQ_booleanValue: 'false' }, seven)).toBe(false);
    expect(keeps({ EQ_uriValue: 'https://example.org/example/someSectorSpecificValue' }, seven)).toBe(true);
    expect(keeps({ EQ_booleanValue: 'true', EQ_uriValue: 'https://example.com/ErrorCode-A827' }, sensor('9'))).toBe(true);
    expect(
      keeps(
        {
          EQ_bizRules: 'https://example.com/253/4012345000054987',
          EQ_dataProcessingMethod: 'https://example.com/253/4012345000054987',
          EQ_microorganism: 'https://www.ncbi.nlm.nih.gov/taxonomy/1126011',
          EQ_chemicalSubstance: 'https://identifiers.org/inchikey:CZMRCDWAGMRECN-UGDNZRGBSA-N',
          EQ_deviceID: 'urn:epc:id:giai:4000001.111',
        },
        allFields,
      ),
    ).toBe(true);
    expect(keeps({ EQ_bizRules: 'https://example.com/other' }, allFields)).toBe(false);
  });

  it('finds extension fields by namespace and local name, at the top of their scope or nested', () => {
    const event = sensor('12'); // its context maps example: to https://ns.example.com/epcis, without a separator
    const yes = (params: Params) => expect(keeps(params, event), JSON.stringify(params)).toBe(true);
    const no = (params: Params) => expect(keeps(params, event), JSON.stringify(params)).toBe(false);
    yes({ 'EQ_ILMD_https://ns.example.com/epcis#grading': 'A' });
    yes({ 'EQ_ILMD_https://ns.example.com/epcis/#grading': 'B|A' });
    no({ 'EQ_ILMD_https://ns.example.com/epcis#grading': 'B' });
    yes({ 'EQ_ILMD_urn:epcglobal:cbv:mda#lotNumber': 'LOTABC' });
    yes({ 'EQ_INNER_ILMD_https://ns.example2.com/epcis#sizeCode': 'B-2' });
    no({ 'EQ_ILMD_https://ns.example2.com/epcis#sizeCode': 'B-2' }); // nested, not top-level
    no({ 'EQ_INNER_ILMD_https://ns.example.com/epcis#grading': 'A' }); // top-level, not nested
    yes({ 'EQ_ERROR_DECLARATION_https://ns.example.com/epcis#issuer': 'Employee 123' });
    yes({ 'EQ_INNER_ERROR_DECLARATION_https://ns.example3.com/epcis#value1': '34' });
    yes({ 'GT_INNER_ERROR_DECLARATION_https://ns.example3.com/epcis#value44': '60' });
    no({ 'GT_INNER_ERROR_DECLARATION_https://ns.example3.com/epcis#value44': '66' });
    yes({ 'EQ_SENSORMETADATA_https://ns.example.com/epcis#someFurtherMetaData': 'someText' });
    yes({ 'EQ_SENSORREPORT_https://ns.example.com/epcis#cv': '123.0' });
    no({ 'GE_SENSORREPORT_https://ns.example.com/epcis#cv': '124' });
    yes({ 'EQ_SENSORELEMENT_https://ns.example.com/epcis#someUserField': 'abc123' });
    yes({ 'LE_INNER_SENSORELEMENT_https://ns.example.com/epcis#measure1': '123.5' });
    yes({ 'EQ_https://ns.example4.com/epcis#otherThings': 'some text' });
    yes({ 'EQ_INNER_https://ns.example.com/epcis#machine': 'urn:epc:id:giai:4012345.ABC' });
    yes({ 'EXISTS_https://ns.example.com/epcis#internalData': 'true' });
    no({ 'EXISTS_https://ns.example.com/epcis#externalData': 'true' });
    no({ 'EQ_https://other.example.com/epcis#otherThings': 'some text' });
  });

  it('compares extension fields as numbers and instants where they hold them', () => {
    const yes = (params: Params) => expect(keeps(params, allFields), JSON.stringify(params)).toBe(true);
    const no = (params: Params) => expect(keeps(params, allFields), JSON.stringify(params)).toBe(false);
    yes({ 'GT_ILMD_http://example.com/ext1/#float': '19.5' });
    yes({ 'EQ_ILMD_http://example.com/ext1/#float': '20.0' });
    yes({ 'GE_ILMD_http://example.com/ext1/#time': '2013-06-08T16:58:56.591+02:00' });
    no({ 'GT_ILMD_http://example.com/ext1/#time': '2013-06-08T14:58:56.591Z' });
    yes({ 'EQ_ILMD_http://example.com/ext1/#time': '2013-06-08T16:58:56.591+02:00' });
    // The document redefines cbvmda: its fields are in that namespace, not the standard one.
    yes({ 'EQ_ILMD_http://example.com/cbvmda/#lotNumber': 'ABC123' });
    no({ 'EQ_ILMD_urn:epcglobal:cbv:mda#lotNumber': 'ABC123' });
    yes({ 'EQ_INNER_ILMD_http://example.com/ext3/#string': 'stringInObjectInObjectInArray' });
    yes({ 'EXISTS_INNER_ILMD_http://example.com/ext1/#object': 'true' });
    yes({ 'EQ_ILMD_http://example.com/ext1/#array': 'stringInArray' });
  });

  it('needs every condition (AND) and any value within one (OR)', () => {
    const event = sensor('1');
    expect(keeps({ EQ_type: 'Pressure|Speed', GE_value_LUX: '802' }, event)).toBe(true);
    expect(keeps({ EQ_type: 'Pressure|Speed', GE_value_LUX: '803' }, event)).toBe(false);
  });

  it('survives a JSON round trip of its conditions', () => {
    const { residual } = parseEpcisQuery({ GE_minValue_CEL: '12', 'EQ_ILMD_https://ns.example.com/epcis#grading': 'A', EQ_type: 'Temperature' });
    const copy = JSON.parse(JSON.stringify(residual)) as ResidualCondition[];
    expect(copy).toEqual(residual);
    expect(meetsResidual(sensor('12'), copy)).toBe(true);
  });
});
