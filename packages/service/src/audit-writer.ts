import { assertEventDeclared, SerialtraceError, textProblem, type EventType } from '@serialtrace/core';
import type { StoreTransaction } from '@serialtrace/store';
import type { Caller } from './caller.js';

/**
 * What happened, to what; the caller and the time are added by {@link appendAudit}. The action is
 * one the event catalog declares (`docs/events.md`), with its entity type and the shape of its data.
 */
export interface AuditDraft {
  readonly action: EventType;
  readonly entityType: string;
  readonly entityId: string;
  readonly data: unknown;
}

/** One entry to append: what happened, who did it, and when. */
export interface AuditItem {
  readonly caller: Caller;
  readonly at: string;
  readonly draft: AuditDraft;
}

/**
 * Ids for the entries a transaction is about to append, so that rows (a record, a status change)
 * can point at their entry before it is written. Pass them to {@link appendAudit} in order.
 */
export function reserveAuditIds(tx: StoreTransaction, count: number): Promise<number[]> {
  return tx.journal.reserveIds(count);
}

/**
 * Appends entries to the journal inside the caller's transaction, so an entry exists exactly when
 * the change it describes does; the store seals them into the company's hash chain in commit
 * order. `ids`, from {@link reserveAuditIds}, are the entries' ids when rows point at them.
 * Returns the entries' ids.
 */
export function appendAudit(tx: StoreTransaction, caller: Caller, at: string, drafts: readonly AuditDraft[], ids?: readonly number[]): Promise<number[]> {
  return appendAuditItems(tx, drafts.map((draft) => ({ caller, at, draft })), ids);
}

/**
 * Appends entries of several callers (of one company or several): a batch of requests served
 * together writes each request's entry under its own caller.
 */
export function appendAuditItems(tx: StoreTransaction, items: readonly AuditItem[], ids?: readonly number[]): Promise<number[]> {
  if (items.length === 0) return Promise.resolve([]);
  if (ids !== undefined && ids.length !== items.length) throw new Error(`${items.length} entries to append with ${ids.length} reserved ids`);
  return tx.journal.append(
    items.map(({ caller, at, draft }, i) => {
      // Nothing undeclared enters the journal: its readers rely on the catalog's shapes.
      assertEventDeclared(draft.action, draft.entityType, draft.data ?? null);
      assertStorable(caller, draft);
      return {
        ...(ids === undefined ? {} : { id: ids[i]! }),
        companyId: caller.companyId,
        at,
        actor: caller.actor,
        station: caller.station ?? null,
        line: caller.line ?? null,
        plant: caller.plant ?? null,
        reason: caller.reason ?? null,
        action: draft.action,
        entityType: draft.entityType,
        entityId: draft.entityId,
        data: draft.data ?? null,
      };
    }),
  );
}

/**
 * The hash must cover exactly what is stored: text a column cannot keep as it is (a lone
 * surrogate becomes U+FFFD in SQLite, NUL is refused by PostgreSQL) would make the entry fail
 * verification for good. Every interface refuses such text first; this is the last line, for a
 * path that forgot. `data` is stored as JSON text, whose escapes keep any string exactly.
 */
function assertStorable(caller: Caller, draft: AuditDraft): void {
  const fields = { actor: caller.actor, station: caller.station, line: caller.line, plant: caller.plant, reason: caller.reason, action: draft.action, entityType: draft.entityType, entityId: draft.entityId };
  for (const [field, value] of Object.entries(fields)) {
    if (typeof value !== 'string') continue;
    const reason = textProblem(value, 'line');
    if (reason !== undefined) throw new SerialtraceError('VALUE_INVALID', { field, reason });
  }
}
