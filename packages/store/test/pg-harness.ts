import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PgStore, type PgStoreOptions } from '@serialtrace/store';
import type { StoreFactory, StoreHarness } from './store-harness.js';

/** The PostgreSQL every test tier uses: the machine's own, as CI starts it (see `.ci/run`). */
export const TEST_DATABASE_URL = process.env['SERIALTRACE_TEST_DATABASE_URL'] ?? 'postgres://root@127.0.0.1:5432/test';

/** A schema name no other test uses. */
export function uniqueSchema(prefix = 't'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/**
 * Runs `work` on a plain connection outside any store: what another tool, server or an auditor
 * with a SQL prompt would see.
 */
export async function withPgClient<T>(schema: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await withPgClient('public', (client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

/** PostgreSQL on a schema of its own in the test database, dropped on dispose. */
export const postgresFactory: StoreFactory = {
  name: 'postgres',
  async create(): Promise<StoreHarness> {
    const schema = uniqueSchema();
    const options: PgStoreOptions = { url: TEST_DATABASE_URL, schema, poolSize: 4 };
    let store = PgStore.open(options);
    await store.ping();
    return {
      get store() {
        return store;
      },
      async reopen() {
        await store.close();
        store = PgStore.open(options);
        return store;
      },
      async appliedMigrations() {
        return withPgClient(schema, async (client) => {
          const result = await client.query<{ version: string; appliedAt: string }>(
            'SELECT version, applied_at AS "appliedAt" FROM schema_migrations ORDER BY version',
          );
          return result.rows.map((row) => ({ version: Number(row.version), appliedAt: row.appliedAt }));
        });
      },
      async addCompany(id, name) {
        await withPgClient(schema, (client) =>
          client.query('INSERT INTO companies (id, name, created_at) VALUES ($1, $2, $3)', [id, name, '2025-01-01T00:00:00.000Z']),
        );
      },
      async dispose() {
        await store.close();
        await dropSchema(schema);
      },
    };
  },
};
