/** How instants, numbers and files look throughout the page. */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function formatInstant(iso: string | null | undefined): string {
  if (iso === null || iso === undefined || iso === '') return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

const grouped = new Intl.NumberFormat(undefined);

/** Whole numbers of any size (decimal text from the API, beyond 2^53 included) with grouping. */
export function formatCount(value: string | number | bigint): string {
  try {
    return grouped.format(BigInt(value));
  } catch {
    return String(value);
  }
}

// Every export is written by core's one CSV writer, the server's audit export included.
export { toCsv } from '@serialtrace/core';

/** Hands the browser a file to save. */
export function downloadFile(name: string, content: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
