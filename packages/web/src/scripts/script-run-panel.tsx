import { useState } from 'react';
import { client } from '../api';
import { useSession } from '../session';
import { ErrorNotice } from '../ui/error-notice';
import { Field } from '../ui/field';
import { JsonBlock, ScriptLogs } from './script-output';
import { formatMs, parseContext, runFailureOf, type RunFailure, type ScriptLogEntry, type ScriptRun } from './script-words';

type RunState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'running' }
  | { readonly kind: 'succeeded'; readonly result: unknown; readonly logs: readonly ScriptLogEntry[]; readonly runId: number | null; readonly elapsedMs: number }
  | { readonly kind: 'failed'; readonly failure: RunFailure; readonly elapsedMs: number }
  | { readonly kind: 'error'; readonly error: unknown };

/**
 * Runs the saved version of a script with a JSON context and shows what came back: the result
 * and the console lines, or the error's code and message with the lines written before it.
 */
export function ScriptRunPanel(props: {
  readonly name: string;
  readonly savedVersion: number;
  readonly dirty: boolean;
  /** Saves the editor's text; resolves whether it was saved. Absent without scripts.write. */
  readonly onSave?: () => Promise<boolean>;
  readonly onRan: () => void;
}) {
  const session = useSession();
  const [contextText, setContextText] = useState('{}');
  const [contextError, setContextError] = useState<string | null>(null);
  const [state, setState] = useState<RunState>({ kind: 'idle' });
  // The recorded run (its duration on the server and its API calls), when the answer names it.
  const [recorded, setRecorded] = useState<ScriptRun | null>(null);

  const readRecord = (runId: number | null) => {
    if (runId === null) return;
    client.call('getScriptRun', { params: { id: runId } }).then(setRecorded, () => undefined);
  };

  const run = async (saveFirst: boolean) => {
    const parsed = parseContext(contextText);
    if (!parsed.ok) {
      setContextError(parsed.message);
      return;
    }
    setContextError(null);
    if (saveFirst && props.onSave !== undefined && !(await props.onSave())) return;
    setState({ kind: 'running' });
    setRecorded(null);
    const started = performance.now();
    try {
      const answer = await client.call('runScript', { params: { name: props.name }, body: { context: parsed.value } });
      const runId = (answer as { runId?: unknown }).runId;
      const id = typeof runId === 'number' ? runId : null;
      setState({ kind: 'succeeded', result: answer.result, logs: answer.logs, runId: id, elapsedMs: performance.now() - started });
      readRecord(id);
    } catch (error) {
      session.onError(error);
      const failure = runFailureOf(error);
      setState(failure === null ? { kind: 'error', error } : { kind: 'failed', failure, elapsedMs: performance.now() - started });
      readRecord(failure?.runId ?? null);
    } finally {
      props.onRan();
    }
  };

  return (
    <section className="panel script-run-panel" aria-labelledby="script-run-title">
      <h2 id="script-run-title">Run</h2>
      <p className="muted script-run-note">
        A run uses the saved version (version {props.savedVersion}), in one transaction: if it fails, nothing it did is kept.
        {props.dirty && ' The editor has unsaved changes, which this run would not include.'}
      </p>
      <Field label="Context (JSON)" hint="Passed to main(context). Empty means {}." error={contextError}>
        {({ id, describedBy, invalid }) => (
          <textarea
            id={id}
            className="mono script-context"
            rows={4}
            spellCheck={false}
            aria-describedby={describedBy}
            aria-invalid={invalid}
            value={contextText}
            onChange={(event) => {
              setContextText(event.target.value);
              setContextError(null);
            }}
          />
        )}
      </Field>
      <div className="script-run-actions">
        <button type="button" onClick={() => void run(false)} disabled={state.kind === 'running'}>
          {state.kind === 'running' ? 'Running…' : props.dirty ? `Run version ${props.savedVersion}` : 'Run'}
        </button>
        {props.dirty && props.onSave !== undefined && (
          <button type="button" className="secondary" onClick={() => void run(true)} disabled={state.kind === 'running'}>
            Save and run
          </button>
        )}
      </div>
      <div className="script-run-output" aria-live="polite">
        {state.kind === 'succeeded' && (
          <>
            <p className="notice notice-ok" role="status">
              <span className="notice-title">Succeeded</span>
              {state.runId !== null && ` · run #${state.runId}`} · <Timing recorded={recorded} runId={state.runId} elapsedMs={state.elapsedMs} />
            </p>
            <JsonBlock label="Result" value={state.result} />
            <ScriptLogs logs={state.logs} />
          </>
        )}
        {state.kind === 'failed' && (
          <>
            <div className="notice notice-error" role="alert">
              <p className="notice-title">
                Failed: <span className="mono">{state.failure.code}</span>
                {state.failure.runId !== null && ` · run #${state.failure.runId}`} ·{' '}
                <Timing recorded={recorded} runId={state.failure.runId} elapsedMs={state.elapsedMs} />
              </p>
              <p>{state.failure.message}</p>
              <p>Everything the run generated or changed was undone.</p>
            </div>
            {state.failure.stack !== null && (
              <pre className="script-json script-stack" aria-label="Where it failed">
                {state.failure.stack}
              </pre>
            )}
            <ScriptLogs logs={state.failure.logs} />
          </>
        )}
        {state.kind === 'error' && <ErrorNotice error={state.error} onDismiss={() => setState({ kind: 'idle' })} />}
      </div>
    </section>
  );
}

/** The server's own duration and API calls of the run when it was read back, else the round trip. */
function Timing({ recorded, runId, elapsedMs }: { readonly recorded: ScriptRun | null; readonly runId: number | null; readonly elapsedMs: number }) {
  if (recorded !== null && recorded.id === runId) {
    return (
      <>
        {formatMs(recorded.durationMs)} · {recorded.apiCalls} API {recorded.apiCalls === 1 ? 'call' : 'calls'}
      </>
    );
  }
  return <>took {formatMs(elapsedMs)}</>;
}
