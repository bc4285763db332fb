import type { AuditEntry, RecordStatus, SeriesSettings } from '@serialtrace/core';

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

/** Who changed something and when, for rows that keep their own bookkeeping. */
export interface ChangeStamp {
  readonly at: string;
  readonly actor: string;
  readonly reason?: string | null;
}

export interface SeriesVersionRow {
  readonly seriesId: number;
  readonly version: number;
  readonly settings: SeriesSettings;
  readonly changedAt: string;
  readonly changedBy: string;
  readonly reason: string | null;
}

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
  /** Position of the audit entry that recorded the issue, in the company's chain. */
  readonly auditSeq: number | null;
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

/** A label template a company saved: its definition as JSON text, versioned by saves. */
export interface LabelTemplateRow {
  readonly id: number;
  readonly companyId: number;
  readonly name: string;
  /** The template as JSON text (validated by the service before it is saved). */
  readonly definition: string;
  /** 1 on creation, +1 on every save. */
  readonly version: number;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

/** A customer script (JavaScript defining `main(context)`), stored by name per company. */
export interface ScriptRow {
  readonly id: number;
  readonly companyId: number;
  readonly name: string;
  /** The current version: 1 on creation, +1 on every save. */
  readonly version: number;
  /** The current version's source. */
  readonly source: string;
  readonly description: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

/** One saved version of a script (every version is kept, the current one too). */
export interface ScriptVersionRow {
  readonly scriptId: number;
  readonly version: number;
  readonly source: string;
  readonly description: string;
  readonly changedAt: string;
  readonly changedBy: string;
  readonly reason: string | null;
}

export type ScriptRunStatus = 'succeeded' | 'failed';

/** One run of a script, recorded whether it succeeded or failed. */
export interface ScriptRunRow {
  readonly id: number;
  readonly companyId: number;
  readonly scriptId: number;
  /** The script's name (joined from the script, so it is the current name). */
  readonly scriptName: string;
  /** The version of the script that ran. */
  readonly version: number;
  readonly actor: string;
  readonly station: string | null;
  /** The run's input, any JSON value. */
  readonly input: unknown;
  readonly status: ScriptRunStatus;
  /** What the script returned (any JSON value); null when the run failed. */
  readonly output: unknown;
  /** `{code, message, details}` of a failed run; null when it succeeded. */
  readonly error: unknown;
  /** What the script logged, a JSON array. */
  readonly logs: unknown;
  readonly apiCalls: number;
  /** Whole milliseconds (a fraction is rounded when stored). */
  readonly durationMs: number;
  readonly startedAt: string;
  /** The audit entry that recorded the run, if any. */
  readonly auditSeq: number | null;
}

export type NewScriptRun = Omit<ScriptRunRow, 'id' | 'scriptName'>;

export interface ScriptRunFilter {
  readonly companyId: number;
  /** Only the runs of this script. */
  readonly scriptId?: number;
  /** Only runs with a smaller id (keyset paging, newest first). */
  readonly beforeId?: number;
  readonly limit: number;
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
  readonly auditSeq: number | null;
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

export interface IdempotencyRow {
  readonly key: string;
  readonly requestHash: string;
  readonly response: string;
  readonly createdAt: string;
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

export type { AuditEntry };

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

/** See {@link StoreTransaction.lockIssue}. */
export interface IssueLocks {
  readonly head: { readonly seq: number; readonly hash: string } | undefined;
  readonly counter: bigint | undefined;
  readonly otherGlobal: boolean;
  /** False when the series no longer has the name and version expected. */
  readonly seriesCurrent: boolean;
}
