import { hasValidCheckDigit } from '@serialtrace/core';
import { createSerialtrace, type Caller, type Serialtrace } from '@serialtrace/service';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES } from './engines.js';
import { ManualClock, refused } from './harness.js';

/** GS1 series, randomised serials and label prints on each storage engine, with two servers sharing it. */

const MASTER_KEY = '5'.repeat(64);
const caller: Caller = { companyId: 1, actor: 'tester', station: 'ST-1' };

for (const engine of ENGINES) {
  describe(`GS1 and randomised series (${engine.name})`, () => {
    let a: Serialtrace;
    let b: Serialtrace;
    let cleanup: () => Promise<void>;
    beforeEach(() => {
      const opened = engine.open();
      cleanup = opened.cleanup;
      const clock = new ManualClock('2025-06-15T10:00:00Z');
      const server = (owner: string) =>
        createSerialtrace({ store: opened.stores(), clock, defaultTimeZone: 'UTC', masterKey: MASTER_KEY, leases: { owner, ttlMs: 60_000, hold: true } });
      a = server('server-a');
      b = server('server-b');
    });
    afterEach(async () => {
      await a.generation.releaseLeases();
      await b.generation.releaseLeases();
      await cleanup();
    });

    it('two servers issue a randomised leased series without a repeat, until the guess bound', async () => {
      // 999,999 values: 99 serials may be issued.
      await a.series.create(caller, { name: 'Packs', format: 'P{######}', randomized: true, allocation: 'leased', leaseSize: 10 });
      const serials: string[] = [];
      for (let i = 0; i < 9; i++) {
        serials.push(...(await a.generation.generate(caller, 'Packs', { quantity: 5 })).serials);
        serials.push(...(await b.generation.generate(caller, 'Packs', { quantity: 5 })).serials);
      }
      expect(serials).toHaveLength(90);
      expect(new Set(serials).size).toBe(90);
      expect(serials).not.toEqual([...serials].sort());
      // Server a holds unused values of its lease; the bound counts every value leased.
      await refused(b.generation.generate(caller, 'Packs', { quantity: 10 }), 'SERIES_GUESS_LIMIT');
    });

    it('issues SSCCs and GTIN serials with lot and expiry, and counts label prints across servers', async () => {
      await a.series.create(caller, { name: 'Pallets', sscc: true, companyPrefix: '0614141', extensionDigit: 0 });
      await a.series.create(caller, { name: 'Drug A', format: 'A{#######}', gtin: '09520123456788', randomized: true });
      const ssccs = (await b.generation.generate(caller, 'Pallets', { quantity: 3 })).serials;
      expect(ssccs.every((s) => s.length === 18 && hasValidCheckDigit(s))).toBe(true);
      const [serial] = (await b.generation.generate(caller, 'Drug A', { lot: 'L1', expiry: '2027-03-00' })).serials;
      const first = await a.labels.print(caller, serial!, { format: 'zpl' });
      const second = await b.labels.print(caller, serial!, { format: 'zpl' });
      expect([first.print, second.print]).toEqual([1, 2]);
      const record = await b.records.get(caller, serial!);
      expect(record).toMatchObject({ status: 'printed', labelPrints: 2, lot: 'L1', expiry: '2027-03-00' });
      expect(record.gs1?.bracketed).toBe(`(01)09520123456788(17)270300(10)L1(21)${serial}`);
      expect(record.prints.map((p) => p.print)).toEqual([1, 2]);
      expect((await a.records.search(caller, { lot: 'L1' })).records.map((r) => r.serial)).toEqual([serial]);
      expect((await a.audit.verify(caller)).valid).toBe(true);
    });
  });
}
