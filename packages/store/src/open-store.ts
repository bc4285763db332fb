import { PgStore, type PgStoreOptions } from './postgres/pg-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store-port.js';

export interface StoreLocation {
  /** A `postgres://` URL; when given, it wins over {@link path}. */
  readonly databaseUrl?: string | undefined;
  /** The SQLite file used when there is no URL. */
  readonly path: string;
  /** PostgreSQL tuning (pool size, timeouts, schema). */
  readonly postgres?: Omit<PgStoreOptions, 'url'>;
}

/**
 * The store a server or the CLI runs on: PostgreSQL when a database URL is configured, else the
 * embedded SQLite file. Neither connects to PostgreSQL yet; the first unit of work does.
 *
 * @example openStore({ databaseUrl: process.env.SERIALTRACE_DATABASE_URL, path: 'serialtrace.db' })
 */
export function openStore(location: StoreLocation): Store {
  if (location.databaseUrl !== undefined && location.databaseUrl !== '') {
    return PgStore.open({ ...location.postgres, url: location.databaseUrl });
  }
  return SqliteStore.open({ path: location.path });
}
