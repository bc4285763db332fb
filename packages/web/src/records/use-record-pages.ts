import { useCallback, useEffect, useRef, useState } from 'react';
import { client } from '../api';
import { RowInterner, type RecordFilters, type RecordRow, type RecordView } from './record-types';

export const RECORD_PAGE_SIZE = 200;

export interface RecordPages {
  /**
   * The loaded rows, newest first. The array is kept and grown in place (copying a million
   * entries for every page would stall scrolling); `version` changes whenever it does.
   */
  readonly rows: readonly RecordRow[];
  readonly version: number;
  /** `loading` until the first page of the current query arrives. */
  readonly phase: 'loading' | 'ready' | 'failed';
  /** A later page is on its way. */
  readonly loadingMore: boolean;
  /** The server said more (older) records match than are loaded. */
  readonly hasMore: boolean;
  /** Why the last request failed, or null. */
  readonly error: unknown;
  /** Loads the next page unless one is on its way or none is left. */
  readonly loadMore: () => void;
  /** Asks again after a failure: the first page, or the page that failed. */
  readonly retry: () => void;
  /** Puts a record the server answered (after a status change) in place of its row. */
  readonly replace: (record: RecordView) => void;
}

interface Run {
  generation: number;
  controller: AbortController | null;
  cursor: string | null;
  rows: RecordRow[];
  hasMore: boolean;
  /** The first page of a refresh replaces the rows on arrival, so the table never flashes empty. */
  replaceOnArrival: boolean;
  interner: RowInterner;
}

/** The filters in a fixed order: the key that says whether two renders ask the same question. */
export function filtersKey(filters: RecordFilters): string {
  return JSON.stringify([filters.series, filters.q, filters.status, filters.workOrder, filters.partNumber, filters.lot, filters.from, filters.to]);
}

function queryOf(filters: RecordFilters): RecordFilters {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(filters) as [string, string | undefined][]) if (value !== undefined && value !== '') out[key] = value;
  return out;
}

/**
 * Records matching `filters`, a page at a time through the API's keyset cursor. A new query
 * (or `refreshKey`) starts again from the newest record; the request of the query it replaces
 * is aborted, and any answer that still arrives for it is dropped, so results of an earlier
 * search never show under a later one. One request is in flight at a time.
 */
export function useRecordPages(
  filters: RecordFilters,
  refreshKey: number,
  options: { readonly pageSize?: number; readonly onError?: (error: unknown) => void } = {},
): RecordPages {
  const pageSize = options.pageSize ?? RECORD_PAGE_SIZE;
  const key = filtersKey(filters);
  const run = useRef<Run>({ generation: 0, controller: null, cursor: null, rows: [], hasMore: false, replaceOnArrival: false, interner: new RowInterner() });
  const [state, setState] = useState<Pick<RecordPages, 'version' | 'phase' | 'loadingMore' | 'hasMore' | 'error'>>({
    version: 0,
    phase: 'loading',
    loadingMore: false,
    hasMore: false,
    error: null,
  });
  const onErrorRef = useRef(options.onError);
  onErrorRef.current = options.onError;
  const filtersRef = useRef(filters);
  filtersRef.current = filters;

  const fetchPage = useCallback(
    (first: boolean) => {
      const current = run.current;
      const generation = current.generation;
      current.controller?.abort();
      const controller = new AbortController();
      current.controller = controller;
      const cursor = first ? null : current.cursor;
      setState((s) => ({ ...s, error: null, loadingMore: !first, phase: first && current.rows.length === 0 ? 'loading' : s.phase }));
      const query = { ...queryOf(filtersRef.current), limit: pageSize, ...(cursor === null ? {} : { cursor }) };
      client.call('searchRecords', { query, signal: controller.signal }).then(
        (page) => {
          if (generation !== current.generation || controller.signal.aborted) return;
          current.controller = null;
          if (first && current.replaceOnArrival) {
            current.rows = [];
            current.replaceOnArrival = false;
          }
          const rows = current.rows;
          // Keyset pages run down the record id; a row at or above the last one loaded is one
          // the table already has (a refresh racing a page), so it is never shown twice.
          let lastId = rows.length === 0 ? Number.POSITIVE_INFINITY : rows[rows.length - 1]!.id;
          for (const record of page.records) {
            if (record.id >= lastId) continue;
            rows.push(current.interner.row(record));
            lastId = record.id;
          }
          current.cursor = page.nextCursor;
          current.hasMore = page.nextCursor !== null;
          setState((s) => ({ version: s.version + 1, phase: 'ready', loadingMore: false, hasMore: current.hasMore, error: null }));
        },
        (error: unknown) => {
          if (generation !== current.generation || controller.signal.aborted) return;
          current.controller = null;
          onErrorRef.current?.(error);
          setState((s) => ({ ...s, phase: first && current.rows.length === 0 ? 'failed' : s.phase, loadingMore: false, error }));
        },
      );
    },
    [pageSize],
  );

  const lastKey = useRef<string | null>(null);
  useEffect(() => {
    const current = run.current;
    current.generation += 1;
    const sameQuery = lastKey.current === key;
    lastKey.current = key;
    current.cursor = null;
    current.hasMore = false;
    if (sameQuery && current.rows.length > 0) {
      current.replaceOnArrival = true;
    } else {
      // Another question: the rows of the last one must not stay on screen under it.
      current.rows = [];
      current.replaceOnArrival = false;
      current.interner = new RowInterner();
      setState((s) => ({ version: s.version + 1, phase: 'loading', loadingMore: false, hasMore: false, error: null }));
    }
    fetchPage(true);
    return () => {
      current.controller?.abort();
      current.controller = null;
    };
  }, [key, refreshKey, fetchPage]);

  const loadMore = useCallback(() => {
    const current = run.current;
    if (current.controller !== null || !current.hasMore || current.cursor === null) return;
    fetchPage(false);
  }, [fetchPage]);

  const retry = useCallback(() => {
    const current = run.current;
    if (current.controller !== null) return;
    fetchPage(current.rows.length === 0 || current.cursor === null);
  }, [fetchPage]);

  const replace = useCallback((record: RecordView) => {
    const current = run.current;
    const index = indexOfId(current.rows, record.id);
    if (index < 0) return;
    current.rows[index] = current.interner.row(record);
    setState((s) => ({ ...s, version: s.version + 1 }));
  }, []);

  return { rows: run.current.rows, ...state, hasMore: state.hasMore, loadMore, retry, replace };
}

/** Rows run down the id, so a row is found by halving, even among a million. */
export function indexOfId(rows: readonly RecordRow[], id: number): number {
  let low = 0;
  let high = rows.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const found = rows[middle]!.id;
    if (found === id) return middle;
    if (found > id) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}
