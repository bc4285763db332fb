export type { Store, StoreTransaction } from './store-port.js';
export type { AccessStore, CompanyRow, UserRow, NewUser, UserChanges, SessionRow, ApiKeyRow } from './areas/access/access-store.js';
export type { CountersStore, LeaseRow, NewLease, LeaseFilter, IssueLocks, IssueBatchLocks } from './areas/counters/counters-store.js';
export type { IdempotencyStore, IdempotencyRow } from './areas/idempotency/idempotency-store.js';
export type {
  EpcisStore,
  NewEpcisEvent,
  EpcisEventRow,
  EpcisEventFilter,
  EpcisIdentifierMatch,
  EpcisAggregationRow,
  EpcisHistoryRow,
  EpcisVocabularyKind,
  EpcisIdentifierRole,
  EpcisCaptureRow,
  EpcisCaptureState,
} from './areas/epcis/epcis-store.js';
export type { JournalStore, JournalDraft, JournalEvent, AuditFilter, JournalReadFilter, EntityEventsFilter } from './areas/journal/journal-store.js';
export type { LabelTemplatesStore, LabelTemplateRow } from './areas/label-templates/label-templates-store.js';
export type {
  RecordsStore,
  NewRecord,
  RecordRow,
  StatusChangeRow,
  NewStatusChange,
  TakenSerial,
  RecordFilter,
  RecordCountFilter,
} from './areas/records/records-store.js';
export type { ScriptsStore, ScriptRow, ScriptVersionRow, ScriptRunStatus, ScriptRunRow, NewScriptRun, ScriptRunFilter } from './areas/scripts/scripts-store.js';
export type { SeriesStore, SeriesRow, SeriesVersionRow } from './areas/series/series-store.js';
export type { ChangeStamp } from './areas/change-stamp.js';
export type { AuditEntry } from '@serialtrace/core';
export {
  SqliteStore,
  DEFAULT_BUSY_TIMEOUT_MS,
  DEFAULT_MAX_GROUP_MS,
  DEFAULT_MAX_GROUP_UNITS,
  type SqliteStoreOptions,
} from './sqlite/sqlite-store.js';
export { MIGRATIONS, LATEST_SCHEMA_VERSION } from './schema/migrations.js';
export type * from './schema/schema-description.js';
export {
  PgStore,
  DEFAULT_POOL_SIZE,
  DEFAULT_STATEMENT_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  redactUrl,
  type PgStoreOptions,
} from './postgres/pg-store.js';
export { openStore, type StoreLocation } from './open-store.js';
export { copySqliteToPostgres, type CopyReport } from './copy/sqlite-to-postgres.js';
export { auditEntryOf } from './areas/journal/journal-store.js';
