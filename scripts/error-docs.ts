import { ERROR_CODES, type ErrorCategory } from '@serialtrace/core';

/** How each category is answered; the HTTP mapping arrives with the server. */
const CATEGORY_TEXT: Record<ErrorCategory, string> = {
  invalid: 'invalid input',
  not_found: 'not found',
  conflict: 'conflict',
  state: 'refused in this state',
  unavailable: 'unavailable, retry',
  internal: 'internal fault',
};

/**
 * `docs/errors.md`, generated from the error registry. `npm run docs:errors` writes it; a test
 * fails when the committed file differs, so the two cannot drift.
 */
export function renderErrorDocs(): string {
  const rows = Object.entries(ERROR_CODES).map(
    ([code, spec]) => `| \`${code}\` | ${CATEGORY_TEXT[spec.category]} | ${spec.description.replace(/\|/g, '\\|')} |`,
  );
  return [
    '# Error codes',
    '',
    '<!-- Generated from packages/core/src/errors/error-codes.ts by `npm run docs:errors`; do not edit by hand. -->',
    '',
    'Every refusal carries a stable `code`. Scripts and machines branch on the code, never on the',
    'message, whose wording may improve. Alongside the code an error names the `field` it is about',
    'and, for formats, the zero-based `position` and `length` in the format text. When several things',
    'are wrong at once, `problems` lists every one of them, the first being the headline.',
    '',
    'On the command line, `--json` prints `{"error": {"code", "message", ...}}` on stdout and exits',
    'with status 1 (2 for a malformed command line).',
    '',
    '| Code | Kind | Meaning |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
