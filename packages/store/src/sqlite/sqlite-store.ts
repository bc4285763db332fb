import { SerialtraceError } from '@serialtrace/core';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../schema/migrations.js';
import type { Store, StoreTransaction } from '../store-port.js';
import { isBusyError, openBetterSqlite, type SqliteConnection } from './sqlite-connection.js';
import { GroupCommitQueue, type GroupLimits } from './sqlite-group-commit.js';
import { SqliteSchemaCompiler } from './sqlite-schema-compiler.js';
import { transactionOver } from '../areas/areas.js';
import { SealSignal } from '../areas/journal/seal-signal.js';
import { SqliteSession } from './sqlite-session.js';

export interface SqliteStoreOptions {
  /** A file path, or `:memory:` for a private database that vanishes on close. */
  readonly path: string;
  /** How long a writer waits for another process's lock before STORE_BUSY. Default 30 s. */
  readonly busyTimeoutMs?: number;
  /** Applies pending migrations on open (default). */
  readonly migrate?: boolean;
  /**
   * The most write units that share one commit (group commit). Default 256; 1 commits every unit
   * on its own, as a single client does anyway.
   */
  readonly maxGroupUnits?: number;
  /**
   * After a group has run this many milliseconds, units it has not started wait for the next
   * commit, so a long line of requests does not hold back the first one's answer. Default 10.
   */
  readonly maxGroupMs?: number;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 30_000;
/** Enough for every client of a busy line to share a commit, small enough to bound one group. */
export const DEFAULT_MAX_GROUP_UNITS = 256;
/** An fsync costs a few tenths of a millisecond: 10 ms of work keeps it a few percent of a group. */
export const DEFAULT_MAX_GROUP_MS = 10;

/** Databases private to their connection: a second connection would open another, empty one. */
function isPrivate(path: string): boolean {
  return path === ':memory:' || path === '';
}

/**
 * The embedded store: one SQLite file in WAL mode with `synchronous=FULL`, so a commit is on disk
 * before it is acknowledged and survives a power loss. Several processes may share the file;
 * writers queue on SQLite's lock (BEGIN IMMEDIATE with a busy timeout).
 *
 * Inside one process, writes that are pending at the same time share one transaction and one
 * fsync (group commit, see {@link GroupCommitQueue}): each unit runs alone in its savepoint, in
 * arrival order, and its promise settles after the COMMIT. Reads run on a second, read-only
 * connection opened on the first read, so they neither wait for a group nor hold one up; each
 * sees what was committed when it began. A `:memory:` database cannot be shared by two
 * connections, so there reads take their turn between groups on the one connection.
 */
export class SqliteStore implements Store {
  readonly engine = 'sqlite';
  readonly groupsCommits = true;
  readonly location: string;
  readonly #db: SqliteConnection;
  readonly #busyTimeoutMs: number;
  readonly #writes: GroupCommitQueue;
  /** Whether reads must share the write connection (a private database). */
  readonly #readsOnWriter: boolean;
  #reader: { readonly db: SqliteConnection; readonly session: SqliteSession } | undefined;
  /** Reads run one at a time on the read connection: each needs its own snapshot. */
  #readTail: Promise<unknown> = Promise.resolve();
  #closed = false;
  readonly #sealed = new SealSignal();
  #closing: Promise<void> | undefined;

  private constructor(db: SqliteConnection, location: string, busyTimeoutMs: number, limits: GroupLimits) {
    this.#db = db;
    this.location = location;
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#readsOnWriter = isPrivate(location);
    // The one writer places journal events as it appends them (`SqlJournalStore.append`): a commit
    // and its events' places in the journal and the audit chain are durable together.
    const session = new SqliteSession(db, false);
    this.#writes = new GroupCommitQueue(db, () => transactionOver(session), limits, (error) => this.#translate(error));
  }

  static open(options: SqliteStoreOptions): SqliteStore {
    const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    const limits: GroupLimits = {
      maxUnits: options.maxGroupUnits ?? DEFAULT_MAX_GROUP_UNITS,
      maxMs: options.maxGroupMs ?? DEFAULT_MAX_GROUP_MS,
    };
    if (!Number.isInteger(limits.maxUnits) || limits.maxUnits < 1) {
      throw new SerialtraceError('VALUE_INVALID', { field: 'maxGroupUnits', reason: 'it must be a whole number of at least 1' });
    }
    if (!(limits.maxMs > 0)) {
      throw new SerialtraceError('VALUE_INVALID', { field: 'maxGroupMs', reason: 'it must be a number of milliseconds above 0' });
    }
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
      const store = new SqliteStore(db, options.path, busyTimeoutMs, limits);
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
    // A table built anew is dropped and renamed while other tables point at it (SQLite's way to
    // change a constraint): foreign keys stay off until the migrations are in, and are checked
    // before they commit. The pragma only takes effect outside a transaction.
    this.#db.pragma('foreign_keys = OFF');
    try {
      this.#migrateWithoutForeignKeys(compiler);
    } finally {
      this.#db.pragma('foreign_keys = ON');
    }
  }

  #migrateWithoutForeignKeys(compiler: SqliteSchemaCompiler): void {
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
      const broken = this.#db.prepare('PRAGMA foreign_key_check').all();
      if (broken.length > 0) throw new Error(`a migration left rows that point at nothing: ${JSON.stringify(broken.slice(0, 5))}`);
      this.#db.exec('COMMIT');
    } catch (error) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  read<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('the store is closed'));
    if (this.#readsOnWriter) return this.#writes.read(work);
    const result = this.#readTail.then(() => this.#readAlone(work));
    this.#readTail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  write<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('the store is closed'));
    // Every answered write tells this process's followers: one that finds nothing new has spent
    // one read, and a burst of answers wakes a waiting follower once.
    return this.#writes.write(work).finally(() => this.#sealed.notify());
  }

  onJournalSealed(listener: () => void): () => void {
    return this.#sealed.listen(listener);
  }

  /** Sealed with every commit already. */
  sealJournal(): Promise<void> {
    return Promise.resolve();
  }

  /** A file that is open always answers; only a closed store does not. */
  ping(): Promise<void> {
    if (this.#closed) return Promise.reject(new SerialtraceError('STORE_UNAVAILABLE', { reason: 'the store is closed' }));
    return Promise.resolve();
  }

  /** Finishes the work already queued, then closes. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#closed = true;
    await this.#writes.drained();
    await this.#readTail;
    // The write connection goes last: as the file's last connection it checkpoints the WAL and
    // removes it, which a read-only connection cannot do.
    this.#reader?.db.close();
    this.#db.close();
  }

  async #readAlone<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    let db: SqliteConnection;
    let session: SqliteSession;
    try {
      // Opened on first use: a process that only writes (most CLI commands) never pays for it.
      this.#reader ??= this.#openReader();
      ({ db, session } = this.#reader);
      db.exec('BEGIN');
    } catch (error) {
      throw this.#translate(error);
    }
    try {
      const result = await work(transactionOver(session));
      db.exec('COMMIT');
      return result;
    } catch (error) {
      try {
        if (db.inTransaction) db.exec('ROLLBACK');
      } catch {
        // Nothing was written; the caller learns more from the error that got it here.
      }
      throw this.#translate(error);
    }
  }

  #openReader(): { db: SqliteConnection; session: SqliteSession } {
    // Read-only, so a read that tries to write fails instead of committing outside any group.
    const db = openBetterSqlite(this.location, { busyTimeoutMs: this.#busyTimeoutMs, readonly: true });
    return { db, session: new SqliteSession(db, true) };
  }

  #translate(error: unknown): unknown {
    if (isBusyError(error)) return new SerialtraceError('STORE_BUSY', { timeoutMs: this.#busyTimeoutMs });
    return error;
  }
}
