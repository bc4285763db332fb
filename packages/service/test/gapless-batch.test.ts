import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SerialtraceError, type AuditEntry } from '@serialtrace/core';
import { createSerialtrace, type Caller, type GenerateResult, type Serialtrace } from '@serialtrace/service';
import type { Store } from '@serialtrace/store';
import { ENGINES } from './engines.js';
import { ManualClock } from './harness.js';

/*
 * On PostgreSQL, gapless requests of a company that arrive while one of its transactions runs are
 * served together by the next one (SQLite's group commit shares the commit instead). Every promise
 * of one-request-one-transaction must still hold: each request's serials are consecutive and
 * answered only once committed, the series stays gapless, every request has its own audit entry
 * under its own caller, and a refusal or a skip is the request's
 * own, as when it runs alone.
 */

/** The store's units of work, counted: fewer units than requests shows requests were served together. */
function counting(store: Store): { store: Store; writes: () => number } {
  let writes = 0;
  const counted = new Proxy(store, {
    get(target, property) {
      if (property === 'write') {
        return <T>(work: Parameters<Store['write']>[0]) => {
          writes += 1;
          return target.write(work) as Promise<T>;
        };
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: counted, writes: () => writes };
}

const callerN = (n: number): Caller => ({ companyId: 1, actor: `operator-${n}`, station: `ST-${n % 4}`, line: 'L1' });

async function allEntries(app: Serialtrace): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  for await (const entry of app.audit.entries(callerN(0))) entries.push(entry);
  return entries;
}

const sequenceOf = (serial: string) => Number(/(\d+)$/.exec(serial)![1]);

for (const engine of ENGINES) {
  describe(`gapless generation in batches: ${engine.name}`, () => {
    let cleanup: () => Promise<void>;
    let servers: { app: Serialtrace; writes: () => number }[];

    beforeEach(() => {
      const opened = engine.open();
      cleanup = opened.cleanup;
      const clock = new ManualClock('2025-06-15T10:00:00Z');
      servers = [0, 1].map(() => {
        const { store, writes } = counting(opened.stores());
        return { app: createSerialtrace({ store, clock, defaultTimeZone: 'UTC' }), writes };
      });
    });

    afterEach(async () => {
      await cleanup();
    });

    it('serves requests that arrive together, each consecutive, the series gapless, each audited under its caller', async () => {
      const [a, b] = servers as [(typeof servers)[0], (typeof servers)[0]];
      for (const name of ['One', 'Two', 'Three']) {
        await a.app.series.create(callerN(0), { name, format: `${name[0]}-{######}` });
        // Each server learns the series (its first request goes alone).
        await a.app.generation.generate(callerN(0), name);
        await b.app.generation.generate(callerN(0), name);
      }
      const before = a.writes() + b.writes();
      const requests = Array.from({ length: 60 }, (_, i) => ({ server: i % 2 === 0 ? a : b, series: ['One', 'Two', 'Three'][i % 3]!, quantity: (i % 4) + 1, caller: callerN(i + 1) }));
      const results = await Promise.all(requests.map((r) => r.server.app.generation.generate(r.caller, r.series, { quantity: r.quantity, workOrder: `WO-${r.caller.actor}` })));
      // PostgreSQL serves them in fewer transactions; SQLite's group commit shares the commit instead.
      if (engine.name === 'postgres') expect(a.writes() + b.writes() - before).toBeLessThan(requests.length);
      else expect(a.writes() + b.writes() - before).toBe(requests.length);

      results.forEach((result, i) => {
        expect(result.serials).toHaveLength(requests[i]!.quantity);
        expect(result.skipped).toBe(0);
        const values = result.serials.map(sequenceOf);
        expect(values).toEqual(values.map((_, k) => values[0]! + k));
      });
      for (const name of ['One', 'Two', 'Three']) {
        const issued = results.filter((_, i) => requests[i]!.series === name).flatMap((r) => r.serials.map(sequenceOf));
        issued.push(1, 2);
        issued.sort((x, y) => x - y);
        expect(issued).toEqual(issued.map((_, k) => k + 1));
      }

      const entries = (await allEntries(a.app)).filter((e) => e.action === 'serials.generated' && e.actor !== 'operator-0');
      expect(entries).toHaveLength(requests.length);
      for (const [i, request] of requests.entries()) {
        const entry = entries.find((e) => (e.data as { serials: string[] }).serials[0] === results[i]!.serials[0] && (e.data as { series: string }).series === request.series)!;
        expect(entry).toMatchObject({ actor: request.caller.actor, station: request.caller.station, line: 'L1' });
        expect((entry.data as { serials: string[]; workOrder: string }).serials).toEqual(results[i]!.serials);
        const record = await a.app.records.get(callerN(0), results[i]!.serials.at(-1)!, { series: request.series });
        expect(record).toMatchObject({ workOrder: `WO-${request.caller.actor}`, generatedBy: request.caller.actor });
      }
      expect((await a.app.audit.verify(callerN(0))).valid).toBe(true);
    });

    it('gives a refusal to the request it belongs to and serves the others of its batch', async () => {
      const { app } = servers[0]!;
      await app.series.create(callerN(0), { name: 'Small', format: 'S-{#}', minLength: 1 });
      await app.series.create(callerN(0), { name: 'Plain', format: 'P-{####}' });
      await app.generation.generate(callerN(0), 'Small');
      await app.generation.generate(callerN(0), 'Plain');
      // Values 2..9 are left in Small: two requests of 3 fit, the third and fourth do not.
      const settled = await Promise.allSettled([
        app.generation.generate(callerN(1), 'Plain'),
        app.generation.generate(callerN(2), 'Small', { quantity: 3 }),
        app.generation.generate(callerN(3), 'Small', { quantity: 3 }),
        app.generation.generate(callerN(4), 'Small', { quantity: 3 }),
        app.generation.generate(callerN(5), 'Plain', { lot: 'L-1' }),
        app.generation.generate(callerN(6), 'Small', { quantity: 3 }),
        app.generation.generate(callerN(7), 'Plain'),
      ]);
      const codes = settled.map((s) => (s.status === 'fulfilled' ? 'ok' : (s.reason as SerialtraceError).code));
      expect(codes.filter((c) => c === 'ok')).toHaveLength(4);
      expect(codes[4]).toBe('VALUE_INVALID');
      expect(codes.filter((c) => c === 'SERIES_EXHAUSTED')).toHaveLength(2);
      const served = settled.flatMap((s): GenerateResult[] => (s.status === 'fulfilled' ? [s.value] : []));
      expect(served.filter((r) => r.series === 'Small').flatMap((r) => r.serials).sort()).toEqual(['S-2', 'S-3', 'S-4', 'S-5', 'S-6', 'S-7']);
      expect(served.filter((r) => r.series === 'Plain').flatMap((r) => r.serials).sort()).toEqual(['P-0002', 'P-0003']);
      // The refused requests left nothing: the next value of Small is the one after the served ones.
      expect((await app.generation.generate(callerN(8), 'Small', { quantity: 2 })).serials).toEqual(['S-8', 'S-9']);
    });

    it('skips a serial the series already holds as it does for a request alone', async () => {
      const { app } = servers[0]!;
      // {LINE} and {PLANT} around a one-character base-36 sequence can spell the same text twice.
      await app.series.create(callerN(0), { name: 'Odd', format: '{LINE}{SEQUENCE}{PLANT}', base: 'alphanumeric', minLength: 1 });
      expect((await app.generation.generate(callerN(0), 'Odd', { context: { LINE: 'A', PLANT: 'B0' } })).serials).toEqual(['A1B0']);
      await app.generation.generate(callerN(0), 'Odd', { quantity: 9, context: { LINE: 'Z', PLANT: 'Z' } }); // values 2..10
      // Value 11 (B) spells A1B0 again, whichever of the three requests it goes to.
      const results = await Promise.all([1, 2, 3].map((n) => app.generation.generate(callerN(n), 'Odd', { context: { LINE: 'A1', PLANT: '0' } })));
      expect(results.map((r) => r.skipped).reduce((x, y) => x + y)).toBe(1);
      expect(results.flatMap((r) => r.serials).sort()).toEqual(['A1C0', 'A1D0', 'A1E0']);
      const entries = (await allEntries(app)).filter((e) => (e.data as { skipped?: unknown }).skipped !== undefined);
      expect(entries.map((e) => (e.data as { skipped: unknown }).skipped)).toEqual([[{ sequence: '11', serial: 'A1B0', conflictsWith: 'Odd' }]]);
    });

    it('serves a company with a global series one request at a time, unique across its series', async () => {
      const { app, writes } = servers[0]!;
      await app.series.create(callerN(0), { name: 'Local', format: 'X-{####}' });
      await app.series.create(callerN(0), { name: 'Global', format: 'X-{####}', global: true });
      await app.generation.generate(callerN(0), 'Local');
      await app.generation.generate(callerN(0), 'Global');
      const before = writes();
      const results = await Promise.all(Array.from({ length: 16 }, (_, i) => app.generation.generate(callerN(i), i % 2 === 0 ? 'Local' : 'Global', { quantity: 2 })));
      const all = results.flatMap((r) => r.serials);
      expect(new Set(all).size).toBe(all.length);
      expect(all).not.toContain('X-0001');
      // At most one batch was tried before the company was known to need its checks across series.
      expect(writes() - before).toBeGreaterThanOrEqual(results.length);
    });
  });
}
