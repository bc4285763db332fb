import { describe, expect, it } from 'vitest';
import type { Store } from '@serialtrace/store';
import { MIGRATED_AT as AT, useOldDatabases, type Flag } from './migration-harness.js';

/*
 * A database of schema version 12 opened by this release: migration 13 adds what aggregation events
 * put into and took out of their parents, filled from the aggregation events captured before (a
 * declaration writes nothing), and changes nothing else.
 */

const PALLET = 'https://id.gs1.org/00/095060000000000017';
const unit = (n: number) => `https://id.gs1.org/01/09506000134352/21/${n}`;

function version12Rows(flag: Flag): string[] {
  const event = (id: number, action: string, declared: boolean, type = 'AggregationEvent') =>
    `INSERT INTO epcis_events (id, company_id, event_id, event_hash, type, event_time, event_time_zone_offset, record_time, action,
       biz_step, disposition, read_point, biz_location, error_declared, capture_id, document)
     VALUES (${id}, 1, 'urn:uuid:${id % 10}', 'ni:///sha-256;${id}?ver=CBV2.0', '${type}', '2025-06-01T08:00:0${id % 10}.000Z', '+00:00', '${AT}', '${action}',
       NULL, NULL, NULL, NULL, ${flag(declared)}, NULL, '{}')`;
  const identifier = (event: number, role: string, value: string) => `INSERT INTO epcis_event_identifiers (company_id, identifier, role, event) VALUES (1, '${value}', '${role}', ${event})`;
  return [
    event(1, 'ADD', false),
    identifier(1, 'parent', PALLET),
    identifier(1, 'child', unit(1)),
    identifier(1, 'child', unit(2)),
    event(2, 'DELETE', false),
    identifier(2, 'parent', PALLET),
    // An object event naming a parent is no aggregation; a declaration says nothing happened.
    event(3, 'OBSERVE', false, 'ObjectEvent'),
    identifier(3, 'parent', PALLET),
    event(14, 'ADD', true),
    identifier(14, 'parent', PALLET),
    identifier(14, 'child', unit(4)),
  ];
}

async function checkAggregations(store: Store): Promise<void> {
  const rows = await store.read((tx) => tx.epcis.aggregations(1, 'parent', [PALLET]));
  expect(rows.map((r) => [r.child, r.action, r.event])).toEqual([
    [unit(1), 'ADD', 1],
    [unit(2), 'ADD', 1],
    [null, 'DELETE', 2],
  ]);
  expect((await store.read((tx) => tx.epcis.aggregations(1, 'child', [unit(2)]))).map((r) => r.parent)).toEqual([PALLET]);
}

describe('migration 13 on a database of version 12', () => {
  const old = useOldDatabases();

  it('upgrades a SQLite file, reading what its aggregation events packed', async () => {
    await checkAggregations(old.sqlite(12, version12Rows, { foreignKeys: true }));
  });

  it('upgrades a PostgreSQL schema, reading what its aggregation events packed', async () => {
    await checkAggregations(await old.postgres(12, version12Rows, (client) => client.query(`SELECT setval(pg_get_serial_sequence('epcis_events', 'id'), 14)`)));
  });
});
