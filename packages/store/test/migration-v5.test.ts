import { describe, expect, it } from 'vitest';
import type { Store } from '@serialtrace/store';
import { MIGRATED_AT as AT, useOldDatabases } from './migration-harness.js';

/*
 * A database a release with schema version 4 wrote, opened by this one: migration 5 adds stored
 * scripts, their versions and their runs, and the rows already there read back unchanged, on both
 * engines.
 */

const LATER = { at: '2025-06-02T08:00:00.000Z', actor: 'bob', reason: 'second try' };

/** Rows version 4 wrote: a label template with a history of its own. */
function version4Rows(): string[] {
  return [
    `INSERT INTO label_templates (id, company_id, name, definition, version, created_at, created_by, updated_at, updated_by)
     VALUES (3, 1, 'Carton', '{"v":2}', 2, '${AT}', 'alice', '${AT}', 'alice')`,
  ];
}

/** What the store reads from the upgraded database, and that everything migration 5 added works on it. */
async function checkUpgraded(store: Store): Promise<void> {
  expect(await store.read((tx) => tx.labelTemplates.find(1, 'Carton'))).toMatchObject({ id: 3, version: 2, definition: '{"v":2}' });
  await store.read(async (tx) => {
    expect(await tx.scripts.list(1)).toEqual([]);
    expect(await tx.scripts.listRuns({ companyId: 1, limit: 10 })).toEqual([]);
  });

  const first = await store.write((tx) => tx.scripts.save(1, 'Hello', 'export function main() { return 1; }', 'greets', { at: AT, actor: 'alice' }));
  expect(first).toMatchObject({ version: 1, createdAt: AT });
  const second = await store.write((tx) => tx.scripts.save(1, 'Hello', 'export function main() { return 2; }', 'greets', LATER));
  expect(second).toMatchObject({ id: first.id, version: 2, createdAt: AT, updatedAt: LATER.at, updatedBy: 'bob' });
  const runId = await store.write((tx) =>
    tx.scripts.insertRun({
      companyId: 1,
      scriptId: first.id,
      version: 2,
      actor: 'bob',
      station: null,
      input: { a: [1, 2] },
      status: 'succeeded',
      output: 2,
      error: null,
      logs: ['hi'],
      apiCalls: 0,
      durationMs: 3,
      startedAt: LATER.at,
      auditId: null,
    }),
  );
  await store.read(async (tx) => {
    expect((await tx.scripts.versions(first.id)).map((v) => [v.version, v.changedBy, v.reason])).toEqual([
      [1, 'alice', null],
      [2, 'bob', 'second try'],
    ]);
    expect(await tx.scripts.findRun(1, runId)).toMatchObject({ id: runId, scriptName: 'Hello', version: 2, input: { a: [1, 2] }, output: 2, logs: ['hi'] });
  });
  expect(await store.write((tx) => tx.labelTemplates.save(1, 'Carton', '{"v":3}', LATER))).toMatchObject({ id: 3, version: 3 });
}

describe('migration 5 on a database of version 4', () => {
  const old = useOldDatabases();

  it('upgrades a SQLite file, keeping its rows and adding scripts, their versions and runs', async () => {
    await checkUpgraded(old.sqlite(4, version4Rows));
  });

  it('upgrades a PostgreSQL schema, keeping its rows and adding scripts, their versions and runs', async () => {
    const store = await old.postgres(4, version4Rows, (client) =>
      client.query(`SELECT setval(pg_get_serial_sequence('label_templates', 'id'), (SELECT MAX(id) FROM label_templates))`),
    );
    await checkUpgraded(store);
  });
});
