import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema, journalSealed, TEST_DATABASE_URL, uniqueSchema, withPgClient } from './postgres-schema.js';
import { duplicates, groupBy, sorted } from './checks.js';
import { http, signIn, startServers, type HttpAnswer, type ServerProcess } from './server-process.js';

/**
 * Several stateless `serialtrace-server` processes on one PostgreSQL schema, under concurrent load
 * over real HTTP, one of them killed in the middle: what neither one process nor the store's tests
 * can show. Each test checks the database itself afterwards, with its own connection.
 */

const PASSWORD = 'e2e-admin-password';
const SERVERS = 4;
const CLIENTS = 32;
const REQUESTS_PER_CLIENT = 30;
const BATCH = 10;

/** Every client draws from it; nothing else prints `M-`, so it must end exactly 1..N. */
const SHARED = { name: 'Shared', format: 'M-{######}' };
/**
 * Global, and printing the same text as {@link LOCAL} from the same start: whichever of the two
 * takes a value first, the other must skip it (and audit the skip), so the company-wide rule is
 * exercised on nearly every request to either.
 */
const GLOBAL = { name: 'Company', format: 'X{#####}', global: true };
const LOCAL = { name: 'Local', format: 'X{#####}' };
const SERIES = [SHARED.name, GLOBAL.name, LOCAL.name] as const;

/** Four servers started together on a fresh schema, an admin session and one operator key. */
interface Cluster {
  readonly schema: string;
  servers: ServerProcess[];
  admin: Record<string, string>;
  operator: Record<string, string>;
}

/**
 * A schema and a temporary directory per describe block; the servers are killed, the schema
 * dropped and the directory removed at the end, whatever happened.
 */
function cluster(): Cluster {
  const space: Cluster = { schema: uniqueSchema('e2e_multi'), servers: [], admin: {}, operator: {} };
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'serialtrace-multi-e2e-'));
    // The database URL wins over the SQLite file; the file is named only to show it stays unused.
    const unused = join(dir, 'unused.db');
    space.servers = await startServers(SERVERS, unused, {
      SERIALTRACE_DATABASE_URL: TEST_DATABASE_URL,
      SERIALTRACE_DATABASE_SCHEMA: space.schema,
      SERIALTRACE_ADMIN_PASSWORD: PASSWORD,
      SERIALTRACE_LOG_LEVEL: 'warn',
    });
    expect(existsSync(unused), 'a server opened the SQLite file instead of PostgreSQL').toBe(false);
    space.admin = await signIn(space.servers[0]!.url, 'admin', PASSWORD);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(space.servers.map((server) => server.stop('SIGKILL')));
    await dropSchema(space.schema);
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });
  return space;
}

/**
 * What a first start of several servers together must leave: every migration applied once, one
 * admin created once (and audited once), and every server answering for the same database. Then
 * the series are created through different servers and one operator key through yet another.
 */
async function expectOneInstallation(space: Cluster): Promise<void> {
  const installed = await withPgClient(space.schema, async (client) => ({
    versions: (await client.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => Number(r.version)),
    users: (await client.query('SELECT username, system_admin FROM users')).rows,
    created: (await client.query("SELECT entity_id FROM journal WHERE type = 'user.created'")).rows,
  }));
  expect(installed.versions.length).toBeGreaterThan(0);
  expect(installed.versions).toEqual(Array.from({ length: installed.versions.length }, (_, i) => i + 1));
  expect(installed.users).toEqual([{ username: 'admin', system_admin: true }]);
  expect(installed.created).toHaveLength(1);
  for (const server of space.servers) {
    expect(server.stdout()).not.toMatch(/one-time password/);
    expect((await http(server.url, 'GET', '/ready')).json).toEqual({ status: 'ready' });
    // The session opened on the first server is a row in the shared database.
    expect((await http(server.url, 'GET', '/api/v1/auth/me', { headers: space.admin })).json.name).toBe('admin');
  }

  for (const [i, body] of [SHARED, GLOBAL, LOCAL].entries()) {
    const created = await http(space.servers[i]!.url, 'POST', '/api/v1/series', { headers: space.admin, body });
    expect(created.status, created.text).toBe(201);
  }
  const key = await http(space.servers[3]!.url, 'POST', '/api/v1/api-keys', { headers: space.admin, body: { name: 'Line marker', role: 'operator' } });
  expect(key.status, key.text).toBe(201);
  space.operator = { authorization: `Bearer ${key.json.key}` };
}

/** One generation request as a client sent it, and what became of it. */
interface Attempt {
  readonly client: number;
  readonly series: string;
  readonly quantity: number;
  /** Unique per request, so the records and the audit entry of each request can be found. */
  readonly workOrder: string;
  readonly server: number;
  readonly sentAfterKill: boolean;
  /** The answer, when one came: the request is acknowledged. */
  answer?: { serials: string[]; skipped: number; replayed: boolean };
  /** Why no answer came (the connection failed): the request may or may not have committed. */
  lost?: string;
}

interface Load {
  readonly attempts: Attempt[];
  readonly seconds: number;
}

function connectionFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? String(error);
}

/**
 * {@link CLIENTS} clients spread round-robin over the servers, each sending
 * {@link REQUESTS_PER_CLIENT} requests one after another: series in turn, single serials and
 * batches of {@link BATCH} alternately, each under an Idempotency-Key of its own so that a lost
 * answer can be asked for again. With `kill`, the server of that index is SIGKILLed once that
 * many requests have been acknowledged; each of its clients records the request that failed as
 * lost and carries on with the next server still up, as behind a load balancer.
 */
async function drive(space: Cluster, run: string, kill?: { server: number; afterAcknowledged: number }): Promise<Load> {
  const attempts: Attempt[] = [];
  const down = new Set<number>();
  let killed = false;
  let acknowledged = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      let server = client % SERVERS;
      for (let i = 0; i < REQUESTS_PER_CLIENT; i++) {
        const attempt: Attempt = {
          client,
          series: SERIES[(client + i) % SERIES.length]!,
          quantity: i % 2 === 0 ? 1 : BATCH,
          workOrder: `WO-${run}-${client}-${i}`,
          server,
          sentAfterKill: killed,
        };
        attempts.push(attempt);
        let answer: HttpAnswer;
        try {
          answer = await http(space.servers[server]!.url, 'POST', `/api/v1/series/${attempt.series}/serials`, {
            headers: { ...space.operator, 'idempotency-key': attempt.workOrder },
            body: { quantity: attempt.quantity, workOrder: attempt.workOrder },
          });
        } catch (error) {
          // Only the killed server may fail to answer, and only once it has been killed.
          if (!killed || server !== kill?.server) throw new Error(`${attempt.workOrder} on server ${server} got no answer`, { cause: error });
          attempt.lost = connectionFailure(error);
          down.add(server);
          while (down.has(server)) server = (server + 1) % SERVERS;
          continue;
        }
        expect(answer.status, `${attempt.workOrder}: ${answer.text}`).toBe(201);
        expect(answer.json.serials).toHaveLength(attempt.quantity);
        expect(answer.json.replayed).toBe(false);
        attempt.answer = { serials: answer.json.serials, skipped: answer.json.skipped, replayed: answer.json.replayed };
        acknowledged += 1;
        if (kill !== undefined && !killed && acknowledged >= kill.afterAcknowledged) {
          killed = true;
          void space.servers[kill.server]!.stop('SIGKILL');
        }
      }
    }),
  );
  return { attempts, seconds: (performance.now() - started) / 1000 };
}

interface StoredRecord {
  readonly series: string;
  readonly serial: string;
  readonly sequence: bigint;
  readonly workOrder: string | null;
  readonly auditSeq: number | null;
}

interface Skip {
  readonly sequence: string;
  readonly serial: string;
  readonly conflictsWith: string;
}

interface GenerationEntry {
  readonly seq: number;
  readonly data: { series: string; serials: string[]; workOrder?: string; skipped?: Skip[] };
}

/** Everything the servers committed, read straight from PostgreSQL. */
async function readDatabase(schema: string) {
  await journalSealed(schema);
  return withPgClient(schema, async (client) => {
    const records = await client.query<{ series: string; serial: string; sequence: string; work_order: string | null; audit_seq: string | null }>(
      'SELECT s.name AS series, r.serial, r.sequence, r.work_order, (SELECT j.seq FROM journal j WHERE j.id = r.audit_id) AS audit_seq FROM records r JOIN series s ON s.id = r.series_id ORDER BY r.id',
    );
    const entries = await client.query<{ seq: string; data: string }>("SELECT seq, data FROM journal WHERE type = 'serials.generated' ORDER BY seq");
    const counters = await client.query<{ series: string; value: string }>('SELECT s.name AS series, c.value FROM counters c JOIN series s ON s.id = c.series_id');
    const chain = await client.query<{ n: string }>('SELECT COUNT(*) AS n FROM journal');
    return {
      records: records.rows.map(
        (r): StoredRecord => ({
          series: r.series,
          serial: r.serial,
          sequence: BigInt(r.sequence),
          workOrder: r.work_order,
          auditSeq: r.audit_seq === null ? null : Number(r.audit_seq),
        }),
      ),
      generations: entries.rows.map((e): GenerationEntry => ({ seq: Number(e.seq), data: JSON.parse(e.data) })),
      counters: new Map(counters.rows.map((c) => [c.series, BigInt(c.value)])),
      chainLength: Number(chain.rows[0]!.n),
    };
  });
}

/**
 * The database after a run, against what the clients saw: each request committed whole or not at
 * all; every acknowledged serial stored, in its request's series, under its request's audit entry;
 * no serial twice in a series, none of the global series anywhere else; and every series' values
 * used exactly 1..counter, each either issued or skipped for a reason the chain shows (the serial
 * already issued, earlier, where the global rule forbids it).
 */
async function expectConsistent(space: Cluster, attempts: readonly Attempt[]) {
  const db = await readDatabase(space.schema);
  const requests = new Map(attempts.map((a) => [a.workOrder, a]));
  const byRequest = groupBy(db.records, (r) => r.workOrder ?? '(none)');

  const strays = [...byRequest.keys()].filter((workOrder) => !requests.has(workOrder));
  expect(strays, 'records no request of this run made').toEqual([]);
  const partial = [...byRequest].filter(([workOrder, rows]) => rows.length !== requests.get(workOrder)!.quantity).map(([w]) => w);
  expect(partial, 'requests committed in part').toEqual([]);
  const misplaced = db.records.filter((r) => r.series !== requests.get(r.workOrder!)!.series).map((r) => r.serial);
  expect(misplaced, 'records in another series than requested').toEqual([]);
  const missing = attempts
    .filter((a) => a.answer !== undefined)
    .filter((a) => JSON.stringify(sorted(a.answer!.serials)) !== JSON.stringify(sorted((byRequest.get(a.workOrder) ?? []).map((r) => r.serial))))
    .map((a) => a.workOrder);
  expect(missing, 'acknowledged requests whose serials are not exactly those stored').toEqual([]);

  const bySeries = groupBy(db.records, (r) => r.series);
  for (const name of SERIES) {
    const rows = bySeries.get(name) ?? [];
    expect(duplicates(rows.map((r) => r.serial)), `serials twice in ${name}`).toEqual([]);
    expect(duplicates(rows.map((r) => String(r.sequence))), `values twice in ${name}`).toEqual([]);
  }
  const global = new Set((bySeries.get(GLOBAL.name) ?? []).map((r) => r.serial));
  const shared = db.records.filter((r) => r.series !== GLOBAL.name && global.has(r.serial)).map((r) => `${r.serial} in ${r.series}`);
  expect(shared, `serials of the global series ${GLOBAL.name} issued elsewhere too`).toEqual([]);

  // One audit entry per committed request, naming exactly its records, which point back at it.
  const entries = groupBy(db.generations, (e) => e.data.workOrder ?? '(none)');
  expect([...entries].filter(([, list]) => list.length !== 1).map(([w]) => w), 'requests audited other than once').toEqual([]);
  expect(sorted([...entries.keys()])).toEqual(sorted([...byRequest.keys()]));
  for (const [workOrder, [entry]] of entries) {
    const rows = byRequest.get(workOrder)!;
    expect(entry!.data.serials, workOrder).toEqual(rows.map((r) => r.serial));
    expect(new Set(rows.map((r) => r.auditSeq)), workOrder).toEqual(new Set([entry!.seq]));
    const attempt = requests.get(workOrder)!;
    if (attempt.answer !== undefined && !attempt.answer.replayed) expect(attempt.answer.skipped, workOrder).toBe(entry!.data.skipped?.length ?? 0);
  }

  // Skips, each justified by a serial committed earlier where the global rule applies.
  const skips = db.generations.flatMap((e) => (e.data.skipped ?? []).map((skip) => ({ ...skip, series: e.data.series, seq: e.seq })));
  const issuedAt = new Map(db.records.map((r) => [`${r.series}/${r.serial}`, r.auditSeq ?? 0]));
  const unjustified = skips
    .filter((s) => {
      const ruled = s.series === GLOBAL.name || s.conflictsWith === GLOBAL.name;
      const earlier = (issuedAt.get(`${s.conflictsWith}/${s.serial}`) ?? Infinity) < s.seq;
      return s.conflictsWith === s.series || !ruled || !earlier;
    })
    .map((s) => `${s.series} skipped ${s.serial} for ${s.conflictsWith} at audit ${s.seq}`);
  expect(unjustified, 'skips without a reason').toEqual([]);

  // No gaps: the values a series used are exactly 1..counter, each issued or skipped, never both.
  for (const name of SERIES) {
    const used = [
      ...(bySeries.get(name) ?? []).map((r) => r.sequence),
      ...skips.filter((s) => s.series === name).map((s) => BigInt(s.sequence)),
    ].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const counter = db.counters.get(name) ?? 0n;
    expect(used.length, `${name} used values other than 1..${counter}`).toBe(Number(counter));
    const gaps = used.filter((value, i) => value !== BigInt(i + 1));
    expect(gaps.slice(0, 5), `${name} has gaps or repeats`).toEqual([]);
  }
  expect(skips.filter((s) => s.series === SHARED.name)).toEqual([]);

  // The servers still up logged no error, answer for the same database, and the chain holds.
  const up = space.servers.filter((s) => s.child.exitCode === null && s.child.signalCode === null);
  for (const server of up) expect(server.logs().filter((line) => Number(line['level']) >= 50)).toEqual([]);
  const server = up[0]!;
  for (const name of SERIES) {
    const listed: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await http(server.url, 'GET', `/api/v1/records?series=${name}&limit=1000${cursor === null ? '' : `&cursor=${cursor}`}`, {
        headers: space.admin,
      });
      expect(page.status, page.text).toBe(200);
      listed.push(...page.json.records.map((r: { serial: string }) => r.serial));
      cursor = page.json.nextCursor;
    } while (cursor !== null);
    expect(sorted(listed), `${name} as the API lists it`).toEqual(sorted((bySeries.get(name) ?? []).map((r) => r.serial)));
  }
  const verify = await http(server.url, 'GET', '/api/v1/audit/verify', { headers: space.admin });
  expect(verify.json).toMatchObject({ valid: true, firstBreak: null, checked: db.chainLength });

  return {
    serials: db.records.length,
    perSeries: Object.fromEntries(SERIES.map((name) => [name, bySeries.get(name)?.length ?? 0])),
    skipped: skips.length,
    auditEntries: db.chainLength,
  };
}

describe('four servers on one PostgreSQL schema', () => {
  const space = cluster();

  it('start together with one admin, and 32 clients across them get every serial once, without a gap', async () => {
    await expectOneInstallation(space);
    const load = await drive(space, 'steady');
    expect(load.attempts).toHaveLength(CLIENTS * REQUESTS_PER_CLIENT);
    expect(load.attempts.filter((a) => a.answer === undefined)).toEqual([]);
    const stats = await expectConsistent(space, load.attempts);
    // Same-text series must have collided, or the global rule was never put to the test.
    expect(stats.skipped).toBeGreaterThan(0);
    console.info(`steady: ${load.attempts.length} requests in ${load.seconds.toFixed(1)} s, ${JSON.stringify(stats)}`);
    expect(await Promise.all(space.servers.map((server) => server.stop()))).toEqual(Array(SERVERS).fill(0));
  });
});

describe('four servers on one PostgreSQL schema, one of them SIGKILLed under load', () => {
  const space = cluster();
  const victim = 2;

  it('lose only the answers in flight; the others keep answering, and nothing is issued twice or left as a gap', async () => {
    await expectOneInstallation(space);
    const load = await drive(space, 'kill', { server: victim, afterAcknowledged: Math.floor((CLIENTS * REQUESTS_PER_CLIENT) / 3) });
    expect(await space.servers[victim]!.exited).toBeNull();

    const lost = load.attempts.filter((a) => a.lost !== undefined);
    // Each client of the killed server loses one request (in flight, or refused when it next tried)
    // and moves on; nobody else loses any.
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.every((a) => a.server === victim)).toBe(true);
    expect(duplicates(lost.map((a) => String(a.client)))).toEqual([]);
    for (const [i, server] of space.servers.entries()) {
      if (i === victim) continue;
      const after = load.attempts.filter((a) => a.server === i && a.sentAfterKill && a.answer !== undefined);
      expect(after.length, `server ${i} answered nothing after the kill:\n${server.stderr()}`).toBeGreaterThan(0);
    }
    const stats = await expectConsistent(space, load.attempts);

    // A client retries what it lost under the same Idempotency-Key, on a server still up: a
    // request that had committed is replayed with its serials, one that had not is issued now.
    const committed = new Set((await readDatabase(space.schema)).records.map((r) => r.workOrder));
    const survivor = space.servers[(victim + 1) % SERVERS]!;
    for (const attempt of lost) {
      const retry = await http(survivor.url, 'POST', `/api/v1/series/${attempt.series}/serials`, {
        headers: { ...space.operator, 'idempotency-key': attempt.workOrder },
        body: { quantity: attempt.quantity, workOrder: attempt.workOrder },
      });
      expect(retry.status, retry.text).toBe(201);
      expect(retry.json.replayed, attempt.workOrder).toBe(committed.has(attempt.workOrder));
      attempt.answer = { serials: retry.json.serials, skipped: retry.json.skipped, replayed: retry.json.replayed };
    }
    const after = await expectConsistent(space, load.attempts);
    expect(after.serials).toBe(load.attempts.reduce((n, a) => n + a.quantity, 0));

    const replayed = lost.filter((a) => a.answer?.replayed === true).length;
    console.info(
      `kill: ${load.attempts.length} requests in ${load.seconds.toFixed(1)} s, lost ${lost.length} (${lost.map((a) => a.lost).join(', ')}), ` +
        `${replayed} of them had committed; before retries ${JSON.stringify(stats)}, after ${JSON.stringify(after)}`,
    );
    for (const [i, server] of space.servers.entries()) if (i !== victim) expect(await server.stop(), `server ${i}`).toBe(0);
  });
});
