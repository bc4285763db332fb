import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, openApp, type Credentials, type TestApp } from './helper.js';

/** GS1 series, label templates, documents and label printing over HTTP. */

const GTIN = '09520123456788';

let t: TestApp;
let engineer: Credentials;
let operator: Credentials;
let viewer: Credentials;
beforeAll(async () => {
  t = await openApp();
  engineer = await t.key('engineer');
  operator = await t.key('operator', { name: 'Line 1 printer', station: 'PRINT-1' });
  viewer = await t.key('viewer');
  const created = await t.call('POST', '/api/v1/series', { as: engineer, body: { name: 'Drug A', format: 'A{#######}', gtin: GTIN, companyPrefix: '952012' } });
  expect(created.status, created.body).toBe(201);
  const generated = await t.call('POST', '/api/v1/series/Drug%20A/serials', { as: operator, body: { quantity: 3, lot: 'L7', expiry: '2027-03-31' } });
  expect(generated.status, generated.body).toBe(201);
});
afterAll(async () => {
  await t.close();
});

/** A binary answer, its bytes intact. */
async function binary(method: 'POST', url: string, as: Credentials, body: unknown) {
  const answer = await t.app.inject({ method, url, headers: { ...as.headers, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  return { status: answer.statusCode, headers: answer.headers, bytes: answer.rawPayload, json: () => answer.json<Record<string, unknown>>() };
}

describe('GS1 series over HTTP', () => {
  it('answers records with lot, expiry and their GS1 identity, and searches by lot', async () => {
    const record = await t.call('GET', '/api/v1/records/A0000001', { as: viewer });
    expect(record.status, record.body).toBe(200);
    expect(record.json).toMatchObject({
      lot: 'L7',
      expiry: '2027-03-31',
      labelPrints: 0,
      prints: [],
      gs1: { gtin: GTIN, bracketed: `(01)${GTIN}(17)270331(10)L7(21)A0000001`, epcUrn: 'urn:epc:id:sgtin:952012.0345678.A0000001' },
    });
    const byLot = await t.call('GET', '/api/v1/records', { as: viewer, query: { lot: 'L7' } });
    expect(byLot.json.records).toHaveLength(3);
    expect((await t.call('GET', '/api/v1/record-count', { as: viewer, query: { lot: 'L7' } })).json).toEqual({ count: 3, capped: false });
  });

  it('refuses lot and expiry that break their AI, naming it, with 422', async () => {
    const answer = await t.call('POST', '/api/v1/series/Drug%20A/serials', { as: operator, body: { lot: 'L 7' } });
    expect(expectProblem(answer, 422, 'GS1_AI_VALUE_INVALID')).toMatchObject({ field: 'lot', ai: '10', rule: 'charset' });
  });

  it('converts GS1 data and completes keys', async () => {
    const parsed = await t.call('POST', '/api/v1/gs1/parse', { as: viewer, body: { text: `]d201${GTIN}10L7\u001d21A1` } });
    expect(parsed.json).toEqual({
      ais: [
        { ai: '01', value: GTIN },
        { ai: '10', value: 'L7' },
        { ai: '21', value: 'A1' },
      ],
      bracketed: `(01)${GTIN}(10)L7(21)A1`,
      elementString: `01${GTIN}10L7\u001d21A1`,
      digitalLink: `https://id.gs1.org/01/${GTIN}/10/L7/21/A1`,
    });
    expect((await t.call('POST', '/api/v1/gs1/check-digit', { as: viewer, body: { digits: '952012345678' } })).json).toEqual({ key: '9520123456788' });
    const bad = await t.call('POST', '/api/v1/gs1/parse', { as: viewer, body: { text: '(01)09520123456787' } });
    expect(expectProblem(bad, 422, 'GS1_AI_VALUE_INVALID')).toMatchObject({ ai: '01', rule: 'csum' });
  });
});

describe('printing labels over HTTP', () => {
  it('answers the document as its media type and counts the print', async () => {
    const first = await binary('POST', '/api/v1/records/A0000001/label', operator, { format: 'pdf' });
    expect(first.status, first.bytes.toString()).toBe(200);
    expect(first.headers['content-type']).toBe('application/pdf');
    expect(first.headers['serialtrace-label-print']).toBe('1');
    expect(first.headers['serialtrace-label-template']).toBe('gs1-product');
    expect(first.headers['content-disposition']).toBe('attachment; filename="A0000001.pdf"');
    expect(first.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const second = await binary('POST', '/api/v1/records/A0000001/label', operator, { format: 'zpl' });
    expect(second.headers['content-type']).toBe('application/zpl');
    expect(second.headers['serialtrace-label-print']).toBe('2');
    const record = await t.call('GET', '/api/v1/records/A0000001', { as: viewer });
    expect(record.json).toMatchObject({ status: 'printed', labelPrints: 2 });
    expect(record.json.prints.map((p: { print: number; station: string }) => [p.print, p.station])).toEqual([
      [1, 'PRINT-1'],
      [2, 'PRINT-1'],
    ]);
  });

  it('prints with a template named in any script, its name encoded in the headers, and counts each print once', async () => {
    const body = { width: 50, height: 25, dpi: 203, barcode: { type: 'datamatrix', data: '{serial}', x: 2, y: 2, size: 20 }, lines: [] };
    const name = 'Etikett-ラベル';
    expect((await t.call('PUT', `/api/v1/label-templates/${encodeURIComponent(name)}`, { as: engineer, body })).status).toBe(200);
    const first = await binary('POST', '/api/v1/records/A0000003/label', operator, { template: name, format: 'zpl' });
    expect(first.status, first.bytes.toString()).toBe(200);
    expect(first.headers['serialtrace-label-template']).toBe(`UTF-8''${encodeURIComponent(name)}`);
    expect(first.headers['serialtrace-label-print']).toBe('1');
    expect(first.headers['content-disposition']).toBe('attachment; filename="A0000003.zpl"');
    expect((await t.call('GET', '/api/v1/records/A0000003', { as: viewer })).json).toMatchObject({ status: 'printed', labelPrints: 1 });
    const again = await binary('POST', '/api/v1/records/A0000003/label', operator, { template: name, format: 'zpl' });
    expect(again.headers['serialtrace-label-print']).toBe('2');
    expect((await t.call('GET', '/api/v1/records/A0000003', { as: viewer })).json.labelPrints).toBe(2);
    expect((await t.call('DELETE', `/api/v1/label-templates/${encodeURIComponent(name)}`, { as: engineer })).status).toBe(204);
  });

  it('does not count a print when its answer cannot be prepared: the print is undone', async () => {
    const before = (await t.call('GET', '/api/v1/records/A0000002', { as: viewer })).json;
    await expect(
      t.services.labels.print({ companyId: 1, actor: 'user:admin' }, 'A0000002', { format: 'zpl' }, () => {
        throw new Error('the answer could not be prepared');
      }),
    ).rejects.toThrow('the answer could not be prepared');
    const after = (await t.call('GET', '/api/v1/records/A0000002', { as: viewer })).json;
    expect(after).toMatchObject({ status: before.status, labelPrints: before.labelPrints });
    expect(after.history).toHaveLength(before.history.length);
  });

  it('renders documents without recording a print, as PNG by default', async () => {
    const document = await binary('POST', '/api/v1/documents', operator, { serial: 'A0000002' });
    expect(document.status).toBe(200);
    expect(document.headers['content-type']).toBe('image/png');
    expect([...document.bytes.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect((await t.call('GET', '/api/v1/records/A0000002', { as: viewer })).json).toMatchObject({ status: 'generated', labelPrints: 0 });
  });

  it('lets viewers read templates but not print or render, and answers refusals as problem documents', async () => {
    expect((await binary('POST', '/api/v1/records/A0000003/label', viewer, {})).status).toBe(403);
    expect((await binary('POST', '/api/v1/documents', viewer, { serial: 'A0000003' })).status).toBe(403);
    const missing = await binary('POST', '/api/v1/records/A0000003/label', operator, { template: 'sscc-logistic' });
    expect(missing.status).toBe(422);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect(missing.json()).toMatchObject({ code: 'LABEL_DATA_MISSING', template: 'sscc-logistic' });
    const list = await t.call('GET', '/api/v1/label-templates', { as: viewer });
    expect(list.json.templates.map((x: { name: string }) => x.name)).toEqual(['gs1-product', 'sscc-logistic', 'serial', 'digital-link']);
  });

  it('saves, reads and deletes company templates; built-ins are read-only', async () => {
    const body = { width: 50, height: 25, dpi: 300, barcode: { type: 'qr', data: '{digitalLink}', x: 2, y: 2, size: 20 }, lines: [] };
    const saved = await t.call('PUT', '/api/v1/label-templates/dl-small', { as: engineer, body });
    expect(saved.status, saved.body).toBe(200);
    expect(saved.json).toMatchObject({ name: 'dl-small', builtIn: false, version: 1, template: { name: 'dl-small', description: '' } });
    expect((await t.call('GET', '/api/v1/label-templates/dl-small', { as: viewer })).json.version).toBe(1);
    expect((await t.call('PUT', '/api/v1/label-templates/dl-small', { as: operator, body })).status).toBe(403);
    expectProblem(await t.call('PUT', '/api/v1/label-templates/serial', { as: engineer, body }), 409, 'LABEL_TEMPLATE_READONLY');
    expectProblem(await t.call('PUT', '/api/v1/label-templates/x', { as: engineer, body: { ...body, dpi: 100 } }), 422, 'LABEL_TEMPLATE_INVALID');
    expect((await t.call('DELETE', '/api/v1/label-templates/dl-small', { as: engineer })).status).toBe(204);
    expectProblem(await t.call('GET', '/api/v1/label-templates/dl-small', { as: viewer }), 404, 'LABEL_TEMPLATE_NOT_FOUND');
  });
});

describe('randomised series over HTTP', () => {
  let r: TestApp;
  afterAll(async () => {
    await r?.close();
  });

  it('shows the next randomised serials to those who issue or define them, not to readers', async () => {
    r = await openApp({ config: { masterKey: '7'.repeat(64) } });
    const author = await r.key('engineer');
    const issuer = await r.key('operator');
    const reader = await r.key('viewer');
    expect((await r.call('POST', '/api/v1/series', { as: author, body: { name: 'Packs', format: 'P{##########}', randomized: true } })).status).toBe(201);
    const ahead = await r.call('POST', '/api/v1/series/Packs/preview', { as: issuer, body: { count: 2 } });
    expect(ahead.status).toBe(200);
    expect((await r.call('POST', '/api/v1/series/Packs/preview', { as: author, body: { count: 2 } })).json.serials).toEqual(ahead.json.serials);
    expect(expectProblem(await r.call('POST', '/api/v1/series/Packs/preview', { as: reader, body: { count: 2 } }), 403, 'FORBIDDEN')).toMatchObject({ role: 'viewer' });
    const view = await r.call('GET', '/api/v1/series/Packs', { as: reader });
    expect(view.json.guess).toEqual({ space: '9999999999', issued: '0', probability: 0, limit: '999999' });
    expect((await r.call('POST', '/api/v1/series/Packs/serials', { as: issuer, body: { quantity: 2 } })).json.serials).toEqual(ahead.json.serials);
  });
});
