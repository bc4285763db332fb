import type { Problem } from '@serialtrace/core';

/**
 * Problems of a format, each with the format text shown again and the offending characters
 * marked, with a caret line under them: a message alone says "position 14", which nobody counts.
 */
export function FormatProblems(props: { readonly format: string; readonly problems: readonly Problem[]; readonly id?: string }) {
  if (props.problems.length === 0) return null;
  return (
    <ul id={props.id} className="format-problems">
      {props.problems.map((problem, index) => (
        <li key={index} className={problem.severity === 'warning' ? 'format-problem format-problem-warning' : 'format-problem'}>
          {problem.position !== undefined && <MarkedFormat format={props.format} position={problem.position} length={problem.length ?? 1} />}
          <span className="format-problem-message">
            {problem.severity === 'warning' ? 'Warning: ' : ''}
            {problem.message}
          </span>
        </li>
      ))}
    </ul>
  );
}

function MarkedFormat(props: { readonly format: string; readonly position: number; readonly length: number }) {
  const start = Math.max(0, Math.min(props.position, props.format.length));
  const length = Math.max(1, props.length);
  const end = Math.min(props.format.length, start + length);
  // A problem at the very end (a missing brace) has no character to mark: mark a space there.
  const marked = start < end ? props.format.slice(start, end) : ' ';
  return (
    <span className="format-marked">
      <code className="format-marked-text">
        {props.format.slice(0, start)}
        <mark>{marked}</mark>
        {props.format.slice(end)}
      </code>
      <code className="format-marked-caret" aria-hidden="true">
        {' '.repeat(start)}
        {'^'.repeat(marked.length)}
      </code>
    </span>
  );
}
