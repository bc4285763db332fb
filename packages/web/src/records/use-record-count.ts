import { useEffect, useRef, useState } from 'react';
import { client } from '../api';
import { filtersKey } from './use-record-pages';
import type { RecordFilters } from './record-types';

export interface RecordCount {
  /** How many records match, or null while counting (or when the count failed). */
  readonly count: number | null;
  /** More match than the server counts (`count` is then a lower bound). */
  readonly capped: boolean;
}

/**
 * How many records the explorer's filters match, asked beside the first page rather than
 * before it: on a million records a count scans, and the rows should not wait for it. A newer
 * query aborts the older count; a count that fails leaves the status line without a total
 * (the rows have their own error).
 */
export function useRecordCount(filters: RecordFilters, refreshKey: number): RecordCount {
  const key = filtersKey(filters);
  const [state, setState] = useState<RecordCount & { readonly key: string }>({ key: '', count: null, capped: false });
  // `filters` is a new object on every render; `key` says when its content changed.
  const filtersRef = useRef(filters);
  filtersRef.current = filters;
  useEffect(() => {
    const controller = new AbortController();
    client.call('countRecords', { query: { ...filtersRef.current }, signal: controller.signal }).then(
      (answer) => setState({ key, count: answer.count, capped: answer.capped }),
      () => {
        if (!controller.signal.aborted) setState({ key, count: null, capped: false });
      },
    );
    return () => controller.abort();
  }, [key, refreshKey]);
  return state.key === key ? state : { count: null, capped: false };
}
