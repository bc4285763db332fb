import { useEffect, useState } from 'react';
import { client } from '../api';
import { useSession } from '../session';
import { Dialog } from '../ui/dialog';
import { LoadFailed } from '../ui/error-notice';
import { formatInstant } from '../ui/text';
import { CodeEditor } from './code-editor';
import type { ScriptVersion } from './script-words';

type VersionsState = { readonly phase: 'loading' } | { readonly phase: 'failed'; readonly error: unknown } | { readonly phase: 'ready'; readonly versions: readonly ScriptVersion[] };

/** Every saved version of a script, newest first; one opens read-only and can be restored into the editor. */
export function ScriptVersions(props: {
  readonly name: string;
  readonly refreshKey: number;
  readonly onRestore?: (version: ScriptVersion) => void;
}) {
  const session = useSession();
  const { name, refreshKey } = props;
  const [state, setState] = useState<VersionsState>({ phase: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [open, setOpen] = useState<ScriptVersion | null>(null);
  const { onError } = session;
  useEffect(() => {
    let live = true;
    client.call('scriptVersions', { params: { name } }).then(
      (answer) => live && setState({ phase: 'ready', versions: [...answer.versions].sort((a, b) => b.version - a.version) }),
      (error: unknown) => {
        if (!live) return;
        onError(error);
        setState({ phase: 'failed', error });
      },
    );
    return () => {
      live = false;
    };
  }, [name, refreshKey, attempt, onError]);

  return (
    <section className="panel script-versions" aria-labelledby="script-versions-title">
      <h2 id="script-versions-title">Versions</h2>
      {state.phase === 'loading' && (
        <p className="muted" role="status">
          Loading versions…
        </p>
      )}
      {state.phase === 'failed' && <LoadFailed error={state.error} onRetry={() => setAttempt((n) => n + 1)} />}
      {state.phase === 'ready' && (
        <ol className="script-version-list" aria-label="Script versions">
          {state.versions.map((version) => (
            <li key={version.version}>
              <button type="button" className="link-button" onClick={() => setOpen(version)}>
                Version {version.version}
              </button>
              <span className="muted">
                {' '}
                · {version.changedBy} · {formatInstant(version.changedAt)}
              </span>
              {version.reason !== null && version.reason !== '' && <span className="script-version-reason">{version.reason}</span>}
            </li>
          ))}
        </ol>
      )}
      {open !== null && (
        <Dialog title={`${name}, version ${open.version}`} onClose={() => setOpen(null)} wide>
          <p className="muted">
            Saved by {open.changedBy} on {formatInstant(open.changedAt)}
            {open.description !== '' && ` · ${open.description}`}
          </p>
          <CodeEditor label={`Source of version ${open.version}`} value={open.source} readOnly />
          <div className="actions">
            {props.onRestore !== undefined && (
              <button
                type="button"
                onClick={() => {
                  props.onRestore?.(open);
                  setOpen(null);
                }}
              >
                Restore into editor
              </button>
            )}
            <button type="button" className="secondary" onClick={() => setOpen(null)}>
              Close
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}
