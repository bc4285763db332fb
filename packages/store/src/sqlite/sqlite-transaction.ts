import { settingsToJson, type AuditEntry, type SeriesSettings } from '@serialtrace/core';
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
import {
  auditFromRow,
  idempotencyFromRow,
  jsonOnce,
  labelTemplateFromRow,
  leaseFromRow,
  RECORD_COLUMNS,
  RECORD_INSERT_COLUMNS,
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
} from '../row-mapping.js';
import { lockIssueStepByStep } from '../issue-locks.js';
import { SQLITE_FILTER, recordFilterSql } from '../record-filter-sql.js';
import { SqliteAccess } from './sqlite-access.js';
import type { SqliteConnection, SqliteStatement } from './sqlite-connection.js';

const sqliteFlag = (flag: boolean): number => (flag ? 1 : 0);

/** Prepared statements by SQL text, prepared once per connection. */
function statementCache(db: SqliteConnection): (sql: string) => SqliteStatement {
  const statements = new Map<string, SqliteStatement>();
  return (sql) => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
}

/**
 * The store port over one SQLite connection. Isolation comes from the enclosing BEGIN (IMMEDIATE
 * for writes): SQLite admits one writer at a time, so reading a counter is already locking it.
 * Companies, users, sessions and keys come from {@link SqliteAccess}.
 */
export class SqliteTransaction extends SqliteAccess implements StoreTransaction {
  readonly #sql: (sql: string) => SqliteStatement;

  constructor(db: SqliteConnection) {
    const sql = statementCache(db);
    super(sql);
    this.#sql = sql;
  }

  async findSeries(companyId: number, name: string): Promise<SeriesRow | undefined> {
    const row = this.#sql('SELECT * FROM series WHERE company_id = ? AND name = ?').get(companyId, name) as SeriesDbRow | undefined;
    return row === undefined ? undefined : seriesFromRow(row);
  }

  async findSeriesById(id: number): Promise<SeriesRow | undefined> {
    const row = this.#sql('SELECT * FROM series WHERE id = ?').get(id) as SeriesDbRow | undefined;
    return row === undefined ? undefined : seriesFromRow(row);
  }

  async findSeriesVersion(companyId: number, name: string): Promise<{ id: number; version: number } | undefined> {
    return this.#sql('SELECT id, version FROM series WHERE company_id = ? AND name = ?').get(companyId, name) as
      | { id: number; version: number }
      | undefined;
  }

  async findSeriesVersions(companyId: number, names: readonly string[]): Promise<{ id: number; name: string; version: number }[]> {
    return this.#sql('SELECT id, name, version FROM series WHERE company_id = ? AND name IN (SELECT value FROM json_each(?))').all(
      companyId,
      JSON.stringify(names),
    ) as { id: number; name: string; version: number }[];
  }

  async listSeries(companyId: number): Promise<SeriesRow[]> {
    const rows = this.#sql('SELECT * FROM series WHERE company_id = ? ORDER BY name').all(companyId) as SeriesDbRow[];
    return rows.map(seriesFromRow);
  }

  async insertSeries(companyId: number, settings: SeriesSettings, stamp: ChangeStamp): Promise<SeriesRow> {
    const info = this.#sql(
      `INSERT INTO series (${SETTINGS_COLUMNS.join(', ')}, company_id, version, created_at, created_by, updated_at, updated_by)
       VALUES (${SETTINGS_COLUMNS.map(() => '?').join(', ')}, ?, 1, ?, ?, ?, ?)`,
    ).run(...settingsValues(settings, sqliteFlag), companyId, stamp.at, stamp.actor, stamp.at, stamp.actor);
    const id = Number(info.lastInsertRowid);
    this.#insertVersion(id, 1, settings, stamp);
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

  #insertVersion(seriesId: number, version: number, settings: SeriesSettings, stamp: ChangeStamp): void {
    this.#sql('INSERT INTO series_versions (series_id, version, settings, changed_at, changed_by, reason) VALUES (?, ?, ?, ?, ?, ?)').run(
      seriesId,
      version,
      JSON.stringify(settingsToJson(settings)),
      stamp.at,
      stamp.actor,
      stamp.reason ?? null,
    );
  }

  async updateSeries(series: SeriesRow, settings: SeriesSettings, stamp: ChangeStamp): Promise<SeriesRow> {
    const version = series.version + 1;
    this.#sql(
      `UPDATE series SET ${SETTINGS_COLUMNS.map((c) => `${c} = ?`).join(', ')}, version = ?, updated_at = ?, updated_by = ? WHERE id = ?`,
    ).run(...settingsValues(settings, sqliteFlag), version, stamp.at, stamp.actor, series.id);
    this.#insertVersion(series.id, version, settings, stamp);
    return { ...series, settings, version, updatedAt: stamp.at, updatedBy: stamp.actor };
  }

  async listSeriesVersions(seriesId: number): Promise<SeriesVersionRow[]> {
    return (this.#sql('SELECT * FROM series_versions WHERE series_id = ? ORDER BY version').all(seriesId) as SeriesVersionDbRow[]).map(
      seriesVersionFromRow,
    );
  }

  async saveSeriesKey(seriesId: number, wrappedKey: string): Promise<void> {
    this.#sql('UPDATE series SET wrapped_key = ? WHERE id = ?').run(wrappedKey, seriesId);
  }

  async seriesHasIssued(seriesId: number): Promise<boolean> {
    // Records count even without a counter row (the port's promise). CASE looks at the counters
    // first: they are the cheap lookup, and generation always saves one, so records are rarely read.
    const row = this.#sql(
      `SELECT CASE WHEN EXISTS (SELECT 1 FROM counters WHERE series_id = ?) THEN 1
         ELSE EXISTS (SELECT 1 FROM records WHERE series_id = ?) END AS issued`,
    ).get(seriesId, seriesId) as { issued: number };
    return row.issued === 1;
  }

  async lockCounter(seriesId: number, period: string): Promise<bigint | undefined> {
    return this.readCounter(seriesId, period);
  }

  async lockIssue(companyId: number, seriesId: number, period: string, expect?: { readonly name: string; readonly version: number }): Promise<IssueLocks> {
    return lockIssueStepByStep(this, companyId, seriesId, period, expect);
  }

  async readCounter(seriesId: number, period: string): Promise<bigint | undefined> {
    const row = this.#sql('SELECT value FROM counters WHERE series_id = ? AND period = ?').get(seriesId, period) as
      | { value: string }
      | undefined;
    return row === undefined ? undefined : BigInt(row.value);
  }

  async saveCounter(seriesId: number, period: string, value: bigint, at: string): Promise<void> {
    this.#sql(
      `INSERT INTO counters (series_id, period, value, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (series_id, period) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    ).run(seriesId, period, value.toString(), at);
  }

  // SQLite has one writer at a time: what a write transaction reads is already held.

  async lockOpenLease(seriesId: number, period: string, owner: string): Promise<LeaseRow | undefined> {
    const row = this.#sql('SELECT * FROM counter_leases WHERE series_id = ? AND period = ? AND owner = ? AND released_at IS NULL ORDER BY id LIMIT 1').get(
      seriesId,
      period,
      owner,
    ) as LeaseDbRow | undefined;
    return row === undefined ? undefined : leaseFromRow(row);
  }

  async lockOpenLeases(filter: LeaseFilter): Promise<LeaseRow[]> {
    const where = ['released_at IS NULL'];
    const params: unknown[] = [];
    if (filter.owner !== undefined) {
      where.push('owner = ?');
      params.push(filter.owner);
    }
    if (filter.companyId !== undefined) {
      where.push('company_id = ?');
      params.push(filter.companyId);
    }
    if (filter.expiredBefore !== undefined) {
      where.push('expires_at < ?');
      params.push(filter.expiredBefore);
    }
    if (filter.seriesId !== undefined) {
      where.push('series_id = ?');
      params.push(filter.seriesId);
    }
    const rows = this.#sql(`SELECT * FROM counter_leases WHERE ${where.join(' AND ')} ORDER BY id`).all(...params) as LeaseDbRow[];
    return rows.map(leaseFromRow);
  }

  async insertLease(lease: NewLease): Promise<LeaseRow> {
    const info = this.#sql(
      'INSERT INTO counter_leases (company_id, series_id, period, owner, used, last_value, leased_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(lease.companyId, lease.seriesId, lease.period, lease.owner, lease.used.toString(), lease.last.toString(), lease.leasedAt, lease.expiresAt);
    return { ...lease, id: Number(info.lastInsertRowid), releasedAt: null };
  }

  async saveLease(id: number, used: bigint, expiresAt: string): Promise<void> {
    this.#sql('UPDATE counter_leases SET used = ?, expires_at = ? WHERE id = ?').run(used.toString(), expiresAt, id);
  }

  async releaseLease(id: number, used: bigint, at: string): Promise<void> {
    this.#sql('UPDATE counter_leases SET used = ?, released_at = ? WHERE id = ?').run(used.toString(), at, id);
  }

  async findTakenSerials(
    companyId: number,
    seriesId: number,
    global: boolean,
    serials: readonly string[],
  ): Promise<TakenSerial[]> {
    const rows = this.#sql(
      `SELECT r.serial, r.series_id, s.name FROM records r JOIN series s ON s.id = r.series_id
       WHERE r.company_id = ? AND r.serial IN (SELECT value FROM json_each(?))
         AND r.series_id <> ? AND (? = 1 OR s.is_global = 1)`,
    ).all(companyId, JSON.stringify(serials), seriesId, global ? 1 : 0) as { serial: string; series_id: number; name: string }[];
    return rows.map((r) => ({ serial: r.serial, seriesId: r.series_id, seriesName: r.name }));
  }

  async insertRecords(records: readonly NewRecord[]): Promise<(number | null)[]> {
    const insert = this.#sql(
      `INSERT INTO records (${RECORD_INSERT_COLUMNS})
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (company_id, serial, series_id) DO NOTHING`,
    );
    const ids = new Array<number | null>(records.length);
    // A batch shares its context and metadata objects: serialise each of them once.
    const json = { context: jsonOnce(), metadata: jsonOnce() };
    for (let i = 0; i < records.length; i++) {
      const info = insert.run(...recordValues(records[i]!, json));
      ids[i] = info.changes === 0 ? null : Number(info.lastInsertRowid);
    }
    return ids;
  }

  async hasGlobalSeries(companyId: number, exceptSeriesId: number): Promise<boolean> {
    return this.#sql('SELECT 1 FROM series WHERE company_id = ? AND is_global = 1 AND id <> ? LIMIT 1').get(companyId, exceptSeriesId) !== undefined;
  }

  async findRecordsBySerial(companyId: number, serial: string, seriesId?: number): Promise<RecordRow[]> {
    const rows =
      seriesId === undefined
        ? this.#sql(
            `SELECT ${RECORD_COLUMNS} FROM records r JOIN series s ON s.id = r.series_id WHERE r.company_id = ? AND r.serial = ? ORDER BY r.id`,
          ).all(companyId, serial)
        : this.#sql(
            `SELECT ${RECORD_COLUMNS} FROM records r JOIN series s ON s.id = r.series_id WHERE r.series_id = ? AND r.serial = ? AND r.company_id = ?`,
          ).all(seriesId, serial, companyId);
    return (rows as RecordDbRow[]).map(recordFromRow);
  }

  async findRecords(filter: RecordFilter): Promise<RecordRow[]> {
    // Without a work order or part number (whose indexes keep ids in order), SQLite would look
    // the company up in the serial index and then sort every record of it before the LIMIT:
    // close to a second per page on a million records. `+` keeps it off that index, so it walks
    // the table newest first and stops after the page. A lot has its own index, like a work order.
    const byIdOrder = filter.workOrder === undefined && filter.partNumber === undefined && filter.lot === undefined;
    const { where, params } = recordFilterSql(filter, SQLITE_FILTER, byIdOrder ? { companyColumn: '+r.company_id' } : {});
    const rows = this.#sql(
      `SELECT ${RECORD_COLUMNS} FROM records r JOIN series s ON s.id = r.series_id
       WHERE ${where} ORDER BY r.id DESC LIMIT ?`,
    ).all(...params, filter.limit) as RecordDbRow[];
    return rows.map(recordFromRow);
  }

  async countRecords(filter: RecordCountFilter): Promise<number> {
    const { where, params } = recordFilterSql(filter, SQLITE_FILTER);
    const row = this.#sql(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM records r WHERE ${where} LIMIT ?)`).get(...params, filter.cap) as { n: number };
    return Number(row.n);
  }

  async findRecordsByIds(ids: readonly number[]): Promise<RecordRow[]> {
    const rows = this.#sql(
      `SELECT ${RECORD_COLUMNS} FROM records r JOIN series s ON s.id = r.series_id
       WHERE r.id IN (SELECT value FROM json_each(?)) ORDER BY r.id`,
    ).all(JSON.stringify(ids)) as RecordDbRow[];
    return rows.map(recordFromRow);
  }

  async updateRecordStatus(recordId: number, status: string, at: string): Promise<void> {
    this.#sql('UPDATE records SET status = ?, updated_at = ? WHERE id = ?').run(status, at, recordId);
  }

  async insertStatusChanges(changes: readonly NewStatusChange[]): Promise<void> {
    const insert = this.#sql(
      'INSERT INTO record_history (record_id, from_status, to_status, at, actor, station, reason, data, audit_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    for (const c of changes) {
      insert.run(
        c.recordId,
        c.fromStatus,
        c.toStatus,
        c.at,
        c.actor,
        c.station,
        c.reason,
        c.data === null || c.data === undefined ? null : JSON.stringify(c.data),
        c.auditSeq,
      );
    }
  }

  async listStatusChanges(recordId: number): Promise<StatusChangeRow[]> {
    return (this.#sql('SELECT * FROM record_history WHERE record_id = ? ORDER BY id').all(recordId) as HistoryDbRow[]).map(statusChangeFromRow);
  }

  async listStatusChangesOf(recordIds: readonly number[]): Promise<StatusChangeRow[]> {
    if (recordIds.length === 0) return [];
    const rows = this.#sql('SELECT * FROM record_history WHERE record_id IN (SELECT value FROM json_each(?)) ORDER BY id').all(JSON.stringify(recordIds));
    return (rows as HistoryDbRow[]).map(statusChangeFromRow);
  }

  async countLabelPrint(recordId: number, at: string): Promise<number> {
    const row = this.#sql('UPDATE records SET label_prints = label_prints + 1, updated_at = ? WHERE id = ? RETURNING label_prints').get(at, recordId) as
      | { label_prints: number }
      | undefined;
    if (row === undefined) throw new Error(`no record ${recordId}`);
    return row.label_prints;
  }

  async listLabelTemplates(companyId: number): Promise<LabelTemplateRow[]> {
    const rows = this.#sql('SELECT * FROM label_templates WHERE company_id = ? ORDER BY name').all(companyId) as LabelTemplateDbRow[];
    return rows.map(labelTemplateFromRow);
  }

  async findLabelTemplate(companyId: number, name: string): Promise<LabelTemplateRow | undefined> {
    const row = this.#sql('SELECT * FROM label_templates WHERE company_id = ? AND name = ?').get(companyId, name) as LabelTemplateDbRow | undefined;
    return row === undefined ? undefined : labelTemplateFromRow(row);
  }

  async saveLabelTemplate(companyId: number, name: string, definition: string, stamp: ChangeStamp): Promise<LabelTemplateRow> {
    const row = this.#sql(
      `INSERT INTO label_templates (company_id, name, definition, version, created_at, created_by, updated_at, updated_by)
       VALUES (?, ?, ?, 1, ?, ?, ?, ?)
       ON CONFLICT (company_id, name) DO UPDATE SET definition = excluded.definition, version = label_templates.version + 1,
         updated_at = excluded.updated_at, updated_by = excluded.updated_by
       RETURNING *`,
    ).get(companyId, name, definition, stamp.at, stamp.actor, stamp.at, stamp.actor) as LabelTemplateDbRow;
    return labelTemplateFromRow(row);
  }

  async deleteLabelTemplate(companyId: number, name: string): Promise<boolean> {
    return this.#sql('DELETE FROM label_templates WHERE company_id = ? AND name = ?').run(companyId, name).changes > 0;
  }

  async listScripts(companyId: number): Promise<ScriptRow[]> {
    return (this.#sql('SELECT * FROM scripts WHERE company_id = ? ORDER BY name').all(companyId) as ScriptDbRow[]).map(scriptFromRow);
  }

  async findScript(companyId: number, name: string): Promise<ScriptRow | undefined> {
    const row = this.#sql('SELECT * FROM scripts WHERE company_id = ? AND name = ?').get(companyId, name) as ScriptDbRow | undefined;
    return row === undefined ? undefined : scriptFromRow(row);
  }

  async saveScript(companyId: number, name: string, source: string, description: string, stamp: ChangeStamp): Promise<ScriptRow> {
    const row = this.#sql(
      `INSERT INTO scripts (company_id, name, version, source, description, created_at, created_by, updated_at, updated_by)
       VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (company_id, name) DO UPDATE SET source = excluded.source, description = excluded.description,
         version = scripts.version + 1, updated_at = excluded.updated_at, updated_by = excluded.updated_by
       RETURNING *`,
    ).get(companyId, name, source, description, stamp.at, stamp.actor, stamp.at, stamp.actor) as ScriptDbRow;
    this.#sql(
      'INSERT INTO script_versions (script_id, version, source, description, changed_at, changed_by, reason) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(row.id, row.version, source, description, stamp.at, stamp.actor, stamp.reason ?? null);
    return scriptFromRow(row);
  }

  async listScriptVersions(scriptId: number): Promise<ScriptVersionRow[]> {
    return (this.#sql('SELECT * FROM script_versions WHERE script_id = ? ORDER BY version').all(scriptId) as ScriptVersionDbRow[]).map(
      scriptVersionFromRow,
    );
  }

  async findScriptVersion(scriptId: number, version: number): Promise<ScriptVersionRow | undefined> {
    const row = this.#sql('SELECT * FROM script_versions WHERE script_id = ? AND version = ?').get(scriptId, version) as
      | ScriptVersionDbRow
      | undefined;
    return row === undefined ? undefined : scriptVersionFromRow(row);
  }

  async insertScriptRun(run: NewScriptRun): Promise<number> {
    const info = this.#sql(`INSERT INTO script_runs (${SCRIPT_RUN_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      ...scriptRunValues(run),
    );
    return Number(info.lastInsertRowid);
  }

  async listScriptRuns(filter: ScriptRunFilter): Promise<ScriptRunRow[]> {
    const where = ['r.company_id = ?'];
    const params: unknown[] = [filter.companyId];
    if (filter.scriptId !== undefined) {
      where.push('r.script_id = ?');
      params.push(filter.scriptId);
    }
    if (filter.beforeId !== undefined) {
      where.push('r.id < ?');
      params.push(filter.beforeId);
    }
    const rows = this.#sql(
      `SELECT ${SCRIPT_RUN_COLUMNS} FROM script_runs r JOIN scripts s ON s.id = r.script_id
       WHERE ${where.join(' AND ')} ORDER BY r.id DESC LIMIT ?`,
    ).all(...params, filter.limit) as ScriptRunDbRow[];
    return rows.map(scriptRunFromRow);
  }

  async findScriptRun(companyId: number, id: number): Promise<ScriptRunRow | undefined> {
    const row = this.#sql(`SELECT ${SCRIPT_RUN_COLUMNS} FROM script_runs r JOIN scripts s ON s.id = r.script_id WHERE r.id = ? AND r.company_id = ?`).get(
      id,
      companyId,
    ) as ScriptRunDbRow | undefined;
    return row === undefined ? undefined : scriptRunFromRow(row);
  }

  async findIdempotency(companyId: number, key: string): Promise<IdempotencyRow | undefined> {
    const row = this.#sql('SELECT key, request_hash, response, created_at FROM idempotency_keys WHERE company_id = ? AND key = ?').get(
      companyId,
      key,
    ) as IdempotencyDbRow | undefined;
    return row === undefined ? undefined : idempotencyFromRow(row);
  }

  async insertIdempotency(companyId: number, row: IdempotencyRow): Promise<void> {
    this.#sql('INSERT INTO idempotency_keys (company_id, key, request_hash, response, created_at) VALUES (?, ?, ?, ?, ?)').run(
      companyId,
      row.key,
      row.requestHash,
      row.response,
      row.createdAt,
    );
  }

  async lockAuditHead(companyId: number): Promise<{ seq: number; hash: string } | undefined> {
    // The one writer holds the chain; the company row keeps its head, so entries cut off the end
    // of the table are not silently chained over.
    const head = await this.readAuditHead(companyId);
    return head ?? undefined;
  }

  async readAuditHead(companyId: number): Promise<{ seq: number; hash: string } | null> {
    const row = this.#sql('SELECT chain_seq, chain_hash FROM companies WHERE id = ?').get(companyId) as { chain_seq: number | null; chain_hash: string | null } | undefined;
    return row === undefined || row.chain_seq === null || row.chain_hash === null ? null : { seq: row.chain_seq, hash: row.chain_hash };
  }

  async findAuditEntries(companyId: number, seqs: readonly number[]): Promise<AuditEntry[]> {
    if (seqs.length === 0) return [];
    const rows = this.#sql('SELECT * FROM audit_log WHERE company_id = ? AND seq IN (SELECT value FROM json_each(?)) ORDER BY seq').all(companyId, JSON.stringify(seqs));
    return (rows as AuditDbRow[]).map(auditFromRow);
  }

  async appendAudit(entries: readonly AuditEntry[]): Promise<void> {
    const insert = this.#sql(
      `INSERT INTO audit_log (company_id, seq, at, actor, station, line, plant, reason, action, entity_type, entity_id, data, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const e of entries) {
      insert.run(
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
      );
    }
    const heads = new Map<number, AuditEntry>();
    for (const e of entries) heads.set(e.companyId, e);
    const keep = this.#sql('UPDATE companies SET chain_seq = ?, chain_hash = ? WHERE id = ?');
    for (const [companyId, head] of heads) keep.run(head.seq, head.hash, companyId);
  }

  async listAudit(filter: AuditFilter): Promise<AuditEntry[]> {
    const where = ['company_id = ?'];
    const params: unknown[] = [filter.companyId];
    if (filter.afterSeq !== undefined) {
      where.push('seq > ?');
      params.push(filter.afterSeq);
    }
    if (filter.beforeSeq !== undefined) {
      where.push('seq < ?');
      params.push(filter.beforeSeq);
    }
    if (filter.entityType !== undefined) {
      where.push('entity_type = ?');
      params.push(filter.entityType);
    }
    if (filter.entityId !== undefined) {
      where.push('entity_id = ?');
      params.push(filter.entityId);
    }
    if (filter.action !== undefined) {
      where.push('action = ?');
      params.push(filter.action);
    }
    params.push(filter.limit);
    const rows = this.#sql(
      `SELECT * FROM audit_log WHERE ${where.join(' AND ')} ORDER BY seq ${filter.order === 'asc' ? 'ASC' : 'DESC'} LIMIT ?`,
    ).all(...params) as AuditDbRow[];
    return rows.map(auditFromRow);
  }
}
