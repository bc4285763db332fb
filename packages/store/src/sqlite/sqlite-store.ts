import { SerialtraceError } from '@serialtrace/core';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../schema/migrations.js';
import type { Store, StoreTransaction } from '../store-port.js';
import { isBusyError, openBetterSqlite, type SqliteConnection } from './sqlite-connection.js';
import { SqliteSchemaCompiler } from './sqlite-schema-compiler.js';
import { SqliteTransaction } from './sqlite-transaction.js';

export interface SqliteStoreOptions {
  /** A file path, or `:memory:` for a private database that vanishes on close. */
  readonly path: string;
  /** How long a writer waits for another process's lock before STORE_BUSY. Default 30 s. */
  readonly busyTimeoutMs?: number;
  /** Applies pending migrations on open (default). */
  readonly migrate?: boolean;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 30_000;

/**
 * The embedded store: one SQLite file in WAL mode with `synchronous=FULL`, so a commit is on disk
 * before it is acknowledged and survives a power loss. Several processes may share the file;
 * writers queue on SQLite's lock (BEGIN IMMEDIATE with a busy timeout), and inside one process
 * units of work run one after another on the connection.
 */
export class SqliteStore implements Store {
  readonly engine = 'sqlite';
  readonly location: string;
  readonly #db: SqliteConnection;
  readonly #tx: SqliteTransaction;
  readonly #busyTimeoutMs: number;
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(db: SqliteConnection, location: string, busyTimeoutMs: number) {
    this.#db = db;
    this.location = location;
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#tx = new SqliteTransaction(db);
  }

  static open(options: SqliteStoreOptions): SqliteStore {
    const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    let db: SqliteConnection;
    try {
      db = openBetterSqlite(options.path, { busyTimeoutMs });
    } catch (error) {
      throw new SerialtraceError('VALUE_INVALID', {
        field: 'db',
        reason: `cannot open database "${options.path}": ${(error as Error).message}`,
      });
    }
    try {
      const mode = String(db.pragma('journal_mode = WAL')).toLowerCase();
      if (mode !== 'wal' && options.path !== ':memory:') throw new Error(`the database refused WAL mode (${mode})`);
      // FULL syncs the WAL on every commit: an acknowledged serial survives a power loss, so a
      // rolled-back counter can never hand it out again.
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      const store = new SqliteStore(db, options.path, busyTimeoutMs);
      if (options.migrate !== false) store.#migrate();
      return store;
    } catch (error) {
      db.close();
      if (isBusyError(error)) throw new SerialtraceError('STORE_BUSY', { timeoutMs: busyTimeoutMs });
      throw error;
    }
  }

  /** The schema version the file is at (0 for a new file). */
  schemaVersion(): number {
    const exists = this.#db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    if (exists === undefined) return 0;
    const row = this.#db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null };
    return row.version ?? 0;
  }

  #migrate(): void {
    const compiler = new SqliteSchemaCompiler();
    // IMMEDIATE: two processes opening a new file at once migrate it once, one after the other.
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      this.#db.exec(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
      );
      const current = this.schemaVersion();
      if (current > LATEST_SCHEMA_VERSION) {
        throw new SerialtraceError('STORE_SCHEMA_NEWER', { found: current, known: LATEST_SCHEMA_VERSION });
      }
      const record = this.#db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
      for (const migration of MIGRATIONS) {
        if (migration.version <= current) continue;
        for (const step of migration.steps) for (const sql of compiler.compile(step)) this.#db.exec(sql);
        record.run(migration.version, migration.name, new Date().toISOString());
      }
      this.#db.exec('COMMIT');
    } catch (error) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  read<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return this.#exclusive(() => this.#transaction('BEGIN', work));
  }

  write<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return this.#exclusive(() => this.#transaction('BEGIN IMMEDIATE', work));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#tail;
    this.#db.close();
  }

  /** One unit of work at a time on the connection: an interleaved await must not see another's writes. */
  #exclusive<T>(run: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('the store is closed'));
    const result = this.#tail.then(run, run);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  async #transaction<T>(begin: string, work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    try {
      this.#db.exec(begin);
    } catch (error) {
      throw this.#translate(error);
    }
    try {
      const result = await work(this.#tx);
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      throw this.#translate(error);
    }
  }

  #translate(error: unknown): unknown {
    if (isBusyError(error)) return new SerialtraceError('STORE_BUSY', { timeoutMs: this.#busyTimeoutMs });
    return error;
  }
}
