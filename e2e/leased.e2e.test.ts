import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema, journalSealed, TEST_DATABASE_URL, uniqueSchema, withPgClient } from './postgres-schema.js';
import { duplicates, groupBy, sorted } from './checks.js';
import { http, signIn, startServer, startServers, type HttpAnswer, type ServerProcess } from './server-process.js';

/**
 * Leased allocation across four `serialtrace-server` processes on one PostgreSQL schema: each
 * server issues from blocks it leased, one is SIGKILLed with a block half used, and every value of
 * the series must still end up issued once or recorded as skipped by a `serials.lease_released`
 * entry: the dead server's block once its lease expired, the survivors' blocks when they stop.
 * The database is read with a connection of its own, not through the servers.
 */

const PASSWORD = 'e2e-admin-password';
const SERVERS = 4;
const CLIENTS = 32;
const REQUESTS_PER_CLIENT = 25;
const BATCH = 10;
/** Short, so the dead server's lease expires within the test; the default is 300 s. */
const LEASE_SECONDS = 2;
const LEASE_SIZE = 25;
/** More than a lease holds, so a request of this size always makes its server take a new lease. */
const BEYOND_LEASE = 30;
const VICTIM = 2;

/** Nothing else prints `D-`, and it is not global: every value is issued or released unused, none skipped for a clash. */
const SERIES = { name: 'Documents', format: 'D-{########}', allocation: 'leased', leaseSize: LEASE_SIZE };

interface Cluster {
  readonly schema: string;
  /** A temporary directory, for the SQLite file the servers are told of and must not open. */
  dir: string;
  /** The four servers of the run, then the one started to verify the chain. */
  servers: ServerProcess[];
  admin: Record<string, string>;
  operator: Record<string, string>;
}

function serverEnv(schema: string): Record<string, string> {
  return {
    SERIALTRACE_DATABASE_URL: TEST_DATABASE_URL,
    SERIALTRACE_DATABASE_SCHEMA: schema,
    SERIALTRACE_ADMIN_PASSWORD: PASSWORD,
    SERIALTRACE_LOG_LEVEL: 'warn',
    SERIALTRACE_LEASE_SECONDS: String(LEASE_SECONDS),
  };
}

/** Four servers on a fresh schema, the leased series and an operator key; all of it removed at the end. */
function cluster(): Cluster {
  const space: Cluster = { schema: uniqueSchema('e2e_leased'), dir: '', servers: [], admin: {}, operator: {} };
  beforeAll(async () => {
    space.dir = mkdtempSync(join(tmpdir(), 'serialtrace-leased-e2e-'));
    const unused = join(space.dir, 'unused.db');
    space.servers = await startServers(SERVERS, unused, serverEnv(space.schema));
    expect(existsSync(unused), 'a server opened the SQLite file instead of PostgreSQL').toBe(false);
    space.admin = await signIn(space.servers[0]!.url, 'admin', PASSWORD);
    const created = await http(space.servers[1]!.url, 'POST', '/api/v1/series', { headers: space.admin, body: SERIES });
    expect(created.status, created.text).toBe(201);
    const key = await http(space.servers[3]!.url, 'POST', '/api/v1/api-keys', { headers: space.admin, body: { name: 'Document printer', role: 'operator' } });
    expect(key.status, key.text).toBe(201);
    space.operator = { authorization: `Bearer ${key.json.key}` };
  }, 60_000);
  afterAll(async () => {
    await Promise.all(space.servers.map((server) => server.stop('SIGKILL')));
    await dropSchema(space.schema);
    if (space.dir !== '') rmSync(space.dir, { recursive: true, force: true });
  });
  return space;
}

/** One generation request as a client sent it, and what became of it. */
interface Attempt {
  readonly quantity: number;
  /** Unique per request, and its Idempotency-Key: the request's records carry it. */
  readonly workOrder: string;
  readonly server: number;
  readonly sentAfterKill: boolean;
  answer?: { serials: string[]; replayed: boolean };
  /** Why no answer came: the request may or may not have committed. */
  lost?: string;
}

function connectionFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? String(error);
}

function generate(space: Cluster, server: number, attempt: Pick<Attempt, 'quantity' | 'workOrder'>): Promise<HttpAnswer> {
  return http(space.servers[server]!.url, 'POST', `/api/v1/series/${SERIES.name}/serials`, {
    headers: { ...space.operator, 'idempotency-key': attempt.workOrder },
    body: { quantity: attempt.quantity, workOrder: attempt.workOrder },
  });
}

/** Sends one request that must be answered, and records its answer. */
async function generateAnswered(space: Cluster, server: number, attempt: Attempt): Promise<Attempt> {
  const answer = await generate(space, server, attempt);
  expect(answer.status, `${attempt.workOrder}: ${answer.text}`).toBe(201);
  expect(answer.json.serials).toHaveLength(attempt.quantity);
  attempt.answer = { serials: answer.json.serials, replayed: answer.json.replayed };
  return attempt;
}

/** The pid in a lease owner `hostname:pid:random`. */
const ownerPid = (owner: string) => Number(owner.split(':').at(-2));

/** The open leases of one server process, as committed. */
async function openLeasesOf(schema: string, pid: number): Promise<{ used: bigint; last: bigint }[]> {
  return withPgClient(schema, async (client) => {
    const rows = await client.query<{ owner: string; used: string; last_value: string }>(
      'SELECT owner, used, last_value FROM counter_leases WHERE released_at IS NULL ORDER BY id',
    );
    return rows.rows.filter((r) => ownerPid(r.owner) === pid).map((r) => ({ used: BigInt(r.used), last: BigInt(r.last_value) }));
  });
}

/**
 * SIGKILLs the server while its lease still holds values it has not issued, so that their release
 * as `expired` is certain to be audited (a lease used up to its last value releases nothing). The
 * server is stopped (SIGSTOP) while its committed lease is read: it cannot commit meanwhile, and
 * what it has not committed is rolled back when it dies. A lease found used up lets it run on for a
 * moment before the next look.
 */
async function killHoldingValues(server: ServerProcess, schema: string, onKill: () => void): Promise<number> {
  const pid = server.child.pid!;
  for (let look = 1; ; look++) {
    server.child.kill('SIGSTOP');
    // A COMMIT already written to the socket is still carried out; let PostgreSQL get to it.
    await sleep(150);
    const open = await openLeasesOf(schema, pid);
    if (open.some((lease) => lease.used < lease.last) || look === 40) {
      onKill();
      await server.stop('SIGKILL');
      return look;
    }
    server.child.kill('SIGCONT');
    await sleep(100);
  }
}

/**
 * {@link CLIENTS} clients round-robin over the servers, each sending {@link REQUESTS_PER_CLIENT}
 * requests one after another, single serials and batches of {@link BATCH} alternately, each
 * under its own Idempotency-Key. Once two thirds of them are acknowledged, the victim is SIGKILLed;
 * each of its clients records the request that failed as lost and moves on to the next server up.
 */
async function drive(space: Cluster): Promise<{ attempts: Attempt[]; seconds: number; killing: Promise<number> }> {
  const attempts: Attempt[] = [];
  const down = new Set<number>();
  let killed = false;
  let killing: Promise<number> | undefined;
  let acknowledged = 0;
  // Late, so that the load usually ends before the victim's lease expires and the survivors'
  // new leases afterwards are what release it.
  const killAfter = Math.floor((CLIENTS * REQUESTS_PER_CLIENT * 2) / 3);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      let server = client % SERVERS;
      for (let i = 0; i < REQUESTS_PER_CLIENT; i++) {
        const attempt: Attempt = { quantity: i % 2 === 0 ? 1 : BATCH, workOrder: `WO-load-${client}-${i}`, server, sentAfterKill: killed };
        attempts.push(attempt);
        let answer: HttpAnswer;
        try {
          answer = await generate(space, server, attempt);
        } catch (error) {
          if (!killed || server !== VICTIM) throw new Error(`${attempt.workOrder} on server ${server} got no answer`, { cause: error });
          attempt.lost = connectionFailure(error);
          down.add(server);
          while (down.has(server)) server = (server + 1) % SERVERS;
          continue;
        }
        expect(answer.status, `${attempt.workOrder}: ${answer.text}`).toBe(201);
        expect(answer.json.serials).toHaveLength(attempt.quantity);
        expect(answer.json.replayed).toBe(false);
        attempt.answer = { serials: answer.json.serials, replayed: false };
        acknowledged += 1;
        if (killing === undefined && acknowledged >= killAfter) {
          killing = killHoldingValues(space.servers[VICTIM]!, space.schema, () => (killed = true));
        }
      }
    }),
  );
  return { attempts, seconds: (performance.now() - started) / 1000, killing: killing ?? Promise.reject(new Error('the load ended before the victim was to be killed')) };
}

interface Release {
  readonly seq: number;
  readonly actor: string;
  readonly data: {
    series: string;
    period: string;
    owner: string;
    reason: string;
    skipped: { first: string; last: string; count: string };
  };
}

interface LeaseRow {
  readonly id: number;
  readonly owner: string;
  readonly used: bigint;
  readonly last: bigint;
  readonly released: boolean;
}

/** Everything the servers committed, read straight from PostgreSQL. */
async function readDatabase(schema: string) {
  await journalSealed(schema);
  return withPgClient(schema, async (client) => {
    const records = await client.query<{ serial: string; sequence: string; work_order: string | null; audit_seq: string | null }>(
      'SELECT serial, sequence, work_order, (SELECT j.seq FROM journal j WHERE j.id = records.audit_id) AS audit_seq FROM records ORDER BY id',
    );
    const generations = await client.query<{ seq: string; data: string }>("SELECT seq, data FROM journal WHERE type = 'serials.generated' ORDER BY seq");
    const releases = await client.query<{ seq: string; actor: string; data: string }>(
      "SELECT seq, actor, data FROM journal WHERE type = 'serials.lease_released' ORDER BY seq",
    );
    const counters = await client.query<{ value: string }>('SELECT value FROM counters');
    const leases = await client.query<{ id: string; owner: string; used: string; last_value: string; released_at: string | null }>(
      'SELECT id, owner, used, last_value, released_at FROM counter_leases ORDER BY id',
    );
    const chain = await client.query<{ n: string }>('SELECT COUNT(*) AS n FROM journal');
    expect(counters.rows, 'one counter: the series has no reset').toHaveLength(1);
    return {
      records: records.rows.map((r) => ({
        serial: r.serial,
        sequence: BigInt(r.sequence),
        workOrder: r.work_order,
        auditSeq: r.audit_seq === null ? null : Number(r.audit_seq),
      })),
      generations: generations.rows.map((e) => ({
        seq: Number(e.seq),
        data: JSON.parse(e.data) as { series: string; serials: string[]; workOrder?: string; skipped?: unknown[] },
      })),
      releases: releases.rows.map((e): Release => ({ seq: Number(e.seq), actor: e.actor, data: JSON.parse(e.data) })),
      counter: BigInt(counters.rows[0]!.value),
      leases: leases.rows.map(
        (l): LeaseRow => ({ id: Number(l.id), owner: l.owner, used: BigInt(l.used), last: BigInt(l.last_value), released: l.released_at !== null }),
      ),
      chainLength: Number(chain.rows[0]!.n),
    };
  });
}

type Database = Awaited<ReturnType<typeof readDatabase>>;

/**
 * The database at a quiet moment, against what the clients saw: each request committed whole or
 * not at all, under one audit entry; every acknowledged serial stored; no serial or value twice;
 * and the values 1..counter each exactly one of issued, skipped by a release entry that matches a
 * released lease, or still held unused by an open lease.
 */
async function expectAccounted(schema: string, attempts: readonly Attempt[]) {
  const db = await readDatabase(schema);
  const requests = new Map(attempts.map((a) => [a.workOrder, a]));
  const byRequest = groupBy(db.records, (r) => r.workOrder ?? '(none)');

  expect([...byRequest.keys()].filter((w) => !requests.has(w)), 'records no request of this run made').toEqual([]);
  expect([...byRequest].filter(([w, rows]) => rows.length !== requests.get(w)!.quantity).map(([w]) => w), 'requests committed in part').toEqual([]);
  const missing = attempts
    .filter((a) => a.answer !== undefined)
    .filter((a) => JSON.stringify(sorted(a.answer!.serials)) !== JSON.stringify(sorted((byRequest.get(a.workOrder) ?? []).map((r) => r.serial))))
    .map((a) => a.workOrder);
  expect(missing, 'acknowledged requests whose serials are not exactly those stored').toEqual([]);
  expect(duplicates(db.records.map((r) => r.serial)), 'serials issued twice').toEqual([]);
  expect(duplicates(db.records.map((r) => String(r.sequence))), 'values issued twice').toEqual([]);

  // One audit entry per committed request, naming exactly its records, which point back at it.
  const entries = groupBy(db.generations, (e) => e.data.workOrder ?? '(none)');
  expect([...entries].filter(([, list]) => list.length !== 1).map(([w]) => w), 'requests audited other than once').toEqual([]);
  expect(sorted([...entries.keys()])).toEqual(sorted([...byRequest.keys()]));
  for (const [workOrder, [entry]] of entries) {
    const rows = byRequest.get(workOrder)!;
    expect(entry!.data.serials, workOrder).toEqual(rows.map((r) => r.serial));
    expect(new Set(rows.map((r) => r.auditSeq)), workOrder).toEqual(new Set([entry!.seq]));
  }
  expect(db.generations.filter((e) => (e.data.skipped?.length ?? 0) > 0), 'values skipped for a clash').toEqual([]);

  // Each release entry is the unused rest of exactly one released lease, and each released lease
  // with an unused rest has its entry.
  for (const r of db.releases) {
    expect(r.data.series).toBe(SERIES.name);
    expect(BigInt(r.data.skipped.count), `release ${r.seq}`).toBe(BigInt(r.data.skipped.last) - BigInt(r.data.skipped.first) + 1n);
  }
  const rangeKey = (owner: string, first: bigint, last: bigint) => `${owner} ${first}..${last}`;
  const released = db.leases.filter((l) => l.released && l.used < l.last).map((l) => rangeKey(l.owner, l.used + 1n, l.last));
  const audited = db.releases.map((r) => rangeKey(r.data.owner, BigInt(r.data.skipped.first), BigInt(r.data.skipped.last)));
  expect(sorted(audited), 'release entries against the released leases with values left').toEqual(sorted(released));

  // 1..counter, each value issued, released unused, or still held: exactly once.
  const pieces: { first: bigint; last: bigint; what: string }[] = [
    ...db.records.map((r) => ({ first: r.sequence, last: r.sequence, what: `issued ${r.serial}` })),
    ...db.releases.map((r) => ({
      first: BigInt(r.data.skipped.first),
      last: BigInt(r.data.skipped.last),
      what: `skipped by ${r.data.reason} release ${r.seq}`,
    })),
    ...db.leases.filter((l) => !l.released && l.used < l.last).map((l) => ({ first: l.used + 1n, last: l.last, what: `held by open lease ${l.id}` })),
  ].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const wrong: string[] = [];
  let next = 1n;
  for (const piece of pieces) {
    if (piece.first !== next) wrong.push(`${piece.what} starts at ${piece.first}, expected ${next}`);
    next = piece.last + 1n;
  }
  if (next !== db.counter + 1n) wrong.push(`the values end at ${next - 1n}, the counter at ${db.counter}`);
  expect(wrong.slice(0, 5), 'values not accounted for exactly once').toEqual([]);

  const held = db.leases.filter((l) => !l.released).reduce((n, l) => n + (l.last - l.used), 0n);
  const skipped = db.releases.reduce((n, r) => n + BigInt(r.data.skipped.count), 0n);
  return {
    db,
    stats: {
      serials: db.records.length,
      skipped: Number(skipped),
      held: Number(held),
      counter: Number(db.counter),
      leases: db.leases.length,
      openLeases: db.leases.filter((l) => !l.released).length,
      releasedByReason: Object.fromEntries([...groupBy(db.releases, (r) => r.data.reason)].map(([reason, list]) => [reason, list.length])),
    },
  };
}

/** The open leases by the pid of the server holding them. */
function leaseHolders(db: Database): Map<number, LeaseRow> {
  return new Map(db.leases.filter((l) => !l.released).map((l) => [ownerPid(l.owner), l]));
}

describe('four servers issuing a leased series on one PostgreSQL schema, one of them SIGKILLed', () => {
  const space = cluster();

  it('issue every value once or audit it as skipped: the dead server\'s lease once expired, the others\' when they stop', async () => {
    const victim = space.servers[VICTIM]!;
    const victimPid = victim.child.pid!;
    const survivors = [...space.servers.keys()].filter((i) => i !== VICTIM);

    const load = await drive(space);
    const looks = await load.killing;
    expect(await victim.exited).toBeNull();
    const lost = load.attempts.filter((a) => a.lost !== undefined);
    expect(lost.length, 'the victim was killed with requests of its clients in flight').toBeGreaterThan(0);
    expect(lost.every((a) => a.server === VICTIM)).toBe(true);
    expect(duplicates(lost.map((a) => a.workOrder.split('-')[2]!)), 'clients that lost more than one request').toEqual([]);
    for (const i of survivors) {
      const after = load.attempts.filter((a) => a.server === i && a.sentAfterKill && a.answer !== undefined);
      expect(after.length, `server ${i} answered nothing after the kill:\n${space.servers[i]!.stderr()}`).toBeGreaterThan(0);
    }
    const { db: afterLoad, stats: loadStats } = await expectAccounted(space.schema, load.attempts);
    const victimLeases = afterLoad.leases.filter((l) => ownerPid(l.owner) === victimPid);
    expect(victimLeases.length, 'the victim leased').toBeGreaterThan(0);
    // Its last lease held values it had not issued (that is when it was killed); unless it expired
    // while the load went on, it is still open.
    const victimLast = victimLeases.at(-1)!;
    expect(victimLast.used < victimLast.last, `the victim's last lease ${victimLast.id} had values left`).toBe(true);
    const openAfterLoad = !victimLast.released;

    // Let the victim's lease expire; the survivors' leases, idle meanwhile, expire too.
    await sleep(LEASE_SECONDS * 1000 + 700);

    // A client retries what it lost under the same Idempotency-Key on a server still up: what had
    // committed is replayed with its serials, the rest is issued now.
    const committed = new Set((await readDatabase(space.schema)).records.map((r) => r.workOrder));
    const retrier = survivors[0]!;
    for (const attempt of lost) {
      await generateAnswered(space, retrier, attempt);
      expect(attempt.answer!.replayed, attempt.workOrder).toBe(committed.has(attempt.workOrder));
    }

    // Each survivor takes new leases; the first new lease taken (here, or by a retry above) releases
    // every expired lease of another server, the victim's above all. Then each makes sure it holds values it has not issued, so that its
    // shutdown has something to release. The survivors go together, so that none of their fresh
    // leases idles long enough to expire and be released by another.
    const extra: Attempt[] = [];
    await Promise.all(
      survivors.map(async (i) => {
        for (let k = 0; k < 2; k++) {
          extra.push(await generateAnswered(space, i, { quantity: BEYOND_LEASE, workOrder: `WO-lease-${i}-${k}`, server: i, sentAfterKill: true }));
        }
      }),
    );
    for (let round = 0; round < 3; round++) {
      const holders = leaseHolders(await readDatabase(space.schema));
      const dry = survivors.filter((i) => {
        const lease = holders.get(space.servers[i]!.child.pid!);
        return lease === undefined || lease.used === lease.last;
      });
      if (dry.length === 0) break;
      await Promise.all(
        dry.map(async (i) => {
          extra.push(await generateAnswered(space, i, { quantity: 1, workOrder: `WO-top-${i}-${round}`, server: i, sentAfterKill: true }));
        }),
      );
    }
    const all = [...load.attempts, ...extra];
    const { db: beforeStop } = await expectAccounted(space.schema, all);
    const holders = leaseHolders(beforeStop);
    expect(holders.has(victimPid), 'the victim\'s lease is still open').toBe(false);
    expect(sorted([...holders.keys()].map(String)), 'open leases').toEqual(sorted(survivors.map((i) => String(space.servers[i]!.child.pid))));
    for (const lease of holders.values()) expect(lease.used < lease.last, `lease ${lease.id} has values left`).toBe(true);

    for (const i of survivors) {
      const server = space.servers[i]!;
      expect(server.logs().filter((line) => Number(line['level']) >= 50), `server ${i} logged errors`).toEqual([]);
    }
    for (const i of survivors) expect(await space.servers[i]!.stop(), `server ${i} on SIGTERM`).toBe(0);

    // A server started now on the same schema recomputes the chain over everything, releases included.
    const verifier = await startServer(join(space.dir, 'unused.db'), serverEnv(space.schema));
    space.servers.push(verifier);
    const verify = await http(verifier.url, 'GET', '/api/v1/audit/verify', { headers: space.admin });
    const { db, stats } = await expectAccounted(space.schema, all);
    expect(verify.json).toMatchObject({ valid: true, firstBreak: null, checked: db.chainLength });
    expect(await verifier.stop()).toBe(0);

    expect(db.leases.filter((l) => !l.released), 'leases left open').toEqual([]);
    expect(stats.serials).toBe(all.reduce((n, a) => n + a.quantity, 0));
    const byOwner = groupBy(db.releases, (r) => String(ownerPid(r.data.owner)));
    const victimReleases = byOwner.get(String(victimPid)) ?? [];
    // Released by another server once expired, never for another reason: it could not stop cleanly.
    expect(victimReleases.length, 'releases of the victim\'s leases').toBeGreaterThan(0);
    expect(victimReleases.filter((r) => r.data.reason !== 'expired'), 'the victim\'s leases released other than expired').toEqual([]);
    const lastRange = victimReleases.map((r) => `${r.data.skipped.first}..${r.data.skipped.last}`);
    expect(lastRange, 'the victim\'s last lease released').toContain(`${victimLast.used + 1n}..${victimLast.last}`);
    for (const i of survivors) {
      const { pid } = space.servers[i]!.child;
      const shutdowns = (byOwner.get(String(pid)) ?? []).filter((r) => r.data.reason === 'shutdown');
      expect(shutdowns, `server ${i}'s shutdown release`).toHaveLength(1);
      expect(shutdowns[0]!.actor, 'a server releases its own leases when it stops').toBe(`server:${shutdowns[0]!.data.owner}`);
    }
    for (const r of db.releases.filter((r) => r.data.reason === 'expired')) {
      expect(r.actor, `expired release ${r.seq} by another server`).not.toBe(`server:${r.data.owner}`);
    }
    expect(sorted([...new Set(db.releases.map((r) => r.data.reason))]), 'release reasons').toEqual(['expired', 'shutdown']);

    const replayed = lost.filter((a) => a.answer?.replayed === true).length;
    console.info(
      `leased: ${load.attempts.length} requests in ${load.seconds.toFixed(1)} s, victim killed after ${looks} look(s) at its lease, lost ${lost.length} (${lost.map((a) => a.lost).join(', ')}), ` +
        `${replayed} of them had committed; the victim's lease ${openAfterLoad ? 'open' : 'already released'} after the load; after the load ${JSON.stringify(loadStats)}, at the end ${JSON.stringify(stats)}`,
    );
  });
});
