import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, signIn, startServer, type HttpAnswer, type ServerProcess } from './server-process.js';

/** The real `serialtrace-server` process over real HTTP: first start, keys, concurrency, logs, shutdown. */

const PASSWORD = 'e2e-admin-password';

/** A temporary directory per describe block, and every server started in it stopped at the end. */
function workspace() {
  const state = { dir: '', db: '', servers: [] as ServerProcess[] };
  beforeAll(() => {
    state.dir = mkdtempSync(join(tmpdir(), 'serialtrace-server-e2e-'));
    state.db = join(state.dir, 'serialtrace.db');
  });
  afterAll(async () => {
    for (const server of state.servers) await server.stop('SIGKILL');
    rmSync(state.dir, { recursive: true, force: true });
  });
  return {
    get db() {
      return state.db;
    },
    async start(env: Record<string, string> = {}) {
      const server = await startServer(state.db, env);
      state.servers.push(server);
      return server;
    },
  };
}

/** Polls until `ready` holds, for at most `ms`. */
async function until(ready: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`still waiting after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A POST whose body is sent in two parts: `head` at once, `rest` once `released` resolves. */
async function heldRequest(
  base: string,
  path: string,
  options: { headers: Record<string, string>; head: string; rest: string; released: Promise<void> },
): Promise<HttpAnswer> {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(encoder.encode(options.head));
      await options.released;
      controller.enqueue(encoder.encode(options.rest));
      controller.close();
    },
  });
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: options.headers, body, duplex: 'half' });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: JSON.parse(text), text };
}

describe('a server\'s life on one database: first start, shutdown in the middle of work, next start', () => {
  const space = workspace();
  let server: ServerProcess;
  let password: string;
  let admin: Record<string, string>;
  let serials: string[];

  it('prints a one-time admin password on the first start, and the password signs in', async () => {
    server = await space.start({ SERIALTRACE_LOG_LEVEL: 'info' });
    const match = /one-time password:\s+(\S+)/.exec(server.stdout());
    expect(match, server.stdout()).not.toBeNull();
    password = match![1]!;
    const login = await http(server.url, 'POST', '/api/v1/auth/login', { body: { username: 'admin', password } });
    expect(login.status).toBe(200);
    expect(login.json).toMatchObject({ identity: { name: 'admin', systemAdmin: true }, mustChangePassword: true });
    const cookie = login.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    admin = { cookie: cookie.split(';')[0]! };
    expect((await http(server.url, 'GET', '/api/v1/auth/me', { headers: admin })).json).toMatchObject({ name: 'admin', mustChangePassword: true });
    // A generated password must be changed before anything else.
    expect((await http(server.url, 'GET', '/api/v1/series', { headers: admin })).json).toMatchObject({ code: 'PASSWORD_CHANGE_REQUIRED' });
    const chosen = 'chosen-by-the-operator-1';
    expect((await http(server.url, 'POST', '/api/v1/auth/password', { headers: admin, body: { currentPassword: password, newPassword: chosen } })).status).toBe(204);
    password = chosen;
  });

  it('finishes the generations in flight on SIGTERM, answers them, and exits 0', async () => {
    expect((await http(server.url, 'POST', '/api/v1/series', { headers: admin, body: { name: 'Big', format: 'B{########}' } })).status).toBe(201);
    const key = (await http(server.url, 'POST', '/api/v1/api-keys', { headers: admin, body: { name: 'Bulk', role: 'operator' } })).json.key as string;

    const logged = (reqId: string | undefined, msg: string) => (lines: Record<string, unknown>[]) =>
      lines.findIndex((l) => (reqId === undefined || l['reqId'] === reqId) && l['msg'] === msg);
    const shuttingDown = logged(undefined, 'shutting down: finishing requests in flight');

    // One request is surely in flight when SIGTERM comes: the server has its headers and has begun
    // it, but its body is held back until the server says it is shutting down. (The generations
    // below run without yielding, so whether the signal is handled before or after the last of
    // them depends on the timing of the client's sockets, which differs between Node.js versions.)
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const held = heldRequest(server.url, '/api/v1/series/Big/serials', {
      headers: { authorization: `Bearer ${key}`, 'x-request-id': 'bulk-held', 'content-type': 'application/json' },
      head: '{"quantity": ',
      rest: '10000}',
      released,
    });
    await until(() => logged('bulk-held', 'incoming request')(server.logs()) >= 0);

    // Several large requests queue on the one writer; SIGTERM comes with the first answer, while
    // the others are being generated or still wait their turn.
    const requests = 5;
    let signalled = false;
    let signalledAt = 0;
    const settled = await Promise.allSettled(
      Array.from({ length: requests }, async (_, i) => {
        const answer = await http(server.url, 'POST', '/api/v1/series/Big/serials', {
          headers: { authorization: `Bearer ${key}`, 'x-request-id': `bulk-${i}` },
          body: { quantity: 10_000 },
        });
        if (!signalled) {
          signalled = true;
          signalledAt = performance.now();
          server.child.kill('SIGTERM');
          void until(() => shuttingDown(server.logs()) >= 0).finally(release);
        }
        return answer;
      }),
    );
    const heldAnswer = await held;
    expect(await server.exited).toBe(0);
    // Once the last answer is out it exits: a connection answered after the signal is closed, not
    // kept alive until its keep-alive timeout (72 s) holds the exit.
    expect(performance.now() - signalledAt).toBeLessThan(30_000);

    const lines = server.logs();
    const shutdown = shuttingDown(lines);
    expect(shutdown).toBeGreaterThan(0);
    const bulk = (i: number | string, msg: string) => logged(`bulk-${i}`, msg)(lines);
    // The held request was begun before the shutdown, finished after it, and answered in full.
    expect(bulk('held', 'incoming request')).toBeLessThan(shutdown);
    expect(bulk('held', 'request completed')).toBeGreaterThan(shutdown);
    expect(heldAnswer.status, heldAnswer.text).toBe(201);
    expect(heldAnswer.json.serials).toHaveLength(10_000);
    // Every request the server began is answered 201, also those it finished after SIGTERM.
    const begun = Array.from({ length: requests }, (_, i) => i).filter((i) => bulk(i, 'incoming request') >= 0);
    for (const i of begun) {
      const result = settled[i]!;
      expect(result.status, `bulk-${i} was begun but not answered`).toBe('fulfilled');
      expect((result as PromiseFulfilledResult<HttpAnswer>).value.status).toBe(201);
    }
    // A request still unread in its socket when the listener closed is refused whole (the
    // connection is closed); the client retries it, under its Idempotency-Key if it has one.
    const answered = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(answered).toHaveLength(begun.length);
    serials = [heldAnswer, ...answered].flatMap((answer) => {
      expect(answer.status, answer.text).toBe(201);
      expect(answer.json.serials).toHaveLength(10_000);
      return answer.json.serials as string[];
    });
    expect(new Set(serials).size).toBe(serials.length);
  });

  it('prints no password on the next start, ignores SERIALTRACE_ADMIN_PASSWORD, and keeps every acknowledged serial', async () => {
    const again = await space.start({ SERIALTRACE_ADMIN_PASSWORD: 'ignored-password-1' });
    expect(again.stdout()).not.toMatch(/one-time password|First start/);
    expect((await http(again.url, 'POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'ignored-password-1' } })).status).toBe(401);
    const headers = await signIn(again.url, 'admin', password);
    expect((await http(again.url, 'GET', '/api/v1/series/Big/capacity', { headers })).json.value).toBe(String(serials.length));
    const sorted = [...serials].sort();
    expect(sorted).toEqual(Array.from({ length: serials.length }, (_, i) => `B${String(i + 1).padStart(8, '0')}`));
    for (const serial of [sorted[0]!, sorted[Math.floor(sorted.length / 2)]!, sorted.at(-1)!]) {
      expect((await http(again.url, 'GET', `/api/v1/records/${serial}`, { headers })).status).toBe(200);
    }
    const newest = await http(again.url, 'GET', '/api/v1/records?series=Big&limit=1', { headers });
    expect(newest.json.records[0].serial).toBe(sorted.at(-1));
    expect((await http(again.url, 'GET', '/api/v1/audit/verify', { headers })).json).toMatchObject({ valid: true });
    expect(await again.stop()).toBe(0);
  });
});

describe('a first start with a SERIALTRACE_ADMIN_PASSWORD that is too short', () => {
  const space = workspace();
  it('refuses to start', async () => {
    await expect(startServer(space.db, { SERIALTRACE_ADMIN_PASSWORD: 'short' })).rejects.toThrow(/exited with 1[\s\S]*VALUE_INVALID/);
  });
});

describe('a running server', () => {
  const space = workspace();
  let server: ServerProcess;
  let admin: Record<string, string>;
  beforeAll(async () => {
    server = await space.start({ SERIALTRACE_ADMIN_PASSWORD: PASSWORD, SERIALTRACE_LOG_LEVEL: 'info' });
    admin = await signIn(server.url, 'admin', PASSWORD);
  });

  it('prints no password when SERIALTRACE_ADMIN_PASSWORD is set, and answers health, readiness and OpenAPI without a login', async () => {
    expect(server.stdout()).not.toMatch(/one-time password/);
    expect((await http(server.url, 'GET', '/health')).json).toEqual({ status: 'ok' });
    expect((await http(server.url, 'GET', '/ready')).json).toEqual({ status: 'ready' });
    expect((await http(server.url, 'GET', '/api/v1/openapi.json')).json.openapi).toBe('3.1.0');
    const refused = await http(server.url, 'GET', '/api/v1/series');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.json.code).toBe('UNAUTHENTICATED');
  });

  it('creates an API key and generates with it over HTTP', async () => {
    expect((await http(server.url, 'POST', '/api/v1/series', { headers: admin, body: { name: 'Widgets', format: 'W-{######}' } })).status).toBe(201);
    const key = await http(server.url, 'POST', '/api/v1/api-keys', { headers: admin, body: { name: 'Line 1 marker', role: 'operator', station: 'L1-ST1' } });
    expect(key.status).toBe(201);
    expect(key.json.key).toMatch(/^stk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    const bearer = { authorization: `Bearer ${key.json.key}` };
    const generated = await http(server.url, 'POST', '/api/v1/series/Widgets/serials', {
      headers: { ...bearer, 'idempotency-key': 'e2e-1' },
      body: { quantity: 3, workOrder: 'WO-1', partNumber: 'PN-1', context: {}, metadata: { source: 'e2e' } },
    });
    expect(generated.status).toBe(201);
    expect(generated.json.serials).toEqual(['W-000001', 'W-000002', 'W-000003']);
    const replay = await http(server.url, 'POST', '/api/v1/series/Widgets/serials', {
      headers: { ...bearer, 'idempotency-key': 'e2e-1' },
      body: { quantity: 3, workOrder: 'WO-1', partNumber: 'PN-1', context: {}, metadata: { source: 'e2e' } },
    });
    expect(replay.json).toMatchObject({ serials: generated.json.serials, replayed: true });
    const record = await http(server.url, 'GET', '/api/v1/records/W-000002', { headers: bearer });
    expect(record.json).toMatchObject({ workOrder: 'WO-1', station: 'L1-ST1', generatedBy: `key:Line 1 marker#${key.json.id}` });
    const changed = await http(server.url, 'POST', '/api/v1/records/W-000002/status', { headers: { ...bearer, 'serialtrace-reason': 'printed on L1' }, body: { status: 'printed' } });
    expect(changed.json.history.at(-1)).toMatchObject({ to: 'printed', reason: 'printed on L1' });
  });

  it('8 concurrent clients never get a duplicate or a gap, and every acknowledged serial is stored', async () => {
    for (const body of [
      { name: 'Shared', format: 'S{######}' },
      { name: 'Company', format: 'S{######}', global: true, start: 500_000 },
    ]) {
      expect((await http(server.url, 'POST', '/api/v1/series', { headers: admin, body })).status).toBe(201);
    }
    const clients = 8;
    const requestsPerClient = 24;
    const keys = await Promise.all(
      Array.from({ length: clients }, async (_, i) => {
        const key = await http(server.url, 'POST', '/api/v1/api-keys', { headers: admin, body: { name: `client ${i}`, role: 'operator' } });
        return { authorization: `Bearer ${key.json.key}` };
      }),
    );
    const acknowledged: Record<string, string[]> = { Shared: [], Company: [] };
    await Promise.all(
      keys.map(async (headers, client) => {
        for (let i = 0; i < requestsPerClient; i++) {
          const series = (client + i) % 3 === 0 ? 'Company' : 'Shared';
          const quantity = i % 2 === 0 ? 1 : 2 + ((client + i) % 4);
          const answer = await http(server.url, 'POST', `/api/v1/series/${series}/serials`, { headers, body: { quantity } });
          expect(answer.status, answer.text).toBe(201);
          expect(answer.json.serials).toHaveLength(quantity);
          acknowledged[series]!.push(...(answer.json.serials as string[]));
        }
      }),
    );

    for (const [series, first] of [
      ['Shared', 1],
      ['Company', 500_001],
    ] as const) {
      const issued = acknowledged[series]!;
      expect(new Set(issued).size, `${series} has a duplicate`).toBe(issued.length);
      const numbers = issued.map((s) => Number(s.slice(1))).sort((a, b) => a - b);
      expect(numbers, `${series} has a gap`).toEqual(Array.from({ length: numbers.length }, (_, i) => first + i));

      const stored: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await http(server.url, 'GET', `/api/v1/records?series=${series}&limit=100${cursor === null ? '' : `&cursor=${cursor}`}`, { headers: admin });
        stored.push(...page.json.records.map((r: { serial: string }) => r.serial));
        cursor = page.json.nextCursor;
      } while (cursor !== null);
      expect(stored.sort()).toEqual([...issued].sort());
    }
    const verify = await http(server.url, 'GET', '/api/v1/audit/verify', { headers: admin });
    expect(verify.json).toMatchObject({ valid: true, firstBreak: null });
  });

  it('writes structured JSON logs that carry the request id', async () => {
    await http(server.url, 'GET', '/api/v1/series', { headers: { ...admin, 'x-request-id': 'e2e-log-1' } });
    await expect.poll(() => server.logs().filter((l) => l['reqId'] === 'e2e-log-1').map((l) => l['msg'])).toEqual(['incoming request', 'request completed']);
    const completed = server.logs().find((l) => l['reqId'] === 'e2e-log-1' && l['msg'] === 'request completed')!;
    expect(completed).toMatchObject({ level: 30, res: { statusCode: 200 }, responseTime: expect.any(Number), hostname: expect.any(String), pid: server.child.pid });
    expect(server.stdout()).not.toContain(admin['cookie']!.split('=')[1]);
  });

  it('stops cleanly on SIGTERM', async () => {
    expect(await server.stop()).toBe(0);
  });
});
