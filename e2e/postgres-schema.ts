import { uniqueSchema as schemaNamed } from '../packages/store/test/pg-harness.js';

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
