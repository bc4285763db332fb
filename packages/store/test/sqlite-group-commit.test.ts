import { join } from 'node:path';
import { newRecord, seriesSettings } from './store-harness.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SerialtraceError } from '@serialtrace/core';
import { SqliteStore, type NewRecord, type SeriesRow, type SqliteStoreOptions, type StoreTransaction } from '@serialtrace/store';
import type * as Connection from '../src/sqlite/sqlite-connection.js';
import { temporaryDirectory, withSideConnection } from './sqlite-harness.js';

/*
 * Group commit: writes pending at the same time share one transaction and one COMMIT, each in its
 * own savepoint, and are answered only after that COMMIT. The store reaches SQLite only through
 * openBetterSqlite, so wrapping the connections it opens lets these tests count the statements
 * it runs (how many COMMITs, whether a savepoint was taken) and make one of them fail, without
 * anything in the store that exists for tests.
 */

interface Opened {
  readonly path: string;
  readonly readonly: boolean;
  /** The driver's own connection, behind the wrapper the store uses. */
  readonly raw: Connection.SqliteConnection;
}

const driver = vi.hoisted(() => ({
  opened: [] as Opened[],
  /** Statements the store executed on write connections, in order (only those that ran). */
  executed: [] as string[],
  /** Runs before each statement on a write connection; throwing makes the statement fail unrun. */
  beforeExec: undefined as ((sql: string) => void) | undefined,
}));

vi.mock('../src/sqlite/sqlite-connection.js', async (importOriginal) => {
  const actual = await importOriginal<typeof Connection>();
  return {
    ...actual,
    openBetterSqlite: (path: string, options: Connection.SqliteOpenOptions): Connection.SqliteConnection => {
      const raw = actual.openBetterSqlite(path, options);
      const readonly = options.readonly === true;
      driver.opened.push({ path, readonly, raw });
      return {
        prepare: (sql) => raw.prepare(sql),
        exec: (sql) => {
          if (!readonly) driver.beforeExec?.(sql);
          raw.exec(sql);
          if (!readonly) driver.executed.push(sql);
        },
        pragma: (statement) => raw.pragma(statement),
        get inTransaction() {
          return raw.inTransaction;
        },
        close: () => raw.close(),
      };
    },
  };
});

const AT = '2025-06-01T08:00:00.000Z';
const SETTINGS = seriesSettings('Widgets');

/**
 * For tests that count groups exactly: a loaded machine must not split a group on time
 * (the time limit has its own test).
 */
const NO_TIME_LIMIT: Partial<SqliteStoreOptions> = { maxGroupMs: 60_000 };

const count = (sql: string) => driver.executed.filter((s) => s === sql).length;
const commits = () => count('COMMIT');
const pause = (ms = 0) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** One turn of the event loop, as a request arriving over a socket would take. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const record = (series: SeriesRow, serial: string, metadata: unknown = null): NewRecord => newRecord(series, serial, { metadata });

/** The outcome of a settled promise, to compare many at once. */
async function settle<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

describe('SqliteStore group commit', () => {
  let remove: () => void;
  let path: string;
  let series: SeriesRow;
  const stores: SqliteStore[] = [];

  const open = async (options: Partial<SqliteStoreOptions> = {}) => {
    const store = SqliteStore.open({ path, ...options });
    stores.push(store);
    // Count from here: opening ran the migration check in a transaction of its own.
    driver.executed.length = 0;
    return store;
  };
  /** Serials as another process sees them: only what is committed. */
  const committedSerials = () =>
    withSideConnection(path, (db) => (db.prepare('SELECT serial FROM records ORDER BY serial').all() as { serial: string }[]).map((r) => r.serial));
  const committedCounter = () =>
    withSideConnection(path, (db) => (db.prepare("SELECT value FROM counters WHERE period = '*'").get() as { value: string } | undefined)?.value);

  beforeEach(async () => {
    let dir: string;
    ({ dir, remove } = temporaryDirectory());
    path = join(dir, 'serialtrace.db');
    const setup = SqliteStore.open({ path });
    series = await setup.write((tx) => tx.series.insert(1, SETTINGS, { at: AT, actor: 'alice' }));
    await setup.close();
    driver.opened.length = 0;
    driver.executed.length = 0;
    driver.beforeExec = undefined;
  });

  afterEach(async () => {
    driver.beforeExec = undefined;
    for (const store of stores.splice(0)) await store.close();
    remove();
  });

  it('runs a lone writer as before: one transaction per unit, no savepoint', async () => {
    const store = await open();
    for (let i = 1; i <= 5; i++) await store.write((tx) => tx.records.insert([record(series, `L-${i}`)]));
    expect(driver.executed).toEqual(Array.from({ length: 5 }, () => ['BEGIN IMMEDIATE', 'COMMIT']).flat());
  });

  it('shares one commit among writes pending at the same time, one savepoint each', async () => {
    const store = await open(NO_TIME_LIMIT);
    const ids = await Promise.all(Array.from({ length: 100 }, (_, i) => store.write((tx) => tx.records.insert([record(series, `G-${1000 + i}`)]))));
    expect(ids.flat().every((id) => typeof id === 'number')).toBe(true);
    expect(commits()).toBeLessThanOrEqual(2);
    expect(count('SAVEPOINT unit')).toBe(100);
    expect(committedSerials()).toHaveLength(100);
  });

  it('loses no update among 200 concurrent read-then-write units, and answers each its own caller', async () => {
    const store = await open(NO_TIME_LIMIT);
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, caller) =>
        store.write(async (tx) => {
          const current = (await tx.counters.lock(series.id, '*')) ?? 0n;
          // Give the event loop a turn between the read and the write, where another unit could slip in.
          await nextTurn();
          await tx.counters.save(series.id, '*', current + 1n, AT);
          return { caller, took: current + 1n };
        }),
      ),
    );
    answers.forEach((answer, caller) => expect(answer.caller).toBe(caller));
    expect(answers.map((a) => a.took).sort((a, b) => (a < b ? -1 : 1))).toEqual(Array.from({ length: 200 }, (_, i) => BigInt(i + 1)));
    expect(committedCounter()).toBe('200');
    expect(commits()).toBeLessThan(20);
  });

  it('drops a failing unit from the middle of a group; its neighbours commit and get their own answers', async () => {
    const store = await open(NO_TIME_LIMIT);
    const refusal = new SerialtraceError('SERIES_NOT_FOUND', { field: 'series', series: 'Gone' });
    const unit = (name: string, fail: boolean) =>
      store.write(async (tx) => {
        const current = (await tx.counters.lock(series.id, '*')) ?? 0n;
        await tx.counters.save(series.id, '*', current + 1n, AT);
        await tx.records.insert([record(series, `${name}-${current + 1n}`)]);
        await nextTurn();
        if (fail) throw refusal;
        return `${name} took ${current + 1n}`;
      });
    const outcomes = await Promise.all([settle(unit('A', false)), settle(unit('B', true)), settle(unit('C', false))]);

    expect(outcomes).toEqual([
      { ok: true, value: 'A took 1' },
      { ok: false, error: refusal },
      // C read the counter after B was rolled back, so it never saw B's value.
      { ok: true, value: 'C took 2' },
    ]);
    // The very error the unit threw, code and all.
    expect((outcomes[1] as { error: unknown }).error).toBe(refusal);
    expect(refusal.code).toBe('SERIES_NOT_FOUND');
    expect(commits()).toBe(1);
    expect(count('ROLLBACK TO unit')).toBe(1);
    expect(committedSerials()).toEqual(['A-1', 'C-2']);
    expect(committedCounter()).toBe('2');
  });

  it("passes a unit's error to its caller unchanged when it runs alone", async () => {
    const store = await open();
    const refusal = new SerialtraceError('SERIES_EXHAUSTED', { series: 'Widgets', period: '*', requested: 1, remaining: '0', capacity: '10' });
    await expect(
      store.write(async (tx) => {
        await tx.records.insert([record(series, 'X-1')]);
        throw refusal;
      }),
    ).rejects.toBe(refusal);
    expect(committedSerials()).toEqual([]);
  });

  it('answers no unit before its group has committed', async () => {
    const store = await open(NO_TIME_LIMIT);
    const answered: number[] = [];
    const seenByOthers: string[][] = [];
    const units = Array.from({ length: 20 }, (_, i) =>
      store
        .write(async (tx) => {
          await tx.records.insert([record(series, `D-${100 + i}`)]);
          await nextTurn();
          if (i === 19) {
            // Last of the group: the 19 before it ran and were released, but are not committed,
            // so another connection sees none of them, and none of their callers has an answer.
            seenByOthers.push(committedSerials());
            expect(answered).toEqual([]);
          }
          return i;
        })
        .then((i) => {
          // By the time a caller has its answer, anyone can read its record.
          expect(committedSerials()).toContain(`D-${100 + i}`);
          answered.push(i);
          return i;
        }),
    );
    expect(await Promise.all(units)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(seenByOthers).toEqual([[]]);
    expect(answered).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(commits()).toBe(1);
  });

  it('refuses every unit of a group whose COMMIT fails, keeps none of it, and carries on', async () => {
    const store = await open(NO_TIME_LIMIT);
    const ioError = Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
    let failures = 1;
    driver.beforeExec = (sql) => {
      if (sql === 'COMMIT' && failures-- > 0) throw ioError;
    };
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => settle(store.write((tx) => tx.records.insert([record(series, `F-${i}`)])))));
    expect(outcomes).toEqual(Array.from({ length: 10 }, () => ({ ok: false, error: ioError })));
    expect(committedSerials()).toEqual([]);

    // The failed group was rolled back: the next one starts clean and keeps its own data only.
    await Promise.all([store.write((tx) => tx.records.insert([record(series, 'N-1')])), store.write((tx) => tx.records.insert([record(series, 'N-2')]))]);
    expect(committedSerials()).toEqual(['N-1', 'N-2']);
  });

  it('reports a busy COMMIT as STORE_BUSY to every unit of the group', async () => {
    const store = await open({ busyTimeoutMs: 250 });
    let failures = 1;
    driver.beforeExec = (sql) => {
      if (sql === 'COMMIT' && failures-- > 0) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    };
    const outcomes = await Promise.all(Array.from({ length: 5 }, (_, i) => settle(store.write((tx) => tx.records.insert([record(series, `B-${i}`)])))));
    for (const outcome of outcomes) {
      expect(outcome.ok).toBe(false);
      const error = (outcome as { error: unknown }).error;
      expect(error).toBeInstanceOf(SerialtraceError);
      expect(error).toMatchObject({ code: 'STORE_BUSY', details: { timeoutMs: 250 } });
    }
    expect(committedSerials()).toEqual([]);
  });

  it('when a statement fails for a full disk, refuses that unit alone and commits the others of its group', async () => {
    const store = await open(NO_TIME_LIMIT);
    // Open and settle the store, then cap the file a few pages above its size.
    await store.write((tx) => tx.records.insert([record(series, 'BASE')]));
    const writer = driver.opened.find((o) => !o.readonly)!.raw;
    writer.pragma(`max_page_count = ${Number(writer.pragma('page_count')) + 2}`);
    const before = commits();

    const outcomes = await Promise.all([
      settle(store.write((tx) => tx.records.insert([record(series, 'S-1')]))),
      settle(store.write((tx) => tx.records.insert([record(series, 'HUGE', { blob: 'x'.repeat(200_000) })]))),
      settle(
        store.write(async (tx) => {
          // Make room again, as an operator would.
          writer.pragma('max_page_count = 1073741823');
          return tx.records.insert([record(series, 'S-2')]);
        }),
      ),
    ]);

    expect((outcomes[1] as { error: unknown }).error).toMatchObject({ code: 'SQLITE_FULL' });
    expect(outcomes[0]?.ok).toBe(true);
    expect(outcomes[2]?.ok).toBe(true);
    expect(commits() - before).toBe(1);
    expect(committedSerials()).toEqual(['BASE', 'S-1', 'S-2']);
  });

  it('when SQLite ends the transaction inside a unit, refuses the units run so far and runs the rest next', async () => {
    const store = await open(NO_TIME_LIMIT);
    await store.write((tx) => tx.records.insert([record(series, 'BASE')]));
    const writer = driver.opened.find((o) => !o.readonly)!.raw;
    const before = commits();
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });

    const outcomes = await Promise.all([
      settle(store.write((tx) => tx.records.insert([record(series, 'S-1')]))),
      settle(
        store.write(async (tx) => {
          await tx.records.insert([record(series, 'HUGE')]);
          // What SQLite does on some I/O and full-disk errors: it rolls the whole transaction back.
          writer.exec('ROLLBACK');
          throw full;
        }),
      ),
      settle(store.write((tx) => tx.records.insert([record(series, 'S-2')]))),
    ]);

    // S-1 ran and was released, but the transaction holding it is gone: it must not be acknowledged.
    expect(outcomes[1]).toEqual({ ok: false, error: full });
    expect(outcomes[0]).toEqual({ ok: false, error: full });
    expect(outcomes[2]?.ok).toBe(true);
    expect(commits() - before).toBe(1);
    expect(committedSerials()).toEqual(['BASE', 'S-2']);
  });

  it('caps a group at maxGroupUnits', async () => {
    const store = await open({ ...NO_TIME_LIMIT, maxGroupUnits: 8 });
    await Promise.all(Array.from({ length: 100 }, (_, i) => store.write((tx) => tx.records.insert([record(series, `C-${100 + i}`)]))));
    expect(commits()).toBe(13);
    expect(committedSerials()).toHaveLength(100);
  });

  it('commits every unit alone with maxGroupUnits 1', async () => {
    const store = await open({ maxGroupUnits: 1 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.write((tx) => tx.records.insert([record(series, `O-${100 + i}`)]))));
    expect(commits()).toBe(20);
    expect(count('SAVEPOINT unit')).toBe(0);
  });

  it('starts no new unit in a group that has run maxGroupMs, and keeps the arrival order', async () => {
    const store = await open({ maxGroupMs: 10 });
    const ran: { unit: number; group: number }[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, unit) =>
        store.write(async (tx) => {
          ran.push({ unit, group: commits() });
          await pause(5);
          await tx.records.insert([record(series, `T-${100 + unit}`)]);
        }),
      ),
    );
    expect(ran.map((r) => r.unit)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const sizes = [...new Set(ran.map((r) => r.group))].map((group) => ran.filter((r) => r.group === group).length);
    // 5 ms a unit: after two or three the group is out of time (one more if timers run early).
    expect(sizes.length).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
    expect(commits()).toBe(sizes.length);
  });

  it('puts units that arrive while a group runs into the next group', async () => {
    const store = await open(NO_TIME_LIMIT);
    const groupOf = new Map<string, number>();
    const unit = (name: string, ms: number) =>
      store.write(async (tx) => {
        groupOf.set(name, commits());
        await pause(ms);
        await tx.records.insert([record(series, name)]);
      });
    const first = unit('A', 30);
    await pause(5);
    await Promise.all([first, unit('B', 0), unit('C', 0)]);
    expect(groupOf.get('A')).toBe(0);
    expect(groupOf.get('B')).toBe(1);
    expect(groupOf.get('C')).toBe(1);
    expect(commits()).toBe(2);
  });

  it('groups requests that arrive one event-loop turn apart, as over a socket', async () => {
    const store = await open();
    // 16 clients, each sending its next request on a later turn of the event loop, as an HTTP
    // server's handlers would: a group that started at once would only ever hold one of them.
    await Promise.all(
      Array.from({ length: 16 }, async (_, client) => {
        for (let n = 0; n < 30; n++) {
          await nextTurn();
          await store.write((tx) => tx.records.insert([record(series, `H-${client}-${n}`)]));
        }
      }),
    );
    expect(committedSerials()).toHaveLength(480);
    expect(commits()).toBeLessThan(480 / 4);
  });

  describe('reads', () => {
    it('run on a read-only connection of their own, which does not wait for a group in progress', async () => {
      const store = await open();
      let seenInside: bigint | undefined | 'not read' = 'not read';
      await Promise.all([
        store.write((tx) => tx.counters.save(series.id, '*', 1n, AT)),
        store.write(async (tx) => {
          // Waiting on a read from inside a group could never finish if reads queued behind it.
          const read = store.read((r) => r.counters.read(series.id, '*'));
          const stuck = pause(2000).then(() => Promise.reject(new Error('the read waited for the group')));
          seenInside = await Promise.race([read, stuck]);
          await tx.counters.save(series.id, '*', 2n, AT);
        }),
      ]);
      // The read saw what was committed, not the group's first unit.
      expect(seenInside).toBeUndefined();
      expect(await store.read((tx) => tx.counters.read(series.id, '*'))).toBe(2n);
      expect(driver.opened.map((o) => o.readonly)).toEqual([false, true]);
    });

    it('cannot write', async () => {
      const store = await open();
      await expect(store.read((tx) => tx.counters.save(series.id, '*', 5n, AT))).rejects.toMatchObject({ code: 'SQLITE_READONLY' });
      expect(committedCounter()).toBeUndefined();
      // A failed read leaves the read connection usable.
      expect(await store.read((tx) => tx.series.find(1, 'Widgets'))).toEqual(series);
    });

    it('see a write that was answered before they began', async () => {
      const store = await open();
      for (let i = 1n; i <= 20n; i++) {
        await store.write((tx) => tx.counters.save(series.id, '*', i, AT));
        expect(await store.read((tx) => tx.counters.read(series.id, '*'))).toBe(i);
      }
    });
  });

  describe('in memory', () => {
    /** A private database: one connection, reads take their turn between groups. */
    const memory = async (options: Partial<SqliteStoreOptions> = {}) => {
      const store = await open({ ...options, path: ':memory:' });
      const row = await store.write((tx) => tx.series.insert(1, SETTINGS, { at: AT, actor: 'alice' }));
      return { store, row };
    };

    it('groups writes, and orders reads between them as they arrived', async () => {
      const { store, row } = await memory();
      const before = commits();
      const bump = () =>
        store.write(async (tx: StoreTransaction) => {
          const current = (await tx.counters.lock(row.id, '*')) ?? 0n;
          await tx.counters.save(row.id, '*', current + 1n, AT);
        });
      const seen: (bigint | undefined)[] = [];
      const look = () => store.read(async (tx) => void seen.push(await tx.counters.read(row.id, '*')));
      await Promise.all([bump(), bump(), look(), bump(), bump(), bump(), look()]);
      expect(seen).toEqual([2n, 5n]);
      expect(commits() - before).toBe(2 + 2);
      expect(driver.opened.map((o) => o.path)).toEqual([':memory:']);
    });

    it('rolls back a failing unit of a group and keeps the others', async () => {
      const { store, row } = await memory();
      const outcomes = await Promise.all([
        settle(store.write((tx) => tx.records.insert([record(row, 'M-1')]))),
        settle(
          store.write(async (tx) => {
            await tx.records.insert([record(row, 'M-2')]);
            throw new Error('no');
          }),
        ),
        settle(store.write((tx) => tx.records.insert([record(row, 'M-3')]))),
      ]);
      expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
      const serials = await store.read((tx) => tx.records.search({ companyId: 1, limit: 10 }));
      expect(serials.map((r) => r.serial).sort()).toEqual(['M-1', 'M-3']);
    });
  });

  it('finishes queued groups and reads when closed, then refuses more', async () => {
    const store = await open();
    const writes = Array.from({ length: 50 }, (_, i) => store.write((tx) => tx.records.insert([record(series, `Z-${100 + i}`)])));
    const read = store.read((tx) => tx.series.find(1, 'Widgets'));
    const closing = store.close();
    expect(store.close()).toBe(closing);
    await closing;
    expect((await Promise.all(writes)).flat()).toHaveLength(50);
    expect(await read).toEqual(series);
    await expect(store.write(async () => 1)).rejects.toThrow('closed');
    await expect(store.read(async () => 1)).rejects.toThrow('closed');
    expect(committedSerials()).toHaveLength(50);
  });

  it('refuses group limits that make no sense', () => {
    for (const options of [{ maxGroupUnits: 0 }, { maxGroupUnits: 2.5 }, { maxGroupMs: 0 }, { maxGroupMs: Number.NaN }]) {
      expect(() => SqliteStore.open({ path, ...options })).toThrow(SerialtraceError);
    }
  });
});
