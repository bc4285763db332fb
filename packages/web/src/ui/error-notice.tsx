import { describeError } from '../api';

/**
 * An API error in words, announced to screen readers. Problems with a position in a field are
 * listed each on its own line, so a user fixes them all at once.
 */
export function ErrorNotice({ error, onDismiss }: { readonly error: unknown; readonly onDismiss?: () => void }) {
  if (error === null || error === undefined) return null;
  const words = describeError(error);
  return (
    <div className="notice notice-error" role="alert">
      <p className="notice-title">{words.title}</p>
      {words.detail !== '' && <p>{words.detail}</p>}
      {words.problems.length > 0 && (
        <ul>
          {words.problems.map((problem, index) => (
            <li key={index}>
              {problem.field !== undefined && <strong>{problem.field}: </strong>}
              {problem.message}
            </li>
          ))}
        </ul>
      )}
      {onDismiss !== undefined && (
        <button type="button" className="link-button" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}

/** A load that failed: the error in words and a way to ask again. */
export function LoadFailed({ error, onRetry }: { readonly error: unknown; readonly onRetry: () => void }) {
  return (
    <div className="load-failed">
      <ErrorNotice error={error} />
      <button type="button" className="secondary" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}
