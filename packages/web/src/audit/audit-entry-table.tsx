import { memo } from 'react';
import { Link } from '../router';
import { formatInstant } from '../ui/text';
import { actionLabel, entityTypeLabel, recordHref, shortHash, whereAndWhy, type AuditEntryView } from './audit-words';

/** Serials of one generation entry linked inline; the rest are in its data. */
const SERIAL_LINKS = 3;

/**
 * Audit entries as a table: who did what, when, where and why, to which entity; each entry's
 * data and hashes fold out, so the table stays readable and nothing is hidden.
 */
export function AuditEntryTable(props: { readonly entries: readonly AuditEntryView[] }) {
  return (
    <div className="audit-table-scroll" role="region" aria-label="Audit entries" tabIndex={0}>
      <table className="audit-table">
        <thead>
          <tr>
            <th scope="col">Seq</th>
            <th scope="col">When</th>
            <th scope="col">Action</th>
            <th scope="col">Actor</th>
            <th scope="col">Where and why</th>
            <th scope="col">Entity</th>
            <th scope="col">Data</th>
          </tr>
        </thead>
        <tbody>
          {props.entries.map((entry) => (
            <AuditEntryRow key={entry.seq} entry={entry} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

const AuditEntryRow = memo(function AuditEntryRow({ entry }: { readonly entry: AuditEntryView }) {
  const where = whereAndWhy(entry);
  return (
    <tr>
      <td className="mono">{entry.seq}</td>
      <td className="audit-when">
        <time dateTime={entry.at}>{formatInstant(entry.at)}</time>
      </td>
      <td>
        <span className="audit-action">{actionLabel(entry.action)}</span>
        <span className="audit-action-code mono">{entry.action}</span>
      </td>
      <td className="audit-actor">{entry.actor}</td>
      <td className="audit-where">{where === '' ? <span className="muted">none</span> : where}</td>
      <td className="audit-entity">
        <EntityCell entry={entry} />
      </td>
      <td className="audit-data">
        <details>
          <summary>
            Show data<span className="visually-hidden"> of entry {entry.seq}</span>
          </summary>
          <pre className="audit-json">{JSON.stringify(entry.data, null, 2)}</pre>
          <dl className="audit-hashes">
            <dt>Hash</dt>
            <dd>
              <code>{entry.hash}</code>
            </dd>
            <dt>Previous hash</dt>
            <dd>
              <code>{entry.prevHash}</code>
            </dd>
          </dl>
        </details>
        <code className="audit-hash-short muted" title={entry.hash}>
          {shortHash(entry.hash)}
        </code>
      </td>
    </tr>
  );
});

function field(data: unknown, name: string): unknown {
  return typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[name] : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The entity in words, with links to the records an entry concerns. */
function EntityCell({ entry }: { readonly entry: AuditEntryView }) {
  const kind = entityTypeLabel(entry.entityType);
  const series = text(field(entry.data, 'series')) ?? text(field(field(entry.data, 'settings'), 'name'));
  if (entry.entityType === 'record') {
    const serial = text(field(entry.data, 'serial'));
    return (
      <>
        {serial === undefined ? (
          <span>
            {kind} {entry.entityId}
          </span>
        ) : (
          <Link href={recordHref(serial, series)} className="mono">
            {serial}
          </Link>
        )}
        <span className="audit-entity-sub muted">
          record {entry.entityId}
          {series === undefined ? '' : ` · ${series}`}
        </span>
      </>
    );
  }
  const serials = field(entry.data, 'serials');
  const list = Array.isArray(serials) ? serials.filter((s): s is string => typeof s === 'string') : [];
  return (
    <>
      <span>
        {kind} {series ?? entry.entityId}
      </span>
      {series !== undefined && <span className="audit-entity-sub muted">id {entry.entityId}</span>}
      {list.length > 0 && (
        <span className="audit-serials">
          {list.slice(0, SERIAL_LINKS).map((serial, index) => (
            <span key={serial} className="audit-serial">
              {index > 0 && <span className="visually-hidden">, </span>}
              <Link href={recordHref(serial, series)} className="mono">
                {serial}
              </Link>
            </span>
          ))}
          {list.length > SERIAL_LINKS && <span className="muted"> and {list.length - SERIAL_LINKS} more</span>}
        </span>
      )}
    </>
  );
}
