import { useCallback, useEffect, useRef, useState } from 'react';
import { client } from '../api';
import type { AuditEntryView } from './audit-words';

export const AUDIT_PAGE_SIZE = 100;

export interface AuditFilters {
  readonly action?: string;
  readonly entityType?: string;
  readonly entityId?: string;
}

export interface AuditPages {
  readonly entries: readonly AuditEntryView[];
  readonly phase: 'loading' | 'ready' | 'failed';
  readonly loadingMore: boolean;
  readonly hasMore: boolean;
  readonly error: unknown;
  readonly loadMore: () => void;
  readonly retry: () => void;
}

/**
 * Audit entries newest first, a page at a time through the cursor. A change of filters aborts
 * the request of the old ones and drops any answer that still arrives for them.
 */
export function useAuditPages(filters: AuditFilters, options: { readonly pageSize?: number; readonly onError?: (error: unknown) => void } = {}): AuditPages {
  const pageSize = options.pageSize ?? AUDIT_PAGE_SIZE;
  const key = JSON.stringify([filters.action, filters.entityType, filters.entityId]);
  const [state, setState] = useState<Omit<AuditPages, 'loadMore' | 'retry'>>({ entries: [], phase: 'loading', loadingMore: false, hasMore: false, error: null });
  const run = useRef({ generation: 0, controller: null as AbortController | null, cursor: null as string | null });
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
      setState((s) => ({ ...s, error: null, loadingMore: !first, phase: first ? 'loading' : s.phase }));
      const query: Record<string, string | number> = { limit: pageSize };
      for (const [name, value] of Object.entries(filtersRef.current)) if (typeof value === 'string' && value !== '') query[name] = value;
      if (cursor !== null) query['cursor'] = cursor;
      client.call('listAudit', { query, signal: controller.signal }).then(
        (page) => {
          if (generation !== current.generation || controller.signal.aborted) return;
          current.controller = null;
          current.cursor = page.nextCursor;
          setState((s) => {
            // Pages run down the chain; an entry at or above the last shown is never shown twice.
            const last = first || s.entries.length === 0 ? Number.POSITIVE_INFINITY : s.entries[s.entries.length - 1]!.seq;
            const fresh = page.entries.filter((entry) => entry.seq < last);
            return { entries: first ? fresh : [...s.entries, ...fresh], phase: 'ready', loadingMore: false, hasMore: page.nextCursor !== null, error: null };
          });
        },
        (error: unknown) => {
          if (generation !== current.generation || controller.signal.aborted) return;
          current.controller = null;
          onErrorRef.current?.(error);
          setState((s) => ({ ...s, phase: first ? 'failed' : s.phase, loadingMore: false, error }));
        },
      );
    },
    [pageSize],
  );

  useEffect(() => {
    const current = run.current;
    current.generation += 1;
    current.cursor = null;
    setState({ entries: [], phase: 'loading', loadingMore: false, hasMore: false, error: null });
    fetchPage(true);
    return () => {
      current.controller?.abort();
      current.controller = null;
    };
  }, [key, fetchPage]);

  const loadMore = useCallback(() => {
    const current = run.current;
    if (current.controller !== null || current.cursor === null) return;
    fetchPage(false);
  }, [fetchPage]);

  const retry = useCallback(() => {
    const current = run.current;
    if (current.controller !== null) return;
    fetchPage(current.cursor === null);
  }, [fetchPage]);

  return { ...state, loadMore, retry };
}
