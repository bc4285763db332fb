import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PgStore, SqliteStore, type Store } from '@serialtrace/store';

const PG_URL = process.env['SERIALTRACE_TEST_DATABASE_URL'] ?? 'postgres://root@127.0.0.1:5432/test';

/** Both storage engines, for service tests that must hold on each: a fresh database per `open`. */
export interface Engine {
  readonly name: string;
  /** `stores` gives the store of each new server; `cleanup` closes them all and removes the database. */
  open(): { stores: () => Store; cleanup: () => Promise<void> };
}

export const ENGINES: readonly Engine[] = [
  {
    name: 'sqlite',
    open() {
      // Servers share one store: two SQLite writers in one process would wait on each other's
      // lock with the event loop blocked (separate processes are the e2e tests' business).
      const dir = mkdtempSync(join(tmpdir(), 'serialtrace-leased-'));
      const store = SqliteStore.open({ path: join(dir, 'serialtrace.db') });
      return {
        stores: () => store,
        cleanup: async () => {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    open() {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      const opened: Store[] = [];
      return {
        stores: () => {
          const store = PgStore.open({ url: PG_URL, schema, poolSize: 4 });
          opened.push(store);
          return store;
        },
        cleanup: async () => {
          for (const store of opened) await store.close();
          const client = new pg.Client(PG_URL);
          await client.connect();
          await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          await client.end();
        },
      };
    },
  },
];

