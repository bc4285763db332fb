import { useMemo, useState } from 'react';
import { client } from '../api';
import { useQueryState } from '../router';
import { useSession } from '../session';
import { ErrorNotice, LoadFailed } from '../ui/error-notice';
import { downloadFile, formatCount } from '../ui/text';
import { AuditEntryTable } from './audit-entry-table';
import { AuditFilterBar, readAuditFilters } from './audit-filters';
import { AuditVerification, type Verification } from './audit-verification';
import { useAuditPages } from './use-audit-pages';
import './audit.css';

/** `serialtrace-audit-2025-06-15.csv`, in the browser's calendar. */
export function auditExportName(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `serialtrace-audit-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.csv`;
}

/** The audit trail: entries newest first, the chain's verification, and the CSV export. */
export function AuditPage() {
  const session = useSession();
  const [query, setQuery] = useQueryState();
  const queryText = query.toString();
  const filters = useMemo(() => readAuditFilters(new URLSearchParams(queryText)), [queryText]);
  const pages = useAuditPages(filters, { onError: session.onError });
  const canExport = session.can('audit.export');
  const [verification, setVerification] = useState<Verification>({ kind: 'idle' });
  const [actionError, setActionError] = useState<unknown>(null);
  const [exporting, setExporting] = useState(false);
  const filtered = Object.keys(filters).length > 0;

  const verify = async () => {
    setVerification({ kind: 'running' });
    setActionError(null);
    try {
      const result = await client.call('verifyAudit');
      setVerification({ kind: 'done', result, at: session.serverNow().toISOString() });
    } catch (caught) {
      session.onError(caught);
      setActionError(caught);
      setVerification({ kind: 'failed' });
    }
  };

  const exportCsv = async () => {
    setExporting(true);
    setActionError(null);
    try {
      const response = await client.raw('exportAudit', { query: { format: 'csv' } });
      downloadFile(auditExportName(new Date()), await response.blob(), 'text/csv;charset=utf-8');
    } catch (caught) {
      session.onError(caught);
      setActionError(caught);
    } finally {
      setExporting(false);
    }
  };

  return (
    <section className="panel audit-page" aria-labelledby="audit-title">
      <div className="audit-header">
        <h1 id="audit-title">Audit trail</h1>
        {canExport && (
          <div className="audit-header-actions">
            <button type="button" onClick={() => void verify()} disabled={verification.kind === 'running'}>
              Verify chain
            </button>
            <button type="button" className="secondary" onClick={() => void exportCsv()} disabled={exporting}>
              Export CSV
            </button>
          </div>
        )}
      </div>
      <p className="muted audit-intro">
        Every change, newest first. Each entry&apos;s hash covers the one before it, so a changed, removed or inserted entry breaks the chain
        {canExport ? ': verify it to check.' : '.'}
      </p>
      {canExport && <AuditVerification verification={verification} />}
      {exporting && (
        <p role="status" className="muted">
          Preparing the export…
        </p>
      )}
      <ErrorNotice error={actionError} onDismiss={() => setActionError(null)} />

      <AuditFilterBar query={query} onChange={setQuery} />

      <p className="muted audit-count" role="status">
        {pages.phase === 'loading'
          ? 'Loading entries…'
          : pages.phase === 'failed'
            ? ''
            : `${formatCount(pages.entries.length)} ${pages.entries.length === 1 ? 'entry' : 'entries'} shown${pages.hasMore ? ' · older entries remain' : pages.entries.length > 0 ? ' · that is all' : ''}`}
      </p>

      {pages.phase === 'failed' && (
        <LoadFailed error={pages.error} onRetry={pages.retry} />
      )}
      {pages.phase === 'ready' && pages.entries.length === 0 && (
        <div className="audit-empty">
          <p className="audit-empty-title">{filtered ? 'No entries match' : 'No audit entries yet'}</p>
          {filtered && (
            <button type="button" className="secondary" onClick={() => setQuery({ action: undefined, entityType: undefined, entityId: undefined })}>
              Show every entry
            </button>
          )}
        </div>
      )}
      {pages.entries.length > 0 && <AuditEntryTable entries={pages.entries} />}
      {pages.phase === 'ready' && pages.error !== null && (
        <LoadFailed error={pages.error} onRetry={pages.retry} />
      )}
      {pages.phase === 'ready' && pages.hasMore && pages.error === null && (
        <div className="audit-more">
          <button type="button" className="secondary" onClick={pages.loadMore} disabled={pages.loadingMore}>
            {pages.loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </section>
  );
}
