/**
 * The one CSV writer of every export (the audit trail through the API, the CLI and the web UI,
 * records and generated serials in the web UI): RFC 4180 fields, and cells that a spreadsheet
 * would run as a formula defused.
 *
 * A cell that starts with `=`, `+`, `-`, `@`, TAB or CR is a formula (or becomes one) in Excel,
 * LibreOffice and Google Sheets, whatever the column holds: `=HYPERLINK(...)` in a reason or
 * `+cmd|...` in a station would run when the export is opened. Such a cell is written with a
 * leading apostrophe, which spreadsheets show as text and do not evaluate. The JSON exports keep
 * every value exactly.
 *
 * @example csvRow(['seq', '=1+1', 'a,b']) // 'seq,\'=1+1,"a,b"'
 */
export function csvField(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : typeof value === 'bigint' ? value.toString() : JSON.stringify(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line without its line break. */
export function csvRow(values: readonly unknown[]): string {
  return values.map(csvField).join(',');
}

/** A whole CSV document: a header row, then the rows, each ended by CRLF as RFC 4180 writes it. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map((row) => `${csvRow(row)}\r\n`).join('');
}
