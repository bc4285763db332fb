import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GENESIS_HASH, SerialtraceError, type AuditEntry } from '@serialtrace/core';
import { MIGRATIONS, PgStore, redactUrl, type Store } from '@serialtrace/store';
import { dropSchema, TEST_DATABASE_URL, uniqueSchema, withPgClient } from './pg-harness.js';
import { seriesSettings } from './store-harness.js';

const AT = '2025-06-01T08:00:00.000Z';

function entry(companyId: number, seq: number, prevHash: string, data: unknown): AuditEntry {
  return {
    seq,
    companyId,
    at: AT,
    actor: 'alice',
    station: null,
    line: null,
    plant: null,
    reason: null,
    action: 'test.appended',
    entityType: 'test',
    entityId: String(seq),
    data,
    prevHash,
    hash: `h${seq}`.padEnd(64, '0'),
  };
}

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
    const series = await stores[0]!.write((tx) => tx.insertSeries(1, seriesSettings('Shared'), { at: AT, actor: 'alice' }));
    const writers = 60;
    const seen = await Promise.all(
      Array.from({ length: writers }, (_, i) =>
        stores[i % 2]!.write(async (tx) => {
          // A period nobody has used yet: there is no row to lock until the first writer saves one.
          const current = (await tx.lockCounter(series.id, '2025-06-01')) ?? 0n;
          await new Promise((resolve) => setTimeout(resolve, i % 3));
          await tx.saveCounter(series.id, '2025-06-01', current + 1n, AT);
          return current;
        }),
      ),
    );
    expect([...seen].sort((a, b) => (a < b ? -1 : 1))).toEqual(Array.from({ length: writers }, (_, i) => BigInt(i)));
    expect(await stores[1]!.read((tx) => tx.readCounter(series.id, '2025-06-01'))).toBe(BigInt(writers));
  });

  it('takes the head and the counter together for one issuer at a time, across servers', async () => {
    const series = await stores[0]!.write((tx) => tx.insertSeries(1, seriesSettings('Issued'), { at: AT, actor: 'alice' }));
    const writers = 40;
    await Promise.all(
      Array.from({ length: writers }, (_, i) =>
        stores[i % 2]!.write(async (tx) => {
          const { head, counter } = await tx.lockIssue(1, series.id, '*');
          await new Promise((resolve) => setTimeout(resolve, i % 2));
          await tx.saveCounter(series.id, '*', (counter ?? 0n) + 1n, AT);
          await tx.appendAudit([entry(1, (head?.seq ?? 0) + 1, head?.hash ?? GENESIS_HASH, { i })]);
        }),
      ),
    );
    expect(await stores[1]!.read((tx) => tx.readCounter(series.id, '*'))).toBe(BigInt(writers));
    const chain = await stores[0]!.read((tx) => tx.listAudit({ companyId: 1, limit: 1000, order: 'asc' }));
    expect(chain.map((e) => e.seq)).toEqual(Array.from({ length: writers }, (_, i) => i + 1));
    chain.forEach((e, i) => expect(e.prevHash).toBe(i === 0 ? GENESIS_HASH : chain[i - 1]!.hash));
  });

  it('extends the audit chain from one head at a time', async () => {
    const appends = 40;
    await Promise.all(
      Array.from({ length: appends }, (_, i) =>
        stores[i % 2]!.write(async (tx) => {
          const head = await tx.lockAuditHead(1);
          await new Promise((resolve) => setTimeout(resolve, i % 2));
          await tx.appendAudit([entry(1, (head?.seq ?? 0) + 1, head?.hash ?? GENESIS_HASH, { i })]);
        }),
      ),
    );
    const chain = await stores[0]!.read((tx) => tx.listAudit({ companyId: 1, limit: 1000, order: 'asc' }));
    expect(chain.map((e) => e.seq)).toEqual(Array.from({ length: appends }, (_, i) => i + 1));
    chain.forEach((e, i) => expect(e.prevHash).toBe(i === 0 ? GENESIS_HASH : chain[i - 1]!.hash));
  });

  it('knows, with the company row it locks, whether another server added or dropped a global series', async () => {
    const [a, b] = stores as [Store, Store];
    const local = await a.write((tx) => tx.insertSeries(1, seriesSettings('Local'), { at: AT, actor: 'alice' }));
    const globalsSeen = (store: Store) =>
      store.write(async (tx) => {
        await tx.lockAuditHead(1);
        return tx.hasGlobalSeries(1, local.id);
      });
    expect(await globalsSeen(a)).toBe(false);
    const global = await b.write(async (tx) => {
      await tx.lockAuditHead(1);
      const row = await tx.insertSeries(1, seriesSettings('Global', { global: true }), { at: AT, actor: 'bob' });
      // Seen in the same transaction too.
      expect(await tx.hasGlobalSeries(1, local.id)).toBe(true);
      return row;
    });
    expect(await globalsSeen(a)).toBe(true);
    await b.write((tx) => tx.updateSeries(global, { ...global.settings, global: false }, { at: AT, actor: 'bob' }));
    expect(await globalsSeen(a)).toBe(false);
    const count = await withPgClient(schema, async (c) => (await c.query('SELECT global_series FROM companies WHERE id = 1')).rows[0]);
    expect(Number((count as { global_series: string }).global_series)).toBe(0);
  });

  it('keeps the chain head on the company row in step with the newest entry', async () => {
    await stores[0]!.write(async (tx) => {
      const head = await tx.lockAuditHead(1);
      await tx.appendAudit([entry(1, (head?.seq ?? 0) + 1, head?.hash ?? GENESIS_HASH, {}), entry(1, (head?.seq ?? 0) + 2, `h${(head?.seq ?? 0) + 1}`.padEnd(64, '0'), {})]);
    });
    const row = await withPgClient(schema, async (c) => (await c.query('SELECT chain_seq, chain_hash FROM companies WHERE id = 1')).rows[0]);
    expect(row).toEqual({ chain_seq: '2', chain_hash: 'h2'.padEnd(64, '0') });
    expect(await stores[1]!.write((tx) => tx.lockAuditHead(1))).toEqual({ seq: 2, hash: 'h2'.padEnd(64, '0') });
  });

  it('runs a unit again when a concurrent one took its unique key, so the second sees the first', async () => {
    let attempts = 0;
    const outcomes = await Promise.all(
      [0, 1].map((i) =>
        stores[i]!.write(async (tx) => {
          attempts += 1;
          const found = await tx.findIdempotency(1, 'K-1');
          if (found !== undefined) return `replayed ${found.response}`;
          await new Promise((resolve) => setTimeout(resolve, 50));
          await tx.insertIdempotency(1, { key: 'K-1', requestHash: 'h', response: `answer ${i}`, createdAt: AT });
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
      await tx.insertIdempotency(1, { key: 'nasty', requestHash: nasty, response: nasty, createdAt: AT });
      await tx.appendAudit([entry(1, 1, GENESIS_HASH, { nasty, nested: [nasty, { nasty }] })]);
    });
    await stores[1]!.read(async (tx) => {
      expect(await tx.findIdempotency(1, 'nasty')).toEqual({ key: 'nasty', requestHash: nasty, response: nasty, createdAt: AT });
      const [stored] = await tx.listAudit({ companyId: 1, limit: 1, order: 'asc' });
      expect(stored?.data).toEqual({ nasty, nested: [nasty, { nasty }] });
    });
  });

  it('sorts and compares names byte by byte, as SQLite does, whatever the cluster locale', async () => {
    for (const name of ['b', 'B', 'a', 'A', '_x', 'Z']) {
      await stores[0]!.write((tx) => tx.insertSeries(1, seriesSettings(name), { at: AT, actor: 'alice' }));
    }
    const names = (await stores[0]!.read((tx) => tx.listSeries(1))).map((s) => s.settings.name);
    expect(names).toEqual(['A', 'B', 'Z', '_x', 'a', 'b']);
  });

  it('cancels a statement that waits past the statement timeout with STORE_BUSY, keeping nothing', async () => {
    const impatient = PgStore.open({ url: TEST_DATABASE_URL, schema, statementTimeoutMs: 200 });
    try {
      const series = await stores[0]!.write((tx) => tx.insertSeries(1, seriesSettings('Held'), { at: AT, actor: 'alice' }));
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const holder = stores[0]!.write(async (tx) => {
        await tx.lockCounter(series.id, '*');
        locked();
        await held;
      });
      await isLocked;
      const waiting = impatient.write(async (tx) => {
        await tx.saveCounter(series.id, 'other', 5n, AT);
        return tx.lockCounter(series.id, '*');
      });
      await expect(waiting).rejects.toMatchObject({ code: 'STORE_BUSY' });
      release();
      await holder;
      expect(await stores[1]!.read((tx) => tx.readCounter(series.id, 'other'))).toBeUndefined();
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
      await expect(store.write((tx) => tx.countUsers())).rejects.toMatchObject({ code: 'STORE_BUSY' });
      release();
      await holder;
      expect(await store.write((tx) => tx.countUsers())).toBe(0);
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
      await expect(store.write((tx) => tx.countUsers())).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
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
