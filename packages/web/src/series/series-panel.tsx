import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { client } from '../api';
import { useSession } from '../session';
import { LoadFailed } from '../ui/error-notice';
import { GenerateDialog } from './generate-dialog';
import { SeriesFormDialog } from './series-form-dialog';
import type { SeriesView } from './series-form-values';
import { SeriesListItem } from './series-list-item';
import './series.css';

type SortKey = 'name' | 'changed' | 'capacity';

const SORTS: readonly { readonly value: SortKey; readonly label: string }[] = [
  { value: 'name', label: 'Name' },
  { value: 'changed', label: 'Recently changed' },
  { value: 'capacity', label: 'Capacity used' },
];

const byName = (a: SeriesView, b: SeriesView) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base', numeric: true });

function sortSeries(list: readonly SeriesView[], key: SortKey): SeriesView[] {
  const sorted = [...list];
  if (key === 'name') return sorted.sort(byName);
  if (key === 'changed') return sorted.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || byName(a, b));
  // Unbounded series have no share used; they go last among equals.
  return sorted.sort((a, b) => b.capacity.usedRatio - a.capacity.usedRatio || byName(a, b));
}

function matches(series: SeriesView, text: string): boolean {
  const needle = text.trim().toLowerCase();
  if (needle === '') return true;
  return [series.name, series.format, series.description].some((field) => field.toLowerCase().includes(needle));
}

type Open = { readonly kind: 'add' } | { readonly kind: 'edit'; readonly series: SeriesView } | { readonly kind: 'generate'; readonly series: SeriesView } | null;

/** The series panel: every series of the company, with add, edit and generate. */
export function SeriesPanel(props: {
  readonly selected: string | null;
  readonly onSelect: (name: string | null) => void;
  readonly refreshKey: number;
  readonly onRecordsChanged: () => void;
}) {
  const session = useSession();
  const [list, setList] = useState<readonly SeriesView[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [reloads, setReloads] = useState(0);
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<SortKey>('name');
  const [open, setOpen] = useState<Open>(null);
  const titleId = useId();
  const canWrite = session.can('series.write');
  const canGenerate = session.can('serials.generate');

  useEffect(() => {
    const controller = new AbortController();
    client.call('listSeries', { signal: controller.signal }).then(
      (answer) => {
        setList(answer.series);
        setError(null);
      },
      (failure: unknown) => {
        if (controller.signal.aborted) return;
        session.onError(failure);
        setError(failure);
      },
    );
    return () => controller.abort();
  }, [props.refreshKey, reloads, session]);

  const reload = useCallback(() => setReloads((n) => n + 1), []);
  const shown = useMemo(() => (list === null ? [] : sortSeries(list.filter((s) => matches(s, search)), sort)), [list, search, sort]);

  return (
    <section className="panel series-panel" aria-labelledby={titleId}>
      <div className="series-panel-head">
        <h2 id={titleId}>Series</h2>
        {canWrite && (
          <button type="button" onClick={() => setOpen({ kind: 'add' })}>
            Add series
          </button>
        )}
      </div>

      <div className="series-tools">
        <div className="field series-search">
          <label htmlFor={`${titleId}-search`}>Search series</label>
          <input id={`${titleId}-search`} type="search" value={search} placeholder="Name, format or description" onChange={(e) => setSearch(e.target.value)} />
        </div>
        <div className="field series-sort">
          <label htmlFor={`${titleId}-sort`}>Sort series by</label>
          <select id={`${titleId}-sort`} value={sort} onChange={(e) => setSort(e.target.value as SortKey)}>
            {SORTS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
      </div>

      {error !== null && (
        <LoadFailed error={error} onRetry={reload} />
      )}

      {list === null && error === null && (
        <p role="status" className="muted">
          Loading series…
        </p>
      )}

      {list !== null && list.length === 0 && (
        <div className="series-empty">
          <p className="series-empty-title">No series yet</p>
          <p className="muted">
            {canWrite ? 'Add one with “Add series” to start issuing serials.' : 'An engineer or administrator adds the series this company issues serials from.'}
          </p>
        </div>
      )}

      {list !== null && list.length > 0 && (
        <>
          <button type="button" className="series-all" aria-pressed={props.selected === null} onClick={() => props.onSelect(null)}>
            All series
          </button>
          {shown.length === 0 ? (
            <p className="muted" role="status">
              No series match “{search.trim()}”.{' '}
              <button type="button" className="link-button" onClick={() => setSearch('')}>
                Clear search
              </button>
            </p>
          ) : (
            <ul className="series-list" aria-label="Series list">
              {shown.map((series) => (
                <SeriesListItem
                  key={series.id}
                  series={series}
                  selected={props.selected === series.name}
                  onSelect={() => props.onSelect(series.name)}
                  onEdit={canWrite ? () => setOpen({ kind: 'edit', series }) : undefined}
                  onGenerate={canGenerate ? () => setOpen({ kind: 'generate', series }) : undefined}
                />
              ))}
            </ul>
          )}
        </>
      )}

      {open !== null && open.kind !== 'generate' && (
        <SeriesFormDialog
          {...(open.kind === 'edit' ? { series: open.series } : {})}
          onClose={() => setOpen(null)}
          onSaved={(saved) => {
            setOpen(null);
            reload();
            if (open.kind === 'add' || props.selected === open.series.name) props.onSelect(saved.name);
          }}
        />
      )}
      {open?.kind === 'generate' && (
        <GenerateDialog
          series={open.series}
          onClose={() => {
            setOpen(null);
          }}
          onGenerated={() => {
            // The page's refresh key reloads this list too (counter and capacity moved).
            props.onRecordsChanged();
          }}
        />
      )}
    </section>
  );
}
