import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '@serialtrace/core';
import { createSerialtrace, type Caller, type Serialtrace } from '@serialtrace/service';
import { ENGINES, type Engine } from './engines.js';
import { ManualClock, refused } from './harness.js';
const TTL_MS = 60_000;

/** Two servers (two stores, two lease owners) on one database, with one clock. */
interface Servers {
  readonly a: Serialtrace;
  readonly b: Serialtrace;
  readonly clock: ManualClock;
  /** A one-shot process, as the CLI is: it holds no lease past a request. */
  oneShot(): Serialtrace;
  close(): Promise<void>;
}

function openServers(engine: Engine): Servers {
  const { stores, cleanup } = engine.open();
  const clock = new ManualClock('2025-06-15T10:00:00Z');
  const app = (owner: string, hold = true) => {
    const store = stores();
    return createSerialtrace({ store, clock, defaultTimeZone: 'UTC', leases: { owner, ttlMs: TTL_MS, hold } });
  };
  let shots = 0;
  return {
    a: app('server-a'),
    b: app('server-b'),
    clock,
    oneShot: () => app(`cli-${++shots}`, false),
    async close() {
      await cleanup();
    },
  };
}

const caller: Caller = { companyId: 1, actor: 'tester', station: 'ST-1' };

async function allEntries(app: Serialtrace): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  for await (const entry of app.audit.entries(caller)) entries.push(entry);
  return entries;
}

/** Sequence values of a series, from its records. */
async function issuedSequences(app: Serialtrace, series: string): Promise<bigint[]> {
  const values: bigint[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await app.records.search(caller, { series, limit: 500, ...(cursor === undefined ? {} : { cursor }) });
    values.push(...page.records.map((r) => BigInt(r.sequence)));
    if (page.nextCursor === null) break;
    cursor = page.nextCursor;
  }
  return values.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

/** Sequence values recorded as skipped by released leases. */
function leaseSkips(entries: readonly AuditEntry[], series: string): bigint[] {
  const values: bigint[] = [];
  for (const e of entries) {
    if (e.action !== 'serials.lease_released') continue;
    const data = e.data as { series: string; skipped: { first: string; last: string } };
    if (data.series !== series) continue;
    for (let v = BigInt(data.skipped.first); v <= BigInt(data.skipped.last); v++) values.push(v);
  }
  return values;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => BigInt(from + i));
const sorted = (values: bigint[]) => [...values].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));

for (const engine of ENGINES) {
  describe(`leased allocation (${engine.name})`, () => {
    let servers: Servers;

    beforeEach(() => {
      servers = openServers(engine);
    });
    afterEach(async () => {
      await servers.close();
    });

    async function leasedSeries(name = 'Tags', extra: Record<string, unknown> = {}) {
      await servers.a.series.create(caller, { name, format: 'T-{######}', allocation: 'leased', leaseSize: 10, ...extra });
    }

    it('issues from a block per server, never one value twice, and accounts for every value once leases end', async () => {
      await leasedSeries();
      const requests = Array.from({ length: 40 }, (_, i) =>
        (i % 2 === 0 ? servers.a : servers.b).generation.generate(caller, 'Tags', { quantity: 1 + (i % 3) }),
      );
      const results = await Promise.all(requests);
      const serials = results.flatMap((r) => r.serials);
      expect(new Set(serials).size).toBe(serials.length);
      expect(serials).toHaveLength(results.reduce((n, r) => n + r.serials.length, 0));

      // Server A's serials come from blocks of ten that B never touches.
      const blocks = (app: number) =>
        new Set(results.filter((_, i) => i % 2 === app).flatMap((r) => r.serials.map((s) => Math.floor((Number(s.slice(2)) - 1) / 10))));
      const fromA = blocks(0);
      for (const block of blocks(1)) expect(fromA.has(block)).toBe(false);

      expect(await servers.a.generation.releaseLeases()).toBeGreaterThan(0);
      expect(await servers.b.generation.releaseLeases()).toBeGreaterThan(0);
      const counter = BigInt((await servers.a.series.get(caller, 'Tags')).current.value);
      const entries = await allEntries(servers.a);
      const issued = await issuedSequences(servers.a, 'Tags');
      expect(sorted([...issued, ...leaseSkips(entries, 'Tags')])).toEqual(range(1, Number(counter)));
      const released = entries.filter((e) => e.action === 'serials.lease_released');
      expect(released.every((e) => e.actor.startsWith('server:') && (e.data as { reason: string }).reason === 'shutdown')).toBe(true);
      expect((await servers.a.audit.verify(caller)).valid).toBe(true);
      // Nothing is left to release.
      expect(await servers.a.generation.releaseLeases()).toBe(0);
    });

    it('keeps one open lease per server when its first requests of a series run side by side', async () => {
      await leasedSeries();
      // Each server's first requests do not know yet that the series is leased: they run in
      // transactions of their own, at once, and must still share one lease.
      await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? servers.a : servers.b).generation.generate(caller, 'Tags', { quantity: 1 + (i % 3) })));
      await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? servers.a : servers.b).generation.generate(caller, 'Tags', { quantity: 1 + (i % 3) })));
      const released = async (app: Serialtrace) => {
        await app.generation.releaseLeases();
        return (await allEntries(app)).filter((e) => e.action === 'serials.lease_released' && (e.data as { reason: string }).reason === 'shutdown');
      };
      const byA = (await released(servers.a)).length;
      const byB = (await released(servers.b)).length - byA;
      expect([byA, byB].map((n) => n <= 1)).toEqual([true, true]);
    });

    it('writes one audit entry per request, naming its own caller, when requests share a transaction', async () => {
      await leasedSeries();
      await servers.a.generation.generate(caller, 'Tags'); // the first request learns that the series is leased
      const others: Caller[] = Array.from({ length: 12 }, (_, i) => ({ companyId: 1, actor: `key:k${i}`, station: `ST-${i}` }));
      const results = await Promise.all(others.map((c) => servers.a.generation.generate(c, 'Tags', { quantity: 2, workOrder: `WO-${c.actor}` })));
      const entries = (await allEntries(servers.a)).filter((e) => e.action === 'serials.generated');
      expect(entries).toHaveLength(13);
      for (const [i, c] of others.entries()) {
        const entry = entries.find((e) => e.actor === c.actor)!;
        expect(entry.station).toBe(c.station);
        expect((entry.data as { serials: string[] }).serials).toEqual(results[i]!.serials);
        const record = await servers.a.records.get(caller, results[i]!.serials[0]!);
        expect(record.workOrder).toBe(`WO-${c.actor}`);
        expect(record.audit.map((a) => a.seq)).toContain(entry.seq);
      }
      expect((await servers.a.audit.verify(caller)).valid).toBe(true);
    });

    it('refuses a bad request alone while the rest of its batch is served', async () => {
      await leasedSeries('Lines', { format: 'L{LINE}-{####}' });
      await servers.a.generation.generate(caller, 'Lines', { context: { LINE: '1' } });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 9 }, (_, i) =>
          servers.a.generation.generate(caller, 'Lines', i === 4 ? {} : { context: { LINE: String(i) } }),
        ),
      );
      expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(1);
      const rejected = outcomes[4] as PromiseRejectedResult;
      expect((rejected.reason as { code: string }).code).toBe('CONTEXT_MISSING');
      expect((await issuedSequences(servers.a, 'Lines'))).toEqual(range(1, 9));
      expect((await servers.a.audit.verify(caller)).valid).toBe(true);
    });

    it('replays a repeated request and refuses a changed one under the same key', async () => {
      await leasedSeries();
      const first = await servers.a.generation.generate(caller, 'Tags', { quantity: 3, idempotencyKey: 'K-1' });
      const again = await Promise.all([1, 2, 3].map(() => servers.a.generation.generate(caller, 'Tags', { quantity: 3, idempotencyKey: 'K-1' })));
      for (const r of again) expect(r).toEqual({ ...first, replayed: true });
      expect(await servers.b.generation.generate(caller, 'Tags', { quantity: 3, idempotencyKey: 'K-1' })).toEqual({ ...first, replayed: true });
      await refused(servers.a.generation.generate(caller, 'Tags', { quantity: 4, idempotencyKey: 'K-1' }), 'IDEMPOTENCY_KEY_REUSED');
      expect(await issuedSequences(servers.a, 'Tags')).toEqual(range(1, 3));
    });

    it('uses up its own lease first and refuses what the series cannot give, consuming nothing', async () => {
      // Nine values in all (S-1 .. S-9), leased four at a time.
      await servers.a.series.create(caller, { name: 'Small', format: 'S-{#}', minLength: 1, allocation: 'leased', leaseSize: 4 });
      expect((await servers.a.generation.generate(caller, 'Small', { quantity: 3 })).serials).toEqual(['S-1', 'S-2', 'S-3']);
      expect((await servers.b.generation.generate(caller, 'Small', { quantity: 1 })).serials).toEqual(['S-5']);
      // A holds S-4, B holds S-6 .. S-8, the counter has S-9 left: A can have two, not three.
      const error = await refused(servers.a.generation.generate(caller, 'Small', { quantity: 3 }), 'SERIES_EXHAUSTED');
      expect(error.details).toMatchObject({ requested: 3, remaining: '2' });
      expect((await servers.a.generation.generate(caller, 'Small', { quantity: 2 })).serials).toEqual(['S-4', 'S-9']);
      expect((await servers.b.generation.generate(caller, 'Small', { quantity: 3 })).serials).toEqual(['S-6', 'S-7', 'S-8']);
      await refused(servers.b.generation.generate(caller, 'Small'), 'SERIES_EXHAUSTED');
      expect(await issuedSequences(servers.a, 'Small')).toEqual(range(1, 9));
    });

    it('releases a stopped server’s expired lease when another server next leases, recording what it skipped', async () => {
      await leasedSeries();
      await servers.a.generation.generate(caller, 'Tags', { quantity: 2 }); // A leases 1..10, issues 1..2, then "crashes"
      servers.clock.advance(TTL_MS + 1000);
      await servers.b.generation.generate(caller, 'Tags', { quantity: 1 }); // B leases 11..20
      const entries = await allEntries(servers.b);
      const release = entries.find((e) => e.action === 'serials.lease_released')!;
      expect(release.actor).toBe('server:server-b');
      expect(release.data).toMatchObject({ series: 'Tags', owner: 'server-a', reason: 'expired', skipped: { first: '3', last: '10', count: '8' } });
      expect(sorted([...(await issuedSequences(servers.a, 'Tags')), ...leaseSkips(entries, 'Tags')])).toEqual(range(1, 11));
    });

    it('releases its lease of a period that is over when it first leases in the next', async () => {
      await leasedSeries('Daily', { format: 'D{YY}{MM}{DD}-{####}', reset: 'daily' });
      await servers.a.generation.generate(caller, 'Daily', { quantity: 4 });
      servers.clock.advance(24 * 3_600_000);
      const next = await servers.a.generation.generate(caller, 'Daily');
      expect(next.serials).toEqual(['D250616-0001']);
      const release = (await allEntries(servers.a)).find((e) => e.action === 'serials.lease_released')!;
      expect(release.data).toMatchObject({ period: '2025-06-15', reason: 'period_ended', skipped: { first: '5', last: '10' } });
    });

    it('leaves no lease behind in a one-shot process: what it leases, it issues', async () => {
      await leasedSeries();
      for (let i = 0; i < 3; i++) await servers.oneShot().generation.generate(caller, 'Tags', { quantity: 2 });
      expect(await issuedSequences(servers.a, 'Tags')).toEqual(range(1, 6));
      expect((await servers.a.series.get(caller, 'Tags')).current.value).toBe('6');
      expect((await allEntries(servers.a)).some((e) => e.action === 'serials.lease_released')).toBe(false);
    });

    it('skips values whose serial a global series holds, and still gives every serial asked for', async () => {
      await servers.a.series.create(caller, { name: 'Global', format: 'T-{######}', global: true });
      await servers.a.generation.generate(caller, 'Global', { quantity: 3 }); // T-000001 .. T-000003
      await leasedSeries();
      const result = await servers.a.generation.generate(caller, 'Tags', { quantity: 5 });
      expect(result.serials).toEqual(['T-000004', 'T-000005', 'T-000006', 'T-000007', 'T-000008']);
      expect(result.skipped).toBe(3);
    });

    it('notices when another server changed a series it holds a copy of', async () => {
      await servers.a.series.create(caller, { name: 'Plain', format: 'P-{####}' });
      expect((await servers.a.generation.generate(caller, 'Plain')).serials).toEqual(['P-0001']);
      await servers.b.series.update(caller, 'Plain', { increment: 10 });
      expect((await servers.a.generation.generate(caller, 'Plain')).serials).toEqual(['P-0011']);
      await servers.b.series.update(caller, 'Plain', { name: 'Renamed' });
      await refused(servers.a.generation.generate(caller, 'Plain'), 'SERIES_NOT_FOUND');
      expect((await servers.a.generation.generate(caller, 'Renamed')).serials).toEqual(['P-0021']);
      await servers.b.series.update(caller, 'Renamed', { allocation: 'leased', leaseSize: 5 });
      expect((await servers.a.generation.generate(caller, 'Renamed')).serials).toEqual(['P-0031']);
      // A leased the values up to 71 (five steps of ten); B's lease follows.
      expect((await servers.b.generation.generate(caller, 'Renamed')).serials).toEqual(['P-0081']);
    });

    it('ends the leases of a series that turns gapless, and issues from its counter after them', async () => {
      await leasedSeries();
      await servers.a.generation.generate(caller, 'Tags', { quantity: 2 });
      await servers.b.generation.generate(caller, 'Tags', { quantity: 1 });
      await servers.a.series.update(caller, 'Tags', { allocation: 'gapless' });
      const entries = await allEntries(servers.a);
      expect(leaseSkips(entries, 'Tags')).toEqual([...range(3, 10), ...range(12, 20)]);
      expect((await servers.b.generation.generate(caller, 'Tags')).serials).toEqual(['T-000021']);
      expect((await servers.a.generation.generate(caller, 'Tags')).serials).toEqual(['T-000022']);
    });
  });
}
