import { setTimeout as sleep } from 'node:timers/promises';
import { SerialtraceError } from '@serialtrace/core';
import pg from 'pg';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../schema/migrations.js';
import type { Store, StoreTransaction } from '../store-port.js';
import { PgConnection } from './pg-connection.js';
import { PgSchemaCompiler } from './pg-schema-compiler.js';
import { IdBlocks, PgSession } from './pg-session.js';
import { transactionOver } from '../areas/areas.js';
import type { SqlJournalStore } from '../areas/journal/journal-store.js';
import { SealSignal } from '../areas/journal/seal-signal.js';

export interface PgStoreOptions {
  /** `postgres://user:password@host:port/database` */
  readonly url: string;
  /** The schema that holds serialtrace's tables; created when missing. Default `public`. */
  readonly schema?: string;
  /** Connections this process keeps open at most. Default 10. */
  readonly poolSize?: number;
  /** Longest a statement may run (a lock wait included) before it is cancelled. Default 30 s. */
  readonly statementTimeoutMs?: number;
  /** Longest to wait for a connection, new or from the pool. Default 5 s. */
  readonly connectTimeoutMs?: number;
  /** Applies pending migrations before the first unit of work (default). */
  readonly migrate?: boolean;
}

export const DEFAULT_POOL_SIZE = 10;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** Attempts of a unit whose transaction lost a race with a concurrent one. */
const MAX_ATTEMPTS = 8;

/**
 * SQLSTATEs that mean "a concurrent transaction got there first; running again will see it":
 * serialization failure, deadlock, and a unique key that was free when the unit looked.
 */
const RETRYABLE = new Set(['40001', '40P01', '23505']);
/**
 * How often a server looks for journal events nobody sealed (their writer's server stopped
 * between its COMMIT and its seal). A writer seals its own events within milliseconds; this is the net.
 */
const SEAL_SWEEP_MS = 2_000;

/** How long a seal waits after a commit for more commits to place together. */
const SEAL_DELAY_MS = 5;
/** Statement or lock timeout. */
const TIMEOUTS = new Set(['57014', '55P03']);

/** int8 (ids, positions, counts) as numbers: they stay far below 2^53. */
const TYPES = {
  getTypeParser: ((oid: number, format?: string): unknown =>
    oid === 20 ? (value: string) => Number(value) : (pg.types.getTypeParser(oid, format as 'text') as unknown)) as typeof pg.types.getTypeParser,
};

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unreadable URL)';
  }
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Why the database cannot be used, in a few words that say nothing about where it is (they reach
 * anonymous callers); or `undefined` when the error is not about reaching the database.
 */
function unavailableReason(error: unknown): string | undefined {
  const state = sqlState(error);
  if (state !== undefined) {
    if (state === '28P01' || state === '28000') return 'the database refused the credentials';
    if (state === '3D000') return 'the database does not exist';
    if (state === '57P01' || state === '57P02' || state === '57P03') return 'the database is shutting down or starting';
    if (state.startsWith('08')) return 'the connection to the database failed';
    return undefined;
  }
  if (!isConnectionError(error)) return undefined;
  const message = error instanceof Error ? error.message : '';
  if (/timeout/i.test(message)) return 'the database did not answer in time';
  if (/ECONNREFUSED/.test(message) || (error as { code?: unknown }).code === 'ECONNREFUSED') return 'the database refused the connection';
  return 'the connection to the database was lost';
}

/** Whether the error says the database could not be reached or went away. */
function isConnectionError(error: unknown): boolean {
  const state = sqlState(error);
  if (state !== undefined) return state.startsWith('08') || state.startsWith('28') || state === '57P01' || state === '57P02' || state === '57P03' || state === '3D000';
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|connection timeout|Client has encountered a connection error/i.test(message);
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * The store on PostgreSQL, for several serialtrace servers sharing one database. Each unit of
 * work is one transaction on a pooled connection at READ COMMITTED; the area stores take the row
 * locks that make it safe (`[[FOR UPDATE]]` clauses of their queries). A unit that loses a race with a concurrent one (deadlock,
 * serialization failure, a unique key taken meanwhile) is rolled back and run again from the
 * start, up to {@link MAX_ATTEMPTS} times. Reads run at REPEATABLE READ, READ ONLY: one snapshot
 * for the whole unit.
 *
 * Journal events are appended with their change and sealed (placed in commit order and in their
 * company's audit chain) after the COMMIT by one sealing pass at a time per process, and one at a
 * time over all servers (an advisory lock): writers of a company never wait on its chain.
 *
 * Nothing is connected until the first unit (or {@link ping}); an unreachable database fails
 * that unit with STORE_UNAVAILABLE, and the next unit tries again, so a server outlives a
 * database restart.
 */
export class PgStore implements Store {
  readonly engine = 'postgres';
  readonly groupsCommits = false;
  readonly location: string;
  readonly #pool: pg.Pool;
  readonly #schema: string;
  readonly #statementTimeoutMs: number;
  readonly #connectTimeoutMs: number;
  readonly #poolSize: number;
  readonly #migrate: boolean;
  #migrated: Promise<void> | undefined;
  #closed = false;
  #active = 0;
  #idle: (() => void) | undefined;
  readonly #idBlocks = new IdBlocks();
  /** The sealing pass running, if any, and the one queued behind it. */
  #sealing: Promise<void> | undefined;
  #sealAgain: Promise<void> | undefined;
  #sweep: NodeJS.Timeout | undefined;
  #sealTimer: NodeJS.Timeout | undefined;
  readonly #guarded = new WeakSet<pg.PoolClient>();
  readonly #sealed = new SealSignal();

  private constructor(options: PgStoreOptions) {
    this.location = redactUrl(options.url);
    this.#schema = options.schema ?? 'public';
    this.#statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
    this.#migrate = options.migrate !== false;
    this.#poolSize = options.poolSize ?? DEFAULT_POOL_SIZE;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.#pool = new pg.Pool({
      connectionString: options.url,
      max: this.#poolSize,
      connectionTimeoutMillis: this.#connectTimeoutMs,
      statement_timeout: this.#statementTimeoutMs,
      // A transaction left open by a stalled process must not hold its locks for ever.
      idle_in_transaction_session_timeout: Math.max(this.#statementTimeoutMs * 2, 60_000),
      application_name: 'serialtrace',
      options: `-c search_path=${quoteIdentifier(this.#schema)}`,
      types: TYPES,
    });
    // An idle connection that breaks (database restarted) is dropped by the pool; without a
    // listener its error would end the process.
    this.#pool.on('error', () => undefined);
  }

  static open(options: PgStoreOptions): PgStore {
    const check = (value: number | undefined, field: string, min: number) => {
      if (value !== undefined && (!Number.isInteger(value) || value < min)) {
        throw new SerialtraceError('VALUE_INVALID', { field, reason: `it must be a whole number of at least ${min}` });
      }
    };
    check(options.poolSize, 'poolSize', 1);
    check(options.statementTimeoutMs, 'statementTimeoutMs', 1);
    check(options.connectTimeoutMs, 'connectTimeoutMs', 1);
    if (!/^postgres(ql)?:\/\//.test(options.url)) {
      throw new SerialtraceError('VALUE_INVALID', { field: 'database', reason: 'a PostgreSQL URL starts with postgres:// or postgresql://' });
    }
    if (options.schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(options.schema)) {
      throw new SerialtraceError('VALUE_INVALID', { field: 'schema', reason: 'a schema name is letters, digits and _, not starting with a digit' });
    }
    return new PgStore(options);
  }

  async ping(): Promise<void> {
    if (this.#closed) throw new SerialtraceError('STORE_UNAVAILABLE', { reason: 'the store is closed' });
    await this.#ensureMigrated();
    const client = await this.#connect();
    let broken: unknown;
    try {
      // A pooled connection says nothing about the database until it is used.
      await client.query('SELECT 1');
    } catch (error) {
      broken = error;
      throw this.#translate(error);
    } finally {
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  read<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return this.#run('read', work);
  }

  write<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return this.#run('write', work);
  }

  /**
   * Resolves once every event committed before the call is sealed: a pass that began earlier may
   * have looked before they were committed, so a caller then waits for the next one.
   */
  sealJournal(): Promise<void> {
    if (this.#closed) return Promise.reject(new SerialtraceError('STORE_UNAVAILABLE', { reason: 'the store is closed' }));
    return this.#seal();
  }

  onJournalSealed(listener: () => void): () => void {
    return this.#sealed.listen(listener);
  }

  #seal(): Promise<void> {
    if (this.#sealing === undefined) {
      this.#sealing = this.#run('write', (tx) => tx.journal.seal(), true).then(
        (sealed) => {
          this.#sealing = undefined;
          if (sealed > 0) this.#sealed.notify();
        },
        (error: unknown) => {
          this.#sealing = undefined;
          throw error;
        },
      );
      return this.#sealing;
    }
    this.#sealAgain ??= this.#sealing
      .catch(() => undefined)
      .then(() => {
        this.#sealAgain = undefined;
        return this.#seal();
      });
    return this.#sealAgain;
  }

  /**
   * A seal shortly after a commit that appended events, shared by every commit of the next few
   * milliseconds (a seal is a transaction with its own flush to disk); a failure is left to the
   * next pass or the sweep. Readers that must see every committed event seal at once instead.
   */
  #sealSoon(): void {
    if (this.#closed) {
      // Closing: seal now, so that close() finds the pass to wait for.
      this.#seal().catch(() => undefined);
      return;
    }
    if (this.#sealTimer !== undefined) return;
    this.#sealTimer = setTimeout(() => {
      this.#sealTimer = undefined;
      this.#seal().catch(() => undefined);
    }, SEAL_DELAY_MS);
  }

  #startSweep(): void {
    if (this.#sweep !== undefined || this.#closed) return;
    this.#sweep = setInterval(() => {
      if (this.#sealing !== undefined || this.#closed) return;
      this.#run('read', (tx) => tx.journal.hasUnsealed(), true).then(
        (waiting) => (waiting ? this.#sealSoon() : undefined),
        () => undefined,
      );
    }, SEAL_SWEEP_MS);
    this.#sweep.unref();
  }

  /** Waits for the units in progress and seals what they committed, then closes every connection. */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      if (this.#sweep !== undefined) clearInterval(this.#sweep);
      if (this.#sealTimer !== undefined) {
        clearTimeout(this.#sealTimer);
        this.#sealTimer = undefined;
        this.#seal().catch(() => undefined);
      }
      while (this.#active > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
      await this.#sealing?.catch(() => undefined);
      await this.#sealAgain?.catch(() => undefined);
      while (this.#active > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
      await this.#pool.end();
    }
  }

  /** The schema version the database is at (0 before the first migration). */
  async schemaVersion(): Promise<number> {
    const client = await this.#connect();
    try {
      return await this.#versionOn(client);
    } finally {
      client.release();
    }
  }

  async #versionOn(client: pg.PoolClient): Promise<number> {
    const exists = await client.query<{ found: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS found");
    if (exists.rows[0]?.found !== true) return 0;
    const row = await client.query<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations');
    return row.rows[0]?.version ?? 0;
  }

  async #run<T>(kind: 'read' | 'write', work: (tx: StoreTransaction) => Promise<T>, internal = false): Promise<T> {
    if (this.#closed && !internal) throw new SerialtraceError('STORE_UNAVAILABLE', { reason: 'the store is closed' });
    this.#active += 1;
    try {
      await this.#ensureMigrated();
      this.#startSweep();
      const mode = { careful: false, again: false };
      for (let attempt = 1; ; attempt++) {
        try {
          const { result, appended } = await this.#attempt(kind, work, mode);
          if (appended && !internal) this.#sealSoon();
          return result;
        } catch (error) {
          const state = sqlState(error);
          const again = mode.again;
          mode.again = false;
          if ((!again && (state === undefined || !RETRYABLE.has(state))) || attempt >= MAX_ATTEMPTS) throw this.#translate(error);
          // Apart a little, at random, so the transactions that collided do not collide again.
          await sleep(Math.random() * 2 ** attempt);
        }
      }
    } finally {
      this.#active -= 1;
      if (this.#active === 0) this.#idle?.();
    }
  }

  /**
   * One run of a unit. `mode.careful` turns on, for the runs that follow, when a unique violation
   * may come from rows sent in the hope that they were new ({@link PgSession.insertNew}); the unit
   * then runs again (`mode.again`) whatever error it ended with.
   */
  async #attempt<T>(kind: 'read' | 'write', work: (tx: StoreTransaction) => Promise<T>, mode: { careful: boolean; again: boolean }): Promise<{ result: T; appended: boolean }> {
    const client = await this.#connect();
    const db = new PgConnection(client);
    let broken: unknown;
    try {
      db.begin(kind === 'write' ? 'BEGIN' : 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      let result: T;
      const session = new PgSession(db, kind === 'read', this.#idBlocks, mode.careful);
      const tx = transactionOver(session);
      try {
        result = await work(tx);
        (tx.journal as SqlJournalStore).drawCommitTicket();
        await db.commit();
      } catch (error) {
        // Rows sent in the hope that they were new were not: whatever the unit made of that
        // failure, it runs again, carefully.
        if (session.hoped && db.firstFailure === '23505') {
          mode.careful = true;
          mode.again = true;
        }
        if (isConnectionError(error)) broken = error;
        else await db.rollback().catch((rollbackError: unknown) => (broken = rollbackError));
        throw error;
      }
      return { result, appended: (tx.journal as SqlJournalStore).appended > 0 };
    } finally {
      // A connection in an unknown state is closed rather than handed to the next unit.
      client.release(broken instanceof Error ? broken : broken === undefined ? undefined : true);
    }
  }

  async #connect(): Promise<pg.PoolClient> {
    // Every connection busy when the wait began: a timeout then means the server is overloaded,
    // not that the database is gone.
    const saturated = this.#pool.totalCount >= this.#poolSize && this.#pool.idleCount === 0;
    try {
      const client = await this.#pool.connect();
      // A connection that breaks while it is checked out but between statements (the database
      // went away) emits an error nobody waits for: its next statement fails instead.
      if (!this.#guarded.has(client)) {
        client.on('error', () => undefined);
        this.#guarded.add(client);
      }
      return client;
    } catch (error) {
      if (saturated && error instanceof Error && /timeout exceeded when trying to connect/i.test(error.message)) {
        throw Object.assign(new SerialtraceError('STORE_BUSY', { timeoutMs: this.#connectTimeoutMs }), { cause: error });
      }
      throw this.#translate(error);
    }
  }

  /** Migrates once per store; a failed attempt (database down) is tried again by the next unit. */
  #ensureMigrated(): Promise<void> {
    if (!this.#migrate) return Promise.resolve();
    this.#migrated ??= this.#migrateNow().catch((error: unknown) => {
      this.#migrated = undefined;
      throw this.#translate(error);
    });
    return this.#migrated;
  }

  async #migrateNow(): Promise<void> {
    const client = await this.#connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      // Servers starting together migrate one after another; the later ones find nothing to do.
      await client.query("SELECT pg_advisory_xact_lock(hashtext('serialtrace.migrate'))");
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(this.#schema)}`);
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
      );
      const current = await this.#versionOn(client);
      if (current > LATEST_SCHEMA_VERSION) {
        throw new SerialtraceError('STORE_SCHEMA_NEWER', { found: current, known: LATEST_SCHEMA_VERSION });
      }
      const compiler = new PgSchemaCompiler();
      for (const migration of MIGRATIONS) {
        if (migration.version <= current) continue;
        for (const step of migration.steps) for (const sql of compiler.compile(step)) await client.query(sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          new Date().toISOString(),
        ]);
      }
      await client.query('COMMIT');
    } catch (error) {
      broken = isConnectionError(error);
      if (!broken) await client.query('ROLLBACK').catch(() => (broken = true));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  #translate(error: unknown): unknown {
    if (error instanceof SerialtraceError) return error;
    const state = sqlState(error);
    if (state !== undefined && TIMEOUTS.has(state)) return new SerialtraceError('STORE_BUSY', { timeoutMs: this.#statementTimeoutMs });
    const reason = unavailableReason(error);
    // The driver's own message (host, port, user) stays in `cause`, for the server's log only.
    if (reason !== undefined) return Object.assign(new SerialtraceError('STORE_UNAVAILABLE', { reason }), { cause: error });
    return error;
  }
}
