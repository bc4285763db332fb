import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ChainWalk, GENESIS_HASH, sealAuditEntry, type AuditEntry } from '@serialtrace/core';
import type { Store } from '@serialtrace/store';
import { MIGRATED_AT as AT, oldSeriesRow, useOldDatabases, type Flag } from './migration-harness.js';

/*
 * A database a release with schema version 7 wrote, opened by this one: migration 8 moves the
 * audit log into the journal. Every entry keeps its chain position and hashes (so the chains still
 * verify, old links and new ones), gets a position in the order the entries were written, and the
 * records and status changes that pointed at entries by chain position point at the same events
 * by id.
 */

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const second = (n: number) => new Date(Date.parse(AT) + n * 1000).toISOString();

/** A company's chain as version 7 wrote it: each entry at the given second. */
function chain(companyId: number, seconds: readonly number[]): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let prev = GENESIS_HASH;
  seconds.forEach((s, i) => {
    const entry = sealAuditEntry(
      {
        seq: i + 1,
        companyId,
        at: second(s),
        actor: `actor-${companyId}`,
        station: 'ST-1',
        line: null,
        plant: null,
        reason: i === 1 ? 'it\'s late' : null,
        action: 'serials.generated',
        entityType: 'series',
        entityId: '7',
        data: { serials: [`SN-${companyId}-${i}`] },
      },
      prev,
      sha256,
    );
    entries.push(entry);
    prev = entry.hash;
  });
  return entries;
}

const ONES = chain(1, [0, 1, 3]);
const TWOS = chain(2, [2, 4]);
const text = (value: string | null) => (value === null ? 'NULL' : `'${value.replace(/'/g, "''")}'`);

function version7Rows(flag: Flag): string[] {
  return [
    `INSERT INTO companies (id, name, created_at) VALUES (2, 'Acme', '${AT}')`,
    oldSeriesRow(flag, { description: '', global: true, allocation: 'gapless', leaseSize: 1 }),
    `INSERT INTO records (id, company_id, series_id, serial, sequence, period, status, work_order, part_number, context, metadata,
       generated_at, generated_by, station, updated_at, audit_seq)
     VALUES (11, 1, 7, 'SN-0001', '1', '*', 'voided', NULL, NULL, NULL, NULL, '${AT}', 'alice', NULL, '${AT}', 2)`,
    `INSERT INTO record_history (id, record_id, from_status, to_status, at, actor, station, reason, data, audit_seq)
     VALUES (5, 11, 'generated', 'voided', '${AT}', 'alice', NULL, 'dropped', NULL, 3)`,
    ...[...ONES, ...TWOS].map(
      (e) =>
        `INSERT INTO audit_log (company_id, seq, at, actor, station, line, plant, reason, action, entity_type, entity_id, data, prev_hash, hash)
         VALUES (${e.companyId}, ${e.seq}, '${e.at}', '${e.actor}', ${text(e.station)}, NULL, NULL, ${text(e.reason)}, '${e.action}', '${e.entityType}', '${e.entityId}',
           '${JSON.stringify(e.data)}', '${e.prevHash}', '${e.hash}')`,
    ),
    `UPDATE companies SET chain_seq = 3, chain_hash = '${ONES[2]!.hash}' WHERE id = 1`,
    `UPDATE companies SET chain_seq = 2, chain_hash = '${TWOS[1]!.hash}' WHERE id = 2`,
  ];
}

async function sealedChain(store: Store, companyId: number): Promise<AuditEntry[]> {
  const entries = await store.read((tx) => tx.journal.listChain({ companyId, limit: 100, order: 'asc' }));
  const walk = new ChainWalk(sha256);
  for (const entry of entries) expect(walk.check(entry)).toEqual([]);
  return entries;
}

async function checkUpgraded(store: Store): Promise<void> {
  // Every entry, as it was, in its chain.
  expect(await sealedChain(store, 1)).toEqual(ONES);
  expect(await sealedChain(store, 2)).toEqual(TWOS);
  // Positions in the order the entries were written, over both companies.
  const events = await store.read((tx) => tx.journal.read({ after: 0, limit: 100 }));
  expect(events.map((e) => [e.position, e.companyId, e.seq])).toEqual([
    [1, 1, 1],
    [2, 1, 2],
    [3, 2, 1],
    [4, 1, 3],
    [5, 2, 2],
  ]);
  expect(await store.read((tx) => tx.journal.hasUnsealed())).toBe(false);
  // The record and its status change point at the same entries, now by event id.
  const [record] = await store.read((tx) => tx.records.findByIds([11]));
  const [change] = await store.read((tx) => tx.records.historyOf([11]));
  const [made, voided] = await store.read((tx) => tx.journal.findByIds(1, [record!.auditId!, change!.auditId!]));
  expect([made!.seq, voided!.seq]).toEqual([2, 3]);

  // New events chain onto each kept head, after the moved ones.
  await store.write((tx) => tx.journal.append([{ ...ONES[0]!, at: second(9), data: { n: 'new' } }]));
  await store.sealJournal();
  const ones = await sealedChain(store, 1);
  expect(ones.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  expect(ones[3]!.prevHash).toBe(ONES[2]!.hash);
  expect(ones[3]!.digest).toMatch(/^[0-9a-f]{64}$/);
  expect((await store.read((tx) => tx.journal.read({ after: 5, limit: 10 }))).map((e) => [e.position, e.seq])).toEqual([[6, 4]]);
}

describe('migration 8 on a database of version 7', () => {
  const old = useOldDatabases();

  it('upgrades a SQLite file: the audit log becomes the journal, chains, heads and links kept', async () => {
    await checkUpgraded(old.sqlite(7, version7Rows, { foreignKeys: true }));
  });

  it('upgrades a PostgreSQL schema: the audit log becomes the journal, chains, heads and links kept', async () => {
    await checkUpgraded(
      await old.postgres(7, version7Rows, (client) => client.query(`SELECT setval(pg_get_serial_sequence('records', 'id'), (SELECT MAX(id) FROM records))`)),
    );
  });
});
