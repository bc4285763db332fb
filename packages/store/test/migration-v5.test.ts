import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, PgStore, SqliteStore, type Store } from '@serialtrace/store';
import { PgSchemaCompiler } from '../src/postgres/pg-schema-compiler.js';
import type { SchemaCompiler } from '../src/schema/schema-description.js';
import { SqliteSchemaCompiler } from '../src/sqlite/sqlite-schema-compiler.js';
import { dropSchema, uniqueSchema, withPgClient, TEST_DATABASE_URL } from './pg-harness.js';
import { temporaryDirectory } from './sqlite-harness.js';

/*
 * A database a release with schema version 4 wrote, opened by this one: migration 5 adds stored
 * scripts, their versions and their runs, and the rows already there read back unchanged, on both
 * engines.
 */

const AT = '2025-06-01T08:00:00.000Z';
const LATER = { at: '2025-06-02T08:00:00.000Z', actor: 'bob', reason: 'second try' };

/** The DDL of migrations 1-4 and their ledger rows, as version 4 left a database. */
function version4(compiler: SchemaCompiler): string[] {
  const statements = ['CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)'];
  for (const migration of MIGRATIONS.filter((m) => m.version <= 4)) {
    for (const step of migration.steps) statements.push(...compiler.compile(step));
    statements.push(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${migration.version}, '${migration.name}', '${AT}')`);
  }
  return statements;
}

/** Rows version 4 wrote: a label template with a history of its own. */
function version4Rows(): string[] {
  return [
    `INSERT INTO label_templates (id, company_id, name, definition, version, created_at, created_by, updated_at, updated_by)
     VALUES (3, 1, 'Carton', '{"v":2}', 2, '${AT}', 'alice', '${AT}', 'alice')`,
  ];
}

/** What the store reads from the upgraded database, and that everything migration 5 added works on it. */
async function checkUpgraded(store: Store): Promise<void> {
  expect(await store.read((tx) => tx.findLabelTemplate(1, 'Carton'))).toMatchObject({ id: 3, version: 2, definition: '{"v":2}' });
  await store.read(async (tx) => {
    expect(await tx.listScripts(1)).toEqual([]);
    expect(await tx.listScriptRuns({ companyId: 1, limit: 10 })).toEqual([]);
  });

  const first = await store.write((tx) => tx.saveScript(1, 'Hello', 'export function main() { return 1; }', 'greets', { at: AT, actor: 'alice' }));
  expect(first).toMatchObject({ version: 1, createdAt: AT });
  const second = await store.write((tx) => tx.saveScript(1, 'Hello', 'export function main() { return 2; }', 'greets', LATER));
  expect(second).toMatchObject({ id: first.id, version: 2, createdAt: AT, updatedAt: LATER.at, updatedBy: 'bob' });
  const runId = await store.write((tx) =>
    tx.insertScriptRun({
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
      auditSeq: null,
    }),
  );
  await store.read(async (tx) => {
    expect((await tx.listScriptVersions(first.id)).map((v) => [v.version, v.changedBy, v.reason])).toEqual([
      [1, 'alice', null],
      [2, 'bob', 'second try'],
    ]);
    expect(await tx.findScriptRun(1, runId)).toMatchObject({ id: runId, scriptName: 'Hello', version: 2, input: { a: [1, 2] }, output: 2, logs: ['hi'] });
  });
  expect(await store.write((tx) => tx.saveLabelTemplate(1, 'Carton', '{"v":3}', LATER))).toMatchObject({ id: 3, version: 3 });
}

describe('migration 5 on a database of version 4', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('upgrades a SQLite file, keeping its rows and adding scripts, their versions and runs', async () => {
    const { dir, remove } = temporaryDirectory();
    cleanups.push(remove);
    const path = join(dir, 'v4.db');
    const db = new Database(path);
    for (const sql of [...version4(new SqliteSchemaCompiler()), ...version4Rows()]) db.exec(sql);
    db.close();

    const store = SqliteStore.open({ path });
    cleanups.push(() => store.close());
    expect(store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
    expect(LATEST_SCHEMA_VERSION).toBeGreaterThanOrEqual(5);
    await checkUpgraded(store);
  });

  it('upgrades a PostgreSQL schema, keeping its rows and adding scripts, their versions and runs', async () => {
    const schema = uniqueSchema('v4');
    cleanups.push(() => dropSchema(schema));
    await withPgClient('public', (client) => client.query(`CREATE SCHEMA ${schema}`));
    await withPgClient(schema, async (client) => {
      for (const sql of [...version4(new PgSchemaCompiler()), ...version4Rows()]) await client.query(sql);
      await client.query(`SELECT setval(pg_get_serial_sequence('label_templates', 'id'), (SELECT MAX(id) FROM label_templates))`);
    });

    const store = PgStore.open({ url: TEST_DATABASE_URL, schema });
    cleanups.push(() => store.close());
    await store.ping();
    const versions = await withPgClient(schema, async (client) => (await client.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version')).rows);
    expect(versions.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
    await checkUpgraded(store);
  });
});
