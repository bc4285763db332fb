import type { RouteResult } from '@serialtrace/client';
import { client } from '../api';
import { toCsv } from '../ui/text';
import type { RecordFilters, RecordView } from './record-types';

/** A browser builds the file in memory: beyond this many rows, the CLI or the API is the tool. */
export const EXPORT_LIMIT = 10_000;
const EXPORT_PAGE = 1000;

export interface RecordsExport {
  readonly csv: string;
  readonly count: number;
  /** More records matched than were exported. */
  readonly capped: boolean;
}

const HEADER = ['serial', 'series', 'sequence', 'period', 'status', 'work_order', 'part_number', 'lot', 'expiry', 'generated_at', 'generated_by', 'station', 'updated_at', 'context', 'metadata'];

function line(record: RecordView): unknown[] {
  return [
    record.serial,
    record.series,
    record.sequence,
    record.period,
    record.status,
    record.workOrder,
    record.partNumber,
    record.lot,
    record.expiry,
    record.generatedAt,
    record.generatedBy,
    record.station,
    record.updatedAt,
    Object.keys(record.context).length === 0 ? '' : record.context,
    record.metadata ?? '',
  ];
}

/** The records of the current view, newest first, paged through the API up to `EXPORT_LIMIT`. */
export async function exportRecords(filters: RecordFilters, signal?: AbortSignal): Promise<RecordsExport> {
  const rows: unknown[][] = [];
  let cursor: string | null = null;
  let capped = false;
  do {
    const limit = Math.min(EXPORT_PAGE, EXPORT_LIMIT - rows.length);
    const page: RouteResult<'searchRecords'> = await client.call('searchRecords', {
      query: { ...filters, limit, ...(cursor === null ? {} : { cursor }) },
      ...(signal === undefined ? {} : { signal }),
    });
    for (const record of page.records) rows.push(line(record));
    cursor = page.nextCursor;
    if (rows.length >= EXPORT_LIMIT && cursor !== null) capped = true;
  } while (cursor !== null && !capped);
  return { csv: toCsv(HEADER, rows), count: rows.length, capped };
}

/** `serialtrace-records-2025-06-15.csv`, or with the series' name when one is selected. */
export function exportFileName(series: string | undefined, now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  const name = series === undefined ? '' : `-${series.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60)}`;
  return `serialtrace-records${name}-${day}.csv`;
}
