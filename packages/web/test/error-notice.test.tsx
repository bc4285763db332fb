import { render, screen } from '@testing-library/react';
import { SerialtraceError } from '@serialtrace/core';
import { describe, expect, it } from 'vitest';
import { describeError } from '../src/api';
import { ErrorNotice } from '../src/ui/error-notice';

describe('ErrorNotice', () => {
  it('says every problem of a refusal in words, as an alert', () => {
    const error = SerialtraceError.fromProblems([
      { code: 'FORMAT_TOKEN_UNKNOWN', message: 'Unknown token {YYY} at position 3; did you mean {YYYY}?', field: 'format', position: 3, severity: 'error' },
      { code: 'VALUE_INVALID', message: 'minLength is invalid: it must be at most 40', field: 'minLength', severity: 'error' },
    ]);
    render(<ErrorNotice error={error} />);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Unknown token {YYY} at position 3');
    expect(alert.textContent).toContain('minLength');
    expect(alert.textContent).not.toMatch(/at .*\.js:\d+/);
  });

  it('never shows a stack or an internal message for errors of the page itself', () => {
    const words = describeError(new TypeError("Cannot read properties of undefined (reading 'x')"));
    expect(words.title).toBe('Something went wrong in this page');
    expect(JSON.stringify(words)).not.toContain('undefined');
  });

  it('explains an unreachable server without the network error', () => {
    const words = describeError(new SerialtraceError('NOT_READY', { reason: 'cannot reach the server: ECONNREFUSED' }));
    expect(words.title).toBe('The server cannot be reached');
    expect(words.detail).not.toContain('ECONNREFUSED');
  });
});
