import { join } from 'node:path';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { afterEach, expect } from 'vitest';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, PgStore, SqliteStore } from '@serialtrace/store';
import { PgSchemaCompiler } from '../src/postgres/pg-schema-compiler.js';
import type { SchemaCompiler } from '../src/schema/schema-description.js';
import { SqliteSchemaCompiler } from '../src/sqlite/sqlite-schema-compiler.js';
import { dropSchema, uniqueSchema, withPgClient, TEST_DATABASE_URL } from './pg-harness.js';
import { temporaryDirectory } from './sqlite-harness.js';

/**
 * Databases as an older release left them, for the upgrade tests: the DDL of the migrations up to
 * a version with their ledger rows, plus the rows that release wrote, opened by this release (which
 * migrates them forward). Each engine writes booleans its own way, so rows are given a `flag`.
 */

export const MIGRATED_AT = '2025-06-01T08:00:00.000Z';

/** How an engine writes a boolean literal. */
export type Flag = (value: boolean) => string;

/**
 * The row an older release wrote for series 7, 'Old', of company 1 (`SN-{SEQUENCE}`, numeric,
 * four digits, never reset), with the settings that differ between the upgrade tests.
 */
export function oldSeriesRow(
  flag: Flag,
  settings: { readonly description: string; readonly global: boolean; readonly allocation: 'gapless' | 'leased'; readonly leaseSize: number },
): string {
  return `INSERT INTO series (id, company_id, name, description, format, base, start_value, increment, min_length, reset_rule, time_zone,
       shift_starts, is_global, allow_growth, version, created_at, created_by, updated_at, updated_by, allocation, lease_size)
     VALUES (7, 1, 'Old', '${settings.description}', 'SN-{SEQUENCE}', 'numeric', '0', '1', 4, 'never', 'UTC', NULL, ${flag(settings.global)}, ${flag(false)}, 1,
       '${MIGRATED_AT}', 'alice', '${MIGRATED_AT}', 'alice', '${settings.allocation}', ${settings.leaseSize})`;
}

/** The DDL of migrations 1 to `version` and their ledger rows, as that release left a database. */
export function schemaAt(compiler: SchemaCompiler, version: number): string[] {
  const statements = ['CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)'];
  for (const migration of MIGRATIONS.filter((m) => m.version <= version)) {
    for (const step of migration.steps) statements.push(...compiler.compile(step));
    statements.push(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${migration.version}, '${migration.name}', '${MIGRATED_AT}')`);
  }
  return statements;
}

export interface OldDatabases {
  /** A SQLite file of `version` with `rows`, opened by this release (closed and removed after the test). */
  sqlite(version: number, rows: (flag: Flag) => readonly string[], options?: { readonly foreignKeys?: boolean }): SqliteStore;
  /**
   * A PostgreSQL schema of `version` with `rows` (and what `after` does on the same connection,
   * such as moving identity sequences past written ids), opened by this release, its ledger
   * checked to hold every migration (dropped after the test).
   */
  postgres(version: number, rows: (flag: Flag) => readonly string[], after?: (client: pg.Client) => Promise<unknown>): Promise<PgStore>;
}

/** Old databases for the file's tests, each removed after its test. */
export function useOldDatabases(): OldDatabases {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    sqlite(version, rows, options = {}) {
      const { dir, remove } = temporaryDirectory();
      cleanups.push(remove);
      const path = join(dir, `v${version}.db`);
      const db = new Database(path);
      if (options.foreignKeys === true) db.pragma('foreign_keys = ON');
      for (const sql of [...schemaAt(new SqliteSchemaCompiler(), version), ...rows((v) => (v ? '1' : '0'))]) db.exec(sql);
      db.close();
      const store = SqliteStore.open({ path });
      cleanups.push(() => store.close());
      expect(store.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
      return store;
    },
    async postgres(version, rows, after) {
      const schema = uniqueSchema(`v${version}`);
      cleanups.push(() => dropSchema(schema));
      await withPgClient('public', (client) => client.query(`CREATE SCHEMA ${schema}`));
      await withPgClient(schema, async (client) => {
        for (const sql of [...schemaAt(new PgSchemaCompiler(), version), ...rows((v) => (v ? 'TRUE' : 'FALSE'))]) await client.query(sql);
        await after?.(client);
      });
      const store = PgStore.open({ url: TEST_DATABASE_URL, schema });
      cleanups.push(() => store.close());
      await store.ping();
      const versions = await withPgClient(schema, async (client) => (await client.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version')).rows);
      expect(versions.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
      return store;
    },
  };
}
