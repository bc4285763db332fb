import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasValidCheckDigit, parseGs1Text, GS } from '@serialtrace/core';
import { createSerialtrace, MasterKey } from '@serialtrace/service';
import { SqliteStore } from '@serialtrace/store';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, openHarness, refused, snapshot, type Harness } from './harness.js';

const MASTER = 'a'.repeat(64);
const GTIN = '09520123456788';

let h: Harness;
afterEach(async () => {
  await h.close();
});

describe('series bound to a GTIN', () => {
  it('issues GS1 serial numbers whose records carry GTIN, lot and expiry in every GS1 notation', async () => {
    h = openHarness();
    const series = await h.app.series.create(h.caller, { name: 'Drug A', format: 'A{#######}', gtin: '9520123456788', companyPrefix: '952012' });
    expect(series).toMatchObject({ gtin: GTIN, sscc: false, companyPrefix: '952012', randomized: false, guess: null });
    const { serials } = await h.app.generation.generate(h.caller, 'Drug A', { quantity: 2, lot: 'L-2026/11', expiry: '2027-03-31' });
    expect(serials).toEqual(['A0000001', 'A0000002']);
    const record = await h.app.records.get(h.caller, 'A0000001');
    expect(record).toMatchObject({ lot: 'L-2026/11', expiry: '2027-03-31', labelPrints: 0 });
    expect(record.gs1).toEqual({
      gtin: GTIN,
      sscc: null,
      ais: [
        { ai: '01', value: GTIN },
        { ai: '17', value: '270331' },
        { ai: '10', value: 'L-2026/11' },
        { ai: '21', value: 'A0000001' },
      ],
      bracketed: `(01)${GTIN}(17)270331(10)L-2026/11(21)A0000001`,
      elementString: `01${GTIN}17270331` + `10L-2026/11${GS}21A0000001`,
      digitalLink: `https://id.gs1.org/01/${GTIN}/10/L-2026%2F11/21/A0000001?17=270331`,
      epcUrn: 'urn:epc:id:sgtin:952012.0345678.A0000001',
    });
    // Each notation reads back to the same data.
    const sorted = (text: string) => [...parseGs1Text(text).ais].sort((a, b) => a.ai.localeCompare(b.ai));
    expect(sorted(record.gs1!.digitalLink)).toEqual(sorted(record.gs1!.bracketed));
    expect(sorted(record.gs1!.elementString)).toEqual(sorted(record.gs1!.bracketed));
    const byLot = await h.app.records.search(h.caller, { lot: 'L-2026/11' });
    expect(byLot.records.map((r) => r.serial).sort()).toEqual(['A0000001', 'A0000002']);
  });

  it('accepts an expiry as GS1 YYMMDD with day 00 (end of month) and leaves out what is not given', async () => {
    h = openHarness();
    await h.app.series.create(h.caller, { name: 'Drug A', format: 'A{#######}', gtin: GTIN });
    await h.app.generation.generate(h.caller, 'Drug A', { expiry: '270300' });
    const record = await h.app.records.get(h.caller, 'A0000001');
    expect(record.expiry).toBe('2027-03-00');
    expect(record.gs1?.bracketed).toBe(`(01)${GTIN}(17)270300(21)A0000001`);
    expect(record.gs1?.epcUrn).toBeNull();
  });

  it('refuses formats that cannot print AI (21) values, naming the position or the length', async () => {
    h = openHarness();
    const space = await refused(h.app.series.create(h.caller, { name: 'Bad', format: 'A {####}', gtin: GTIN }), 'VALUE_INVALID');
    expect(space.problems[0]).toMatchObject({ field: 'format', position: 1 });
    const long = await refused(h.app.series.create(h.caller, { name: 'Long', format: 'ABCDEFGHIJKLMNOP{#####}', gtin: GTIN }), 'VALUE_INVALID');
    expect(long.message).toMatch(/21 characters.*at most 20/);
    const check = await refused(h.app.series.create(h.caller, { name: 'Check', format: '{####}', gtin: '09520123456787' }), 'GS1_CHECK_DIGIT_INVALID');
    expect(check.details).toMatchObject({ field: 'gtin', expected: '8', actual: '7' });
    await refused(h.app.series.create(h.caller, { name: 'Prefix', format: '{####}', gtin: GTIN, companyPrefix: '123456' }), 'VALUE_INVALID');
  });

  it('refuses a context value outside set 82 at generation, consuming nothing', async () => {
    h = openHarness();
    await h.app.series.create(h.caller, { name: 'Lined', format: '{LINE}{######}', gtin: GTIN });
    const before = snapshot(h.raw());
    const error = await refused(h.app.generation.generate(h.caller, 'Lined', { context: { LINE: 'L 1' } }), 'GS1_AI_VALUE_INVALID');
    expect(error.details).toMatchObject({ ai: '21', rule: 'charset' });
    expect(snapshot(h.raw())).toEqual(before);
    expect((await h.app.generation.generate(h.caller, 'Lined', { context: { LINE: 'L1' } })).serials).toEqual(['L1000001']);
  });

  it('takes lot and expiry only for GTIN series, and checks them as AI 10 and 17 values', async () => {
    h = openHarness();
    await h.app.series.create(h.caller, { name: 'Plain', format: 'SN{####}' });
    await h.app.series.create(h.caller, { name: 'Drug A', format: 'A{#######}', gtin: GTIN });
    await refused(h.app.generation.generate(h.caller, 'Plain', { lot: 'L1' }), 'VALUE_INVALID');
    const lot = await refused(h.app.generation.generate(h.caller, 'Drug A', { lot: 'L'.repeat(21) }), 'GS1_AI_VALUE_INVALID');
    expect(lot.details).toMatchObject({ field: 'lot', ai: '10', rule: 'length' });
    const expiry = await refused(h.app.generation.generate(h.caller, 'Drug A', { expiry: '2027-02-30' }), 'GS1_AI_VALUE_INVALID');
    expect(expiry.details).toMatchObject({ field: 'expiry', ai: '17' });
  });

  it('keeps the GTIN fixed once the series has issued', async () => {
    h = openHarness();
    await h.app.series.create(h.caller, { name: 'Drug A', format: 'A{#######}', gtin: GTIN });
    await h.app.series.update(h.caller, 'Drug A', { gtin: '09520123456795' });
    await h.app.generation.generate(h.caller, 'Drug A');
    await refused(h.app.series.update(h.caller, 'Drug A', { gtin: GTIN }), 'SERIES_CHANGE_UNSAFE');
  });
});

describe('SSCC series', () => {
  it('derives the format from prefix and extension digit and issues 18-digit SSCCs with check digits', async () => {
    h = openHarness();
    const series = await h.app.series.create(h.caller, { name: 'Pallets', sscc: true, companyPrefix: '0614141', extensionDigit: 3 });
    expect(series.format).toBe('30614141{#########}');
    const { serials } = await h.app.generation.generate(h.caller, 'Pallets', { quantity: 3 });
    expect(serials[0]).toBe('306141410000000013');
    for (const sscc of serials) {
      expect(sscc).toMatch(/^\d{18}$/);
      expect(hasValidCheckDigit(sscc)).toBe(true);
    }
    const record = await h.app.records.get(h.caller, serials[0]!);
    expect(record.gs1).toMatchObject({
      sscc: serials[0],
      bracketed: `(00)${serials[0]}`,
      digitalLink: `https://id.gs1.org/00/${serials[0]}`,
      epcUrn: 'urn:epc:id:sscc:0614141.3000000001',
    });
  });

  it('refuses an SSCC series without prefix or digit, or with a format that is not 17 digits', async () => {
    h = openHarness();
    const missing = await refused(h.app.series.create(h.caller, { name: 'P', sscc: true }), 'VALUE_INVALID');
    expect(missing.problems.map((p) => p.field)).toEqual(['companyPrefix', 'extensionDigit']);
    const format = await refused(h.app.series.create(h.caller, { name: 'P', sscc: true, companyPrefix: '0614141', extensionDigit: 3, format: '30614141{####}' }), 'VALUE_INVALID');
    expect(format.problems[0]?.field).toBe('format');
    await refused(h.app.series.create(h.caller, { name: 'P', sscc: true, gtin: GTIN, companyPrefix: '0614141', extensionDigit: 3 }), 'VALUE_INVALID');
  });
});

describe('randomised series', () => {
  function openKeyed(masterKey: string | undefined, dir = mkdtempSync(join(tmpdir(), 'serialtrace-random-'))) {
    const store = SqliteStore.open({ path: join(dir, 'serialtrace.db') });
    const app = createSerialtrace({ store, clock: new ManualClock('2025-06-15T10:00:00Z'), defaultTimeZone: 'UTC', ...(masterKey === undefined ? {} : { masterKey }) });
    return { app, dir, close: () => store.close() };
  }
  const caller = { companyId: 1, actor: 'tester' };

  it('issues every serial once, out of order, with the guess probability shown and the 1 in 10,000 bound kept', async () => {
    h = openHarness();
    const keyed = openKeyed(MASTER);
    try {
      // 6 digits: 999,999 values, so at most 99 serials may be issued.
      const series = await keyed.app.series.create(caller, { name: 'Packs', format: 'P{######}', randomized: true });
      expect(series.guess).toEqual({ space: '999999', issued: '0', probability: 0, limit: '99' });
      expect(series.capacity.perPeriod).toBe('99');
      const { serials } = await keyed.app.generation.generate(caller, 'Packs', { quantity: 99 });
      expect(new Set(serials).size).toBe(99);
      expect(serials).not.toEqual([...serials].sort());
      const after = await keyed.app.series.get(caller, 'Packs');
      expect(after.guess).toMatchObject({ issued: '99', limit: '99' });
      expect(after.guess!.probability).toBeLessThanOrEqual(1 / 10_000);
      const error = await refused(keyed.app.generation.generate(caller, 'Packs'), 'SERIES_GUESS_LIMIT');
      expect(error.details).toMatchObject({ remaining: '0', limit: '99' });
      // The record keeps the value its serial carries, not the order of issue.
      const record = await keyed.app.records.get(caller, serials[0]!);
      expect(`P${record.sequence.padStart(6, '0')}`).toBe(serials[0]);
    } finally {
      await keyed.close();
      rmSync(keyed.dir, { recursive: true, force: true });
    }
  });

  it('previews the next serials exactly as they are then issued', async () => {
    h = openHarness();
    const keyed = openKeyed(MASTER);
    try {
      await keyed.app.series.create(caller, { name: 'Packs', format: 'P{########}', randomized: true });
      const preview = await keyed.app.series.previewNext(caller, 'Packs', { count: 5 });
      const { serials } = await keyed.app.generation.generate(caller, 'Packs', { quantity: 5 });
      expect(serials).toEqual(preview.serials);
    } finally {
      await keyed.close();
      rmSync(keyed.dir, { recursive: true, force: true });
    }
  });

  it('needs the master key to create and to issue, and refuses another master key, issuing nothing', async () => {
    h = openHarness();
    await refused(h.app.series.create(h.caller, { name: 'Packs', format: 'P{######}', randomized: true }), 'MASTER_KEY_MISSING');
    const dir = mkdtempSync(join(tmpdir(), 'serialtrace-random-'));
    const first = openKeyed(MASTER, dir);
    await first.app.series.create(caller, { name: 'Packs', format: 'P{######}', randomized: true });
    const { serials } = await first.app.generation.generate(caller, 'Packs', { quantity: 3 });
    await first.close();
    const without = openKeyed(undefined, dir);
    await refused(without.app.generation.generate(caller, 'Packs'), 'MASTER_KEY_MISSING');
    await without.close();
    const other = openKeyed('b'.repeat(64), dir);
    await refused(other.app.generation.generate(caller, 'Packs'), 'MASTER_KEY_MISMATCH');
    await other.close();
    // The right key carries on where the series stopped, in the same order.
    const again = openKeyed(MASTER, dir);
    const next = await again.app.generation.generate(caller, 'Packs');
    expect(serials).not.toContain(next.serials[0]);
    expect((await again.app.records.search(caller, {})).records).toHaveLength(4);
    await again.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('re-wraps every series key under a new master key: the order carries on, the old key no longer opens it', async () => {
    h = openHarness();
    const dir = mkdtempSync(join(tmpdir(), 'serialtrace-random-'));
    const NEXT = 'd'.repeat(64);
    const first = openKeyed(MASTER, dir);
    await first.app.series.create(caller, { name: 'Packs', format: 'P{######}', randomized: true });
    await first.app.series.create(caller, { name: 'Plain', format: 'N{####}' });
    const before = (await first.app.series.previewNext(caller, 'Packs', { count: 3 })).serials;
    // A server with the wrong current key cannot rotate: every key must unwrap first.
    const wrong = openKeyed('b'.repeat(64), dir);
    await refused(wrong.app.series.rotateMasterKey(caller, MasterKey.parse(NEXT)), 'MASTER_KEY_MISMATCH');
    await wrong.close();
    const rotated = await first.app.series.rotateMasterKey(caller, MasterKey.parse(NEXT));
    expect(rotated).toEqual({ from: MasterKey.parse(MASTER).id, to: MasterKey.parse(NEXT).id, series: 1 });
    const entry = (await first.app.audit.list(caller, { action: 'master_key.rotated' })).entries[0];
    expect(entry?.data).toEqual({ from: rotated.from, to: rotated.to, series: ['Packs'] });
    await first.close();
    const stale = openKeyed(MASTER, dir);
    await refused(stale.app.generation.generate(caller, 'Packs'), 'MASTER_KEY_MISMATCH');
    await stale.close();
    const next = openKeyed(NEXT, dir);
    expect((await next.app.generation.generate(caller, 'Packs', { quantity: 3 })).serials).toEqual(before);
    await next.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a space too small for one serial under the bound, and a sequence that may grow', async () => {
    h = openHarness();
    const keyed = openKeyed(MASTER);
    try {
      const small = await refused(keyed.app.series.create(caller, { name: 'S', format: 'S{###}', randomized: true }), 'VALUE_INVALID');
      expect(small.problems[0]?.field).toBe('randomized');
      await refused(keyed.app.series.create(caller, { name: 'G', format: 'G{######}', randomized: true, allowGrowth: true }), 'VALUE_INVALID');
    } finally {
      await keyed.close();
      rmSync(keyed.dir, { recursive: true, force: true });
    }
  });

  it('never returns the key: not in the series view, its versions or the audit trail', async () => {
    h = openHarness();
    const keyed = openKeyed(MASTER);
    try {
      await keyed.app.series.create(caller, { name: 'Packs', format: 'P{######}', randomized: true });
      const row = await keyed.app.store.read((tx) => tx.series.find(1, 'Packs'));
      expect(row?.wrappedKey).toMatch(/^v1\./);
      const everything = JSON.stringify([
        await keyed.app.series.get(caller, 'Packs'),
        await keyed.app.series.versions(caller, 'Packs'),
        await keyed.app.audit.list(caller, {}),
      ]);
      expect(everything).not.toContain(row!.wrappedKey!.split('.')[3]!);
      expect(everything).not.toMatch(/wrappedKey/);
    } finally {
      await keyed.close();
      rmSync(keyed.dir, { recursive: true, force: true });
    }
  });
});
