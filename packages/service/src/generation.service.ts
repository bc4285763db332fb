import {
  exhaustedError,
  nextValues,
  remainingAfter,
  SerialtraceError,
  type Clock,
  type SerialMaker,
  type SeriesPlan,
} from '@serialtrace/core';
import type { IssueLocks, NewRecord, SeriesRow, Store, StoreTransaction } from '@serialtrace/store';
import { appendAudit, reserveAuditIds } from './audit-writer.js';
import type { Caller } from './caller.js';
import { generationEntry, recordFrom, recordTemplate, requestMaker, type Issued, type RecordTemplate, type Skipped } from './generation-records.js';
import { validateGenerateRequest, type GenerateRequest, type GenerateResult, type ValidGenerateRequest } from './generation-request.js';
import { fingerprint } from './hashing.js';
import { CompanyQueues, type Waiting } from './company-queues.js';
import { CrossSeriesFallback, issueGaplessBatch, type GaplessRequest } from './gapless-batch.js';
import { BatchFallback, issueLeased, releaseLeasesIn, serverActor, type LeasedIssueDeps, type LeasedRequest, type LeasePolicy } from './leased-issue.js';
import { periodAt, type SeriesPlans } from './series-plans.js';

export * from './generation-request.js';
export type { LeasePolicy } from './leased-issue.js';

/** The most requests one batch of generation serves. */
const MAX_BATCH = 256;
/** The most serials one batch of gapless generation issues (a larger request goes alone). */
const MAX_BATCH_SERIALS = 10_000;
/** Gapless batches of one company in progress at once in this process. */
const GAPLESS_LANES = 2;

export interface GenerationServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly plans: SeriesPlans;
  readonly leases: LeasePolicy;
}

/**
 * Issuing serials. Under gapless allocation the values of a request are allocated from the locked
 * counter, rendered, checked for uniqueness, recorded and audited, and only then committed and
 * answered. A refusal at any step leaves the counter where it was: a failed request consumes
 * nothing. On PostgreSQL a request that finds none of its company's running goes alone; those
 * that arrive while one runs are served together by the next transaction (see
 * {@link issueGaplessBatch}), each with consecutive values and its own audit entry, in at most
 * {@link GAPLESS_LANES} at once.
 *
 * Under leased allocation the values come from a block this process leased, and the requests of
 * one company that arrive while a transaction is running are served together by the next one (see
 * {@link issueLeased}); each is still answered only once it is committed.
 */
export class GenerationService {
  readonly #deps: GenerationServiceDeps;
  /** Leased requests waiting for their company's next batch. */
  /** Leased requests waiting for their company's next batch: one at a time per company. */
  readonly #leasedQueues = new CompanyQueues<LeasedRequest, GenerateResult>({
    lanes: 1,
    take: (waiting) => Math.min(waiting.length, MAX_BATCH),
    serve: (companyId, batch) => this.#leasedBatch(companyId, batch),
  });

  /** What leased issue needs, with this process's memory of when it last tidied old leases. */
  readonly #leasedDeps: LeasedIssueDeps;

  constructor(deps: GenerationServiceDeps) {
    this.#deps = deps;
    this.#leasedDeps = { clock: deps.clock, plans: deps.plans, leases: deps.leases, tidied: new Map() };
    this.#batchesGapless = !deps.store.groupsCommits;
  }

  /**
   * @example await generation.generate(caller, 'Widgets', { quantity: 10, workOrder: 'WO-1' })
   *   // { serials: ['SN-0001', ...], period: '*', skipped: 0, replayed: false }
   */
  async generate(caller: Caller, seriesName: string, request: GenerateRequest = {}): Promise<GenerateResult> {
    const valid = validateGenerateRequest(request);
    const requestHash =
      valid.idempotencyKey === null ? '' : fingerprint({ series: seriesName, ...valid, idempotencyKey: undefined });
    // The batch path is taken once this process has seen the series to be leased; the first
    // request (or one after a change) learns it on the way below.
    const known = this.#deps.plans.peek(caller.companyId, seriesName);
    if (known?.settings.allocation === 'leased') return this.#leasedQueues.enqueue(caller.companyId, { caller, seriesName, valid, requestHash });
    if (known !== undefined) {
      // Plain requests are served together with those of the company that arrive meanwhile; a
      // replay to look up, or serials to check across series, take the one-by-one path.
      if (this.#batchesGapless && valid.idempotencyKey === null && !this.#crossSeries.has(caller.companyId)) return this.#gaplessQueues.enqueue(caller.companyId, { caller, seriesName, valid, series: known });
      return this.#one(caller, seriesName, valid, requestHash);
    }
    // Until the process knows the series, its requests go one at a time: a burst of first requests
    // of a leased series would otherwise each take a lease of its own, side by side.
    const key = `${caller.companyId}\u0000${seriesName}`;
    const learning = this.#learning.get(key);
    if (learning !== undefined) {
      await learning.catch(() => undefined);
      return this.generate(caller, seriesName, request);
    }
    const first = this.#one(caller, seriesName, valid, requestHash);
    this.#learning.set(key, first);
    try {
      return await first;
    } finally {
      this.#learning.delete(key);
    }
  }

  /**
   * Whether gapless requests that arrive together are served by one transaction: not when the
   * store groups commits itself (SQLite), where serving them in one unit as well measured a little
   * slower (HTTP, 16 clients, three runs: 63, 79 and 67% of the bare loop against 64, 80 and 72%);
   * PostgreSQL pays a commit per transaction.
   */
  readonly #batchesGapless: boolean;
  /** Gapless requests waiting for their company's next batch (see {@link GAPLESS_LANES}). */
  readonly #gaplessQueues = new CompanyQueues<GaplessRequest, GenerateResult>({
    lanes: GAPLESS_LANES,
    take: (waiting) => {
      let serials = 0;
      let take = 0;
      while (take < waiting.length && take < MAX_BATCH && (take === 0 || serials + waiting[take]!.request.valid.quantity <= MAX_BATCH_SERIALS)) {
        serials += waiting[take]!.request.valid.quantity;
        take += 1;
      }
      return take;
    },
    serve: (companyId, batch) => this.#gaplessBatch(companyId, batch),
  });
  /** Companies seen to have global series: their gapless requests are served one by one. */
  readonly #crossSeries = new Set<number>();

  /** A gapless request on its own, as if it had never waited for a batch. */
  #gaplessAlone(w: Waiting<GaplessRequest, GenerateResult>): Promise<void> {
    return this.#one(w.request.caller, w.request.seriesName, w.request.valid, '').then(w.resolve, w.reject);
  }

  async #gaplessBatch(companyId: number, batch: readonly Waiting<GaplessRequest, GenerateResult>[]): Promise<void> {
    // Alone, a request takes the path of a single request, which costs a little less.
    if (batch.length === 1) return this.#gaplessAlone(batch[0]!);
    let results: GenerateResult[];
    try {
      results = await this.#deps.store.write((tx) => issueGaplessBatch(tx, this.#deps, companyId, batch.map((w) => w.request)));
    } catch (error) {
      if (error instanceof BatchFallback) {
        if (error instanceof CrossSeriesFallback) this.#crossSeries.add(companyId);
        // Each on its own, side by side, as they would have run without the batch.
        await Promise.all(batch.map((w) => this.#gaplessAlone(w)));
        return;
      }
      for (const w of batch) {
        this.#deps.plans.forget(companyId, w.request.seriesName);
        w.reject(error);
      }
      return;
    }
    batch.forEach((w, i) => w.resolve(results[i]!));
  }

  /** The first request of a series this process does not know yet, by company and series name. */
  readonly #learning = new Map<string, Promise<GenerateResult>>();

  async #one(caller: Caller, seriesName: string, valid: ValidGenerateRequest, requestHash: string): Promise<GenerateResult> {
    try {
      return await this.#write(caller, seriesName, valid, requestHash);
    } catch (error) {
      this.#deps.plans.forget(caller.companyId, seriesName);
      throw error;
    }
  }

  async #leasedBatch(companyId: number, batch: readonly Waiting<LeasedRequest, GenerateResult>[]): Promise<void> {
    const one = (w: Waiting<LeasedRequest, GenerateResult>) => this.#one(w.request.caller, w.request.seriesName, w.request.valid, w.request.requestHash).then(w.resolve, w.reject);
    let outcomes;
    try {
      outcomes = await this.#deps.store.write((tx) =>
        issueLeased(tx, this.#leasedDeps, companyId, batch.map((w) => w.request)),
      );
    } catch (error) {
      for (const w of batch) this.#deps.plans.forget(companyId, w.request.seriesName);
      if (error instanceof BatchFallback) {
        for (const w of batch) await one(w);
      } else for (const w of batch) w.reject(error);
      return;
    }
    for (let i = 0; i < batch.length; i++) {
      const w = batch[i]!;
      const outcome = outcomes[i]!;
      if (outcome.kind === 'done') w.resolve(outcome.result);
      else if (outcome.kind === 'refused') {
        this.#deps.plans.forget(companyId, w.request.seriesName);
        w.reject(outcome.error);
      } else await one(w);
    }
  }

  /**
   * Releases this process's leases, recording the values it leased but did not issue as skipped.
   * A server calls it when it stops; leases of a process that stopped without it are released by
   * whoever next leases from the series after they expire.
   */
  async releaseLeases(): Promise<number> {
    const { owner } = this.#deps.leases;
    return this.#deps.store.write(async (tx) =>
      releaseLeasesIn(tx, await tx.counters.lockOpenLeases({ owner }), this.#deps.clock.now().toISOString(), 'shutdown', serverActor(owner)),
    );
  }

  /**
   * The plan, period and renderer of a gapless request on `series`, and the locks it issues under
   * (the chain head is taken first so each record can name the entry that will record it).
   * `undefined` when `expect` says which copy of the series was used and it is no longer current.
   */
  async #prepare(
    tx: StoreTransaction,
    caller: Caller,
    series: SeriesRow,
    valid: ValidGenerateRequest,
    now: Date,
    expect: { name: string; version: number } | undefined,
  ): Promise<
    | { kind: 'leased' }
    | { kind: 'gapless'; plan: SeriesPlan; period: string; maker: SerialMaker; locks: IssueLocks }
    | undefined
  > {
    if (series.settings.allocation === 'leased') return { kind: 'leased' };
    const plan = this.#deps.plans.planFor(series);
    const { local, period } = periodAt(plan, now);
    const locks = await tx.counters.lockIssue(caller.companyId, series.id, period, expect);
    if (!locks.seriesCurrent) return undefined;
    const maker = requestMaker(this.#deps.plans, series, plan, { local, period }, valid);
    return { kind: 'gapless', plan, period, maker, locks };
  }

  #write(caller: Caller, seriesName: string, valid: ValidGenerateRequest, requestHash: string): Promise<GenerateResult> {
    return this.#deps.store.write(async (tx) => this.#writeIn(tx, caller, seriesName, valid, requestHash));
  }

  /**
   * Issues inside a transaction the caller owns (a script's run): the same checks, records and
   * audit entry as {@link generate}, kept only if that transaction commits. Leased series issue
   * from this process's leases as usual; the batching of concurrent requests does not apply.
   */
  async generateIn(tx: StoreTransaction, caller: Caller, seriesName: string, request: GenerateRequest = {}): Promise<GenerateResult> {
    const valid = validateGenerateRequest(request);
    const requestHash = valid.idempotencyKey === null ? '' : fingerprint({ series: seriesName, ...valid, idempotencyKey: undefined });
    try {
      return await this.#writeIn(tx, caller, seriesName, valid, requestHash);
    } catch (error) {
      this.#deps.plans.forget(caller.companyId, seriesName);
      throw error;
    }
  }

  async #writeIn(tx: StoreTransaction, caller: Caller, seriesName: string, valid: ValidGenerateRequest, requestHash: string): Promise<GenerateResult> {
    if (valid.idempotencyKey !== null) {
      const previous = await tx.idempotency.find(caller.companyId, valid.idempotencyKey);
      if (previous !== undefined) {
        if (previous.requestHash !== requestHash) {
          throw new SerialtraceError('IDEMPOTENCY_KEY_REUSED', { field: 'idempotencyKey', key: valid.idempotencyKey });
        }
        return { ...(JSON.parse(previous.response) as GenerateResult), replayed: true };
      }
    }

    const now = this.#deps.clock.now();
    const at = now.toISOString();
    // A copy of the series from an earlier request is checked by the same statement that takes
    // the locks; without one, or when it is stale, the series is read first.
    let series = this.#deps.plans.peek(caller.companyId, seriesName);
    let expect: { name: string; version: number } | undefined;
    if (series === undefined || series.settings.allocation === 'leased') series = (await this.#deps.plans.load(tx, caller.companyId, seriesName)).row;
    else expect = { name: seriesName, version: series.version };
    let attempt = await this.#prepare(tx, caller, series, valid, now, expect);
    if (attempt === undefined) {
      series = (await this.#deps.plans.load(tx, caller.companyId, seriesName)).row;
      attempt = (await this.#prepare(tx, caller, series, valid, now, undefined))!;
    }
    if (attempt.kind === 'leased') {
      // The key was looked up above, in this transaction.
      const [outcome] = await issueLeased(tx, this.#leasedDeps, caller.companyId, [{ caller, seriesName, valid, requestHash }], {
        idempotencyChecked: true,
      });
      if (outcome?.kind === 'done') return outcome.result;
      if (outcome?.kind === 'refused') throw outcome.error;
      throw new Error(`series ${seriesName} changed allocation inside one transaction`);
    }
    const { plan, period, maker, locks } = attempt;
    const { counter, otherGlobal } = locks;
    const auditIds = await reserveAuditIds(tx, 1);
    const template = recordTemplate(caller, series.id, period, valid, at, auditIds[0]!);
    const { issued, skipped } = await issue(tx, series, plan, period, valid.quantity, maker, template, {
      counter: counter ?? plan.settings.start,
      // Clashes with other series matter only for a global series, or when a global one exists.
      crossSeries: series.settings.global || otherGlobal,
    });
    await appendAudit(tx, caller, at, [generationEntry(series, period, valid, issued, skipped)], auditIds);
    const result: GenerateResult = {
      series: series.settings.name,
      serials: issued.map((i) => i.serial),
      period,
      skipped: skipped.length,
      replayed: false,
    };
    if (valid.idempotencyKey !== null) {
      await tx.idempotency.insert(caller.companyId, {
        key: valid.idempotencyKey,
        requestHash,
        response: JSON.stringify(result),
        createdAt: at,
      });
    }
    return result;
  }
}

/**
 * Allocates values after the period's counter until `quantity` serials are recorded, skipping
 * any value whose serial must stay unique and already exists (in another series under the global
 * rule, found by lookup; in this series, found by the insert itself), and saves the counter. A
 * request that would run past the series' capacity is refused whole.
 */
async function issue(
  tx: StoreTransaction,
  series: SeriesRow,
  plan: SeriesPlan,
  period: string,
  quantity: number,
  maker: SerialMaker,
  template: RecordTemplate,
  locked: { readonly counter: bigint; readonly crossSeries: boolean },
): Promise<{ issued: Issued[]; skipped: Skipped[] }> {
  const { global } = series.settings;
  const { crossSeries } = locked;
  let counter = locked.counter;
  const issued: Issued[] = [];
  const skipped: Skipped[] = [];
  while (issued.length < quantity) {
    const candidates = nextValues(plan, counter, quantity - issued.length);
    if (candidates === undefined) {
      throw exhaustedError(plan, period, quantity, (remainingAfter(plan, counter) ?? 0n) + BigInt(issued.length));
    }
    const values = maker.valuesOf === null ? candidates : maker.valuesOf(candidates);
    const rendered = values.map(maker.render);
    const elsewhere = crossSeries
      ? new Map((await tx.records.findTaken(series.companyId, series.id, global, rendered)).map((t) => [t.serial, t.seriesName]))
      : undefined;
    const rows: NewRecord[] = [];
    values.forEach((sequence, i) => {
      const serial = rendered[i]!;
      const owner = elsewhere?.get(serial);
      if (owner === undefined) rows.push(recordFrom(template, serial, sequence));
      else skipped.push({ sequence: sequence.toString(), serial, conflictsWith: owner });
    });
    const recorded = await tx.records.insertIssued(rows);
    recorded.forEach((isNew, i) => {
      const { sequence, serial } = rows[i]!;
      if (!isNew) skipped.push({ sequence: sequence.toString(), serial, conflictsWith: series.settings.name });
      else issued.push({ value: sequence, serial });
    });
    counter = candidates[candidates.length - 1]!;
  }
  await tx.counters.save(series.id, period, counter, template.generatedAt);
  return { issued, skipped };
}

