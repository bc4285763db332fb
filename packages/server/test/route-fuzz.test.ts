import { ROUTES, type RouteSpec } from '@serialtrace/api';
import { ERROR_CODES } from '@serialtrace/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ENGINES, openApp, type Credentials, type TestApp } from './helper.js';

/**
 * Every route of the table, fuzzed from its own schemas: requests whose path parameters, query
 * strings, bodies and headers are derived from what the route declares, with hostile values in
 * every field (lone surrogates, NUL and other control characters, 10 KB strings, formula and
 * injection text, deep nesting, wrong types, huge numbers). No answer may be a 5xx; every refusal
 * is a problem document with a registered code; a refused request changes nothing; and what was
 * accepted leaves an audit trail that verifies. On both engines.
 */

interface Schema {
  readonly [key: string]: unknown;
}

const LONG = 'x'.repeat(10_000);
/** A body 5,000 levels deep, written out: no client's JSON.stringify gets there. */
const DEEP_BODY = `{"metadata":${'{"d":'.repeat(5000)}1${'}'.repeat(5000)}}`;
const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  'x \ud800',
  '\udfff',
  'nul\u0000byte',
  'tab\there',
  'line\nbreak',
  'esc\u001b[2J',
  'c1\u0085\u009b',
  '\u202eevil',
  '\ufffe',
  LONG,
  "' OR 1=1 --",
  '"; DROP TABLE records; --',
  '../../etc/passwd',
  '%00%ED%A0%80',
  '=HYPERLINK("http://evil","x")',
  '+cmd|\' /C calc\'!A0',
  '{YYYY}{SEQUENCE}',
  '<script>alert(1)</script>',
  '検査 👍',
  'Etikett-ラベル',
  '__proto__',
  'constructor',
  '9'.repeat(40),
  '-1',
  'null',
  'Widgets',
  'W-0001',
  'admin',
  'serial',
];
const HOSTILE_NUMBERS: readonly number[] = [0, -1, 1, 2 ** 31, 2 ** 53 + 1, -(2 ** 53), 1e308, 0.5, Number.MAX_SAFE_INTEGER, 10_001];

/** Any JSON value, nested up to 50 deep at times (deeper than any limit). */
const anyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom<unknown>(null, true, false, ...HOSTILE_NUMBERS, ...HOSTILE_STRINGS),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...HOSTILE_STRINGS.slice(0, 12), 'a', 'lot'), tie('value'), { maxKeys: 3 }),
  ),
})).value;
const deepJson = fc.integer({ min: 30, max: 60 }).map((depth) => {
  let value: unknown = 'deep';
  for (let i = 0; i < depth; i++) value = { d: value };
  return value;
});
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(fc.constantFrom<unknown>(...HOSTILE_STRINGS, ...HOSTILE_NUMBERS, null, true, [], {}), anyJson, deepJson);
const hostileText = fc.oneof(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }));

/** Values for a schema: mostly of its shape, with hostile ones mixed into every field. */
function arbitraryFor(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (schema === undefined || depth > 6) return hostileValue;
  const branches = (schema['anyOf'] ?? schema['oneOf']) as Schema[] | undefined;
  if (branches !== undefined) return fc.oneof(...branches.map((b) => arbitraryFor(b, depth + 1)), hostileValue);
  if (Array.isArray(schema['enum'])) return fc.oneof(fc.constantFrom(...(schema['enum'] as unknown[])), hostileValue);
  if ('const' in schema) return fc.oneof(fc.constant(schema['const']), hostileValue);
  switch (schema['type']) {
    case 'string':
      return fc.oneof(
        { weight: 3, arbitrary: hostileText },
        { weight: 1, arbitrary: schema['format'] === 'date-time' ? fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) : fc.string({ maxLength: 12 }) },
        { weight: 1, arbitrary: hostileValue },
      );
    case 'integer':
    case 'number':
      return fc.oneof(fc.constantFrom(...HOSTILE_NUMBERS), fc.integer(), hostileValue);
    case 'boolean':
      return fc.oneof(fc.boolean(), hostileValue);
    case 'null':
      return fc.oneof(fc.constant(null), hostileValue);
    case 'array':
      return fc.oneof(fc.array(arbitraryFor(schema['items'] as Schema | undefined, depth + 1), { maxLength: 4 }), hostileValue);
    case 'object': {
      const properties = (schema['properties'] ?? {}) as Record<string, Schema>;
      const required = new Set((schema['required'] ?? []) as string[]);
      const fields = Object.fromEntries(
        Object.entries(properties).map(([key, child]) => [key, required.has(key) ? arbitraryFor(child, depth + 1) : fc.option(arbitraryFor(child, depth + 1), { nil: undefined })]),
      );
      return fc.oneof(
        { weight: 4, arbitrary: fc.record(fields).map((value) => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined))) },
        { weight: 1, arbitrary: fc.tuple(fc.record(fields), fc.constantFrom(...HOSTILE_STRINGS.slice(0, 14)), hostileValue).map(([value, key, extra]) => ({ ...value, [key]: extra })) },
        { weight: 1, arbitrary: hostileValue },
      );
    }
    default:
      return hostileValue;
  }
}

/** Path parameters that name what exists, so that requests reach past the lookup half the time. */
const EXISTING: Readonly<Record<string, readonly string[]>> = {
  name: ['Widgets', 'serial', 'gs1-product'],
  serial: ['W-0001', 'W-0002'],
  workOrder: ['WO-1'],
  username: ['admin', 'fuzz-viewer'],
  id: ['1', '2'],
};

/** A request for one route: path parameters, query, body and where-headers from its schemas. */
function requestFor(spec: RouteSpec) {
  const params = Object.keys(((spec.params as Schema | undefined)?.['properties'] ?? {}));
  return fc.record({
    params: fc.tuple(...params.map((param) => (EXISTING[param] === undefined ? hostileText : fc.oneof(fc.constantFrom(...EXISTING[param]), hostileText)))),
    query: spec.querystring === undefined ? fc.constant(undefined) : fc.option(arbitraryFor(spec.querystring as unknown as Schema), { nil: undefined }),
    body: spec.body === undefined ? fc.constant(undefined) : arbitraryFor(spec.body as unknown as Schema),
    // Now and then a body no schema describes: broken JSON, an escaped lone surrogate, 3,000 levels deep.
    rawBody: fc.oneof(
      { weight: 9, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constantFrom('{"a":', '[[[[', '{"reason":"x \\ud800","status":"voided"}', 'null', '"text"', DEEP_BODY) },
    ),
    headers: fc.dictionary(
      fc.constantFrom('serialtrace-station', 'serialtrace-line', 'serialtrace-plant', 'serialtrace-reason', 'idempotency-key', 'x-request-id'),
      fc.oneof(hostileText, fc.constantFrom("UTF-8''%ED%A0%80", "UTF-8''Gr%C3%BC%C3%9Fe", 'ST-1')),
      { maxKeys: 3 },
    ),
  });
}

/** Latin-1 text only reaches a server as bytes: what a client can put in a header. */
function asHeaderValue(text: string): string | undefined {
   
  const latin1 = text.replace(/[^\u0000-\u00ff]/g, '?');
  return /[\r\n\u0000]/.test(latin1) ? undefined : latin1;
}

function queryString(query: unknown): string {
  if (query === null || typeof query !== 'object' || Array.isArray(query)) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    const text = typeof value === 'string' ? value : JSON.stringify(value) ?? '';
    // Lone surrogates cannot be percent-encoded; send their UTF-8-looking bytes raw, as a careless client would.
    const encode = (s: string) => {
      try {
        return encodeURIComponent(s);
      } catch {
        return '%ED%A0%80';
      }
    };
    parts.push(`${encode(key)}=${encode(text)}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

function pathOf(spec: RouteSpec, values: readonly string[]): string {
  let i = 0;
  return spec.url.replace(/:([A-Za-z0-9_]+)/g, () => {
    const value = values[i++] ?? '';
    try {
      return encodeURIComponent(value) || '%20';
    } catch {
      return '%ED%A0%80';
    }
  });
}

/** The values every field is swept with, one at a time (the fast-check runs mix them at random). */
const SWEEP_STRINGS: readonly string[] = ['x \ud800', 'nul\u0000byte', 'c1\u0085\u009b', 'tab\there', 'line\nbreak', LONG, '=HYPERLINK("http://evil","x")', '\u202eevil'];
const SWEEP_VALUES: readonly unknown[] = [...SWEEP_STRINGS, -1, 2 ** 53 + 1, 1e308, null, [], {}, JSON.parse(`${'{"d":'.repeat(40)}1${'}'.repeat(40)}`) as unknown];

/** A plain valid-looking value for a field, by its schema and name, so a sweep reaches past the other fields. */
const PLAIN: Readonly<Record<string, unknown>> = { name: 'Fuzz', format: 'F-{####}', status: 'voided', quantity: 1, username: 'fuzz-user', password: 'Fuzz-password-1234', role: 'viewer', text: '(01)09520123456788', digits: '952012345678', source: 'function main() { return 1 }' };

function plainFor(key: string, schema: Schema | undefined): unknown {
  if (schema === undefined) return PLAIN[key] ?? 'fuzz';
  if (Array.isArray(schema['enum'])) return (schema['enum'] as unknown[])[0];
  const branches = (schema['anyOf'] ?? schema['oneOf']) as Schema[] | undefined;
  if (branches !== undefined) return plainFor(key, branches[0]);
  switch (schema['type']) {
    case 'integer':
    case 'number':
      return PLAIN[key] ?? 1;
    case 'boolean':
      return false;
    case 'object':
      return {};
    case 'array':
      return [];
    default:
      return PLAIN[key] ?? 'fuzz';
  }
}

interface SweptRequest {
  readonly params: readonly string[];
  readonly query: Record<string, unknown> | undefined;
  readonly body: unknown;
  readonly headers: Record<string, string>;
}

/**
 * Every field of a route with every sweep value, the others plain: path parameters, query
 * parameters, top-level body fields (and one level into metadata-like objects), and the headers.
 */
function sweep(spec: RouteSpec): SweptRequest[] {
  const params = Object.keys(((spec.params as Schema | undefined)?.['properties'] ?? {}));
  const baseParams = params.map((p) => EXISTING[p]?.[0] ?? 'fuzz');
  const bodySchema = spec.body as unknown as Schema | undefined;
  const bodyProps = (bodySchema?.['properties'] ?? {}) as Record<string, Schema>;
  const required = new Set((bodySchema?.['required'] ?? []) as string[]);
  const baseBody = bodySchema === undefined ? undefined : Object.fromEntries([...required].map((k) => [k, plainFor(k, bodyProps[k])]));
  const queryProps = Object.keys(((spec.querystring as Schema | undefined)?.['properties'] ?? {}));
  const out: SweptRequest[] = [];
  const base = { params: baseParams, query: undefined, body: baseBody, headers: {} };
  for (const value of SWEEP_VALUES) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    params.forEach((_, i) => out.push({ ...base, params: baseParams.map((p, j) => (i === j ? text : p)) }));
    for (const key of queryProps) out.push({ ...base, query: { [key]: text } });
    if (typeof value === 'string') {
      for (const header of ['serialtrace-station', 'serialtrace-reason', 'idempotency-key']) {
        const sent = asHeaderValue(value);
        if (sent !== undefined) out.push({ ...base, headers: { [header]: sent } });
      }
    }
  }
  // Body fields: text fields with every hostile text and a wrong type, free objects with hostile
  // keys and values inside, numbers with hostile numbers.
  for (const [key, schema] of Object.entries(bodyProps)) {
    const type = schema['type'] ?? ((schema['anyOf'] as Schema[] | undefined)?.[0]?.['type']);
    const values: readonly unknown[] =
      type === 'string'
        ? [...SWEEP_STRINGS, -1, {}]
        : type === 'integer' || type === 'number'
          ? [-1, 2 ** 53 + 1, 1e308, 'x \ud800', null]
          : SWEEP_VALUES.flatMap((value) => [value, { note: value, [(typeof value === 'string' ? value : 'k').slice(0, 20)]: 1 }]);
    for (const value of values) out.push({ ...base, body: { ...baseBody, [key]: value } });
  }
  out.push({ ...base, body: undefined });
  return out;
}

/** Refusals that are recorded on purpose: a failed script run is kept with its error. */
const RECORDED_REFUSALS = new Set(['runScript']);

/**
 * Everything a write could change, in one query on either engine: row counts of every table, the
 * newest change of every table that keeps one, revocations, releases and the audit heads. A
 * refused request must leave it as it was.
 */
const FINGERPRINT = `SELECT ${[
  ...['companies', 'series', 'series_versions', 'counters', 'records', 'record_history', 'journal', 'idempotency_keys', 'users', 'sessions', 'api_keys', 'label_templates', 'scripts', 'script_versions', 'script_runs', 'counter_leases'].map(
    (table) => `(SELECT COUNT(*) FROM ${table})`,
  ),
  ...['series', 'counters', 'records', 'users', 'label_templates', 'scripts'].map((table) => `(SELECT MAX(updated_at) FROM ${table})`),
  `(SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NOT NULL)`,
  `(SELECT COUNT(*) FROM counter_leases WHERE released_at IS NOT NULL)`,
  `(SELECT MAX(chain_hash) FROM companies)`,
  `(SELECT SUM(label_prints) FROM records)`,
].join(" || ',' || ")} AS state`;

describe.each(APP_ENGINES)('every route, fuzzed from its schemas, on %s', (engine) => {
  let t: TestApp;
  let operator: Credentials;
  /** An admin's API key: a fuzzed logout or password change cannot end it, unlike the system administrator's session. */
  let adminKey: Credentials;
  let requests = 0;
  beforeAll(async () => {
    t = await openApp({ engine });
    operator = await t.key('operator');
    adminKey = await t.key('admin');
    expect((await t.call('POST', '/api/v1/series', { as: t.admin, body: { name: 'Widgets', format: 'W-{####}' } })).status).toBe(201);
    expect((await t.call('POST', '/api/v1/series/Widgets/serials', { as: operator, body: { quantity: 5, workOrder: 'WO-1' } })).status).toBe(201);
    expect((await t.call('PUT', '/api/v1/scripts/serial', { as: t.admin, body: { source: 'function main(c) { return c; }' } })).status).toBe(200);
    await t.user('viewer', { username: 'fuzz-viewer' });
  });
  afterAll(async () => {
    console.log(`route fuzzing on ${engine}: ${requests} generated requests over ${Object.keys(ROUTES).length} routes`);
    await t.close();
  });

  const state = async () => (await t.query<{ state: string }>(FINGERPRINT))[0]!.state;

  for (const [name, spec] of Object.entries(ROUTES) as [string, RouteSpec][]) {
    it(`${name}: ${spec.method} ${spec.url}`, async () => {
      await fc.assert(
        fc.asyncProperty(requestFor(spec), fc.constantFrom('system admin', 'admin', 'admin', 'operator', 'nobody'), async (request, who) => {
          const headers: Record<string, string> = {};
          for (const [key, value] of Object.entries(request.headers)) {
            const header = asHeaderValue(value);
            if (header !== undefined) headers[key] = header;
          }
          const as = who === 'system admin' ? t.admin : who === 'admin' ? adminKey : who === 'operator' ? operator : undefined;
          await send(name, spec, { params: request.params, query: request.query as Record<string, unknown> | undefined, body: request.body, headers, rawBody: request.rawBody }, as);
        }),
        { numRuns: engine === 'sqlite' ? 60 : 25, seed: 20261207 },
      );
    });
  }

  async function send(name: string, spec: RouteSpec, request: SweptRequest & { rawBody?: string | undefined }, as: Credentials | undefined): Promise<void> {
    requests += 1;
    const before = await state();
    const body = request.rawBody ?? (spec.body === undefined || request.body === undefined ? undefined : JSON.stringify(request.body ?? null));
    const answer = await t.app.inject({
      method: spec.method,
      url: `${pathOf(spec, request.params)}${queryString(request.query)}`,
      headers: { ...as?.headers, ...request.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { payload: body }),
    });
    expect(answer.statusCode, `${spec.method} ${spec.url} answered ${answer.statusCode}: ${answer.body.slice(0, 500)}`).toBeLessThan(500);
    if (answer.statusCode >= 400) {
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
      const problem = JSON.parse(answer.body) as { code: string };
      expect(Object.keys(ERROR_CODES)).toContain(problem.code);
      if (!RECORDED_REFUSALS.has(name) || !problem.code.startsWith('SCRIPT_')) {
        expect(await state(), `${name} refused with ${problem.code} yet changed something`).toBe(before);
      }
    }
  }

  for (const [name, spec] of Object.entries(ROUTES) as [string, RouteSpec][]) {
    // Creating and previewing series validates each format over 33 years of days: those sweeps take seconds.
    it(`${name}: every field with every sweep value, and a body 5,000 levels deep`, { timeout: 120_000 }, async () => {
      for (const request of sweep(spec)) await send(name, spec, request, adminKey);
      if (spec.body !== undefined) await send(name, spec, { ...sweep(spec).at(-1)!, rawBody: DEEP_BODY }, adminKey);
    });
  }

  // Declared after the routes' tests, so it runs last: whatever was accepted was stored as hashed.
  it('leaves an audit trail that still verifies, records and history included', async () => {
    expect(requests).toBeGreaterThan(1000);
    const verified = (await t.call('GET', '/api/v1/audit/verify', { as: await t.key('auditor') })).json;
    expect(verified.problems).toEqual([]);
    expect(verified.valid).toBe(true);
  });
});
