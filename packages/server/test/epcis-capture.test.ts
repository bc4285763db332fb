import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APP_ENGINES, expectProblem, openApp, type Credentials, type TestApp } from './helper.js';

const FIXTURES = fileURLToPath(new URL('../../epcis/test/fixtures/', import.meta.url));
const example = (file: string) => JSON.parse(readFileSync(FIXTURES + file, 'utf8'));

/**
 * The EPCIS 2.0 REST bindings' capture: POST /epcis/capture answers 202 with the capture job's
 * Location, GET /epcis/capture/{captureID} shows the job, POST /epcis/events takes one event;
 * permissioned by epcis.capture and epcis.read.
 */
describe.each(APP_ENGINES)('EPCIS capture over HTTP on %s', (engine) => {
  let t: TestApp;
  let operator: Credentials;
  let viewer: Credentials;
  beforeEach(async () => {
    t = await openApp({ engine });
    operator = await t.key('operator');
    viewer = await t.key('viewer');
  });
  afterEach(async () => {
    await t.close();
  });

  it('captures a GS1 example as JSON-LD, answers 202 with the job\'s Location, and shows the job', async () => {
    const document = example('epcis/Example_9.6.1-ObjectEvent.jsonld');
    const answer = await t.call('POST', '/epcis/capture', { as: operator, body: document, headers: { 'content-type': 'application/ld+json' } });
    expect(answer.status, answer.body).toBe(202);
    expect(answer.headers['gs1-epcis-version']).toBe('2.0.0');
    expect(answer.headers['location']).toBe(`/epcis/capture/${answer.json.captureID}`);
    expect(answer.json).toMatchObject({ running: false, success: true, captureErrorBehaviour: 'rollback', errors: [] });
    expect(answer.json.capturedCount).toBe(document.epcisBody.eventList.length);

    const job = await t.call('GET', String(answer.headers['location']), { as: viewer });
    expect(job.status, job.body).toBe(200);
    expect(job.json).toEqual(answer.json);
    expect(job.headers['cache-control']).toBe('no-store');
  });

  it('refuses an invalid document with a problem document naming the event and the field, and a repeat with 409', async () => {
    const invalid = example('epcis-openepcis/Capture/Invalid/ObjectEvent_with_invalid_action.json');
    const refused = expectProblem(await t.call('POST', '/epcis/capture', { as: operator, body: invalid }), 400, 'EPCIS_EVENT_INVALID');
    // The bindings' exception type, with the stable code and the event and field beside it.
    expect(refused).toMatchObject({ type: 'epcisException:ValidationException', field: '/epcisBody/eventList/0/action', event: 0, rule: 'schema' });

    const document = example('epcis/Example_9.6.2-ObjectEvent.jsonld');
    expect((await t.call('POST', '/epcis/capture', { as: operator, body: document })).status).toBe(202);
    expectProblem(await t.call('POST', '/epcis/capture', { as: operator, body: document }), 409, 'EPCIS_EVENT_DUPLICATE');
  });

  it('proceeds past refused events when the client asks for it', async () => {
    const document = example('epcis/Example_9.6.1-ObjectEvent.jsonld');
    const events = document.epcisBody.eventList;
    document.epcisBody.eventList = [...events, { ...events[0], type: 'TransformationEvent' }];
    const answer = await t.call('POST', '/epcis/capture', { as: operator, body: document, headers: { 'gs1-capture-error-behaviour': 'proceed' } });
    expect(answer.status, answer.body).toBe(202);
    expect(answer.json).toMatchObject({ success: false, captureErrorBehaviour: 'proceed', eventCount: events.length + 1, capturedCount: events.length });
    expect(answer.json.errors.length).toBeGreaterThan(0);
  });

  it('captures one event at POST /epcis/events and answers its id and Location', async () => {
    const document = example('epcis/Example_9.6.1-ObjectEvent.jsonld');
    const event = { '@context': document['@context'], ...document.epcisBody.eventList[0] };
    delete event.eventID;
    const answer = await t.call('POST', '/epcis/events', { as: operator, body: event });
    expect(answer.status, answer.body).toBe(201);
    expect(answer.json.eventID).toMatch(/^ni:\/\/\/sha-256;/);
    expect(answer.headers['location']).toBe(`/epcis/events/${encodeURIComponent(answer.json.eventID)}`);

    // The Location answers the event, in an EPCISQueryDocument, with the document's context kept.
    const found = await t.call('GET', String(answer.headers['location']), { as: viewer, headers: { 'gs1-epc-format': 'Never_Translates' } });
    expect(found.status, found.body).toBe(200);
    expect(found.json).toMatchObject({ type: 'EPCISQueryDocument', schemaVersion: '2.0' });
    const [stored] = found.json.epcisBody.queryResults.resultsBody.eventList;
    expect(stored).toMatchObject({ '@context': document['@context'], eventID: answer.json.eventID, type: event.type, epcList: event.epcList });
    // Without GS1-EPC-Format, identifiers are answered as GS1 Digital Links, as the bindings say.
    const asLinks = await t.call('GET', String(answer.headers['location']), { as: viewer });
    const [linked] = asLinks.json.epcisBody.queryResults.resultsBody.eventList;
    expect(linked.epcList).toHaveLength(event.epcList.length);
    for (const epc of linked.epcList) expect(epc).toMatch(/^https:\/\/id\.gs1\.org\/01\//);
    const missing = expectProblem(await t.call('GET', `/epcis/events/${encodeURIComponent('urn:uuid:none')}`, { as: viewer }), 404, 'EPCIS_EVENT_NOT_FOUND');
    expect(missing.type).toBe('epcisException:NoSuchResourceException');
  });

  it('lets only those who may capture, capture, and keeps jobs to their company', async () => {
    const document = example('epcis/Example_9.6.1-ObjectEvent.jsonld');
    expectProblem(await t.call('POST', '/epcis/capture', { as: viewer, body: document }), 403, 'FORBIDDEN');
    expectProblem(await t.call('POST', '/epcis/capture', { body: document }), 401, 'UNAUTHENTICATED');
    const job = (await t.call('POST', '/epcis/capture', { as: operator, body: document })).json;
    expectProblem(await t.call('GET', `/epcis/capture/${job.captureID}`), 401, 'UNAUTHENTICATED');
    const missing = expectProblem(await t.call('GET', '/epcis/capture/999999', { as: viewer }), 404, 'EPCIS_CAPTURE_NOT_FOUND');
    expect(missing.type).toBe('epcisException:NoSuchResourceException');
  });
});
