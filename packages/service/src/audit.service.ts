import { findChainBreak, SerialtraceError, type AuditEntry, type ChainBreak } from '@serialtrace/core';
import type { Store } from '@serialtrace/store';
import type { Caller } from './caller.js';
import { keysetCursor } from './keyset-cursor.js';
import { sha256Hex } from './hashing.js';

export interface AuditQuery {
  readonly entityType?: string;
  readonly entityId?: string;
  readonly action?: string;
  readonly limit?: number;
  /** From a previous page's `nextCursor`: continue with older entries. */
  readonly cursor?: string;
}

export interface AuditPage {
  readonly entries: readonly AuditEntry[];
  /** Pass back as `cursor` for older entries; `null` when none are left. */
  readonly nextCursor: string | null;
}

export interface VerifyResult {
  /** True when every link of the chain holds. */
  readonly valid: boolean;
  /** Entries checked (up to the first break). */
  readonly checked: number;
  /** The last entry that verified: quote its hash to prove later that nothing before it changed. */
  readonly head: { readonly seq: number; readonly hash: string } | null;
  readonly firstBreak: ChainBreak | null;
}

const VERIFY_PAGE = 2000;

const cursor = keysetCursor('a');
export const MAX_AUDIT_PAGE = 1000;

/** Reading, exporting and verifying the company's audit chain. */
export class AuditService {
  readonly #store: Store;

  constructor(deps: { readonly store: Store }) {
    this.#store = deps.store;
  }

  /** Entries newest first, a page at a time. */
  async list(caller: Caller, query: AuditQuery = {}): Promise<AuditPage> {
    const limit = query.limit ?? 100;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE) {
      throw new SerialtraceError('VALUE_INVALID', { field: 'limit', reason: `it must be a whole number from 1 to ${MAX_AUDIT_PAGE}` });
    }
    const beforeSeq = query.cursor ? cursor.decode(query.cursor) : undefined;
    const page = await this.#store.read((tx) =>
      tx.listAudit({
        companyId: caller.companyId,
        ...(beforeSeq === undefined ? {} : { beforeSeq }),
        ...(query.entityType === undefined ? {} : { entityType: query.entityType }),
        ...(query.entityId === undefined ? {} : { entityId: query.entityId }),
        ...(query.action === undefined ? {} : { action: query.action }),
        limit: limit + 1,
        order: 'desc',
      }),
    );
    const entries = page.slice(0, limit);
    const last = entries[entries.length - 1];
    return { entries, nextCursor: page.length > limit && last !== undefined ? cursor.encode(last.seq) : null };
  }

  /** Every entry in chain order, a page at a time, for exports of any size. */
  async *entries(caller: Caller): AsyncGenerator<AuditEntry> {
    let afterSeq = 0;
    for (;;) {
      const page = await this.#store.read((tx) =>
        tx.listAudit({ companyId: caller.companyId, afterSeq, limit: VERIFY_PAGE, order: 'asc' }),
      );
      yield* page;
      if (page.length < VERIFY_PAGE) return;
      afterSeq = page[page.length - 1]!.seq;
    }
  }

  /**
   * Recomputes every hash from the first entry and reports the first link that does not hold:
   * an edited entry (hash_mismatch), a removed or inserted one (link_mismatch, sequence_gap).
   */
  async verify(caller: Caller): Promise<VerifyResult> {
    let head: { seq: number; hash: string } | null = null;
    let checked = 0;
    let page: AuditEntry[] = [];
    for await (const entry of this.entries(caller)) {
      page.push(entry);
      if (page.length < VERIFY_PAGE) continue;
      const result = this.#verifyPage(page, head);
      if (result.firstBreak !== null) return { valid: false, checked: checked + result.checked, head: result.head, firstBreak: result.firstBreak };
      checked += page.length;
      head = result.head;
      page = [];
    }
    const result = this.#verifyPage(page, head);
    return { valid: result.firstBreak === null, checked: checked + result.checked, head: result.head, firstBreak: result.firstBreak };
  }

  #verifyPage(page: readonly AuditEntry[], head: { seq: number; hash: string } | null) {
    const broken = findChainBreak(page, sha256Hex, head ?? undefined);
    if (broken === undefined) {
      const last = page[page.length - 1];
      return { checked: page.length, head: last === undefined ? head : { seq: last.seq, hash: last.hash }, firstBreak: null };
    }
    const before = page.filter((e) => e.seq < broken.seq);
    const last = before[before.length - 1];
    return { checked: before.length, head: last === undefined ? head : { seq: last.seq, hash: last.hash }, firstBreak: broken };
  }
}
