import { insertText } from '../../schema/tables.js';
import { sql, SqlBuilder } from '../../sql/sql-query.js';
import type { SqlSession } from '../../sql/sql-session.js';
import { flag, type DbFlag } from '../change-stamp.js';

/** A block of a period's values leased by one server (leased allocation). */
export interface LeaseRow {
  readonly id: number;
  readonly companyId: number;
  readonly seriesId: number;
  readonly period: string;
  /** The server process that issues from it. */
  readonly owner: string;
  /** The last value issued from the lease; before the first, the counter's value when it was taken. */
  readonly used: bigint;
  /** The last value the lease holds. */
  readonly last: bigint;
  readonly leasedAt: string;
  /** After this instant anyone may release it (its owner renews it on every use). */
  readonly expiresAt: string;
  readonly releasedAt: string | null;
}

export type NewLease = Omit<LeaseRow, 'id' | 'releasedAt'>;

export interface LeaseFilter {
  /** Leases of this owner. */
  readonly owner?: string;
  readonly companyId?: number;
  /** Leases that expired before this instant (any owner). */
  readonly expiredBefore?: string;
  readonly seriesId?: number;
}

/** What issuing from a series' period holds, taken in one step (see {@link CountersStore.lockIssue}). */
export interface IssueLocks {
  /** The period's counter, or undefined before its first value. */
  readonly counter: bigint | undefined;
  /** Whether the company has a global series besides this one (then serials are checked company-wide). */
  readonly otherGlobal: boolean;
  /** False when the series no longer has the name and version expected. */
  readonly seriesCurrent: boolean;
}

/**
 * Counters (a series' current value per period) and leases (blocks of values a server took from
 * a counter). A counter read to be advanced is held until the transaction ends, so no value is
 * handed out twice: SQLite's one writer holds the whole file; PostgreSQL locks the row, and a
 * period's first value under an advisory lock (there is no row to lock yet).
 *
 * @example const locks = await tx.counters.lockIssue(1, series.id, '2026-12-07', { name: 'Widgets', version: 3 });
 */
export interface CountersStore {
  /** The counter, held until the transaction ends. */
  lock(seriesId: number, period: string): Promise<bigint | undefined>;
  read(seriesId: number, period: string): Promise<bigint | undefined>;
  /**
   * What issuing from a series' period takes first, in one statement where it can: the counter,
   * held; whether other global series exist; and whether the series still has the name and
   * version expected (a copy held in memory is current). In a company with global series, where
   * serials must be unique across series, the company is held too, so its issues take turns.
   */
  lockIssue(companyId: number, seriesId: number, period: string, expect?: { readonly name: string; readonly version: number }): Promise<IssueLocks>;
  /**
   * {@link lockIssue} for a batch of issues of one company in one transaction: the counters of
   * several series' periods, held, taken in (series, period) order so that batches never deadlock
   * one another, each with its series' name, version and global flag. A period without a counter
   * yet is missing from the answer (its first value is {@link lockIssue}'s to take). In a company
   * with global series the company is held too, as by {@link lockIssue}.
   */
  lockIssues(companyId: number, keys: readonly { readonly seriesId: number; readonly period: string }[]): Promise<IssueBatchLocks>;
  save(seriesId: number, period: string, value: bigint, at: string): Promise<void>;

  /** This owner's open lease of the period, held. */
  lockOpenLease(seriesId: number, period: string, owner: string): Promise<LeaseRow | undefined>;
  /**
   * Open leases matching the filter, held. With an `owner`, a lease another transaction holds is
   * waited for: a process must see every lease of its own (or it would take a new one while an old
   * one stays open). Without, on PostgreSQL, such a lease is passed over rather than waited for
   * (another process is releasing it, or using it right now).
   */
  lockOpenLeases(filter: LeaseFilter): Promise<LeaseRow[]>;
  insertLease(lease: NewLease): Promise<LeaseRow>;
  /** Records what a lease has issued so far and renews it. */
  saveLease(id: number, used: bigint, expiresAt: string): Promise<void>;
  /** Closes a lease; values after `used` up to its last are the caller's to record as skipped. */
  releaseLease(id: number, used: bigint, at: string): Promise<void>;
}

/** What a batch of issues holds (see {@link CountersStore.lockIssues}). */
export interface IssueBatchLocks {
  /** How many global series the company has. */
  readonly globalSeries: number;
  readonly counters: readonly {
    readonly seriesId: number;
    readonly period: string;
    readonly counter: bigint;
    readonly name: string;
    readonly version: number;
    readonly global: boolean;
  }[];
}

interface LeaseDbRow {
  id: number;
  company_id: number;
  series_id: number;
  period: string;
  owner: string;
  used: string;
  last_value: string;
  leased_at: string;
  expires_at: string;
  released_at: string | null;
}

function leaseFromRow(row: LeaseDbRow): LeaseRow {
  return {
    id: row.id,
    companyId: row.company_id,
    seriesId: row.series_id,
    period: row.period,
    owner: row.owner,
    used: BigInt(row.used),
    last: BigInt(row.last_value),
    leasedAt: row.leased_at,
    expiresAt: row.expires_at,
    releasedAt: row.released_at,
  };
}

const counterKey = (seriesId: number, period: string): string => `${seriesId}\u0000${period}`;

const READ = sql<{ value: string }>('counter_read', 'SELECT value FROM counters WHERE series_id = :series AND period = :period');
const LOCK = sql<{ value: string }>('counter_lock', 'SELECT value FROM counters WHERE series_id = :series AND period = :period [[FOR UPDATE]]');
/** A period's first value: no row to lock yet, so two transactions starting it take turns here. */
const NEW_PERIOD_TURN = sql('counter_new_period', 'SELECT pg_advisory_xact_lock(:series, hashtext(:period)) AS turn');
// The company row is read under the lock a record insert takes on it anyway (KEY SHARE): a series
// turning global takes it FOR UPDATE, so it waits for the issues in flight, and issues after it
// see the new count. The counter row is held until the transaction ends.
const ISSUE = sql<{ global_series: number; value: string; name: string; version: number; is_global: DbFlag }>(
  'issue_lock',
  `SELECT c.global_series, k.value, s.name, s.version, s.is_global FROM companies c, counters k, series s
   WHERE c.id = :company AND k.series_id = :series AND k.period = :period AND s.id = :series AND s.company_id = :company
   [[FOR KEY SHARE OF c FOR UPDATE OF k]]`,
);
const ISSUE_NEW_PERIOD = sql<{ global_series: number; name: string; version: number; is_global: DbFlag }>(
  'issue_lock_new_period',
  `SELECT c.global_series, s.name, s.version, s.is_global FROM companies c, series s
   WHERE c.id = :company AND s.id = :series AND s.company_id = :company [[FOR KEY SHARE OF c]]`,
);
const COMPANY_GLOBALS = sql<{ global_series: number }>('issue_company_globals', 'SELECT global_series FROM companies WHERE id = :company [[FOR KEY SHARE]]');
/** A company whose serials must be unique across series: its issues take turns. */
const GLOBAL_TURN = sql('issue_global_turn', 'SELECT id FROM companies WHERE id = :company [[FOR NO KEY UPDATE]]');
const SAVE_LOCKED = sql('counter_save_locked', 'UPDATE counters SET value = :value, updated_at = :at WHERE series_id = :series AND period = :period');
const SAVE = sql(
  'counter_save',
  `INSERT INTO counters (series_id, period, value, updated_at) VALUES (:series, :period, :value, :at)
   ON CONFLICT (series_id, period) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
);
const OPEN_LEASE = sql<LeaseDbRow>(
  'lease_lock',
  `SELECT * FROM counter_leases WHERE series_id = :series AND period = :period AND owner = :owner AND released_at IS NULL
   ORDER BY id LIMIT 1 [[FOR UPDATE]]`,
);
const INSERT_LEASE = sql<{ id: number }>(
  'lease_insert',
  insertText('counter_leases', ['company_id', 'series_id', 'period', 'owner', 'used', 'last_value', 'leased_at', 'expires_at'], 'RETURNING id'),
);
const SAVE_LEASE = sql('lease_save', 'UPDATE counter_leases SET used = :used, expires_at = :expires WHERE id = :id');
const RELEASE_LEASE = sql('lease_release', 'UPDATE counter_leases SET used = :used, released_at = :at WHERE id = :id');

/** {@link CountersStore} written once for both engines. */
export class SqlCountersStore implements CountersStore {
  /** Counter rows this transaction holds: saving one is a plain update. */
  readonly #held = new Set<string>();

  constructor(private readonly db: SqlSession) {}

  async lock(seriesId: number, period: string): Promise<bigint | undefined> {
    if (this.db.readOnly) return this.read(seriesId, period);
    const held = await this.#lockRow(seriesId, period);
    if (held !== undefined || !this.db.dialect.locksRows) return held;
    // No row to lock yet: two transactions starting a period would both see none. The second waits
    // for the first to commit here; its next statement then sees the row the first one saved.
    await this.db.get(NEW_PERIOD_TURN, { series: seriesId, period });
    return this.#lockRow(seriesId, period);
  }

  async #lockRow(seriesId: number, period: string): Promise<bigint | undefined> {
    const row = await this.db.get(LOCK, { series: seriesId, period });
    if (row === undefined) return undefined;
    this.#held.add(counterKey(seriesId, period));
    return BigInt(row.value);
  }

  async read(seriesId: number, period: string): Promise<bigint | undefined> {
    const row = await this.db.get(READ, { series: seriesId, period });
    return row === undefined ? undefined : BigInt(row.value);
  }

  async lockIssue(companyId: number, seriesId: number, period: string, expect?: { readonly name: string; readonly version: number }): Promise<IssueLocks> {
    let row: { global_series: number; value?: string; name: string; version: number; is_global: DbFlag } | undefined = await this.db.get(ISSUE, {
      company: companyId,
      series: seriesId,
      period,
    });
    let counter: bigint | undefined;
    if (row !== undefined) {
      if (!this.db.readOnly) this.#held.add(counterKey(seriesId, period));
      counter = BigInt(row.value!);
    } else {
      // A period without a counter yet (or no such series).
      row = await this.db.get(ISSUE_NEW_PERIOD, { company: companyId, series: seriesId });
      counter = await this.lock(seriesId, period);
    }
    const globals = row?.global_series ?? 0;
    await this.#globalTurn(companyId, globals);
    const mine = row !== undefined && flag(row.is_global) ? 1 : 0;
    return {
      counter,
      otherGlobal: globals - mine > 0,
      seriesCurrent: expect === undefined || (row !== undefined && row.name === expect.name && row.version === expect.version),
    };
  }

  async lockIssues(companyId: number, keys: readonly { readonly seriesId: number; readonly period: string }[]): Promise<IssueBatchLocks> {
    if (keys.length === 0) return { globalSeries: 0, counters: [] };
    const q = new SqlBuilder();
    const company = q.param(companyId);
    const wanted = keys.map((k) => `(k.series_id = ${q.param(k.seriesId)} AND k.period = ${q.param(k.period)})`).join(' OR ');
    const { query, params } = q.build<{ global_series: number; series_id: number; period: string; value: string; name: string; version: number; is_global: DbFlag }>(
      `SELECT c.global_series, k.series_id, k.period, k.value, s.name, s.version, s.is_global
       FROM counters k JOIN series s ON s.id = k.series_id JOIN companies c ON c.id = s.company_id
       WHERE s.company_id = ${company} AND (${wanted})
       ORDER BY k.series_id, k.period [[FOR KEY SHARE OF c FOR UPDATE OF k]]`,
    );
    const rows = await this.db.all(query, params);
    let globalSeries = rows[0]?.global_series;
    if (globalSeries === undefined) {
      // None of the periods has a counter yet: the count is read all the same.
      globalSeries = (await this.db.get(COMPANY_GLOBALS, { company: companyId }))?.global_series ?? 0;
    }
    await this.#globalTurn(companyId, globalSeries);
    const counters = rows.map((row) => {
      if (!this.db.readOnly) this.#held.add(counterKey(row.series_id, row.period));
      return { seriesId: row.series_id, period: row.period, counter: BigInt(row.value), name: row.name, version: row.version, global: flag(row.is_global) };
    });
    return { globalSeries, counters };
  }

  /** In a company with global series, where serials must be unique across series, its issues take turns. */
  async #globalTurn(companyId: number, globalSeries: number): Promise<void> {
    if (globalSeries > 0 && !this.db.readOnly && this.db.dialect.locksRows) await this.db.get(GLOBAL_TURN, { company: companyId });
  }

  async save(seriesId: number, period: string, value: bigint, at: string): Promise<void> {
    const params = { series: seriesId, period, value: value.toString(), at };
    this.db.later(this.#held.has(counterKey(seriesId, period)) ? SAVE_LOCKED : SAVE, params);
  }

  async lockOpenLease(seriesId: number, period: string, owner: string): Promise<LeaseRow | undefined> {
    const row = await this.db.get(OPEN_LEASE, { series: seriesId, period, owner });
    return row === undefined ? undefined : leaseFromRow(row);
  }

  async lockOpenLeases(filter: LeaseFilter): Promise<LeaseRow[]> {
    const q = new SqlBuilder();
    const where = ['released_at IS NULL'];
    if (filter.owner !== undefined) where.push(`owner = ${q.param(filter.owner)}`);
    if (filter.companyId !== undefined) where.push(`company_id = ${q.param(filter.companyId)}`);
    if (filter.expiredBefore !== undefined) where.push(`expires_at < ${q.param(filter.expiredBefore)}`);
    if (filter.seriesId !== undefined) where.push(`series_id = ${q.param(filter.seriesId)}`);
    const lock = filter.owner === undefined ? '[[FOR UPDATE SKIP LOCKED]]' : '[[FOR UPDATE]]';
    const { query, params } = q.build<LeaseDbRow>(`SELECT * FROM counter_leases WHERE ${where.join(' AND ')} ORDER BY id ${lock}`);
    return (await this.db.all(query, params)).map(leaseFromRow);
  }

  async insertLease(lease: NewLease): Promise<LeaseRow> {
    const row = await this.db.get(INSERT_LEASE, {
      company_id: lease.companyId,
      series_id: lease.seriesId,
      period: lease.period,
      owner: lease.owner,
      used: lease.used.toString(),
      last_value: lease.last.toString(),
      leased_at: lease.leasedAt,
      expires_at: lease.expiresAt,
    });
    return { ...lease, id: row!.id, releasedAt: null };
  }

  async saveLease(id: number, used: bigint, expiresAt: string): Promise<void> {
    this.db.later(SAVE_LEASE, { used: used.toString(), expires: expiresAt, id });
  }

  async releaseLease(id: number, used: bigint, at: string): Promise<void> {
    this.db.later(RELEASE_LEASE, { used: used.toString(), at, id });
  }
}
