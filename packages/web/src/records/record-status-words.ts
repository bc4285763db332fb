import { canTransition, RECORD_STATUSES, type RecordStatus } from '@serialtrace/core';

/** Statuses as people read them; the API's names stay in the badges' class names. */
export const STATUS_LABELS: Readonly<Record<RecordStatus, string>> = {
  generated: 'Generated',
  printed: 'Printed',
  in_progress: 'In progress',
  completed: 'Completed',
  voided: 'Voided',
  scrapped: 'Scrapped',
};

export function statusLabel(status: string): string {
  return (STATUS_LABELS as Readonly<Record<string, string>>)[status] ?? status;
}

/**
 * The statuses a record may move to from `from`, in lifecycle order, from the same rule the
 * server enforces (`canTransition`), so the page never offers a move it would refuse.
 */
export function nextStatuses(from: RecordStatus): RecordStatus[] {
  return RECORD_STATUSES.filter((to) => canTransition(from, to));
}
