import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore, type SqliteStoreOptions } from '@serialtrace/store';
import type { StoreFactory, StoreHarness } from './store-harness.js';

/** A temporary directory for one test's database files, and its removal. */
export function temporaryDirectory(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'serialtrace-store-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs `work` on a second, plain connection to the file: what another tool or process would see. */
export function withSideConnection<T>(path: string, work: (db: Database.Database) => T): T {
  const db = new Database(path, { fileMustExist: true });
  try {
    return work(db);
  } finally {
    db.close();
  }
}

/** SQLite on a file in a new temporary directory, as the embedded deployment runs it. */
export const sqliteFactory: StoreFactory = {
  name: 'sqlite',
  async create(): Promise<StoreHarness> {
    const { dir, remove } = temporaryDirectory();
    const options: SqliteStoreOptions = { path: join(dir, 'serialtrace.db') };
    let store = SqliteStore.open(options);
    return {
      get store() {
        return store;
      },
      async reopen() {
        await store.close();
        store = SqliteStore.open(options);
        return store;
      },
      async appliedMigrations() {
        return withSideConnection(options.path, (db) =>
          db.prepare('SELECT version, applied_at AS appliedAt FROM schema_migrations ORDER BY version').all() as {
            version: number;
            appliedAt: string;
          }[],
        );
      },
      async addCompany(id, name) {
        withSideConnection(options.path, (db) => {
          db.prepare('INSERT INTO companies (id, name, created_at) VALUES (?, ?, ?)').run(id, name, '2025-01-01T00:00:00.000Z');
        });
      },
      async dispose() {
        await store.close();
        remove();
      },
    };
  },
};
