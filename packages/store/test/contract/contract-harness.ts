import { afterEach, beforeEach } from 'vitest';
import type { SeriesSettings } from '@serialtrace/core';
import type { ChangeStamp, JournalDraft, NewRecord, RecordRow, SeriesRow, Store, StoreTransaction, TakenSerial } from '@serialtrace/store';
import { postgresFactory } from '../pg-harness.js';
import { sqliteFactory } from '../sqlite-harness.js';
import { seriesSettings, type StoreFactory, type StoreHarness } from '../store-harness.js';

/*
 * The store contract: the behaviour every storage engine must show, written against the port
 * alone, one file per area of the data (`series.test.ts`, `records.test.ts`, ...), each looping
 * over every engine (Kysely's test/node/src/*.test.ts loop over every dialect the same way).
 * Anything only one engine can check lives in that engine's own test file.
 */

/** Every engine the store ships. */
export const ENGINES: readonly StoreFactory[] = [sqliteFactory, postgresFactory];

export const AT = '2025-06-01T08:00:00.000Z';
export const STAMP: ChangeStamp = { at: AT, actor: 'alice' };
export const TWO_POW_64 = 2n ** 64n;

/** The harness of the test running now: a fresh database per test. */
export interface ContractStore {
  /** The current test's harness (its store changes when the test reopens it). */
  readonly h: StoreHarness;
  readonly write: <T>(work: (tx: StoreTransaction) => Promise<T>) => Promise<T>;
  readonly read: <T>(work: (tx: StoreTransaction) => Promise<T>) => Promise<T>;
  /** Adds a series with the default settings (and `overrides`) to a company, 1 unless given. */
  readonly addSeries: (name: string, overrides?: Partial<SeriesSettings>, companyId?: number) => Promise<SeriesRow>;
}

/**
 * A fresh database of `factory`'s engine for each test of the enclosing `describe`, closed and
 * removed after it.
 *
 * @example const { write, read, addSeries } = useStore(factory);
 */
export function useStore(factory: StoreFactory): ContractStore {
  let current: StoreHarness | undefined;
  const harness = (): StoreHarness => {
    if (current === undefined) throw new Error('the store is only open inside a test');
    return current;
  };
  beforeEach(async () => {
    current = await factory.create();
  });
  afterEach(async () => {
    await current?.dispose();
    current = undefined;
  });
  const h: StoreHarness = {
    get store(): Store {
      return harness().store;
    },
    reopen: () => harness().reopen(),
    appliedMigrations: () => harness().appliedMigrations(),
    addCompany: (id, name) => harness().addCompany(id, name),
    dispose: () => harness().dispose(),
  };
  const write = <T>(work: (tx: StoreTransaction) => Promise<T>) => h.store.write(work);
  const read = <T>(work: (tx: StoreTransaction) => Promise<T>) => h.store.read(work);
  return {
    h,
    write,
    read,
    addSeries: (name, overrides = {}, companyId = 1) => write((tx) => tx.series.insert(companyId, seriesSettings(name, overrides), STAMP)),
  };
}

/** The row a freshly inserted record reads back as. */
export function storedRecord(series: SeriesRow, id: number, record: NewRecord): RecordRow {
  return { ...record, id, seriesName: series.settings.name, updatedAt: record.generatedAt, labelPrints: 0 };
}

/** An event as the audit writer appends it, at second `n` of {@link AT}'s minute. */
export function journalDraft(companyId: number, overrides: Partial<JournalDraft> = {}, n = 0): JournalDraft {
  return {
    companyId,
    at: new Date(Date.UTC(2025, 5, 1, 8, 0, n)).toISOString(),
    actor: 'alice',
    station: null,
    line: null,
    plant: null,
    reason: null,
    action: 'series.created',
    entityType: 'series',
    entityId: '1',
    data: null,
    ...overrides,
  };
}

export function must<T>(value: T | undefined | null): T {
  if (value === undefined || value === null) throw new Error('expected a value');
  return value;
}

/** The ids of a batch in which every record was expected to be inserted. */
export function inserted(ids: readonly (number | null)[]): number[] {
  return ids.map((id) => must(id));
}

export const pause = (ms = 0) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;
export const bySerialThenSeries = (a: TakenSerial, b: TakenSerial) =>
  a.serial < b.serial ? -1 : a.serial > b.serial ? 1 : a.seriesId - b.seriesId;
