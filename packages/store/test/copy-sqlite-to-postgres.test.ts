import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copySqliteToPostgres, PgStore, SqliteStore, type NewEpcisEvent, type NewScriptRun, type Store } from '@serialtrace/store';
import { dropSchema, TEST_DATABASE_URL, uniqueSchema } from './pg-harness.js';
import { temporaryDirectory } from './sqlite-harness.js';
import { newRecord, seriesSettings } from './store-harness.js';

/*
 * The copy from an embedded SQLite file into PostgreSQL (the CLI's copy-to-postgres drives it end
 * to end): here, that what migration 4 added arrives whole, with its ids: the GS1 settings and
 * wrapped keys of series, the lots, expiries and print counts of records, and label templates;
 * what migration 5 added: scripts, their versions and their runs; and what migration 11 added:
 * EPCIS events, their identifiers and capture jobs.
 */

const AT = '2025-06-01T08:00:00.000Z';
const STAMP = { at: AT, actor: 'alice' };
const LATER = { at: '2025-06-02T08:00:00.000Z', actor: 'bob' };

const record = newRecord;

/** Everything migration 4 added, as a store reads it. */
async function snapshot(store: Store) {
  return store.read(async (tx) => {
    const series = [...(await tx.series.list(1)), ...(await tx.series.list(2))];
    const records = await tx.records.search({ companyId: 1, limit: 100 });
    const versions = [];
    // One after the other: a transaction is one connection.
    for (const s of series) versions.push(await tx.series.versions(s.id));
    return {
      series,
      versions,
      records,
      byLot: (await tx.records.search({ companyId: 1, lot: 'LOT-7', limit: 100 })).map((r) => r.id),
      templates: [await tx.labelTemplates.list(1), await tx.labelTemplates.list(2)],
    };
  });
}

describe('copySqliteToPostgres', () => {
  let dir: string;
  let remove: () => void;
  let schema: string;

  beforeEach(() => {
    ({ dir, remove } = temporaryDirectory());
    schema = uniqueSchema('copy');
  });

  afterEach(async () => {
    remove();
    await dropSchema(schema);
  });

  it('copies GS1 series with their wrapped keys, record lots, expiries and prints, and label templates, ids and all', async () => {
    const path = join(dir, 'serialtrace.db');
    const source = SqliteStore.open({ path });
    await source.write(async (tx) => {
      await tx.access.insertCompany('second', AT);
      const gtin = await tx.series.insert(1, seriesSettings('Gtin', { gtin: '09506000134352', companyPrefix: '9506000', randomized: true }), STAMP);
      await tx.series.saveKey(gtin.id, 'wrapped-key-1');
      await tx.series.insert(1, seriesSettings('Sscc', { sscc: true, companyPrefix: '0614141', extensionDigit: 3 }), STAMP);
      const plain = await tx.series.insert(2, seriesSettings('Plain'), STAMP);
      await tx.series.update(plain, seriesSettings('Plain', { description: 'second version' }), LATER);
      const ids = await tx.records.insert([
        record(gtin, '1001', { lot: 'LOT-7', expiry: '2027-03-00' }),
        record(gtin, '1002', { lot: 'LOT-7', expiry: '2027-03-31' }),
        record(gtin, '1003', { lot: 'LOT-8' }),
        record(gtin, '1004'),
      ]);
      await tx.records.countLabelPrint(ids[0]!, LATER.at);
      await tx.records.countLabelPrint(ids[0]!, LATER.at);
      await tx.records.countLabelPrint(ids[2]!, LATER.at);
      await tx.labelTemplates.save(1, 'Carton', '{"v":1}', STAMP);
      await tx.labelTemplates.save(1, 'Carton', '{"v":2}', LATER);
      await tx.labelTemplates.save(1, 'Box', '{"box":true}', STAMP);
      await tx.labelTemplates.save(2, 'Carton', '{"theirs":true}', LATER);
      await tx.labelTemplates.delete(1, 'Box');
      await tx.labelTemplates.save(1, 'Pallet', '{"pallet":true}', STAMP);
    });
    const before = await snapshot(source);
    await source.close();
    expect(before.records.map((r) => r.labelPrints)).toEqual([0, 1, 0, 2]);
    expect(before.byLot).toHaveLength(2);

    const report = await copySqliteToPostgres(path, { url: TEST_DATABASE_URL, schema });
    expect(report.tables).toEqual(expect.arrayContaining([{ name: 'label_templates', rows: 3 }, { name: 'records', rows: 4 }, { name: 'series', rows: 3 }]));

    const target = PgStore.open({ url: TEST_DATABASE_URL, schema });
    try {
      const after = await snapshot(target);
      expect(after).toEqual(before);
      expect(after.series.find((s) => s.settings.name === 'Gtin')?.wrappedKey).toBe('wrapped-key-1');
      expect(after.series.find((s) => s.settings.name === 'Sscc')?.settings).toMatchObject({ sscc: true, extensionDigit: 3, randomized: false });
      // The copied rows go on as they were: counts continue, and a new template takes a new id.
      const first = before.records.at(-1)!;
      expect(await target.write((tx) => tx.records.countLabelPrint(first.id, '2025-06-03T00:00:00.000Z'))).toBe(3);
      const carton = await target.write((tx) => tx.labelTemplates.save(1, 'Carton', '{"v":3}', LATER));
      expect(carton).toMatchObject({ id: before.templates[0]!.find((t) => t.name === 'Carton')!.id, version: 3, createdAt: AT });
      const fresh = await target.write((tx) => tx.labelTemplates.save(1, 'New', '{}', LATER));
      expect([...before.templates[0]!, ...before.templates[1]!].map((t) => t.id)).not.toContain(fresh.id);
    } finally {
      await target.close();
    }
  });
  it('copies scripts with every version and their runs, JSON and all, ids and all', async () => {
    const path = join(dir, 'serialtrace.db');
    const source = SqliteStore.open({ path });
    const run = (scriptId: number, overrides: Partial<NewScriptRun> = {}): NewScriptRun => ({
      companyId: 1,
      scriptId,
      version: 1,
      actor: 'alice',
      station: 'ST-1',
      input: { serials: ['SN-1'], nested: { ok: true, text: 'ünïcödé ✓ "q" \\' } },
      status: 'succeeded',
      output: [1, { two: 2 }],
      error: null,
      logs: ['one', { level: 'warn', message: 'two' }],
      apiCalls: 3,
      durationMs: 17,
      startedAt: AT,
      auditId: 4,
      ...overrides,
    });
    await source.write(async (tx) => {
      await tx.access.insertCompany('second', AT);
      const hello = await tx.scripts.save(1, 'Hello', 'export function main() { return 1; }', 'first', STAMP);
      await tx.scripts.save(1, 'Hello', 'export function main() { return 2; }', 'second', { ...LATER, reason: 'fix' });
      const theirs = await tx.scripts.save(2, 'Hello', 'export function main() { return 0; }', '', LATER);
      await tx.scripts.insertRun(run(hello.id));
      await tx.scripts.insertRun(run(hello.id, { version: 2, status: 'failed', output: null, error: { code: 'E', message: 'no', details: { at: 1 } }, auditId: null }));
      await tx.scripts.insertRun(run(theirs.id, { companyId: 2, station: null, input: null, logs: [] }));
    });
    const read = (store: Store) =>
      store.read(async (tx) => {
        const scripts = [...(await tx.scripts.list(1)), ...(await tx.scripts.list(2))];
        const versions = [];
        for (const script of scripts) versions.push(await tx.scripts.versions(script.id));
        const runs = [...(await tx.scripts.listRuns({ companyId: 1, limit: 100 })), ...(await tx.scripts.listRuns({ companyId: 2, limit: 100 }))];
        return { scripts, versions, runs };
      });
    const before = await read(source);
    await source.close();
    expect(before.versions.map((v) => v.length)).toEqual([2, 1]);
    expect(before.runs).toHaveLength(3);

    const report = await copySqliteToPostgres(path, { url: TEST_DATABASE_URL, schema });
    expect(report.tables).toEqual(
      expect.arrayContaining([
        { name: 'scripts', rows: 2 },
        { name: 'script_versions', rows: 3 },
        { name: 'script_runs', rows: 3 },
      ]),
    );

    const target = PgStore.open({ url: TEST_DATABASE_URL, schema });
    try {
      expect(await read(target)).toEqual(before);
      // The copied scripts go on: the next save is version 3, the next run takes a new id.
      const hello = before.scripts[0]!;
      const saved = await target.write((tx) => tx.scripts.save(1, 'Hello', 'export function main() { return 3; }', 'third', LATER));
      expect(saved).toMatchObject({ id: hello.id, version: 3, createdAt: AT });
      expect((await target.read((tx) => tx.scripts.versions(hello.id))).map((v) => v.version)).toEqual([1, 2, 3]);
      const fresh = await target.write((tx) => tx.scripts.insertRun(run(hello.id, { version: 3 })));
      expect(before.runs.map((r) => r.id)).not.toContain(fresh);
      const another = await target.write((tx) => tx.scripts.save(1, 'Another', '', '', LATER));
      expect(before.scripts.map((x) => x.id)).not.toContain(another.id);
    } finally {
      await target.close();
    }
  });

  it('copies EPCIS events with their identifiers and flags, and capture jobs, ids and all', async () => {
    const path = join(dir, 'serialtrace.db');
    const source = SqliteStore.open({ path });
    const dl = (serial: string) => `https://id.gs1.org/01/09506000134352/21/${serial}`;
    const event = (n: number, overrides: Partial<NewEpcisEvent> = {}): NewEpcisEvent => ({
      companyId: 1,
      eventId: `urn:uuid:${n}`,
      eventHash: `ni:///sha-256;${n}?ver=CBV2.0`,
      type: 'ObjectEvent',
      eventTime: `2025-06-01T08:00:0${n}.000Z`,
      eventTimeZoneOffset: '+02:00',
      recordTime: AT,
      action: 'ADD',
      bizStep: 'https://ref.gs1.org/cbv/BizStep-commissioning',
      disposition: null,
      readPoint: 'https://id.gs1.org/414/9506000000017',
      bizLocation: null,
      errorDeclared: false,
      captureId: null,
      document: JSON.stringify({ n, text: 'ünïcödé ✓ "q" \\' }),
      identifiers: [{ role: 'epc', identifier: dl(String(n)) }],
      ...overrides,
    });
    const capture = await source.write(async (tx) => {
      const job = await tx.epcis.createCapture(1, 'proceed', 2, STAMP);
      await tx.epcis.insertEvents([event(1, { captureId: job.id }), event(2, { captureId: job.id, errorDeclared: true, identifiers: [{ role: 'parent', identifier: dl('P') }, { role: 'child', identifier: dl('1') }] })]);
      await tx.epcis.finishCapture(job.id, { state: 'success', capturedCount: 2, errors: null, at: LATER.at });
      await tx.epcis.insertEvents([event(3)]);
      return job;
    });
    const read = (store: Store) =>
      store.read(async (tx) => ({
        events: await tx.epcis.find({ companyId: 1, orderBy: 'eventTime', direction: 'asc', limit: 100 }),
        ofOne: (await tx.epcis.find({ companyId: 1, identifiers: [{ roles: ['epc', 'child'], values: [dl('1')] }], orderBy: 'eventTime', direction: 'asc', limit: 100 })).map((e) => e.id),
        declared: (await tx.epcis.find({ companyId: 1, errorDeclared: true, orderBy: 'eventTime', direction: 'asc', limit: 100 })).map((e) => e.id),
        capture: await tx.epcis.findCapture(1, capture.id),
      }));
    const before = await read(source);
    await source.close();
    expect(before.events).toHaveLength(3);
    expect(before.ofOne).toHaveLength(2);
    expect(before.declared).toHaveLength(1);

    const report = await copySqliteToPostgres(path, { url: TEST_DATABASE_URL, schema });
    expect(report.tables).toEqual(
      expect.arrayContaining([
        { name: 'epcis_captures', rows: 1 },
        { name: 'epcis_events', rows: 3 },
        { name: 'epcis_event_identifiers', rows: 4 },
      ]),
    );

    const target = PgStore.open({ url: TEST_DATABASE_URL, schema });
    try {
      expect(await read(target)).toEqual(before);
      // New events and captures take new ids.
      const [fresh] = await target.write((tx) => tx.epcis.insertEvents([event(4)]));
      expect(before.events.map((e) => e.id)).not.toContain(fresh);
      expect((await target.write((tx) => tx.epcis.createCapture(1, 'rollback', 1, LATER))).id).not.toBe(capture.id);
    } finally {
      await target.close();
    }
  });
});
