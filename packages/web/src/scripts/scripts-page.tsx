import { useCallback, useEffect, useRef, useState } from 'react';
import { client } from '../api';
import { useQueryState } from '../router';
import { useSession } from '../session';
import { LoadFailed } from '../ui/error-notice';
import { formatInstant } from '../ui/text';
import { ScriptWorkspace } from './script-workspace';
import type { ScriptSummary } from './script-words';
import './scripts.css';

type ListState = { readonly phase: 'loading' } | { readonly phase: 'failed'; readonly error: unknown } | { readonly phase: 'ready'; readonly scripts: readonly ScriptSummary[] };

/**
 * Scripts: the company's scripts beside the one open in the editor (`?script=NAME`, or `?new=1`
 * for a new one), with its run panel, runs and versions.
 */
export function ScriptsPage() {
  const session = useSession();
  const canWrite = session.can('scripts.write');
  const [query, setQuery] = useQueryState();
  const selected = query.get('script');
  const creating = selected === null && query.get('new') === '1' && canWrite;
  const [list, setList] = useState<ListState>({ phase: 'loading' });
  const [reload, setReload] = useState(0);
  const { onError } = session;
  // A new script keeps its editor when its first save gives it a name.
  const [workspaceKey, setWorkspaceKey] = useState(() => `open:${selected ?? (creating ? 'new' : '')}`);
  const keptKey = useRef<string | null>(null);

  useEffect(() => {
    let live = true;
    client.call('listScripts').then(
      (answer) => live && setList({ phase: 'ready', scripts: [...answer.scripts].sort((a, b) => a.name.localeCompare(b.name)) }),
      (error: unknown) => {
        if (!live) return;
        onError(error);
        setList({ phase: 'failed', error });
      },
    );
    return () => {
      live = false;
    };
  }, [reload, onError]);

  useEffect(() => {
    if (keptKey.current !== null && selected !== null) {
      keptKey.current = null;
      return;
    }
    setWorkspaceKey(`open:${selected ?? (creating ? 'new' : '')}`);
  }, [selected, creating]);

  const open = (name: string) => setQuery({ script: name, new: undefined }, { push: true });
  const startNew = () => {
    setWorkspaceKey(`new:${Date.now()}`);
    setQuery({ script: undefined, new: '1' }, { push: true });
  };
  const saved = useCallback(
    (name: string) => {
      setReload((n) => n + 1);
      if (selected !== name) {
        keptKey.current = name;
        setQuery({ script: name, new: undefined }, { push: false });
      }
    },
    [selected, setQuery],
  );

  const names = list.phase === 'ready' ? list.scripts.map((script) => script.name) : [];
  return (
    <div className="scripts-page">
      <section className="panel scripts-list-panel" aria-labelledby="scripts-title">
        <div className="scripts-list-head">
          <h1 id="scripts-title">Scripts</h1>
          {canWrite && (
            <button type="button" onClick={startNew}>
              New script
            </button>
          )}
        </div>
        {list.phase === 'loading' && (
          <p className="muted" role="status">
            Loading scripts…
          </p>
        )}
        {list.phase === 'failed' && <LoadFailed error={list.error} onRetry={() => setReload((n) => n + 1)} />}
        {list.phase === 'ready' && list.scripts.length === 0 && (
          <div className="scripts-empty">
            <p className="scripts-empty-title">No scripts yet</p>
            <p className="muted">{canWrite ? 'New script starts from a short example.' : 'An engineer or admin writes them.'}</p>
          </div>
        )}
        {list.phase === 'ready' && list.scripts.length > 0 && (
          <ul className="scripts-list" aria-label="Scripts">
            {list.scripts.map((script) => (
              <li key={script.name} className={script.name === selected ? 'scripts-item scripts-item-selected' : 'scripts-item'}>
                <button type="button" className="scripts-select" aria-pressed={script.name === selected} onClick={() => open(script.name)}>
                  {script.name}
                </button>
                <span className="muted scripts-item-meta">
                  v{script.version} · updated {formatInstant(script.updatedAt)} by {script.updatedBy}
                </span>
                {script.description !== '' && <span className="scripts-item-description">{script.description}</span>}
              </li>
            ))}
          </ul>
        )}
      </section>
      <div className="scripts-main">
        {selected !== null || creating ? (
          <ScriptWorkspace key={workspaceKey} name={selected} existing={names} onSaved={saved} />
        ) : (
          <section className="panel scripts-none">
            <p>
              Scripts define <code>main(context)</code> and run on the server with <code>manufacturing</code> (generate serials, read records, change
              statuses) and <code>documents</code> (labels); a run is one transaction.
            </p>
            <p className="muted">Choose a script{canWrite ? ', or start a new one' : ''}.</p>
          </section>
        )}
      </div>
    </div>
  );
}
