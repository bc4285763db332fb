import { describe, expect, it } from 'vitest';
import type { PgStore, Store } from '@serialtrace/store';
import { MIGRATED_AT as AT, oldSeriesRow, useOldDatabases, type Flag } from './migration-harness.js';
import { withPgClient } from './pg-harness.js';
import { newRecord } from './store-harness.js';

/*
 * A database of schema version 9 opened by this release: migration 10 checks the references of
 * records and journal events once per statement on PostgreSQL (SQLite keeps its foreign keys).
 * Every row stays; a record or event naming a missing series or company is still refused, and a
 * referenced series or company still cannot be deleted.
 */

function version9Rows(flag: Flag): string[] {
  return [
    oldSeriesRow(flag, { description: '', global: false, allocation: 'gapless', leaseSize: 1 }),
    `INSERT INTO records (id, company_id, series_id, serial, sequence, period, status, generated_at, generated_by, updated_at)
     VALUES (11, 1, 7, 'SN-0001', '1', '*', 'generated', '${AT}', 'alice', '${AT}')`,
    `INSERT INTO journal (id, company_id, at, actor, type, entity_type, entity_id, data, digest)
     VALUES (3, 1, '${AT}', 'alice', 'series.created', 'series', '7', NULL, '${'0'.repeat(64)}')`,
  ];
}

async function checkKept(store: Store): Promise<void> {
  expect((await store.read((tx) => tx.records.findByIds([11]))).map((r) => r.serial)).toEqual(['SN-0001']);
  expect((await store.read((tx) => tx.journal.findByIds(1, [3]))).map((e) => e.action)).toEqual(['series.created']);
  const [series] = await store.read((tx) => tx.series.list(1));
  // Still refused: a record of a series that does not exist, an event of a company that does not.
  await expect(store.write((tx) => tx.records.insertIssued([newRecord({ ...series!, id: 8 }, 'SN-0002')]))).rejects.toThrow();
  await expect(store.write((tx) => tx.records.insert([newRecord({ ...series!, companyId: 9 }, 'SN-0003')]))).rejects.toThrow();
  expect(await store.write((tx) => tx.records.insertIssued([newRecord(series!, 'SN-0004')]))).toEqual([true]);
  expect((await store.read((tx) => tx.records.search({ companyId: 1, limit: 10 }))).map((r) => r.serial).sort()).toEqual(['SN-0001', 'SN-0004']);
}

describe('migration 10 on a database of version 9', () => {
  const old = useOldDatabases();

  it('upgrades a SQLite file, keeping every row and its foreign keys', async () => {
    await checkKept(old.sqlite(9, version9Rows, { foreignKeys: true }));
  });

  it('upgrades a PostgreSQL schema: the per-row foreign keys of records and journal become per-statement checks', async () => {
    let schema = '';
    const store: PgStore = await old.postgres(9, version9Rows, async (client) => {
      await client.query(`SELECT setval(pg_get_serial_sequence('records', 'id'), 11), setval(pg_get_serial_sequence('journal', 'id'), 3)`);
      schema = (await client.query<{ name: string }>('SELECT current_schema() AS name')).rows[0]!.name;
    });
    const foreignKeys = await withPgClient(schema, async (c) =>
      (
        await c.query<{ table: string; fk: string }>(
          `SELECT conrelid::regclass::text AS table, conname AS fk FROM pg_constraint
           WHERE contype = 'f' AND connamespace = current_schema()::regnamespace AND conrelid::regclass::text IN ('records', 'journal') ORDER BY 1, 2`,
        )
      ).rows,
    );
    expect(foreignKeys).toEqual([]);
    await checkKept(store);
    // A referenced series or company cannot go, nor change its id; an unreferenced one can.
    await withPgClient(schema, async (c) => {
      await expect(c.query('DELETE FROM series WHERE id = 7')).rejects.toMatchObject({ code: '23503' });
      await expect(c.query('UPDATE series SET id = 70 WHERE id = 7')).rejects.toMatchObject({ code: '23503' });
      await expect(c.query('DELETE FROM journal WHERE id = 3; DELETE FROM companies WHERE id = 1')).rejects.toMatchObject({ code: '23503' });
      await c.query(`INSERT INTO companies (id, name, created_at) VALUES (5, 'Spare', '${AT}')`);
      await c.query(`INSERT INTO journal (id, company_id, at, actor, type, entity_type, entity_id, digest) VALUES (99, 5, '${AT}', 'a', 'series.created', 'series', '1', 'x')`);
      await expect(c.query('DELETE FROM companies WHERE id = 5')).rejects.toMatchObject({ code: '23503' });
      await c.query('DELETE FROM journal WHERE id = 99');
      await c.query('DELETE FROM companies WHERE id = 5');
    });
  });
});
