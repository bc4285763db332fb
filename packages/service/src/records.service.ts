import {
  assertTransition,
  collectProblems,
  parseInstant,
  parseRecordStatus,
  problem,
  SerialtraceError,
  type Clock,
  type Problem,
  type RecordStatus,
  type SeriesSettings,
} from '@serialtrace/core';
import { auditEntryOf, type RecordFilter, type RecordRow, type Store, type StoreTransaction } from '@serialtrace/store';
import { appendAudit, reserveAuditIds } from './audit-writer.js';
import type { Caller } from './caller.js';
import { keysetCursor } from './keyset-cursor.js';
import { optionalMetadata, optionalReference } from './input-text.js';
import { requireSeries } from './series.service.js';
import { historyView, printView, recordView, type RecordDetails, type RecordView } from './views.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;
/** A count goes no further: past this many records the answer says "at least". */
export const MAX_RECORD_COUNT = 10_000_000;
/** Label prints a record's details list (its count, `labelPrints`, is exact beyond). */
export const MAX_PRINTS_LISTED = 1000;

export interface RecordQuery {
  readonly series?: string;
  readonly workOrder?: string;
  readonly partNumber?: string;
  readonly status?: string;
  /** GS1 lot (exact): every record of one batch. */
  readonly lot?: string;
  /** Text found anywhere in the serial, work order or part number. */
  readonly search?: string;
  /** ISO-8601 instants: generated at or after `from`, before `to`. */
  readonly from?: string;
  readonly to?: string;
  readonly limit?: number;
  /** From a previous page's `nextCursor`. */
  readonly cursor?: string;
}

export interface RecordPage {
  readonly records: readonly RecordView[];
  /** Pass back as `cursor` for the next (older) page; `null` on the last page. */
  readonly nextCursor: string | null;
}

export interface StatusChangeRequest {
  readonly series?: string;
  readonly reason?: string | null;
  readonly data?: unknown;
}

export interface RecordCount {
  readonly count: number;
  /** True when more records match than were counted (`count` is then MAX_RECORD_COUNT). */
  readonly capped: boolean;
}

const cursor = keysetCursor('r');

/** A query's filters, checked: the store's filter without what the caller and paging add. */
type Filters = Omit<RecordFilter, 'companyId' | 'seriesId' | 'beforeId' | 'limit'>;

function readFilters(query: Omit<RecordQuery, 'limit' | 'cursor'>, problems: Problem[]): Filters {
  const instant = (value: string | undefined, field: string): string | undefined => {
    if (value === undefined || value === '') return undefined;
    try {
      return parseInstant(value, field).toISOString();
    } catch {
      problems.push(problem('VALUE_INVALID', { field, reason: `"${value}" is not an ISO-8601 instant such as 2025-06-15T00:00:00Z` }));
      return undefined;
    }
  };
  const status = query.status ? collectProblems(problems, () => parseRecordStatus(query.status!)) : undefined;
  const from = instant(query.from, 'from');
  const to = instant(query.to, 'to');
  return {
    ...(query.workOrder ? { workOrder: query.workOrder } : {}),
    ...(query.partNumber ? { partNumber: query.partNumber } : {}),
    ...(status === undefined ? {} : { status }),
    ...(query.lot ? { lot: query.lot } : {}),
    ...(query.search ? { text: query.search } : {}),
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
  };
}

/** The store's filter for a caller: their company, and the named series (which must exist). */
async function storeFilter(tx: StoreTransaction, caller: Caller, series: string | undefined, filters: Filters) {
  const seriesId = series === undefined || series === '' ? undefined : (await requireSeries(tx, caller, series)).id;
  return { companyId: caller.companyId, ...(seriesId === undefined ? {} : { seriesId }), ...filters };
}

export interface RecordsServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
}

/** Reading records and moving them along their lifecycle. */
export class RecordsService {
  readonly #deps: RecordsServiceDeps;

  constructor(deps: RecordsServiceDeps) {
    this.#deps = deps;
  }

  /**
   * The record of a serial, with its status history and audit entries. A serial issued by two
   * non-global series needs `series` to say which one (SERIAL_AMBIGUOUS otherwise).
   */
  async get(caller: Caller, serial: string, options: { series?: string } = {}): Promise<RecordDetails> {
    const first = await this.#deps.store.read(async (tx) => this.#detailsIn(tx, caller, serial, options));
    if (first.complete) return first.details;
    // An entry of the record is committed but not yet in the chain (PostgreSQL seals after the
    // COMMIT): wait for it, so the answer lists every entry.
    await this.#deps.store.sealJournal();
    return (await this.#deps.store.read(async (tx) => this.#detailsIn(tx, caller, serial, options))).details;
  }

  /**
   * {@link get} inside a transaction the caller owns, seeing its uncommitted changes (a script's
   * run). Its `audit` lists the entries already in the chain: those of the transaction's own
   * changes take their place there once it commits.
   */
  async getIn(tx: StoreTransaction, caller: Caller, serial: string, options: { series?: string } = {}): Promise<RecordDetails> {
    return (await this.#detailsIn(tx, caller, serial, options)).details;
  }

  async #detailsIn(tx: StoreTransaction, caller: Caller, serial: string, options: { series?: string }): Promise<{ details: RecordDetails; complete: boolean }> {
    const row = await findRecord(tx, caller, serial, options.series);
    const changes = await tx.records.history(row.id);
    // The entry that issued the serial (shared by its whole request), then one per change.
    const ids = [row.auditId, ...changes.map((c) => c.auditId)].filter((id): id is number => id !== null);
    const linked = await tx.journal.findByIds(caller.companyId, ids);
    // Reprints change no status, so their entries are found by the record and action.
    const prints = await tx.journal.ofEntity({
      companyId: caller.companyId,
      entityType: 'record',
      entityId: String(row.id),
      type: 'record.label_printed',
      limit: MAX_PRINTS_LISTED,
    });
    const events = new Map([...linked, ...prints].map((e) => [e.id, e]));
    const sealed = [...events.values()].filter((e) => e.seq !== null);
    const [view] = await recordViews(tx, [row]);
    return {
      details: {
        ...view!,
        history: historyView(row, changes),
        prints: prints.map(printView),
        audit: sealed.map(auditEntryOf).sort((a, b) => a.seq - b.seq),
      },
      complete: sealed.length === events.size,
    };
  }

  /** Records newest first, filtered, one page at a time (keyset paging: as fast on page 1000 as on page 1). */
  async search(caller: Caller, query: RecordQuery = {}): Promise<RecordPage> {
    const problems: Problem[] = [];
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      problems.push(problem('VALUE_INVALID', { field: 'limit', reason: `it must be a whole number from 1 to ${MAX_PAGE_SIZE}` }));
    }
    const filters = readFilters(query, problems);
    const beforeId = query.cursor ? collectProblems(problems, () => cursor.decode(query.cursor!)) : undefined;
    if (problems.length > 0) throw SerialtraceError.fromProblems(problems);

    return this.#deps.store.read(async (tx) => searchIn(tx, caller, query.series, filters, beforeId, limit));
  }

  /**
   * How many records a search with the same filters finds. Counting stops at
   * {@link MAX_RECORD_COUNT}: past it the answer says `capped` (at least that many).
   */
  async count(caller: Caller, query: Omit<RecordQuery, 'limit' | 'cursor'> = {}): Promise<RecordCount> {
    const problems: Problem[] = [];
    const filters = readFilters(query, problems);
    if (problems.length > 0) throw SerialtraceError.fromProblems(problems);
    return this.#deps.store.read(async (tx) => {
      const count = await tx.records.count({ ...(await storeFilter(tx, caller, query.series, filters)), cap: MAX_RECORD_COUNT + 1 });
      return count > MAX_RECORD_COUNT ? { count: MAX_RECORD_COUNT, capped: true } : { count, capped: false };
    });
  }

  /** Every record of a work order, oldest first. */
  async byWorkOrder(caller: Caller, workOrder: string): Promise<RecordView[]> {
    return this.#deps.store.read(async (tx) => this.byWorkOrderIn(tx, caller, workOrder));
  }

  /** {@link byWorkOrder} inside a transaction the caller owns (a script's run). */
  async byWorkOrderIn(tx: StoreTransaction, caller: Caller, workOrder: string): Promise<RecordView[]> {
    const out: RecordView[] = [];
    let beforeId: number | undefined;
    for (;;) {
      const page = await searchIn(tx, caller, undefined, { workOrder }, beforeId, MAX_PAGE_SIZE);
      out.push(...page.records);
      if (page.nextCursor === null) break;
      beforeId = page.records[page.records.length - 1]!.id;
    }
    return out.reverse();
  }

  /**
   * Moves a record to a new status, keeping the move in its history and the audit chain. Only
   * forward moves are allowed (see `canTransition`); anything else is STATUS_TRANSITION_INVALID
   * and changes nothing.
   */
  async changeStatus(caller: Caller, serial: string, status: string, request: StatusChangeRequest = {}): Promise<RecordDetails> {
    await this.#deps.store.write(async (tx) => this.#changeStatusIn(tx, caller, serial, status, request));
    return this.get(caller, serial, request.series === undefined ? {} : { series: request.series });
  }

  /** {@link changeStatus} inside a transaction the caller owns (a script's run); kept only if it commits. */
  async changeStatusIn(tx: StoreTransaction, caller: Caller, serial: string, status: string, request: StatusChangeRequest = {}): Promise<RecordDetails> {
    await this.#changeStatusIn(tx, caller, serial, status, request);
    return this.getIn(tx, caller, serial, request.series === undefined ? {} : { series: request.series });
  }

  async #changeStatusIn(tx: StoreTransaction, caller: Caller, serial: string, status: string, request: StatusChangeRequest): Promise<void> {
    const { to, reason, data } = validateStatusChange(status, { ...request, reason: request.reason ?? caller.reason ?? null });
    const at = this.#deps.clock.now().toISOString();
    const row = await lockRecord(tx, caller, serial, request.series);
    assertTransition(row.status, to);
    const auditIds = await reserveAuditIds(tx, 1);
    await tx.records.updateStatus(row.id, to, at);
    await tx.records.insertHistory([
      {
        recordId: row.id,
        fromStatus: row.status,
        toStatus: to,
        at,
        actor: caller.actor,
        station: caller.station ?? null,
        reason,
        data,
        auditId: auditIds[0]!,
      },
    ]);
    await appendAudit(
      tx,
      { ...caller, reason },
      at,
      [
        {
          action: 'record.status_changed',
          entityType: 'record',
          entityId: String(row.id),
          data: { series: row.seriesName, serial: row.serial, from: row.status, to, data },
        },
      ],
      auditIds,
    );
  }
}

/**
 * Checks a status change the way `changeStatus` does (the status first, then reason and data
 * together) and returns it normalised. Exported for clients that must refuse exactly as the
 * service would before a request can even be sent (the CLI's remote mode).
 */
export function validateStatusChange(
  status: string,
  request: StatusChangeRequest,
): { to: RecordStatus; reason: string | null; data: Record<string, unknown> | null } {
  const to = parseRecordStatus(status);
  const problems: Problem[] = [];
  const reason = optionalReference(request.reason ?? null, 'reason', problems);
  const data = optionalMetadata(request.data, problems, 'data');
  if (problems.length > 0) throw SerialtraceError.fromProblems(problems);
  return { to, reason, data };
}

/** One page of records newest first: `limit` of them, and the cursor of the next page. */
async function searchIn(
  tx: StoreTransaction,
  caller: Caller,
  series: string | undefined,
  filters: Filters,
  beforeId: number | undefined,
  limit: number,
): Promise<RecordPage> {
  const rows = await tx.records.search({
    ...(await storeFilter(tx, caller, series, filters)),
    ...(beforeId === undefined ? {} : { beforeId }),
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { records: await recordViews(tx, page), nextCursor: rows.length > limit && last !== undefined ? cursor.encode(last.id) : null };
}

/** Views of records, each with its GS1 identity when its series is bound to a GTIN or issues SSCCs. */
export async function recordViews(tx: StoreTransaction, rows: readonly RecordRow[]): Promise<RecordView[]> {
  const settings = new Map<number, SeriesSettings | undefined>();
  for (const id of new Set(rows.map((r) => r.seriesId))) {
    const series = (await tx.series.findById(id))?.settings;
    settings.set(id, series !== undefined && (series.gtin !== null || series.sscc) ? series : undefined);
  }
  return rows.map((row) => recordView(row, settings.get(row.seriesId)));
}

export async function findRecord(tx: StoreTransaction, caller: Caller, serial: string, seriesName: string | undefined): Promise<RecordRow> {
  const seriesId = seriesName === undefined ? undefined : (await requireSeries(tx, caller, seriesName)).id;
  const rows = await tx.records.findBySerial(caller.companyId, serial, seriesId);
  if (rows.length === 0) {
    throw new SerialtraceError('RECORD_NOT_FOUND', { field: 'serial', serial, scope: seriesName === undefined ? '' : ` in series "${seriesName}"` });
  }
  if (rows.length > 1) {
    throw new SerialtraceError('SERIAL_AMBIGUOUS', { field: 'series', serial, series: rows.map((r) => r.seriesName) });
  }
  return rows[0]!;
}

/**
 * {@link findRecord}, then the record held until the transaction ends and read again: what is
 * decided on its status (a transition, a first print) is decided once, whatever runs alongside.
 */
export async function lockRecord(tx: StoreTransaction, caller: Caller, serial: string, seriesName: string | undefined): Promise<RecordRow> {
  const found = await findRecord(tx, caller, serial, seriesName);
  const held = await tx.records.lock(found.id);
  if (held === undefined) throw new SerialtraceError('RECORD_NOT_FOUND', { field: 'serial', serial, scope: seriesName === undefined ? '' : ` in series "${seriesName}"` });
  return held;
}
