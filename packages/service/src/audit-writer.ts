import { GENESIS_HASH, sealAuditEntry, type AuditEntry } from '@serialtrace/core';
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
  const start = locked === undefined ? await tx.lockAuditHead(caller.companyId) : locked.head;
  let seq = start?.seq ?? 0;
  let prevHash = start?.hash ?? GENESIS_HASH;
  const entries: AuditEntry[] = new Array<AuditEntry>(drafts.length);
  for (let i = 0; i < drafts.length; i++) {
    const draft = drafts[i]!;
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
