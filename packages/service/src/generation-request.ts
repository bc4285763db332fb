import { collectProblems, normalizeContext, problem, readGs1Expiry, readGs1Lot, SerialtraceError, showValue, type Problem } from '@serialtrace/core';
import { jsonBytes, optionalMetadata, optionalReference } from './input-text.js';

export const MIN_QUANTITY = 1;
export const MAX_QUANTITY = 10_000;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
/**
 * What one request may write of metadata and context over all its records: each record keeps
 * its own copy, so a 16 KiB object sent with 10,000 serials would otherwise cost 160 MB.
 */
export const MAX_REQUEST_DETAIL_BYTES = 8 * 1024 * 1024;

export interface GenerateRequest {
  readonly quantity?: unknown;
  readonly workOrder?: unknown;
  readonly partNumber?: unknown;
  /** Values for `{LINE}`, `{PLANT}`, `{BATCH}`, `{PART}`, `{SHIFT}`, and any other data to keep. */
  readonly context?: unknown;
  readonly metadata?: unknown;
  /** Repeating a request with the same key returns the first answer instead of new serials. */
  readonly idempotencyKey?: unknown;
  /** GS1 batch/lot (AI 10) of the items, for a series bound to a GTIN. */
  readonly lot?: unknown;
  /** GS1 expiry date (AI 17), `YYYY-MM-DD` or `YYMMDD`, for a series bound to a GTIN. */
  readonly expiry?: unknown;
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
  readonly lot: string | null;
  /** YYYY-MM-DD (day 00: the end of the month). */
  readonly expiry: string | null;
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
  const lot = readGs1Lot(request.lot, problems);
  const expiry = readGs1Expiry(request.expiry, problems);
  if (problems.length === 0) {
    const perRecord = jsonBytes(metadata) + jsonBytes(context);
    if (perRecord * quantity > MAX_REQUEST_DETAIL_BYTES) {
      problems.push(
        problem('METADATA_TOO_LARGE', {
          field: 'metadata',
          reason: `${quantity} records of ${perRecord} bytes of metadata and context each would write ${perRecord * quantity} bytes; one request may write at most ${MAX_REQUEST_DETAIL_BYTES} (request fewer serials at a time, or keep large data once elsewhere and refer to it)`,
          bytes: perRecord * quantity,
          limit: MAX_REQUEST_DETAIL_BYTES,
        }),
      );
    }
  }
  if (problems.length > 0) throw SerialtraceError.fromProblems(problems);
  return { quantity, workOrder, partNumber, context, metadata, idempotencyKey, lot, expiry };
}
