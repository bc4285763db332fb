import { useEffect, useId, useRef, useState } from 'react';
import { AUDIT_ACTIONS, ENTITY_TYPES } from './audit-words';
import type { AuditFilters } from './use-audit-pages';

export const AUDIT_FILTER_KEYS = ['action', 'entityType', 'entityId'] as const;
const DEBOUNCE_MS = 250;

export function readAuditFilters(query: URLSearchParams): AuditFilters {
  const filters: Record<string, string> = {};
  for (const key of AUDIT_FILTER_KEYS) {
    const value = query.get(key)?.trim() ?? '';
    if (value !== '') filters[key] = value;
  }
  return filters;
}

/**
 * Action and entity filters, kept in the address bar so a filtered trail can be bookmarked or
 * sent (the record details link here with `?entityType=record&entityId=...`). Typed fields are
 * written once typing pauses.
 */
export function AuditFilterBar(props: { readonly query: URLSearchParams; readonly onChange: (changes: Record<string, string | undefined>) => void }) {
  const id = useId();
  const { query, onChange } = props;
  const queryText = query.toString();
  const [action, setAction] = useState(query.get('action') ?? '');
  const [entityId, setEntityId] = useState(query.get('entityId') ?? '');
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const pending = useRef<Record<string, string>>({});

  useEffect(() => {
    if (timer.current !== null) return;
    const next = new URLSearchParams(queryText);
    setAction(next.get('action') ?? '');
    setEntityId(next.get('entityId') ?? '');
  }, [queryText]);
  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );

  const type = (key: 'action' | 'entityId', value: string) => {
    if (key === 'action') setAction(value);
    else setEntityId(value);
    pending.current[key] = value.trim();
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = null;
      const changes = pending.current;
      pending.current = {};
      onChange(changes);
    }, DEBOUNCE_MS);
  };

  const clear = () => {
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = null;
    pending.current = {};
    setAction('');
    setEntityId('');
    onChange({ action: undefined, entityType: undefined, entityId: undefined });
  };

  const any = action !== '' || entityId !== '' || (query.get('entityType') ?? '') !== '';
  return (
    <form className="audit-filters" role="search" aria-label="Audit trail filters" onSubmit={(event) => event.preventDefault()}>
      <div className="field">
        <label htmlFor={`${id}-action`}>Action</label>
        <input
          id={`${id}-action`}
          list={`${id}-actions`}
          autoComplete="off"
          spellCheck={false}
          placeholder="Any action"
          value={action}
          onChange={(e) => type('action', e.target.value)}
          aria-describedby={`${id}-action-hint`}
        />
        <datalist id={`${id}-actions`}>
          {Object.entries(AUDIT_ACTIONS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </datalist>
        <span id={`${id}-action-hint`} className="field-hint">
          Exact name, e.g. record.status_changed
        </span>
      </div>
      <div className="field">
        <label htmlFor={`${id}-type`}>Entity type</label>
        <select id={`${id}-type`} value={query.get('entityType') ?? ''} onChange={(e) => onChange({ entityType: e.target.value })}>
          <option value="">Any entity</option>
          {Object.entries(ENTITY_TYPES).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-entity`}>Entity ID</label>
        <input id={`${id}-entity`} autoComplete="off" spellCheck={false} value={entityId} onChange={(e) => type('entityId', e.target.value)} />
      </div>
      <div className="audit-filters-clear">
        <button type="button" className="secondary" onClick={clear} disabled={!any}>
          Clear filters
        </button>
      </div>
    </form>
  );
}
