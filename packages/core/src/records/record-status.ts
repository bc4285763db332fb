import { SerialtraceError } from '../errors/serialtrace-error.js';

/** The production line a record moves along, in order. */
export const PRODUCTION_STATUSES = ['generated', 'printed', 'in_progress', 'completed'] as const;
/** Ways a record leaves the line for good without being completed. */
export const WITHDRAWN_STATUSES = ['voided', 'scrapped'] as const;
export const RECORD_STATUSES = [...PRODUCTION_STATUSES, ...WITHDRAWN_STATUSES] as const;

export type RecordStatus = (typeof RECORD_STATUSES)[number];

export const RecordStatus = {
  Generated: 'generated',
  Printed: 'printed',
  InProgress: 'in_progress',
  Completed: 'completed',
  Voided: 'voided',
  Scrapped: 'scrapped',
} as const satisfies Record<string, RecordStatus>;

/** Statuses no record ever leaves: the serial's story is closed (it is still never reissued). */
export const FINAL_STATUSES: readonly RecordStatus[] = ['completed', 'voided', 'scrapped'];

export function isRecordStatus(value: string): value is RecordStatus {
  return (RECORD_STATUSES as readonly string[]).includes(value);
}

export function parseRecordStatus(value: string, field = 'status'): RecordStatus {
  if (isRecordStatus(value)) return value;
  throw new SerialtraceError('STATUS_UNKNOWN', { field, value, allowed: RECORD_STATUSES });
}

/**
 * Whether a record may move from one status to another: forward along the production line
 * (skipping is allowed: a serial may be completed without a printed label), or out to voided or
 * scrapped from any open status. Nothing moves backwards, stays put, or leaves a final status.
 */
export function canTransition(from: RecordStatus, to: RecordStatus): boolean {
  if (FINAL_STATUSES.includes(from)) return false;
  if ((WITHDRAWN_STATUSES as readonly string[]).includes(to)) return true;
  const fromIndex = (PRODUCTION_STATUSES as readonly string[]).indexOf(from);
  const toIndex = (PRODUCTION_STATUSES as readonly string[]).indexOf(to);
  return toIndex > fromIndex;
}

export function assertTransition(from: RecordStatus, to: RecordStatus): void {
  if (canTransition(from, to)) return;
  const why = FINAL_STATUSES.includes(from)
    ? `${from} is final`
    : from === to
      ? `the record is already ${from}`
      : 'records only move forward (generated, printed, in_progress, completed) or to voided or scrapped';
  throw new SerialtraceError('STATUS_TRANSITION_INVALID', { field: 'status', from, to, why });
}
