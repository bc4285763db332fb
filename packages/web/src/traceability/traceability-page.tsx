import { useCallback, useState } from 'react';
import { RecordsExplorer } from '../records/records-explorer';
import { useQueryState } from '../router';
import { SeriesPanel } from '../series/series-panel';

/**
 * The main screen: the series panel beside the records explorer. Selecting a series shows its
 * records (`?series=NAME` in the address); serials generated or statuses changed in either part
 * refresh the other.
 */
export function TraceabilityPage() {
  const [query, setQuery] = useQueryState();
  const selected = query.get('series');
  const [refreshKey, setRefreshKey] = useState(0);
  const changed = useCallback(() => setRefreshKey((key) => key + 1), []);
  const select = useCallback((name: string | null) => setQuery({ series: name ?? undefined, record: undefined }, { push: true }), [setQuery]);
  return (
    <div className="traceability">
      <h1 className="visually-hidden">Traceability</h1>
      <SeriesPanel selected={selected} onSelect={select} refreshKey={refreshKey} onRecordsChanged={changed} />
      <RecordsExplorer series={selected} onSelectSeries={select} refreshKey={refreshKey} onRecordsChanged={changed} />
    </div>
  );
}
