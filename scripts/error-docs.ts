import { ERROR_CODES, type ErrorCategory } from '@serialtrace/core';
import { HTTP_STATUS } from '@serialtrace/server';

/** How each category reads in the table. */
const CATEGORY_TEXT: Record<ErrorCategory, string> = {
  malformed: 'malformed request',
  invalid: 'invalid input',
  unauthenticated: 'not signed in',
  forbidden: 'not allowed',
  too_large: 'too large',
  url_too_long: 'URL too long',
  rate_limited: 'rate limited',
  not_found: 'not found',
  conflict: 'conflict',
  state: 'refused in this state',
  unavailable: 'unavailable, retry',
  internal: 'internal fault',
};

/**
 * `docs/errors.md`, generated from the error registry and the server's status mapping.
 * `npm run docs:errors` writes it; a test fails when the committed file differs, so the three
 * cannot drift.
 */
export function renderErrorDocs(): string {
  const rows = Object.entries(ERROR_CODES).map(
    ([code, spec]) =>
      `| \`${code}\` | ${HTTP_STATUS[spec.category]} | ${CATEGORY_TEXT[spec.category]} | ${spec.description.replace(/\|/g, '\\|')} |`,
  );
  return [
    '# Error codes',
    '',
    '<!-- Generated from packages/core/src/errors/error-codes.ts and packages/server/src/problem.ts by `npm run docs:errors`; do not edit by hand. -->',
    '',
    'Every refusal carries a stable `code`. Scripts and machines branch on the code, never on the',
    'message, whose wording may improve. Alongside the code an error names the `field` it is about',
    'and, for formats, the zero-based `position` and `length` in the format text. When several things',
    'are wrong at once, `problems` lists every one of them, the first being the headline.',
    '',
    'Over HTTP a refusal is an `application/problem+json` document (RFC 9457):',
    '`{"type": "urn:serialtrace:error:CODE", "title", "status", "detail", "instance", "code", ...details, "problems"}`,',
    'with the HTTP status below. On the command line, `--json` prints `{"error": {"code", "message", ...details}}`',
    'on stdout and exits with status 1 (2 for a malformed command line).',
    '',
    '| Code | HTTP | Kind | Meaning |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
