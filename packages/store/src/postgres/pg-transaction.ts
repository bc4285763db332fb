import { settingsToJson, type AuditEntry, type SeriesSettings } from '@serialtrace/core';
import type { ApiKeyRow, CompanyRow, NewUser, SessionRow, UserChanges, UserRow } from '../access-types.js';
import {
  apiKeyFromRow,
  auditFromRow,
  idempotencyFromRow,
  jsonOnce,
  labelTemplateFromRow,
  leaseFromRow,
  RECORD_COLUMNS,
  RECORD_INSERT_COLUMNS,
  RECORD_INSERT_WIDTH,
  recordValues,
  SCRIPT_RUN_COLUMNS,
  SCRIPT_RUN_INSERT_COLUMNS,
  scriptFromRow,
  scriptRunFromRow,
  scriptRunValues,
  scriptVersionFromRow,
  seriesVersionFromRow,
  statusChangeFromRow,
  recordFromRow,
  seriesFromRow,
  SETTINGS_COLUMNS,
  settingsValues,
  userFromRow,
  type ApiKeyDbRow,
  type AuditDbRow,
  type HistoryDbRow,
  type IdempotencyDbRow,
  type LabelTemplateDbRow,
  type LeaseDbRow,
  type ScriptDbRow,
  type ScriptRunDbRow,
  type ScriptVersionDbRow,
  type SeriesVersionDbRow,
  type RecordDbRow,
  type SeriesDbRow,
  type UserDbRow,
} from '../row-mapping.js';
import type { StoreTransaction } from '../store-port.js';
import type {
  AuditFilter,
  ChangeStamp,
  IdempotencyRow,
  IssueLocks,
  LabelTemplateRow,
  LeaseFilter,
  LeaseRow,
  NewLease,
  NewRecord,
  NewScriptRun,
  NewStatusChange,
  RecordCountFilter,
  RecordFilter,
  RecordRow,
  ScriptRow,
  ScriptRunFilter,
  ScriptRunRow,
  ScriptVersionRow,
  SeriesRow,
  SeriesVersionRow,
  StatusChangeRow,
  TakenSerial,
} from '../store-types.js';
import { lockIssueStepByStep } from '../issue-locks.js';
import { POSTGRES_FILTER, recordFilterSql } from '../record-filter-sql.js';
import type { PgConnection } from './pg-connection.js';
import { literal, rowLiteral } from './pg-literal.js';

const pgFlag = (flag: boolean): boolean => flag;

const counterKey = (seriesId: number, period: string): string => `${seriesId}\u0000${period}`;

/** `$1, $2, ...` from `from`. */
function placeholders(count: number, from = 1): string {
  return Array.from({ length: count }, (_, i) => `$${i + from}`).join(', ');
}

/**
 * The store port on one PostgreSQL connection, inside a transaction at READ COMMITTED. Where
 * SQLite's single writer makes a read a lock, this class locks explicitly: a counter row and the
 * company row (which guards the company's audit chain) are taken `FOR UPDATE` until the
 * transaction ends, so no two transactions can hand out one value or extend the chain from the
 * same head. Statements whose answer is not needed (counters saved, audit entries, idempotency
 * rows) are held and sent with the COMMIT ({@link PgConnection}).
 */
export class PgTransaction implements StoreTransaction {
  readonly #db: PgConnection;
  /** A read's snapshot is fixed and it can change nothing, so there is nothing to lock against. */
  readonly #readOnly: boolean;
  /**
   * Global series per company as read with the locked company row: while this transaction holds
   * the row, no other can add one, so "none" needs no second look.
   */
  readonly #globalSeries = new Map<number, number>();
  /** Counter rows this transaction holds: saving one is a plain update. */
  readonly #lockedCounters = new Set<string>();

  constructor(db: PgConnection, readOnly: boolean) {
    this.#db = db;
    this.#readOnly = readOnly;
  }

  // Series

  async findSeries(companyId: number, name: string): Promise<SeriesRow | undefined> {
    const [row] = await this.#db.query<SeriesDbRow>('SELECT * FROM series WHERE company_id = $1 AND name = $2', [companyId, name], 'series_find');
    return row === undefined ? undefined : seriesFromRow(row);
  }

  async findSeriesById(id: number): Promise<SeriesRow | undefined> {
    const [row] = await this.#db.query<SeriesDbRow>('SELECT * FROM series WHERE id = $1', [id], 'series_by_id');
    return row === undefined ? undefined : seriesFromRow(row);
  }

  async findSeriesVersion(companyId: number, name: string): Promise<{ id: number; version: number } | undefined> {
    const [row] = await this.#db.query<{ id: number; version: number }>(
      'SELECT id, version FROM series WHERE company_id = $1 AND name = $2',
      [companyId, name],
      'series_version',
    );
    return row;
  }

  async findSeriesVersions(companyId: number, names: readonly string[]): Promise<{ id: number; name: string; version: number }[]> {
    return this.#db.query<{ id: number; name: string; version: number }>(
      'SELECT id, name, version FROM series WHERE company_id = $1 AND name = ANY($2::text[])',
      [companyId, names],
      'series_versions_of',
    );
  }

  async listSeries(companyId: number): Promise<SeriesRow[]> {
    return (await this.#db.query<SeriesDbRow>('SELECT * FROM series WHERE company_id = $1 ORDER BY name', [companyId])).map(seriesFromRow);
  }

  async insertSeries(companyId: number, settings: SeriesSettings, stamp: ChangeStamp): Promise<SeriesRow> {
    const n = SETTINGS_COLUMNS.length;
    const [row] = await this.#db.query<{ id: number }>(
      `INSERT INTO series (${SETTINGS_COLUMNS.join(', ')}, company_id, version, created_at, created_by, updated_at, updated_by)
       VALUES (${placeholders(n)}, $${n + 1}, 1, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}) RETURNING id`,
      [...settingsValues(settings, pgFlag), companyId, stamp.at, stamp.actor, stamp.at, stamp.actor],
    );
    const id = row!.id;
    await this.#insertVersion(id, 1, settings, stamp);
    if (settings.global) this.#countGlobal(companyId, 1);
    return {
      id,
      companyId,
      settings,
      version: 1,
      createdAt: stamp.at,
      createdBy: stamp.actor,
      updatedAt: stamp.at,
      updatedBy: stamp.actor,
      wrappedKey: null,
    };
  }

  async #insertVersion(seriesId: number, version: number, settings: SeriesSettings, stamp: ChangeStamp): Promise<void> {
    await this.#db.query('INSERT INTO series_versions (series_id, version, settings, changed_at, changed_by, reason) VALUES ($1, $2, $3, $4, $5, $6)', [
      seriesId,
      version,
      JSON.stringify(settingsToJson(settings)),
      stamp.at,
      stamp.actor,
      stamp.reason ?? null,
    ]);
  }

  async updateSeries(series: SeriesRow, settings: SeriesSettings, stamp: ChangeStamp): Promise<SeriesRow> {
    const version = series.version + 1;
    const n = SETTINGS_COLUMNS.length;
    await this.#db.query(
      `UPDATE series SET ${SETTINGS_COLUMNS.map((c, i) => `${c} = $${i + 1}`).join(', ')},
         version = $${n + 1}, updated_at = $${n + 2}, updated_by = $${n + 3} WHERE id = $${n + 4}`,
      [...settingsValues(settings, pgFlag), version, stamp.at, stamp.actor, series.id],
    );
    await this.#insertVersion(series.id, version, settings, stamp);
    if (settings.global !== series.settings.global) this.#countGlobal(series.companyId, settings.global ? 1 : -1);
    return { ...series, settings, version, updatedAt: stamp.at, updatedBy: stamp.actor };
  }

  #countGlobal(companyId: number, delta: number): void {
    this.#db.hold(`UPDATE companies SET global_series = global_series + ${literal(delta)} WHERE id = ${literal(companyId)}`);
    this.#globalSeries.delete(companyId);
  }

  async listSeriesVersions(seriesId: number): Promise<SeriesVersionRow[]> {
    const rows = await this.#db.query<SeriesVersionDbRow>('SELECT * FROM series_versions WHERE series_id = $1 ORDER BY version', [seriesId]);
    return rows.map(seriesVersionFromRow);
  }

  async saveSeriesKey(seriesId: number, wrappedKey: string): Promise<void> {
    await this.#db.query('UPDATE series SET wrapped_key = $1 WHERE id = $2', [wrappedKey, seriesId]);
  }

  async seriesHasIssued(seriesId: number): Promise<boolean> {
    const [row] = await this.#db.query<{ issued: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM counters WHERE series_id = $1) OR EXISTS (SELECT 1 FROM records WHERE series_id = $1) AS issued`,
      [seriesId],
    );
    return row!.issued;
  }

  // Counters

  async lockCounter(seriesId: number, period: string): Promise<bigint | undefined> {
    if (this.#readOnly) return this.#selectCounter(seriesId, period, false);
    const locked = await this.#selectCounter(seriesId, period, true);
    if (locked !== undefined) return locked;
    // No row to lock yet: two transactions starting a period would both see none. A lock on the
    // (series, period) pair makes the second wait for the first to commit; its next statement then
    // sees the row the first one saved, and locks it.
    await this.#db.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [seriesId, period], 'counter_new_lock');
    return this.#selectCounter(seriesId, period, true);
  }

  async lockIssue(companyId: number, seriesId: number, period: string, expect?: { readonly name: string; readonly version: number }): Promise<IssueLocks> {
    if (!this.#readOnly) {
      // One statement takes both rows, the company's first (row marks are locked in the order of
      // FROM, as lockAuditHead then lockCounter would), and returns each as the transaction it
      // may have waited for left it. The series row comes along unlocked, for the version check.
      const [row] = await this.#db.query<{
        chain_seq: number | null;
        chain_hash: string | null;
        global_series: number;
        value: string;
        name: string;
        version: number;
      }>(
        `SELECT c.chain_seq, c.chain_hash, c.global_series, k.value, s.name, s.version FROM companies c, counters k, series s
         WHERE c.id = $1 AND k.series_id = $2 AND k.period = $3 AND s.id = $2 AND s.company_id = $1
         FOR NO KEY UPDATE OF c FOR UPDATE OF k`,
        [companyId, seriesId, period],
        'issue_lock',
      );
      if (row !== undefined && row.chain_seq !== null && row.chain_hash !== null) {
        this.#globalSeries.set(companyId, row.global_series);
        this.#lockedCounters.add(counterKey(seriesId, period));
        return {
          head: { seq: row.chain_seq, hash: row.chain_hash },
          counter: BigInt(row.value),
          otherGlobal: await this.hasGlobalSeries(companyId, seriesId),
          seriesCurrent: expect === undefined || (row.name === expect.name && row.version === expect.version),
        };
      }
    }
    // A period without a counter yet, or a chain whose head is not on the company row: step by step.
    return lockIssueStepByStep(this, companyId, seriesId, period, expect);
  }

  async readCounter(seriesId: number, period: string): Promise<bigint | undefined> {
    return this.#selectCounter(seriesId, period, false);
  }

  async #selectCounter(seriesId: number, period: string, lock: boolean): Promise<bigint | undefined> {
    const [row] = await this.#db.query<{ value: string }>(
      `SELECT value FROM counters WHERE series_id = $1 AND period = $2${lock ? ' FOR UPDATE' : ''}`,
      [seriesId, period],
      lock ? 'counter_lock' : 'counter_read',
    );
    if (row !== undefined && lock) this.#lockedCounters.add(counterKey(seriesId, period));
    return row === undefined ? undefined : BigInt(row.value);
  }

  async saveCounter(seriesId: number, period: string, value: bigint, at: string): Promise<void> {
    if (this.#lockedCounters.has(counterKey(seriesId, period))) {
      this.#db.hold(
        `UPDATE counters SET value = ${literal(value.toString())}, updated_at = ${literal(at)} WHERE series_id = ${literal(seriesId)} AND period = ${literal(period)}`,
      );
      return;
    }
    this.#db.hold(
      `INSERT INTO counters (series_id, period, value, updated_at) VALUES ${rowLiteral([seriesId, period, value.toString(), at])}
       ON CONFLICT (series_id, period) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
  }

  // Leases

  async lockOpenLease(seriesId: number, period: string, owner: string): Promise<LeaseRow | undefined> {
    const [row] = await this.#db.query<LeaseDbRow>(
      `SELECT * FROM counter_leases WHERE series_id = $1 AND period = $2 AND owner = $3 AND released_at IS NULL
       ORDER BY id LIMIT 1${this.#readOnly ? '' : ' FOR UPDATE'}`,
      [seriesId, period, owner],
      this.#readOnly ? 'lease_read' : 'lease_lock',
    );
    return row === undefined ? undefined : leaseFromRow(row);
  }

  async lockOpenLeases(filter: LeaseFilter): Promise<LeaseRow[]> {
    const where = ['released_at IS NULL'];
    const params: unknown[] = [];
    const add = (condition: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(condition(`$${params.length}`));
    };
    if (filter.owner !== undefined) add((p) => `owner = ${p}`, filter.owner);
    if (filter.companyId !== undefined) add((p) => `company_id = ${p}`, filter.companyId);
    if (filter.expiredBefore !== undefined) add((p) => `expires_at < ${p}`, filter.expiredBefore);
    if (filter.seriesId !== undefined) add((p) => `series_id = ${p}`, filter.seriesId);
    const rows = await this.#db.query<LeaseDbRow>(
      `SELECT * FROM counter_leases WHERE ${where.join(' AND ')} ORDER BY id${this.#readOnly ? '' : ' FOR UPDATE SKIP LOCKED'}`,
      params,
    );
    return rows.map(leaseFromRow);
  }

  async insertLease(lease: NewLease): Promise<LeaseRow> {
    const [row] = await this.#db.query<{ id: number }>(
      'INSERT INTO counter_leases (company_id, series_id, period, owner, used, last_value, leased_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id',
      [lease.companyId, lease.seriesId, lease.period, lease.owner, lease.used.toString(), lease.last.toString(), lease.leasedAt, lease.expiresAt],
      'lease_insert',
    );
    return { ...lease, id: row!.id, releasedAt: null };
  }

  async saveLease(id: number, used: bigint, expiresAt: string): Promise<void> {
    this.#db.hold(`UPDATE counter_leases SET used = ${literal(used.toString())}, expires_at = ${literal(expiresAt)} WHERE id = ${literal(id)}`);
  }

  async releaseLease(id: number, used: bigint, at: string): Promise<void> {
    this.#db.hold(`UPDATE counter_leases SET used = ${literal(used.toString())}, released_at = ${literal(at)} WHERE id = ${literal(id)}`);
  }

  // Serials and records

  async hasGlobalSeries(companyId: number, exceptSeriesId: number): Promise<boolean> {
    if (this.#globalSeries.get(companyId) === 0) return false;
    const rows = await this.#db.query('SELECT 1 FROM series WHERE company_id = $1 AND is_global AND id <> $2 LIMIT 1', [companyId, exceptSeriesId], 'series_global');
    return rows.length > 0;
  }

  async findTakenSerials(companyId: number, seriesId: number, global: boolean, serials: readonly string[]): Promise<TakenSerial[]> {
    const rows = await this.#db.query<{ serial: string; series_id: number; name: string }>(
      `SELECT r.serial, r.series_id, s.name FROM records r JOIN series s ON s.id = r.series_id
       WHERE r.company_id = $1 AND r.serial = ANY($2::text[]) AND r.series_id <> $3 AND ($4 OR s.is_global)`,
      [companyId, serials, seriesId, global],
      'serials_taken',
    );
    return rows.map((r) => ({ serial: r.serial, seriesId: r.series_id, seriesName: r.name }));
  }

  async insertRecords(records: readonly NewRecord[]): Promise<(number | null)[]> {
    if (records.length === 0) return [];
    if (records.length === 1) return [await this.#insertRecord(records[0]!)];
    const n = records.length;
    const columns: unknown[][] = Array.from({ length: RECORD_INSERT_WIDTH }, () => new Array<unknown>(n));
    const json = { context: jsonOnce(), metadata: jsonOnce() };
    for (let i = 0; i < n; i++) {
      const values = recordValues(records[i]!, json);
      for (let c = 0; c < RECORD_INSERT_WIDTH; c++) columns[c]![i] = values[c];
    }
    // One statement for the whole batch; the unique index decides which serials are new, and the
    // rows come in the order given, so ids grow in that order.
    const rows = await this.#db.query<{ id: number; serial: string; series_id: number }>(
      `INSERT INTO records (${RECORD_INSERT_COLUMNS})
       SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
         $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::bigint[], $16::text[], $17::text[])
       ON CONFLICT (company_id, serial, series_id) DO NOTHING
       RETURNING id, serial, series_id`,
      columns,
      'records_insert',
    );
    const ids = new Array<number | null>(n).fill(null);
    if (rows.length === 0) return ids;
    // The first record of each (series, serial) is the one that can have been inserted.
    const position = new Map<string, number>();
    for (let i = n - 1; i >= 0; i--) position.set(`${records[i]!.seriesId}\u0000${records[i]!.serial}`, i);
    for (const row of rows) ids[position.get(`${row.series_id}\u0000${row.serial}`)!] = row.id;
    return ids;
  }

  /** One record, the single-serial request's path: plain values cost less than arrays to unnest. */
  async #insertRecord(r: NewRecord): Promise<number | null> {
    const [row] = await this.#db.query<{ id: number }>(
      `INSERT INTO records (${RECORD_INSERT_COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
       ON CONFLICT (company_id, serial, series_id) DO NOTHING RETURNING id`,
      recordValues(r, { context: JSON.stringify, metadata: JSON.stringify }),
      'record_insert',
    );
    return row?.id ?? null;
  }

  async findRecordsBySerial(companyId: number, serial: string, seriesId?: number): Promise<RecordRow[]> {
    const rows =
      seriesId === undefined
        ? await this.#db.query<RecordDbRow>(
            `SELECT ${RECORD_COLUMNS} FROM records r JOIN series s ON s.id = r.series_id WHERE r.company_id = $1 AND r.serial = $2 ORDER BY r.id`,
            [companyId, serial],
            'records_by_serial',
          )
        : await this.#db.query<RecordDbRow>(
            `SELECT ${RECORD_COLUMNS} FROM records r JOIN series s ON s.id = r.series_id WHERE r.series_id = $1 AND r.serial = $2 AND r.company_id = $3`,
            [seriesId, serial, companyId],
            'records_by_series_serial',
          );
    return rows.map(recordFromRow);
  }

  async findRecords(filter: RecordFilter): Promise<RecordRow[]> {
    const { where, params } = recordFilterSql(filter, POSTGRES_FILTER);
    const rows = await this.#db.query<RecordDbRow>(
      `SELECT ${RECORD_COLUMNS} FROM records r JOIN series s ON s.id = r.series_id
       WHERE ${where} ORDER BY r.id DESC LIMIT $${params.length + 1}`,
      [...params, filter.limit],
    );
    return rows.map(recordFromRow);
  }

  async countRecords(filter: RecordCountFilter): Promise<number> {
    const { where, params } = recordFilterSql(filter, POSTGRES_FILTER);
    const rows = await this.#db.query<{ n: string }>(
      `SELECT COUNT(*) AS n FROM (SELECT 1 FROM records r WHERE ${where} LIMIT $${params.length + 1}) counted`,
      [...params, filter.cap],
    );
    return Number(rows[0]!.n);
  }

  async findRecordsByIds(ids: readonly number[]): Promise<RecordRow[]> {
    const rows = await this.#db.query<RecordDbRow>(
      `SELECT ${RECORD_COLUMNS} FROM records r JOIN series s ON s.id = r.series_id WHERE r.id = ANY($1::bigint[]) ORDER BY r.id`,
      [ids],
      'records_by_ids',
    );
    return rows.map(recordFromRow);
  }

  async updateRecordStatus(recordId: number, status: string, at: string): Promise<void> {
    await this.#db.query('UPDATE records SET status = $1, updated_at = $2 WHERE id = $3', [status, at, recordId], 'record_status');
  }

  async insertStatusChanges(changes: readonly NewStatusChange[]): Promise<void> {
    if (changes.length === 0) return;
    this.#db.hold(
      `INSERT INTO record_history (record_id, from_status, to_status, at, actor, station, reason, data, audit_seq) VALUES ${changes
        .map((c) =>
          rowLiteral([
            c.recordId,
            c.fromStatus,
            c.toStatus,
            c.at,
            c.actor,
            c.station,
            c.reason,
            c.data === null || c.data === undefined ? null : JSON.stringify(c.data),
            c.auditSeq,
          ]),
        )
        .join(', ')}`,
    );
  }

  async listStatusChanges(recordId: number): Promise<StatusChangeRow[]> {
    const rows = await this.#db.query<HistoryDbRow>('SELECT * FROM record_history WHERE record_id = $1 ORDER BY id', [recordId], 'history_list');
    return rows.map(statusChangeFromRow);
  }

  async listStatusChangesOf(recordIds: readonly number[]): Promise<StatusChangeRow[]> {
    if (recordIds.length === 0) return [];
    const rows = await this.#db.query<HistoryDbRow>('SELECT * FROM record_history WHERE record_id = ANY($1::bigint[]) ORDER BY id', [recordIds], 'history_of');
    return rows.map(statusChangeFromRow);
  }

  async countLabelPrint(recordId: number, at: string): Promise<number> {
    // The row lock the UPDATE takes makes concurrent prints count one after the other.
    const [row] = await this.#db.query<{ label_prints: number }>(
      'UPDATE records SET label_prints = label_prints + 1, updated_at = $1 WHERE id = $2 RETURNING label_prints',
      [at, recordId],
      'record_label_print',
    );
    if (row === undefined) throw new Error(`no record ${recordId}`);
    return row.label_prints;
  }

  // Label templates

  async listLabelTemplates(companyId: number): Promise<LabelTemplateRow[]> {
    const rows = await this.#db.query<LabelTemplateDbRow>('SELECT * FROM label_templates WHERE company_id = $1 ORDER BY name', [companyId]);
    return rows.map(labelTemplateFromRow);
  }

  async findLabelTemplate(companyId: number, name: string): Promise<LabelTemplateRow | undefined> {
    const [row] = await this.#db.query<LabelTemplateDbRow>(
      'SELECT * FROM label_templates WHERE company_id = $1 AND name = $2',
      [companyId, name],
      'label_template_find',
    );
    return row === undefined ? undefined : labelTemplateFromRow(row);
  }

  async saveLabelTemplate(companyId: number, name: string, definition: string, stamp: ChangeStamp): Promise<LabelTemplateRow> {
    // One statement either way: two saves of a new name at once make one version 1 and one version 2.
    const [row] = await this.#db.query<LabelTemplateDbRow>(
      `INSERT INTO label_templates (company_id, name, definition, version, created_at, created_by, updated_at, updated_by)
       VALUES ($1, $2, $3, 1, $4, $5, $4, $5)
       ON CONFLICT (company_id, name) DO UPDATE SET definition = excluded.definition, version = label_templates.version + 1,
         updated_at = excluded.updated_at, updated_by = excluded.updated_by
       RETURNING *`,
      [companyId, name, definition, stamp.at, stamp.actor],
    );
    return labelTemplateFromRow(row!);
  }

  async deleteLabelTemplate(companyId: number, name: string): Promise<boolean> {
    const rows = await this.#db.query('DELETE FROM label_templates WHERE company_id = $1 AND name = $2 RETURNING 1', [companyId, name]);
    return rows.length > 0;
  }

  // Scripts

  async listScripts(companyId: number): Promise<ScriptRow[]> {
    return (await this.#db.query<ScriptDbRow>('SELECT * FROM scripts WHERE company_id = $1 ORDER BY name', [companyId])).map(scriptFromRow);
  }

  async findScript(companyId: number, name: string): Promise<ScriptRow | undefined> {
    const [row] = await this.#db.query<ScriptDbRow>('SELECT * FROM scripts WHERE company_id = $1 AND name = $2', [companyId, name], 'script_find');
    return row === undefined ? undefined : scriptFromRow(row);
  }

  async saveScript(companyId: number, name: string, source: string, description: string, stamp: ChangeStamp): Promise<ScriptRow> {
    // One statement writes the row and its version. The upsert locks the row, so two saves of a
    // script at once make one version and then the next; two of a new name make versions 1 and 2.
    const [row] = await this.#db.query<ScriptDbRow>(
      `WITH saved AS (
         INSERT INTO scripts (company_id, name, version, source, description, created_at, created_by, updated_at, updated_by)
         VALUES ($1, $2, 1, $3, $4, $5, $6, $5, $6)
         ON CONFLICT (company_id, name) DO UPDATE SET source = excluded.source, description = excluded.description,
           version = scripts.version + 1, updated_at = excluded.updated_at, updated_by = excluded.updated_by
         RETURNING *
       ), kept AS (
         INSERT INTO script_versions (script_id, version, source, description, changed_at, changed_by, reason)
         SELECT id, version, source, description, $5, $6, $7 FROM saved
       )
       SELECT * FROM saved`,
      [companyId, name, source, description, stamp.at, stamp.actor, stamp.reason ?? null],
      'script_save',
    );
    return scriptFromRow(row!);
  }

  async listScriptVersions(scriptId: number): Promise<ScriptVersionRow[]> {
    const rows = await this.#db.query<ScriptVersionDbRow>('SELECT * FROM script_versions WHERE script_id = $1 ORDER BY version', [scriptId]);
    return rows.map(scriptVersionFromRow);
  }

  async findScriptVersion(scriptId: number, version: number): Promise<ScriptVersionRow | undefined> {
    const [row] = await this.#db.query<ScriptVersionDbRow>(
      'SELECT * FROM script_versions WHERE script_id = $1 AND version = $2',
      [scriptId, version],
      'script_version_find',
    );
    return row === undefined ? undefined : scriptVersionFromRow(row);
  }

  async insertScriptRun(run: NewScriptRun): Promise<number> {
    const [row] = await this.#db.query<{ id: number }>(
      `INSERT INTO script_runs (${SCRIPT_RUN_INSERT_COLUMNS}) VALUES (${placeholders(14)}) RETURNING id`,
      scriptRunValues(run),
      'script_run_insert',
    );
    return row!.id;
  }

  async listScriptRuns(filter: ScriptRunFilter): Promise<ScriptRunRow[]> {
    const where = ['r.company_id = $1'];
    const params: unknown[] = [filter.companyId];
    const add = (condition: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(condition(`$${params.length}`));
    };
    if (filter.scriptId !== undefined) add((p) => `r.script_id = ${p}`, filter.scriptId);
    if (filter.beforeId !== undefined) add((p) => `r.id < ${p}`, filter.beforeId);
    params.push(filter.limit);
    const rows = await this.#db.query<ScriptRunDbRow>(
      `SELECT ${SCRIPT_RUN_COLUMNS} FROM script_runs r JOIN scripts s ON s.id = r.script_id
       WHERE ${where.join(' AND ')} ORDER BY r.id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(scriptRunFromRow);
  }

  async findScriptRun(companyId: number, id: number): Promise<ScriptRunRow | undefined> {
    const [row] = await this.#db.query<ScriptRunDbRow>(
      `SELECT ${SCRIPT_RUN_COLUMNS} FROM script_runs r JOIN scripts s ON s.id = r.script_id WHERE r.id = $1 AND r.company_id = $2`,
      [id, companyId],
      'script_run_find',
    );
    return row === undefined ? undefined : scriptRunFromRow(row);
  }

  // Idempotency keys

  async findIdempotency(companyId: number, key: string): Promise<IdempotencyRow | undefined> {
    const [row] = await this.#db.query<IdempotencyDbRow>(
      'SELECT key, request_hash, response, created_at FROM idempotency_keys WHERE company_id = $1 AND key = $2',
      [companyId, key],
      'idempotency_find',
    );
    return row === undefined ? undefined : idempotencyFromRow(row);
  }

  async insertIdempotency(companyId: number, row: IdempotencyRow): Promise<void> {
    // A concurrent request with the same key makes this fail at COMMIT; the store runs the unit
    // again, and it then finds the key and replays the first answer.
    this.#db.hold(
      `INSERT INTO idempotency_keys (company_id, key, request_hash, response, created_at) VALUES ${rowLiteral([
        companyId,
        row.key,
        row.requestHash,
        row.response,
        row.createdAt,
      ])}`,
    );
  }

  // Companies, users, sessions and API keys

  async listCompanies(): Promise<CompanyRow[]> {
    return this.#db.query<CompanyRow>('SELECT id, name, created_at AS "createdAt" FROM companies ORDER BY id');
  }

  async findCompany(id: number): Promise<CompanyRow | undefined> {
    const [row] = await this.#db.query<CompanyRow>('SELECT id, name, created_at AS "createdAt" FROM companies WHERE id = $1', [id], 'company_find');
    return row;
  }

  async findCompanyByName(name: string): Promise<CompanyRow | undefined> {
    const [row] = await this.#db.query<CompanyRow>('SELECT id, name, created_at AS "createdAt" FROM companies WHERE name = $1', [name]);
    return row;
  }

  async insertCompany(name: string, at: string): Promise<CompanyRow> {
    const [row] = await this.#db.query<{ id: number }>('INSERT INTO companies (name, created_at) VALUES ($1, $2) RETURNING id', [name, at]);
    return { id: row!.id, name, createdAt: at };
  }

  async countUsers(): Promise<number> {
    const [row] = await this.#db.query<{ n: number }>('SELECT COUNT(*) AS n FROM users');
    return Number(row!.n);
  }

  async findUsersByName(username: string): Promise<UserRow[]> {
    return (await this.#db.query<UserDbRow>('SELECT * FROM users WHERE username = $1 ORDER BY id', [username], 'users_by_name')).map(userFromRow);
  }

  async findUserByName(companyId: number, username: string): Promise<UserRow | undefined> {
    const [row] = await this.#db.query<UserDbRow>('SELECT * FROM users WHERE company_id = $1 AND username = $2', [companyId, username], 'user_by_name');
    return row === undefined ? undefined : userFromRow(row);
  }

  async findUserById(id: number): Promise<UserRow | undefined> {
    const [row] = await this.#db.query<UserDbRow>('SELECT * FROM users WHERE id = $1', [id], 'user_by_id');
    return row === undefined ? undefined : userFromRow(row);
  }

  async listUsers(companyId: number): Promise<UserRow[]> {
    return (await this.#db.query<UserDbRow>('SELECT * FROM users WHERE company_id = $1 ORDER BY username', [companyId])).map(userFromRow);
  }

  async insertUser(user: NewUser): Promise<UserRow> {
    const [row] = await this.#db.query<{ id: number }>(
      `INSERT INTO users (company_id, username, password_hash, role, system_admin, disabled, must_change_password, created_at, created_by, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [
        user.companyId,
        user.username,
        user.passwordHash,
        user.role,
        user.systemAdmin,
        user.disabled,
        user.mustChangePassword,
        user.createdAt,
        user.createdBy,
        user.updatedAt,
      ],
    );
    return { id: row!.id, ...user };
  }

  async updateUser(id: number, changes: UserChanges, at: string): Promise<UserRow> {
    const current = await this.findUserById(id);
    if (current === undefined) throw new Error(`no user ${id}`);
    const next = { ...current, ...changes, updatedAt: at };
    await this.#db.query('UPDATE users SET role = $1, disabled = $2, password_hash = $3, must_change_password = $4, updated_at = $5 WHERE id = $6', [
      next.role,
      next.disabled,
      next.passwordHash,
      next.mustChangePassword,
      at,
      id,
    ]);
    return next;
  }

  async countActiveAdmins(companyId: number): Promise<number> {
    const [row] = await this.#db.query<{ n: number }>("SELECT COUNT(*) AS n FROM users WHERE company_id = $1 AND role = 'admin' AND NOT disabled", [companyId]);
    return Number(row!.n);
  }

  async insertSession(session: SessionRow): Promise<void> {
    await this.#db.query('INSERT INTO sessions (token_hash, user_id, company_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
      session.tokenHash,
      session.userId,
      session.companyId,
      session.createdAt,
      session.expiresAt,
    ]);
  }

  async findSession(tokenHash: string): Promise<SessionRow | undefined> {
    const [row] = await this.#db.query<SessionRow>(
      `SELECT token_hash AS "tokenHash", user_id AS "userId", company_id AS "companyId", created_at AS "createdAt", expires_at AS "expiresAt"
       FROM sessions WHERE token_hash = $1`,
      [tokenHash],
      'session_find',
    );
    return row;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.#db.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
  }

  async deleteUserSessions(userId: number, exceptTokenHash?: string): Promise<void> {
    await this.#db.query('DELETE FROM sessions WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2', [userId, exceptTokenHash ?? null]);
  }

  async deleteExpiredSessions(now: string): Promise<number> {
    const rows = await this.#db.query('DELETE FROM sessions WHERE expires_at <= $1 RETURNING 1', [now]);
    return rows.length;
  }

  async insertApiKey(key: ApiKeyRow): Promise<void> {
    await this.#db.query(
      `INSERT INTO api_keys (id, company_id, name, role, secret_hash, station, expires_at, created_at, created_by, revoked_at, revoked_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [key.id, key.companyId, key.name, key.role, key.secretHash, key.station, key.expiresAt, key.createdAt, key.createdBy, key.revokedAt, key.revokedBy],
    );
  }

  async findApiKey(id: string): Promise<ApiKeyRow | undefined> {
    const [row] = await this.#db.query<ApiKeyDbRow>('SELECT * FROM api_keys WHERE id = $1', [id], 'api_key_find');
    return row === undefined ? undefined : apiKeyFromRow(row);
  }

  async listApiKeys(companyId: number): Promise<ApiKeyRow[]> {
    return (await this.#db.query<ApiKeyDbRow>('SELECT * FROM api_keys WHERE company_id = $1 ORDER BY created_at, id', [companyId])).map(apiKeyFromRow);
  }

  async revokeApiKey(id: string, at: string, by: string): Promise<void> {
    await this.#db.query('UPDATE api_keys SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL', [at, by, id]);
  }

  async noteAccessChange(companyId: number): Promise<void> {
    // The company row is the audit chain's lock, which the same transaction takes anyway.
    await this.#db.query('UPDATE companies SET access_version = access_version + 1 WHERE id = $1', [companyId]);
  }

  async readAccessVersion(): Promise<number> {
    const [row] = await this.#db.query<{ version: number }>('SELECT COALESCE(SUM(access_version), 0)::bigint AS version FROM companies', [], 'access_version');
    return Number(row!.version);
  }

  // Audit chain

  async lockAuditHead(companyId: number): Promise<{ seq: number; hash: string } | undefined> {
    if (this.#readOnly) return this.#newestEntry(companyId);
    // The company row guards its chain and holds its head: whoever holds the row appends next, and
    // a row lock returns the row as the transaction it waited for left it. (FOR NO KEY UPDATE does
    // not block the key-share locks that inserts referencing the company take.)
    const [row] = await this.#db.query<{ chain_seq: number | null; chain_hash: string | null; global_series: number }>(
      'SELECT chain_seq, chain_hash, global_series FROM companies WHERE id = $1 FOR NO KEY UPDATE',
      [companyId],
      'audit_lock',
    );
    if (row === undefined) return undefined;
    this.#globalSeries.set(companyId, row.global_series);
    if (row.chain_seq !== null && row.chain_hash !== null) return { seq: row.chain_seq, hash: row.chain_hash };
    // A chain whose head was never kept on the row (none yet): its newest entry, read by a
    // statement whose snapshot is taken after the lock.
    return this.#newestEntry(companyId);
  }

  async #newestEntry(companyId: number): Promise<{ seq: number; hash: string } | undefined> {
    const [row] = await this.#db.query<{ seq: number; hash: string }>(
      'SELECT seq, hash FROM audit_log WHERE company_id = $1 ORDER BY seq DESC LIMIT 1',
      [companyId],
      'audit_head',
    );
    return row;
  }

  async appendAudit(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    this.#db.hold(
      `INSERT INTO audit_log (company_id, seq, at, actor, station, line, plant, reason, action, entity_type, entity_id, data, prev_hash, hash)
       VALUES ${entries
         .map((e) =>
           rowLiteral([
             e.companyId,
             e.seq,
             e.at,
             e.actor,
             e.station,
             e.line,
             e.plant,
             e.reason,
             e.action,
             e.entityType,
             e.entityId,
             e.data === null || e.data === undefined ? null : JSON.stringify(e.data),
             e.prevHash,
             e.hash,
           ]),
         )
         .join(', ')}`,
    );
    const heads = new Map<number, AuditEntry>();
    for (const e of entries) heads.set(e.companyId, e);
    for (const [companyId, head] of heads) {
      this.#db.hold(`UPDATE companies SET chain_seq = ${literal(head.seq)}, chain_hash = ${literal(head.hash)} WHERE id = ${literal(companyId)}`);
    }
  }

  async findAuditEntries(companyId: number, seqs: readonly number[]): Promise<AuditEntry[]> {
    if (seqs.length === 0) return [];
    const rows = await this.#db.query<AuditDbRow>('SELECT * FROM audit_log WHERE company_id = $1 AND seq = ANY($2::bigint[]) ORDER BY seq', [companyId, seqs], 'audit_by_seq');
    return rows.map(auditFromRow);
  }

  async readAuditHead(companyId: number): Promise<{ seq: number; hash: string } | null> {
    const [row] = await this.#db.query<{ chain_seq: number | null; chain_hash: string | null }>('SELECT chain_seq, chain_hash FROM companies WHERE id = $1', [companyId], 'audit_head_kept');
    return row === undefined || row.chain_seq === null || row.chain_hash === null ? null : { seq: Number(row.chain_seq), hash: row.chain_hash };
  }

  async listAudit(filter: AuditFilter): Promise<AuditEntry[]> {
    const where = ['company_id = $1'];
    const params: unknown[] = [filter.companyId];
    const add = (condition: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(condition(`$${params.length}`));
    };
    if (filter.afterSeq !== undefined) add((p) => `seq > ${p}`, filter.afterSeq);
    if (filter.beforeSeq !== undefined) add((p) => `seq < ${p}`, filter.beforeSeq);
    if (filter.entityType !== undefined) add((p) => `entity_type = ${p}`, filter.entityType);
    if (filter.entityId !== undefined) add((p) => `entity_id = ${p}`, filter.entityId);
    if (filter.action !== undefined) add((p) => `action = ${p}`, filter.action);
    params.push(filter.limit);
    const rows = await this.#db.query<AuditDbRow>(
      `SELECT * FROM audit_log WHERE ${where.join(' AND ')} ORDER BY seq ${filter.order === 'asc' ? 'ASC' : 'DESC'} LIMIT $${params.length}`,
      params,
    );
    return rows.map(auditFromRow);
  }
}

