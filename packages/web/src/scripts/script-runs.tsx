import { useCallback, useEffect, useRef, useState } from 'react';
import { client } from '../api';
import { useSession } from '../session';
import { Dialog } from '../ui/dialog';
import { LoadFailed } from '../ui/error-notice';
import { formatCount, formatInstant } from '../ui/text';
import { JsonBlock, ScriptLogs } from './script-output';
import { formatMs, runErrorOf, type ScriptRun } from './script-words';

export const RUNS_PAGE_SIZE = 20;

interface RunsState {
  readonly runs: readonly ScriptRun[];
  readonly phase: 'loading' | 'ready' | 'failed';
  readonly loadingMore: boolean;
  readonly cursor: string | null;
  readonly error: unknown;
}

/** A script's runs newest first, a page at a time; `refreshKey` reloads from the newest. */
function useScriptRuns(name: string, refreshKey: number) {
  const session = useSession();
  const onError = useRef(session.onError);
  onError.current = session.onError;
  const [state, setState] = useState<RunsState>({ runs: [], phase: 'loading', loadingMore: false, cursor: null, error: null });
  const generation = useRef(0);

  const fetchPage = useCallback(
    (cursor: string | null) => {
      const mine = generation.current;
      setState((s) => ({ ...s, error: null, loadingMore: cursor !== null, phase: cursor === null && s.runs.length === 0 ? 'loading' : s.phase }));
      const query: { limit: number; cursor?: string } = { limit: RUNS_PAGE_SIZE };
      if (cursor !== null) query.cursor = cursor;
      client.call('listScriptRuns', { params: { name }, query }).then(
        (page) => {
          if (mine !== generation.current) return;
          setState((s) => {
            const seen = new Set(cursor === null ? [] : s.runs.map((run) => run.id));
            const fresh = page.runs.filter((run) => !seen.has(run.id));
            return { runs: cursor === null ? fresh : [...s.runs, ...fresh], phase: 'ready', loadingMore: false, cursor: page.nextCursor, error: null };
          });
        },
        (error: unknown) => {
          if (mine !== generation.current) return;
          onError.current(error);
          setState((s) => ({ ...s, phase: cursor === null ? 'failed' : s.phase, loadingMore: false, error }));
        },
      );
    },
    [name],
  );

  useEffect(() => {
    generation.current += 1;
    fetchPage(null);
  }, [fetchPage, refreshKey]);

  return {
    ...state,
    loadMore: () => {
      if (state.cursor !== null && !state.loadingMore) fetchPage(state.cursor);
    },
    retry: () => fetchPage(state.phase === 'failed' ? null : state.cursor),
  };
}

/** The runs of a script: status, when, who, duration, API calls, error code; each opens in full. */
export function ScriptRuns({ name, refreshKey }: { readonly name: string; readonly refreshKey: number }) {
  const runs = useScriptRuns(name, refreshKey);
  const [open, setOpen] = useState<ScriptRun | null>(null);
  return (
    <section className="panel script-runs" aria-labelledby="script-runs-title">
      <h2 id="script-runs-title">Runs</h2>
      {runs.phase === 'loading' && (
        <p className="muted" role="status">
          Loading runs…
        </p>
      )}
      {runs.phase === 'failed' && <LoadFailed error={runs.error} onRetry={runs.retry} />}
      {runs.phase === 'ready' && runs.runs.length === 0 && <p className="muted">This script has not run yet.</p>}
      {runs.runs.length > 0 && (
        <div className="script-table-scroll" role="region" aria-label="Script runs" tabIndex={0}>
          <table className="script-runs-table">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Status</th>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Version</th>
                <th scope="col">Duration</th>
                <th scope="col">API calls</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {runs.runs.map((run) => (
                <tr key={run.id}>
                  <td>
                    <button type="button" className="link-button" aria-label={`Details of run #${run.id}`} onClick={() => setOpen(run)}>
                      #{run.id}
                    </button>
                  </td>
                  <td>
                    <span className={`status script-status-${run.status}`}>{run.status}</span>
                  </td>
                  <td>{formatInstant(run.startedAt)}</td>
                  <td className="script-actor">
                    {run.actor}
                    {run.station !== null && <span className="muted"> · {run.station}</span>}
                  </td>
                  <td>v{run.version}</td>
                  <td>{formatMs(run.durationMs)}</td>
                  <td>{formatCount(run.apiCalls)}</td>
                  <td className="mono">{runErrorOf(run)?.code ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {runs.phase === 'ready' && runs.error !== null && <LoadFailed error={runs.error} onRetry={runs.retry} />}
      {runs.phase === 'ready' && runs.cursor !== null && runs.error === null && (
        <div className="script-more">
          <button type="button" className="secondary" onClick={runs.loadMore} disabled={runs.loadingMore}>
            {runs.loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
      {open !== null && <RunDetailsDialog run={open} onClose={() => setOpen(null)} />}
    </section>
  );
}

export function RunDetailsDialog({ run, onClose }: { readonly run: ScriptRun; readonly onClose: () => void }) {
  const error = runErrorOf(run);
  return (
    <Dialog title={`Run #${run.id}`} onClose={onClose} wide>
      <dl className="script-run-facts">
        <div>
          <dt>Status</dt>
          <dd>
            <span className={`status script-status-${run.status}`}>{run.status}</span>
          </dd>
        </div>
        <div>
          <dt>Script</dt>
          <dd>
            {run.script} v{run.version}
          </dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>{formatInstant(run.startedAt)}</dd>
        </div>
        <div>
          <dt>By</dt>
          <dd>
            {run.actor}
            {run.station !== null && ` at ${run.station}`}
          </dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{formatMs(run.durationMs)}</dd>
        </div>
        <div>
          <dt>API calls</dt>
          <dd>{formatCount(run.apiCalls)}</dd>
        </div>
      </dl>
      <JsonBlock label="Context" value={run.context} />
      {error !== null ? (
        <div className="notice notice-error">
          <p className="notice-title">
            <span className="mono">{error.code}</span> {error.message}
          </p>
          <p>Everything the run generated or changed was undone.</p>
        </div>
      ) : (
        <JsonBlock label="Result" value={run.result} />
      )}
      <ScriptLogs logs={run.logs} />
    </Dialog>
  );
}
