import { parseShiftCalendar, settingsFromJson, settingsToJson, type SeriesSettings, type SeriesSettingsJson } from '@serialtrace/core';
import { columnsOf, insertText, setText } from '../../schema/tables.js';
import { sql } from '../../sql/sql-query.js';
import type { SqlSession } from '../../sql/sql-session.js';
import { flag, type ChangeStamp, type DbFlag } from '../change-stamp.js';

/** A stored series: its settings plus identity and version bookkeeping. */
export interface SeriesRow {
  readonly id: number;
  readonly companyId: number;
  readonly settings: SeriesSettings;
  /** 1 on creation, +1 on every change. */
  readonly version: number;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
  /**
   * A randomised series' secret key, encrypted under the server master key (never the key
   * itself); `null` for other series. Not a setting: it is not versioned, audited or answered.
   */
  readonly wrappedKey: string | null;
}

export interface SeriesVersionRow {
  readonly seriesId: number;
  readonly version: number;
  readonly settings: SeriesSettings;
  readonly changedAt: string;
  readonly changedBy: string;
  readonly reason: string | null;
}

/**
 * Series and their versions. Every change is a new version row beside the series row, in the
 * same transaction; a company counts its global series on its row, which generation reads with
 * the locks it takes (see `CountersStore.lockIssue`).
 *
 * @example const series = await tx.series.find(1, 'Widgets');
 */
export interface SeriesStore {
  find(companyId: number, name: string): Promise<SeriesRow | undefined>;
  findById(id: number): Promise<SeriesRow | undefined>;
  /** Only the id and version (a check that a copy held in memory is current). */
  findVersion(companyId: number, name: string): Promise<{ id: number; version: number } | undefined>;
  /** {@link findVersion} for several names at once (the ones that exist). */
  findVersions(companyId: number, names: readonly string[]): Promise<{ id: number; name: string; version: number }[]>;
  list(companyId: number): Promise<SeriesRow[]>;
  insert(companyId: number, settings: SeriesSettings, stamp: ChangeStamp): Promise<SeriesRow>;
  /** Saves new settings as the next version. */
  update(series: SeriesRow, settings: SeriesSettings, stamp: ChangeStamp): Promise<SeriesRow>;
  versions(seriesId: number): Promise<SeriesVersionRow[]>;
  /** Stores a randomised series' wrapped key (set once, when the series becomes randomised). */
  saveKey(seriesId: number, wrappedKey: string): Promise<void>;
  /** Whether the series has issued anything (records or consumed counter values). */
  hasIssued(seriesId: number): Promise<boolean>;
  /** The ids of the company's global series (a company has few, usually none). */
  globalSeriesIds(companyId: number): Promise<number[]>;
}

interface SeriesDbRow {
  id: number;
  company_id: number;
  name: string;
  description: string;
  format: string;
  base: string;
  start_value: string;
  increment: string;
  min_length: number;
  reset_rule: string;
  time_zone: string;
  shift_starts: string | null;
  is_global: DbFlag;
  allow_growth: DbFlag;
  allocation: string;
  lease_size: number;
  gtin: string | null;
  sscc: DbFlag;
  company_prefix: string | null;
  extension_digit: number | null;
  randomized: DbFlag;
  wrapped_key: string | null;
  version: number;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

interface SeriesVersionDbRow {
  series_id: number;
  version: number;
  settings: string;
  changed_at: string;
  changed_by: string;
  reason: string | null;
}

/** The columns that hold a series' settings; {@link settingsParams} gives their values by name. */
const SETTINGS_COLUMNS = [
  'name',
  'description',
  'format',
  'base',
  'start_value',
  'increment',
  'min_length',
  'reset_rule',
  'time_zone',
  'shift_starts',
  'is_global',
  'allow_growth',
  'allocation',
  'lease_size',
  'gtin',
  'sscc',
  'company_prefix',
  'extension_digit',
  'randomized',
] as const;

function settingsParams(settings: SeriesSettings): Record<(typeof SETTINGS_COLUMNS)[number], unknown> {
  const calendar = settingsToJson(settings).shiftStarts;
  return {
    name: settings.name,
    description: settings.description,
    format: settings.format,
    base: settings.base,
    start_value: settings.start.toString(),
    increment: settings.increment.toString(),
    min_length: settings.minLength,
    reset_rule: settings.reset,
    time_zone: settings.timeZone,
    shift_starts: calendar === null ? null : JSON.stringify(calendar.map((s) => `${s.label}=${s.start}`)),
    is_global: settings.global,
    allow_growth: settings.allowGrowth,
    allocation: settings.allocation,
    lease_size: settings.leaseSize,
    gtin: settings.gtin,
    sscc: settings.sscc,
    company_prefix: settings.companyPrefix,
    extension_digit: settings.extensionDigit,
    randomized: settings.randomized,
  };
}

function seriesFromRow(row: SeriesDbRow): SeriesRow {
  return {
    id: row.id,
    companyId: row.company_id,
    settings: {
      name: row.name,
      description: row.description,
      format: row.format,
      base: row.base as SeriesSettings['base'],
      start: BigInt(row.start_value),
      increment: BigInt(row.increment),
      minLength: row.min_length,
      reset: row.reset_rule as SeriesSettings['reset'],
      timeZone: row.time_zone,
      shiftStarts: row.shift_starts === null ? null : parseShiftCalendar(JSON.parse(row.shift_starts) as string[]),
      global: flag(row.is_global),
      allowGrowth: flag(row.allow_growth),
      allocation: row.allocation as SeriesSettings['allocation'],
      leaseSize: row.lease_size,
      gtin: row.gtin,
      sscc: flag(row.sscc),
      companyPrefix: row.company_prefix,
      extensionDigit: row.extension_digit,
      randomized: flag(row.randomized),
    },
    version: row.version,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
    wrappedKey: row.wrapped_key,
  };
}

const FIND = sql<SeriesDbRow>('series_find', 'SELECT * FROM series WHERE company_id = :company AND name = :name');
const FIND_BY_ID = sql<SeriesDbRow>('series_by_id', 'SELECT * FROM series WHERE id = :id');
const FIND_VERSION = sql<{ id: number; version: number }>('series_version', 'SELECT id, version FROM series WHERE company_id = :company AND name = :name');
const FIND_VERSIONS = sql<{ id: number; name: string; version: number }>(
  'series_versions_of',
  'SELECT id, name, version FROM series WHERE company_id = :company AND name IN :names[]',
);
const LIST = sql<SeriesDbRow>('series_list', 'SELECT * FROM series WHERE company_id = :company ORDER BY name');
const INSERT = sql<{ id: number }>(
  'series_insert',
  insertText('series', [...SETTINGS_COLUMNS, 'company_id', 'version', 'created_at', 'created_by', 'updated_at', 'updated_by'], 'RETURNING id'),
);
const UPDATE = sql(
  'series_update',
  `UPDATE series SET ${setText('series', [...SETTINGS_COLUMNS, 'version', 'updated_at', 'updated_by'])} WHERE id = :id`,
);
const INSERT_VERSION = sql('series_version_insert', insertText('series_versions', columnsOf('series_versions')));
const LIST_VERSIONS = sql<SeriesVersionDbRow>('series_versions_list', 'SELECT * FROM series_versions WHERE series_id = :series ORDER BY version');
const SAVE_KEY = sql('series_key_save', 'UPDATE series SET wrapped_key = :key WHERE id = :id');
// Records count even without a counter row. CASE looks at the counters first: they are the cheap
// lookup, and generation always saves one, so records are rarely read.
const HAS_ISSUED = sql<{ issued: DbFlag }>(
  'series_has_issued',
  `SELECT CASE WHEN EXISTS (SELECT 1 FROM counters WHERE series_id = :series) THEN 1
     WHEN EXISTS (SELECT 1 FROM records WHERE series_id = :series) THEN 1 ELSE 0 END AS issued`,
);
const GLOBAL_IDS = sql<{ id: number }>('series_global_ids', 'SELECT id FROM series WHERE company_id = :company AND is_global = :yes ORDER BY id');
/**
 * A series turning global (or a global one created) holds the company FOR UPDATE: issues take a
 * KEY SHARE lock on it, so this waits for those in flight, and issues after it see the new count
 * and take turns company-wide (see `CountersStore.lockIssue`).
 */
const HOLD_COMPANY = sql('series_hold_company', 'SELECT id FROM companies WHERE id = :company [[FOR UPDATE]]');
const COUNT_GLOBAL = sql('series_count_global', 'UPDATE companies SET global_series = global_series + :delta WHERE id = :company');

/** {@link SeriesStore} written once for both engines. */
export class SqlSeriesStore implements SeriesStore {
  constructor(private readonly db: SqlSession) {}

  async find(companyId: number, name: string): Promise<SeriesRow | undefined> {
    const row = await this.db.get(FIND, { company: companyId, name });
    return row === undefined ? undefined : seriesFromRow(row);
  }

  async findById(id: number): Promise<SeriesRow | undefined> {
    const row = await this.db.get(FIND_BY_ID, { id });
    return row === undefined ? undefined : seriesFromRow(row);
  }

  findVersion(companyId: number, name: string): Promise<{ id: number; version: number } | undefined> {
    return this.db.get(FIND_VERSION, { company: companyId, name });
  }

  findVersions(companyId: number, names: readonly string[]): Promise<{ id: number; name: string; version: number }[]> {
    return this.db.all(FIND_VERSIONS, { company: companyId, names });
  }

  async list(companyId: number): Promise<SeriesRow[]> {
    return (await this.db.all(LIST, { company: companyId })).map(seriesFromRow);
  }

  async insert(companyId: number, settings: SeriesSettings, stamp: ChangeStamp): Promise<SeriesRow> {
    const row = await this.db.get(INSERT, {
      ...settingsParams(settings),
      company_id: companyId,
      version: 1,
      created_at: stamp.at,
      created_by: stamp.actor,
      updated_at: stamp.at,
      updated_by: stamp.actor,
    });
    const id = row!.id;
    this.#insertVersion(id, 1, settings, stamp);
    if (settings.global) await this.#countGlobal(companyId, 1);
    return { id, companyId, settings, version: 1, createdAt: stamp.at, createdBy: stamp.actor, updatedAt: stamp.at, updatedBy: stamp.actor, wrappedKey: null };
  }

  async update(series: SeriesRow, settings: SeriesSettings, stamp: ChangeStamp): Promise<SeriesRow> {
    const version = series.version + 1;
    await this.db.run(UPDATE, { ...settingsParams(settings), version, updated_at: stamp.at, updated_by: stamp.actor, id: series.id });
    this.#insertVersion(series.id, version, settings, stamp);
    if (settings.global !== series.settings.global) await this.#countGlobal(series.companyId, settings.global ? 1 : -1);
    return { ...series, settings, version, updatedAt: stamp.at, updatedBy: stamp.actor };
  }

  async #countGlobal(companyId: number, delta: number): Promise<void> {
    await this.db.get(HOLD_COMPANY, { company: companyId });
    this.db.later(COUNT_GLOBAL, { delta, company: companyId });
  }

  #insertVersion(seriesId: number, version: number, settings: SeriesSettings, stamp: ChangeStamp): void {
    this.db.later(INSERT_VERSION, {
      series_id: seriesId,
      version,
      settings: JSON.stringify(settingsToJson(settings)),
      changed_at: stamp.at,
      changed_by: stamp.actor,
      reason: stamp.reason ?? null,
    });
  }

  async versions(seriesId: number): Promise<SeriesVersionRow[]> {
    return (await this.db.all(LIST_VERSIONS, { series: seriesId })).map((row) => ({
      seriesId: row.series_id,
      version: row.version,
      settings: settingsFromJson(JSON.parse(row.settings) as SeriesSettingsJson),
      changedAt: row.changed_at,
      changedBy: row.changed_by,
      reason: row.reason,
    }));
  }

  async saveKey(seriesId: number, wrappedKey: string): Promise<void> {
    await this.db.run(SAVE_KEY, { key: wrappedKey, id: seriesId });
  }

  async hasIssued(seriesId: number): Promise<boolean> {
    const row = await this.db.get(HAS_ISSUED, { series: seriesId });
    return flag(row!.issued);
  }

  async globalSeriesIds(companyId: number): Promise<number[]> {
    return (await this.db.all(GLOBAL_IDS, { company: companyId, yes: true })).map((r) => r.id);
  }
}
