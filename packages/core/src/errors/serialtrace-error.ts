import { ERROR_CODES, type ErrorCode } from './error-codes.js';

/** Detail values a caller may read next to `code` (`field`, `position`, `series`, ...). */
export type ErrorDetails = Readonly<Record<string, string | number | boolean | null | readonly unknown[] | object>>;

/**
 * One thing wrong with an input. Validation collects every problem before refusing, so a user
 * fixes them all in one pass instead of one per attempt.
 *
 * @example
 * { code: 'FORMAT_TOKEN_UNKNOWN', message: 'Unknown token {YYY} at position 3 ...', field: 'format', position: 3, length: 5 }
 */
export interface Problem {
  readonly code: ErrorCode;
  readonly message: string;
  readonly field?: string;
  /** Zero-based offset into the field's text (formats). */
  readonly position?: number;
  readonly length?: number;
  /** Warnings never block; only errors refuse a request. */
  readonly severity: 'error' | 'warning';
  readonly details?: ErrorDetails;
}

/** A value as a person should see it in a message: text as is, anything else as JSON. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  if (value === undefined) return 'nothing';
  if (typeof value === 'symbol' || typeof value === 'function') return typeof value;
  return JSON.stringify(value);
}

export function renderMessage(code: ErrorCode, details: ErrorDetails): string {
  // Placeholders are lower camel case, so format tokens such as {SEQUENCE} in a message stay as written.
  return ERROR_CODES[code].message.replace(/\{([a-z][A-Za-z0-9]*)\}/g, (_, name: string) => {
    const value = details[name];
    if (value === undefined || value === null) return '';
    return Array.isArray(value) ? value.map(showValue).join(', ') : showValue(value);
  });
}

export function problem(
  code: ErrorCode,
  details: ErrorDetails & { field?: string; position?: number; length?: number } = {},
  severity: 'error' | 'warning' = 'error',
): Problem {
  const { field, position, length, ...rest } = details;
  return {
    code,
    message: renderMessage(code, details),
    severity,
    ...(field === undefined ? {} : { field }),
    ...(position === undefined ? {} : { position }),
    ...(length === undefined ? {} : { length }),
    ...(Object.keys(rest).length === 0 ? {} : { details: rest }),
  };
}

/**
 * The one error type serialtrace throws on purpose. Anything else reaching a boundary is a bug
 * and is reported as INTERNAL_ERROR without its internals.
 */
export class SerialtraceError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;
  /** Every problem found, the first being the one named by `code`; empty for single refusals. */
  readonly problems: readonly Problem[];

  constructor(code: ErrorCode, details: ErrorDetails = {}, problems: readonly Problem[] = []) {
    super(renderMessage(code, details));
    this.name = 'SerialtraceError';
    this.code = code;
    this.details = details;
    this.problems = problems;
  }

  /** Refuse with every error-severity problem; the first becomes the headline. */
  static fromProblems(problems: readonly Problem[]): SerialtraceError {
    const errors = problems.filter((p) => p.severity === 'error');
    const first = errors[0];
    if (first === undefined) throw new TypeError('fromProblems needs at least one error');
    const details: Record<string, unknown> = { ...first.details };
    if (first.field !== undefined) details['field'] = first.field;
    if (first.position !== undefined) details['position'] = first.position;
    if (first.length !== undefined) details['length'] = first.length;
    const error = new SerialtraceError(first.code, details as ErrorDetails, errors);
    if (errors.length > 1) {
      error.message = `${first.message} (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})`;
    }
    return error;
  }

  /** This refusal as a list of problems: its own list, or itself as the one problem. */
  asProblems(): readonly Problem[] {
    if (this.problems.length > 0) return this.problems;
    return [problem(this.code, this.details)];
  }

  /** The wire shape used by the CLI's `--json` and, later, the HTTP problem documents. */
  toJSON(): { code: ErrorCode; message: string; problems?: readonly Problem[] } & Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...this.details,
      ...(this.problems.length > 1 ? { problems: this.problems } : {}),
    };
  }
}

/** Throws when any problem is an error; returns the warnings otherwise. */
export function refuseOnErrors(problems: readonly Problem[]): readonly Problem[] {
  if (problems.some((p) => p.severity === 'error')) throw SerialtraceError.fromProblems(problems);
  return problems;
}

export function isSerialtraceError(value: unknown): value is SerialtraceError {
  return value instanceof SerialtraceError;
}

/**
 * Runs one validation step and, when it refuses, adds its problems to `problems` instead of
 * throwing, so that a caller can check every field before refusing once with all of them.
 * Anything that is not a refusal is rethrown.
 *
 * @example const zone = collectProblems(problems, () => canonicalTimeZone(input.timeZone));
 */
export function collectProblems<T>(problems: Problem[], attempt: () => T): T | undefined {
  try {
    return attempt();
  } catch (error) {
    if (!(error instanceof SerialtraceError)) throw error;
    problems.push(...error.asProblems());
    return undefined;
  }
}

/**
 * One of a fixed set of names, or VALUE_INVALID listing the allowed ones.
 *
 * @example parseChoice('hex', BASE_NAMES, 'base', 'base') === 'hex'
 */
export function parseChoice<T extends string>(value: unknown, choices: readonly T[], field: string, noun: string): T {
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  throw new SerialtraceError('VALUE_INVALID', {
    field,
    reason: `"${showValue(value)}" is not a ${noun}; expected one of ${choices.join(', ')}`,
    allowed: choices,
  });
}
