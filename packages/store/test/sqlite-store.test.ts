import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { seriesSettings } from './store-harness.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SerialtraceError } from '@serialtrace/core';
import { DEFAULT_BUSY_TIMEOUT_MS, LATEST_SCHEMA_VERSION, SqliteStore } from '@serialtrace/store';
import type * as Connection from '../src/sqlite/sqlite-connection.js';
import { temporaryDirectory, withSideConnection } from './sqlite-harness.js';

// The store reaches the driver only through openBetterSqlite (sqlite-connection.ts), so keeping
// each connection it opens lets a test ask SQLite what the store's own connection runs with,
// without a diagnostics method on the store.
const opened = vi.hoisted(() => [] as { path: string; readonly: boolean; connection: Connection.SqliteConnection }[]);
vi.mock('../src/sqlite/sqlite-connection.js', async (importOriginal) => {
  const actual = await importOriginal<typeof Connection>();
  return {
    ...actual,
    openBetterSqlite: (path: string, options: Connection.SqliteOpenOptions) => {
      const connection = actual.openBetterSqlite(path, options);
      opened.push({ path, readonly: options.readonly === true, connection });
      return connection;
    },
  };
});

/** The write connection of the most recently opened store (its read connection opens on first read). */
function lastConnection(): Connection.SqliteConnection {
  const last = opened.filter((o) => !o.readonly).at(-1);
  if (last === undefined) throw new Error('no store has been opened');
  return last.connection;
}

/*
 * What only the SQLite engine promises: its durability settings, its refusal of a newer schema,
 * and how a writer behaves while another process holds the file's write lock. Everything else is
 * in the shared contract (store-contract.ts).
 */

const AT = '2025-06-01T08:00:00.000Z';
const SETTINGS = seriesSettings('Widgets');

const DRIVER = createRequire(import.meta.url).resolve('better-sqlite3');

/**
 * Run in a separate process because better-sqlite3 waits for a lock synchronously: a timer in
 * this process could never fire to release it. Takes the write lock, runs one statement inside
 * it, says "locked", and commits after the given time.
 */
const LOCK_HOLDER = `
const Database = require(process.argv[1]);
const db = new Database(process.argv[2]);
db.exec('BEGIN IMMEDIATE');
if (process.argv[4]) db.exec(process.argv[4]);
process.stdout.write('locked\\n');
setTimeout(() => { db.exec('COMMIT'); db.close(); }, Number(process.argv[3]));
`;

interface LockHolder {
  readonly child: ChildProcess;
  /** Resolves with the exit code once the lock is released and the process has ended. */
  readonly exited: Promise<number | null>;
}

function holdWriteLock(path: string, holdMs: number, statement = ''): Promise<LockHolder> {
  const child = spawn(process.execPath, ['-e', LOCK_HOLDER, DRIVER, path, String(holdMs), statement], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('locked')) resolve({ child, exited });
    });
    void exited.then((code) => reject(new Error(`the lock holder ended early (${code}): ${stderr}`)));
  });
}

describe('SqliteStore', () => {
  let dir: string;
  let remove: () => void;
  let path: string;
  const holders: ChildProcess[] = [];
  const stores: SqliteStore[] = [];
  const open = (options: { busyTimeoutMs?: number; migrate?: boolean } = {}) => {
    const store = SqliteStore.open({ path, ...options });
    stores.push(store);
    return store;
  };

  beforeEach(() => {
    ({ dir, remove } = temporaryDirectory());
    path = join(dir, 'serialtrace.db');
  });

  afterEach(async () => {
    for (const child of holders.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill();
    for (const store of stores.splice(0)) await store.close();
    remove();
  });

  it('runs in WAL mode with synchronous=FULL and foreign keys on', () => {
    const store = open();
    expect(store.engine).toBe('sqlite');
    expect(store.location).toBe(path);
    const connection = lastConnection();
    expect(opened.filter((o) => !o.readonly).at(-1)?.path).toBe(path);
    expect(connection.pragma('journal_mode')).toBe('wal');
    expect(connection.pragma('synchronous')).toBe(2);
    expect(connection.pragma('foreign_keys')).toBe(1);
    expect(connection.pragma('busy_timeout')).toBe(DEFAULT_BUSY_TIMEOUT_MS);
    open({ busyTimeoutMs: 1234 });
    expect(lastConnection().pragma('busy_timeout')).toBe(1234);
    // WAL is a property of the file, so every later connection finds it too.
    expect(withSideConnection(path, (db) => db.pragma('journal_mode', { simple: true }))).toBe('wal');
  });

  it('migrates a new file to the latest version, and leaves it alone when asked not to', () => {
    const bare = open({ migrate: false });
    expect(bare.schemaVersion()).toBe(0);
    expect(open().schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
    expect(bare.schemaVersion()).toBe(LATEST_SCHEMA_VERSION);
  });

  it('refuses a database written by a newer schema, and leaves it untouched', async () => {
    const store = open();
    await store.write((tx) => tx.series.insert(1, SETTINGS, { at: AT, actor: 'alice' }));
    await store.close();
    withSideConnection(path, (db) => {
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        LATEST_SCHEMA_VERSION + 1,
        'from the future',
        AT,
      );
    });

    let refusal: unknown;
    try {
      open();
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(SerialtraceError);
    expect(refusal).toMatchObject({
      code: 'STORE_SCHEMA_NEWER',
      details: { found: LATEST_SCHEMA_VERSION + 1, known: LATEST_SCHEMA_VERSION },
    });

    withSideConnection(path, (db) => {
      expect(db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()).toEqual({ v: LATEST_SCHEMA_VERSION + 1 });
      expect(db.prepare('SELECT name FROM series').all()).toEqual([{ name: 'Widgets' }]);
    });
  });

  it('makes a writer wait while another process holds the write lock, then builds on its commit', async () => {
    const store = open();
    const series = await store.write((tx) => tx.series.insert(1, SETTINGS, { at: AT, actor: 'alice' }));
    const holder = await holdWriteLock(
      path,
      300,
      `INSERT INTO counters (series_id, period, value, updated_at) VALUES (${series.id}, '*', '41', '${AT}')`,
    );
    holders.push(holder.child);

    // Readers are not blocked by a writer in WAL mode, and see only what is committed.
    expect(await store.read((tx) => tx.counters.read(series.id, '*'))).toBeUndefined();

    const started = performance.now();
    const next = await store.write(async (tx) => {
      const current = (await tx.counters.lock(series.id, '*')) ?? 0n;
      await tx.counters.save(series.id, '*', current + 1n, AT);
      return current + 1n;
    });
    const waited = performance.now() - started;

    expect(next).toBe(42n);
    expect(waited).toBeGreaterThanOrEqual(150);
    expect(await holder.exited).toBe(0);
    expect(await store.read((tx) => tx.counters.read(series.id, '*'))).toBe(42n);
  });

  it('gives up with STORE_BUSY after its busy timeout, writes nothing, and works again later', async () => {
    const store = open({ busyTimeoutMs: 100 });
    const series = await store.write((tx) => tx.series.insert(1, SETTINGS, { at: AT, actor: 'alice' }));
    const holder = await holdWriteLock(
      path,
      700,
      `INSERT INTO counters (series_id, period, value, updated_at) VALUES (${series.id}, '*', '41', '${AT}')`,
    );
    holders.push(holder.child);

    let ran = false;
    const started = performance.now();
    const refusal: unknown = await store
      .write(async (tx) => {
        ran = true;
        await tx.counters.save(series.id, '*', 1000n, AT);
        await tx.counters.save(series.id, 'other', 1n, AT);
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    const waited = performance.now() - started;

    expect(refusal).toBeInstanceOf(SerialtraceError);
    expect(refusal).toMatchObject({ code: 'STORE_BUSY', details: { timeoutMs: 100 } });
    expect(waited).toBeGreaterThanOrEqual(90);
    expect(waited).toBeLessThan(600);
    expect(ran).toBe(false);

    expect(await holder.exited).toBe(0);
    await store.read(async (tx) => {
      expect(await tx.counters.read(series.id, '*')).toBe(41n);
      expect(await tx.counters.read(series.id, 'other')).toBeUndefined();
    });
    await store.write((tx) => tx.counters.save(series.id, '*', 42n, AT));
    expect(await store.read((tx) => tx.counters.read(series.id, '*'))).toBe(42n);
  });

  it('refuses to open a file another process keeps locked past the busy timeout', async () => {
    open().schemaVersion();
    const holder = await holdWriteLock(path, 400);
    holders.push(holder.child);
    let refusal: unknown;
    try {
      open({ busyTimeoutMs: 50 });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toMatchObject({ code: 'STORE_BUSY' });
    expect(await holder.exited).toBe(0);
  });
});
