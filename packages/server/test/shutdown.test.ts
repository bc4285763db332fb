import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '@serialtrace/server';
import { createSerialtrace } from '@serialtrace/service';
import { SqliteStore } from '@serialtrace/store';
import { afterEach, expect, it, vi } from 'vitest';
import { testConfig } from './helper.js';

/**
 * server.ts's close on a listening server: a generation that began is finished, answered and
 * committed; a request that arrives on an open connection meanwhile is answered by its route
 * (/ready says NOT_READY); new connections are refused; then the store closes.
 */

let dir: string | undefined;
afterEach(() => {
  vi.restoreAllMocks();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Reads HTTP/1.1 responses (with Content-Length) off a raw socket until it closes. */
function responsesOf(socket: Socket): Promise<RawResponse[]> {
  let buffer = Buffer.alloc(0);
  socket.on('data', (data: Buffer) => (buffer = Buffer.concat([buffer, data])));
  return new Promise((resolve, reject) => {
    socket.on('error', reject);
    socket.on('close', () => {
      const responses: RawResponse[] = [];
      let rest = buffer;
      while (rest.length > 0) {
        const end = rest.indexOf('\r\n\r\n');
        const [statusLine, ...lines] = rest.subarray(0, end).toString('latin1').split('\r\n');
        const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
        const length = Number(headers['content-length']);
        responses.push({ status: Number(statusLine!.split(' ')[1]), headers, body: rest.subarray(end + 4, end + 4 + length).toString('utf8') });
        rest = rest.subarray(end + 4 + length);
      }
      resolve(responses);
    });
  });
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(port, '127.0.0.1');
    probe.on('connect', () => {
      probe.destroy();
      resolve(false);
    });
    probe.on('error', () => resolve(true));
  });
}

it('finishes a generation in flight, answers /ready with NOT_READY meanwhile, refuses new connections, then closes the store', async () => {
  dir = mkdtempSync(join(tmpdir(), 'serialtrace-shutdown-'));
  const path = join(dir, 'serialtrace.db');
  const server = await startServer(testConfig(path), false);
  const caller = { companyId: 1, actor: 'test' };
  await server.services.series.create(caller, { name: 'Line', format: 'L{####}' });
  const { key } = await server.services.apiKeys.create(caller, { name: 'Marker', role: 'operator' });

  // The generation waits inside the service until the test lets it go on.
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let entered!: () => void;
  const inFlight = new Promise<void>((resolve) => (entered = resolve));
  const generation = server.services.generation;
  const generate = generation.generate.bind(generation);
  vi.spyOn(generation, 'generate').mockImplementation(async (...args) => {
    entered();
    await gate;
    return generate(...args);
  });

  const { port } = server.app.server.address() as { port: number };
  const socket = connect(port, '127.0.0.1');
  const responses = responsesOf(socket);
  const body = JSON.stringify({ quantity: 3 });
  socket.write(
    `POST /api/v1/series/Line/serials HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
  );
  await inFlight;

  const closed = server.close();
  await expect.poll(() => refusesConnections(port)).toBe(true);
  socket.write('GET /ready HTTP/1.1\r\nHost: test\r\n\r\n');
  // Let the server read the readiness request while the generation still waits.
  await new Promise((resolve) => setTimeout(resolve, 50));
  release();
  await closed;

  const [generated, ready] = await responses;
  expect(generated?.status, generated?.body).toBe(201);
  expect(JSON.parse(generated!.body)).toMatchObject({ serials: ['L0001', 'L0002', 'L0003'] });
  expect(ready?.status, ready?.body).toBe(503);
  expect(ready!.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(ready!.headers['connection']).toBe('close');
  expect(JSON.parse(ready!.body)).toMatchObject({ code: 'NOT_READY', detail: expect.stringContaining('shutting down') });

  // The store was closed after the answer, and the serials are in it.
  await expect(server.services.store.read(async () => 1)).rejects.toThrow();
  const store = SqliteStore.open({ path });
  try {
    const page = await createSerialtrace({ store, defaultTimeZone: 'UTC' }).records.search(caller, { series: 'Line' });
    expect(page.records.map((r) => r.serial)).toEqual(['L0003', 'L0002', 'L0001']);
  } finally {
    await store.close();
  }
});

it('releases its leases when it stops, recording the values it leased but did not issue as skipped', async () => {
  dir = mkdtempSync(join(tmpdir(), 'serialtrace-shutdown-'));
  const path = join(dir, 'serialtrace.db');
  const server = await startServer(testConfig(path), false);
  const caller = { companyId: 1, actor: 'test' };
  await server.services.series.create(caller, { name: 'Docs', format: 'D{####}', allocation: 'leased', leaseSize: 20 });
  await Promise.all([1, 2, 3].map(() => server.services.generation.generate(caller, 'Docs', { quantity: 2 })));
  await server.close();

  const store = SqliteStore.open({ path });
  try {
    const app = createSerialtrace({ store, defaultTimeZone: 'UTC' });
    const { entries } = await app.audit.list(caller, { action: 'serials.lease_released' });
    expect(entries).toHaveLength(1);
    expect(entries[0]!.actor).toMatch(/^server:/);
    expect(entries[0]!.data).toMatchObject({ series: 'Docs', reason: 'shutdown', skipped: { first: '7', last: '20', count: '14' } });
    expect((await app.audit.verify(caller)).valid).toBe(true);
  } finally {
    await store.close();
  }
});
