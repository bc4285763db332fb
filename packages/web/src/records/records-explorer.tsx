import type { RecordStatus } from '@serialtrace/core';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useQueryState } from '../router';
import { useSession } from '../session';
import { ErrorNotice, LoadFailed } from '../ui/error-notice';
import { downloadFile, formatCount } from '../ui/text';
import { RecordDetailsDialog } from './record-details-dialog';
import { CLEARED_FILTERS, hasFilters, readRecordFilters, RecordFilterBar } from './record-filters';
import { statusLabel } from './record-status-words';
import type { RecordDetails, RecordRow } from './record-types';
import { EXPORT_LIMIT, exportFileName, exportRecords } from './records-export';
import { RecordsTable } from './records-table';
import { StatusChangeDialog, type StatusChangeRequest } from './status-change-dialog';
import { useRecordCount, type RecordCount } from './use-record-count';
import { useRecordPages } from './use-record-pages';
import './records.css';

/** The records explorer: every record, or one series', searched and filtered on the server. */
export function RecordsExplorer(props: {
  readonly series: string | null;
  readonly onSelectSeries: (name: string | null) => void;
  readonly refreshKey: number;
  readonly onRecordsChanged: () => void;
}) {
  const session = useSession();
  const [query, setQuery] = useQueryState();
  const queryText = query.toString();
  // The query object is new on every render; its text is its identity.
  const filters = useMemo(() => readRecordFilters(new URLSearchParams(queryText), props.series), [queryText, props.series]);
  const filtered = hasFilters(query);

  // A status changed here is already updated in its row: the refresh this explorer's own
  // `onRecordsChanged` causes must not throw the user back to the top of a long list.
  const [dataKey, setDataKey] = useState(props.refreshKey);
  const ownRefresh = useRef<number | null>(null);
  const refreshKeyRef = useRef(props.refreshKey);
  refreshKeyRef.current = props.refreshKey;
  useEffect(() => {
    if (ownRefresh.current === props.refreshKey) {
      ownRefresh.current = null;
      return;
    }
    setDataKey(props.refreshKey);
  }, [props.refreshKey]);
  const { onRecordsChanged } = props;
  const notifyChanged = useCallback(() => {
    ownRefresh.current = refreshKeyRef.current + 1;
    onRecordsChanged();
  }, [onRecordsChanged]);

  const pages = useRecordPages(filters, dataKey, { onError: session.onError });
  const total = useRecordCount(filters, dataKey);

  const [change, setChange] = useState<StatusChangeRequest | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const canChangeStatus = session.can('records.status');

  const openDetails = useCallback((row: RecordRow) => setQuery({ record: row.serial, recordSeries: row.series }, { push: true }), [setQuery]);
  const requestStatus = useCallback((row: RecordRow, to: RecordStatus) => setChange({ serial: row.serial, series: row.series, from: row.status, to }), []);
  const { replace } = pages;
  const changed = useCallback(
    (record: RecordDetails) => {
      replace(record);
      setAnnouncement(`Status of ${record.serial} changed to ${statusLabel(record.status)}.`);
      notifyChanged();
    },
    [replace, notifyChanged],
  );

  const openSerial = query.get('record');
  const openSeries = query.get('recordSeries');
  const clearFilters = () => setQuery({ ...CLEARED_FILTERS });

  return (
    <section className="panel records-explorer" aria-labelledby="records-title">
      <div className="records-header">
        <h2 id="records-title">
          Records
          {props.series !== null && (
            <>
              <span className="muted"> in </span>
              <span className="records-series-name">{props.series}</span>
            </>
          )}
        </h2>
        <div className="records-header-actions">
          {props.series !== null && (
            <button type="button" className="secondary small" onClick={() => props.onSelectSeries(null)}>
              Show all series
            </button>
          )}
          <RecordsExportButton filters={filters} />
        </div>
      </div>

      <RecordFilterBar query={query} onChange={setQuery} />

      <RecordsStatusLine pages={pages} total={total} />
      <p role="status" className="visually-hidden">
        {announcement}
      </p>

      {pages.phase === 'failed' && (
        <LoadFailed error={pages.error} onRetry={pages.retry} />
      )}

      {pages.phase === 'ready' && pages.rows.length === 0 && (
        <div className="records-empty">
          {filtered ? (
            <>
              <p className="records-empty-title">No records match</p>
              <p className="muted">
                No record {props.series === null ? '' : `of ${props.series} `}matches the search and filters.
              </p>
              <button type="button" className="secondary" onClick={clearFilters}>
                Clear search and filters
              </button>
            </>
          ) : (
            <>
              <p className="records-empty-title">No serials generated yet</p>
              <p className="muted">
                {props.series === null ? 'Serials appear here as soon as a series issues them.' : `${props.series} has not issued a serial yet.`}
              </p>
            </>
          )}
        </div>
      )}

      {pages.rows.length > 0 && (
        <RecordsTable
          rows={pages.rows}
          version={pages.version}
          hasMore={pages.hasMore}
          loadingMore={pages.loadingMore}
          onNearEnd={pages.loadMore}
          canChangeStatus={canChangeStatus}
          onDetails={openDetails}
          onRequestStatus={requestStatus}
        />
      )}

      {pages.phase === 'ready' && pages.error !== null && (
        <LoadFailed error={pages.error} onRetry={pages.retry} />
      )}

      {change !== null && (
        <StatusChangeDialog
          request={change}
          onClose={() => setChange(null)}
          onChanged={(record) => {
            setChange(null);
            changed(record);
          }}
        />
      )}
      {openSerial !== null && openSerial !== '' && (
        <RecordDetailsDialog
          serial={openSerial}
          series={openSeries === '' ? null : openSeries}
          onClose={() => setQuery({ record: undefined, recordSeries: undefined }, { push: true })}
          onChanged={changed}
        />
      )}
    </section>
  );
}

function RecordsStatusLine({ pages, total }: { readonly pages: ReturnType<typeof useRecordPages>; readonly total: RecordCount }) {
  let text: string;
  if (pages.phase === 'loading') text = 'Loading records…';
  else if (pages.phase === 'failed') text = 'The records could not be loaded.';
  else if (pages.rows.length === 0) text = '';
  else {
    const loaded = pages.rows.length;
    if (total.count !== null && !pages.hasMore) {
      text = `${formatCount(loaded)} ${loaded === 1 ? 'record' : 'records'}`;
    } else if (total.count !== null) {
      const of = total.capped ? `more than ${formatCount(total.count)}` : formatCount(total.count);
      text = `${of} records match · ${formatCount(loaded)} loaded${pages.loadingMore ? ', loading more…' : ', more load as you scroll'}`;
    } else {
      const count = `${formatCount(loaded)} ${loaded === 1 ? 'record' : 'records'} loaded`;
      const more = pages.loadingMore ? 'loading more…' : pages.hasMore ? 'more match: scroll down to load them' : 'that is every match';
      text = `${count} · ${more}`;
    }
  }
  return (
    <p className="records-status-line muted" role="status">
      {text}
    </p>
  );
}

/** Downloads the current view as CSV, newest first, up to `EXPORT_LIMIT` rows. */
function RecordsExportButton({ filters }: { readonly filters: ReturnType<typeof readRecordFilters> }) {
  const session = useSession();
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>(null);
  const run = async () => {
    setBusy(true);
    setNote('Exporting…');
    setError(null);
    try {
      const result = await exportRecords(filters);
      downloadFile(exportFileName(filters.series, new Date()), result.csv, 'text/csv;charset=utf-8');
      setNote(
        result.capped
          ? `Exported the newest ${formatCount(EXPORT_LIMIT)} records; more match. Narrow the filters, or use the CLI or the API, for the rest.`
          : `Exported ${formatCount(result.count)} ${result.count === 1 ? 'record' : 'records'}.`,
      );
    } catch (caught) {
      session.onError(caught);
      setError(caught);
      setNote('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="records-export">
      <button type="button" className="secondary small" onClick={() => void run()} disabled={busy}>
        Export CSV
      </button>
      <span role="status" className="records-export-note muted">
        {note}
      </span>
      {error !== null && <ErrorNotice error={error} onDismiss={() => setError(null)} />}
    </div>
  );
}
