import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openHarness, refused, snapshot, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = openHarness();
  await h.app.series.create(h.caller, { name: 'Widgets', format: 'SN-{####}' });
});
afterEach(async () => {
  await h.close();
});

describe('records', () => {
  it('moves forward through the lifecycle, skipping is allowed, and keeps each move as history', async () => {
    await h.app.generation.generate(h.caller, 'Widgets');
    h.clock.set('2025-06-15T11:00:00Z');
    await h.app.records.changeStatus({ ...h.caller, actor: 'printer-7' }, 'SN-0001', 'printed');
    h.clock.set('2025-06-15T12:00:00Z');
    const done = await h.app.records.changeStatus(h.caller, 'SN-0001', 'completed', { reason: 'passed final test', data: { result: 'pass' } });
    expect(done.status).toBe('completed');
    expect(done.history).toEqual([
      { from: null, to: 'generated', at: '2025-06-15T10:00:00.000Z', actor: 'tester', station: 'ST-1', reason: null, data: null },
      { from: 'generated', to: 'printed', at: '2025-06-15T11:00:00.000Z', actor: 'printer-7', station: 'ST-1', reason: null, data: null },
      {
        from: 'printed',
        to: 'completed',
        at: '2025-06-15T12:00:00.000Z',
        actor: 'tester',
        station: 'ST-1',
        reason: 'passed final test',
        data: { result: 'pass' },
      },
    ]);
    expect(done.audit.map((e) => e.action)).toEqual(['serials.generated', 'record.status_changed', 'record.status_changed']);
    expect(done.audit[2]).toMatchObject({ reason: 'passed final test', data: { from: 'printed', to: 'completed' } });
  });

  it('refuses backward moves, no-op moves and moves out of a final status, changing nothing', async () => {
    await h.app.generation.generate(h.caller, 'Widgets', { quantity: 3 });
    await h.app.records.changeStatus(h.caller, 'SN-0001', 'in_progress');
    await h.app.records.changeStatus(h.caller, 'SN-0002', 'voided', { reason: 'label damaged' });
    await h.app.records.changeStatus(h.caller, 'SN-0003', 'completed');
    const before = snapshot(h.raw());
    for (const [serial, to] of [
      ['SN-0001', 'printed'],
      ['SN-0001', 'generated'],
      ['SN-0001', 'in_progress'],
      ['SN-0002', 'completed'],
      ['SN-0002', 'scrapped'],
      ['SN-0003', 'scrapped'],
    ] as const) {
      const error = await refused(h.app.records.changeStatus(h.caller, serial, to), 'STATUS_TRANSITION_INVALID');
      expect(error.details['to']).toBe(to);
    }
    await refused(h.app.records.changeStatus(h.caller, 'SN-0001', 'shipped'), 'STATUS_UNKNOWN');
    await refused(h.app.records.changeStatus(h.caller, 'SN-9999', 'printed'), 'RECORD_NOT_FOUND');
    await refused(h.app.records.changeStatus(h.caller, 'SN-0001', 'completed', { data: 'text' }), 'METADATA_INVALID');
    expect(snapshot(h.raw())).toEqual(before);
    expect((await h.app.records.changeStatus(h.caller, 'SN-0001', 'scrapped')).status).toBe('scrapped');
  });

  it('asks which series is meant when two local series issued the same text', async () => {
    await h.app.series.create(h.caller, { name: 'Gadgets', format: 'SN-{####}' });
    await h.app.generation.generate(h.caller, 'Widgets');
    await h.app.generation.generate(h.caller, 'Gadgets');
    const error = await refused(h.app.records.get(h.caller, 'SN-0001'), 'SERIAL_AMBIGUOUS');
    expect(error.details['series']).toEqual(['Widgets', 'Gadgets']);
    expect((await h.app.records.get(h.caller, 'SN-0001', { series: 'Gadgets' })).series).toBe('Gadgets');
    await refused(h.app.records.get(h.caller, 'SN-0002', { series: 'Gadgets' }), 'RECORD_NOT_FOUND');
    await refused(h.app.records.get(h.caller, 'SN-0001', { series: 'Nope' }), 'SERIES_NOT_FOUND');
  });

  it('searches across series with filters and pages newest first with a cursor', async () => {
    await h.app.series.create(h.caller, { name: 'Gadgets', format: 'GD-{####}' });
    await h.app.generation.generate(h.caller, 'Widgets', { quantity: 120, workOrder: 'WO-1', partNumber: 'PN-A' });
    h.clock.set('2025-06-16T10:00:00Z');
    await h.app.generation.generate(h.caller, 'Gadgets', { quantity: 30, workOrder: 'WO-2' });
    await h.app.records.changeStatus(h.caller, 'SN-0007', 'printed');

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await h.app.records.search(h.caller, { limit: 40, ...(cursor === undefined ? {} : { cursor }) });
      seen.push(...page.records.map((r) => r.serial));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(seen).toHaveLength(150);
    expect(seen[0]).toBe('GD-0030');
    expect(seen[149]).toBe('SN-0001');

    const count = async (query: Parameters<typeof h.app.records.search>[1]) => (await h.app.records.search(h.caller, { limit: 1000, ...query })).records.length;
    expect(await count({ series: 'Gadgets' })).toBe(30);
    expect(await count({ workOrder: 'WO-1' })).toBe(120);
    expect(await count({ partNumber: 'PN-A' })).toBe(120);
    expect(await count({ status: 'printed' })).toBe(1);
    expect(await count({ search: 'D-001' })).toBe(10);
    expect(await count({ search: 'WO-2' })).toBe(30);
    expect(await count({ search: '%' })).toBe(0);
    expect(await count({ from: '2025-06-16T00:00:00Z' })).toBe(30);
    expect(await count({ to: '2025-06-16T00:00:00Z' })).toBe(120);
    expect((await h.app.records.byWorkOrder(h.caller, 'WO-2')).map((r) => r.serial).slice(0, 2)).toEqual(['GD-0001', 'GD-0002']);

    await refused(h.app.records.search(h.caller, { status: 'lost' }), 'STATUS_UNKNOWN');
    await refused(h.app.records.search(h.caller, { limit: 0 }), 'VALUE_INVALID');
    await refused(h.app.records.search(h.caller, { cursor: 'bogus' }), 'VALUE_INVALID');
    await refused(h.app.records.search(h.caller, { from: 'yesterday' }), 'VALUE_INVALID');
  });
});
