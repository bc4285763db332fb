import { describe, expect, it } from 'vitest';
import { settingsFromJson, type SeriesSettingsJson } from '@serialtrace/core';
import type { Store } from '@serialtrace/store';
import { MIGRATED_AT as AT, oldSeriesRow, useOldDatabases, type Flag } from './migration-harness.js';
import { seriesSettings } from './store-harness.js';

/*
 * A database a release with schema version 3 wrote, opened by this one: migration 4 adds the GS1
 * series settings, the wrapped key, the record lot, expiry and print count, and label templates,
 * and the rows already there read back with their defaults, on both engines.
 */

/** A series' settings as version 3 kept them in series_versions: without the GS1 fields. */
const V3_SETTINGS = JSON.stringify({
  name: 'Old',
  description: 'from version 3',
  format: 'SN-{SEQUENCE}',
  base: 'numeric',
  start: '0',
  increment: '1',
  minLength: 4,
  reset: 'never',
  timeZone: 'UTC',
  shiftStarts: null,
  global: true,
  allowGrowth: false,
  allocation: 'leased',
  leaseSize: 50,
});

/** Rows version 3 wrote: one series, its version and a record (`flag` writes a boolean). */
function version3Rows(flag: Flag): string[] {
  return [
    oldSeriesRow(flag, { description: 'from version 3', global: true, allocation: 'leased', leaseSize: 50 }),
    `INSERT INTO series_versions (series_id, version, settings, changed_at, changed_by, reason) VALUES (7, 1, '${V3_SETTINGS}', '${AT}', 'alice', NULL)`,
    `INSERT INTO records (id, company_id, series_id, serial, sequence, period, status, work_order, part_number, context, metadata,
       generated_at, generated_by, station, updated_at, audit_seq)
     VALUES (11, 1, 7, 'SN-0001', '1', '*', 'generated', 'WO-1', NULL, NULL, NULL, '${AT}', 'alice', NULL, '${AT}', NULL)`,
  ];
}

const expectedSettings = seriesSettings('Old', { description: 'from version 3', global: true, allocation: 'leased', leaseSize: 50 });

/** What the store reads from the upgraded database, and that everything migration 4 added works on it. */
async function checkUpgraded(store: Store): Promise<void> {
  const series = await store.read((tx) => tx.series.find(1, 'Old'));
  expect(series).toEqual({
    id: 7,
    companyId: 1,
    settings: expectedSettings,
    version: 1,
    createdAt: AT,
    createdBy: 'alice',
    updatedAt: AT,
    updatedBy: 'alice',
    wrappedKey: null,
  });
  expect((await store.read((tx) => tx.series.versions(7))).map((v) => v.settings)).toEqual([expectedSettings]);
  expect(settingsFromJson(JSON.parse(V3_SETTINGS) as SeriesSettingsJson)).toEqual(expectedSettings);
  const [record] = await store.read((tx) => tx.records.findByIds([11]));
  expect(record).toMatchObject({ id: 11, serial: 'SN-0001', workOrder: 'WO-1', lot: null, expiry: null, labelPrints: 0 });

  await store.write(async (tx) => {
    await tx.series.saveKey(7, 'wrapped');
    expect(await tx.records.countLabelPrint(11, AT)).toBe(1);
    expect(await tx.labelTemplates.save(1, 'Carton', '{}', { at: AT, actor: 'alice' })).toMatchObject({ version: 1 });
    await tx.series.update(must(series), seriesSettings('Old', { gtin: '09506000134352', companyPrefix: '9506000' }), { at: AT, actor: 'bob' });
    const [id] = await tx.records.insert([
      { ...must(record), serial: 'SN-0002', lot: 'L', expiry: '2027-01-31', auditId: null },
    ]);
    expect(id).toBeGreaterThan(11);
  });
  await store.read(async (tx) => {
    expect(await tx.series.find(1, 'Old')).toMatchObject({ wrappedKey: 'wrapped', version: 2, settings: { gtin: '09506000134352' } });
    expect((await tx.records.search({ companyId: 1, lot: 'L', limit: 10 })).map((r) => r.serial)).toEqual(['SN-0002']);
  });
}

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}

describe('migration 4 on a database of version 3', () => {
  const old = useOldDatabases();

  it('upgrades a SQLite file, keeping its rows and giving them the defaults', async () => {
    await checkUpgraded(old.sqlite(3, version3Rows));
  });

  it('upgrades a PostgreSQL schema, keeping its rows and giving them the defaults', async () => {
    const store = await old.postgres(3, version3Rows, async (client) => {
      // Version 3 of the PostgreSQL adapter counts global series on the company row, and the ids
      // it wrote came from the identity sequences.
      await client.query('UPDATE companies SET global_series = 1 WHERE id = 1');
      for (const table of ['series', 'records']) await client.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT MAX(id) FROM ${table}))`);
    });
    await checkUpgraded(store);
  });
});
