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

/**
 * Appends entries to the company's hash chain inside the caller's transaction, so an entry exists
 * exactly when the change it describes does.
 */
export async function appendAudit(
  tx: StoreTransaction,
  caller: Caller,
  at: string,
  drafts: readonly AuditDraft[],
): Promise<void> {
  if (drafts.length === 0) return;
  const head = await tx.lockAuditHead(caller.companyId);
  let seq = head?.seq ?? 0;
  let prevHash = head?.hash ?? GENESIS_HASH;
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
}
