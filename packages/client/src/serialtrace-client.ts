import { ROUTES, type RouteName, type Routes, type RouteSpec, type Type } from '@serialtrace/api';
import { ERROR_CODES, SerialtraceError, textProblem, type ErrorCode, type ErrorDetails, type Problem } from '@serialtrace/core';

type Static<T> = T extends Type.TSchema ? Type.Static<T> : never;
type SpecPart<S, K extends keyof RouteSpec> = S extends { readonly [P in K]: infer T } ? Static<T> : never;

/** One part of a request: absent when the route has none, optional when all its fields are. */
type Part<K extends string, T> = [T] extends [never] ? unknown : object extends T ? { readonly [P in K]?: T } : { readonly [P in K]: T };

/**
 * What a call of route `N` sends, typed from its schemas in the API table: `params` fill the
 * `:name` parts of the path, `query` the query string, `body` the JSON body and `headers` the
 * route's documented headers (`serialtrace-station`, `idempotency-key`, ...).
 */
export type RouteInput<N extends RouteName> = Part<'params', SpecPart<Routes[N], 'params'>> &
  Part<'query', SpecPart<Routes[N], 'querystring'>> &
  Part<'body', SpecPart<Routes[N], 'body'>> &
  Part<'headers', SpecPart<Routes[N], 'headers'>> & {
    /** Cancels the request (a browser leaving the page, a CLI interrupted). */
    readonly signal?: AbortSignal;
  };

/** The success body of route `N`; `undefined` for routes that answer 204 No Content. */
export type RouteResult<N extends RouteName> = Routes[N]['status'] extends 204 ? undefined : Static<Routes[N]['response']>;

/** The input argument of `call` and `raw`: optional when the route needs nothing. */
export type RouteArgs<N extends RouteName> = object extends RouteInput<N> ? [input?: RouteInput<N>] : [input: RouteInput<N>];

/** The part of `fetch` the client uses; the global one by default. */
export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

export interface SerialtraceClientOptions {
  /**
   * Where the API is: `https://serialtrace.example.com`, or a path such as `''` or `/serialtrace`
   * in a browser page served by the same server. Route paths (`/api/v1/...`) are appended.
   */
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`; leave it out to rely on the session cookie. */
  readonly apiKey?: string;
  readonly fetch?: FetchFunction;
  /** Sent with every request (e.g. `x-request-id`); a call's own headers win. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The fetch `credentials` mode: `include` sends the session cookie to another origin. */
  readonly credentials?: 'omit' | 'same-origin' | 'include';
}

/** What path parameters and headers hold, as the API's schemas declare them. */
type Scalar = string | number | boolean | null | undefined;

/**
 * The text of an answer's header: the server sends text beyond ASCII (a template named
 * `Etikett-ラベル`) as an RFC 8187 value, `UTF-8''Etikett-%E3%83%A9...`.
 *
 * @example headerTextOf(response.headers.get('serialtrace-label-template'))
 */
export function headerTextOf(value: string | null): string | null {
  if (value === null) return null;
  const ext = /^UTF-8''(.*)$/i.exec(value);
  if (ext === null) return value;
  try {
    return decodeURIComponent(ext[1]!);
  } catch {
    return value;
  }
}

/**
 * A header value as the server reads it: printable ASCII as it is, any other text as an RFC 8187
 * extended value (`UTF-8''Gr%C3%BC%C3%9Fe`), since fetch cannot send other bytes in a header.
 * Text the server's policy refuses is refused here, by name, rather than as a network failure.
 */
function headerText(field: string, text: string): string {
  const reason = textProblem(text, 'line');
  if (reason !== undefined) throw new SerialtraceError('VALUE_INVALID', { field, reason });
  return /^[\x20-\x7e]*$/.test(text) ? text : `UTF-8''${encodeURIComponent(text).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/** Members of an RFC 9457 problem document that are not details of the refusal. */
const PROBLEM_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'instance', 'code', 'problems']);

/**
 * A problem document as the `SerialtraceError` the server threw: the same code, message, details
 * and problems, so a caller handles a refusal the same way in-process or over HTTP. A code this
 * client does not know (a newer server) becomes INTERNAL_ERROR but keeps the server's words.
 */
export function errorFromProblem(document: Readonly<Record<string, unknown>>): SerialtraceError {
  const code = typeof document['code'] === 'string' && Object.hasOwn(ERROR_CODES, document['code']) ? (document['code'] as ErrorCode) : 'INTERNAL_ERROR';
  const details = Object.fromEntries(Object.entries(document).filter(([key]) => !PROBLEM_MEMBERS.has(key)));
  const problems = Array.isArray(document['problems']) ? (document['problems'] as Problem[]) : [];
  const error = new SerialtraceError(code, details as ErrorDetails, problems);
  if (typeof document['detail'] === 'string') error.message = document['detail'];
  return error;
}

function isProblemDocument(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)['code'] === 'string';
}

/** Why fetch failed, in the words of the operating system when it gave any (ECONNREFUSED, ENOTFOUND). */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string' && cause.message !== '') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * The typed HTTP client of the serialtrace API, for Node.js and browsers alike. Every route of the
 * API table (`ROUTES` in @serialtrace/api) is one `call` by name, typed from the route's schemas;
 * a refusal throws the same `SerialtraceError` (code, message, details, problems) the service
 * threw on the server, and an unreachable server throws NOT_READY saying so.
 *
 * @example
 * const client = new SerialtraceClient({ baseUrl: 'http://127.0.0.1:8080', apiKey: process.env.SERIALTRACE_API_KEY });
 * const { serials } = await client.call('generate', {
 *   params: { name: 'Widgets' },
 *   body: { quantity: 3, workOrder: 'WO-12345' },
 *   headers: { 'serialtrace-station': 'ST-04', 'idempotency-key': 'WO-12345-1' },
 * });
 * try {
 *   await client.call('getSeries', { params: { name: 'Nope' } });
 * } catch (error) {
 *   if (isSerialtraceError(error) && error.code === 'SERIES_NOT_FOUND') ...
 * }
 * // Streams stay streams: the audit export as CSV.
 * const response = await client.raw('exportAudit', { query: { format: 'csv' } });
 */
export class SerialtraceClient {
  readonly baseUrl: string;
  readonly #apiKey: string | undefined;
  readonly #fetch: FetchFunction;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #credentials: 'omit' | 'same-origin' | 'include' | undefined;

  constructor(options: SerialtraceClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#apiKey = options.apiKey;
    // Called through a function of its own: a browser's fetch throws "Illegal invocation" when
    // called as a method of anything but the window.
    this.#fetch = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
    this.#headers = options.headers ?? {};
    this.#credentials = options.credentials;
  }

  /**
   * Calls route `name` and answers its success body, typed from the route's response schema
   * (`undefined` for 204). Throws `SerialtraceError` on any refusal.
   */
  async call<N extends RouteName>(name: N, ...args: RouteArgs<N>): Promise<RouteResult<N>> {
    const response = await this.raw(name, ...args);
    if (response.status === 204) return undefined as RouteResult<N>;
    const text = await response.text();
    try {
      return JSON.parse(text) as RouteResult<N>;
    } catch {
      throw new SerialtraceError('NOT_READY', { reason: `${this.#describe(name)} answered ${response.status} with a body that is not JSON` });
    }
  }

  /**
   * Calls route `name` and answers the `Response` itself, its body unread, for answers that are
   * streams rather than documents (the audit export). A refusal still throws `SerialtraceError`.
   */
  async raw<N extends RouteName>(name: N, ...args: RouteArgs<N>): Promise<Response> {
    const spec: RouteSpec = ROUTES[name];
    const input = (args[0] ?? {}) as { params?: object; query?: object; body?: unknown; headers?: object; signal?: AbortSignal };
    const url = `${this.baseUrl}${this.#path(spec.url, input.params)}${this.#query(input.query)}`;
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...this.#headers };
    if (this.#apiKey !== undefined && this.#apiKey !== '') headers['authorization'] = `Bearer ${this.#apiKey}`;
    for (const [key, value] of Object.entries(input.headers ?? {}) as [string, Scalar][]) {
      if (value === undefined || value === null) continue;
      headers[key.toLowerCase()] = headerText(key, String(value));
    }
    // A route with a body schema gets a JSON body even when every field is optional: the server
    // validates an absent body as `undefined`, which no object schema accepts.
    const sendsBody = spec.body !== undefined;
    if (sendsBody) headers['content-type'] = 'application/json';

    let response: Response;
    try {
      response = await this.#fetch(url, {
        method: spec.method,
        headers,
        ...(sendsBody ? { body: JSON.stringify(input.body ?? {}) } : {}),
        ...(this.#credentials === undefined ? {} : { credentials: this.#credentials }),
        ...(input.signal === undefined ? {} : { signal: input.signal }),
      });
    } catch (error) {
      if (input.signal?.aborted === true) throw error;
      throw new SerialtraceError('NOT_READY', { reason: `cannot reach ${this.baseUrl || 'the server'}: ${networkReason(error)}` });
    }
    if (response.ok) return response;
    throw await this.#refusal(name, response);
  }

  async #refusal(name: RouteName, response: Response): Promise<SerialtraceError> {
    const text = await response.text().catch(() => '');
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      document = undefined;
    }
    if (isProblemDocument(document)) return errorFromProblem(document);
    // Not a serialtrace answer at all: a proxy's error page, or --server pointing elsewhere.
    const type = response.headers.get('content-type') ?? 'no content type';
    return new SerialtraceError('NOT_READY', {
      reason: `${this.#describe(name)} answered ${response.status} ${response.statusText} (${type}) instead of a problem document; is this a serialtrace server?`.replace(/ {2}/g, ' '),
    });
  }

  #describe(name: RouteName): string {
    const spec: RouteSpec = ROUTES[name];
    return `${spec.method} ${this.baseUrl}${spec.url}`;
  }

  #path(template: string, params: object | undefined): string {
    const values = (params ?? {}) as Record<string, Scalar>;
    return template.replace(/:([A-Za-z0-9_]+)/g, (_, key: string) => {
      const value = values[key];
      if (value === undefined || value === null) throw new TypeError(`${template} needs the path parameter "${key}"`);
      const text = String(value);
      // URLs resolve these as "this folder" and "the folder above", encoded or not, so the
      // request would reach another route.
      if (text === '.' || text === '..') throw new SerialtraceError('VALUE_INVALID', { field: key, reason: `"${text}" cannot be sent in a URL path` });
      return encodeURIComponent(text);
    });
  }

  #query(query: object | undefined): string {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue;
      for (const item of Array.isArray(value) ? (value as unknown[]) : [value]) search.append(key, typeof item === 'object' ? JSON.stringify(item) : String(item as string | number | boolean));
    }
    const text = search.toString();
    return text === '' ? '' : `?${text}`;
  }
}
