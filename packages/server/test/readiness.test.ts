import { connect, createServer, type Server, type Socket } from 'node:net';
import { startServer, type RunningServer } from '@serialtrace/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ADMIN_PASSWORD, captureLog, dropSchema, expectProblem, openApp, postgresConfig, TEST_DATABASE_URL, uniqueSchema, withPgClient, type Answer } from './helper.js';

/**
 * server.ts and /ready on a real PostgreSQL: a server whose database does not answer still
 * starts, says NOT_READY, refuses work with 503 STORE_UNAVAILABLE, and completes its first start
 * once the database answers; /health never asks the database.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Overrides = Parameters<typeof postgresConfig>[1];

/** A server on `schema`, closed and its schema dropped after the test. */
async function start(schema: string, overrides: Overrides = {}, logger: boolean | object = false): Promise<RunningServer> {
  cleanups.push(() => dropSchema(schema));
  const server = await startServer(postgresConfig(schema, overrides), logger);
  cleanups.push(() => server.close());
  return server;
}

/** One request over real HTTP. */
async function http(base: string, method: string, path: string, { headers = {}, body }: { headers?: Record<string, string>; body?: unknown } = {}): Promise<Answer> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: Object.fromEntries(response.headers), body: text, json };
}

async function signIn(base: string): Promise<Record<string, string>> {
  const login = await http(base, 'POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
  expect(login.status, login.body).toBe(200);
  const cookie = String(login.headers['set-cookie']).split(';')[0]!;
  return { cookie };
}

/** A port that was free a moment ago: nothing listens there. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The test PostgreSQL behind a port of its own that the test opens and closes: the database as
 * a server sees it when it goes away (connections cut, new ones refused) and comes back.
 */
class Relay {
  readonly #port: number;
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();

  constructor(port: number) {
    this.#port = port;
  }

  get url(): string {
    const target = new URL(TEST_DATABASE_URL);
    target.host = `127.0.0.1:${this.#port}`;
    return target.toString();
  }

  open(): Promise<void> {
    const target = new URL(TEST_DATABASE_URL);
    this.#server = createServer((client) => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    return new Promise((resolve) => this.#server!.listen(this.#port, '127.0.0.1', resolve));
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return;
    const closed = new Promise((resolve) => server.close(resolve));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }
}

describe('a server whose database does not answer', () => {
  it('listens: /health 200, /ready 503 NOT_READY, requests that need the database 503 STORE_UNAVAILABLE; the log says so without the password', async () => {
    const log = captureLog('info');
    const server = await start(uniqueSchema(), { databaseUrl: 'postgres://root:s3cret-pw@127.0.0.1:1/test' }, log.logger);
    const base = server.url;

    expect((await http(base, 'GET', '/health')).json).toEqual({ status: 'ok' });
    // A browser sends its cookie to /health too: liveness still asks no database.
    expect((await http(base, 'GET', '/health', { headers: { cookie: 'serialtrace_session=abc' } })).status).toBe(200);

    const ready = expectProblem(await http(base, 'GET', '/ready'), 503, 'NOT_READY');
    expect(ready.detail).toContain('the database is unreachable');
    // Hosts and driver messages are for the log, not for anonymous callers.
    expect(ready.detail).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|root/);

    // A well-formed key must be looked up; a malformed one is refused without asking the database.
    const wellFormed = `stk_0123456789ab_${'k'.repeat(43)}`;
    const key = expectProblem(await http(base, 'GET', '/api/v1/series', { headers: { authorization: `Bearer ${wellFormed}` } }), 503, 'STORE_UNAVAILABLE');
    expect(key.detail).toMatch(/^The database cannot be reached/);
    const cookie = await http(base, 'POST', '/api/v1/series/Widgets/serials', { headers: { cookie: 'serialtrace_session=abc' }, body: { quantity: 1 } });
    expectProblem(cookie, 503, 'STORE_UNAVAILABLE');
    expectProblem(await http(base, 'POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } }), 503, 'STORE_UNAVAILABLE');
    // Without credentials nothing is looked up: 401 as always.
    expectProblem(await http(base, 'GET', '/api/v1/series'), 401, 'UNAUTHENTICATED');
    expect((await http(base, 'GET', '/health')).status).toBe(200);

    const lines = log.lines();
    expect(lines).toContainEqual(expect.objectContaining({ engine: 'postgres', location: 'postgres://root:***@127.0.0.1:1/test', msg: expect.stringContaining('database: postgres') }));
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 50, location: 'postgres://root:***@127.0.0.1:1/test', msg: expect.stringContaining('is unreachable'), err: expect.objectContaining({ code: 'STORE_UNAVAILABLE' }) }),
    );
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'readiness check failed', err: expect.objectContaining({ message: expect.stringContaining('ECONNREFUSED') }) }));
    expect(log.text()).not.toContain('s3cret-pw');
    expect(server.initialAdminPassword).toBeNull();
  });

  it('completes its first start in the background once the database answers, and rides out the database going away and coming back', async () => {
    const relay = new Relay(await freePort());
    cleanups.push(() => relay.close());
    const schema = uniqueSchema();
    const server = await start(schema, { databaseUrl: relay.url, adminPassword: undefined });
    expectProblem(await http(server.url, 'GET', '/ready'), 503, 'NOT_READY');

    await relay.open();
    // The first start generates the admin's password now, and hands it over for the notice.
    const password = await server.firstStart;
    expect(password).toMatch(/^\S{16,}$/);
    expect((await http(server.url, 'GET', '/ready')).json).toEqual({ status: 'ready' });
    const login = await http(server.url, 'POST', '/api/v1/auth/login', { body: { username: 'admin', password } });
    expect(login.status, login.body).toBe(200);
    const headers = { cookie: String(login.headers['set-cookie']).split(';')[0]! };
    // A generated password must be changed before anything else.
    expectProblem(await http(server.url, 'GET', '/api/v1/series', { headers }), 403, 'PASSWORD_CHANGE_REQUIRED');
    expect((await http(server.url, 'POST', '/api/v1/auth/password', { headers, body: { currentPassword: password, newPassword: 'chosen-after-start-1' } })).status).toBe(204);
    expect((await http(server.url, 'GET', '/api/v1/series', { headers })).status).toBe(200);

    await relay.close();
    // A ping that answered is trusted for a second at most.
    await expect.poll(async () => (await http(server.url, 'GET', '/ready')).status, { timeout: 5000, interval: 200 }).toBe(503);
    expectProblem(await http(server.url, 'GET', '/api/v1/series', { headers }), 503, 'STORE_UNAVAILABLE');
    expect((await http(server.url, 'GET', '/health')).status).toBe(200);

    await relay.open();
    await expect.poll(async () => (await http(server.url, 'GET', '/ready')).status, { timeout: 5000, interval: 200 }).toBe(200);
    expect((await http(server.url, 'GET', '/api/v1/series', { headers })).status).toBe(200);
  });

  it('gives up when the first start fails for another reason once the database answers, and says so', async () => {
    const relay = new Relay(await freePort());
    cleanups.push(() => relay.close());
    const server = await start(uniqueSchema(), { databaseUrl: relay.url, adminPassword: 'short' });
    await relay.open();
    await expect(server.firstStart).rejects.toMatchObject({ code: 'VALUE_INVALID', details: { field: 'SERIALTRACE_ADMIN_PASSWORD' } });
    expect(expectProblem(await http(server.url, 'GET', '/ready'), 503, 'NOT_READY').detail).toContain('the first start failed');
  });

  it('closes at once while it is still trying, and stops trying', async () => {
    const server = await startServer(postgresConfig(uniqueSchema(), { databaseUrl: 'postgres://root@127.0.0.1:1/test' }), false);
    const began = performance.now();
    await server.close();
    expect(performance.now() - began).toBeLessThan(1000);
    await expect(server.services.store.ping()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });
});

describe('a server on PostgreSQL', () => {
  it('is ready, lets the admin sign in and generate serials, and keeps them in its schema', async () => {
    const log = captureLog('info');
    const schema = uniqueSchema();
    const server = await start(schema, {}, log.logger);
    expect(log.lines()).toContainEqual(expect.objectContaining({ engine: 'postgres', location: TEST_DATABASE_URL }));
    expect(await server.firstStart).toBeNull();
    expect((await http(server.url, 'GET', '/ready')).json).toEqual({ status: 'ready' });

    const admin = await signIn(server.url);
    expect((await http(server.url, 'POST', '/api/v1/series', { headers: admin, body: { name: 'Widgets', format: 'W-{####}' } })).status).toBe(201);
    const generated = await http(server.url, 'POST', '/api/v1/series/Widgets/serials', { headers: admin, body: { quantity: 3, workOrder: 'WO-1' } });
    expect(generated.status, generated.body).toBe(201);
    expect(generated.json).toMatchObject({ series: 'Widgets', serials: ['W-0001', 'W-0002', 'W-0003'] });
    expect((await http(server.url, 'GET', '/api/v1/audit/verify', { headers: admin })).json).toMatchObject({ valid: true });

    const stored = await withPgClient(schema, async (client) => (await client.query<{ serial: string }>('SELECT serial FROM records ORDER BY serial')).rows);
    expect(stored.map((r) => r.serial)).toEqual(['W-0001', 'W-0002', 'W-0003']);
  });

  it('creates the admin once: a second server on the same schema finds it', async () => {
    const schema = uniqueSchema();
    const first = await start(schema, { adminPassword: undefined });
    expect(first.initialAdminPassword).not.toBeNull();
    const second = await start(schema, { adminPassword: 'ignored-password-1' });
    expect(second.initialAdminPassword).toBeNull();
    expect(await second.firstStart).toBeNull();
    const login = await http(second.url, 'POST', '/api/v1/auth/login', { body: { username: 'admin', password: first.initialAdminPassword } });
    expect(login.status, login.body).toBe(200);
  });
});

describe('/ready', () => {
  it('asks the database at most once a second while it answers, and again at once after it did not', async () => {
    const t = await openApp();
    cleanups.push(() => t.close());
    const ping = vi.spyOn(t.services.store, 'ping');

    const answers = await Promise.all(Array.from({ length: 10 }, () => t.call('GET', '/ready')));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect((await t.call('GET', '/ready')).status).toBe(200);
    expect(ping).toHaveBeenCalledTimes(1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await t.call('GET', '/ready')).status).toBe(200);
    expect(ping).toHaveBeenCalledTimes(2);

    const fresh = await t.variant({ ownStore: true });
    const failing = vi.spyOn(fresh.services.store, 'ping').mockRejectedValueOnce(new Error('no route to host'));
    expectProblem(await fresh.call('GET', '/ready'), 503, 'NOT_READY');
    expect((await fresh.call('GET', '/ready')).status).toBe(200);
    expect(failing).toHaveBeenCalledTimes(2);
  });

  it('answers NOT_READY with the reason while the first start is pending, and never asks who calls', async () => {
    const t = await openApp();
    cleanups.push(() => t.close());
    let pending: string | null = 'the first start waits for the database (the administrator is not created yet)';
    const starting = await t.variant({ startPending: () => pending });
    const read = vi.spyOn(t.services.store, 'read');
    expect(expectProblem(await starting.call('GET', '/ready', { as: t.admin }), 503, 'NOT_READY').detail).toContain('the first start waits for the database');
    expect((await starting.call('GET', '/health', { as: t.admin })).status).toBe(200);
    expect(read).not.toHaveBeenCalled();
    pending = null;
    expect((await starting.call('GET', '/ready')).json).toEqual({ status: 'ready' });
  });
});
