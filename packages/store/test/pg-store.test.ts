import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChainWalk, SerialtraceError, type AuditEntry } from '@serialtrace/core';
import { MIGRATIONS, PgStore, redactUrl, type JournalDraft, type Store } from '@serialtrace/store';
import { dropSchema, TEST_DATABASE_URL, uniqueSchema, withPgClient } from './pg-harness.js';
import { seriesSettings } from './store-harness.js';

const AT = '2025-06-01T08:00:00.000Z';

/** An event to append: what the audit writer would write, with `data` to tell events apart. */
function draft(companyId: number, data: unknown): JournalDraft {
  return {
    companyId,
    at: AT,
    actor: 'alice',
    station: null,
    line: null,
    plant: null,
    reason: null,
    action: 'series.created',
    entityType: 'series',
    entityId: '1',
    data,
  };
}

/** A company's chain, sealed, checked link by link: positions 1..n, each hash over the one before. */
async function sealedChain(store: Store, companyId: number): Promise<AuditEntry[]> {
  await store.sealJournal();
  const chain = await store.read((tx) => tx.journal.listChain({ companyId, limit: 10_000, order: 'asc' }));
  expect(chain.map((e) => e.seq)).toEqual(chain.map((_, i) => i + 1));
  const walk = new ChainWalk(sha256);
  for (const e of chain) expect(walk.check(e)).toEqual([]);
  return chain;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * What only a database shared by several processes can show: two stores stand for two servers,
 * each with its own pool, on one schema.
 */
describe('PostgreSQL store: several servers on one database', () => {
  let schema: string;
  let stores: Store[];

  beforeEach(async () => {
    schema = uniqueSchema();
    stores = [PgStore.open({ url: TEST_DATABASE_URL, schema, poolSize: 6 }), PgStore.open({ url: TEST_DATABASE_URL, schema, poolSize: 6 })];
    // Both migrate at once: the migration lock lets one do it and the other find it done.
    await Promise.all(stores.map((s) => s.ping()));
  });

  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await dropSchema(schema);
  });

  it('migrates once when servers start together', async () => {
    const versions = await withPgClient(schema, async (c) => (await c.query('SELECT version FROM schema_migrations ORDER BY version')).rows);
    expect(versions.map((r: { version: string }) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('hands every counter value out once, including the first value of a new period', async () => {
    const series = await stores[0]!.write((tx) => tx.series.insert(1, seriesSettings('Shared'), { at: AT, actor: 'alice' }));
    const writers = 60;
    const seen = await Promise.all(
      Array.from({ length: writers }, (_, i) =>
        stores[i % 2]!.write(async (tx) => {
          // A period nobody has used yet: there is no row to lock until the first writer saves one.
          const current = (await tx.counters.lock(series.id, '2025-06-01')) ?? 0n;
          await new Promise((resolve) => setTimeout(resolve, i % 3));
          await tx.counters.save(series.id, '2025-06-01', current + 1n, AT);
          return current;
        }),
      ),
    );
    expect([...seen].sort((a, b) => (a < b ? -1 : 1))).toEqual(Array.from({ length: writers }, (_, i) => BigInt(i)));
    expect(await stores[1]!.read((tx) => tx.counters.read(series.id, '2025-06-01'))).toBe(BigInt(writers));
  });

  it('issues from one counter at a time across servers, and seals every event into one chain', async () => {
    const series = await stores[0]!.write((tx) => tx.series.insert(1, seriesSettings('Issued'), { at: AT, actor: 'alice' }));
    const writers = 40;
    await Promise.all(
      Array.from({ length: writers }, (_, i) =>
        stores[i % 2]!.write(async (tx) => {
          const { counter } = await tx.counters.lockIssue(1, series.id, '*');
          await new Promise((resolve) => setTimeout(resolve, i % 2));
          await tx.counters.save(series.id, '*', (counter ?? 0n) + 1n, AT);
          await tx.journal.append([draft(1, { i })]);
        }),
      ),
    );
    expect(await stores[1]!.read((tx) => tx.counters.read(series.id, '*'))).toBe(BigInt(writers));
    await stores[1]!.sealJournal();
    const chain = await sealedChain(stores[0]!, 1);
    expect(chain.map((e) => (e.data as { i: number }).i).sort((x, y) => x - y)).toEqual(Array.from({ length: writers }, (_, i) => i));
  });

  it('seals events that commit out of the order of their ids, from both servers, with no gap and no event twice', async () => {
    const appends = 40;
    await withPgClient(schema, (c) => c.query(`INSERT INTO companies (id, name, created_at) VALUES (2, 'Second', '${AT}')`));
    await Promise.all(
      Array.from({ length: appends }, (_, i) =>
        stores[i % 2]!.write(async (tx) => {
          // The id is taken first; the commit comes after a pause of its own, so later ids often
          // commit first.
          const [id] = await tx.journal.reserveIds(1);
          await new Promise((resolve) => setTimeout(resolve, (appends - i) % 7));
          await tx.journal.append([{ ...draft(1 + (i % 2), { i }), id: id! }]);
        }),
      ),
    );
    await stores[1]!.sealJournal();
    const one = await sealedChain(stores[0]!, 1);
    const two = await sealedChain(stores[0]!, 2);
    expect(one.length + two.length).toBe(appends);
    const events = await stores[0]!.read((tx) => tx.journal.read({ after: 0, limit: 1000 }));
    expect(events.map((e) => e.position)).toEqual(events.map((_, i) => i + 1));
    expect(await stores[0]!.read((tx) => tx.journal.hasUnsealed())).toBe(false);
  });

  it('leaves nothing unsealed when a server closes right after its commits', async () => {
    const extra = PgStore.open({ url: TEST_DATABASE_URL, schema, poolSize: 2 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => extra.write((tx) => tx.journal.append([draft(1, { i })]))));
    await extra.close();
    expect(await stores[0]!.read((tx) => tx.journal.hasUnsealed())).toBe(false);
    expect(await sealedChain(stores[0]!, 1)).toHaveLength(10);
  });

  it('seals events another server committed and never sealed, within a few seconds', async () => {
    // A write whose server stopped between its COMMIT and its seal, as a plain client leaves it.
    await withPgClient(schema, (c) =>
      c.query(`INSERT INTO journal (company_id, at, actor, type, entity_type, entity_id, data, digest)
               VALUES (1, '${AT}', 'alice', 'series.created', 'series', '1', NULL, 'd')`),
    );
    await stores[0]!.write((tx) => tx.series.list(1));
    const deadline = Date.now() + 10_000;
    while ((await stores[0]!.read((tx) => tx.journal.hasUnsealed())) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await stores[0]!.read((tx) => tx.journal.hasUnsealed())).toBe(false);
  });

  it('knows, with the company row it locks, whether another server added or dropped a global series', async () => {
    const [a, b] = stores as [Store, Store];
    const local = await a.write((tx) => tx.series.insert(1, seriesSettings('Local'), { at: AT, actor: 'alice' }));
    const globalsSeen = (store: Store) => store.write(async (tx) => (await tx.series.globalSeriesIds(1)).some((id) => id !== local.id));
    expect(await globalsSeen(a)).toBe(false);
    const global = await b.write(async (tx) => {
      const row = await tx.series.insert(1, seriesSettings('Global', { global: true }), { at: AT, actor: 'bob' });
      // Seen in the same transaction too.
      expect((await tx.series.globalSeriesIds(1)).some((id) => id !== local.id)).toBe(true);
      return row;
    });
    expect(await globalsSeen(a)).toBe(true);
    await b.write((tx) => tx.series.update(global, { ...global.settings, global: false }, { at: AT, actor: 'bob' }));
    expect(await globalsSeen(a)).toBe(false);
    const count = await withPgClient(schema, async (c) => (await c.query('SELECT global_series FROM companies WHERE id = 1')).rows[0]);
    expect(Number((count as { global_series: string }).global_series)).toBe(0);
  });

  it('keeps the chain head on the company row in step with the newest sealed entry', async () => {
    await stores[0]!.write((tx) => tx.journal.append([draft(1, { n: 1 }), draft(1, { n: 2 })]));
    const chain = await sealedChain(stores[1]!, 1);
    const row = await withPgClient(schema, async (c) => (await c.query('SELECT chain_seq, chain_hash FROM companies WHERE id = 1')).rows[0]);
    expect(row).toEqual({ chain_seq: '2', chain_hash: chain[1]!.hash });
    expect(await stores[1]!.read((tx) => tx.journal.chainHead(1))).toEqual({ seq: 2, hash: chain[1]!.hash });
  });

  it('runs a unit again when a concurrent one took its unique key, so the second sees the first', async () => {
    let attempts = 0;
    const outcomes = await Promise.all(
      [0, 1].map((i) =>
        stores[i]!.write(async (tx) => {
          attempts += 1;
          const found = await tx.idempotency.find(1, 'K-1');
          if (found !== undefined) return `replayed ${found.response}`;
          await new Promise((resolve) => setTimeout(resolve, 50));
          await tx.idempotency.insert(1, { key: 'K-1', requestHash: 'h', response: `answer ${i}`, createdAt: AT });
          return `answered ${i}`;
        }),
      ),
    );
    expect(attempts).toBe(3);
    const answered = outcomes.find((o) => o.startsWith('answered'))!;
    expect(outcomes).toContain(`replayed answer ${answered.slice(-1)}`);
  });

  it('stores text with quotes, backslashes, percent signs and any Unicode exactly, in held statements too', async () => {
    const nasty = `it's \\ a "test" %_ \\x00? ${'\u{1F600}'} ü \n\t end \\'; DROP TABLE records; --`;
    await stores[0]!.write(async (tx) => {
      await tx.idempotency.insert(1, { key: 'nasty', requestHash: nasty, response: nasty, createdAt: AT });
      await tx.journal.append([draft(1, { nasty, nested: [nasty, { nasty }] })]);
    });
    const [stored] = await sealedChain(stores[1]!, 1);
    expect(stored?.data).toEqual({ nasty, nested: [nasty, { nasty }] });
    await stores[1]!.read(async (tx) => {
      expect(await tx.idempotency.find(1, 'nasty')).toEqual({ key: 'nasty', requestHash: nasty, response: nasty, createdAt: AT });
    });
  });

  it('sorts and compares names byte by byte, as SQLite does, whatever the cluster locale', async () => {
    for (const name of ['b', 'B', 'a', 'A', '_x', 'Z']) {
      await stores[0]!.write((tx) => tx.series.insert(1, seriesSettings(name), { at: AT, actor: 'alice' }));
    }
    const names = (await stores[0]!.read((tx) => tx.series.list(1))).map((s) => s.settings.name);
    expect(names).toEqual(['A', 'B', 'Z', '_x', 'a', 'b']);
  });

  it('cancels a statement that waits past the statement timeout with STORE_BUSY, keeping nothing', async () => {
    const impatient = PgStore.open({ url: TEST_DATABASE_URL, schema, statementTimeoutMs: 200 });
    try {
      const series = await stores[0]!.write((tx) => tx.series.insert(1, seriesSettings('Held'), { at: AT, actor: 'alice' }));
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const holder = stores[0]!.write(async (tx) => {
        await tx.counters.lock(series.id, '*');
        locked();
        await held;
      });
      await isLocked;
      const waiting = impatient.write(async (tx) => {
        await tx.counters.save(series.id, 'other', 5n, AT);
        return tx.counters.lock(series.id, '*');
      });
      await expect(waiting).rejects.toMatchObject({ code: 'STORE_BUSY' });
      release();
      await holder;
      expect(await stores[1]!.read((tx) => tx.counters.read(series.id, 'other'))).toBeUndefined();
    } finally {
      await impatient.close();
    }
  });
});

describe('PostgreSQL store: every connection busy', () => {
  it('refuses a unit that waited too long for a connection with STORE_BUSY, not as an unreachable database', async () => {
    const schema = uniqueSchema();
    const store = PgStore.open({ url: TEST_DATABASE_URL, schema, poolSize: 1, connectTimeoutMs: 300 });
    try {
      await store.ping();
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const holder = store.write(async () => held);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await expect(store.write((tx) => tx.access.countUsers())).rejects.toMatchObject({ code: 'STORE_BUSY' });
      release();
      await holder;
      expect(await store.write((tx) => tx.access.countUsers())).toBe(0);
    } finally {
      await store.close();
      await dropSchema(schema);
    }
  });
});

describe('PostgreSQL store: an unreachable database', () => {
  it('refuses each unit with STORE_UNAVAILABLE, saying why but not where, and keeps the driver’s message as the cause', async () => {
    const store = PgStore.open({ url: 'postgres://root:secret@127.0.0.1:1/test', connectTimeoutMs: 1000 });
    try {
      for (let i = 0; i < 2; i++) {
        const error = await store.ping().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(SerialtraceError);
        expect((error as SerialtraceError).code).toBe('STORE_UNAVAILABLE');
        expect((error as Error).message).toContain('the database refused the connection');
        expect((error as Error).message).not.toMatch(/127\.0\.0\.1|secret|root/);
        expect(String((error as Error & { cause: unknown }).cause)).toMatch(/ECONNREFUSED/);
      }
      await expect(store.write((tx) => tx.access.countUsers())).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    } finally {
      await store.close();
    }
  });

  it('hides the password in the location it reports', () => {
    expect(redactUrl('postgres://u:pw@db.example:5432/prod')).toBe('postgres://u:***@db.example:5432/prod');
    expect(PgStore.open({ url: 'postgres://u:pw@db.example:5432/prod' }).location).not.toContain('pw');
  });

  it('refuses a URL that is not PostgreSQL and a schema name that is not an identifier', () => {
    expect(() => PgStore.open({ url: 'mysql://x' })).toThrow(expect.objectContaining({ code: 'VALUE_INVALID' }));
    expect(() => PgStore.open({ url: TEST_DATABASE_URL, schema: 'x; DROP' })).toThrow(expect.objectContaining({ code: 'VALUE_INVALID' }));
  });
});
