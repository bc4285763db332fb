import { csvRow, type AuditEntry } from '@serialtrace/core';

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

/**
 * The audit export as text chunks, in chain order: a JSON array (one entry per line), exact, or
 * CSV with a header row, written by core's one CSV writer (cells a spreadsheet would run as a
 * formula are defused). The CLI and the HTTP API both write exactly these bytes, so an export is the same
 * whichever way it was taken.
 */
export async function* auditExportChunks(entries: AsyncIterable<AuditEntry>, format: 'json' | 'csv'): AsyncGenerator<string> {
  if (format === 'csv') {
    yield `${AUDIT_CSV_COLUMNS.join(',')}\n`;
    for await (const e of entries) yield `${csvRow(AUDIT_CSV_COLUMNS.map((k) => e[k]))}\n`;
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
