import { RECORD_STATUS_TABLE, type RecordStatus } from '@serialtrace/core';

/** Statuses as people read them come from the core's status table; the API's names stay in the badges' class names. */
export { statusLabel } from '@serialtrace/core';

/**
 * The statuses a record may move to from `from`, in lifecycle order, from the same table the
 * server enforces (`canTransition`), so the page never offers a move it would refuse.
 */
export function nextStatuses(from: RecordStatus): RecordStatus[] {
  return [...RECORD_STATUS_TABLE[from].next];
}
