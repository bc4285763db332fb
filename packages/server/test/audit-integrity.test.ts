import { createHash } from 'node:crypto';
import { sealJournalEntry, type AuditEntry } from '@serialtrace/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APP_ENGINES, openApp, type Credentials, type TestApp } from './helper.js';

/**
 * Tampering with the database behind serialtrace's back, as someone with the file or a SQL
 * prompt could: every kind is found by verification, on both engines, and one problem does not
 * hide the next.
 */

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const sqlText = (value: string | null) => (value === null ? 'NULL' : `'${value.replace(/'/g, "''")}'`);

describe.each(APP_ENGINES)('audit tampering on %s', (engine) => {
  let t: TestApp;
  let operator: Credentials;
  beforeEach(async () => {
    t = await openApp({ engine });
    operator = await t.key('operator');
    expect((await t.call('POST', '/api/v1/series', { as: t.admin, body: { name: 'Widgets', format: 'W-{####}' } })).status).toBe(201);
    for (let i = 0; i < 10; i++) {
      expect((await t.call('POST', '/api/v1/series/Widgets/serials', { as: operator, body: { quantity: 2, workOrder: `WO-${i}` } })).status).toBe(201);
    }
    expect((await t.call('POST', '/api/v1/records/W-0001/status', { as: t.admin, body: { status: 'voided', reason: 'dropped' } })).status).toBe(200);
  });
  afterEach(async () => {
    await t.close();
  });

  const verify = async (query: Record<string, string> = {}) => (await t.call('GET', '/api/v1/audit/verify', { as: t.admin, query })).json;
  const entries = async (): Promise<AuditEntry[]> => (await t.call('GET', '/api/v1/audit/export', { as: t.admin })).json;
  const generate = async () => expect((await t.call('POST', '/api/v1/series/Widgets/serials', { as: operator, body: {} })).status).toBe(201);

  it('verifies an untouched trail, records and history included', async () => {
    const result = await verify();
    const count = (await entries()).length;
    expect(result).toMatchObject({ valid: true, checked: count, problems: [], problemCount: 0, recordsChecked: 20, historyChecked: 1, storedHead: { seq: count } });
    expect(result.head).toEqual(result.storedHead);
  });

  it('finds entries cut off the end of the chain, and still finds them after the next write', async () => {
    const count = (await entries()).length;
    await t.sql(`DELETE FROM journal WHERE company_id = 1 AND seq > ${count - 3}`);
    const cut = await verify();
    expect(cut.valid).toBe(false);
    expect(cut.problems).toContainEqual(expect.objectContaining({ reason: 'head_mismatch', seq: count - 3, expectedSeq: count }));
    await generate();
    const after = await verify();
    expect(after.valid).toBe(false);
    // The new entry chained onto the kept head, not onto the cut: the gap stays in the chain.
    expect(after.problems).toContainEqual(expect.objectContaining({ reason: 'sequence_gap', seq: count + 1, expectedSeq: count - 2 }));
  });

  it('goes on past a broken entry and reports every later problem too', async () => {
    await t.sql(`UPDATE journal SET actor = 'mallory' WHERE company_id = 1 AND seq = 3`);
    await t.sql(`UPDATE journal SET reason = 'nothing to see' WHERE company_id = 1 AND seq = 9`);
    const result = await verify();
    expect(result.valid).toBe(false);
    expect(result.problems.filter((p: { reason: string }) => p.reason === 'hash_mismatch').map((p: { seq: number }) => p.seq)).toEqual([3, 9]);
    expect(result.head.seq).toBe(2);
    expect(result.checked).toBe((await entries()).length);
  });

  it('finds a status change edited in the history (voided to completed) and the record it made', async () => {
    await t.sql(`UPDATE record_history SET to_status = 'completed' WHERE to_status = 'voided'`);
    await t.sql(`UPDATE records SET status = 'completed' WHERE serial = 'W-0001'`);
    const result = await verify();
    expect(result.valid).toBe(false);
    expect(result.problems).toContainEqual(expect.objectContaining({ reason: 'history_mismatch', serial: 'W-0001', field: 'to', expected: '"voided"', actual: '"completed"' }));
    expect((await t.call('GET', '/api/v1/records/W-0001', { as: t.admin })).json.status).toBe('completed');
  });

  it('finds a record whose status or work order was changed with no history at all', async () => {
    await t.sql(`UPDATE records SET work_order = 'WO-FORGED' WHERE serial = 'W-0004'`);
    await t.sql(`UPDATE records SET status = 'completed' WHERE serial = 'W-0005'`);
    const problems = (await verify()).problems as { reason: string; serial: string; field: string }[];
    expect(problems).toContainEqual(expect.objectContaining({ reason: 'record_mismatch', serial: 'W-0004', field: 'workOrder', expected: '"WO-1"', actual: '"WO-FORGED"' }));
    expect(problems).toContainEqual(expect.objectContaining({ reason: 'record_mismatch', serial: 'W-0005', field: 'status', expected: '"generated"', actual: '"completed"' }));
  });

  it('cannot tell a chain recomputed from an edited entry onward without a checkpoint, and can with one', async () => {
    const before = await verify();
    const checkpoint = { checkpointSeq: String(before.head.seq), checkpointHash: before.head.hash };
    expect((await verify(checkpoint)).checkpoint).toEqual({ seq: before.head.seq, hash: before.head.hash, holds: true });

    // Rewrite the chain from entry 2 (the API key's creation) on, as anyone with the file can:
    // it verifies on its own.
    const all = await entries();
    expect(all[1]!.action).toBe('api_key.created');
    let prev = all[0]!.hash;
    for (const entry of all.slice(1)) {
      const forged = sealJournalEntry({ ...entry, actor: entry.seq === 2 ? 'mallory' : entry.actor }, prev, sha256);
      await t.sql(`UPDATE journal SET actor = ${sqlText(forged.actor)}, digest = '${forged.digest}', prev_hash = '${forged.prevHash}', hash = '${forged.hash}' WHERE company_id = 1 AND seq = ${entry.seq}`);
      prev = forged.hash;
    }
    await t.sql(`UPDATE companies SET chain_hash = '${prev}' WHERE id = 1`);
    expect((await verify()).valid).toBe(true);
    const held = await verify(checkpoint);
    expect(held.valid).toBe(false);
    expect(held.checkpoint).toMatchObject({ holds: false });
    expect(held.problems).toContainEqual(expect.objectContaining({ reason: 'checkpoint_mismatch', seq: before.head.seq }));
  });

  it('finds a chain truncated below a checkpoint even when the kept head was rewritten to match', async () => {
    const before = await verify();
    const cut = before.head.seq - 5;
    await t.sql(`DELETE FROM journal WHERE company_id = 1 AND seq > ${cut}`);
    const last = (await entries()).at(-1)!;
    await t.sql(`UPDATE companies SET chain_seq = ${last.seq}, chain_hash = '${last.hash}' WHERE id = 1`);
    const held = await verify({ checkpointSeq: String(before.head.seq), checkpointHash: before.head.hash });
    expect(held.problems).toContainEqual(expect.objectContaining({ reason: 'checkpoint_mismatch', seq: before.head.seq }));
  });
});
