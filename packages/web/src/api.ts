import { SerialtraceClient } from '@serialtrace/client';
import { isSerialtraceError, type Problem } from '@serialtrace/core';

/** The one client of the page: same origin, signed in by the session cookie. */
export const client = new SerialtraceClient({ baseUrl: '', credentials: 'same-origin' });

/** An API refusal as a person should read it: a headline, the server's explanation, and each problem. */
export interface ErrorWords {
  readonly title: string;
  readonly detail: string;
  readonly code: string;
  readonly problems: readonly Problem[];
}

const TITLES: Readonly<Record<string, string>> = {
  UNAUTHENTICATED: 'You are not signed in',
  FORBIDDEN: 'Your role does not allow this',
  NOT_READY: 'The server cannot be reached',
  STORE_UNAVAILABLE: 'The database cannot be reached',
  STORE_BUSY: 'The server is busy',
  RATE_LIMITED: 'Too many requests',
  INTERNAL_ERROR: 'Something went wrong on the server',
};

/**
 * Words for any error a call can throw. Refusals carry the server's own message (which names the
 * field and the rule); anything else (a bug in the page) is said plainly, never as a stack.
 */
export function describeError(error: unknown): ErrorWords {
  if (isSerialtraceError(error)) {
    const problems = error.problems.filter((p) => p.message !== error.message || error.problems.length > 1);
    let detail = error.message;
    if (error.code === 'NOT_READY' && /cannot reach/.test(detail)) detail = 'Check the network connection, then try again.';
    if (error.code === 'STORE_UNAVAILABLE' || error.code === 'STORE_BUSY') detail = `${detail} Try again in a moment; nothing was changed.`;
    if (error.code === 'INTERNAL_ERROR') detail = 'The request was not completed. The server log has the details.';
    const title = TITLES[error.code] ?? error.message;
    return { title, detail: title === detail ? '' : detail, code: error.code, problems };
  }
  if (error instanceof DOMException && error.name === 'AbortError') return { title: 'Cancelled', detail: '', code: 'ABORTED', problems: [] };
  return { title: 'Something went wrong in this page', detail: 'Reload the page and try again.', code: 'PAGE_ERROR', problems: [] };
}

/** Whether an error means the session is gone, so the page should ask to sign in again. */
export function isSignedOut(error: unknown): boolean {
  return isSerialtraceError(error) && error.code === 'UNAUTHENTICATED';
}
