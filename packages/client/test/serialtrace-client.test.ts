import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSerialtraceError, SerialtraceError, type Role } from '@serialtrace/core';
import { SerialtraceClient, errorFromProblem, headerTextOf, type FetchFunction } from '@serialtrace/client';
import { auditExportChunks, type Caller } from '@serialtrace/service';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { ADMIN_CALLER, createKey, serve, type TestServer } from './test-server.js';

const NOW = '2025-06-15T10:00:00Z';

let dir: string;
let server: TestServer;
const keys = {} as Record<Role, string>;
let admin: SerialtraceClient;
let adminActor: string;

/** The same refusal thrown in-process by the services, for comparison with the one over HTTP. */
async function inProcess(attempt: (caller: Caller) => Promise<unknown>, caller: Caller = { companyId: 1, actor: adminActor }): Promise<SerialtraceError> {
  try {
    await attempt(caller);
  } catch (error) {
    if (isSerialtraceError(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

async function refusal(promise: Promise<unknown>): Promise<SerialtraceError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SerialtraceError);
    return error as SerialtraceError;
  }
  throw new Error('expected a refusal');
}

/** The error as the CLI prints it with --json: code, message, details and problems, in order. */
const wire = (error: SerialtraceError) => JSON.stringify(error.toJSON());

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'serialtrace-client-'));
  server = await serve(join(dir, 'server.db'), NOW);
  for (const role of ['admin', 'engineer', 'operator', 'viewer'] as const) keys[role] = (await createKey(server.services, role, `${role} key`)).key;
  admin = new SerialtraceClient({ baseUrl: server.url, apiKey: keys.admin });
  adminActor = (await admin.call('me')).actor;
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('typed calls', () => {
  it('creates, reads and lists series, with the success body typed from the route', async () => {
    const created = await admin.call('createSeries', {
      body: { name: 'Widgets', format: 'SN-{YYYY}{JJJ}-{####}', reset: 'daily', start: '10', minLength: 4 },
      headers: { 'serialtrace-station': 'ST-1', 'serialtrace-reason': 'new line' },
    });
    expectTypeOf(created.current.value).toEqualTypeOf<string>();
    expect(created).toMatchObject({ name: 'Widgets', start: '10', version: 1, createdBy: adminActor, current: { period: '2025-06-15', value: '10' } });

    const shown = await admin.call('getSeries', { params: { name: 'Widgets' } });
    expect(shown).toEqual(created);
    expect((await admin.call('listSeries')).series.map((s) => s.name)).toEqual(['Widgets']);

    const [entry] = (await admin.call('listAudit', { query: { limit: 1 } })).entries;
    expect(entry).toMatchObject({ action: 'series.created', actor: adminActor, station: 'ST-1', reason: 'new line' });
  });

  it('generates with the where headers and an idempotency key, and replays it', async () => {
    const request = {
      params: { name: 'Widgets' },
      body: { quantity: 2, workOrder: 'WO-1', context: { LINE: 'L1' }, metadata: { lot: 'A' } },
      headers: { 'serialtrace-line': 'L1', 'idempotency-key': 'job-1' },
    } as const;
    const first = await admin.call('generate', request);
    expect(first).toEqual({ series: 'Widgets', serials: ['SN-2025166-0011', 'SN-2025166-0012'], period: '2025-06-15', skipped: 0, replayed: false });
    expect(await admin.call('generate', request)).toEqual({ ...first, replayed: true });
  });

  it('builds query strings and leaves out absent values', async () => {
    const page = await admin.call('searchRecords', { query: { workOrder: 'WO-1', q: '0012', limit: 1, cursor: undefined } });
    expect(page.records.map((r) => r.serial)).toEqual(['SN-2025166-0012']);
    expect(page.nextCursor).toBeNull();
    const all = await admin.call('searchRecords', { query: { limit: 1 } });
    expect(all.nextCursor).not.toBeNull();
  });

  it('URL-encodes path parameters', async () => {
    const name = 'Lots / A #1? 100%';
    await admin.call('createSeries', { body: { name, format: 'L/{####}' } });
    const { serials } = await admin.call('generate', { params: { name } });
    expect(serials).toEqual(['L/0001']);
    const record = await admin.call('getRecord', { params: { serial: 'L/0001' }, query: { series: name } });
    expect(record).toMatchObject({ serial: 'L/0001', series: name, status: 'generated' });
    const moved = await admin.call('changeStatus', { params: { serial: 'L/0001' }, body: { status: 'printed', reason: 'Grüße 🏷' } });
    expect(moved.history.at(-1)).toMatchObject({ from: 'generated', to: 'printed', reason: 'Grüße 🏷' });
  });

  it('refuses "." and "..", which a URL path cannot carry', async () => {
    const error = await refusal(admin.call('getSeries', { params: { name: '..' } }));
    expect(error).toMatchObject({ code: 'VALUE_INVALID', details: { field: 'name' } });
  });

  it('answers undefined for 204 No Content', async () => {
    const spare = await createKey(server.services, 'viewer', 'spare');
    const answer = await admin.call('revokeApiKey', { params: { id: spare.id } });
    expectTypeOf(answer).toEqualTypeOf<undefined>();
    expect(answer).toBeUndefined();
  });

  it('streams with raw: the audit export is exactly the bytes of auditExportChunks', async () => {
    for (const format of ['csv', 'json'] as const) {
      const response = await admin.raw('exportAudit', { query: { format } });
      expect(response.status).toBe(200);
      let expected = '';
      for await (const chunk of auditExportChunks(server.services.audit.entries(ADMIN_CALLER), format)) expected += chunk;
      expect(await response.text()).toBe(expected);
    }
  });
});

describe('refusals are the SerialtraceError the service threw', () => {
  it('404: an unknown series', async () => {
    const remote = await refusal(admin.call('getSeries', { params: { name: 'Nope' } }));
    const local = await inProcess((caller) => server.services.series.get(caller, 'Nope'));
    expect(remote.code).toBe('SERIES_NOT_FOUND');
    expect(remote.message).toBe(local.message);
    expect(remote.details).toEqual({ field: 'series', series: 'Nope' });
    expect(wire(remote)).toBe(wire(local));
  });

  it('422: a bad format, with every problem, its position and length', async () => {
    const body = { name: 'Bad', format: 'AB{YYY}-{####', increment: 0, timeZone: 'Mars/Olympus' };
    const remote = await refusal(admin.call('createSeries', { body }));
    const local = await inProcess((caller) => server.services.series.create(caller, body));
    expect(remote.code).toBe('FORMAT_TOKEN_UNKNOWN');
    expect(remote.details).toMatchObject({ field: 'format', position: 2, length: 5, suggestion: '{YYYY}' });
    expect(remote.problems.map((p) => p.code)).toEqual(['FORMAT_TOKEN_UNKNOWN', 'FORMAT_BRACE_UNBALANCED', 'FORMAT_SEQUENCE_MISSING', 'VALUE_INVALID', 'TIME_ZONE_UNKNOWN']);
    expect(remote.message).toMatch(/\(and 4 more problems\)$/);
    expect(wire(remote)).toBe(wire(local));
  });

  it('422: a quantity out of range', async () => {
    const remote = await refusal(admin.call('generate', { params: { name: 'Widgets' }, body: { quantity: 10_001 } }));
    const local = await inProcess((caller) => server.services.generation.generate(caller, 'Widgets', { quantity: 10_001 }));
    expect(remote.code).toBe('QUANTITY_OUT_OF_RANGE');
    expect(wire(remote)).toBe(wire(local));
  });

  it('409: a status move the lifecycle refuses', async () => {
    const remote = await refusal(admin.call('changeStatus', { params: { serial: 'L/0001' }, body: { status: 'generated' } }));
    const local = await inProcess((caller) => server.services.records.changeStatus(caller, 'L/0001', 'generated'));
    expect(remote.code).toBe('STATUS_TRANSITION_INVALID');
    expect(wire(remote)).toBe(wire(local));
  });

  it('401: no key, and a key that does not exist', async () => {
    const none = await refusal(new SerialtraceClient({ baseUrl: server.url }).call('listSeries'));
    expect(none.code).toBe('UNAUTHENTICATED');
    expect(none.message).toBe('Sign in or send an API key: no session cookie and no Authorization header');
    const wrong = await refusal(new SerialtraceClient({ baseUrl: server.url, apiKey: 'stk_000000000000_nope' }).call('listSeries'));
    expect(wrong).toMatchObject({ code: 'UNAUTHENTICATED', details: { reason: 'the API key is unknown, expired or revoked' } });
  });

  it('403: a role without the permission', async () => {
    const viewer = new SerialtraceClient({ baseUrl: server.url, apiKey: keys.viewer });
    const error = await refusal(viewer.call('generate', { params: { name: 'Widgets' } }));
    expect(error.code).toBe('FORBIDDEN');
    expect(error.details).toEqual({ role: 'viewer', permission: 'serials.generate' });
    expect(error.message).toBe('The role viewer may not serials.generate');
    expect((await viewer.call('listSeries')).series.length).toBeGreaterThan(0);
  });

  it('400: a request the schema refuses is REQUEST_INVALID with the field', async () => {
    const error = await refusal(admin.call('searchRecords', { query: { limit: 'many' as unknown as number } }));
    expect(error).toMatchObject({ code: 'REQUEST_INVALID', details: { field: 'limit', in: 'querystring' } });
  });
});

/** A fetch that answers from a table, and remembers what it was asked. */
function fakeFetch(answer: () => Response): FetchFunction & { calls: { url: string; init: RequestInit }[] } {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return answer();
  };
  return Object.assign(fetch, { calls });
}

describe('what the client sends and how it reads odd answers', () => {
  it('sends the method, the JSON body, the key, the default headers and the credentials mode', async () => {
    const fetch = fakeFetch(() => Response.json({ serials: [], period: '*', truncated: false, warnings: [] }));
    const client = new SerialtraceClient({ baseUrl: 'https://st.example.com/base/', apiKey: 'stk_a_b', fetch, headers: { 'x-request-id': 'r-1' }, credentials: 'include' });
    await client.call('previewNext', { params: { name: 'A B' } });
    const [{ url, init }] = fetch.calls as [{ url: string; init: RequestInit }];
    expect(url).toBe('https://st.example.com/base/api/v1/series/A%20B/preview');
    expect(init.method).toBe('POST');
    // A body schema with only optional fields still gets a body: the server validates an absent one as invalid.
    expect(init.body).toBe('{}');
    expect(init.credentials).toBe('include');
    expect(init.headers).toMatchObject({ authorization: 'Bearer stk_a_b', 'content-type': 'application/json', 'x-request-id': 'r-1' });
  });

  it('sends no body and no content type on a route without a body schema, and no Authorization without a key', async () => {
    const fetch = fakeFetch(() => Response.json({ series: [] }));
    await new SerialtraceClient({ baseUrl: '', fetch }).call('listSeries');
    const [{ url, init }] = fetch.calls as [{ url: string; init: RequestInit }];
    expect(url).toBe('/api/v1/series');
    expect(init.body).toBeUndefined();
    expect(init.headers).not.toHaveProperty('content-type');
    expect(init.headers).not.toHaveProperty('authorization');
  });

  it('keeps the message of a code this client does not know, as INTERNAL_ERROR', async () => {
    const document = { type: 'urn:serialtrace:error:LABEL_JAMMED', title: 'Label jammed', status: 409, detail: 'The printer on line 3 is jammed', code: 'LABEL_JAMMED', printer: 'P3' };
    const fetch = fakeFetch(() => new Response(JSON.stringify(document), { status: 409, headers: { 'content-type': 'application/problem+json' } }));
    const error = await refusal(new SerialtraceClient({ baseUrl: 'http://x', fetch }).call('listSeries'));
    expect(error.code).toBe('INTERNAL_ERROR');
    expect(error.message).toBe('The printer on line 3 is jammed');
    expect(error.details).toEqual({ printer: 'P3' });
  });

  it('calls an answer that is not a problem document NOT_READY, saying what came back', async () => {
    const fetch = fakeFetch(() => new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway', headers: { 'content-type': 'text/html' } }));
    const error = await refusal(new SerialtraceClient({ baseUrl: 'http://proxy', fetch }).call('listSeries'));
    expect(error.code).toBe('NOT_READY');
    expect(error.message).toBe(
      'The server is not ready: GET http://proxy/api/v1/series answered 502 Bad Gateway (text/html) instead of a problem document; is this a serialtrace server?',
    );
  });

  it('sends header text beyond ASCII as an RFC 8187 value, and refuses a control character before sending anything', async () => {
    const fetch = fakeFetch(() => Response.json({}));
    const client = new SerialtraceClient({ baseUrl: 'http://x', fetch });
    await client.call('generate', { params: { name: 'W' }, headers: { 'serialtrace-reason': 'label 🏷', 'serialtrace-station': 'ST-4' } });
    const headers = fetch.calls[0]!.init.headers as Record<string, string>;
    expect(headers['serialtrace-reason']).toBe("UTF-8''label%20%F0%9F%8F%B7");
    expect(headers['serialtrace-station']).toBe('ST-4');
    const error = await refusal(client.call('generate', { params: { name: 'W' }, headers: { 'serialtrace-reason': 'late\nshift' } }));
    expect(error).toMatchObject({ code: 'VALUE_INVALID', details: { field: 'serialtrace-reason' } });
    expect(fetch.calls).toHaveLength(1);
  });

  it('reads header text the server encoded per RFC 8187, and plain text as it is', () => {
    expect(headerTextOf("UTF-8''Etikett-%E3%83%A9%E3%83%99%E3%83%AB")).toBe('Etikett-ラベル');
    expect(headerTextOf('gs1-product')).toBe('gs1-product');
    expect(headerTextOf(null)).toBeNull();
  });

  it('rebuilds a problem document as the error it was made from', () => {
    const original = new SerialtraceError('SERIES_EXHAUSTED', { series: 'W', period: '*' });
    const document = { type: 'urn:x', title: 'Series exhausted', status: 409, detail: original.message, instance: '/api/v1/series/W/serials', code: original.code, ...original.details };
    expect(wire(errorFromProblem(document))).toBe(wire(original));
  });
});

describe('an unreachable server', () => {
  it('is NOT_READY with the reason from the operating system', async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const error = await refusal(new SerialtraceClient({ baseUrl: `http://127.0.0.1:${port}` }).call('health'));
    expect(error.code).toBe('NOT_READY');
    expect(error.message).toBe(`The server is not ready: cannot reach http://127.0.0.1:${port}: ECONNREFUSED`);
  });
});

// Compile-time checks of the call signatures (tsc -p tsconfig.test.json); never run.
function _typeChecks(client: SerialtraceClient): void {
  // @ts-expect-error the route needs its path parameter
  void client.call('getSeries');
  // @ts-expect-error a path parameter of another name
  void client.call('getSeries', { params: { nme: 'W' } });
  // @ts-expect-error createSeries needs a body with a name
  void client.call('createSeries', { body: { format: 'W-{####}' } });
  // @ts-expect-error a header the route does not declare
  void client.call('generate', { params: { name: 'W' }, headers: { 'x-colour': 'red' } });
  void client.call('listSeries');
  void client.call('previewNext', { params: { name: 'W' } });
  expectTypeOf(client.call('verifyAudit')).resolves.toHaveProperty('firstBreak');
}
