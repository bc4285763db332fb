import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  isErrorCode,
  isSerialtraceError,
  problem,
  refuseOnErrors,
  renderMessage,
  SerialtraceError,
  showValue,
  type ErrorCode,
} from '@serialtrace/core';

const CODES = Object.keys(ERROR_CODES) as ErrorCode[];
const CATEGORIES = ['malformed', 'invalid', 'unauthenticated', 'forbidden', 'too_large', 'url_too_long', 'rate_limited', 'not_found', 'conflict', 'state', 'unavailable', 'internal'];

describe('the error registry', () => {
  it.each(CODES)('%s has a category, a message template and a description', (code) => {
    const spec = ERROR_CODES[code];
    expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
    expect(CATEGORIES).toContain(spec.category);
    expect(spec.message.trim().length).toBeGreaterThan(0);
    expect(spec.description.trim().length).toBeGreaterThan(10);
    expect(isErrorCode(code)).toBe(true);
  });

  it('never names a detail after a member an HTTP problem document reserves', () => {
    const reserved = ['type', 'title', 'status', 'detail', 'instance', 'code', 'message', 'problems'];
    for (const code of CODES) {
      const placeholders = [...ERROR_CODES[code].message.matchAll(/\{([a-z][A-Za-z0-9]*)\}/g)].map((m) => m[1]);
      for (const name of placeholders) expect(reserved, `${code} uses {${name}}`).not.toContain(name);
    }
  });

  it('holds the codes the product promises', () => {
    for (const code of [
      'SERIES_EXHAUSTED',
      'FORMAT_NOT_UNIQUE',
      'FORMAT_TOKEN_UNKNOWN',
      'FORMAT_SEQUENCE_MISSING',
      'CONTEXT_MISSING',
      'STATUS_TRANSITION_INVALID',
      'TIME_ZONE_UNKNOWN',
      'CLOCK_INVALID',
      'INTERNAL_ERROR',
    ]) {
      expect(CODES).toContain(code);
    }
    expect(isErrorCode('NOT_A_CODE')).toBe(false);
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode('__proto__')).toBe(false);
  });

  it('every placeholder of every template is a lower camel case detail name', () => {
    for (const code of CODES) {
      for (const [, name] of ERROR_CODES[code].message.matchAll(/\{([^}]*)\}/g)) {
        if (name === 'SEQUENCE' || name === '####') continue;
        expect(name, code).toMatch(/^[a-z][A-Za-z0-9]*$/);
      }
    }
  });
});

describe('renderMessage', () => {
  it('fills placeholders from the details', () => {
    expect(renderMessage('SERIES_NOT_FOUND', { series: 'Widgets' })).toBe('No series named "Widgets"');
    expect(renderMessage('QUANTITY_OUT_OF_RANGE', { min: 1, max: 10_000, value: 0 })).toBe('Quantity must be a whole number from 1 to 10000; got 0');
  });

  it('joins lists, writes missing details as nothing', () => {
    expect(renderMessage('CONTEXT_MISSING', { tokens: ['{LINE}', '{PLANT}'], them: 'them' })).toBe('The format needs {LINE}, {PLANT} but the request does not give them');
    expect(renderMessage('SERIES_NOT_FOUND', {})).toBe('No series named ""');
    expect(renderMessage('RECORD_NOT_FOUND', { serial: 'SN-1', scope: null })).toBe('No record with serial "SN-1"');
  });

  it('leaves upper-case format tokens such as {SEQUENCE} untouched, and does not expand inserted text', () => {
    expect(renderMessage('FORMAT_SEQUENCE_MISSING', { SEQUENCE: 'oops' })).toBe('The format has no sequence token; add {SEQUENCE} or {####}');
    expect(renderMessage('FORMAT_NOT_UNIQUE', { reason: 'needs {YYYY}{MM}{DD} and {reason}' })).toBe('needs {YYYY}{MM}{DD} and {reason}');
  });

  it('showValue shows text as is and anything else as JSON', () => {
    expect(showValue('x')).toBe('x');
    expect(showValue(12n)).toBe('12');
    expect(showValue(undefined)).toBe('nothing');
    expect(showValue({ a: 1 })).toBe('{"a":1}');
    expect(showValue(null)).toBe('null');
    expect(showValue(Symbol('s'))).toBe('symbol');
  });
});

describe('problem', () => {
  it('lifts field, position and length, and keeps the rest as details', () => {
    expect(problem('FORMAT_TOKEN_UNKNOWN', { field: 'format', token: '{X}', position: 3, length: 3, hint: '' })).toEqual({
      code: 'FORMAT_TOKEN_UNKNOWN',
      message: 'Unknown token {X} at position 3',
      severity: 'error',
      field: 'format',
      position: 3,
      length: 3,
      details: { token: '{X}', hint: '' },
    });
    expect(problem('FORMAT_SEQUENCE_MISSING')).toEqual({
      code: 'FORMAT_SEQUENCE_MISSING',
      message: 'The format has no sequence token; add {SEQUENCE} or {####}',
      severity: 'error',
    });
    expect(problem('VALUE_INVALID', { field: 'x', reason: 'r' }, 'warning').severity).toBe('warning');
  });
});

describe('SerialtraceError', () => {
  it('carries code, details and the rendered message', () => {
    const error = new SerialtraceError('SERIES_NOT_FOUND', { series: 'Widgets' });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('SerialtraceError');
    expect(error.code).toBe('SERIES_NOT_FOUND');
    expect(error.message).toBe('No series named "Widgets"');
    expect(error.problems).toEqual([]);
    expect(isSerialtraceError(error)).toBe(true);
    expect(isSerialtraceError(new Error('x'))).toBe(false);
    expect(error.toJSON()).toEqual({ code: 'SERIES_NOT_FOUND', message: 'No series named "Widgets"', series: 'Widgets' });
  });

  it('fromProblems heads with the first error, leaves warnings out, and counts the rest', () => {
    const warning = problem('FORMAT_WEEK_YEAR_MISMATCH', { field: 'format', position: 0, length: 6, reason: 'use {GGGG}' }, 'warning');
    const first = problem('FORMAT_TOKEN_UNKNOWN', { field: 'format', token: '{YYY}', position: 3, length: 5, hint: '; did you mean {YYYY}?' });
    const second = problem('VALUE_INVALID', { field: 'increment', reason: 'it must be at least 1' });
    const third = problem('VALUE_INVALID', { field: 'minLength', reason: 'too long' });
    const error = SerialtraceError.fromProblems([warning, first, second, third]);
    expect(error.code).toBe('FORMAT_TOKEN_UNKNOWN');
    expect(error.details).toEqual({ token: '{YYY}', hint: '; did you mean {YYYY}?', field: 'format', position: 3, length: 5 });
    expect(error.problems).toEqual([first, second, third]);
    expect(error.message).toBe('Unknown token {YYY} at position 3; did you mean {YYYY}? (and 2 more problems)');
    expect(error.toJSON()).toEqual({
      code: 'FORMAT_TOKEN_UNKNOWN',
      message: 'Unknown token {YYY} at position 3; did you mean {YYYY}? (and 2 more problems)',
      token: '{YYY}',
      hint: '; did you mean {YYYY}?',
      field: 'format',
      position: 3,
      length: 5,
      problems: [first, second, third],
    });
    expect(JSON.parse(JSON.stringify(error))).toEqual(error.toJSON());
  });

  it('fromProblems with one error keeps its message and leaves problems out of the JSON', () => {
    const only = problem('VALUE_INVALID', { field: 'increment', reason: 'it must be at least 1' });
    const error = SerialtraceError.fromProblems([only]);
    expect(error.message).toBe('Invalid increment: it must be at least 1');
    expect(error.toJSON()).toEqual({ code: 'VALUE_INVALID', message: 'Invalid increment: it must be at least 1', field: 'increment', reason: 'it must be at least 1' });
    expect(SerialtraceError.fromProblems([only, only]).message).toBe('Invalid increment: it must be at least 1 (and 1 more problem)');
  });

  it('fromProblems needs at least one error', () => {
    expect(() => SerialtraceError.fromProblems([])).toThrow(TypeError);
    expect(() => SerialtraceError.fromProblems([problem('VALUE_INVALID', { field: 'x', reason: 'y' }, 'warning')])).toThrow(TypeError);
  });

  it('refuseOnErrors returns warnings and throws on any error', () => {
    const warning = problem('FORMAT_WEEK_YEAR_MISMATCH', { reason: 'r' }, 'warning');
    expect(refuseOnErrors([])).toEqual([]);
    expect(refuseOnErrors([warning])).toEqual([warning]);
    expect(() => refuseOnErrors([warning, problem('VALUE_INVALID', { field: 'x', reason: 'y' })])).toThrow(SerialtraceError);
  });
});
