import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL the e2e tier runs servers against: the machine's own, as for the store's tests.
 * Each test takes a schema of its own in it, so runs in parallel never see each other's rows.
 */
export const TEST_DATABASE_URL = process.env['SERIALTRACE_TEST_DATABASE_URL'] ?? 'postgres://root@127.0.0.1:5432/test';

/** A schema name no other test uses, e.g. `e2e_multi_3f9a1c2b7d0e`. */
export function uniqueSchema(prefix = 'e2e'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/**
 * Runs `work` on a plain connection of its own, outside any server: what an auditor with a SQL
 * prompt would see. Only for reading what the servers committed, never for changing it.
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
