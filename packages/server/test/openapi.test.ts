import { Writable } from 'node:stream';
import { ProblemDocument, ROUTES, type RouteName, type RouteSpec } from '@serialtrace/api';
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, openApp, type Answer, type Credentials, type TestApp } from './helper.js';

/** The published interface: the OpenAPI document, the reference page, the response schemas, request ids. */

let t: TestApp;
let operator: Credentials;
beforeAll(async () => {
  t = await openApp();
  operator = await t.key('operator');
});
afterAll(async () => {
  await t.close();
});

const routes = Object.entries(ROUTES) as [RouteName, RouteSpec][];
const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

describe('the OpenAPI document', () => {
  let doc: any;
  beforeAll(async () => {
    const answer = await t.call('GET', '/api/v1/openapi.json');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    doc = answer.json;
  });

  it('is OpenAPI 3.1, served without a login, and names both ways to authenticate', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'serialtrace', version: expect.any(String) });
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKey', 'session']);
    expect(doc.components.securitySchemes.session).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'serialtrace_session' });
  });

  it.each(routes)('documents %s with its operationId, access, request and answers', (name, spec) => {
    const operation = doc.paths[openApiPath(spec.url)]?.[spec.method.toLowerCase()];
    expect(operation, `${spec.method} ${spec.url}`).toBeDefined();
    expect(operation).toMatchObject({ operationId: name, summary: spec.summary, tags: [spec.tag] });
    if (spec.access === 'public') expect(operation.security).toEqual([]);
    else expect(operation.security).toBeUndefined();
    expect(operation.responses[String(spec.status)]).toBeDefined();
    expect(Object.keys(operation.responses['4XX'].content)).toEqual(['application/problem+json']);
    if (spec.body !== undefined) expect(operation.requestBody.content['application/json'].schema).toBeDefined();
    for (const param of spec.url.match(/:(\w+)/g) ?? []) {
      expect(operation.parameters.find((p: { in: string; name: string }) => p.in === 'path' && p.name === param.slice(1))).toBeDefined();
    }
  });

  it('lists no operation that the API table does not have', () => {
    const documented = Object.entries(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => `${method.toUpperCase()} ${path} ${op.operationId}`),
    );
    expect(documented.sort()).toEqual(routes.map(([name, spec]) => `${spec.method} ${openApiPath(spec.url)} ${name}`).sort());
  });

  it('documents the audit export as JSON or CSV', () => {
    expect(Object.keys(doc.paths['/api/v1/audit/export'].get.responses['200'].content).sort()).toEqual(['application/json', 'text/csv']);
  });
});

describe('the API reference page', () => {
  it('is an HTML page served without a login', async () => {
    const page = await t.call('GET', '/api/v1/docs');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('swagger-ui');
    const css = await t.call('GET', '/api/v1/docs/static/swagger-ui.css');
    expect(css.status).toBe(200);
  });
});

describe('answers honour their published schemas', () => {
  const checked = new Set<RouteName>();
  const check = (name: RouteName, answer: Answer): any => {
    const spec: RouteSpec = ROUTES[name];
    expect(answer.status, answer.body).toBe(spec.status);
    const errors = [...Value.Errors(spec.response, answer.json)].map((e) => `${e.instancePath} ${e.message}`);
    expect(errors, `${name}: ${answer.body.slice(0, 500)}`).toEqual([]);
    checked.add(name);
    return answer.json;
  };

  it('for sign-in, series, serials, records and audit', async () => {
    check('health', await t.call('GET', '/health'));
    check('ready', await t.call('GET', '/ready'));
    check('login', await t.call('POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } }));
    check('me', await t.call('GET', '/api/v1/auth/me', { as: operator }));
    check('listUsers', await t.call('GET', '/api/v1/users', { as: t.admin }));
    check('createApiKey', await t.call('POST', '/api/v1/api-keys', { as: t.admin, body: { name: 'Schema', role: 'viewer', expiresAt: '2030-01-01T00:00:00Z' } }));
    check('listApiKeys', await t.call('GET', '/api/v1/api-keys', { as: t.admin }));
    check('listCompanies', await t.call('GET', '/api/v1/companies', { as: t.admin }));
    check('createSeries', await t.call('POST', '/api/v1/series', { as: t.admin, body: { name: 'Schema', format: 'SC-{YYYY}-{####}', reset: 'yearly' } }));
    check('listSeries', await t.call('GET', '/api/v1/series', { as: operator }));
    check('getSeries', await t.call('GET', '/api/v1/series/Schema', { as: operator }));
    check('updateSeries', await t.call('PATCH', '/api/v1/series/Schema', { as: t.admin, body: { description: 'checked' } }));
    check('seriesVersions', await t.call('GET', '/api/v1/series/Schema/versions', { as: operator }));
    check('seriesCapacity', await t.call('GET', '/api/v1/series/Schema/capacity', { as: operator }));
    check('previewNext', await t.call('POST', '/api/v1/series/Schema/preview', { as: operator, body: { count: 2 } }));
    check('previewDefinition', await t.call('POST', '/api/v1/series/preview', { as: operator, body: { series: { format: 'P{####}' } } }));
    const generated = check('generate', await t.call('POST', '/api/v1/series/Schema/serials', { as: operator, body: { quantity: 3, workOrder: 'WO-S', metadata: { a: 1 } } }));
    check('searchRecords', await t.call('GET', '/api/v1/records', { as: operator, query: { limit: '2' } }));
    check('getRecord', await t.call('GET', `/api/v1/records/${generated.serials[0]}`, { as: operator }));
    check('changeStatus', await t.call('POST', `/api/v1/records/${generated.serials[0]}/status`, { as: operator, body: { status: 'printed', data: { p: 1 } } }));
    check('workOrderRecords', await t.call('GET', '/api/v1/work-orders/WO-S/records', { as: operator }));
    check('listAudit', await t.call('GET', '/api/v1/audit', { as: t.admin }));
    check('verifyAudit', await t.call('GET', '/api/v1/audit/verify', { as: t.admin }));
    check('exportAudit', await t.call('GET', '/api/v1/audit/export', { as: t.admin }));
    expect(checked.size).toBeGreaterThanOrEqual(24);
  });

  it('for refusals, as problem documents', async () => {
    for (const answer of [
      await t.call('GET', '/api/v1/series'),
      await t.call('GET', '/api/v1/series/Nope', { as: operator }),
      await t.call('POST', '/api/v1/series', { as: t.admin, body: { name: 1, bogus: true } }),
    ]) {
      expect([...Value.Errors(ProblemDocument, answer.json)]).toEqual([]);
    }
  });
});

describe('request ids', () => {
  it('echoes a safe x-request-id and makes one up otherwise', async () => {
    expect((await t.call('GET', '/health', { headers: { 'x-request-id': 'line3-scan:0042' } })).headers['x-request-id']).toBe('line3-scan:0042');
    for (const unsafe of ['two words', 'x'.repeat(101), 'quote"d']) {
      const id = (await t.call('GET', '/health', { headers: { 'x-request-id': unsafe } })).headers['x-request-id'];
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
    const a = (await t.call('GET', '/health')).headers['x-request-id'];
    const b = (await t.call('GET', '/health')).headers['x-request-id'];
    expect(a).not.toBe(b);
    // Refusals carry it too.
    expect((await t.call('GET', '/api/v1/series', { headers: { 'x-request-id': 'refused-1' } })).headers['x-request-id']).toBe('refused-1');
  });

  it('writes structured JSON log lines that carry the request id', async () => {
    const lines: any[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line));
        done();
      },
    });
    const logged = await t.variant({ logger: { level: 'info', stream } });
    await logged.call('GET', '/api/v1/series', { as: operator, headers: { 'x-request-id': 'log-me-1' } });
    const mine = lines.filter((l) => l.reqId === 'log-me-1');
    expect(mine.map((l) => l.msg)).toEqual(['incoming request', 'request completed']);
    expect(mine[1]).toMatchObject({ level: 30, res: { statusCode: 200 }, responseTime: expect.any(Number) });
    // Credentials never reach the log.
    expect(JSON.stringify(lines)).not.toContain((operator.headers['authorization'] ?? '').slice(7));
  });
});
