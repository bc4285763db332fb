import type { AccessStore } from './areas/access/access-store.js';
import type { CountersStore } from './areas/counters/counters-store.js';
import type { EpcisStore } from './areas/epcis/epcis-store.js';
import type { IdempotencyStore } from './areas/idempotency/idempotency-store.js';
import type { JournalStore } from './areas/journal/journal-store.js';
import type { LabelTemplatesStore } from './areas/label-templates/label-templates-store.js';
import type { RecordsStore } from './areas/records/records-store.js';
import type { ScriptsStore } from './areas/scripts/scripts-store.js';
import type { SeriesStore } from './areas/series/series-store.js';

/**
 * The storage port. Services describe a unit of work as a function of a transaction; the adapter
 * decides how it is isolated and made durable. Everything a `write` does commits together, after
 * the function resolves, or not at all.
 *
 * @example
 * const serials = await store.write(async (tx) => {
 *   const series = await tx.series.find(1, 'Widgets');
 *   ...
 * });
 */
export interface Store {
  /** `sqlite` or `postgres`, for diagnostics only: services never branch on it. */
  readonly engine: string;
  /**
   * Whether the store itself runs the write units that arrive together in one transaction (group
   * commit), so that they share its commit: a service gains nothing by batching them first.
   */
  readonly groupsCommits: boolean;
  /** Where the data lives, for messages (a file path, a URL without password). */
  readonly location: string;
  /**
   * Runs `work` in one read transaction: it sees what was committed when it began, and nothing of
   * a write still in progress. A read need not wait for writes that are still queued.
   */
  read<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  /**
   * Runs `work` in one write transaction. The adapter serialises writers so that a counter held
   * with {@link CountersStore.lock} cannot be handed out twice; when the function throws, nothing
   * it wrote is kept.
   *
   * An adapter may run several pending units in one transaction (group commit). Each unit is
   * still atomic, sees nothing of a unit that rolled back, and is durable before its promise
   * resolves. It may see the changes of a unit that ran before it in the same transaction; if
   * that transaction then fails to commit, every unit in it is rejected: what a unit learned
   * inside `work` (a row to cache, say) is only known to be committed once its promise resolves.
   */
  write<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  /**
   * Resolves once every journal event committed before the call is sealed: placed in commit order
   * and in its company's audit chain. SQLite places each event as it is appended, inside its transaction;
   * PostgreSQL after the COMMIT, in the background (so writers never wait on a chain). A reader of
   * the audit chain or the journal that must see every committed event awaits this first.
   */
  sealJournal(): Promise<void>;
  /**
   * Calls `listener` after journal events were sealed by this process, so that a follower reads
   * at once; events sealed by another server are found by polling. Answers the unsubscribe.
   */
  onJournalSealed(listener: () => void): () => void;
  /**
   * Resolves when the database answers (and its schema is current); rejects with
   * STORE_UNAVAILABLE when it cannot be reached. Readiness checks call it.
   */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One transaction, as one store per area of the data. Each area is an interface of its own file
 * (`areas/<area>/`), its queries written once for both engines; a service reaches the areas it
 * uses: `tx.records.findBySerial(...)`, `tx.journal.append(...)`.
 */
export interface StoreTransaction {
  /** Series and their versions. */
  readonly series: SeriesStore;
  /** Counters and leases: the values series issue. */
  readonly counters: CountersStore;
  /** Records and their status history. */
  readonly records: RecordsStore;
  /** The journal: every audited change as an event, sealed into the audit chain. */
  readonly journal: JournalStore;
  /** Companies, users, sessions and API keys. */
  readonly access: AccessStore;
  readonly labelTemplates: LabelTemplatesStore;
  /** Scripts, their versions and runs. */
  readonly scripts: ScriptsStore;
  /** A request's first answer under its idempotency key. */
  readonly idempotency: IdempotencyStore;
  /**
   * The EPCIS event repository: captured and written events, their identifiers for the MATCH_
   * queries, and the capture jobs.
   */
  readonly epcis: EpcisStore;
}
