import { useId } from 'react';
import { formatMs, prettyJson, type ScriptLogEntry } from './script-words';

/** A run's console lines: level-coloured, each with the milliseconds since the run started. */
export function ScriptLogs({ logs, label = 'Logs' }: { readonly logs: readonly ScriptLogEntry[]; readonly label?: string }) {
  const id = useId();
  return (
    <div className="script-logs-block">
      <h4 id={id}>{label}</h4>
      {logs.length === 0 ? (
        <p className="muted script-logs-none">No console output.</p>
      ) : (
        <ol className="script-logs" aria-labelledby={id}>
          {logs.map((entry, index) => (
            <li key={index} className={`script-log script-log-${entry.level}`}>
              <span className="script-log-at">{formatMs(entry.at)}</span>
              <span className="script-log-level">{entry.level}</span>
              <span className="script-log-message">{entry.message}</span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

/** A JSON value, pretty-printed in a labelled block. */
export function JsonBlock({ label, value }: { readonly label: string; readonly value: unknown }) {
  const id = useId();
  return (
    <div className="script-json-block">
      <h4 id={id}>{label}</h4>
      <pre className="script-json" aria-labelledby={id} tabIndex={0}>
        {prettyJson(value)}
      </pre>
    </div>
  );
}
