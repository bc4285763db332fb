import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, sealAuditEntry, type AuditEntry } from '@serialtrace/core';
import type { Store } from '@serialtrace/store';
import { MIGRATED_AT as AT, useOldDatabases } from './migration-harness.js';

/*
 * A database a release with schema version 5 wrote, opened by this one: migration 6 keeps the
 * audit chain's head on the company row on both engines (SQLite left it empty), taking each
 * chain's newest entry, so that verification can hold the chain against it from now on.
 */

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Three entries of company 1 as version 5 wrote them (a second company has none). */
function chain(): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= 3; seq++) {
    const entry = sealAuditEntry(
      { seq, companyId: 1, at: AT, actor: 'alice', station: null, line: null, plant: null, reason: null, action: 'series.created', entityType: 'series', entityId: String(seq), data: { n: seq } },
      prev,
      sha256,
    );
    entries.push(entry);
    prev = entry.hash;
  }
  return entries;
}

function version5Rows(entries: readonly AuditEntry[]): string[] {
  return [
    `INSERT INTO companies (id, name, created_at) VALUES (2, 'Acme', '${AT}')`,
    ...entries.map(
      (e) =>
        `INSERT INTO audit_log (company_id, seq, at, actor, station, line, plant, reason, action, entity_type, entity_id, data, prev_hash, hash)
         VALUES (1, ${e.seq}, '${e.at}', '${e.actor}', NULL, NULL, NULL, NULL, '${e.action}', '${e.entityType}', '${e.entityId}', '${JSON.stringify(e.data)}', '${e.prevHash}', '${e.hash}')`,
    ),
  ];
}

async function checkUpgraded(store: Store, entries: readonly AuditEntry[]): Promise<void> {
  const last = entries.at(-1)!;
  await store.read(async (tx) => {
    expect(await tx.journal.chainHead(1)).toEqual({ seq: 3, hash: last.hash });
    expect(await tx.journal.chainHead(2)).toBeNull();
    expect((await tx.journal.listChain({ companyId: 1, limit: 10, order: 'asc' })).map((e) => e.hash)).toEqual(entries.map((e) => e.hash));
  });
  // The next entry chains onto the kept head, and the head moves with it.
  await store.write(async (tx) => {
    await tx.journal.append([{ ...last, data: { n: 4 } }]);
  });
  await store.sealJournal();
  const chain = await store.read((tx) => tx.journal.listChain({ companyId: 1, limit: 10, order: 'asc' }));
  expect(chain.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  expect(chain[3]!.prevHash).toBe(last.hash);
  expect(await store.read((tx) => tx.journal.chainHead(1))).toEqual({ seq: 4, hash: chain[3]!.hash });
}

describe('migration 6 on a database of version 5', () => {
  const old = useOldDatabases();

  it('upgrades a SQLite file: each chain\'s newest entry becomes the head its company row keeps', async () => {
    const entries = chain();
    await checkUpgraded(old.sqlite(5, () => version5Rows(entries)), entries);
  });

  it('upgrades a PostgreSQL schema whose company rows never kept a head', async () => {
    const entries = chain();
    await checkUpgraded(await old.postgres(5, () => version5Rows(entries)), entries);
  });
});
