import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { can, type SerialtraceError } from '@serialtrace/core';
import { createSerialtrace, type Caller, type Serialtrace } from '@serialtrace/service';
import { SqliteStore } from '@serialtrace/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, refused, snapshot } from './harness.js';
import Database from 'better-sqlite3';

/** Scripts through the service: versions, runs as one transaction, the APIs inside, limits. */

const caller: Caller = { companyId: 1, actor: 'user:jane', station: 'PACK-2' };
let dir: string;
let path: string;
let store: SqliteStore;
let app: Serialtrace;
let raw: Database.Database;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'serialtrace-scripts-'));
  path = join(dir, 'serialtrace.db');
  store = SqliteStore.open({ path });
  app = createSerialtrace({ store, clock: new ManualClock('2025-06-15T10:00:00Z'), defaultTimeZone: 'UTC', scriptLimits: { timeMs: 60_000 } });
  await app.series.create(caller, { name: 'Widgets', format: 'W-{######}' });
  await app.series.create(caller, { name: 'Drug A', format: 'A{#######}', gtin: '09520123456788' });
  raw = new Database(path, { readonly: true });
});
afterAll(async () => {
  raw.close();
  app.dispose();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const recordCount = () => (raw.prepare('SELECT COUNT(*) AS n FROM records').get() as { n: number }).n;

describe('scripts', () => {
  // The flow of docs/scripts.md at 2.5 times its 100: hundreds of host calls in one run and one
  // transaction. Its speed at 1,000 and beyond is the scripts benchmark's (bench/scripts.ts) to measure.
  it('the example flow: 250 serials for a work order, a label for each, each marked printed, in one run', async () => {
    await app.scripts.save(caller, 'label-work-order', {
      description: 'Issue a work order, print its labels, mark them printed',
      source: `
        function main(context) {
          const serials = manufacturing.generateSerials('Drug A', context.quantity, { workOrder: context.workOrder, lot: context.lot, expiry: '2027-03-31' });
          let bytes = 0;
          for (const serial of serials) {
            const label = documents.generate('gs1-product', { serial, format: 'zpl' });
            bytes += label.size;
            manufacturing.updateRecordStatus(serial, 'printed', { labelBytes: label.size });
          }
          const records = manufacturing.getRecordsByWorkOrder(context.workOrder);
          console.log('printed', serials.length, 'labels for', context.workOrder);
          return { count: records.length, printed: records.filter((r) => r.status === 'printed').length, first: serials[0], bytes };
        }`,
    });
    const before = recordCount();
    const { result, logs, runId } = await app.scripts.run(caller, 'label-work-order', { context: { workOrder: 'WO-250', quantity: 250, lot: 'L7' } });
    expect(result).toMatchObject({ count: 250, printed: 250, first: 'A0000001' });
    expect((result as { bytes: number }).bytes).toBeGreaterThan(250 * 200);
    expect(logs).toEqual([{ level: 'log', message: 'printed 250 labels for WO-250', at: expect.any(Number) }]);
    expect(recordCount()).toBe(before + 250);
    const record = await app.records.get(caller, 'A0000125');
    expect(record).toMatchObject({ status: 'printed', workOrder: 'WO-250', lot: 'L7' });
    // The script is the actor of what it did; the run itself is audited under whoever ran it.
    expect(record.audit.map((e) => [e.action, e.actor])).toEqual([
      ['serials.generated', 'script:label-work-order'],
      ['record.status_changed', 'script:label-work-order'],
    ]);
    const run = await app.scripts.getRun(caller, runId);
    expect(run).toMatchObject({ script: 'label-work-order', version: 1, actor: 'user:jane', station: 'PACK-2', status: 'succeeded', apiCalls: 502 });
    expect(run.context).toEqual({ workOrder: 'WO-250', quantity: 250, lot: 'L7' });
    const runs = (await app.audit.list(caller, { action: 'script.run' })).entries;
    expect(runs[0]).toMatchObject({ actor: 'user:jane', data: { script: 'label-work-order', run: runId } });
    expect((await app.audit.verify(caller)).valid).toBe(true);
  }, 120_000);

  it('undoes everything when main throws after generating, and records the failed run with its logs', async () => {
    await app.scripts.save(caller, 'half-done', {
      source: `function main() {
        const serials = manufacturing.generateSerials('Widgets', 5, { workOrder: 'WO-HALF' });
        manufacturing.updateRecordStatus(serials[0], 'printed');
        console.warn('about to fail');
        throw new Error('printer jammed');
      }`,
    });
    const before = snapshot(raw);
    const error = await refused(app.scripts.run(caller, 'half-done'), 'SCRIPT_FAILED');
    expect(error.message).toContain('printer jammed');
    expect(error.details).toMatchObject({ script: 'half-done', logs: [{ level: 'warn', message: 'about to fail' }] });
    const after = snapshot(raw);
    // Nothing of the run is left but its record and the audit entry saying it failed.
    expect({ ...after, audit: before.audit }).toEqual(before);
    expect(after.audit).toBe((before.audit as number) + 1);
    expect(await app.records.byWorkOrder(caller, 'WO-HALF')).toEqual([]);
    const [run] = (await app.scripts.runs(caller, 'half-done')).runs;
    expect(run).toMatchObject({ status: 'failed', error: { code: 'SCRIPT_FAILED' }, logs: [{ message: 'about to fail' }] });
    expect(run!.id).toBe(error.details['runId']);
    // The next value is the one the failed run took back.
    expect((await app.generation.generate(caller, 'Widgets')).serials).toEqual(['W-000001']);
  });

  it('raises the API\'s own errors inside the script, where they can be caught by code', async () => {
    await app.scripts.save(caller, 'careful', {
      source: `function main() {
        try { manufacturing.generateSerial('Nope'); } catch (e) { return { caught: e.code, series: e.details.series }; }
      }`,
    });
    expect((await app.scripts.run(caller, 'careful')).result).toEqual({ caught: 'SERIES_NOT_FOUND', series: 'Nope' });
    await app.scripts.save(caller, 'careless', { source: `function main() { manufacturing.updateRecordStatus('W-000001', 'generated'); }` });
    const error = await refused(app.scripts.run(caller, 'careless'), 'STATUS_TRANSITION_INVALID');
    expect(error.details).toMatchObject({ script: 'careless', from: 'generated', to: 'generated' });
  });

  it('keeps the record of a failed run small whatever the script passed to the call that failed', async () => {
    await app.scripts.save(caller, 'huge-serial', { source: `function main() { manufacturing.getRecordBySerial('x'.repeat(1e6)); }` });
    const error = await refused(app.scripts.run(caller, 'huge-serial'), 'RECORD_NOT_FOUND');
    expect((error.details['serial'] as string).length).toBeLessThanOrEqual(2_001);
    expect(error.message.length).toBeLessThan(3_000);
    const run = await app.scripts.getRun(caller, error.details['runId'] as number);
    expect(run.error).toMatchObject({ code: 'RECORD_NOT_FOUND' });
    expect(JSON.stringify(run.error).length).toBeLessThan(10_000);
  });

  it('sees only its own company: another company\'s serials, series and scripts do not exist for it', async () => {
    const other = await app.store.write((tx) => tx.access.insertCompany('Other Co', '2025-06-15T10:00:00.000Z'));
    const outsider: Caller = { companyId: other.id, actor: 'user:eve' };
    await app.scripts.save(outsider, 'peek', {
      source: `function main() {
        const tries = [() => manufacturing.getRecordBySerial('W-000001'), () => manufacturing.generateSerial('Widgets'), () => manufacturing.getRecordsByWorkOrder('WO-250')];
        return tries.map((t) => { try { const r = t(); return Array.isArray(r) ? r.length : r; } catch (e) { return e.code; } });
      }`,
    });
    expect((await app.scripts.run(outsider, 'peek')).result).toEqual(['RECORD_NOT_FOUND', 'SERIES_NOT_FOUND', 0]);
    await refused(app.scripts.run(caller, 'peek'), 'SCRIPT_NOT_FOUND');
  });

  it('checks the permissions of whoever runs it', async () => {
    await app.scripts.save(caller, 'issue-one', { source: `function main() { return manufacturing.generateSerial('Widgets'); }` });
    const engineer = (permission: Parameters<typeof can>[1]) => can('engineer', permission);
    const error = await refused(app.scripts.run(caller, 'issue-one', { can: engineer }), 'FORBIDDEN');
    expect(error.details).toMatchObject({ permission: 'serials.generate' });
    const operator = (permission: Parameters<typeof can>[1]) => can('operator', permission);
    expect((await app.scripts.run(caller, 'issue-one', { can: operator })).result).toMatch(/^W-\d{6}$/);
  });

  it('refuses a script that does not compile or has no main, saving nothing, and keeps every version', async () => {
    const error = await refused(app.scripts.save(caller, 'broken', { source: 'function main( {' }), 'SCRIPT_INVALID');
    expect(error.details['line']).toBe(1);
    await refused(app.scripts.save(caller, 'no-main', { source: 'const x = 1;' }), 'SCRIPT_INVALID');
    await refused(app.scripts.get(caller, 'broken'), 'SCRIPT_NOT_FOUND');
    await app.scripts.save(caller, 'versions', { source: 'function main() { return 1; }' });
    const second = await app.scripts.save({ ...caller, actor: 'user:bob', reason: 'return two' }, 'versions', { source: 'function main() { return 2; }' });
    expect(second).toMatchObject({ version: 2, createdBy: 'user:jane', updatedBy: 'user:bob' });
    expect((await app.scripts.versions(caller, 'versions')).map((v) => [v.version, v.changedBy, v.reason])).toEqual([
      [1, 'user:jane', null],
      [2, 'user:bob', 'return two'],
    ]);
    expect((await app.scripts.run(caller, 'versions')).result).toBe(2);
    expect((await app.scripts.list(caller)).map((s) => s.name)).toContain('versions');
  });

  it('ends runaway scripts with their limit, undoes them, and keeps the server usable', async () => {
    const limited = createSerialtrace({
      store,
      clock: new ManualClock('2025-06-15T10:00:00Z'),
      defaultTimeZone: 'UTC',
      scriptLimits: { timeMs: 1000, apiCalls: 5 },
    });
    try {
      await limited.scripts.save(caller, 'loop', { source: `function main() { manufacturing.generateSerial('Widgets'); while (true) {} }` });
      const before = recordCount();
      const timeout: SerialtraceError = await refused(limited.scripts.run(caller, 'loop'), 'SCRIPT_TIMEOUT');
      expect(timeout.details).toMatchObject({ limitMs: 1000 });
      expect(recordCount()).toBe(before);
      await limited.scripts.save(caller, 'chatty', { source: `function main() { for (let i = 0; i < 10; i++) { try { manufacturing.getRecordBySerial('W-000001'); } catch (e) {} } }` });
      await refused(limited.scripts.run(caller, 'chatty'), 'SCRIPT_API_LIMIT');
      // Memory runs out within a second here; the long time limit keeps a loaded machine from
      // ending the run by time first.
      const roomy = createSerialtrace({ store, defaultTimeZone: 'UTC', scriptLimits: { timeMs: 30_000, memoryBytes: 8 * 1024 * 1024 } });
      try {
        await roomy.scripts.save(caller, 'greedy', { source: `function main() { const a = []; for (let i = 0; ; i++) a.push([i, i, i, i, i, i, i, i, i, i, i, i, i, i, i, i]); }` });
        await refused(roomy.scripts.run(caller, 'greedy'), 'SCRIPT_MEMORY_EXCEEDED');
      } finally {
        roomy.dispose();
      }
      await limited.scripts.save(caller, 'ok', { source: `function main(c) { return c; }` });
      expect((await limited.scripts.run(caller, 'ok', { context: { still: 'fine' } })).result).toEqual({ still: 'fine' });
      expect((await app.generation.generate(caller, 'Widgets')).serials).toHaveLength(1);
    } finally {
      limited.dispose();
    }
  });
});

describe('a run and the other writers', () => {
  /** A service whose runs last at most `timeMs`, over the same file. */
  const limitedTo = (timeMs: number) => createSerialtrace({ store, clock: new ManualClock('2025-06-15T10:00:00Z'), defaultTimeZone: 'UTC', scriptLimits: { timeMs } });
  const settledAt = (promise: Promise<unknown>) =>
    promise.then(
      () => performance.now(),
      () => performance.now(),
    );

  it('holds no transaction while the script has not touched the store: other writers go on', async () => {
    const limited = limitedTo(1_500);
    try {
      await limited.scripts.save(caller, 'spin', { source: 'function main() { while (true) {} }' });
      const run = settledAt(limited.scripts.run(caller, 'spin'));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const started = performance.now();
      const written = await settledAt(app.generation.generate(caller, 'Widgets'));
      expect(written - started).toBeLessThan(1_000);
      expect(written).toBeLessThan(await run);
      // The run that timed out is recorded all the same.
      expect((await limited.scripts.runs(caller, 'spin')).runs[0]).toMatchObject({ status: 'failed', error: { code: 'SCRIPT_TIMEOUT' } });
    } finally {
      limited.dispose();
    }
  });

  it('awaits a call to the store under way when the run runs out of time, then undoes it all', async () => {
    const limited = limitedTo(150);
    try {
      // Each call issues 10,000 serials, about as long as the limit: the limit falls inside one.
      await limited.scripts.save(caller, 'big-batches', { source: "function main() { for (;;) manufacturing.generateSerials('Widgets', 10000); }" });
      const before = recordCount();
      await refused(limited.scripts.run(caller, 'big-batches'), 'SCRIPT_TIMEOUT');
      expect(recordCount()).toBe(before);
      expect((await app.generation.generate(caller, 'Widgets')).serials).toHaveLength(1);
      expect(recordCount()).toBe(before + 1);
    } finally {
      limited.dispose();
    }
  });

  it('keeps its transaction from its first call to its end, and a writer waits for it at most its limit', async () => {
    const limited = limitedTo(1_500);
    try {
      await limited.scripts.save(caller, 'issue-then-spin', { source: "function main() { manufacturing.generateSerial('Widgets'); while (true) {} }" });
      const before = recordCount();
      const started = performance.now();
      const run = settledAt(limited.scripts.run(caller, 'issue-then-spin'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const written = await settledAt(app.generation.generate(caller, 'Widgets'));
      // The writer waited for the run's transaction to end, and no longer.
      expect(written - started).toBeGreaterThan(1_000);
      expect(written - started).toBeLessThan(1_500 + 1_000);
      await run;
      expect(recordCount()).toBe(before + 1);
    } finally {
      limited.dispose();
    }
  });
});
