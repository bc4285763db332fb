import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openHarness, refused, snapshot, type Harness } from './harness.js';

let h: Harness;
beforeEach(() => {
  h = openHarness();
});
afterEach(async () => {
  await h.close();
});

describe('generation', () => {
  it('gives a fresh default series 0001 first, then counts up by the increment', async () => {
    await h.app.series.create(h.caller, { name: 'Widgets', format: 'SN-{SEQUENCE}' });
    expect((await h.app.generation.generate(h.caller, 'Widgets')).serials).toEqual(['SN-0001']);
    expect((await h.app.generation.generate(h.caller, 'Widgets', { quantity: 3 })).serials).toEqual(['SN-0002', 'SN-0003', 'SN-0004']);

    await h.app.series.create(h.caller, { name: 'Tens', format: 'T{###}', start: 100, increment: 10, minLength: 2 });
    expect((await h.app.generation.generate(h.caller, 'Tens', { quantity: 2 })).serials).toEqual(['T110', 'T120']);
  });

  it('issues a batch of 10,000 in one request, all unique and contiguous', async () => {
    await h.app.series.create(h.caller, { name: 'Big', format: 'B-{######}' });
    const { serials } = await h.app.generation.generate(h.caller, 'Big', { quantity: 10_000 });
    expect(serials).toHaveLength(10_000);
    expect(new Set(serials).size).toBe(10_000);
    expect(serials[0]).toBe('B-000001');
    expect(serials[9_999]).toBe('B-010000');
  });

  it.each([0, 10_001, -1, 1.5, 'many'])('refuses quantity %s with QUANTITY_OUT_OF_RANGE and writes nothing', async (quantity) => {
    await h.app.series.create(h.caller, { name: 'Widgets', format: 'SN-{SEQUENCE}' });
    const before = snapshot(h.raw());
    const error = await refused(h.app.generation.generate(h.caller, 'Widgets', { quantity }), 'QUANTITY_OUT_OF_RANGE');
    expect(error.details['field']).toBe('quantity');
    expect(snapshot(h.raw())).toEqual(before);
  });

  it('refuses an unknown series with SERIES_NOT_FOUND', async () => {
    const error = await refused(h.app.generation.generate(h.caller, 'Nope'), 'SERIES_NOT_FOUND');
    expect(error.details['series']).toBe('Nope');
  });

  it('consumes nothing when a request fails: the next success continues without a gap', async () => {
    await h.app.series.create(h.caller, { name: 'Lots', format: 'LOT-{LINE}-{####}' });
    expect((await h.app.generation.generate(h.caller, 'Lots', { context: { LINE: 'L1' } })).serials).toEqual(['LOT-L1-0001']);
    const before = snapshot(h.raw());
    const missing = await refused(h.app.generation.generate(h.caller, 'Lots', { quantity: 5 }), 'CONTEXT_MISSING');
    expect(missing.details['missing']).toEqual(['LINE']);
    await refused(h.app.generation.generate(h.caller, 'Lots', { context: { LINE: 'L1' }, metadata: [1, 2] }), 'METADATA_INVALID');
    await refused(h.app.generation.generate(h.caller, 'Lots', { context: { LINE: '' } }), 'CONTEXT_INVALID');
    expect(snapshot(h.raw())).toEqual(before);
    expect((await h.app.generation.generate(h.caller, 'Lots', { context: { line: 'L2' } })).serials).toEqual(['LOT-L2-0002']);
  });

  it('refuses a request that would not fit, whole, with SERIES_EXHAUSTED, and writes nothing', async () => {
    await h.app.series.create(h.caller, { name: 'Tiny', format: 'T{SEQUENCE}', minLength: 1 });
    expect((await h.app.generation.generate(h.caller, 'Tiny', { quantity: 7 })).serials).toHaveLength(7);
    const before = snapshot(h.raw());
    const error = await refused(h.app.generation.generate(h.caller, 'Tiny', { quantity: 3 }), 'SERIES_EXHAUSTED');
    expect(error.details).toMatchObject({ series: 'Tiny', requested: 3, remaining: '2' });
    expect(snapshot(h.raw())).toEqual(before);
    expect((await h.app.generation.generate(h.caller, 'Tiny', { quantity: 2 })).serials).toEqual(['T8', 'T9']);
    await refused(h.app.generation.generate(h.caller, 'Tiny'), 'SERIES_EXHAUSTED');
    expect((await h.app.series.get(h.caller, 'Tiny')).capacity).toMatchObject({ level: 'exhausted', remaining: '0', used: '9' });
  });

  it('lets a series that allows growth run past its width', async () => {
    await h.app.series.create(h.caller, { name: 'Grow', format: 'G{SEQUENCE}', minLength: 1, allowGrowth: true, start: 8 });
    expect((await h.app.generation.generate(h.caller, 'Grow', { quantity: 3 })).serials).toEqual(['G9', 'G10', 'G11']);
  });

  it('restarts a daily series at local midnight of its time zone, and the date keeps serials unique', async () => {
    await h.app.series.create(h.caller, { name: 'Daily', format: 'D{YYYY}{MM}{DD}-{###}', reset: 'daily', timeZone: 'Europe/Berlin' });
    h.clock.set('2025-06-15T21:59:59.999Z'); // 23:59:59.999 in Berlin (CEST)
    expect((await h.app.generation.generate(h.caller, 'Daily', { quantity: 2 })).serials).toEqual(['D20250615-0001', 'D20250615-0002']);
    h.clock.set('2025-06-15T22:00:00.000Z'); // 00:00 on the 16th in Berlin
    const next = await h.app.generation.generate(h.caller, 'Daily');
    expect(next.serials).toEqual(['D20250616-0001']);
    expect(next.period).toBe('2025-06-16');
    h.clock.set('2025-06-15T21:00:00.000Z'); // back on the 15th: that period's counter carries on
    expect((await h.app.generation.generate(h.caller, 'Daily')).serials).toEqual(['D20250615-0003']);
  });

  it('restarts per shift from the calendar, with {SHIFT} printed from it', async () => {
    await h.app.series.create(h.caller, {
      name: 'Shifts',
      format: '{YY}{JJJ}{HH}{SHIFT}-{####}',
      reset: 'shift',
      shiftStarts: '06:00,14:00,22:00',
      timeZone: 'UTC',
    });
    h.clock.set('2025-06-15T23:30:00Z'); // shift C, which began on the 15th
    expect((await h.app.generation.generate(h.caller, 'Shifts')).serials).toEqual(['2516623C-0001']);
    h.clock.set('2025-06-16T03:00:00Z'); // still that shift C, after midnight
    const night = await h.app.generation.generate(h.caller, 'Shifts');
    expect(night.serials).toEqual(['2516703C-0002']);
    expect(night.period).toBe('2025-06-15/C');
    h.clock.set('2025-06-16T06:00:00Z'); // shift A of the 16th
    expect((await h.app.generation.generate(h.caller, 'Shifts')).serials).toEqual(['2516706A-0001']);
    await refused(h.app.generation.generate(h.caller, 'Shifts', { context: { SHIFT: 'B' } }), 'CONTEXT_INVALID');
  });

  it('fills {PART} from the part number and keeps context, work order and metadata on the records', async () => {
    await h.app.series.create(h.caller, { name: 'Parts', format: '{PART}-{PLANT}-{####}' });
    const result = await h.app.generation.generate(h.caller, 'Parts', {
      quantity: 2,
      workOrder: 'WO-9',
      partNumber: 'PN-1',
      context: { PLANT: 'P7', operator: 'jane' },
      metadata: { lot: 'L-1', temperature: 21.5 },
    });
    expect(result.serials).toEqual(['PN-1-P7-0001', 'PN-1-P7-0002']);
    const record = await h.app.records.get(h.caller, 'PN-1-P7-0002');
    expect(record).toMatchObject({
      series: 'Parts',
      sequence: '2',
      status: 'generated',
      workOrder: 'WO-9',
      partNumber: 'PN-1',
      context: { PLANT: 'P7', OPERATOR: 'jane' },
      metadata: { lot: 'L-1', temperature: 21.5 },
      generatedBy: 'tester',
      station: 'ST-1',
    });
  });

  it('keeps a global series unique across the company: clashing values are skipped and audited', async () => {
    await h.app.series.create(h.caller, { name: 'Local', format: 'X-{####}' });
    await h.app.generation.generate(h.caller, 'Local', { quantity: 3 });
    await h.app.series.create(h.caller, { name: 'Global', format: 'X-{####}', global: true });
    const result = await h.app.generation.generate(h.caller, 'Global', { quantity: 2 });
    expect(result.serials).toEqual(['X-0004', 'X-0005']);
    expect(result.skipped).toBe(3);
    const { entries } = await h.app.audit.list(h.caller, { action: 'serials.generated', limit: 1 });
    expect((entries[0]!.data as { skipped: unknown[] }).skipped).toEqual([
      { sequence: '1', serial: 'X-0001', conflictsWith: 'Local' },
      { sequence: '2', serial: 'X-0002', conflictsWith: 'Local' },
      { sequence: '3', serial: 'X-0003', conflictsWith: 'Local' },
    ]);

    // The rule binds the other way too: a local series may not take a global series' serial...
    await h.app.series.create(h.caller, { name: 'Later', format: 'X-{####}', start: 3 });
    expect((await h.app.generation.generate(h.caller, 'Later')).serials).toEqual(['X-0006']);
    // ...while two local series may share text.
    await h.app.series.create(h.caller, { name: 'Other', format: 'X-{####}' });
    expect((await h.app.generation.generate(h.caller, 'Other')).serials).toEqual(['X-0001']);
  });

  it('skips a value whose serial the series itself already issued (the unique index is the judge)', async () => {
    // {LINE} and {PLANT} around a one-character base-36 sequence can spell the same text twice.
    await h.app.series.create(h.caller, { name: 'Odd', format: '{LINE}{SEQUENCE}{PLANT}', base: 'alphanumeric', minLength: 1 });
    expect((await h.app.generation.generate(h.caller, 'Odd', { context: { LINE: 'A', PLANT: 'B0' } })).serials).toEqual(['A1B0']);
    await h.app.generation.generate(h.caller, 'Odd', { quantity: 9, context: { LINE: 'Z', PLANT: 'Z' } }); // values 2..10
    const result = await h.app.generation.generate(h.caller, 'Odd', { context: { LINE: 'A1', PLANT: '0' } }); // 11 = B
    expect(result.serials).toEqual(['A1C0']);
    expect(result.skipped).toBe(1);
  });

  it('answers a retry with the same idempotency key with the first serials, and refuses a different request under it', async () => {
    await h.app.series.create(h.caller, { name: 'Widgets', format: 'SN-{SEQUENCE}' });
    const first = await h.app.generation.generate(h.caller, 'Widgets', { quantity: 2, workOrder: 'WO-1', idempotencyKey: 'req-42' });
    const retry = await h.app.generation.generate(h.caller, 'Widgets', { quantity: 2, workOrder: 'WO-1', idempotencyKey: 'req-42' });
    expect(retry.serials).toEqual(first.serials);
    expect(retry.replayed).toBe(true);
    expect(first.replayed).toBe(false);
    const before = snapshot(h.raw());
    await refused(h.app.generation.generate(h.caller, 'Widgets', { quantity: 3, workOrder: 'WO-1', idempotencyKey: 'req-42' }), 'IDEMPOTENCY_KEY_REUSED');
    expect(snapshot(h.raw())).toEqual(before);
    expect((await h.app.generation.generate(h.caller, 'Widgets')).serials).toEqual(['SN-0003']);
    await refused(h.app.generation.generate(h.caller, 'Widgets', { idempotencyKey: 'has space' }), 'VALUE_INVALID');
  });

  it('records every serial of a request in one audit entry that each record points at', async () => {
    await h.app.series.create(h.caller, { name: 'Widgets', format: 'SN-{SEQUENCE}' });
    await h.app.generation.generate({ ...h.caller, reason: 'first article' }, 'Widgets', { quantity: 3, workOrder: 'WO-3', metadata: { a: 1 } });
    const [entry] = (await h.app.audit.list(h.caller, { action: 'serials.generated' })).entries;
    expect(entry).toMatchObject({ actor: 'tester', station: 'ST-1', line: 'L1', plant: 'P1', reason: 'first article', entityType: 'series' });
    expect(entry!.data).toMatchObject({ series: 'Widgets', serials: ['SN-0001', 'SN-0002', 'SN-0003'], workOrder: 'WO-3' });
    expect((entry!.data as { metadataSha256: string }).metadataSha256).toMatch(/^[0-9a-f]{64}$/);
    const record = await h.app.records.get(h.caller, 'SN-0002');
    expect(record.audit.map((e) => e.seq)).toEqual([entry!.seq]);
  });

  it('hands out no value twice when many requests run at once in one process', async () => {
    await h.app.series.create(h.caller, { name: 'Busy', format: 'B{######}' });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => h.app.generation.generate(h.caller, 'Busy', { quantity: (i % 5) + 1 })));
    const serials = results.flatMap((r) => r.serials).sort();
    const expected = Array.from({ length: serials.length }, (_, i) => `B${String(i + 1).padStart(6, '0')}`);
    expect(serials).toEqual(expected);
  });
});
