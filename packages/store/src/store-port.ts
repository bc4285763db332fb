import type { AuditEntry, SeriesSettings } from '@serialtrace/core';
import type { ApiKeyRow, CompanyRow, NewUser, SessionRow, UserChanges, UserRow } from './access-types.js';
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
  NewStatusChange,
  RecordCountFilter,
  RecordFilter,
  RecordRow,
  NewScriptRun,
  ScriptRow,
  ScriptRunFilter,
  ScriptRunRow,
  ScriptVersionRow,
  SeriesRow,
  SeriesVersionRow,
  StatusChangeRow,
  TakenSerial,
} from './store-types.js';

/**
 * The storage port. Services describe a unit of work as a function of a transaction; the adapter
 * decides how it is isolated and made durable. Everything a `write` does commits together, after
 * the function resolves, or not at all.
 *
 * @example
 * const serials = await store.write(async (tx) => {
 *   const series = await tx.findSeries(1, 'Widgets');
 *   ...
 * });
 */
export interface Store {
  /** `sqlite` or `postgres`, for diagnostics only: services never branch on it. */
  readonly engine: string;
  /** Where the data lives, for messages (a file path, a URL without password). */
  readonly location: string;
  /**
   * Runs `work` in one read transaction: it sees what was committed when it began, and nothing of
   * a write still in progress. A read need not wait for writes that are still queued.
   */
  read<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  /**
   * Runs `work` in one write transaction. The adapter serialises writers so that a counter read
   * with {@link StoreTransaction.lockCounter} cannot be handed out twice; when the function
   * throws, nothing it wrote is kept.
   *
   * An adapter may run several pending units in one transaction (group commit). Each unit is
   * still atomic, sees nothing of a unit that rolled back, and is durable before its promise
   * resolves. It may see the changes of a unit that ran before it in the same transaction; if
   * that transaction then fails to commit, every unit in it is rejected: what a unit learned
   * inside `work` (a row to cache, say) is only known to be committed once its promise resolves.
   */
  write<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  /**
   * Resolves when the database answers (and its schema is current); rejects with
   * STORE_UNAVAILABLE when it cannot be reached. Readiness checks call it.
   */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreTransaction {
  // Series
  findSeries(companyId: number, name: string): Promise<SeriesRow | undefined>;
  findSeriesById(id: number): Promise<SeriesRow | undefined>;
  /** A series' id and version only: the cheap check that a copy held in memory is still current. */
  findSeriesVersion(companyId: number, name: string): Promise<{ id: number; version: number } | undefined>;
  /** {@link findSeriesVersion} for several names at once; names without a series are left out. */
  findSeriesVersions(companyId: number, names: readonly string[]): Promise<{ id: number; name: string; version: number }[]>;
  listSeries(companyId: number): Promise<SeriesRow[]>;
  insertSeries(companyId: number, settings: SeriesSettings, stamp: ChangeStamp): Promise<SeriesRow>;
  /** Replaces the settings, stores the new version and returns the row as it now is. */
  updateSeries(series: SeriesRow, settings: SeriesSettings, stamp: ChangeStamp): Promise<SeriesRow>;
  listSeriesVersions(seriesId: number): Promise<SeriesVersionRow[]>;
  /** Stores a randomised series' wrapped key (set once, when the series becomes randomised). */
  saveSeriesKey(seriesId: number, wrappedKey: string): Promise<void>;
  /** Whether the series has issued anything (records or consumed counter values). */
  seriesHasIssued(seriesId: number): Promise<boolean>;

  // Counters: the last value used in each reset period.
  /** Reads a period's counter and holds it against other writers until the transaction ends. */
  lockCounter(seriesId: number, period: string): Promise<bigint | undefined>;
  readCounter(seriesId: number, period: string): Promise<bigint | undefined>;
  /**
   * What issuing from a series' period takes first, in one step: the company's audit head and the
   * period's counter, each held as {@link lockAuditHead} and {@link lockCounter} hold them (the
   * head first), whether the company has a global series besides this one, and, given `expect`,
   * whether the series still has that name and version (a copy held in memory is current).
   */
  lockIssue(companyId: number, seriesId: number, period: string, expect?: { readonly name: string; readonly version: number }): Promise<IssueLocks>;
  saveCounter(seriesId: number, period: string, value: bigint, at: string): Promise<void>;

  // Leases: blocks of counter values taken by one server under leased allocation.
  /** The owner's open lease on a period, held against other writers until the transaction ends. */
  lockOpenLease(seriesId: number, period: string, owner: string): Promise<LeaseRow | undefined>;
  /**
   * Open leases matching the filter, oldest first, held until the transaction ends. A lease that
   * another transaction holds (in use right now) is passed over rather than waited for.
   */
  lockOpenLeases(filter: LeaseFilter): Promise<LeaseRow[]>;
  insertLease(lease: NewLease): Promise<LeaseRow>;
  /** Records the last value issued from a lease and renews it until `expiresAt`. */
  saveLease(id: number, used: bigint, expiresAt: string): Promise<void>;
  /** Ends a lease, recording the last value issued from it. */
  releaseLease(id: number, used: bigint, at: string): Promise<void>;

  // Serials and records
  /** Whether the company has a global series other than `exceptSeriesId`. */
  hasGlobalSeries(companyId: number, exceptSeriesId: number): Promise<boolean>;
  /**
   * The candidates that other series of the company already hold where they must stay unique: a
   * global series' serials clash with every other series, any series' serials clash with those
   * of global series. (A clash within the series itself is found by {@link insertRecords}.)
   */
  findTakenSerials(
    companyId: number,
    seriesId: number,
    global: boolean,
    serials: readonly string[],
  ): Promise<TakenSerial[]>;
  /**
   * Inserts records in order and returns their ids in the same order, or `null` for a record whose
   * serial its series already holds: that one is not inserted, and the caller decides what to do
   * with the value (generation skips it). The database's unique index is the judge, so the check
   * cannot be raced.
   */
  insertRecords(records: readonly NewRecord[]): Promise<(number | null)[]>;
  findRecordsBySerial(companyId: number, serial: string, seriesId?: number): Promise<RecordRow[]>;
  findRecords(filter: RecordFilter): Promise<RecordRow[]>;
  /** How many records match, counting no further than `cap` (so at most `cap`). */
  countRecords(filter: RecordCountFilter): Promise<number>;
  findRecordsByIds(ids: readonly number[]): Promise<RecordRow[]>;
  updateRecordStatus(recordId: number, status: string, at: string): Promise<void>;
  insertStatusChanges(changes: readonly NewStatusChange[]): Promise<void>;
  listStatusChanges(recordId: number): Promise<StatusChangeRow[]>;
  /** The status changes of several records, in the order they were made (audit verification reads them a page of records at a time). */
  listStatusChangesOf(recordIds: readonly number[]): Promise<StatusChangeRow[]>;
  /** Counts one more print of a record's label and returns the new count (1 for the first print). */
  countLabelPrint(recordId: number, at: string): Promise<number>;

  // Label templates
  listLabelTemplates(companyId: number): Promise<LabelTemplateRow[]>;
  findLabelTemplate(companyId: number, name: string): Promise<LabelTemplateRow | undefined>;
  /** Creates the template (version 1) or replaces its definition (version + 1). */
  saveLabelTemplate(companyId: number, name: string, definition: string, stamp: ChangeStamp): Promise<LabelTemplateRow>;
  /** Deletes the template; false when there was none. */
  deleteLabelTemplate(companyId: number, name: string): Promise<boolean>;

  // Scripts: customer scripts by name per company, every version kept, every run recorded.
  /** A company's scripts, by name. */
  listScripts(companyId: number): Promise<ScriptRow[]>;
  findScript(companyId: number, name: string): Promise<ScriptRow | undefined>;
  /**
   * Creates the script (version 1) or saves a new version (version + 1), and returns the row as it
   * now is. Every version, the first too, is kept in the script's versions with the stamp.
   */
  saveScript(companyId: number, name: string, source: string, description: string, stamp: ChangeStamp): Promise<ScriptRow>;
  /** Every version of a script, oldest first, the current one included. */
  listScriptVersions(scriptId: number): Promise<ScriptVersionRow[]>;
  findScriptVersion(scriptId: number, version: number): Promise<ScriptVersionRow | undefined>;
  /** Records a run and returns its id. Works in any write transaction (a failed run's is one of its own). */
  insertScriptRun(run: NewScriptRun): Promise<number>;
  /** Runs of a company (or of one of its scripts), newest first. */
  listScriptRuns(filter: ScriptRunFilter): Promise<ScriptRunRow[]>;
  /** A run by id, only within the company. */
  findScriptRun(companyId: number, id: number): Promise<ScriptRunRow | undefined>;

  // Idempotency keys
  findIdempotency(companyId: number, key: string): Promise<IdempotencyRow | undefined>;
  insertIdempotency(companyId: number, row: IdempotencyRow): Promise<void>;

  // Companies, users, sessions and API keys
  listCompanies(): Promise<CompanyRow[]>;
  findCompany(id: number): Promise<CompanyRow | undefined>;
  findCompanyByName(name: string): Promise<CompanyRow | undefined>;
  insertCompany(name: string, at: string): Promise<CompanyRow>;
  countUsers(): Promise<number>;
  /** A user of the company by name (usernames are unique within a company). */
  findUserByName(companyId: number, username: string): Promise<UserRow | undefined>;
  /** Every company's user of that name, oldest first: signing in without naming a company. */
  findUsersByName(username: string): Promise<UserRow[]>;
  findUserById(id: number): Promise<UserRow | undefined>;
  listUsers(companyId: number): Promise<UserRow[]>;
  insertUser(user: NewUser): Promise<UserRow>;
  updateUser(id: number, changes: UserChanges, at: string): Promise<UserRow>;
  /** Admins of the company that are not disabled. */
  countActiveAdmins(companyId: number): Promise<number>;
  insertSession(session: SessionRow): Promise<void>;
  findSession(tokenHash: string): Promise<SessionRow | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
  /** Ends every session of a user (disabled, or given a new password), but `exceptTokenHash` when given. */
  deleteUserSessions(userId: number, exceptTokenHash?: string): Promise<void>;
  deleteExpiredSessions(now: string): Promise<number>;
  insertApiKey(key: ApiKeyRow): Promise<void>;
  findApiKey(id: string): Promise<ApiKeyRow | undefined>;
  listApiKeys(companyId: number): Promise<ApiKeyRow[]>;
  revokeApiKey(id: string, at: string, by: string): Promise<void>;
  /**
   * Records that something servers may hold in memory about who may call in the company has
   * changed (an API key revoked), so that every server sharing the database forgets it.
   */
  noteAccessChange(companyId: number): Promise<void>;
  /** A number that grows with every {@link noteAccessChange}, in any company. */
  readAccessVersion(): Promise<number>;

  // Audit chain
  /**
   * The newest entry's position and hash, held against other writers until the transaction ends,
   * so the next entry's position is known (and can be referenced) before it is appended.
   */
  lockAuditHead(companyId: number): Promise<{ seq: number; hash: string } | undefined>;
  /**
   * Appends entries after the head; the company row then keeps the new head (on both engines),
   * so a chain cut off at its end no longer matches it, and the next entry chains onto the
   * head rather than onto the cut.
   */
  appendAudit(entries: readonly AuditEntry[]): Promise<void>;
  listAudit(filter: AuditFilter): Promise<AuditEntry[]>;
  /** Entries of a company by position (those that exist), in chain order. */
  findAuditEntries(companyId: number, seqs: readonly number[]): Promise<AuditEntry[]>;
  /** The head the company row keeps (what the last append left), without locking; null before the first entry. */
  readAuditHead(companyId: number): Promise<{ seq: number; hash: string } | null>;
}
