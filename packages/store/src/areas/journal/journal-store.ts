import { createHash } from 'node:crypto';
import { auditDigestInput, chainHashInput, GENESIS_HASH, type AuditEntry, type AuditEventContent } from '@serialtrace/core';
import { columnsOf, insertText } from '../../schema/tables.js';
import { sql, SqlBuilder } from '../../sql/sql-query.js';
import type { SqlSession } from '../../sql/sql-session.js';
import { parseJson } from '../change-stamp.js';

/**
 * An event as it is written: what happened, to what, who did it, when, where and why. Its place
 * in the journal and in its company's chain is given later by the sealer.
 */
export type JournalDraft = AuditEventContent;

/**
 * An event of the journal: a draft with its id, and, once sealed, its position (commit order over
 * all companies) and its place in its company's hash chain.
 */
export interface JournalEvent extends JournalDraft {
  readonly id: number;
  /** Null until sealed. */
  readonly position: number | null;
  readonly seq: number | null;
  readonly prevHash: string | null;
  readonly hash: string | null;
  readonly digest: string | null;
}

export interface AuditFilter {
  readonly companyId: number;
  readonly afterSeq?: number;
  readonly beforeSeq?: number;
  readonly entityType?: string;
  readonly entityId?: string;
  readonly action?: string;
  readonly limit: number;
  /** `asc` walks the chain forwards (verification, export); `desc` lists the newest first. */
  readonly order: 'asc' | 'desc';
}

export interface EntityEventsFilter {
  readonly companyId: number;
  readonly entityType: string;
  readonly entityId: string;
  readonly type?: string;
  readonly limit: number;
}

export interface JournalReadFilter {
  /** Events after this position (0: from the start). */
  readonly after: number;
  readonly limit: number;
  /** Only this company's events; every company's when absent. */
  readonly companyId?: number;
}

/**
 * The journal: every audited change as a typed event, written with the change in its transaction
 * (so nothing committed is missing and nothing rolled back is in it). The same events, sealed,
 * are the audit trail: each company's events form a hash chain, and every event has a position in
 * commit order over all companies, which followers read.
 *
 * On PostgreSQL writers only append; they never wait for one another on a chain. {@link seal} then
 * places every committed event that is not placed yet, in one transaction at a time under an
 * advisory lock (several servers seal one after the other), by commit ticket. SQLite's one writer
 * places each event as it appends it. Positions therefore increase in the order events became
 * visible, and a follower that reads past its last position never skips one.
 *
 * @example
 * const [id] = await tx.journal.reserveIds(1);
 * await tx.records.insert([{ ...record, auditId: id }]);
 * await tx.journal.append([{ ...draft, id }]);
 */
export interface JournalStore {
  /** Ids for events about to be appended, so that rows can point at them first. */
  reserveIds(count: number): Promise<number[]>;
  /** Appends events (with ids from {@link reserveIds}, or new ones), unsealed; answers their ids. */
  append(events: readonly (JournalDraft & { readonly id?: number })[]): Promise<number[]>;
  /**
   * Places every committed event not placed yet: its position and its company's chain position
   * and hashes, and moves each company's kept head. Answers how many were sealed.
   */
  seal(): Promise<number>;
  /** Whether any event waits to be sealed. */
  hasUnsealed(): Promise<boolean>;
  /** Sealed events of a company's chain, as audit entries. */
  listChain(filter: AuditFilter): Promise<AuditEntry[]>;
  /** Events by id (those of the company that exist), sealed or not, in id order. */
  findByIds(companyId: number, ids: readonly number[]): Promise<JournalEvent[]>;
  /** A company's events about one entity (of one type, when given), sealed or not, oldest first. */
  ofEntity(filter: EntityEventsFilter): Promise<JournalEvent[]>;
  /** The head the company row keeps (the last sealed entry of its chain); null before the first. */
  chainHead(companyId: number): Promise<{ seq: number; hash: string } | null>;
  /** Sealed events after a position, in position order. */
  read(filter: JournalReadFilter): Promise<JournalEvent[]>;
  /** The position a named follower has handled events up to; undefined for one never kept. */
  followerPosition(name: string): Promise<number | undefined>;
  /**
   * Keeps how far a named follower has handled events, in the transaction of what it did with
   * them. A position never moves back: a follower that is behind (a stale copy) changes nothing.
   */
  keepFollowerPosition(name: string, position: number, at: string): Promise<void>;
}

interface JournalDbRow {
  id: number;
  company_id: number;
  position: number | null;
  seq: number | null;
  at: string;
  actor: string;
  station: string | null;
  line: string | null;
  plant: string | null;
  reason: string | null;
  type: string;
  entity_type: string;
  entity_id: string;
  data: string | null;
  digest: string | null;
  prev_hash: string | null;
  hash: string | null;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function eventFromRow(row: JournalDbRow): JournalEvent {
  return {
    id: row.id,
    position: row.position,
    seq: row.seq,
    companyId: row.company_id,
    at: row.at,
    actor: row.actor,
    station: row.station,
    line: row.line,
    plant: row.plant,
    reason: row.reason,
    action: row.type,
    entityType: row.entity_type,
    entityId: row.entity_id,
    data: parseJson(row.data),
    digest: row.digest,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** A sealed event as an entry of its company's audit chain. */
export function auditEntryOf(event: JournalEvent): AuditEntry {
  if (event.seq === null || event.hash === null || event.prevHash === null) throw new Error(`journal event ${event.id} is not sealed yet`);
  const entry: AuditEntry = {
    seq: event.seq,
    companyId: event.companyId,
    at: event.at,
    actor: event.actor,
    station: event.station,
    line: event.line,
    plant: event.plant,
    reason: event.reason,
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId,
    data: event.data,
    prevHash: event.prevHash,
    hash: event.hash,
  };
  return event.digest === null ? entry : { ...entry, digest: event.digest };
}

const APPEND_COLUMNS = columnsOf('journal', { except: ['position', 'commit_order', 'seq', 'prev_hash', 'hash'] });
const APPEND = sql('journal_append', insertText('journal', APPEND_COLUMNS));
const APPEND_PLACED = sql('journal_append_placed', insertText('journal', columnsOf('journal', { except: ['commit_order'] })));
/** Sealers take turns, on every server: one place in the order at a time. */
const SEAL_TURN = sql('journal_seal_turn', 'SELECT pg_advisory_xact_lock(7283462095) AS turn');
/** The events to seal next, each with its company's kept head, and the journal's last position. */
const TO_SEAL = sql<{ id: number; company_id: number; digest: string | null; chain_seq: number | null; chain_hash: string | null; top: number | null }>(
  'journal_to_seal',
  `SELECT j.id, j.company_id, j.digest, c.chain_seq, c.chain_hash, (SELECT MAX(position) FROM journal) AS top
   FROM (SELECT id, company_id, digest, commit_order FROM journal WHERE position IS NULL ORDER BY COALESCE(commit_order, id), id LIMIT :limit) j
   LEFT JOIN companies c ON c.id = j.company_id
   ORDER BY COALESCE(j.commit_order, j.id), j.id`,
);
const ANY_UNSEALED = sql('journal_any_unsealed', 'SELECT 1 AS found FROM journal WHERE position IS NULL LIMIT 1');
const TOP_POSITION = sql<{ top: number | null }>('journal_top_position', 'SELECT MAX(position) AS top FROM journal');
const PLACE_ONE = sql<{ chain_seq: number | null; chain_hash: string | null; top: number | null }>(
  'journal_place_one',
  'SELECT chain_seq, chain_hash, (SELECT MAX(position) FROM journal) AS top FROM companies WHERE id = :company',
);
const HEADS = sql<{ id: number; chain_seq: number | null; chain_hash: string | null }>(
  'journal_heads',
  'SELECT id, chain_seq, chain_hash FROM companies WHERE id IN :ids[]',
);
const SAVE_HEAD = sql('journal_save_head', 'UPDATE companies SET chain_seq = :seq, chain_hash = :hash WHERE id = :company');
const CHAIN_HEAD = sql<{ chain_seq: number | null; chain_hash: string | null }>('journal_chain_head', 'SELECT chain_seq, chain_hash FROM companies WHERE id = :company');
const BY_IDS = sql<JournalDbRow>('journal_by_ids', 'SELECT * FROM journal WHERE company_id = :company AND id IN :ids[] ORDER BY id');
const OF_ENTITY = sql<JournalDbRow>(
  'journal_of_entity',
  'SELECT * FROM journal WHERE company_id = :company AND entity_type = :entityType AND entity_id = :entityId ORDER BY id LIMIT :limit',
);
const OF_ENTITY_TYPE = sql<JournalDbRow>(
  'journal_of_entity_type',
  'SELECT * FROM journal WHERE company_id = :company AND entity_type = :entityType AND entity_id = :entityId AND type = :type ORDER BY id LIMIT :limit',
);
const READ_ALL = sql<JournalDbRow>('journal_read', 'SELECT * FROM journal WHERE position > :after ORDER BY position LIMIT :limit');
const READ_COMPANY = sql<JournalDbRow>(
  'journal_read_company',
  'SELECT * FROM journal WHERE company_id = :company AND position > :after ORDER BY position LIMIT :limit',
);

const FOLLOWER = sql<{ position: number }>('journal_follower', 'SELECT position FROM journal_followers WHERE name = :name');
const KEEP_FOLLOWER = sql(
  'journal_keep_follower',
  `${insertText('journal_followers', columnsOf('journal_followers'))}
   ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at WHERE journal_followers.position < excluded.position`,
);

/** How many events one seal places at most; a longer backlog takes several. */
const SEAL_BATCH = 5000;

/** {@link JournalStore} written once for both engines. */
export class SqlJournalStore implements JournalStore {
  readonly #appendedIds: number[] = [];
  /**
   * PostgreSQL: events appended and not written yet. They are written last, with the commit
   * ticket, by {@link drawCommitTicket}; or earlier, when this transaction reads the journal.
   */
  #pending: Record<string, unknown>[] = [];
  /** PostgreSQL: some events of this transaction were written before its ticket was drawn. */
  #writtenEarly = false;

  constructor(private readonly db: SqlSession) {}

  /** How many events this transaction appended: the store seals after a commit that did. */
  get appended(): number {
    return this.#appendedIds.length;
  }

  reserveIds(count: number): Promise<number[]> {
    return count === 0 ? Promise.resolve([]) : this.db.reserveIds('journal', count);
  }

  async append(events: readonly (JournalDraft & { readonly id?: number })[]): Promise<number[]> {
    if (events.length === 0) return [];
    const missing = events.filter((e) => e.id === undefined).length;
    const fresh = await this.reserveIds(missing);
    const ids: number[] = [];
    // SQLite's one writer places each event as it is written: its place is known, and nobody can
    // commit in between (a unit of a group that rolls back takes its events and heads with it).
    const placing = this.db.dialect.locksRows ? undefined : await this.#places(events);
    for (const event of events) {
      const id = event.id ?? fresh.shift()!;
      ids.push(id);
      const digest = sha256(auditDigestInput(event));
      const row = {
        id,
        company_id: event.companyId,
        at: event.at,
        actor: event.actor,
        station: event.station,
        line: event.line,
        plant: event.plant,
        reason: event.reason,
        type: event.action,
        entity_type: event.entityType,
        entity_id: event.entityId,
        data: event.data === null || event.data === undefined ? null : JSON.stringify(event.data),
        digest,
      };
      if (placing === undefined) {
        this.#pending.push(row);
        continue;
      }
      const head = placing.heads.get(event.companyId) ?? { seq: 0, hash: GENESIS_HASH };
      const seq = head.seq + 1;
      const hash = sha256(chainHashInput(head.hash, seq, digest));
      placing.top += 1;
      this.db.later(APPEND_PLACED, { ...row, position: placing.top, seq, prev_hash: head.hash, hash });
      placing.heads.set(event.companyId, { seq, hash });
    }
    if (placing !== undefined) for (const [company, head] of placing.heads) this.db.later(SAVE_HEAD, { seq: head.seq, hash: head.hash, company });
    this.#appendedIds.push(...ids);
    return ids;
  }

  /** The journal's last position and the chain heads of the events' companies, as they stand in this transaction. */
  async #places(events: readonly JournalDraft[]): Promise<{ top: number; heads: Map<number, { seq: number; hash: string }> }> {
    const companies = [...new Set(events.map((e) => e.companyId))];
    const heads = new Map<number, { seq: number; hash: string }>();
    const keep = (id: number, seq: number | null, hash: string | null) =>
      heads.set(id, seq === null || hash === null ? { seq: 0, hash: GENESIS_HASH } : { seq, hash });
    if (companies.length === 1) {
      // The usual case, one statement: the company's head and the journal's last position.
      const row = await this.db.get(PLACE_ONE, { company: companies[0]! });
      if (row !== undefined) {
        keep(companies[0]!, row.chain_seq, row.chain_hash);
        return { top: row.top ?? 0, heads };
      }
    }
    const top = (await this.db.get(TOP_POSITION))?.top ?? 0;
    for (const head of await this.db.all(HEADS, { ids: companies })) keep(head.id, head.chain_seq, head.chain_hash);
    return { top, heads };
  }

  /**
   * PostgreSQL, as the transaction commits: draws one ticket for every event it appended, from
   * the journal's id sequence, in the statements that travel with the COMMIT. A transaction that
   * saw another's changes draws after it, so the sealer, placing events by ticket and then id,
   * keeps what was committed between two seals in an order that can be replayed, each
   * transaction's events together. (SQLite's one writer places events as it appends them.)
   */
  drawCommitTicket(): void {
    if (this.#appendedIds.length === 0) return;
    if (!this.#writtenEarly) {
      // The usual case: every event goes in one statement, the last before the COMMIT, which draws the ticket.
      const q = new SqlBuilder();
      const rows = this.#pending.map((row) => `(${APPEND_COLUMNS.map((c) => q.param(row[c])).join(', ')})`);
      this.#pending = [];
      const { query, params } = q.build(
        `WITH ticket AS (SELECT nextval(pg_get_serial_sequence('journal', 'id')) AS value)
         INSERT INTO journal (${APPEND_COLUMNS.join(', ')}, commit_order) SELECT v.*, ticket.value FROM (VALUES ${rows.join(', ')}) AS v(${APPEND_COLUMNS.join(', ')}), ticket`,
      );
      this.db.later(query, params);
      return;
    }
    this.#writePending();
    const q = new SqlBuilder();
    const ids = this.#appendedIds.map((id) => q.param(id)).join(', ');
    const { query, params } = q.build(
      `WITH ticket AS (SELECT nextval(pg_get_serial_sequence('journal', 'id')) AS value) UPDATE journal SET commit_order = ticket.value FROM ticket WHERE journal.id IN (${ids})`,
    );
    this.db.later(query, params);
  }

  /** Writes the events appended so far (PostgreSQL holds them), so that this transaction's reads see them. */
  #writePending(): void {
    if (this.#pending.length === 0) return;
    for (const row of this.#pending) this.db.later(APPEND, row);
    this.#pending = [];
    this.#writtenEarly = true;
  }

  async seal(): Promise<number> {
    this.#writePending();
    // The turn is taken by a statement of its own, before the events are read: a statement that
    // read them with its snapshot and only then waited could place events another sealer placed
    // meanwhile. On PostgreSQL both travel together (held statements go with the next query).
    if (this.db.dialect.locksRows) this.db.later(SEAL_TURN);
    let sealed = 0;
    for (;;) {
      const pending = await this.db.all(TO_SEAL, { limit: SEAL_BATCH });
      if (pending.length === 0) return sealed;
      let position = pending[0]!.top ?? 0;
      const companies = [...new Set(pending.map((p) => p.company_id))];
      const heads = new Map<number, { seq: number; hash: string }>();
      for (const head of pending) {
        if (heads.has(head.company_id)) continue;
        heads.set(head.company_id, head.chain_seq === null || head.chain_hash === null ? { seq: 0, hash: GENESIS_HASH } : { seq: head.chain_seq, hash: head.chain_hash });
      }
      const rows: unknown[][] = [];
      for (const event of pending) {
        const head = heads.get(event.company_id) ?? { seq: 0, hash: GENESIS_HASH };
        if (event.digest === null) throw new Error(`journal event ${event.id} has no digest to seal`);
        const seq = head.seq + 1;
        const hash = sha256(chainHashInput(head.hash, seq, event.digest));
        position += 1;
        rows.push([event.id, position, seq, head.hash, hash]);
        heads.set(event.company_id, { seq, hash });
      }
      await this.db.updateMany('journal', 'id', ['position', 'seq', 'prev_hash', 'hash'], rows);
      for (const company of companies) {
        const head = heads.get(company)!;
        this.db.later(SAVE_HEAD, { seq: head.seq, hash: head.hash, company });
      }
      sealed += pending.length;
      if (pending.length < SEAL_BATCH) return sealed;
    }
  }

  async hasUnsealed(): Promise<boolean> {
    this.#writePending();
    return (await this.db.get(ANY_UNSEALED)) !== undefined;
  }

  async listChain(filter: AuditFilter): Promise<AuditEntry[]> {
    this.#writePending();
    const q = new SqlBuilder();
    const where = [`company_id = ${q.param(filter.companyId)}`, 'seq IS NOT NULL'];
    if (filter.afterSeq !== undefined) where.push(`seq > ${q.param(filter.afterSeq)}`);
    if (filter.beforeSeq !== undefined) where.push(`seq < ${q.param(filter.beforeSeq)}`);
    if (filter.entityType !== undefined) where.push(`entity_type = ${q.param(filter.entityType)}`);
    if (filter.entityId !== undefined) where.push(`entity_id = ${q.param(filter.entityId)}`);
    if (filter.action !== undefined) where.push(`type = ${q.param(filter.action)}`);
    const { query, params } = q.build<JournalDbRow>(
      `SELECT * FROM journal WHERE ${where.join(' AND ')} ORDER BY seq ${filter.order === 'asc' ? 'ASC' : 'DESC'} LIMIT ${q.param(filter.limit)}`,
    );
    return (await this.db.all(query, params)).map((row) => auditEntryOf(eventFromRow(row)));
  }

  async findByIds(companyId: number, ids: readonly number[]): Promise<JournalEvent[]> {
    this.#writePending();
    if (ids.length === 0) return [];
    return (await this.db.all(BY_IDS, { company: companyId, ids })).map(eventFromRow);
  }

  async ofEntity(filter: EntityEventsFilter): Promise<JournalEvent[]> {
    this.#writePending();
    const params = { company: filter.companyId, entityType: filter.entityType, entityId: filter.entityId, limit: filter.limit };
    const rows = filter.type === undefined ? await this.db.all(OF_ENTITY, params) : await this.db.all(OF_ENTITY_TYPE, { ...params, type: filter.type });
    return rows.map(eventFromRow);
  }

  async chainHead(companyId: number): Promise<{ seq: number; hash: string } | null> {
    const row = await this.db.get(CHAIN_HEAD, { company: companyId });
    return row === undefined || row.chain_seq === null || row.chain_hash === null ? null : { seq: row.chain_seq, hash: row.chain_hash };
  }

  async followerPosition(name: string): Promise<number | undefined> {
    return (await this.db.get(FOLLOWER, { name }))?.position;
  }

  async keepFollowerPosition(name: string, position: number, at: string): Promise<void> {
    await this.db.run(KEEP_FOLLOWER, { name, position, updated_at: at });
  }

  async read(filter: JournalReadFilter): Promise<JournalEvent[]> {
    this.#writePending();
    const rows =
      filter.companyId === undefined
        ? await this.db.all(READ_ALL, { after: filter.after, limit: filter.limit })
        : await this.db.all(READ_COMPANY, { company: filter.companyId, after: filter.after, limit: filter.limit });
    return rows.map(eventFromRow);
  }
}
