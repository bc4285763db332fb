import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectProblem, openApp, type Credentials, type TestApp } from './helper.js';

/** Every refusal is an application/problem+json document with a stable code; a 5xx shows nothing inside. */

let t: TestApp;
let operator: Credentials;
beforeAll(async () => {
  t = await openApp();
  operator = await t.key('operator');
  expect((await t.call('POST', '/api/v1/series', { as: t.admin, body: { name: 'Widgets', format: 'W-{####}' } })).status).toBe(201);
  expect((await t.call('POST', '/api/v1/series', { as: t.admin, body: { name: 'Tiny', format: 'T{#}', minLength: 1 } })).status).toBe(201);
});
afterAll(async () => {
  await t.close();
});

describe('400 REQUEST_INVALID: the request does not have the documented shape', () => {
  it('lists every schema problem of a body at once, each with its field', async () => {
    const answer = await t.call('POST', '/api/v1/series', { as: t.admin, body: { name: { text: 'W' }, global: 'maybe', minLength: 'long', bogus: 1 } });
    const problem = expectProblem(answer, 400, 'REQUEST_INVALID');
    const fields = (problem.problems as { field: string; code: string }[]).map((p) => p.field).sort();
    // The format is no field of the schema's to require: an SSCC series derives it (the service refuses its absence otherwise).
    expect(fields).toEqual(['bogus', 'global', 'minLength', 'name']);
    expect(problem.problems.every((p: { code: string; details: { in: string } }) => p.code === 'REQUEST_INVALID' && p.details.in === 'body')).toBe(true);
    expect(problem.problems.find((p: { field: string }) => p.field === 'bogus').message).toContain('unknown field "bogus"');
    expect(problem.detail).toContain('(and 3 more problems)');
  });

  it('takes JSON types as sent: a number as text is refused in a body, while the query string is read as text', async () => {
    const problem = expectProblem(await t.call('POST', '/api/v1/series/Widgets/serials', { as: operator, body: { quantity: '5' } }), 400, 'REQUEST_INVALID');
    expect(problem).toMatchObject({ field: 'quantity', in: 'body' });
    expectProblem(await t.call('POST', '/api/v1/series', { as: t.admin, body: { name: 3, format: 'N{####}' } }), 400, 'REQUEST_INVALID');
    expect((await t.call('GET', '/api/v1/records?limit=2', { as: t.admin })).status).toBe(200);
  });

  it('refuses an unknown field alone', async () => {
    const problem = expectProblem(await t.call('POST', '/api/v1/series/Widgets/serials', { as: operator, body: { quantity: 1, colour: 'red' } }), 400, 'REQUEST_INVALID');
    expect(problem).toMatchObject({ field: 'colour', in: 'body' });
  });

  it('refuses a wrong type in the query string and an unknown query parameter', async () => {
    expect(expectProblem(await t.call('GET', '/api/v1/records?limit=many', { as: t.admin }), 400, 'REQUEST_INVALID')).toMatchObject({ field: 'limit', in: 'querystring' });
    expect(expectProblem(await t.call('GET', '/api/v1/records?colour=red', { as: t.admin }), 400, 'REQUEST_INVALID')).toMatchObject({ field: 'colour' });
    expectProblem(await t.call('GET', '/api/v1/audit/export?format=xml', { as: t.admin }), 400, 'REQUEST_INVALID');
  });

  it('refuses an audit header that is too long', async () => {
    const answer = await t.call('POST', '/api/v1/series/Widgets/serials', { as: operator, body: {}, headers: { 'serialtrace-station': 'S'.repeat(101) } });
    expect(expectProblem(answer, 400, 'REQUEST_INVALID')).toMatchObject({ in: 'headers' });
  });

  it('refuses a body that is not JSON: text/plain (what a cross-site form sends), a form, broken JSON', async () => {
    const text = await t.call('POST', '/api/v1/series', { as: t.admin, body: 'name=W', headers: { 'content-type': 'text/plain' } });
    expect([400, 415]).toContain(text.status);
    expectProblem(text, text.status, 'REQUEST_INVALID');
    const form = await t.call('POST', '/api/v1/series', { as: t.admin, body: 'name=W&format=A', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expectProblem(form, form.status, 'REQUEST_INVALID');
    expect([400, 415]).toContain(form.status);
    const broken = await t.call('POST', '/api/v1/series', { as: t.admin, body: '{"name": ', headers: { 'content-type': 'application/json' } });
    expectProblem(broken, 400, 'REQUEST_INVALID');
    expect((await t.call('GET', '/api/v1/series', { as: t.admin })).json.series).toHaveLength(2);
  });
});

describe('422: the request is well formed but the domain refuses it', () => {
  it('QUANTITY_OUT_OF_RANGE names the field and the range, and consumes nothing', async () => {
    for (const quantity of [0, 10_001]) {
      const problem = expectProblem(await t.call('POST', '/api/v1/series/Widgets/serials', { as: operator, body: { quantity } }), 422, 'QUANTITY_OUT_OF_RANGE');
      expect(problem).toMatchObject({ field: 'quantity', min: 1, max: 10_000, value: String(quantity) });
    }
    expect((await t.call('GET', '/api/v1/series/Widgets/capacity', { as: operator })).json.value).toBe('0');
  });

  it('FORMAT_TOKEN_UNKNOWN gives the field, the position and a suggestion; several problems are listed together', async () => {
    const one = expectProblem(await t.call('POST', '/api/v1/series', { as: t.admin, body: { name: 'Bad', format: 'SN-{YYY}-{####}' } }), 422, 'FORMAT_TOKEN_UNKNOWN');
    expect(one).toMatchObject({ field: 'format', position: 3, token: '{YYY}', suggestion: '{YYYY}' });
    const many = expectProblem(
      await t.call('POST', '/api/v1/series', { as: t.admin, body: { name: 'Bad', format: 'SN-{YYY}-{####}', timeZone: 'Mars/Olympus', base: 'base7' } }),
      422,
      'FORMAT_TOKEN_UNKNOWN',
    );
    expect(many.problems.map((p: { code: string }) => p.code)).toEqual(expect.arrayContaining(['FORMAT_TOKEN_UNKNOWN', 'TIME_ZONE_UNKNOWN', 'VALUE_INVALID']));
  });

  it('a status that does not exist is STATUS_UNKNOWN', async () => {
    const { json } = await t.call('POST', '/api/v1/series/Widgets/serials', { as: operator, body: {} });
    expectProblem(await t.call('POST', `/api/v1/records/${json.serials[0]}/status`, { as: operator, body: { status: 'lost' } }), 422, 'STATUS_UNKNOWN');
  });
});

describe('404: the thing named does not exist', () => {
  it('SERIES_NOT_FOUND, RECORD_NOT_FOUND, USER_NOT_FOUND, API_KEY_NOT_FOUND, ROUTE_NOT_FOUND', async () => {
    expect(expectProblem(await t.call('GET', '/api/v1/series/Nope', { as: t.admin }), 404, 'SERIES_NOT_FOUND')).toMatchObject({ series: 'Nope' });
    expectProblem(await t.call('POST', '/api/v1/series/Nope/serials', { as: operator, body: {} }), 404, 'SERIES_NOT_FOUND');
    expect(expectProblem(await t.call('GET', '/api/v1/records/W-9999', { as: t.admin }), 404, 'RECORD_NOT_FOUND')).toMatchObject({ serial: 'W-9999' });
    expectProblem(await t.call('POST', '/api/v1/records/W-9999/status', { as: operator, body: { status: 'printed' } }), 404, 'RECORD_NOT_FOUND');
    expectProblem(await t.call('PATCH', '/api/v1/users/nobody', { as: t.admin, body: { disabled: true } }), 404, 'USER_NOT_FOUND');
    expectProblem(await t.call('DELETE', '/api/v1/api-keys/0123456789ab', { as: t.admin }), 404, 'API_KEY_NOT_FOUND');
    const route = expectProblem(await t.call('GET', '/api/v1/widgets?x=1', { as: t.admin }), 404, 'ROUTE_NOT_FOUND');
    expect(route).toMatchObject({ method: 'GET', url: '/api/v1/widgets' });
    expectProblem(await t.call('PUT', '/api/v1/series', { as: t.admin, body: {} }), 404, 'ROUTE_NOT_FOUND');
  });
});

describe('409: the request clashes with what exists', () => {
  it('SERIES_NAME_TAKEN', async () => {
    expect(expectProblem(await t.call('POST', '/api/v1/series', { as: t.admin, body: { name: 'Widgets', format: 'X{####}' } }), 409, 'SERIES_NAME_TAKEN')).toMatchObject({
      field: 'name',
      series: 'Widgets',
    });
  });

  it('IDEMPOTENCY_KEY_REUSED for another request under a used key', async () => {
    const headers = { 'idempotency-key': 'problems-1' };
    expect((await t.call('POST', '/api/v1/series/Widgets/serials', { as: operator, body: { quantity: 2 }, headers })).status).toBe(201);
    const problem = expectProblem(await t.call('POST', '/api/v1/series/Widgets/serials', { as: operator, body: { quantity: 3 }, headers }), 409, 'IDEMPOTENCY_KEY_REUSED');
    expect(problem).toMatchObject({ key: 'problems-1' });
  });

  it('STATUS_TRANSITION_INVALID', async () => {
    const { json } = await t.call('POST', '/api/v1/series/Widgets/serials', { as: operator, body: {} });
    const serial = json.serials[0] as string;
    expect((await t.call('POST', `/api/v1/records/${serial}/status`, { as: operator, body: { status: 'completed' } })).status).toBe(200);
    const problem = expectProblem(await t.call('POST', `/api/v1/records/${serial}/status`, { as: operator, body: { status: 'printed' } }), 409, 'STATUS_TRANSITION_INVALID');
    expect(problem).toMatchObject({ from: 'completed', to: 'printed' });
  });

  it('SERIES_EXHAUSTED refuses the whole request and consumes nothing', async () => {
    const problem = expectProblem(await t.call('POST', '/api/v1/series/Tiny/serials', { as: operator, body: { quantity: 50 } }), 409, 'SERIES_EXHAUSTED');
    expect(problem).toMatchObject({ series: 'Tiny', requested: 50 });
    expect((await t.call('GET', '/api/v1/series/Tiny/capacity', { as: operator })).json.value).toBe('0');
  });
});

describe('413, 429, 500 and 503', () => {
  it('413 PAYLOAD_TOO_LARGE above the configured body limit', async () => {
    const small = await t.variant({ config: { bodyLimitBytes: 1024 } });
    const answer = await small.call('POST', '/api/v1/series', { as: t.admin, body: { name: 'Big', format: 'B{####}', description: 'x'.repeat(1500) } });
    expect(expectProblem(answer, 413, 'PAYLOAD_TOO_LARGE')).toMatchObject({ limit: 1024 });
    expect((await small.call('POST', '/api/v1/series', { as: t.admin, body: { name: 'Big', format: 'B{####}' } })).status).toBe(201);
  });

  it('429 RATE_LIMITED with Retry-After, counted per API key', async () => {
    const limited = await t.variant({ config: { rateLimitPerMinute: 3 } });
    const first = await t.key('viewer');
    const second = await t.key('viewer');
    for (let i = 0; i < 3; i++) expect((await limited.call('GET', '/api/v1/series', { as: first })).status).toBe(200);
    const answer = await limited.call('GET', '/api/v1/series', { as: first });
    const problem = expectProblem(answer, 429, 'RATE_LIMITED');
    expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    expect(problem.retryAfterSeconds).toBe(Number(answer.headers['retry-after']));
    expect((await limited.call('GET', '/api/v1/series', { as: second })).status).toBe(200);
  });

  it('500 INTERNAL_ERROR for a fault, with neither its message nor its stack; the log keeps both', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter((l) => l !== ''));
        done();
      },
    });
    const faulty = await t.variant({ logger: { level: 'error', stream }, ownStore: true });
    {
      const spy = vi.spyOn(faulty.services.series, 'list').mockRejectedValue(new Error('SQLITE_CORRUPT at /srv/secret/path.db'));
      const answer = await faulty.call('GET', '/api/v1/series', { as: t.admin, headers: { 'x-request-id': 'fault-1' } });
      const problem = expectProblem(answer, 500, 'INTERNAL_ERROR');
      expect(Object.keys(problem).sort()).toEqual(['code', 'detail', 'instance', 'status', 'title', 'type']);
      expect(answer.body).not.toMatch(/SQLITE|secret|\.db|\.ts|at /);
      spy.mockRestore();
      const logged = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request failed');
      expect(logged).toMatchObject({ reqId: 'fault-1', err: { message: 'SQLITE_CORRUPT at /srv/secret/path.db' } });

      // The store itself closed under the running app.
      await faulty.services.store.close();
      const closed = await faulty.call('GET', '/api/v1/series', { as: t.admin });
      expectProblem(closed, 500, 'INTERNAL_ERROR');
      expect(closed.body).not.toContain('closed');
      const ready = await faulty.call('GET', '/ready');
      expectProblem(ready, 503, 'NOT_READY');
      expect(ready.body).not.toContain('store is closed');
      expect(lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'readiness check failed')).toMatchObject({
        err: { code: 'STORE_UNAVAILABLE', message: expect.stringContaining('the store is closed') },
      });
    }
  });

  it('503 NOT_READY from /ready once shutdown has begun, while /health still answers', async () => {
    let shuttingDown = false;
    const draining = await t.variant({ shuttingDown: () => shuttingDown });
    expect((await draining.call('GET', '/ready')).json).toEqual({ status: 'ready' });
    shuttingDown = true;
    expect(expectProblem(await draining.call('GET', '/ready'), 503, 'NOT_READY').detail).toContain('shutting down');
    expect((await draining.call('GET', '/health')).json).toEqual({ status: 'ok' });
  });
});

describe('answers outside the routes are problem documents too, and every answer says how to keep it', () => {
  it('414 URL_TOO_LONG for a 10 KB path parameter, without echoing the URL', async () => {
    const answer = await t.call('GET', `/api/v1/records/${'S'.repeat(10_000)}`, { as: t.admin });
    expect(expectProblem(answer, 414, 'URL_TOO_LONG')).toMatchObject({ limit: 1000 });
    expect(answer.body).not.toContain('SSSSSSSSSS');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    // 100 characters of any script still fit, percent-encoded.
    const long = encodeURIComponent('検'.repeat(100));
    expect((await t.call('GET', `/api/v1/work-orders/${long}/records`, { as: t.admin })).json).toEqual({ records: [] });
  });

  it('400 REQUEST_INVALID for a path that is not percent-encoded UTF-8', async () => {
    const answer = await t.call('GET', '/api/v1/records/%ED%A0%80', { as: t.admin });
    expectProblem(answer, 400, 'REQUEST_INVALID');
    expect(answer.body).not.toContain('FST_');
  });

  it('marks API answers no-store and nosniff, the one-time API key secret above all', async () => {
    const created = await t.call('POST', '/api/v1/api-keys', { as: t.admin, body: { name: 'one-time', role: 'viewer' } });
    expect(created.status, created.body).toBe(201);
    expect(created.json.key).toMatch(/^stk_/);
    expect(created.headers['cache-control']).toBe('no-store');
    expect(created.headers['x-content-type-options']).toBe('nosniff');
    for (const url of ['/api/v1/series', '/health', '/api/v1/nowhere']) {
      const answer = await t.call('GET', url, { as: t.admin });
      expect(answer.headers['cache-control'], url).toBe('no-store');
      expect(answer.headers['x-content-type-options'], url).toBe('nosniff');
    }
  });

  it('serves the API reference under a Content-Security-Policy that allows only its own files', async () => {
    const page = await t.call('GET', '/api/v1/docs/');
    expect(page.status).toBe(200);
    const policy = String(page.headers['content-security-policy']);
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval|https:/);
  });
});
