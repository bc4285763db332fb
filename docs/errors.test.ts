import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@serialtrace/core';
import { renderErrorDocs } from '../scripts/error-docs.js';

describe('docs/errors.md', () => {
  const committed = readFileSync(new URL('./errors.md', import.meta.url), 'utf8');

  it('is exactly what the error registry generates (run `npm run docs:errors` after changing codes)', () => {
    expect(committed).toBe(renderErrorDocs());
  });

  it('lists every registered code once', () => {
    for (const code of Object.keys(ERROR_CODES)) {
      expect(committed.split(`| \`${code}\` |`).length - 1, code).toBe(1);
    }
  });
});
