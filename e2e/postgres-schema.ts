import { uniqueSchema as schemaNamed, withPgClient } from '../packages/store/test/pg-harness.js';

/**
 * The PostgreSQL the e2e tier runs servers against: the machine's own, as for every tier. Each
 * test takes a schema of its own in it, so runs in parallel never see each other's rows. The
 * helpers are the store tests' (one copy for every tier).
 */
export { dropSchema, TEST_DATABASE_URL, withPgClient } from '../packages/store/test/pg-harness.js';

/** A schema name no other test uses, e.g. `e2e_multi_3f9a1c2b7d0e`. */
export function uniqueSchema(prefix = 'e2e'): string {
  return schemaNamed(prefix);
}

/**
 * Waits until every journal event committed so far is sealed (placed in commit order and in its
 * company's chain). Servers seal right after each commit, in the background, and a server that
 * died between a commit and its seal leaves the rest to the others' sweep: a test reading the
 * tables straight after the last answer waits for that, as the API's readers do.
 */
export async function journalSealed(schema: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const waiting = await withPgClient(schema, async (client) => Number((await client.query<{ n: string }>('SELECT COUNT(*) AS n FROM journal WHERE position IS NULL')).rows[0]!.n));
    if (waiting === 0) return;
    if (Date.now() > deadline) throw new Error(`${waiting} journal events were still unsealed after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
