import { describe, expect, it } from 'vitest';
import type { NewEpcisEvent, PgStore, Store } from '@serialtrace/store';
import { MIGRATED_AT as AT, oldSeriesRow, useOldDatabases, type Flag } from './migration-harness.js';
import { withPgClient } from './pg-harness.js';

/*
 * A database of schema version 10 opened by this release: migration 11 adds the EPCIS event
 * repository (captures, events, their identifiers) and changes nothing else. Every row stays, and
 * the new tables take events at once, their references checked (per statement on PostgreSQL).
 */

function version10Rows(flag: Flag): string[] {
  return [
    oldSeriesRow(flag, { description: 'kept', global: false, allocation: 'gapless', leaseSize: 1 }),
    `INSERT INTO records (id, company_id, series_id, serial, sequence, period, status, generated_at, generated_by, updated_at, lot)
     VALUES (11, 1, 7, 'SN-0001', '1', '*', 'generated', '${AT}', 'alice', '${AT}', 'LOT-1')`,
    `INSERT INTO journal (id, company_id, at, actor, type, entity_type, entity_id, data, digest)
     VALUES (3, 1, '${AT}', 'alice', 'series.created', 'series', '7', NULL, '${'0'.repeat(64)}')`,
    `INSERT INTO label_templates (id, company_id, name, definition, version, created_at, created_by, updated_at, updated_by)
     VALUES (5, 1, 'Carton', '{"v":1}', 1, '${AT}', 'alice', '${AT}', 'alice')`,
  ];
}

const EVENT: NewEpcisEvent = {
  companyId: 1,
  eventId: 'urn:uuid:after-the-upgrade',
  eventHash: 'ni:///sha-256;0?ver=CBV2.0',
  type: 'ObjectEvent',
  eventTime: AT,
  eventTimeZoneOffset: '+00:00',
  recordTime: AT,
  action: 'ADD',
  bizStep: null,
  disposition: null,
  readPoint: null,
  bizLocation: null,
  errorDeclared: false,
  captureId: null,
  document: '{}',
  identifiers: [{ role: 'epc', identifier: 'https://id.gs1.org/01/09506000134352/21/1' }],
};

async function checkKeptAndExtended(store: Store): Promise<void> {
  expect((await store.read((tx) => tx.records.findByIds([11]))).map((r) => [r.serial, r.lot])).toEqual([['SN-0001', 'LOT-1']]);
  expect((await store.read((tx) => tx.journal.findByIds(1, [3]))).map((e) => e.action)).toEqual(['series.created']);
  expect((await store.read((tx) => tx.series.list(1))).map((s) => [s.id, s.settings.description])).toEqual([[7, 'kept']]);
  expect((await store.read((tx) => tx.labelTemplates.list(1))).map((t) => [t.id, t.definition])).toEqual([[5, '{"v":1}']]);

  const capture = await store.write((tx) => tx.epcis.createCapture(1, 'rollback', 1, { at: AT, actor: 'alice' }));
  const [id] = await store.write((tx) => tx.epcis.insertEvents([{ ...EVENT, captureId: capture.id }]));
  const found = await store.read((tx) => tx.epcis.find({ companyId: 1, identifiers: [{ roles: ['epc'], values: [EVENT.identifiers[0]!.identifier] }], orderBy: 'eventTime', direction: 'asc', limit: 10 }));
  expect(found.map((e) => [e.id, e.captureId])).toEqual([[id, capture.id]]);
  // References hold: no event of a missing company or capture.
  await expect(store.write((tx) => tx.epcis.insertEvents([{ ...EVENT, eventId: 'urn:uuid:ghost', companyId: 9 }]))).rejects.toThrow();
  await expect(store.write((tx) => tx.epcis.insertEvents([{ ...EVENT, eventId: 'urn:uuid:orphan', captureId: capture.id + 100 }]))).rejects.toThrow();
}

describe('migration 11 on a database of version 10', () => {
  const old = useOldDatabases();

  it('upgrades a SQLite file, keeping every row, and adds the EPCIS tables', async () => {
    await checkKeptAndExtended(old.sqlite(10, version10Rows, { foreignKeys: true }));
  });

  it('upgrades a PostgreSQL schema, keeping every row; the EPCIS tables check their references once per statement', async () => {
    let schema = '';
    const store: PgStore = await old.postgres(10, version10Rows, async (client) => {
      await client.query(
        `SELECT setval(pg_get_serial_sequence('records', 'id'), 11), setval(pg_get_serial_sequence('journal', 'id'), 3),
                setval(pg_get_serial_sequence('label_templates', 'id'), 5), setval(pg_get_serial_sequence('series', 'id'), 7)`,
      );
      schema = (await client.query<{ name: string }>('SELECT current_schema() AS name')).rows[0]!.name;
    });
    const foreignKeys = await withPgClient(schema, async (c) =>
      (
        await c.query<{ table: string }>(
          `SELECT conrelid::regclass::text AS table FROM pg_constraint
           WHERE contype = 'f' AND connamespace = current_schema()::regnamespace AND conrelid::regclass::text LIKE 'epcis_%' ORDER BY 1`,
        )
      ).rows.map((r) => r.table),
    );
    // The captures keep theirs (a row per capture job); events and identifiers are checked per statement.
    expect(foreignKeys).toEqual(['epcis_captures', 'epcis_vocabulary']);
    await checkKeptAndExtended(store);
    await withPgClient(schema, async (c) => {
      await expect(c.query('DELETE FROM epcis_captures')).rejects.toMatchObject({ code: '23503' });
      await expect(c.query('DELETE FROM epcis_events')).rejects.toMatchObject({ code: '23503' });
    });
  });
});
