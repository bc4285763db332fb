import {
  parseRole,
  RECORD_STATUSES,
  parseShiftCalendar,
  settingsFromJson,
  settingsToJson,
  type SeriesSettingsJson,
  type AuditEntry,
  type RecordStatus,
  type SeriesSettings,
} from '@serialtrace/core';
import type { ApiKeyRow, UserRow } from './access-types.js';
import type {
  IdempotencyRow,
  LabelTemplateRow,
  LeaseRow,
  NewRecord,
  NewScriptRun,
  RecordRow,
  ScriptRow,
  ScriptRunRow,
  ScriptRunStatus,
  ScriptVersionRow,
  SeriesRow,
  SeriesVersionRow,
  StatusChangeRow,
} from './store-types.js';

/**
 * Rows as both engines return them, and their conversion to the port's types. SQLite gives
 * booleans as 0/1 and PostgreSQL as true/false; everything else reads alike.
 */
export interface SeriesDbRow {
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
  is_global: number | boolean;
  allow_growth: number | boolean;
  allocation: string;
  lease_size: number;
  gtin: string | null;
  sscc: number | boolean;
  company_prefix: string | null;
  extension_digit: number | null;
  randomized: number | boolean;
  wrapped_key: string | null;
  version: number;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

export interface RecordDbRow {
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
  audit_seq: number | null;
  lot: string | null;
  expiry: string | null;
  label_prints: number;
}

export interface AuditDbRow {
  company_id: number;
  seq: number;
  at: string;
  actor: string;
  station: string | null;
  line: string | null;
  plant: string | null;
  reason: string | null;
  action: string;
  entity_type: string;
  entity_id: string;
  data: string | null;
  prev_hash: string;
  hash: string;
}

export function toStatus(value: string): RecordStatus {
  if ((RECORD_STATUSES as readonly string[]).includes(value)) return value as RecordStatus;
  throw new Error(`unknown status in the database: ${value}`);
}

export function seriesFromRow(row: SeriesDbRow): SeriesRow {
  const settings: SeriesSettings = {
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
    global: row.is_global === 1 || row.is_global === true,
    allowGrowth: row.allow_growth === 1 || row.allow_growth === true,
    allocation: row.allocation as SeriesSettings['allocation'],
    leaseSize: row.lease_size,
    gtin: row.gtin,
    sscc: row.sscc === 1 || row.sscc === true,
    companyPrefix: row.company_prefix,
    extensionDigit: row.extension_digit,
    randomized: row.randomized === 1 || row.randomized === true,
  };
  return {
    id: row.id,
    companyId: row.company_id,
    settings,
    version: row.version,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
    wrappedKey: row.wrapped_key,
  };
}

/** The series columns that hold settings, in the order {@link settingsValues} gives their values. */
export const SETTINGS_COLUMNS = [
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

/** `booleans` turns a flag into what the engine stores (1/0 for SQLite, itself for PostgreSQL). */
export function settingsValues(settings: SeriesSettings, booleans: (flag: boolean) => unknown): unknown[] {
  const calendar = settingsToJson(settings).shiftStarts;
  return [
    settings.name,
    settings.description,
    settings.format,
    settings.base,
    settings.start.toString(),
    settings.increment.toString(),
    settings.minLength,
    settings.reset,
    settings.timeZone,
    calendar === null ? null : JSON.stringify(calendar.map((s) => `${s.label}=${s.start}`)),
    booleans(settings.global),
    booleans(settings.allowGrowth),
    settings.allocation,
    settings.leaseSize,
    settings.gtin,
    booleans(settings.sscc),
    settings.companyPrefix,
    settings.extensionDigit,
    booleans(settings.randomized),
  ];
}

export function recordFromRow(row: RecordDbRow): RecordRow {
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
    context: row.context === null ? {} : (JSON.parse(row.context) as Record<string, string>),
    metadata: row.metadata === null ? null : (JSON.parse(row.metadata) as unknown),
    generatedAt: row.generated_at,
    generatedBy: row.generated_by,
    station: row.station,
    updatedAt: row.updated_at,
    auditSeq: row.audit_seq,
    lot: row.lot,
    expiry: row.expiry,
    labelPrints: row.label_prints,
  };
}

export function auditFromRow(row: AuditDbRow): AuditEntry {
  return {
    seq: row.seq,
    companyId: row.company_id,
    at: row.at,
    actor: row.actor,
    station: row.station,
    line: row.line,
    plant: row.plant,
    reason: row.reason,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    data: row.data === null ? null : (JSON.parse(row.data) as unknown),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** JSON.stringify that remembers its last input, for batches whose rows share one object. */
export function jsonOnce(): (value: unknown) => string {
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

/** `LIKE` pattern matching `text` anywhere, with the pattern characters escaped. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export interface UserDbRow {
  id: number;
  company_id: number;
  username: string;
  password_hash: string;
  role: string;
  system_admin: number | boolean;
  disabled: number | boolean;
  must_change_password: number | boolean;
  created_at: string;
  created_by: string;
  updated_at: string;
}

export interface ApiKeyDbRow {
  id: string;
  company_id: number;
  name: string;
  role: string;
  secret_hash: string;
  station: string | null;
  expires_at: string | null;
  created_at: string;
  created_by: string;
  revoked_at: string | null;
  revoked_by: string | null;
}

export function userFromRow(row: UserDbRow): UserRow {
  return {
    id: row.id,
    companyId: row.company_id,
    username: row.username,
    passwordHash: row.password_hash,
    role: parseRole(row.role),
    systemAdmin: row.system_admin === 1 || row.system_admin === true,
    disabled: row.disabled === 1 || row.disabled === true,
    mustChangePassword: row.must_change_password === 1 || row.must_change_password === true,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
  };
}

export function apiKeyFromRow(row: ApiKeyDbRow): ApiKeyRow {
  return {
    id: row.id,
    companyId: row.company_id,
    name: row.name,
    role: parseRole(row.role),
    secretHash: row.secret_hash,
    station: row.station,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    createdBy: row.created_by,
    revokedAt: row.revoked_at,
    revokedBy: row.revoked_by,
  };
}

export interface LeaseDbRow {
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

export function leaseFromRow(row: LeaseDbRow): LeaseRow {
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

export interface HistoryDbRow {
  id: number;
  record_id: number;
  from_status: string | null;
  to_status: string;
  at: string;
  actor: string;
  station: string | null;
  reason: string | null;
  data: string | null;
  audit_seq: number | null;
}

export function statusChangeFromRow(row: HistoryDbRow): StatusChangeRow {
  return {
    id: row.id,
    recordId: row.record_id,
    fromStatus: row.from_status === null ? null : toStatus(row.from_status),
    toStatus: toStatus(row.to_status),
    at: row.at,
    actor: row.actor,
    station: row.station,
    reason: row.reason,
    data: row.data === null ? null : (JSON.parse(row.data) as unknown),
    auditSeq: row.audit_seq,
  };
}

export interface SeriesVersionDbRow {
  series_id: number;
  version: number;
  settings: string;
  changed_at: string;
  changed_by: string;
  reason: string | null;
}

export function seriesVersionFromRow(row: SeriesVersionDbRow): SeriesVersionRow {
  return {
    seriesId: row.series_id,
    version: row.version,
    settings: settingsFromJson(JSON.parse(row.settings) as SeriesSettingsJson),
    changedAt: row.changed_at,
    changedBy: row.changed_by,
    reason: row.reason,
  };
}

export interface IdempotencyDbRow {
  key: string;
  request_hash: string;
  response: string;
  created_at: string;
}

export function idempotencyFromRow(row: IdempotencyDbRow): IdempotencyRow {
  return { key: row.key, requestHash: row.request_hash, response: row.response, createdAt: row.created_at };
}

/**
 * A record's column values in the order both engines insert them (`RECORD_INSERT_COLUMNS`).
 * `json` serialises context and metadata; a batch passes one that remembers its last input.
 */
export function recordValues(r: NewRecord, json: { context: (value: unknown) => string; metadata: (value: unknown) => string }): unknown[] {
  return [
    r.companyId,
    r.seriesId,
    r.serial,
    r.sequence.toString(),
    r.period,
    r.status,
    r.workOrder,
    r.partNumber,
    Object.keys(r.context).length === 0 ? null : json.context(r.context),
    r.metadata === null || r.metadata === undefined ? null : json.metadata(r.metadata),
    r.generatedAt,
    r.generatedBy,
    r.station,
    r.generatedAt,
    r.auditSeq,
    r.lot,
    r.expiry,
  ];
}

export const RECORD_INSERT_COLUMNS = `company_id, series_id, serial, sequence, period, status, work_order, part_number, context,
  metadata, generated_at, generated_by, station, updated_at, audit_seq, lot, expiry`;

/** How many values {@link recordValues} gives, one per column of {@link RECORD_INSERT_COLUMNS}. */
export const RECORD_INSERT_WIDTH = 17;

/** The record columns every read selects (over `records r JOIN series s`). */
export const RECORD_COLUMNS = `r.id, r.company_id, r.series_id, s.name AS series_name, r.serial, r.sequence, r.period, r.status,
  r.work_order, r.part_number, r.context, r.metadata, r.generated_at, r.generated_by, r.station, r.updated_at, r.audit_seq,
  r.lot, r.expiry, r.label_prints`;

export interface LabelTemplateDbRow {
  id: number;
  company_id: number;
  name: string;
  definition: string;
  version: number;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

export function labelTemplateFromRow(row: LabelTemplateDbRow): LabelTemplateRow {
  return {
    id: row.id,
    companyId: row.company_id,
    name: row.name,
    definition: row.definition,
    version: row.version,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

export interface ScriptDbRow {
  id: number;
  company_id: number;
  name: string;
  version: number;
  source: string;
  description: string;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

export function scriptFromRow(row: ScriptDbRow): ScriptRow {
  return {
    id: row.id,
    companyId: row.company_id,
    name: row.name,
    version: row.version,
    source: row.source,
    description: row.description,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

export interface ScriptVersionDbRow {
  script_id: number;
  version: number;
  source: string;
  description: string;
  changed_at: string;
  changed_by: string;
  reason: string | null;
}

export function scriptVersionFromRow(row: ScriptVersionDbRow): ScriptVersionRow {
  return {
    scriptId: row.script_id,
    version: row.version,
    source: row.source,
    description: row.description,
    changedAt: row.changed_at,
    changedBy: row.changed_by,
    reason: row.reason,
  };
}

export interface ScriptRunDbRow {
  id: number;
  company_id: number;
  script_id: number;
  script_name: string;
  version: number;
  actor: string;
  station: string | null;
  input: string;
  status: string;
  output: string | null;
  error: string | null;
  logs: string;
  api_calls: number;
  duration_ms: number;
  started_at: string;
  audit_seq: number | null;
}

const SCRIPT_RUN_STATUSES: readonly ScriptRunStatus[] = ['succeeded', 'failed'];

function toScriptRunStatus(value: string): ScriptRunStatus {
  if ((SCRIPT_RUN_STATUSES as readonly string[]).includes(value)) return value as ScriptRunStatus;
  throw new Error(`unknown script run status in the database: ${value}`);
}

export function scriptRunFromRow(row: ScriptRunDbRow): ScriptRunRow {
  return {
    id: row.id,
    companyId: row.company_id,
    scriptId: row.script_id,
    scriptName: row.script_name,
    version: row.version,
    actor: row.actor,
    station: row.station,
    input: JSON.parse(row.input) as unknown,
    status: toScriptRunStatus(row.status),
    output: row.output === null ? null : (JSON.parse(row.output) as unknown),
    error: row.error === null ? null : (JSON.parse(row.error) as unknown),
    logs: JSON.parse(row.logs) as unknown,
    apiCalls: row.api_calls,
    durationMs: row.duration_ms,
    startedAt: row.started_at,
    auditSeq: row.audit_seq,
  };
}

/** The script run columns both engines insert, in the order {@link scriptRunValues} gives their values. */
export const SCRIPT_RUN_INSERT_COLUMNS =
  'company_id, script_id, version, actor, station, input, status, output, error, logs, api_calls, duration_ms, started_at, audit_seq';

/**
 * A run's column values in the order of {@link SCRIPT_RUN_INSERT_COLUMNS}. Input and logs are
 * always a JSON document (`null` when absent); an output or error of null is SQL NULL. The duration
 * is stored in whole milliseconds.
 */
export function scriptRunValues(run: NewScriptRun): (string | number | null)[] {
  const optionalJson = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
  return [
    run.companyId,
    run.scriptId,
    run.version,
    run.actor,
    run.station,
    JSON.stringify(run.input ?? null),
    run.status,
    optionalJson(run.output),
    optionalJson(run.error),
    JSON.stringify(run.logs ?? null),
    run.apiCalls,
    Math.round(run.durationMs),
    run.startedAt,
    run.auditSeq,
  ];
}

/** The script run columns every read selects (over `script_runs r JOIN scripts s`). */
export const SCRIPT_RUN_COLUMNS = `r.id, r.company_id, r.script_id, s.name AS script_name, r.version, r.actor, r.station, r.input, r.status,
  r.output, r.error, r.logs, r.api_calls, r.duration_ms, r.started_at, r.audit_seq`;
