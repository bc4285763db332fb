import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertEventDeclared, completeKey, EVENT_TYPE_NAMES, type AuditEntry } from '@serialtrace/core';
import { createSerialtrace, MasterKey, type Caller, type Identity, type Serialtrace } from '@serialtrace/service';
import { SqliteStore } from '@serialtrace/store';
import { ManualClock, refused } from './harness.js';

/**
 * The event catalog held to what the services really write: one of every audited action, done
 * through the services, and every entry of the trails checked against its declaration.
 */

const PASSWORD = 'correct-horse-battery';
const caller: Caller = { companyId: 1, actor: 'user:admin', station: 'ST-1', reason: 'catalog check' };
let dir: string;
let store: SqliteStore;
let app: Serialtrace;

async function trail(companyId: number): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  for await (const entry of app.audit.entries({ ...caller, companyId })) entries.push(entry);
  return entries;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'serialtrace-events-'));
  store = SqliteStore.open({ path: join(dir, 'serialtrace.db') });
  app = createSerialtrace({
    store,
    clock: new ManualClock('2025-06-15T10:00:00Z'),
    defaultTimeZone: 'UTC',
    masterKey: 'a'.repeat(64),
    leases: { owner: 'server-a', ttlMs: 60_000, hold: true },
  });

  await app.users.bootstrap(PASSWORD);
  await app.series.create(caller, { name: 'Widgets', format: 'W-{####}' });
  await app.series.update(caller, 'Widgets', { description: 'Line 3' });
  await app.series.create(caller, { name: 'Packs', format: 'P{######}', randomized: true });
  await app.series.create(caller, { name: 'Drug A', format: 'A{#######}', gtin: '09520123456788' });
  await app.series.create(caller, { name: 'Leased', format: 'L-{######}', allocation: 'leased', leaseSize: 10 });

  await app.generation.generate(caller, 'Widgets', { quantity: 3, workOrder: 'WO-1', partNumber: 'PN-1', metadata: { colour: 'red' }, idempotencyKey: 'k-1' });
  await app.generation.generate(caller, 'Drug A', { quantity: 1, lot: 'L7', expiry: '2027-01-31' });
  await app.generation.generate(caller, 'Packs', { quantity: 1 });
  await app.generation.generate(caller, 'Leased', { quantity: 2 });
  await app.generation.releaseLeases();

  await app.records.changeStatus(caller, 'W-0001', 'in_progress', { data: { station: 'oven' } });
  await app.records.changeStatus(caller, 'W-0001', 'completed');
  await app.epcis.capture(caller, {
    '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: '2025-06-15T08:31:00.000Z',
    epcisBody: {
      eventList: [
        { type: 'ObjectEvent', eventTime: '2025-06-15T08:30:00.000Z', eventTimeZoneOffset: '+00:00', epcList: ['urn:epc:id:sgtin:4012345.011111.1'], action: 'OBSERVE', bizStep: 'shipping' },
      ],
    },
  });
  const [drugSerial] = (await app.records.search(caller, { series: 'Drug A' })).records.map((r) => r.serial);
  await app.aggregation.pack(caller, { parent: `(00)${completeKey('09520123400000001', 'SSCC')}`, children: [drugSerial!] });
  await app.trace.ship(caller, { codes: [`(00)${completeKey('09520123400000001', 'SSCC')}`], bizTransactions: [{ type: 'po', id: 'urn:epcglobal:cbv:bt:0952012300007:PO-7' }] });
  await app.trace.receive(caller, { codes: [`(00)${completeKey('09520123400000001', 'SSCC')}`] });
  await app.aggregation.unpack(caller, { parent: `(00)${completeKey('09520123400000001', 'SSCC')}` });
  await app.labels.print(caller, 'W-0002', { format: 'zpl' });
  await app.labels.print(caller, 'W-0002', { format: 'png' });

  const template = { width: 60, height: 40, dpi: 203, barcode: { type: 'code128', data: '{serial}', x: 3, y: 3, size: 15 }, lines: [{ text: 'SN {serial}', x: 3, y: 30, size: 4 }] };
  await app.labels.saveTemplate(caller, 'carton', template);
  await app.labels.saveTemplate(caller, 'carton', { ...template, height: 45 });
  await app.labels.deleteTemplate(caller, 'carton');

  await app.scripts.save(caller, 'fine', { source: 'function main(context) { return { doubled: context.n * 2 }; }' });
  await app.scripts.save(caller, 'fine', { source: 'function main(context) { return { tripled: context.n * 3 }; }', description: 'times three' });
  await app.scripts.run(caller, 'fine', { context: { n: 2 } });
  await app.scripts.save(caller, 'broken', { source: 'function main() { throw new Error("out of labels"); }' });
  await refused(app.scripts.run(caller, 'broken'), 'SCRIPT_FAILED');

  await app.users.create(caller, { username: 'jane', password: PASSWORD, role: 'viewer' });
  await app.users.update(caller, 'jane', { role: 'operator' });
  await app.users.update(caller, 'jane', { disabled: true, password: 'another-password-1' });
  const admin: Identity = { kind: 'user', id: '1', name: 'admin', role: 'admin', companyId: 1, company: 'default', systemAdmin: true, actor: 'user:admin', station: null, mustChangePassword: false };
  await app.signIn.changePassword(admin, PASSWORD, 'new-password-1');

  const key = await app.apiKeys.create(caller, { name: 'Line 3 marker', role: 'operator', station: 'MARK-3', expiresAt: '2026-01-01T00:00:00Z' });
  await app.apiKeys.create(caller, { name: 'Reader', role: 'viewer' });
  await app.apiKeys.revoke(caller, key.id);

  await app.companies.create(caller, { name: 'Acme', adminUsername: 'acme-admin', adminPassword: PASSWORD });
  await app.series.rotateMasterKey(caller, MasterKey.parse('d'.repeat(64)));
}, 60_000);

afterAll(async () => {
  app.dispose();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('what the services write', () => {
  it('is declared in the catalog: every action, its entity type and its data', async () => {
    const entries = [...(await trail(1)), ...(await trail(2))];
    for (const entry of entries) {
      expect(() => assertEventDeclared(entry.action, entry.entityType, entry.data), `#${entry.seq} ${entry.action} ${JSON.stringify(entry.data)}`).not.toThrow();
    }
    // The scenario above does each of them at least once, so none is declared without being checked.
    expect(new Set(entries.map((e) => e.action))).toEqual(new Set(EVENT_TYPE_NAMES));
  });
});
