export type { Store, StoreTransaction } from './store-port.js';
export type * from './store-types.js';
export type * from './access-types.js';
export {
  SqliteStore,
  DEFAULT_BUSY_TIMEOUT_MS,
  DEFAULT_MAX_GROUP_MS,
  DEFAULT_MAX_GROUP_UNITS,
  type SqliteStoreOptions,
} from './sqlite/sqlite-store.js';
export { MIGRATIONS, LATEST_SCHEMA_VERSION } from './schema/migrations.js';
export type * from './schema/schema-description.js';
export {
  PgStore,
  DEFAULT_POOL_SIZE,
  DEFAULT_STATEMENT_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  redactUrl,
  type PgStoreOptions,
} from './postgres/pg-store.js';
export { openStore, type StoreLocation } from './open-store.js';
export { copySqliteToPostgres, type CopyReport } from './copy/sqlite-to-postgres.js';
