import { checkJsonText, checkText, problem, SerialtraceError, type Problem, type TextKind } from '@serialtrace/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * The text policy at the HTTP door: every string of a request (JSON body, query string, path
 * parameters, the headers a route reads) is checked against core's policy before validation and
 * before any handler, and every problem is reported at once as VALUE_INVALID with its field.
 * Nothing a handler sees can carry a lone surrogate, NUL or a stray control character.
 */

/** Marks query fields whose percent-encoding was not UTF-8 (a non-enumerable member, ignored by validation). */
const UNDECODABLE = Symbol('undecodable query fields');

type ParsedQuery = Record<string, string | string[]> & { [UNDECODABLE]?: string[] };

/**
 * Reads a query string as `querystring.parse` does (repeated keys become arrays, `+` is a space),
 * but strictly: a percent-encoding that is not UTF-8 (`%FF`, an encoded surrogate `%ED%A0%80`) is
 * not quietly turned into replacement characters; the field is marked and refused afterwards.
 */
export function parseQueryStrictly(text: string): ParsedQuery {
  const query = Object.create(null) as ParsedQuery;
  if (text.length === 0) return query;
  const undecodable: string[] = [];
  const decode = (part: string): string | undefined => {
    const spaced = part.replace(/\+/g, ' ');
    try {
      return decodeURIComponent(spaced);
    } catch {
      return undefined;
    }
  };
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    const rawKey = at === -1 ? pair : pair.slice(0, at);
    const rawValue = at === -1 ? '' : pair.slice(at + 1);
    const key = decode(rawKey);
    if (key === undefined) {
      undecodable.push(rawKey);
      continue;
    }
    const value = decode(rawValue);
    if (value === undefined) {
      undecodable.push(key);
      continue;
    }
    const existing = query[key];
    query[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  if (undecodable.length > 0) Object.defineProperty(query, UNDECODABLE, { value: undecodable, enumerable: false });
  return query;
}

const EXT_VALUE = /^UTF-8''(.*)$/i;
const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A request header's text. Node hands header bytes over as latin1 characters; they are read as
 * UTF-8 (what curl and most clients send), or as an RFC 8187 extended value `UTF-8''%E2%9C%93`
 * (what a browser or fetch must send, since they cannot put other bytes in a header). Bytes that
 * are not UTF-8 are refused rather than guessed at.
 *
 * @example decodeHeaderText("UTF-8''Gr%C3%BC%C3%9Fe") // { text: 'Grüße' }
 */
export function decodeHeaderText(value: string): { text: string } | { problem: string } {
  const ext = EXT_VALUE.exec(value);
  if (ext !== null) {
    try {
      return { text: decodeURIComponent(ext[1]!) };
    } catch {
      return { problem: "its UTF-8'' value is not percent-encoded UTF-8" };
    }
  }
  if (!/[^\u0000-\u007f]/.test(value)) return { text: value };
  try {
    return { text: fatalUtf8.decode(Buffer.from(value, 'latin1')) };
  } catch {
    return { problem: "its bytes are not UTF-8 (send UTF-8, or an RFC 8187 value such as UTF-8''Gr%C3%BC%C3%9Fe)" };
  }
}

/**
 * A response header value for any text: ASCII as it is, anything else as an RFC 8187 extended
 * value, so a name such as `Etikett-ラベル` can never make the answer fail after the work is done.
 *
 * @example encodeHeaderText('Etikett-ラベル') // "UTF-8''Etikett-%E3%83%A9%E3%83%99%E3%83%AB"
 */
export function encodeHeaderText(text: string): string {
  return /^[\u0020-\u007e]*$/.test(text) ? text : `UTF-8''${encodeRfc8187(text)}`;
}

/** `attachment; filename="..."; filename*=UTF-8''...` for a download of any name (RFC 6266, RFC 8187). */
export function attachmentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^A-Za-z0-9._-]+/g, '_');
  return fallback === fileName ? `attachment; filename="${fileName}"` : `attachment; filename="${fallback}"; filename*=UTF-8''${encodeRfc8187(fileName)}`;
}

function encodeRfc8187(text: string): string {
  // attr-char of RFC 8187: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
  return encodeURIComponent(text).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Headers whose text the routes read besides those their schemas declare. */
const ALWAYS_CHECKED = ['serialtrace-station', 'serialtrace-line', 'serialtrace-plant', 'serialtrace-reason', 'idempotency-key'];

interface SchemaNode {
  readonly [key: string]: unknown;
}

/** Which kind of text a value at `path` under `schema` is: the innermost `x-text` on the way down, else one line. */
function kindAt(schema: unknown, path: readonly (string | number)[]): TextKind {
  let kind: TextKind = 'line';
  let nodes: SchemaNode[] = schema !== null && typeof schema === 'object' ? [schema as SchemaNode] : [];
  const note = (list: readonly SchemaNode[]) => {
    for (const node of list) {
      const mark = node['x-text'];
      if (mark === 'multiline' || mark === 'gs1') kind = mark;
    }
  };
  const expand = (list: readonly SchemaNode[]): SchemaNode[] =>
    list.flatMap((node) => {
      const branches = [node['anyOf'], node['oneOf'], node['allOf']].flatMap((b) => (Array.isArray(b) ? (b as SchemaNode[]) : []));
      return branches.length === 0 ? [node] : [node, ...expand(branches)];
    });
  nodes = expand(nodes);
  note(nodes);
  for (const step of path) {
    const next: SchemaNode[] = [];
    for (const node of nodes) {
      const child =
        typeof step === 'number'
          ? node['items']
          : ((node['properties'] as Record<string, unknown> | undefined)?.[step] ??
            Object.values((node['patternProperties'] as Record<string, unknown> | undefined) ?? {})[0] ??
            node['additionalProperties']);
      if (child !== null && typeof child === 'object') next.push(child as SchemaNode);
    }
    nodes = expand(next);
    note(nodes);
  }
  return kind;
}

/** Every problem of a request's text; header values are replaced by their decoded text. */
export function requestTextProblems(request: FastifyRequest): Problem[] {
  const problems: Problem[] = [];
  const schema = request.routeOptions.schema ?? {};
  const query = request.query as ParsedQuery | undefined;
  for (const field of query?.[UNDECODABLE] ?? []) {
    problems.push(problem('VALUE_INVALID', { field, reason: 'it is not percent-encoded UTF-8' }));
  }
  if (query !== undefined && query !== null) checkJsonText(query, (path) => kindAt(schema.querystring, path), problems);
  if (request.params !== undefined && request.params !== null) checkJsonText(request.params, (path) => kindAt(schema.params, path), problems);
  const declared = Object.keys(((schema.headers as SchemaNode | undefined)?.['properties'] as Record<string, unknown> | undefined) ?? {});
  for (const name of new Set([...ALWAYS_CHECKED, ...declared])) {
    const value = request.headers[name];
    if (typeof value !== 'string') continue;
    const decoded = decodeHeaderText(value);
    if ('problem' in decoded) {
      problems.push(problem('VALUE_INVALID', { field: name, reason: decoded.problem }));
      continue;
    }
    if (checkText(decoded.text, kindAt(schema.headers, [name]), name, problems)) request.headers[name] = decoded.text;
  }
  if (request.body !== undefined) checkJsonText(request.body, (path) => kindAt(schema.body, path), problems);
  return problems;
}

/** Checks every request's text before it is validated; registered once, for every route. */
export function registerTextPolicy(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const problems = requestTextProblems(request);
    if (problems.length > 0) throw SerialtraceError.fromProblems(problems);
  });
}
