import {
  collectProblems,
  compileRenderer,
  nextValues,
  periodCapacity,
  normalizeContext,
  problem,
  remainingAfter,
  resolveContext,
  SerialtraceError,
  showValue,
  type Clock,
  type Problem,
  type SeriesPlan,
} from '@serialtrace/core';
import type { NewRecord, SeriesRow, Store, StoreTransaction } from '@serialtrace/store';
import { appendAudit, nextAuditSeq, type AuditDraft } from './audit-writer.js';
import type { Caller } from './caller.js';
import { fingerprint } from './hashing.js';
import { optionalMetadata, optionalReference } from './input-text.js';
import { periodAt, type SeriesPlans } from './series-plans.js';

export const MIN_QUANTITY = 1;
export const MAX_QUANTITY = 10_000;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

export interface GenerateRequest {
  readonly quantity?: unknown;
  readonly workOrder?: unknown;
  readonly partNumber?: unknown;
  /** Values for `{LINE}`, `{PLANT}`, `{BATCH}`, `{PART}`, `{SHIFT}`, and any other data to keep. */
  readonly context?: unknown;
  readonly metadata?: unknown;
  /** Repeating a request with the same key returns the first answer instead of new serials. */
  readonly idempotencyKey?: unknown;
}

export interface GenerateResult {
  readonly series: string;
  readonly serials: readonly string[];
  readonly period: string;
  /** Values passed over because their serial already existed where it must stay unique. */
  readonly skipped: number;
  /** True when this answer repeats an earlier request with the same idempotency key. */
  readonly replayed: boolean;
}

/** A generation request after validation: what the service issues from, and what an HTTP client may send. */
export interface ValidGenerateRequest {
  readonly quantity: number;
  readonly workOrder: string | null;
  readonly partNumber: string | null;
  readonly context: Record<string, string>;
  readonly metadata: Record<string, unknown> | null;
  readonly idempotencyKey: string | null;
}

function readQuantity(value: unknown, problems: Problem[]): number {
  if (value === undefined || value === null) return 1;
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < MIN_QUANTITY || n > MAX_QUANTITY) {
    problems.push(problem('QUANTITY_OUT_OF_RANGE', { field: 'quantity', min: MIN_QUANTITY, max: MAX_QUANTITY, value: showValue(value) }));
    return 1;
  }
  return n;
}

function readIdempotencyKey(value: unknown, problems: Problem[]): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || value.length > MAX_IDEMPOTENCY_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(value)) {
    problems.push(
      problem('VALUE_INVALID', {
        field: 'idempotencyKey',
        reason: `it must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters without spaces`,
      }),
    );
    return null;
  }
  return value;
}

/**
 * Checks a generation request the way `generate` does, every problem at once, and returns it
 * normalised. Exported for clients that must refuse exactly as the service would before a
 * request can even be sent (the CLI's remote mode).
 */
export function validateGenerateRequest(request: GenerateRequest): ValidGenerateRequest {
  const problems: Problem[] = [];
  const quantity = readQuantity(request.quantity, problems);
  const workOrder = optionalReference(request.workOrder, 'workOrder', problems);
  const partNumber = optionalReference(request.partNumber, 'partNumber', problems);
  const context = collectProblems(problems, () => normalizeContext(request.context)) ?? {};
  const metadata = optionalMetadata(request.metadata, problems);
  const idempotencyKey = readIdempotencyKey(request.idempotencyKey, problems);
  if (problems.length > 0) throw SerialtraceError.fromProblems(problems);
  return { quantity, workOrder, partNumber, context, metadata, idempotencyKey };
}

export interface GenerationServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly plans: SeriesPlans;
}

/**
 * Issuing serials. One request is one transaction: the values are allocated, rendered, checked
 * for uniqueness, recorded and audited, and only then committed and answered. A refusal at any
 * step leaves the counter where it was: under gapless allocation a failed request consumes nothing.
 */
export class GenerationService {
  readonly #deps: GenerationServiceDeps;

  constructor(deps: GenerationServiceDeps) {
    this.#deps = deps;
  }

  /**
   * @example await generation.generate(caller, 'Widgets', { quantity: 10, workOrder: 'WO-1' })
   *   // { serials: ['SN-0001', ...], period: '*', skipped: 0, replayed: false }
   */
  async generate(caller: Caller, seriesName: string, request: GenerateRequest = {}): Promise<GenerateResult> {
    const valid = validateGenerateRequest(request);
    const requestHash =
      valid.idempotencyKey === null ? '' : fingerprint({ series: seriesName, ...valid, idempotencyKey: undefined });
    try {
      return await this.#write(caller, seriesName, valid, requestHash);
    } catch (error) {
      this.#deps.plans.forget(caller.companyId, seriesName);
      throw error;
    }
  }

  #write(caller: Caller, seriesName: string, valid: ValidGenerateRequest, requestHash: string): Promise<GenerateResult> {
    return this.#deps.store.write(async (tx) => {
      if (valid.idempotencyKey !== null) {
        const previous = await tx.findIdempotency(caller.companyId, valid.idempotencyKey);
        if (previous !== undefined) {
          if (previous.requestHash !== requestHash) {
            throw new SerialtraceError('IDEMPOTENCY_KEY_REUSED', { field: 'idempotencyKey', key: valid.idempotencyKey });
          }
          return { ...(JSON.parse(previous.response) as GenerateResult), replayed: true };
        }
      }

      const { row: series, plan } = await this.#deps.plans.load(tx, caller.companyId, seriesName);
      const now = this.#deps.clock.now();
      const at = now.toISOString();
      const { local, period } = periodAt(plan, now);
      const values = resolveContext(plan, local, { context: valid.context, partNumber: valid.partNumber });
      const render = compileRenderer(plan.format, { local, context: values, base: plan.base, minLength: plan.settings.minLength });
      // The chain head is taken first so each record can name the entry that will record it.
      const head = await tx.lockAuditHead(caller.companyId);
      const template: RecordTemplate = {
        companyId: caller.companyId,
        seriesId: series.id,
        period,
        status: 'generated',
        workOrder: valid.workOrder,
        partNumber: valid.partNumber,
        context: valid.context,
        metadata: valid.metadata,
        generatedAt: at,
        generatedBy: caller.actor,
        station: caller.station ?? null,
        auditSeq: nextAuditSeq(head),
      };
      const { issued, skipped } = await issue(tx, series, plan, period, valid.quantity, render, template);
      await appendAudit(tx, caller, at, [generationEntry(series, period, valid, issued, skipped)], { head });
      const result: GenerateResult = {
        series: series.settings.name,
        serials: issued.map((i) => i.serial),
        period,
        skipped: skipped.length,
        replayed: false,
      };
      if (valid.idempotencyKey !== null) {
        await tx.insertIdempotency(caller.companyId, {
          key: valid.idempotencyKey,
          requestHash,
          response: JSON.stringify(result),
          createdAt: at,
        });
      }
      return result;
    });
  }
}

/** What every record of one request shares. */
type RecordTemplate = Omit<NewRecord, 'serial' | 'sequence'>;

/**
 * One record from the request's template, written out field by field: building it with an object
 * spread made batches of 100 and 10,000 twice as slow in `npm run bench`.
 */
function recordFrom(t: RecordTemplate, serial: string, sequence: bigint): NewRecord {
  return {
    companyId: t.companyId,
    seriesId: t.seriesId,
    serial,
    sequence,
    period: t.period,
    status: t.status,
    workOrder: t.workOrder,
    partNumber: t.partNumber,
    context: t.context,
    metadata: t.metadata,
    generatedAt: t.generatedAt,
    generatedBy: t.generatedBy,
    station: t.station,
    auditSeq: t.auditSeq,
  };
}

interface Issued {
  readonly value: bigint;
  readonly serial: string;
}

interface Skipped {
  readonly sequence: string;
  readonly serial: string;
  readonly conflictsWith: string;
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
  render: (value: bigint) => string,
  template: RecordTemplate,
): Promise<{ issued: Issued[]; skipped: Skipped[] }> {
  const { global } = series.settings;
  // Clashes with other series matter only for a global series, or when a global one exists.
  const crossSeries = global || (await tx.hasGlobalSeries(series.companyId, series.id));
  let counter = (await tx.lockCounter(series.id, period)) ?? plan.settings.start;
  const issued: Issued[] = [];
  const skipped: Skipped[] = [];
  while (issued.length < quantity) {
    const candidates = nextValues(plan, counter, quantity - issued.length);
    if (candidates === undefined) {
      throw new SerialtraceError('SERIES_EXHAUSTED', {
        series: series.settings.name,
        period,
        requested: quantity,
        remaining: ((remainingAfter(plan, counter) ?? 0n) + BigInt(issued.length)).toString(),
        capacity: periodCapacity(plan)?.toString() ?? 'unbounded',
      });
    }
    const rendered = candidates.map(render);
    const elsewhere = crossSeries
      ? new Map((await tx.findTakenSerials(series.companyId, series.id, global, rendered)).map((t) => [t.serial, t.seriesName]))
      : undefined;
    const rows: NewRecord[] = [];
    candidates.forEach((sequence, i) => {
      const serial = rendered[i]!;
      const owner = elsewhere?.get(serial);
      if (owner === undefined) rows.push(recordFrom(template, serial, sequence));
      else skipped.push({ sequence: sequence.toString(), serial, conflictsWith: owner });
    });
    const ids = await tx.insertRecords(rows);
    ids.forEach((id, i) => {
      const { sequence, serial } = rows[i]!;
      if (id === null) skipped.push({ sequence: sequence.toString(), serial, conflictsWith: series.settings.name });
      else issued.push({ value: sequence, serial });
    });
    counter = candidates[candidates.length - 1]!;
  }
  await tx.saveCounter(series.id, period, counter, template.generatedAt);
  return { issued, skipped };
}

/**
 * The one audit entry of a request: every serial it issued and every value it skipped. Empty
 * fields are left out, because this entry is written on every request.
 */
function generationEntry(series: SeriesRow, period: string, valid: ValidGenerateRequest, issued: readonly Issued[], skipped: readonly Skipped[]): AuditDraft {
  return {
    action: 'serials.generated',
    entityType: 'series',
    entityId: String(series.id),
    data: {
      series: series.settings.name,
      seriesVersion: series.version,
      period,
      serials: issued.map((i) => i.serial),
      firstSequence: issued[0]!.value.toString(),
      ...(issued.length > 1 ? { lastSequence: issued[issued.length - 1]!.value.toString() } : {}),
      ...(valid.workOrder === null ? {} : { workOrder: valid.workOrder }),
      ...(valid.partNumber === null ? {} : { partNumber: valid.partNumber }),
      ...(Object.keys(valid.context).length === 0 ? {} : { context: valid.context }),
      // The records keep the metadata; the chain keeps its digest, so a changed copy shows.
      ...(valid.metadata === null ? {} : { metadataSha256: fingerprint(valid.metadata) }),
      ...(valid.idempotencyKey === null ? {} : { idempotencyKey: valid.idempotencyKey }),
      ...(skipped.length === 0 ? {} : { skipped }),
    },
  };
}
