import { ERROR_CODES, isSerialtraceError, SerialtraceError, type ErrorCategory, type ErrorCode, type Problem } from '@serialtrace/core';

/** The only place error categories become HTTP statuses. */
export const HTTP_STATUS: Readonly<Record<ErrorCategory, number>> = {
  malformed: 400,
  invalid: 422,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  state: 409,
  too_large: 413,
  url_too_long: 414,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

function title(code: string): string {
  const words = code.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  readonly code: string;
  readonly problems?: readonly Problem[];
  readonly [detail: string]: unknown;
}

/**
 * The EPCIS 2.0 REST bindings type their refusals by exception and answer a refused capture or
 * query with 400, so the /epcis routes do; `code` keeps the stable serialtrace code beside it.
 */
const EPCIS_EXCEPTIONS: Partial<Record<ErrorCategory, { readonly status: number; readonly type: string }>> = {
  invalid: { status: 400, type: 'epcisException:ValidationException' },
  malformed: { status: 400, type: 'epcisException:ValidationException' },
  unauthenticated: { status: 401, type: 'epcisException:SecurityException' },
  forbidden: { status: 403, type: 'epcisException:SecurityException' },
  not_found: { status: 404, type: 'epcisException:NoSuchResourceException' },
  too_large: { status: 413, type: 'epcisException:CaptureLimitExceededException' },
  internal: { status: 500, type: 'epcisException:ImplementationException' },
};

/** Refusals the bindings type more precisely than their category. */
const EPCIS_CODE_EXCEPTIONS: Partial<Record<ErrorCode, { readonly status: number; readonly type: string }>> = {
  EPCIS_QUERY_PARAMETER_INVALID: { status: 400, type: 'epcisException:QueryParameterException' },
  EPCIS_PAGE_TOKEN_INVALID: { status: 400, type: 'epcisException:QueryParameterException' },
  EPCIS_QUERY_TOO_LARGE: { status: 413, type: 'epcisException:QueryTooLargeException' },
  EPCIS_VERSION_NOT_ACCEPTABLE: { status: 406, type: 'epcisException:NotAcceptableException' },
};

const EPCIS_PATH = /^\/epcis(\/|\?|$)/;

/** An RFC 9457 problem document for a refusal: the stable code, the message, the details flat. */
export function problemBody(error: SerialtraceError, instance?: string): { status: number; body: ProblemBody } {
  const category = ERROR_CODES[error.code].category;
  const epcis = instance !== undefined && EPCIS_PATH.test(instance) ? (EPCIS_CODE_EXCEPTIONS[error.code] ?? EPCIS_EXCEPTIONS[category]) : undefined;
  const status = epcis?.status ?? HTTP_STATUS[category];
  return {
    status,
    body: {
      type: epcis?.type ?? `urn:serialtrace:error:${error.code}`,
      title: title(error.code),
      status,
      detail: error.message,
      ...(instance === undefined ? {} : { instance }),
      code: error.code,
      ...error.details,
      ...(error.problems.length > 1 ? { problems: error.problems } : {}),
    },
  };
}

interface AjvError {
  readonly instancePath: string;
  readonly message?: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
}

/** Fastify's schema-validation failure as REQUEST_INVALID, with every problem and its field. */
export function validationError(errors: readonly AjvError[], context: string): SerialtraceError {
  const problems: Problem[] = errors.map((e) => {
    const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const missing = typeof e.params['missingProperty'] === 'string' ? e.params['missingProperty'] : undefined;
    const extra = typeof e.params['additionalProperty'] === 'string' ? e.params['additionalProperty'] : undefined;
    const field = [path, missing ?? extra].filter((p) => p !== undefined && p !== '').join('.') || context;
    const reason = extra !== undefined ? `unknown field "${extra}"` : `${field} ${e.message ?? 'is invalid'}`;
    return { code: 'REQUEST_INVALID', message: `The request is malformed: ${reason}`, severity: 'error', field, details: { reason, in: context } };
  });
  return SerialtraceError.fromProblems(problems);
}

export function asSerialtraceError(error: unknown): SerialtraceError | undefined {
  return isSerialtraceError(error) ? error : undefined;
}
