import {
  exhaustedError,
  remainingAfter,
  SerialtraceError,
  type Clock,
  type SeriesPlan,
} from '@serialtrace/core';
import type { LeaseRow, NewRecord, SeriesRow, StoreTransaction } from '@serialtrace/store';
import { appendAuditItems, reserveAuditIds, type AuditItem } from './audit-writer.js';
import type { Caller } from './caller.js';
import { generationEntry, recordFrom, recordTemplate, requestMaker, type Issued, type RecordTemplate, type Skipped } from './generation-records.js';
import type { GenerateResult, ValidGenerateRequest } from './generation-request.js';
import { periodAt, type SeriesPlans } from './series-plans.js';

/** How this process leases values. */
export interface LeasePolicy {
  /** The name its leases are held under (one per server process). */
  readonly owner: string;
  /** How long a lease stays this process's without being used; anyone may release it after. */
  readonly ttlMs: number;
  /**
   * Whether leases outlive a request. A server keeps them for the next requests; a one-shot
   * process (the CLI) leases exactly what each request needs and releases it at once, so it
   * leaves nothing unused behind.
   */
  readonly hold: boolean;
}

/** One generation request waiting to be served from leases. */
export interface LeasedRequest {
  readonly caller: Caller;
  readonly seriesName: string;
  readonly valid: ValidGenerateRequest;
  readonly requestHash: string;
}

export type LeasedOutcome =
  | { readonly kind: 'done'; readonly result: GenerateResult }
  | { readonly kind: 'refused'; readonly error: SerialtraceError }
  /** The series is not (or no longer) leased: the request must be served on its own. */
  | { readonly kind: 'gapless' };

/**
 * Thrown inside a batch's transaction when a request ran out of values after records of it were
 * already written (skipped collisions near the end of the series): the transaction is rolled back
 * and each request is served on its own, where such a refusal keeps nothing.
 */
export class BatchFallback extends Error {
  constructor() {
    super('the batch must be served request by request');
  }
}

export interface LeasedIssueDeps {
  readonly clock: Clock;
  readonly plans: SeriesPlans;
  readonly leases: LeasePolicy;
  /**
   * When this process last tidied each series' period (by `seriesId\u0000period`), in its clock's
   * milliseconds: see `LeaseBook.tidy`. A tidy of a transaction that rolls back still counts, which
   * only puts the next one off by at most a tenth of the lease lifetime.
   */
  readonly tidied: Map<string, number>;
}

/** A request on its way through the batch. */
interface Prepared {
  readonly index: number;
  readonly request: LeasedRequest;
  readonly series: SeriesRow;
  readonly state: LeaseState;
  readonly render: (value: bigint) => string;
  template: RecordTemplate;
  candidates: bigint[];
  readonly issued: Issued[];
  readonly skipped: Skipped[];
}

/** The lease this process issues from for one series and period, as the batch moves it on. */
interface LeaseState {
  readonly series: SeriesRow;
  readonly plan: SeriesPlan;
  readonly period: string;
  lease: LeaseRow | undefined;
  used: bigint;
  /** Whether the global rule makes this series' serials clash with other series'. */
  crossSeries: boolean | undefined;
  touched: boolean;
}

const SERVER_ACTOR_PREFIX = 'server:';

/** The actor of what a server does on its own (releasing leases), in the audit trail. */
export function serverActor(owner: string): string {
  return `${SERVER_ACTOR_PREFIX}${owner}`;
}

/**
 * Serves generation requests of one company from leased blocks of values, in one transaction:
 * the audit chain's head is taken once, each series' lease is read once, the records of every
 * request go in with one insert, and every request gets its own audit entry. A request the
 * service refuses (an unknown series, a missing context token, an exhausted series) is refused
 * alone; the others are served.
 */
export async function issueLeased(
  tx: StoreTransaction,
  deps: LeasedIssueDeps,
  companyId: number,
  requests: readonly LeasedRequest[],
  options: { readonly idempotencyChecked?: boolean } = {},
): Promise<LeasedOutcome[]> {
  const now = deps.clock.now();
  const at = now.toISOString();
  const outcomes = new Array<LeasedOutcome | undefined>(requests.length);

  // Repeated requests are answered from their first answer (unless the caller looked already).
  for (let i = 0; i < requests.length && options.idempotencyChecked !== true; i++) {
    const { valid, requestHash } = requests[i]!;
    if (valid.idempotencyKey === null) continue;
    const previous = await tx.idempotency.find(companyId, valid.idempotencyKey);
    if (previous === undefined) continue;
    outcomes[i] =
      previous.requestHash === requestHash
        ? { kind: 'done', result: { ...(JSON.parse(previous.response) as GenerateResult), replayed: true } }
        : { kind: 'refused', error: new SerialtraceError('IDEMPOTENCY_KEY_REUSED', { field: 'idempotencyKey', key: valid.idempotencyKey }) };
  }

  const leases = new LeaseBook(tx, deps, companyId, at);
  await leases.prefetch();
  const names = [...new Set(requests.filter((_, i) => outcomes[i] === undefined).map((r) => r.seriesName))];
  const loaded = await deps.plans.loadMany(tx, companyId, names);
  const prepared: Prepared[] = [];
  for (let i = 0; i < requests.length; i++) {
    if (outcomes[i] !== undefined) continue;
    const request = requests[i]!;
    try {
      const series = loaded.get(request.seriesName)!;
      if (series instanceof SerialtraceError) throw series;
      const { row, plan } = series;
      if (row.settings.allocation !== 'leased') {
        outcomes[i] = { kind: 'gapless' };
        continue;
      }
      const { local, period } = periodAt(plan, now);
      const { valid, caller } = request;
      const maker = requestMaker(deps.plans, row, plan, { local, period }, valid);
      const state = await leases.state(row, plan, period);
      const taken = await leases.take(state, valid.quantity);
      if ('remaining' in taken) throw exhaustedError(plan, period, valid.quantity, taken.remaining);
      const candidates = maker.valuesOf === null ? taken.values : maker.valuesOf(taken.values);
      const render = maker.render;
      prepared.push({
        index: i,
        request,
        series: row,
        state,
        render,
        candidates,
        issued: [],
        skipped: [],
        template: recordTemplate(caller, row.id, period, valid, at, null),
      });
    } catch (error) {
      if (!(error instanceof SerialtraceError)) throw error;
      outcomes[i] = { kind: 'refused', error };
    }
  }

  // Every request that got values is served now: its entry's id is known.
  const auditIds = await reserveAuditIds(tx, prepared.length);
  prepared.forEach((p, i) => (p.template = { ...p.template, auditId: auditIds[i]! }));

  let round = prepared;
  while (round.length > 0) {
    await recordRound(tx, companyId, round);
    const short = round.filter((p) => p.issued.length < p.request.valid.quantity);
    for (const p of short) {
      const more = await leases.take(p.state, p.request.valid.quantity - p.issued.length);
      // Records of this request are already written; refusing it now would keep them.
      if ('remaining' in more) throw new BatchFallback();
      p.candidates = more.values;
    }
    round = short;
  }

  const items: AuditItem[] = prepared.map((p) => ({
    caller: p.request.caller,
    at,
    draft: generationEntry(p.series, p.state.period, p.request.valid, p.issued, p.skipped),
  }));
  await appendAuditItems(tx, items, auditIds);
  await appendAuditItems(tx, await leases.finish());

  for (const p of prepared) {
    const result: GenerateResult = {
      series: p.series.settings.name,
      serials: p.issued.map((i) => i.serial),
      period: p.state.period,
      skipped: p.skipped.length,
      replayed: false,
    };
    outcomes[p.index] = { kind: 'done', result };
    const key = p.request.valid.idempotencyKey;
    if (key !== null) {
      await tx.idempotency.insert(companyId, { key, requestHash: p.request.requestHash, response: JSON.stringify(result), createdAt: at });
    }
  }
  return outcomes as LeasedOutcome[];
}

/**
 * Writes the candidates of a round: values whose serial another series holds under the global
 * rule, or this series already holds, are skipped; the rest become records.
 */
async function recordRound(tx: StoreTransaction, companyId: number, round: readonly Prepared[]): Promise<void> {
  const rendered = round.map((p) => p.candidates.map(p.render));
  const taken = new Map<number, Map<string, string>>();
  const bySeries = new Map<number, { series: SeriesRow; state: LeaseState; serials: string[] }>();
  round.forEach((p, i) => {
    const entry = bySeries.get(p.series.id) ?? { series: p.series, state: p.state, serials: [] };
    entry.serials.push(...rendered[i]!);
    bySeries.set(p.series.id, entry);
  });
  // One look at the company's global series serves every series of the round.
  let globals: number[] | undefined;
  for (const { series, state, serials } of bySeries.values()) {
    if (state.crossSeries === undefined) {
      globals ??= await tx.series.globalSeriesIds(companyId);
      state.crossSeries = series.settings.global || globals.some((id) => id !== series.id);
    }
    if (!state.crossSeries) continue;
    const found = await tx.records.findTaken(companyId, series.id, series.settings.global, serials);
    taken.set(series.id, new Map(found.map((t) => [t.serial, t.seriesName])));
  }
  const rows: NewRecord[] = [];
  const owners: Prepared[] = [];
  round.forEach((p, i) => {
    const elsewhere = taken.get(p.series.id);
    p.candidates.forEach((sequence, j) => {
      const serial = rendered[i]![j]!;
      const owner = elsewhere?.get(serial);
      if (owner !== undefined) p.skipped.push({ sequence: sequence.toString(), serial, conflictsWith: owner });
      else {
        rows.push(recordFrom(p.template, serial, sequence));
        owners.push(p);
      }
    });
  });
  const recorded = await tx.records.insertIssued(rows);
  recorded.forEach((isNew, i) => {
    const { sequence, serial } = rows[i]!;
    const p = owners[i]!;
    if (!isNew) p.skipped.push({ sequence: sequence.toString(), serial, conflictsWith: p.series.settings.name });
    else p.issued.push({ value: sequence, serial });
  });
}


/**
 * This process's leases touched by one transaction: read once per series and period, moved on in
 * memory as values are taken, renewed (or, for a process that holds none, released) at the end.
 * Taking a new lease also tidies the series' other leases: this process's leases of periods that
 * are over, and any process's leases that expired (a server that stopped without releasing).
 */
class LeaseBook {
  readonly #tx: StoreTransaction;
  readonly #deps: LeasedIssueDeps;
  readonly #companyId: number;
  readonly #at: string;
  readonly #states = new Map<string, LeaseState>();
  readonly #released: AuditItem[] = [];
  readonly #tidied = new Set<number>();

  constructor(tx: StoreTransaction, deps: LeasedIssueDeps, companyId: number, at: string) {
    this.#tx = tx;
    this.#deps = deps;
    this.#companyId = companyId;
    this.#at = at;
  }

  /** This process's open leases of the company, read (and held) with one statement. */
  #open: Map<string, LeaseRow> | undefined;

  async prefetch(): Promise<void> {
    if (!this.#deps.leases.hold) return;
    this.#open = new Map();
    for (const lease of await this.#tx.counters.lockOpenLeases({ owner: this.#deps.leases.owner, companyId: this.#companyId })) {
      const key = `${lease.seriesId}\u0000${lease.period}`;
      if (!this.#open.has(key)) this.#open.set(key, lease);
    }
  }

  async state(series: SeriesRow, plan: SeriesPlan, period: string): Promise<LeaseState> {
    const key = `${series.id}\u0000${period}`;
    let state = this.#states.get(key);
    if (state === undefined) {
      const lease = !this.#deps.leases.hold
        ? undefined
        : this.#open !== undefined
          ? this.#open.get(key)
          : await this.#tx.counters.lockOpenLease(series.id, period, this.#deps.leases.owner);
      state = { series, plan, period, lease, used: lease?.used ?? 0n, crossSeries: undefined, touched: false };
      this.#states.set(key, state);
    }
    return state;
  }

  /**
   * `count` values for a request: the rest of the current lease first, then a new lease taken from
   * the counter. When the series has fewer left, nothing changes and the number left is returned.
   */
  async take(state: LeaseState, count: number): Promise<{ values: bigint[] } | { remaining: bigint }> {
    const { increment } = state.plan.settings;
    const inLease = state.lease === undefined ? 0n : (state.lease.last - state.used) / increment;
    const values: bigint[] = [];
    if (inLease < BigInt(count)) {
      const { series, plan, period } = state;
      const counter = (await this.#tx.counters.lock(series.id, period)) ?? plan.settings.start;
      if (state.lease === undefined && this.#deps.leases.hold) {
        // Another transaction of this process may have leased while this one waited for the
        // counter (the first requests of a series run side by side): use that lease, or this
        // process would keep two open.
        const leased = await this.#tx.counters.lockOpenLease(series.id, period, this.#deps.leases.owner);
        if (leased !== undefined) {
          state.lease = leased;
          state.used = leased.used;
          return this.take(state, count);
        }
      }
      const remaining = remainingAfter(plan, counter);
      const needed = count - Number(inLease);
      if (remaining !== null && remaining < BigInt(needed)) return { remaining: remaining + inLease };
      this.#takeInto(state, Number(inLease), values);
      await this.#lease(state, counter, remaining, needed);
    }
    this.#takeInto(state, count - values.length, values);
    state.touched = true;
    return { values };
  }

  #takeInto(state: LeaseState, count: number, values: bigint[]): void {
    const { increment } = state.plan.settings;
    let value = state.used;
    for (let i = 0; i < count; i++) {
      value += increment;
      values.push(value);
    }
    state.used = value;
  }

  /** Leases the values after `counter`: the series' lease size, or `needed` when that is more. */
  async #lease(state: LeaseState, counter: bigint, remaining: bigint | null, needed: number): Promise<void> {
    const { series, plan, period } = state;
    const policy = this.#deps.leases;
    const wanted = BigInt(policy.hold ? Math.max(series.settings.leaseSize, needed) : needed);
    const size = remaining === null || remaining >= wanted ? wanted : remaining;
    const last = counter + plan.settings.increment * size;
    await this.#tx.counters.save(series.id, period, last, this.#at);
    await this.#tidy(series, period);
    // The current lease is used up by now.
    if (state.lease !== undefined) await this.#release(state.lease, state.used, 'replaced', series);
    state.lease = await this.#tx.counters.insertLease({
      companyId: this.#companyId,
      seriesId: series.id,
      period,
      owner: policy.owner,
      used: counter,
      last,
      leasedAt: this.#at,
      expiresAt: this.#expiry(),
    });
    state.used = counter;
  }

  /**
   * Releases this process's leases of the series in other periods, and anyone's expired ones: on
   * the first lease of a period, and then at most once per tenth of the lease lifetime (a series
   * whose requests each take a lease would otherwise pay two lookups per request).
   */
  async #tidy(series: SeriesRow, period: string): Promise<void> {
    if (this.#tidied.has(series.id)) return;
    this.#tidied.add(series.id);
    const { tidied } = this.#deps;
    const key = `${series.id}\u0000${period}`;
    const now = Date.parse(this.#at);
    const last = tidied.get(key);
    if (last !== undefined && now >= last && now - last < this.#deps.leases.ttlMs / 10) return;
    tidied.set(key, now);
    const { owner } = this.#deps.leases;
    const mine = await this.#tx.counters.lockOpenLeases({ owner, seriesId: series.id });
    for (const lease of mine) if (lease.period !== period) await this.#release(lease, lease.used, 'period_ended', series);
    const expired = await this.#tx.counters.lockOpenLeases({ seriesId: series.id, expiredBefore: this.#at });
    for (const lease of expired) if (lease.owner !== owner) await this.#release(lease, lease.used, 'expired', series);
  }

  /** `series`, when the caller has it, is the lease's series (it saves reading it). */
  async #release(lease: LeaseRow, used: bigint, reason: LeaseReleaseReason, known?: SeriesRow): Promise<void> {
    const series = known?.id === lease.seriesId ? known : (await this.#tx.series.findById(lease.seriesId))!;
    const item = await releaseLease(this.#tx, series, { ...lease, used }, this.#at, reason, serverActor(this.#deps.leases.owner));
    if (item !== undefined) this.#released.push(item);
  }

  #expiry(): string {
    return new Date(Date.parse(this.#at) + this.#deps.leases.ttlMs).toISOString();
  }

  /** Saves how far each lease was used (or releases it), and returns the audit entries of what was released. */
  async finish(): Promise<AuditItem[]> {
    for (const state of this.#states.values()) {
      const lease = state.lease;
      if (lease === undefined || !state.touched) continue;
      if (this.#deps.leases.hold) await this.#tx.counters.saveLease(lease.id, state.used, this.#expiry());
      else await this.#release(lease, state.used, 'request_done', state.series);
    }
    return this.#released;
  }
}

export type LeaseReleaseReason = 'request_done' | 'replaced' | 'period_ended' | 'expired' | 'shutdown' | 'series_changed';

/**
 * Ends a lease. Values it holds that were never issued are recorded as skipped in an audit entry
 * (returned, for the caller to append with its others), so every number stays accounted for.
 */
export async function releaseLease(
  tx: StoreTransaction,
  series: SeriesRow,
  lease: LeaseRow,
  at: string,
  reason: LeaseReleaseReason,
  actor: string,
): Promise<AuditItem | undefined> {
  await tx.counters.releaseLease(lease.id, lease.used, at);
  if (lease.used >= lease.last) return undefined;
  const { increment } = series.settings;
  return {
    caller: { companyId: series.companyId, actor },
    at,
    draft: {
      action: 'serials.lease_released',
      entityType: 'series',
      entityId: String(series.id),
      data: {
        series: series.settings.name,
        period: lease.period,
        owner: lease.owner,
        reason,
        // Sequence values, not serials: a range may be large, and it is what the counter counts.
        skipped: {
          first: (lease.used + increment).toString(),
          last: lease.last.toString(),
          count: ((lease.last - lease.used) / increment).toString(),
        },
      },
    },
  };
}

/** Releases leases, and audits what they skipped. */
export async function releaseLeasesIn(
  tx: StoreTransaction,
  leases: readonly LeaseRow[],
  at: string,
  reason: LeaseReleaseReason,
  actor: string,
): Promise<number> {
  // Every company's entries in one append: the sealer places each in its own company's chain.
  const items: AuditItem[] = [];
  for (const lease of leases) {
    const series = await tx.series.findById(lease.seriesId);
    if (series === undefined) continue;
    const item = await releaseLease(tx, series, lease, at, reason, actor);
    if (item !== undefined) items.push(item);
  }
  await appendAuditItems(tx, items);
  return leases.length;
}
