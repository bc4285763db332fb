import type { AuditEntry } from '@serialtrace/core';

export const AUDIT_CSV_COLUMNS = [
  'seq',
  'at',
  'actor',
  'station',
  'line',
  'plant',
  'reason',
  'action',
  'entityType',
  'entityId',
  'data',
  'prevHash',
  'hash',
] as const;

/** One CSV field, quoted when it holds a separator, a quote or a line break. */
export function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The audit export as text chunks, in chain order: a JSON array (one entry per line) or CSV with
 * a header row. The CLI and the HTTP API both write exactly these bytes, so an export is the same
 * whichever way it was taken.
 */
export async function* auditExportChunks(entries: AsyncIterable<AuditEntry>, format: 'json' | 'csv'): AsyncGenerator<string> {
  if (format === 'csv') {
    yield `${AUDIT_CSV_COLUMNS.join(',')}\n`;
    for await (const e of entries) yield `${AUDIT_CSV_COLUMNS.map((k) => csvField(e[k])).join(',')}\n`;
    return;
  }
  let first = true;
  yield '[';
  for await (const e of entries) {
    yield `${first ? '\n' : ',\n'}${JSON.stringify(e)}`;
    first = false;
  }
  yield '\n]\n';
}
