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

/** Whether a status is a step of the production line or a way off it. */
export type RecordStatusGroup = 'production' | 'withdrawn';

/** One status as people read it and as the lifecycle rule treats it. */
export interface RecordStatusSpec {
  readonly code: RecordStatus;
  /** The status in words, for screens and reports. */
  readonly label: string;
  readonly group: RecordStatusGroup;
  /** No record ever leaves a terminal status: the serial's story is closed (it is still never reissued). */
  readonly terminal: boolean;
  /** Every status a record in this one may move to, in lifecycle order. */
  readonly next: readonly RecordStatus[];
}

/**
 * The record lifecycle, written out: for each status, its label, its group, whether it is final,
 * and every status a record may move to from it. Records move forward along the production line
 * (skipping is allowed: a serial may be completed without a printed label), or out to voided or
 * scrapped from any open status; nothing moves backwards, stays put, or leaves a final status.
 * `canTransition`, the web UI's status menus and the docs all read this table.
 *
 * @example RECORD_STATUS_TABLE.printed.next // ['in_progress', 'completed', 'voided', 'scrapped']
 */
export const RECORD_STATUS_TABLE: { readonly [S in RecordStatus]: RecordStatusSpec & { readonly code: S } } = {
  generated: {
    code: 'generated',
    label: 'Generated',
    group: 'production',
    terminal: false,
    next: ['printed', 'in_progress', 'completed', 'voided', 'scrapped'],
  },
  printed: {
    code: 'printed',
    label: 'Printed',
    group: 'production',
    terminal: false,
    next: ['in_progress', 'completed', 'voided', 'scrapped'],
  },
  in_progress: {
    code: 'in_progress',
    label: 'In progress',
    group: 'production',
    terminal: false,
    next: ['completed', 'voided', 'scrapped'],
  },
  completed: { code: 'completed', label: 'Completed', group: 'production', terminal: true, next: [] },
  voided: { code: 'voided', label: 'Voided', group: 'withdrawn', terminal: true, next: [] },
  scrapped: { code: 'scrapped', label: 'Scrapped', group: 'withdrawn', terminal: true, next: [] },
};

/** Statuses no record ever leaves: the serial's story is closed (it is still never reissued). */
export const FINAL_STATUSES: readonly RecordStatus[] = RECORD_STATUSES.filter((status) => RECORD_STATUS_TABLE[status].terminal);

export function isRecordStatus(value: string): value is RecordStatus {
  return (RECORD_STATUSES as readonly string[]).includes(value);
}

export function parseRecordStatus(value: string, field = 'status'): RecordStatus {
  if (isRecordStatus(value)) return value;
  throw new SerialtraceError('STATUS_UNKNOWN', { field, value, allowed: RECORD_STATUSES });
}

/**
 * A status in words; a status this version does not know (a newer server's) is shown as it is.
 *
 * @example statusLabel('in_progress') === 'In progress'
 */
export function statusLabel(code: string): string {
  return isRecordStatus(code) ? RECORD_STATUS_TABLE[code].label : code;
}

/** Whether no record ever leaves `status` (completed, voided, scrapped). */
export function isTerminalStatus(status: RecordStatus): boolean {
  return RECORD_STATUS_TABLE[status].terminal;
}

/**
 * Whether a record may move from one status to another, as {@link RECORD_STATUS_TABLE} declares:
 * forward along the production line, or out to voided or scrapped from any open status.
 */
export function canTransition(from: RecordStatus, to: RecordStatus): boolean {
  return RECORD_STATUS_TABLE[from].next.includes(to);
}

export function assertTransition(from: RecordStatus, to: RecordStatus): void {
  if (canTransition(from, to)) return;
  const why = isTerminalStatus(from)
    ? `${from} is final`
    : from === to
      ? `the record is already ${from}`
      : 'records only move forward (generated, printed, in_progress, completed) or to voided or scrapped';
  throw new SerialtraceError('STATUS_TRANSITION_INVALID', { field: 'status', from, to, why });
}
