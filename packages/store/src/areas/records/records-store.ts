import { RECORD_STATUSES, type RecordStatus } from '@serialtrace/core';
import { columnsOf, insertText } from '../../schema/tables.js';
import { sql, SqlBuilder } from '../../sql/sql-query.js';
import type { SqlSession } from '../../sql/sql-session.js';
import { parseJson } from '../change-stamp.js';

/** A serial about to be recorded. */
export interface NewRecord {
  readonly companyId: number;
  readonly seriesId: number;
  readonly serial: string;
  readonly sequence: bigint;
  readonly period: string;
  readonly status: RecordStatus;
  readonly workOrder: string | null;
  readonly partNumber: string | null;
  readonly context: Readonly<Record<string, string>>;
  readonly metadata: unknown;
  readonly generatedAt: string;
  readonly generatedBy: string;
  readonly station: string | null;
  /** The journal event that recorded the issue (see `JournalStore.reserveIds`). */
  readonly auditId: number | null;
  /** GS1 batch/lot number (AI 10) of the item, for series bound to a GTIN. */
  readonly lot: string | null;
  /** GS1 expiry date (AI 17) as YYYY-MM-DD; day 00 (`2027-03-00`) means the end of the month. */
  readonly expiry: string | null;
}

export interface RecordRow extends NewRecord {
  readonly id: number;
  readonly seriesName: string;
  readonly updatedAt: string;
  /** How many times the record's label was printed (the first print and every reprint). */
  readonly labelPrints: number;
}

export interface StatusChangeRow {
  readonly id: number;
  readonly recordId: number;
  readonly fromStatus: RecordStatus | null;
  readonly toStatus: RecordStatus;
  readonly at: string;
  readonly actor: string;
  readonly station: string | null;
  readonly reason: string | null;
  readonly data: unknown;
  /** The journal event that recorded the change. */
  readonly auditId: number | null;
}

export type NewStatusChange = Omit<StatusChangeRow, 'id'>;

/** Which existing serial a candidate collides with. */
export interface TakenSerial {
  readonly serial: string;
  readonly seriesId: number;
  readonly seriesName: string;
}

export interface RecordFilter {
  readonly companyId: number;
  readonly seriesId?: number;
  readonly workOrder?: string;
  readonly partNumber?: string;
  readonly status?: RecordStatus;
  /** GS1 lot (exact): the records of one batch, as a recall asks. */
  readonly lot?: string;
  /** Text contained in the serial, work order or part number. */
  readonly text?: string;
  /** generated at or after (ISO instant) */
  readonly from?: string;
  /** generated before (ISO instant) */
  readonly to?: string;
  /** Only records with a smaller id (keyset paging, newest first). */
  readonly beforeId?: number;
  readonly limit: number;
}

/** What a record count filters by, and where it stops counting. */
export type RecordCountFilter = Omit<RecordFilter, 'limit' | 'beforeId'> & { readonly cap: number };

/**
 * Records (one per issued serial) and their status history. A serial is unique within its
 * series by the records' unique index, which is the judge when two requests race.
 *
 * @example const [record] = await tx.records.findBySerial(1, 'SN-0001');
 */
export interface RecordsStore {
  /**
   * Of `serials`, those another series of the company holds where they must stay unique: any
   * series' serials when `global`, else only those of global series. (A clash within the series
   * itself is found by {@link insert}.)
   */
  findTaken(companyId: number, seriesId: number, global: boolean, serials: readonly string[]): Promise<TakenSerial[]>;
  /**
   * Inserts records in order and answers each one's id, or null where the serial already existed
   * in the series (generation skips it). The unique index is the judge.
   */
  insert(records: readonly NewRecord[]): Promise<(number | null)[]>;
  /**
   * Inserts the records of an issue, which are expected to be new, and answers whether each was
   * recorded: false where the serial already existed in the series (generation skips it). Unlike
   * {@link insert}, the new ids are not known; in exchange PostgreSQL sends the rows with the
   * COMMIT (see `SqlSession.insertNew`).
   */
  insertIssued(records: readonly NewRecord[]): Promise<boolean[]>;
  findBySerial(companyId: number, serial: string, seriesId?: number): Promise<RecordRow[]>;
  /** Records matching a filter, newest first, a page at a time. */
  search(filter: RecordFilter): Promise<RecordRow[]>;
  /** How many records match, counting no further than `cap` (so at most `cap`). */
  count(filter: RecordCountFilter): Promise<number>;
  findByIds(ids: readonly number[]): Promise<RecordRow[]>;
  /**
   * The record as it is now, held until the transaction ends: a change decided on its status
   * (a transition, a first print) cannot be made twice by concurrent transactions.
   */
  lock(recordId: number): Promise<RecordRow | undefined>;
  updateStatus(recordId: number, status: string, at: string): Promise<void>;
  insertHistory(changes: readonly NewStatusChange[]): Promise<void>;
  history(recordId: number): Promise<StatusChangeRow[]>;
  /** The status changes of several records, in the order they were made. */
  historyOf(recordIds: readonly number[]): Promise<StatusChangeRow[]>;
  /** Counts one more print of a record's label and returns the new count (1 for the first print). */
  countLabelPrint(recordId: number, at: string): Promise<number>;
}

interface RecordDbRow {
  id: number;
  company_id: number;
  series_id: number;
  series_name: string;
  serial: string;
  sequence: string;
  period: string;
  status: string;
  work_order: string | null;
  part_number: string | null;
  context: string | null;
  metadata: string | null;
  generated_at: string;
  generated_by: string;
  station: string | null;
  updated_at: string;
  audit_id: number | null;
  lot: string | null;
  expiry: string | null;
  label_prints: number;
}

interface HistoryDbRow {
  id: number;
  record_id: number;
  from_status: string | null;
  to_status: string;
  at: string;
  actor: string;
  station: string | null;
  reason: string | null;
  data: string | null;
  audit_id: number | null;
}

export function toStatus(value: string): RecordStatus {
  if ((RECORD_STATUSES as readonly string[]).includes(value)) return value as RecordStatus;
  throw new Error(`unknown status in the database: ${value}`);
}

function recordFromRow(row: RecordDbRow): RecordRow {
  return {
    id: row.id,
    companyId: row.company_id,
    seriesId: row.series_id,
    seriesName: row.series_name,
    serial: row.serial,
    sequence: BigInt(row.sequence),
    period: row.period,
    status: toStatus(row.status),
    workOrder: row.work_order,
    partNumber: row.part_number,
    context: parseJson<Record<string, string>>(row.context) ?? {},
    metadata: parseJson(row.metadata),
    generatedAt: row.generated_at,
    generatedBy: row.generated_by,
    station: row.station,
    updatedAt: row.updated_at,
    auditId: row.audit_id,
    lot: row.lot,
    expiry: row.expiry,
    labelPrints: row.label_prints,
  };
}

function changeFromRow(row: HistoryDbRow): StatusChangeRow {
  return {
    id: row.id,
    recordId: row.record_id,
    fromStatus: row.from_status === null ? null : toStatus(row.from_status),
    toStatus: toStatus(row.to_status),
    at: row.at,
    actor: row.actor,
    station: row.station,
    reason: row.reason,
    data: parseJson(row.data),
    auditId: row.audit_id,
  };
}

/** JSON.stringify that remembers its last input, for batches whose rows share one object. */
function jsonOnce(): (value: unknown) => string {
  let last: unknown;
  let text = '';
  return (value) => {
    if (value !== last) {
      last = value;
      text = JSON.stringify(value);
    }
    return text;
  };
}

/** The record columns every insert writes, in the order {@link recordValues} gives their values. */
const INSERT_COLUMNS = columnsOf('records', { except: ['id', 'label_prints'] });

/** A record's values in the order of {@link INSERT_COLUMNS}; `json` serialises context and metadata. */
function recordValues(r: NewRecord, json: { context: (value: unknown) => string; metadata: (value: unknown) => string }): unknown[] {
  const byColumn: Record<string, unknown> = {
    company_id: r.companyId,
    series_id: r.seriesId,
    serial: r.serial,
    sequence: r.sequence.toString(),
    period: r.period,
    status: r.status,
    work_order: r.workOrder,
    part_number: r.partNumber,
    context: Object.keys(r.context).length === 0 ? null : json.context(r.context),
    metadata: r.metadata === null || r.metadata === undefined ? null : json.metadata(r.metadata),
    generated_at: r.generatedAt,
    generated_by: r.generatedBy,
    station: r.station,
    updated_at: r.generatedAt,
    audit_id: r.auditId,
    lot: r.lot,
    expiry: r.expiry,
  };
  return INSERT_COLUMNS.map((column) => byColumn[column]);
}

/** The record columns every read selects, over `records r JOIN series s`. */
const SELECT = `${columnsOf('records', { alias: 'r' }).join(', ')}, s.name AS series_name`;
const FROM = 'FROM records r JOIN series s ON s.id = r.series_id';
const ON_CONFLICT = 'ON CONFLICT (company_id, serial, series_id) DO NOTHING';

const TAKEN = sql<{ serial: string; series_id: number; name: string }>(
  'serials_taken',
  `SELECT r.serial, r.series_id, s.name FROM records r JOIN series s ON s.id = r.series_id
   WHERE r.company_id = :company AND r.serial IN :serials[] AND r.series_id <> :series AND (:global OR s.is_global = :yes)`,
);
/** One record: the single serial's path, where plain values cost less than arrays to unnest. */
const INSERT_ONE = sql<{ id: number }>(
  'record_insert',
  `INSERT INTO records (${INSERT_COLUMNS.join(', ')}) VALUES (${INSERT_COLUMNS.map((c) => `:${c}`).join(', ')}) ${ON_CONFLICT} RETURNING id`,
);
const BY_SERIAL = sql<RecordDbRow>('records_by_serial', `SELECT ${SELECT} ${FROM} WHERE r.company_id = :company AND r.serial = :serial ORDER BY r.id`);
const BY_SERIES_SERIAL = sql<RecordDbRow>(
  'records_by_series_serial',
  `SELECT ${SELECT} ${FROM} WHERE r.series_id = :series AND r.serial = :serial AND r.company_id = :company`,
);
const BY_IDS = sql<RecordDbRow>('records_by_ids', `SELECT ${SELECT} ${FROM} WHERE r.id IN :ids[] ORDER BY r.id`);
const LOCK = sql<RecordDbRow>('record_lock', `SELECT ${SELECT} ${FROM} WHERE r.id = :id [[FOR UPDATE OF r]]`);
const UPDATE_STATUS = sql('record_status', 'UPDATE records SET status = :status, updated_at = :at WHERE id = :id');
const INSERT_HISTORY = sql('history_insert', insertText('record_history', columnsOf('record_history', { except: ['id'] })));
const HISTORY = sql<HistoryDbRow>('history_list', 'SELECT * FROM record_history WHERE record_id = :record ORDER BY id');
const HISTORY_OF = sql<HistoryDbRow>('history_of', 'SELECT * FROM record_history WHERE record_id IN :records[] ORDER BY id');
// The row lock the UPDATE takes makes concurrent prints count one after the other.
const COUNT_PRINT = sql<{ label_prints: number }>('record_label_print', 'UPDATE records SET label_prints = label_prints + 1, updated_at = :at WHERE id = :id RETURNING label_prints');

/** `LIKE` pattern matching `text` anywhere, with the pattern characters escaped. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** {@link RecordsStore} written once for both engines. */
export class SqlRecordsStore implements RecordsStore {
  constructor(private readonly db: SqlSession) {}

  async findTaken(companyId: number, seriesId: number, global: boolean, serials: readonly string[]): Promise<TakenSerial[]> {
    const rows = await this.db.all(TAKEN, { company: companyId, serials, series: seriesId, global, yes: true });
    return rows.map((r) => ({ serial: r.serial, seriesId: r.series_id, seriesName: r.name }));
  }

  async insert(records: readonly NewRecord[]): Promise<(number | null)[]> {
    if (records.length === 0) return [];
    if (records.length === 1) {
      const values = recordValues(records[0]!, { context: JSON.stringify, metadata: JSON.stringify });
      const row = await this.db.get(INSERT_ONE, Object.fromEntries(INSERT_COLUMNS.map((c, i) => [c, values[i]])));
      return [row?.id ?? null];
    }
    // A batch shares its context and metadata objects: serialise each of them once.
    const json = { context: jsonOnce(), metadata: jsonOnce() };
    return this.db.insertEach('records', INSERT_COLUMNS, records.map((r) => recordValues(r, json)), { tail: ON_CONFLICT, key: ['company_id', 'serial', 'series_id'] });
  }

  async insertIssued(records: readonly NewRecord[]): Promise<boolean[]> {
    const json = { context: jsonOnce(), metadata: jsonOnce() };
    return this.db.insertNew('records', INSERT_COLUMNS, records.map((r) => recordValues(r, json)), { tail: ON_CONFLICT, key: ['company_id', 'serial', 'series_id'] });
  }

  async findBySerial(companyId: number, serial: string, seriesId?: number): Promise<RecordRow[]> {
    const rows =
      seriesId === undefined
        ? await this.db.all(BY_SERIAL, { company: companyId, serial })
        : await this.db.all(BY_SERIES_SERIAL, { series: seriesId, serial, company: companyId });
    return rows.map(recordFromRow);
  }

  async search(filter: RecordFilter): Promise<RecordRow[]> {
    const q = new SqlBuilder();
    // Without a work order, part number or lot (whose indexes keep ids in order), SQLite would find
    // the company's records by the serial index and sort them all before the LIMIT: close to a
    // second per page on a million records. Kept off that index, it walks the table newest first
    // and stops after the page.
    const byIdOrder = filter.workOrder === undefined && filter.partNumber === undefined && filter.lot === undefined;
    const where = this.#where(q, filter, byIdOrder ? this.db.dialect.unindexed('r.company_id') : 'r.company_id');
    const { query, params } = q.build<RecordDbRow>(`SELECT ${SELECT} ${FROM} WHERE ${where} ORDER BY r.id DESC LIMIT ${q.param(filter.limit)}`);
    return (await this.db.all(query, params)).map(recordFromRow);
  }

  async count(filter: RecordCountFilter): Promise<number> {
    const q = new SqlBuilder();
    const where = this.#where(q, filter, 'r.company_id');
    const { query, params } = q.build<{ n: number | string }>(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM records r WHERE ${where} LIMIT ${q.param(filter.cap)}) counted`);
    return Number((await this.db.get(query, params))!.n);
  }

  /** The WHERE clause of a search and of its count, one text, so both always agree on what matches. */
  #where(q: SqlBuilder, filter: Omit<RecordFilter, 'limit'>, companyColumn: string): string {
    const where = [`${companyColumn} = ${q.param(filter.companyId)}`];
    if (filter.seriesId !== undefined) where.push(`r.series_id = ${q.param(filter.seriesId)}`);
    if (filter.workOrder !== undefined) where.push(`r.work_order = ${q.param(filter.workOrder)}`);
    if (filter.partNumber !== undefined) where.push(`r.part_number = ${q.param(filter.partNumber)}`);
    if (filter.status !== undefined) where.push(`r.status = ${q.param(filter.status)}`);
    if (filter.lot !== undefined) where.push(`r.lot = ${q.param(filter.lot)}`);
    if (filter.from !== undefined) where.push(`r.generated_at >= ${q.param(filter.from)}`);
    if (filter.to !== undefined) where.push(`r.generated_at < ${q.param(filter.to)}`);
    if (filter.beforeId !== undefined) where.push(`r.id < ${q.param(filter.beforeId)}`);
    if (filter.text !== undefined) {
      const pattern = q.param(containsPattern(filter.text));
      const like = this.db.dialect.caseInsensitiveLike;
      where.push(`(r.serial ${like} ${pattern} ESCAPE '\\' OR r.work_order ${like} ${pattern} ESCAPE '\\' OR r.part_number ${like} ${pattern} ESCAPE '\\')`);
    }
    return where.join(' AND ');
  }

  async findByIds(ids: readonly number[]): Promise<RecordRow[]> {
    if (ids.length === 0) return [];
    return (await this.db.all(BY_IDS, { ids })).map(recordFromRow);
  }

  async lock(recordId: number): Promise<RecordRow | undefined> {
    const row = await this.db.get(LOCK, { id: recordId });
    return row === undefined ? undefined : recordFromRow(row);
  }

  async updateStatus(recordId: number, status: string, at: string): Promise<void> {
    await this.db.run(UPDATE_STATUS, { status, at, id: recordId });
  }

  async insertHistory(changes: readonly NewStatusChange[]): Promise<void> {
    for (const c of changes) {
      this.db.later(INSERT_HISTORY, {
        record_id: c.recordId,
        from_status: c.fromStatus,
        to_status: c.toStatus,
        at: c.at,
        actor: c.actor,
        station: c.station,
        reason: c.reason,
        data: c.data === null || c.data === undefined ? null : JSON.stringify(c.data),
        audit_id: c.auditId,
      });
    }
  }

  async history(recordId: number): Promise<StatusChangeRow[]> {
    return (await this.db.all(HISTORY, { record: recordId })).map(changeFromRow);
  }

  async historyOf(recordIds: readonly number[]): Promise<StatusChangeRow[]> {
    if (recordIds.length === 0) return [];
    return (await this.db.all(HISTORY_OF, { records: recordIds })).map(changeFromRow);
  }

  async countLabelPrint(recordId: number, at: string): Promise<number> {
    const row = await this.db.get(COUNT_PRINT, { at, id: recordId });
    if (row === undefined) throw new Error(`no record ${recordId}`);
    return row.label_prints;
  }
}
