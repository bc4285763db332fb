import { completeKey, ssccUrn } from '@serialtrace/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APP_ENGINES, expectProblem, openApp, type Credentials, type TestApp } from './helper.js';

const GTIN = '09520123456788';
const GS = '\u001d';
const sscc = (n: number) => completeKey(`0952012340${String(n).padStart(7, '0')}`, 'SSCC');
const caseLink = (n: number) => `https://id.gs1.org/00/${sscc(n)}`;
/** A unit as a scanner sends it: symbology identifier, lot, GS, serial. */
const scanned = (n: number) => `]d201${GTIN}10LOT-7${GS}21U${n}`;
const unitLink = (n: number) => `https://id.gs1.org/01/${GTIN}/21/U${n}`;

/**
 * Packing over HTTP: POST /api/v1/pack, /pack/batch and /unpack write AggregationEvents;
 * GET /api/v1/contents and /parents read what holds what. Packing needs aggregation.pack.
 */
describe.each(APP_ENGINES)('aggregation over HTTP on %s', (engine) => {
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

  it('packs cases and a pallet from scanned codes, and answers the contents tree and a unit’s parents', async () => {
    const batch = await t.call('POST', '/api/v1/pack/batch', {
      as: operator,
      body: {
        packs: [
          { parent: `(00)${sscc(1)}`, children: [scanned(1), scanned(2)] },
          { parent: `]C100${sscc(2)}`, children: [scanned(3)] },
          { parent: ssccUrn(sscc(100), 7), children: [caseLink(1), caseLink(2)] },
        ],
      },
    });
    expect(batch.status, batch.body).toBe(201);
    expect(batch.json.packs.map((p: { parent: string }) => p.parent)).toEqual([caseLink(1), caseLink(2), caseLink(100)]);

    const pallet = batch.json.packs[2].parent as string;
    const contents = await t.call('GET', '/api/v1/contents', { as: viewer, query: { code: pallet } });
    expect(contents.status, contents.body).toBe(200);
    expect(contents.json).toMatchObject({
      identifier: pallet,
      total: 5,
      children: [
        { identifier: caseLink(1), children: [{ identifier: unitLink(1), children: [] }, { identifier: unitLink(2), children: [] }] },
        { identifier: caseLink(2), children: [{ identifier: unitLink(3), children: [] }] },
      ],
    });
    const parents = await t.call('GET', '/api/v1/parents', { as: viewer, query: { code: scanned(3) } });
    expect(parents.json.parents).toEqual([caseLink(2), pallet]);

    // The events are the repository's: the pallet's, by path.
    const events = await t.call('GET', `/epcis/epcs/${encodeURIComponent(pallet)}/events`, { as: viewer });
    expect(events.json.epcisBody.queryResults.resultsBody.eventList).toHaveLength(1);
  });

  it('refuses a unit packed already with 409, and a viewer with 403; unpacks on request', async () => {
    const first = await t.call('POST', '/api/v1/pack', { as: operator, body: { parent: `(00)${sscc(1)}`, children: [scanned(1)] } });
    expect(first.status, first.body).toBe(201);
    expect(first.json).toMatchObject({ action: 'ADD', parent: caseLink(1), children: [unitLink(1)], moved: [] });
    const again = expectProblem(await t.call('POST', '/api/v1/pack', { as: operator, body: { parent: `(00)${sscc(2)}`, children: [scanned(1)] } }), 409, 'AGGREGATION_CHILD_PACKED');
    expect(again).toMatchObject({ child: unitLink(1), parent: caseLink(1) });
    expectProblem(await t.call('POST', '/api/v1/pack', { as: viewer, body: { parent: `(00)${sscc(2)}`, children: [scanned(2)] } }), 403, 'FORBIDDEN');
    expectProblem(await t.call('POST', '/api/v1/pack', { as: operator, body: { parent: `(00)${sscc(2)}`, children: [] } }), 400, 'REQUEST_INVALID');

    const moved = await t.call('POST', '/api/v1/pack', { as: operator, body: { parent: `(00)${sscc(2)}`, children: [scanned(1)], move: true } });
    expect(moved.json.moved).toEqual([{ child: unitLink(1), from: caseLink(1) }]);
    const unpacked = await t.call('POST', '/api/v1/unpack', { as: operator, body: { parent: caseLink(2) } });
    expect(unpacked.status, unpacked.body).toBe(201);
    expect(unpacked.json).toMatchObject({ action: 'DELETE', children: [unitLink(1)] });
    expectProblem(await t.call('GET', '/api/v1/contents', { as: viewer, query: { code: caseLink(2), at: 'soon' } }), 422, 'VALUE_INVALID');
    expectProblem(await t.call('GET', '/api/v1/contents', { as: viewer, query: { code: 'NO-SUCH-UNIT' } }), 404, 'UNIT_CODE_UNKNOWN');
  });

  it('ships a case and answers a unit’s state, inherited from its case, with its events', async () => {
    await t.call('POST', '/api/v1/pack', { as: operator, body: { parent: `(00)${sscc(1)}`, children: [scanned(1)] } });
    const shipped = await t.call('POST', '/api/v1/ship', {
      as: operator,
      body: { codes: [caseLink(1)], bizTransactions: [{ type: 'desadv', id: 'urn:epcglobal:cbv:bt:0952012300007:DA-1' }], destinations: [{ type: 'owning_party', id: 'urn:epc:id:pgln:0614141.00001' }] },
    });
    expect(shipped.status, shipped.body).toBe(201);
    expect(shipped.json).toMatchObject({ bizStep: 'shipping', identifiers: [caseLink(1)], contained: 1 });
    expectProblem(await t.call('POST', '/api/v1/ship', { as: viewer, body: { codes: [caseLink(1)] } }), 403, 'FORBIDDEN');

    const trace = await t.call('GET', '/api/v1/trace', { as: viewer, query: { code: scanned(1) } });
    expect(trace.status, trace.body).toBe(200);
    expect(trace.json).toMatchObject({
      identifier: unitLink(1),
      disposition: 'https://ref.gs1.org/cbv/Disp-in_transit',
      owner: 'https://id.gs1.org/417/0614141000012',
      parents: [caseLink(1)],
      inheritedFrom: caseLink(1),
      events: [{ type: 'AggregationEvent', role: 'child', action: 'ADD', void: false }],
    });
    const received = await t.call('POST', '/api/v1/receive', { as: operator, body: { codes: [caseLink(1)], bizLocation: 'urn:epc:id:sgln:0614141.00001.0' } });
    expect(received.json.bizStep).toBe('receiving');
  });
});
