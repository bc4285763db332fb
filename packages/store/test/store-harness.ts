import type { SeriesSettings } from '@serialtrace/core';
import type { Store } from '@serialtrace/store';

/**
 * What the contract suite needs from an engine besides the port: a fresh database, a way to open
 * it again, and the two things the port deliberately does not offer (reading the migration
 * ledger, adding a company). Each engine implements this once; the suite never branches on it.
 *
 * @example
 * const harness = await sqliteFactory.create();
 * await harness.store.write(async (tx) => tx.insertSeries(1, settings, stamp));
 * await harness.dispose();
 */
export interface StoreHarness {
  /** The store currently open on the harness's database (replaced by {@link reopen}). */
  readonly store: Store;
  /** Closes the current store and opens the same database again, as a restarted process would. */
  reopen(): Promise<Store>;
  /** The rows of the migration ledger, oldest first. */
  appliedMigrations(): Promise<{ version: number; appliedAt: string }[]>;
  /** Adds a company, which only an administrator's script does today. */
  addCompany(id: number, name: string): Promise<void>;
  /** Closes the store and removes the database. */
  dispose(): Promise<void>;
}

export interface StoreFactory {
  /** Shown as the name of the engine's `describe` block. */
  readonly name: string;
  /** A store on a new, migrated database in which only the default company (1) exists. */
  create(): Promise<StoreHarness>;
}

/** Plain settings of a series named `name`: the defaults, a `SN-{SEQUENCE}` format, UTC. */
export function seriesSettings(name: string, overrides: Partial<SeriesSettings> = {}): SeriesSettings {
  return {
    name,
    description: '',
    format: 'SN-{SEQUENCE}',
    base: 'numeric',
    start: 0n,
    increment: 1n,
    minLength: 4,
    reset: 'never',
    timeZone: 'UTC',
    shiftStarts: null,
    global: false,
    allowGrowth: false,
    allocation: 'gapless',
    leaseSize: 100,
    gtin: null,
    sscc: false,
    companyPrefix: null,
    extensionDigit: null,
    randomized: false,
    ...overrides,
  };
}
