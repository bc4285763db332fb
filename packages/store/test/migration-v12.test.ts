import { describe, expect, it } from 'vitest';
import type { Store } from '@serialtrace/store';
import { MIGRATED_AT as AT, useOldDatabases, type Flag } from './migration-harness.js';

/*
 * A database of schema version 11 opened by this release: migration 12 adds the vocabulary the
 * EPCIS collections list, filled from the events captured before, and lets an eventID name an
 * event and its error declaration; every event stays.
 */

const SHIPPING = 'https://ref.gs1.org/cbv/BizStep-shipping';
const RECEIVING = 'https://ref.gs1.org/cbv/BizStep-receiving';
const IN_TRANSIT = 'https://ref.gs1.org/cbv/Disp-in_transit';
const DOCK = 'https://id.gs1.org/414/9506000000017';
const PLANT = 'https://id.gs1.org/414/9506000000024';

function version11Rows(flag: Flag): string[] {
  const event = (id: number, company: number, bizStep: string | null, disposition: string | null, readPoint: string | null, bizLocation: string | null) =>
    `INSERT INTO epcis_events (id, company_id, event_id, event_hash, type, event_time, event_time_zone_offset, record_time, action,
       biz_step, disposition, read_point, biz_location, error_declared, capture_id, document)
     VALUES (${id}, ${company}, 'urn:uuid:${id}', 'ni:///sha-256;${id}?ver=CBV2.0', 'ObjectEvent', '${AT}', '+00:00', '${AT}', 'OBSERVE',
       ${[bizStep, disposition, readPoint, bizLocation].map((v) => (v === null ? 'NULL' : `'${v}'`)).join(', ')}, ${flag(false)}, NULL, '{}')`;
  return [
    `INSERT INTO companies (id, name, created_at) VALUES (2, 'second', '${AT}')`,
    event(1, 1, SHIPPING, IN_TRANSIT, DOCK, PLANT),
    event(2, 1, SHIPPING, IN_TRANSIT, DOCK, null),
    event(3, 1, null, null, null, null),
    event(4, 2, RECEIVING, null, null, PLANT),
  ];
}

async function checkVocabulary(store: Store): Promise<void> {
  const list = (company: number, kind: 'bizStep' | 'disposition' | 'readPoint' | 'bizLocation') => store.read((tx) => tx.epcis.vocabulary(company, kind, undefined, 10));
  expect(await list(1, 'bizStep')).toEqual([SHIPPING]);
  expect(await list(1, 'disposition')).toEqual([IN_TRANSIT]);
  expect(await list(1, 'readPoint')).toEqual([DOCK]);
  expect(await list(1, 'bizLocation')).toEqual([PLANT]);
  expect(await list(2, 'bizStep')).toEqual([RECEIVING]);
  expect(await list(2, 'readPoint')).toEqual([]);
  expect((await store.read((tx) => tx.epcis.findByEventIds(1, ['urn:uuid:1', 'urn:uuid:3']))).map((e) => e.bizStep)).toEqual([SHIPPING, null]);

  // An eventID names one event and one declaration of it, no more.
  const [original] = await store.read((tx) => tx.epcis.findByEventIds(1, ['urn:uuid:1']));
  const { id: _id, ...declaration } = { ...original!, errorDeclared: true, identifiers: [] };
  await store.write((tx) => tx.epcis.insertEvents([declaration]));
  await expect(store.write((tx) => tx.epcis.insertEvents([declaration]))).rejects.toThrow();
  await expect(store.write((tx) => tx.epcis.insertEvents([{ ...declaration, errorDeclared: false }]))).rejects.toThrow();
  expect((await store.read((tx) => tx.epcis.findByEventIds(1, ['urn:uuid:1']))).map((e) => e.errorDeclared)).toEqual([false, true]);
}

describe('migration 12 on a database of version 11', () => {
  const old = useOldDatabases();

  it('upgrades a SQLite file, listing the vocabulary of the events it holds', async () => {
    await checkVocabulary(old.sqlite(11, version11Rows, { foreignKeys: true }));
  });

  it('upgrades a PostgreSQL schema, listing the vocabulary of the events it holds', async () => {
    await checkVocabulary(await old.postgres(11, version11Rows, async (client) => {
      await client.query(`SELECT setval(pg_get_serial_sequence('epcis_events', 'id'), 4), setval(pg_get_serial_sequence('companies', 'id'), 2)`);
    }));
  });
});
