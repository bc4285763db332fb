import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { canonicalIdentifier, cbvUri, schemaErrors } from '@serialtrace/epcis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ENGINES, expectProblem, openApp, type Answer, type Credentials, type TestApp } from './helper.js';

const FIXTURES = fileURLToPath(new URL('../../epcis/test/fixtures/epcis/', import.meta.url));
/** Every GS1 example document (the query document among them is an answer, not a capture). */
const EXAMPLES = readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.jsonld') && !f.includes('EPCISQueryDocument'))
  .sort();

type Event = Record<string, any>;

const INSTANCE_MEMBERS = ['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList'] as const;

/** Every instance an event names (MATCH_anyEPC's roles), canonical. */
function instancesOf(event: Event): string[] {
  const found = new Set<string>();
  if (typeof event.parentID === 'string') found.add(canonicalIdentifier(event.parentID));
  for (const member of INSTANCE_MEMBERS) for (const epc of event[member] ?? []) found.add(canonicalIdentifier(epc));
  return [...found];
}

const eventsOf = (answer: Answer): Event[] => answer.json.epcisBody.queryResults.resultsBody.eventList;
const idsOf = (events: readonly Event[]) => events.map((e) => e.eventID as string);
const instant = (text: string) => new Date(text).getTime();

/** The URL of the next page, from the Link header; undefined on the last page. */
function nextLink(answer: Answer): string | undefined {
  const link = answer.headers['link'];
  if (link === undefined) return undefined;
  const match = /^<([^>]+)>; rel="next"$/.exec(String(link));
  expect(match, String(link)).not.toBeNull();
  const url = new URL(match![1]!);
  return url.pathname + url.search;
}

/**
 * The EPCIS 2.0 query over HTTP, against every GS1 example captured once: the standard parameters
 * checked against what the events themselves say, paging by Link, the resource routes, the
 * formats of identifiers, and the refusals the bindings type.
 */
describe.each(APP_ENGINES)('the EPCIS query over HTTP on %s', (engine) => {
  let t: TestApp;
  let viewer: Credentials;
  /** Every stored event, as the repository answers it, newest first (the default order). */
  let all: Event[];

  const get = (url: string, headers: Record<string, string> = {}) => t.call('GET', url, { as: viewer, headers });
  const query = async (params: Record<string, string>, headers: Record<string, string> = {}) => {
    const answer = await get(`/epcis/events?${new URLSearchParams({ perPage: '1000', ...params }).toString()}`, headers);
    expect(answer.status, answer.body).toBe(200);
    return eventsOf(answer);
  };

  beforeAll(async () => {
    t = await openApp({ engine });
    const operator = await t.key('operator');
    viewer = await t.key('viewer');
    for (const file of EXAMPLES) {
      // Several examples repeat an event of another; `proceed` keeps the first capture of each.
      const document = JSON.parse(readFileSync(FIXTURES + file, 'utf8'));
      const answer = await t.call('POST', '/epcis/capture', { as: operator, body: document, headers: { 'gs1-capture-error-behaviour': 'proceed' } });
      expect(answer.status, `${file}: ${answer.body}`).toBe(202);
    }
    const answer = await get('/epcis/events?perPage=1000');
    expect(answer.status, answer.body).toBe(200);
    expect(answer.headers['link']).toBeUndefined();
    all = eventsOf(answer);
    expect(all.length).toBeGreaterThan(40);
  }, 120_000);
  afterAll(async () => {
    await t.close();
  });

  it('answers an EPCISQueryDocument, newest event first, ties in the order of capture', async () => {
    const answer = await get('/epcis/events?perPage=3');
    expect(answer.headers['gs1-epcis-version']).toBe('2.0.0');
    expect(answer.json).toMatchObject({ type: 'EPCISQueryDocument', schemaVersion: '2.0', epcisBody: { queryResults: { queryName: 'SimpleEventQuery' } } });
    for (let i = 1; i < all.length; i++) expect(instant(all[i - 1]!.eventTime)).toBeGreaterThanOrEqual(instant(all[i]!.eventTime));
    const ascending = await query({ orderDirection: 'ASC' });
    expect(idsOf(ascending).slice().sort()).toEqual(idsOf(all).slice().sort());
    expect(instant(ascending[0]!.eventTime)).toBe(Math.min(...all.map((e) => instant(e.eventTime))));
  });

  it('pages with perPage and a Link to the next page until every event was served once', async () => {
    const served: Event[] = [];
    let url: string | undefined = '/epcis/events?perPage=7&orderBy=recordTime';
    let pages = 0;
    while (url !== undefined) {
      const answer = await get(url);
      expect(answer.status, answer.body).toBe(200);
      const page = eventsOf(answer);
      expect(page.length).toBeLessThanOrEqual(7);
      served.push(...page);
      url = nextLink(answer);
      pages++;
    }
    expect(pages).toBe(Math.ceil(all.length / 7));
    expect(new Set(idsOf(served)).size).toBe(all.length);
    expect(idsOf(served).slice().sort()).toEqual(idsOf(all).slice().sort());
  });

  it('stops at eventCountLimit across pages, and refuses a query beyond maxEventCount', async () => {
    const first = await get('/epcis/events?perPage=4&eventCountLimit=6&orderBy=eventTime');
    expect(eventsOf(first)).toHaveLength(4);
    const second = await get(nextLink(first)!);
    expect(eventsOf(second)).toHaveLength(2);
    expect(second.headers['link']).toBeUndefined();
    expect(idsOf([...eventsOf(first), ...eventsOf(second)])).toEqual(idsOf(all.slice(0, 6)));

    const tooLarge = expectProblem(await get('/epcis/events?maxEventCount=3'), 413, 'EPCIS_QUERY_TOO_LARGE');
    expect(tooLarge.type).toBe('epcisException:QueryTooLargeException');
    expect(await query({ maxEventCount: String(all.length) })).toHaveLength(all.length);
  });

  it('selects by event type, action, business step and disposition, as terms, URNs or web URIs, `|` being alternatives', async () => {
    for (const type of ['ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent', 'AssociationEvent']) {
      expect(idsOf(await query({ eventType: type })), type).toEqual(idsOf(all.filter((e) => e.type === type)));
    }
    expect(idsOf(await query({ eventType: 'AggregationEvent|TransactionEvent' }))).toEqual(idsOf(all.filter((e) => e.type === 'AggregationEvent' || e.type === 'TransactionEvent')));
    expect(idsOf(await query({ EQ_action: 'ADD|DELETE' }))).toEqual(idsOf(all.filter((e) => e.action === 'ADD' || e.action === 'DELETE')));
    const shipping = all.filter((e) => typeof e.bizStep === 'string' && cbvUri('bizStep', e.bizStep) === 'https://ref.gs1.org/cbv/BizStep-shipping');
    expect(shipping.length).toBeGreaterThan(0);
    for (const written of ['shipping', 'urn:epcglobal:cbv:bizstep:shipping', 'https://ref.gs1.org/cbv/BizStep-shipping']) {
      expect(idsOf(await query({ EQ_bizStep: written })), written).toEqual(idsOf(shipping));
    }
    const inTransit = all.filter((e) => typeof e.disposition === 'string' && cbvUri('disposition', e.disposition) === 'https://ref.gs1.org/cbv/Disp-in_transit');
    expect(idsOf(await query({ EQ_disposition: 'in_transit' }))).toEqual(idsOf(inTransit));
  });

  it('selects by event time and record time, from inclusive and before exclusive', async () => {
    const times = [...new Set(all.map((e) => instant(e.eventTime)))].sort((a, b) => a - b);
    const middle = new Date(times[Math.floor(times.length / 2)]!).toISOString();
    const from = await query({ GE_eventTime: middle });
    const before = await query({ LT_eventTime: middle });
    expect(idsOf(from)).toEqual(idsOf(all.filter((e) => instant(e.eventTime) >= instant(middle))));
    expect(idsOf(before)).toEqual(idsOf(all.filter((e) => instant(e.eventTime) < instant(middle))));
    expect(from.length + before.length).toBe(all.length);
    // The same instant written with an offset selects the same.
    const offset = new Date(instant(middle) + 2 * 3600_000).toISOString().replace('Z', '+02:00');
    expect(idsOf(await query({ GE_eventTime: offset }))).toEqual(idsOf(from));
    expect(await query({ GE_recordTime: '2000-01-01T00:00:00Z', LT_recordTime: '2100-01-01T00:00:00Z' })).toHaveLength(all.length);
    expect(await query({ GE_recordTime: '2100-01-01T00:00:00Z' })).toHaveLength(0);
  });

  it('matches every EPC in any role with MATCH_anyEPC, in URN and Digital Link alike, and by path', async () => {
    const epcs = [...new Set(all.flatMap(instancesOf))];
    expect(epcs.length).toBeGreaterThan(20);
    for (const epc of epcs.slice(0, 40)) {
      const expected = idsOf(all.filter((e) => instancesOf(e).includes(epc)));
      expect(idsOf(await query({ MATCH_anyEPC: epc })), epc).toEqual(expected);
      const byPath = await get(`/epcis/epcs/${encodeURIComponent(epc)}/events?perPage=1000`);
      expect(byPath.status, byPath.body).toBe(200);
      expect(idsOf(eventsOf(byPath))).toEqual(expected);
    }
    // An SGTIN as a URN matches the events that wrote it as a Digital Link, and the reverse.
    const urn = 'urn:epc:id:sgtin:0614141.107346.2018';
    const dl = canonicalIdentifier(urn);
    expect(idsOf(await query({ MATCH_anyEPC: urn }))).toEqual(idsOf(await query({ MATCH_anyEPC: dl })));
    expect((await query({ MATCH_anyEPC: urn })).length).toBeGreaterThan(0);
    // MATCH_epc looks at epcList and childEPCs, not at parents.
    const parent = all.find((e) => typeof e.parentID === 'string')!.parentID as string;
    const asEpc = await query({ MATCH_epc: parent });
    expect(asEpc.every((e) => [...(e.epcList ?? []), ...(e.childEPCs ?? [])].map(canonicalIdentifier).includes(canonicalIdentifier(parent)))).toBe(true);
    expect(idsOf(await query({ MATCH_parentID: parent }))).toEqual(idsOf(all.filter((e) => typeof e.parentID === 'string' && canonicalIdentifier(e.parentID) === canonicalIdentifier(parent))));
  });

  it('matches an EPC pattern, and a business transaction by its type', async () => {
    const pattern = await query({ MATCH_epc: 'urn:epc:idpat:sgtin:0614141.107346.*' });
    const prefix = 'https://id.gs1.org/01/10614141073464/21/';
    expect(idsOf(pattern)).toEqual(idsOf(all.filter((e) => [...(e.epcList ?? []), ...(e.childEPCs ?? [])].some((epc: string) => canonicalIdentifier(epc).startsWith(prefix)))));
    expect(pattern.length).toBeGreaterThan(0);

    const withPo = all.filter((e) => (e.bizTransactionList ?? []).some((b: Event) => b.type === 'po' || b.type === 'urn:epcglobal:cbv:btt:po' || b.type === 'https://ref.gs1.org/cbv/BTT-po'));
    expect(withPo.length).toBeGreaterThan(0);
    const po = withPo[0]!.bizTransactionList.find((b: Event) => String(b.type).endsWith('po')).bizTransaction as string;
    const expected = withPo.filter((e) => e.bizTransactionList.some((b: Event) => b.bizTransaction === po && String(b.type).endsWith('po')));
    expect(idsOf(await query({ EQ_bizTransaction_po: po }))).toEqual(idsOf(expected));
    // The value under another type is another selection.
    const asDesadv = all.filter((e) => (e.bizTransactionList ?? []).some((b: Event) => b.bizTransaction === po && String(b.type).endsWith('desadv')));
    expect(idsOf(await query({ EQ_bizTransaction_desadv: po }))).toEqual(idsOf(asDesadv));
  });

  it('selects by quantity, a condition tested on each event, and pages through it like the others', async () => {
    const quantities = (e: Event) =>
      ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'].flatMap((member) => (e[member] ?? []).map((q: Event) => q.quantity)).filter((q) => typeof q === 'number');
    const expected = all.filter((e) => quantities(e).some((q: number) => q > 100));
    expect(expected.length).toBeGreaterThan(2);
    expect(idsOf(await query({ GT_quantity: '100' }))).toEqual(idsOf(expected));
    const served: Event[] = [];
    let url: string | undefined = '/epcis/events?GT_quantity=100&perPage=2';
    while (url !== undefined) {
      const answer = await get(url);
      expect(answer.status, answer.body).toBe(200);
      served.push(...eventsOf(answer));
      url = nextLink(answer);
    }
    expect(idsOf(served)).toEqual(idsOf(expected));
  });

  it('selects events with an error declaration', async () => {
    const declared = all.filter((e) => e.errorDeclaration !== undefined);
    expect(declared.length).toBeGreaterThan(0);
    expect(idsOf(await query({ EXISTS_errorDeclaration: 'true' }))).toEqual(idsOf(declared));
  });

  it('writes identifiers as asked by GS1-EPC-Format', async () => {
    const urns = await query({ MATCH_anyEPC: 'urn:epc:id:sgtin:0614141.107346.2018' }, { 'gs1-epc-format': 'Always_GS1_Digital_Link' });
    for (const event of urns) {
      for (const epc of [...(event.epcList ?? []), ...(event.childEPCs ?? [])]) expect(epc).toMatch(/^https:\/\/id\.gs1\.org\//);
    }
    const asCaptured = await query({ MATCH_anyEPC: 'urn:epc:id:sgtin:0614141.107346.2018' }, { 'gs1-epc-format': 'Never_Translates' });
    expect(asCaptured.some((e) => (e.epcList ?? []).some((epc: string) => epc.startsWith('urn:epc:id:sgtin:')))).toBe(true);
    expectProblem(await get('/epcis/events', { 'gs1-epc-format': 'Sometimes' }), 400, 'EPCIS_QUERY_PARAMETER_INVALID');
  });

  it('lists the event types, EPCs, business steps, locations, read points and dispositions, a page at a time', async () => {
    const types = await get('/epcis/eventTypes');
    expect(types.json).toMatchObject({ type: 'Collection', member: ['AggregationEvent', 'AssociationEvent', 'ObjectEvent', 'TransactionEvent', 'TransformationEvent'] });
    expect((await get('/epcis/eventTypes/ObjectEvent')).json.member).toEqual(['events']);
    expectProblem(await get('/epcis/eventTypes/QuantityEvent'), 404, 'EPCIS_RESOURCE_NOT_FOUND');
    expect(idsOf(eventsOf(await get('/epcis/eventTypes/AggregationEvent/events?perPage=1000')))).toEqual(idsOf(all.filter((e) => e.type === 'AggregationEvent')));

    const epcs: string[] = [];
    let url: string | undefined = '/epcis/epcs?perPage=10';
    while (url !== undefined) {
      const answer = await get(url);
      expect(answer.status, answer.body).toBe(200);
      epcs.push(...answer.json.member);
      url = nextLink(answer);
    }
    expect(epcs).toEqual([...new Set(all.flatMap(instancesOf))].sort());

    const bizSteps = (await get('/epcis/bizSteps?perPage=1000')).json.member as string[];
    expect(bizSteps).toEqual([...new Set(all.filter((e) => typeof e.bizStep === 'string').map((e) => cbvUri('bizStep', e.bizStep)))].sort());
    expect(idsOf(eventsOf(await get('/epcis/bizSteps/shipping/events?perPage=1000')))).toEqual(idsOf(await query({ EQ_bizStep: 'shipping' })));
    expect((await get(`/epcis/bizSteps/${encodeURIComponent(bizSteps[0]!)}`)).json.member).toEqual(['events']);
    const readPoints = (await get('/epcis/readPoints?perPage=1000')).json.member as string[];
    expect(readPoints.length).toBeGreaterThan(0);
    const readPoint = readPoints[0]!;
    expect(idsOf(eventsOf(await get(`/epcis/readPoints/${encodeURIComponent(readPoint)}/events?perPage=1000`)))).toEqual(
      idsOf(all.filter((e) => e.readPoint !== undefined && canonicalIdentifier(e.readPoint.id) === readPoint)),
    );
    expect((await get('/epcis/dispositions?perPage=1000')).json.member).toContain('https://ref.gs1.org/cbv/Disp-in_transit');
    expect((await get('/epcis/bizLocations?perPage=1000')).json.member.length).toBeGreaterThan(0);
    expectProblem(await get('/epcis/bizSteps/shipping/events?EQ_bizStep=receiving'), 400, 'EPCIS_QUERY_PARAMETER_INVALID');
  });

  it('refuses what the standard refuses, with the exception type the bindings name', async () => {
    const unknown = expectProblem(await get('/epcis/events?EQ_colour=red'), 400, 'EPCIS_QUERY_PARAMETER_INVALID');
    expect(unknown).toMatchObject({ type: 'epcisException:QueryParameterException', parameter: 'EQ_colour' });
    expectProblem(await get('/epcis/events?EQ_action=SHOUT'), 400, 'EPCIS_QUERY_PARAMETER_INVALID');
    expectProblem(await get('/epcis/events?GE_eventTime=yesterday'), 400, 'EPCIS_QUERY_PARAMETER_INVALID');
    expectProblem(await get('/epcis/events?MATCH_epc=urn:epc:id:sgtin:0614141.107346'), 400, 'EPCIS_QUERY_PARAMETER_INVALID');
    expectProblem(await get('/epcis/events?eventCountLimit=5'), 400, 'EPCIS_QUERY_PARAMETER_INVALID');
    expectProblem(await get('/epcis/events?nextPageToken=bm9uc2Vuc2U'), 400, 'EPCIS_PAGE_TOKEN_INVALID');
    // A token continues the query that gave it, not another.
    const first = await get('/epcis/events?perPage=2&eventType=ObjectEvent');
    const token = new URL(`http://x${nextLink(first)!}`).searchParams.get('nextPageToken')!;
    expectProblem(await get(`/epcis/events?perPage=2&eventType=AggregationEvent&nextPageToken=${token}`), 400, 'EPCIS_PAGE_TOKEN_INVALID');

    const old = expectProblem(await get('/epcis/events', { 'gs1-epcis-version': '1.2' }), 406, 'EPCIS_VERSION_NOT_ACCEPTABLE');
    expect(old.type).toBe('epcisException:NotAcceptableException');
    expectProblem(await get('/epcis/events', { 'gs1-epcis-min': '2.1.0' }), 406, 'EPCIS_VERSION_NOT_ACCEPTABLE');
    expectProblem(await get('/epcis/events', { 'gs1-cbv-max': '1.2.2' }), 406, 'EPCIS_VERSION_NOT_ACCEPTABLE');
    expect((await get('/epcis/events?perPage=1', { 'gs1-epcis-min': '1.2', 'gs1-epcis-max': '2.0.0', 'gs1-epcis-version': '2.0.0' })).status).toBe(200);
    expectProblem(await t.call('GET', '/epcis/events'), 401, 'UNAUTHENTICATED');
  });

  // Last: it adds an event of serialtrace's own to the repository the tests above compare with.
  it('answers documents the GS1 EPCIS JSON schema accepts, in every identifier format', async () => {
    for (const format of ['Always_GS1_Digital_Link', 'Always_EPC_URN', 'No_Preference']) {
      const answer = await get('/epcis/events?perPage=1000', { 'gs1-epc-format': format });
      expect(schemaErrors(answer.json), format).toEqual([]);
    }
    // serialtrace's own events too.
    await t.call('POST', '/api/v1/pack', { as: await t.key('operator'), body: { parent: 'urn:epc:id:sscc:0614141.1234567890', children: ['urn:epc:id:sgtin:0614141.107346.9999'] } });
    const own = await get('/epcis/events?eventType=AggregationEvent&EQ_bizStep=packing&GE_recordTime=2025-01-01T00:00:00Z');
    expect(eventsOf(own).length).toBeGreaterThan(0);
    expect(schemaErrors(own.json)).toEqual([]);
  });
});
