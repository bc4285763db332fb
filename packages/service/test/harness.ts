import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SerialtraceError, type Clock } from '@serialtrace/core';
import { createSerialtrace, type Caller, type Serialtrace } from '@serialtrace/service';
import { SqliteStore } from '@serialtrace/store';
import { expect } from 'vitest';

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  #ms: number;
  constructor(iso: string) {
    this.#ms = Date.parse(iso);
  }
  now(): Date {
    return new Date(this.#ms);
  }
  set(iso: string): void {
    this.#ms = Date.parse(iso);
  }
  advance(ms: number): void {
    this.#ms += ms;
  }
}

export interface Harness {
  readonly app: Serialtrace;
  readonly clock: ManualClock;
  readonly caller: Caller;
  readonly path: string;
  /** A second, raw connection to the same file, for tampering and counting behind the service's back. */
  raw(): Database.Database;
  close(): Promise<void>;
}

/** A service on a fresh SQLite file in a temporary directory, with the clock stopped at `at`. */
export function openHarness(at = '2025-06-15T10:00:00Z'): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'serialtrace-service-'));
  const path = join(dir, 'serialtrace.db');
  const store = SqliteStore.open({ path });
  const clock = new ManualClock(at);
  const app = createSerialtrace({ store, clock, defaultTimeZone: 'UTC' });
  const raws: Database.Database[] = [];
  return {
    app,
    clock,
    caller: { companyId: 1, actor: 'tester', station: 'ST-1', line: 'L1', plant: 'P1' },
    path,
    raw() {
      const db = new Database(path);
      raws.push(db);
      return db;
    },
    async close() {
      for (const db of raws) db.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Awaits a promise that must be refused with `code`, and returns the error. */
export async function refused(promise: Promise<unknown>, code: string): Promise<SerialtraceError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SerialtraceError);
    expect((error as SerialtraceError).code).toBe(code);
    return error as SerialtraceError;
  }
  throw new Error(`expected a refusal with ${code}, but the call succeeded`);
}

/** Row counts of every table that a refused request must leave alone. */
export function snapshot(db: Database.Database): Record<string, unknown> {
  const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  return {
    series: count('series'),
    versions: count('series_versions'),
    counters: db.prepare('SELECT series_id, period, value FROM counters ORDER BY series_id, period').all(),
    records: count('records'),
    history: count('record_history'),
    audit: count('journal'),
    idempotency: count('idempotency_keys'),
  };
}
