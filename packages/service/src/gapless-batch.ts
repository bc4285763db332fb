import { nextValues, SerialtraceError, type Clock, type SerialMaker } from '@serialtrace/core';
import type { NewRecord, SeriesRow, StoreTransaction } from '@serialtrace/store';
import { appendAuditItems, reserveAuditIds, type AuditItem } from './audit-writer.js';
import type { Caller } from './caller.js';
import { generationEntry, recordFrom, recordTemplate, requestMaker, type Issued } from './generation-records.js';
import type { GenerateResult, ValidGenerateRequest } from './generation-request.js';
import { BatchFallback } from './leased-issue.js';
import { periodAt, type SeriesPlans } from './series-plans.js';

/** One gapless generation request waiting to be served with others of its company. */
export interface GaplessRequest {
  readonly caller: Caller;
  readonly seriesName: string;
  readonly valid: ValidGenerateRequest;
  /** The copy of the series this process keeps; the batch serves the request only while it is current. */
  readonly series: SeriesRow;
}

/** Thrown when the company has global series: its requests are served one by one, with their company-wide checks. */
export class CrossSeriesFallback extends BatchFallback {}

export interface GaplessBatchDeps {
  readonly clock: Clock;
  readonly plans: SeriesPlans;
}

/**
 * Serves several gapless requests of one company in one transaction: the counters of every
 * series and period they use are locked in one statement (in a fixed order), each request's
 * values follow the previous request's on the same counter, and the records, counters and one
 * audit entry per request are written together. Each request's values are still consecutive, and
 * each request is answered only once the transaction has committed, as if it had run alone.
 *
 * Only the plain case is served here. Anything else (a series changed since this process read it,
 * a period without a counter yet, a refusal, a serial that already exists, a company with global
 * series) throws {@link BatchFallback} before anything is kept: the transaction is rolled back
 * and each request runs on its own, where every such case has its answer.
 */
export async function issueGaplessBatch(tx: StoreTransaction, deps: GaplessBatchDeps, companyId: number, requests: readonly GaplessRequest[]): Promise<GenerateResult[]> {
  // Drawn before any lock is taken: a draw may cost a round trip.
  const auditIds = await reserveAuditIds(tx, requests.length);
  const now = deps.clock.now();
  const at = now.toISOString();
  const planned = requests.map((request) => {
    const plan = deps.plans.planFor(request.series);
    return { request, plan, ...periodAt(plan, now) };
  });
  const keyOf = (seriesId: number, period: string) => `${seriesId}\u0000${period}`;
  const keys = new Map<string, { seriesId: number; period: string }>();
  for (const p of planned) keys.set(keyOf(p.request.series.id, p.period), { seriesId: p.request.series.id, period: p.period });
  const locks = await tx.counters.lockIssues(companyId, [...keys.values()]);
  if (locks.globalSeries > 0) throw new CrossSeriesFallback();
  const counters = new Map(locks.counters.map((c) => [keyOf(c.seriesId, c.period), c]));
  const values = new Map<string, bigint>();

  const rows: NewRecord[] = [];
  const served = planned.map(({ request, plan, local, period }, i) => {
    const { series, valid, caller } = request;
    const key = keyOf(series.id, period);
    const locked = counters.get(key);
    if (locked === undefined || locked.name !== request.seriesName || locked.version !== series.version) throw new BatchFallback();
    const counter = values.get(key) ?? locked.counter;
    let maker: SerialMaker;
    try {
      maker = requestMaker(deps.plans, series, plan, { local, period }, valid);
    } catch (error) {
      // A refusal is the request's own answer, given when it runs alone; anything else is a fault.
      if (error instanceof SerialtraceError) throw new BatchFallback();
      throw error;
    }
    // Running out of values is a refusal too.
    const candidates = nextValues(plan, counter, valid.quantity);
    if (candidates === undefined) throw new BatchFallback();
    const sequences = maker.valuesOf === null ? candidates : maker.valuesOf(candidates);
    const template = recordTemplate(caller, series.id, period, valid, at, auditIds[i]!);
    const issued: Issued[] = sequences.map((sequence) => {
      const serial = maker.render(sequence);
      rows.push(recordFrom(template, serial, sequence));
      return { value: sequence, serial };
    });
    values.set(key, candidates[candidates.length - 1]!);
    return { request, period, issued };
  });

  const recorded = await tx.records.insertIssued(rows);
  // A serial that exists already is skipped, which moves the values of the requests after it.
  if (recorded.some((isNew) => !isNew)) throw new BatchFallback();
  for (const [key, value] of values) {
    const { seriesId, period } = keys.get(key)!;
    await tx.counters.save(seriesId, period, value, at);
  }
  const items: AuditItem[] = served.map(({ request, period, issued }) => ({
    caller: request.caller,
    at,
    draft: generationEntry(request.series, period, request.valid, issued, []),
  }));
  await appendAuditItems(tx, items, auditIds);
  return served.map(({ request, period, issued }) => ({
    series: request.series.settings.name,
    serials: issued.map((i) => i.serial),
    period,
    skipped: 0,
    replayed: false,
  }));
}
