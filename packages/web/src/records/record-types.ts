import type { RouteResult } from '@serialtrace/client';

/** A record as the search answers it. */
export type RecordView = RouteResult<'searchRecords'>['records'][number];
/** A record with its status history and audit entries. */
export type RecordDetails = RouteResult<'getRecord'>;

/**
 * What the table keeps of a record: only its columns. A million rows of full records (context,
 * metadata) would cost the browser hundreds of megabytes; these rows share their repeated
 * strings (series, status, work order, ...) through `RowInterner`.
 */
export interface RecordRow {
  readonly id: number;
  readonly serial: string;
  readonly series: string;
  readonly status: RecordView['status'];
  readonly workOrder: string | null;
  readonly partNumber: string | null;
  readonly lot: string | null;
  readonly generatedAt: string;
  readonly generatedBy: string;
  readonly station: string | null;
}

/** The search filters the explorer sends, all optional (the API's query without paging). */
export interface RecordFilters {
  readonly series?: string;
  readonly q?: string;
  readonly status?: string;
  readonly workOrder?: string;
  readonly partNumber?: string;
  readonly lot?: string;
  readonly from?: string;
  readonly to?: string;
}

/**
 * One copy of each repeated string: JSON.parse makes a new string for every occurrence, so
 * 200,000 records of one work order would otherwise hold 200,000 copies of its name.
 */
export class RowInterner {
  readonly #strings = new Map<string, string>();

  intern<T extends string | null>(value: T): T {
    if (value === null) return value;
    const known = this.#strings.get(value);
    if (known !== undefined) return known as T;
    // Unbounded values (a station per row, say) must not grow the table without end.
    if (this.#strings.size < 50_000) this.#strings.set(value, value);
    return value;
  }

  row(record: RecordView): RecordRow {
    return {
      id: record.id,
      serial: record.serial,
      series: this.intern(record.series),
      status: record.status,
      workOrder: this.intern(record.workOrder),
      partNumber: this.intern(record.partNumber),
      // Records generated before GS1 lots (or stubbed by an older server) carry none.
      lot: this.intern(record.lot ?? null),
      generatedAt: record.generatedAt,
      generatedBy: this.intern(record.generatedBy),
      station: this.intern(record.station),
    };
  }
}
