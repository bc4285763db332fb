import { GENESIS_HASH, sealAuditEntry, SerialtraceError, textProblem, type AuditEntry } from '@serialtrace/core';
import type { StoreTransaction } from '@serialtrace/store';
import type { Caller } from './caller.js';
import { sha256Hex } from './hashing.js';

/** What happened, to what; the caller and the time are added by {@link appendAudit}. */
export interface AuditDraft {
  readonly action: string;
  readonly entityType: string;
  readonly entityId: string;
  readonly data: unknown;
}

/** The head of a company's chain as read at the start of a transaction. */
export type AuditHead = { seq: number; hash: string } | undefined;

/** Position the next appended entry will take after `head`. */
export function nextAuditSeq(head: AuditHead): number {
  return (head?.seq ?? 0) + 1;
}

/** One entry to append: what happened, who did it, and when. */
export interface AuditItem {
  readonly caller: Caller;
  readonly at: string;
  readonly draft: AuditDraft;
}

/**
 * Appends entries to the company's hash chain inside the caller's transaction, so an entry exists
 * exactly when the change it describes does. Pass the head locked earlier in the same transaction
 * when rows must point at an entry before it is written. Returns the positions taken.
 */
export async function appendAudit(
  tx: StoreTransaction,
  caller: Caller,
  at: string,
  drafts: readonly AuditDraft[],
  locked?: { readonly head: AuditHead },
): Promise<number[]> {
  if (drafts.length === 0) return [];
  const head = locked === undefined ? await tx.lockAuditHead(caller.companyId) : locked.head;
  return appendAuditItems(tx, head, drafts.map((draft) => ({ caller, at, draft })));
}

/**
 * Appends entries of several callers of one company after `head`, which the transaction holds.
 * A batch of requests served together writes each request's entry under its own caller.
 */
export async function appendAuditItems(tx: StoreTransaction, head: AuditHead, items: readonly AuditItem[]): Promise<number[]> {
  if (items.length === 0) return [];
  let seq = head?.seq ?? 0;
  let prevHash = head?.hash ?? GENESIS_HASH;
  const entries: AuditEntry[] = new Array<AuditEntry>(items.length);
  for (let i = 0; i < items.length; i++) {
    const { caller, at, draft } = items[i]!;
    assertStorable(caller, draft);
    seq += 1;
    const entry = sealAuditEntry(
      {
        seq,
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
      },
      prevHash,
      sha256Hex,
    );
    entries[i] = entry;
    prevHash = entry.hash;
  }
  await tx.appendAudit(entries);
  return entries.map((e) => e.seq);
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
