import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RecordFilters } from '../src/records/record-types';
import { indexOfId, useRecordPages } from '../src/records/use-record-pages';
import { deferred, json, record, stubFetch } from './records-fixtures';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('useRecordPages', () => {
  it('loads the next page through the cursor and never shows a row twice', async () => {
    const { calls } = stubFetch(({ url }) => {
      if (url.searchParams.get('cursor') === null) return json({ records: [record(10), record(9), record(8)], nextCursor: 'c1' });
      // A page that overlaps the first (a refresh racing a page) must not duplicate rows.
      return json({ records: [record(8), record(7), record(6)], nextCursor: null });
    });
    const { result } = renderHook(() => useRecordPages({ series: 'Widgets' }, 0, { pageSize: 3 }));
    await waitFor(() => expect(result.current.phase).toBe('ready'));
    expect(result.current.rows.map((r) => r.id)).toEqual([10, 9, 8]);
    expect(result.current.hasMore).toBe(true);
    expect(calls[0]!.url.searchParams.get('limit')).toBe('3');
    expect(calls[0]!.url.searchParams.get('series')).toBe('Widgets');

    act(() => result.current.loadMore());
    // One request in flight at a time: a second call while loading sends nothing.
    act(() => result.current.loadMore());
    await waitFor(() => expect(result.current.rows.length).toBe(5));
    expect(calls).toHaveLength(2);
    expect(calls[1]!.url.searchParams.get('cursor')).toBe('c1');
    expect(result.current.rows.map((r) => r.id)).toEqual([10, 9, 8, 7, 6]);
    expect(result.current.hasMore).toBe(false);

    act(() => result.current.loadMore());
    expect(calls).toHaveLength(2);
  });

  it('drops the answer of a superseded query and aborts its request', async () => {
    const slow = deferred<Response>();
    const { calls } = stubFetch(({ url }) => {
      if (url.searchParams.get('q') === 'old') return slow.promise;
      return json({ records: [record(2, { serial: 'NEW-2' })], nextCursor: null });
    });
    const { result, rerender } = renderHook(({ filters }: { filters: RecordFilters }) => useRecordPages(filters, 0), { initialProps: { filters: { q: 'old' } } });
    expect(result.current.phase).toBe('loading');
    rerender({ filters: { q: 'new' } });
    await waitFor(() => expect(result.current.phase).toBe('ready'));
    expect(calls[0]!.signal?.aborted).toBe(true);
    // The old answer arrives late: it must not replace or join the new one.
    slow.resolve(json({ records: [record(9, { serial: 'OLD-9' })], nextCursor: 'x' }));
    await new Promise((r) => setTimeout(r, 20));
    expect(result.current.rows.map((r) => r.serial)).toEqual(['NEW-2']);
    expect(result.current.hasMore).toBe(false);
  });

  it('starts again from the newest record on refresh, keeping rows on screen until the answer', async () => {
    let round = 0;
    const next = deferred<Response>();
    stubFetch(() => {
      round += 1;
      return round === 1 ? json({ records: [record(5), record(4)], nextCursor: null }) : next.promise;
    });
    const { result, rerender } = renderHook(({ key }: { key: number }) => useRecordPages({}, key), { initialProps: { key: 0 } });
    await waitFor(() => expect(result.current.rows.length).toBe(2));
    rerender({ key: 1 });
    expect(result.current.rows.map((r) => r.id)).toEqual([5, 4]);
    next.resolve(json({ records: [record(6), record(5, { status: 'printed' }), record(4)], nextCursor: null }));
    await waitFor(() => expect(result.current.rows.length).toBe(3));
    expect(result.current.rows[1]!.status).toBe('printed');
  });

  it('replaces a changed record in place', async () => {
    stubFetch(() => json({ records: [record(3), record(2), record(1)], nextCursor: null }));
    const { result } = renderHook(() => useRecordPages({}, 0));
    await waitFor(() => expect(result.current.rows.length).toBe(3));
    const version = result.current.version;
    act(() => result.current.replace(record(2, { status: 'voided' })));
    expect(result.current.rows[1]!.status).toBe('voided');
    expect(result.current.version).toBeGreaterThan(version);
  });

  it('reports a failed page and asks again on retry', async () => {
    let fail = true;
    const errors: unknown[] = [];
    stubFetch(() => (fail ? json({ code: 'STORE_BUSY', detail: 'The database is busy', status: 503 }, 503) : json({ records: [record(1)], nextCursor: null })));
    const { result } = renderHook(() => useRecordPages({}, 0, { onError: (e) => errors.push(e) }));
    await waitFor(() => expect(result.current.phase).toBe('failed'));
    expect(errors).toHaveLength(1);
    fail = false;
    act(() => result.current.retry());
    await waitFor(() => expect(result.current.phase).toBe('ready'));
    expect(result.current.rows).toHaveLength(1);
  });
});

describe('indexOfId', () => {
  it('finds rows by halving the id-descending list', () => {
    const rows = [9, 7, 5, 3, 1].map((id) => ({ id }) as never);
    expect(indexOfId(rows, 9)).toBe(0);
    expect(indexOfId(rows, 3)).toBe(3);
    expect(indexOfId(rows, 4)).toBe(-1);
  });
});
