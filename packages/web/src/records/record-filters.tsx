import { RECORD_STATUSES } from '@serialtrace/core';
import { useEffect, useId, useRef, useState } from 'react';
import { statusLabel } from './record-status-words';
import type { RecordFilters } from './record-types';

/** The address-bar keys of the explorer's search and filters (the page owns `series`). */
export const FILTER_KEYS = ['q', 'status', 'workOrder', 'partNumber', 'lot', 'from', 'to'] as const;
type FilterKey = (typeof FILTER_KEYS)[number];

/** Typing settles for this long before a search is sent: one request per pause, not per key. */
export const TYPING_DEBOUNCE_MS = 250;

/** The filters the address bar holds, with the selected series. */
export function readRecordFilters(query: URLSearchParams, series: string | null): RecordFilters {
  const filters: Record<string, string> = {};
  if (series !== null && series !== '') filters['series'] = series;
  for (const key of FILTER_KEYS) {
    const value = query.get(key);
    if (value !== null && value.trim() !== '') filters[key] = key === 'from' || key === 'to' ? value : value.trim();
  }
  return filters;
}

export function hasFilters(query: URLSearchParams): boolean {
  return FILTER_KEYS.some((key) => (query.get(key) ?? '') !== '');
}

export const CLEARED_FILTERS: Readonly<Record<FilterKey, undefined>> = { q: undefined, status: undefined, workOrder: undefined, partNumber: undefined, lot: undefined, from: undefined, to: undefined };

/** A `datetime-local` value (the browser's local time) as an ISO instant for the API. */
export function isoFromLocalInput(value: string): string | undefined {
  if (value === '') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** An ISO instant as a `datetime-local` value in the browser's time zone. */
export function localInputFromIso(iso: string | null): string {
  if (iso === null || iso === '') return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  const seconds = date.getSeconds() === 0 ? '' : `:${pad(date.getSeconds())}`;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}${seconds}`;
}

type Drafts = Record<'q' | 'workOrder' | 'partNumber' | 'lot' | 'from' | 'to', string>;

function draftsOf(query: URLSearchParams): Drafts {
  return {
    q: query.get('q') ?? '',
    workOrder: query.get('workOrder') ?? '',
    partNumber: query.get('partNumber') ?? '',
    lot: query.get('lot') ?? '',
    from: localInputFromIso(query.get('from')),
    to: localInputFromIso(query.get('to')),
  };
}

/**
 * The search box and filters. Text and dates are typed into local drafts and written to the
 * address bar once typing pauses; the address bar is the truth, so back, reload and a shared
 * link all show the same view, and a change made elsewhere (clear, back) shows in the fields.
 */
export function RecordFilterBar(props: { readonly query: URLSearchParams; readonly onChange: (changes: Record<string, string | undefined>) => void }) {
  const id = useId();
  const { query, onChange } = props;
  const [drafts, setDrafts] = useState<Drafts>(() => draftsOf(query));
  const pending = useRef<Partial<Record<keyof Drafts, string>>>({});
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const queryText = query.toString();

  // The address changed: show it, unless the user is mid-typing (their draft is newer).
  useEffect(() => {
    if (timer.current !== null) return;
    setDrafts(draftsOf(new URLSearchParams(queryText)));
  }, [queryText]);

  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );

  const commit = () => {
    timer.current = null;
    const changes: Record<string, string | undefined> = {};
    for (const [key, value] of Object.entries(pending.current)) {
      changes[key] = key === 'from' || key === 'to' ? isoFromLocalInput(value) : value;
    }
    pending.current = {};
    onChange(changes);
  };

  const type = (key: keyof Drafts, value: string) => {
    setDrafts((d) => ({ ...d, [key]: value }));
    pending.current[key] = value;
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = setTimeout(commit, TYPING_DEBOUNCE_MS);
  };

  const clear = () => {
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = null;
    pending.current = {};
    setDrafts(draftsOf(new URLSearchParams()));
    onChange({ ...CLEARED_FILTERS });
  };

  const any = hasFilters(query) || Object.values(drafts).some((v) => v !== '');
  return (
    <form className="record-filters" role="search" aria-label="Record search" onSubmit={(event) => event.preventDefault()}>
      <div className="field record-search">
        <label htmlFor={`${id}-q`}>Search records</label>
        <input
          id={`${id}-q`}
          type="search"
          placeholder="Serial, work order or part number"
          autoComplete="off"
          spellCheck={false}
          value={drafts.q}
          onChange={(e) => type('q', e.target.value)}
          onKeyDown={(e) => {
            // Enter searches at once instead of waiting for the pause.
            if (e.key === 'Enter' && timer.current !== null) {
              clearTimeout(timer.current);
              commit();
            }
          }}
        />
      </div>
      <div className="record-filter-grid">
        <div className="field">
          <label htmlFor={`${id}-status`}>Status</label>
          <select id={`${id}-status`} value={query.get('status') ?? ''} onChange={(e) => onChange({ status: e.target.value })}>
            <option value="">Any status</option>
            {RECORD_STATUSES.map((status) => (
              <option key={status} value={status}>
                {statusLabel(status)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-wo`}>Work order</label>
          <input id={`${id}-wo`} autoComplete="off" spellCheck={false} value={drafts.workOrder} onChange={(e) => type('workOrder', e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-pn`}>Part number</label>
          <input id={`${id}-pn`} autoComplete="off" spellCheck={false} value={drafts.partNumber} onChange={(e) => type('partNumber', e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-lot`}>Lot</label>
          <input id={`${id}-lot`} autoComplete="off" spellCheck={false} value={drafts.lot} onChange={(e) => type('lot', e.target.value)} aria-describedby={`${id}-lot-hint`} />
          <span id={`${id}-lot-hint`} className="visually-hidden">
            The GS1 lot, matched exactly
          </span>
        </div>
        <div className="field">
          <label htmlFor={`${id}-from`}>Generated from</label>
          <input id={`${id}-from`} type="datetime-local" step={1} value={drafts.from} onChange={(e) => type('from', e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-to`}>Generated to</label>
          <input id={`${id}-to`} type="datetime-local" step={1} value={drafts.to} onChange={(e) => type('to', e.target.value)} aria-describedby={`${id}-to-hint`} />
          <span id={`${id}-to-hint`} className="visually-hidden">
            Records generated before this time, in your local time zone
          </span>
        </div>
        <div className="record-filter-clear">
          <button type="button" className="secondary" onClick={clear} disabled={!any}>
            Clear filters
          </button>
        </div>
      </div>
    </form>
  );
}
