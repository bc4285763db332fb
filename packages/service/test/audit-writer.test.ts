import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendAudit, type AuditDraft } from '../src/audit-writer.js';
import { openHarness, refused, type Harness } from './harness.js';

/** The audit writer refuses what the event catalog does not declare, and writes nothing of it. */
describe('the audit writer', () => {
  let h: Harness;
  beforeEach(() => {
    h = openHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  const count = () => (h.raw().prepare('SELECT COUNT(*) AS n FROM journal').get() as { n: number }).n;
  const write = (drafts: readonly AuditDraft[]) => h.app.store.write((tx) => appendAudit(tx, h.caller, '2025-06-15T10:00:00.000Z', drafts));

  it('writes a declared event with data of its shape', async () => {
    await write([{ action: 'api_key.revoked', entityType: 'api_key', entityId: '7', data: { name: 'line-1' } }]);
    expect(count()).toBe(1);
  });

  it('refuses an undeclared action, another entity type, or data of another shape, and writes nothing of the transaction', async () => {
    const declared: AuditDraft = { action: 'api_key.revoked', entityType: 'api_key', entityId: '7', data: { name: 'line-1' } };
    const undeclared = { ...declared, action: 'api_key.lost' } as unknown as AuditDraft;
    for (const bad of [undeclared, { ...declared, entityType: 'record' }, { ...declared, data: { name: 7 } }, { ...declared, data: null }]) {
      const error = await refused(write([declared, bad]), 'EVENT_UNDECLARED');
      expect(error.message).toContain(bad.action);
    }
    expect(count()).toBe(0);
  });
});
