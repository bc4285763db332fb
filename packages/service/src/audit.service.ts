import { ChainWalk, SerialtraceError, type AuditEntry, type ChainBreak } from '@serialtrace/core';
import type { JournalEvent, StatusChangeRow, Store } from '@serialtrace/store';
import { historyLinkProblems, IssuedSerials, recordLinkProblems, type LinkProblem } from './audit-links.js';
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

/**
 * One thing verification found wrong. The chain's own links (`sequence_gap`, `link_mismatch`,
 * `hash_mismatch`); the chain against the head its company row keeps (`head_mismatch`: entries
 * cut off its end or appended behind the writer's back; `head_missing`); against a signed
 * checkpoint (`checkpoint_mismatch`); and records and their history against the entries that
 * made them (`record_mismatch`, `history_mismatch`).
 */
export type AuditProblem =
  | ChainBreak
  | { readonly seq: number; readonly reason: 'head_mismatch'; readonly expectedSeq: number; readonly expectedHash: string }
  | { readonly seq: number; readonly reason: 'head_missing' }
  | { readonly seq: number; readonly reason: 'checkpoint_mismatch'; readonly expectedHash: string }
  | LinkProblem;

/** A position in the chain a verification is held against (a signed checkpoint's). */
export interface AuditCheckpointRef {
  readonly seq: number;
  readonly hash: string;
}

export interface VerifyResult {
  /** True when every link of the chain, the kept head, the checkpoint and every record hold. */
  readonly valid: boolean;
  /** The company whose chain this is. */
  readonly companyId: number;
  /** Entries checked (all of them: verification goes on past a break). */
  readonly checked: number;
  /** The last entry of the chain's unbroken start: quote its hash to prove later that nothing up to it changed. */
  readonly head: { readonly seq: number; readonly hash: string } | null;
  /** The head the company row keeps (the last append's), which the chain must end at. */
  readonly storedHead: { readonly seq: number; readonly hash: string } | null;
  /** The first problem found, or null. */
  readonly firstBreak: AuditProblem | null;
  /** Every problem found, in the order found, up to {@link MAX_REPORTED_PROBLEMS}. */
  readonly problems: readonly AuditProblem[];
  /** How many problems there were in all (more than `problems` lists when it was cut). */
  readonly problemCount: number;
  /** Records and status changes held against their entries. */
  readonly recordsChecked: number;
  readonly historyChecked: number;
  /** The checkpoint the chain was held against, and whether it holds; null without one. */
  readonly checkpoint: (AuditCheckpointRef & { readonly holds: boolean }) | null;
}

/** Problems one verification lists at most; the count goes on. */
export const MAX_REPORTED_PROBLEMS = 1000;

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
    // The first page shows every change committed before the request; later pages page on.
    if (beforeSeq === undefined) await this.#store.sealJournal();
    const page = await this.#store.read((tx) =>
      tx.journal.listChain({
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
    await this.#store.sealJournal();
    yield* this.#entriesAfter(caller.companyId, 0);
  }

  async *#entriesAfter(companyId: number, afterSeq: number, beforeSeq?: number): AsyncGenerator<AuditEntry> {
    for (;;) {
      const page = await this.#store.read((tx) =>
        tx.journal.listChain({ companyId, afterSeq, ...(beforeSeq === undefined ? {} : { beforeSeq }), limit: VERIFY_PAGE, order: 'asc' }),
      );
      yield* page;
      if (page.length < VERIFY_PAGE) return;
      afterSeq = page[page.length - 1]!.seq;
    }
  }

  /**
   * Recomputes every hash from the first entry and reports every problem, not only the first: an
   * edited entry (hash_mismatch), a removed or inserted one (link_mismatch, sequence_gap), a chain
   * that does not end at the head its company row keeps (head_mismatch: entries cut off its end),
   * and records or status changes that differ from the entries that made them. Given a
   * `checkpoint` (a signed one's position and hash), the chain must still hold that entry.
   */
  async verify(caller: Caller, options: { readonly checkpoint?: AuditCheckpointRef } = {}): Promise<VerifyResult> {
    const problems: AuditProblem[] = [];
    let problemCount = 0;
    const report = (found: readonly AuditProblem[]) => {
      problemCount += found.length;
      for (const p of found) if (problems.length < MAX_REPORTED_PROBLEMS) problems.push(p);
    };
    await this.#store.sealJournal();
    const walk = new ChainWalk(sha256Hex);
    const checkpoint = options.checkpoint;
    let checkpointSeen: AuditEntry | undefined;
    let checked = 0;
    // The chain and the head its company row keeps move together (the sealer writes both in one
    // transaction), but writers go on while the walk pages. The head is read once the walk has
    // reached the chain's end; entries sealed meanwhile, up to that head, are walked too. A chain
    // longer than its head then still shows (entries appended behind the sealer's back), and so
    // does one shorter (entries cut off its end).
    const walkAfter = async (afterSeq: number, beforeSeq?: number) => {
      for await (const entry of this.#entriesAfter(caller.companyId, afterSeq, beforeSeq)) {
        report(walk.check(entry));
        if (checkpoint !== undefined && entry.seq === checkpoint.seq) checkpointSeen = entry;
        checked += 1;
      }
    };
    await walkAfter(0);
    const storedHead = await this.#store.read((tx) => tx.journal.chainHead(caller.companyId));
    const reached = walk.last?.seq ?? 0;
    if (storedHead !== null && storedHead.seq > reached) await walkAfter(reached, storedHead.seq + 1);
    const last = walk.last;
    if (storedHead === null) {
      if (last !== null) report([{ seq: last.seq, reason: 'head_missing' }]);
    } else if (last === null || last.seq !== storedHead.seq || last.hash !== storedHead.hash) {
      report([{ seq: last?.seq ?? 0, reason: 'head_mismatch', expectedSeq: storedHead.seq, expectedHash: storedHead.hash }]);
    }
    let checkpointResult: VerifyResult['checkpoint'] = null;
    if (checkpoint !== undefined) {
      const holds = checkpointSeen !== undefined && checkpointSeen.hash === checkpoint.hash;
      if (!holds) report([{ seq: checkpoint.seq, reason: 'checkpoint_mismatch', expectedHash: checkpoint.hash }]);
      checkpointResult = { seq: checkpoint.seq, hash: checkpoint.hash, holds };
    }
    const links = await this.#verifyRecords(caller, report);
    return {
      valid: problemCount === 0,
      companyId: caller.companyId,
      checked,
      head: walk.intact,
      storedHead,
      firstBreak: problems[0] ?? null,
      problems,
      problemCount,
      recordsChecked: links.records,
      historyChecked: links.history,
      checkpoint: checkpointResult,
    };
  }

  /** Every record and status change of the company against its entry, newest first, a page at a time. */
  async #verifyRecords(caller: Caller, report: (found: readonly AuditProblem[]) => void): Promise<{ records: number; history: number }> {
    const issued = new IssuedSerials();
    // Consecutive records mostly share their entry (one per request): keep the last page's.
    let cache = new Map<number, JournalEvent>();
    let records = 0;
    let history = 0;
    let beforeId: number | undefined;
    for (;;) {
      const page = await this.#store.read(async (tx) => {
        const rows = await tx.records.search({ companyId: caller.companyId, ...(beforeId === undefined ? {} : { beforeId }), limit: VERIFY_PAGE });
        const changes = await tx.records.historyOf(rows.map((r) => r.id));
        const wanted = new Set<number>();
        for (const r of rows) if (r.auditId !== null && !cache.has(r.auditId)) wanted.add(r.auditId);
        for (const c of changes) if (c.auditId !== null && !cache.has(c.auditId)) wanted.add(c.auditId);
        const found = await tx.journal.findByIds(caller.companyId, [...wanted]);
        return { rows, changes, found };
      });
      const entries = new Map<number, JournalEvent>();
      for (const r of page.rows) if (r.auditId !== null && cache.has(r.auditId)) entries.set(r.auditId, cache.get(r.auditId)!);
      for (const c of page.changes) if (c.auditId !== null && cache.has(c.auditId)) entries.set(c.auditId, cache.get(c.auditId)!);
      for (const e of page.found) entries.set(e.id, e);
      const byRecord = new Map<number, StatusChangeRow[]>();
      for (const c of page.changes) {
        const list = byRecord.get(c.recordId) ?? [];
        list.push(c);
        byRecord.set(c.recordId, list);
      }
      for (const record of page.rows) {
        report(recordLinkProblems(record, record.auditId === null ? undefined : entries.get(record.auditId), issued));
        report(historyLinkProblems(record, byRecord.get(record.id) ?? [], entries));
      }
      records += page.rows.length;
      history += page.changes.length;
      cache = entries;
      if (page.rows.length < VERIFY_PAGE) return { records, history };
      beforeId = page.rows[page.rows.length - 1]!.id;
    }
  }
}
