import { isSerialtraceError } from '@serialtrace/core';
import { useCallback, useEffect, useId, useState } from 'react';
import { client } from '../api';
import { useSession } from '../session';
import { ErrorNotice, LoadFailed } from '../ui/error-notice';
import { Field } from '../ui/field';
import { formatInstant } from '../ui/text';
import { CodeEditor, type SourceMark } from './code-editor';
import { ScriptRunPanel } from './script-run-panel';
import { ScriptRuns } from './script-runs';
import { ScriptVersions } from './script-versions';
import { markOf, STARTER_SCRIPT, type ScriptDetails } from './script-words';

type Load = { readonly phase: 'loading' } | { readonly phase: 'failed'; readonly error: unknown } | { readonly phase: 'ready' };

/**
 * One script in the editor: its source and description, Save (a new version each time), the run
 * panel, its runs and its versions. `name` null is a new script, started from the template.
 */
export function ScriptWorkspace(props: { readonly name: string | null; readonly existing: readonly string[]; readonly onSaved: (name: string) => void }) {
  const session = useSession();
  const canWrite = session.can('scripts.write');
  const canRun = session.can('scripts.run');
  const { onError } = session;
  const [load, setLoad] = useState<Load>(props.name === null ? { phase: 'ready' } : { phase: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [saved, setSaved] = useState<ScriptDetails | null>(null);
  const [newName, setNewName] = useState('');
  const [source, setSource] = useState(props.name === null ? STARTER_SCRIPT : '');
  const [description, setDescription] = useState('');
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [mark, setMark] = useState<SourceMark | null>(null);
  const [savedNotice, setSavedNotice] = useState<string | null>(null);
  const [nameError, setNameError] = useState<string | null>(null);
  const [refreshKey, setRefreshKey] = useState(0);
  const hintId = useId();

  useEffect(() => {
    if (props.name === null) return;
    let live = true;
    client.call('getScript', { params: { name: props.name } }).then(
      (script) => {
        if (!live) return;
        setSaved(script);
        setSource(script.source);
        setDescription(script.description);
        setLoad({ phase: 'ready' });
      },
      (error: unknown) => {
        if (!live) return;
        onError(error);
        setLoad({ phase: 'failed', error });
      },
    );
    return () => {
      live = false;
    };
  }, [props.name, attempt, onError]);

  const name = props.name ?? newName.trim();
  const dirty = saved === null || source !== saved.source || description !== saved.description;

  const save = useCallback(async (): Promise<boolean> => {
    if (name === '') {
      setNameError('Give the script a name.');
      return false;
    }
    if (name.includes('/')) {
      setNameError('A name cannot contain "/".');
      return false;
    }
    setSaving(true);
    setSaveError(null);
    setSavedNotice(null);
    setMark(null);
    try {
      const script = await client.call('saveScript', { params: { name }, body: { source, description } });
      setSaved(script);
      setDescription(script.description);
      setSavedNotice(`Saved version ${script.version}`);
      setRefreshKey((key) => key + 1);
      props.onSaved(script.name);
      return true;
    } catch (error) {
      onError(error);
      setSaveError(error);
      setMark(markOf(error));
      return false;
    } finally {
      setSaving(false);
    }
  }, [name, source, description, onError, props]);

  if (load.phase === 'loading') {
    return (
      <p className="muted" role="status">
        Loading {props.name}…
      </p>
    );
  }
  if (load.phase === 'failed') return <LoadFailed error={load.error} onRetry={() => setAttempt((n) => n + 1)} />;

  const readOnly = !canWrite;
  const isInvalid = isSerialtraceError(saveError) && saveError.code === 'SCRIPT_INVALID';
  return (
    <div className="script-workspace">
      <section className="panel script-editor-panel" aria-labelledby="script-editor-title">
        <div className="script-editor-head">
          <h2 id="script-editor-title">{props.name === null ? 'New script' : props.name}</h2>
          {saved !== null && (
            <span className="muted script-meta">
              version {saved.version} · saved by {saved.updatedBy} on {formatInstant(saved.updatedAt)}
            </span>
          )}
          {canWrite && dirty && (
            <span className="badge script-dirty" role="status">
              Unsaved changes
            </span>
          )}
        </div>
        {props.name === null && (
          <Field
            label="Name"
            hint={props.existing.includes(newName.trim()) ? 'A script of this name exists: saving adds a version to it.' : 'Up to 100 characters, no "/".'}
            error={nameError}
          >
            {({ id, describedBy, invalid }) => (
              <input
                id={id}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                value={newName}
                onChange={(event) => {
                  setNewName(event.target.value);
                  setNameError(null);
                }}
              />
            )}
          </Field>
        )}
        <Field label="Description">
          {({ id, describedBy }) => (
            <input id={id} aria-describedby={describedBy} value={description} readOnly={readOnly} onChange={(event) => setDescription(event.target.value)} />
          )}
        </Field>
        <div className="script-source-field">
          <span className="script-source-label" aria-hidden="true">
            Source
          </span>
          <CodeEditor
            label="Source"
            value={source}
            onChange={readOnly ? undefined : (text) => {
              setSource(text);
              setSavedNotice(null);
            }}
            readOnly={readOnly}
            mark={mark}
            describedBy={hintId}
            onSaveShortcut={canWrite ? () => void save() : undefined}
          />
          <p id={hintId} className="field-hint">
            JavaScript defining <code>main(context)</code>, with <code>manufacturing</code>, <code>documents</code> and <code>console</code>.
            {canWrite && ' Ctrl+S saves; Tab leaves the editor.'}
          </p>
        </div>
        {mark !== null && (
          <p className="script-mark" role="alert">
            Line {mark.line}, column {mark.column}: {mark.message}
          </p>
        )}
        {!isInvalid || mark === null ? <ErrorNotice error={saveError} onDismiss={() => setSaveError(null)} /> : null}
        {savedNotice !== null && (
          <p className="notice notice-ok" role="status">
            {savedNotice}
          </p>
        )}
        {canWrite && (
          <div className="actions">
            <button type="button" onClick={() => void save()} disabled={saving || (!dirty && saved !== null)}>
              {saving ? 'Saving…' : 'Save'}
            </button>
          </div>
        )}
      </section>

      {saved !== null && canRun && (
        <ScriptRunPanel
          name={saved.name}
          savedVersion={saved.version}
          dirty={dirty}
          onSave={canWrite ? save : undefined}
          onRan={() => setRefreshKey((key) => key + 1)}
        />
      )}
      {saved !== null && (
        <div className="script-history">
          <ScriptRuns key={saved.name} name={saved.name} refreshKey={refreshKey} />
          <ScriptVersions
            key={`versions-${saved.name}`}
            name={saved.name}
            refreshKey={refreshKey}
            onRestore={
              canWrite
                ? (version) => {
                    setSource(version.source);
                    setDescription(version.description);
                    setSavedNotice(null);
                  }
                : undefined
            }
          />
        </div>
      )}
    </div>
  );
}
