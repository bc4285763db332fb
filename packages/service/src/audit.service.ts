import { findChainBreak, type AuditEntry, type ChainBreak } from '@serialtrace/core';
import type { Store } from '@serialtrace/store';
import type { Caller } from './caller.js';
import { sha256Hex } from './hashing.js';

export interface AuditQuery {
  readonly afterSeq?: number;
  readonly beforeSeq?: number;
  readonly entityType?: string;
  readonly entityId?: string;
  readonly action?: string;
  readonly limit?: number;
  readonly order?: 'asc' | 'desc';
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
export const MAX_AUDIT_PAGE = 1000;

/** Reading, exporting and verifying the company's audit chain. */
export class AuditService {
  readonly #store: Store;

  constructor(deps: { readonly store: Store }) {
    this.#store = deps.store;
  }

  async list(caller: Caller, query: AuditQuery = {}): Promise<AuditEntry[]> {
    const limit = Math.min(Math.max(query.limit ?? 100, 1), MAX_AUDIT_PAGE);
    return this.#store.read((tx) =>
      tx.listAudit({
        companyId: caller.companyId,
        ...(query.afterSeq === undefined ? {} : { afterSeq: query.afterSeq }),
        ...(query.beforeSeq === undefined ? {} : { beforeSeq: query.beforeSeq }),
        ...(query.entityType === undefined ? {} : { entityType: query.entityType }),
        ...(query.entityId === undefined ? {} : { entityId: query.entityId }),
        ...(query.action === undefined ? {} : { action: query.action }),
        limit,
        order: query.order ?? 'desc',
      }),
    );
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
