import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openHarness, refused, snapshot, type Harness } from './harness.js';

let h: Harness;
beforeEach(() => {
  h = openHarness();
});
afterEach(async () => {
  await h.close();
});

describe('series', () => {
  it('creates a series with the documented defaults and audits it', async () => {
    const view = await h.app.series.create(h.caller, { name: 'Widgets', format: 'SN-{YYYY}{JJJ}-{####}' });
    expect(view).toMatchObject({
      name: 'Widgets',
      base: 'numeric',
      start: '0',
      increment: '1',
      minLength: 4,
      reset: 'never',
      timeZone: 'UTC',
      global: false,
      allowGrowth: false,
      version: 1,
      createdBy: 'tester',
      current: { period: '*', value: '0' },
      capacity: { perPeriod: '9999', used: '0', remaining: '9999', level: 'ok' },
    });
    const [entry] = (await h.app.audit.list(h.caller)).entries;
    expect(entry).toMatchObject({ action: 'series.created', entityType: 'series', entityId: String(view.id), actor: 'tester' });
  });

  it('refuses a taken name and changes nothing', async () => {
    await h.app.series.create(h.caller, { name: 'Widgets', format: 'SN-{####}' });
    const before = snapshot(h.raw());
    const error = await refused(h.app.series.create(h.caller, { name: 'Widgets', format: 'W-{####}' }), 'SERIES_NAME_TAKEN');
    expect(error.details['field']).toBe('name');
    expect(snapshot(h.raw())).toEqual(before);
  });

  it('reports every problem of a bad definition at once and writes nothing', async () => {
    const before = snapshot(h.raw());
    const error = await refused(
      h.app.series.create(h.caller, { name: 'Bad', format: 'SN-{YYY}-{####', increment: 0, start: '-1', timeZone: 'Mars/Olympus' }),
      'FORMAT_TOKEN_UNKNOWN',
    );
    expect(error.problems.map((p) => [p.code, p.field])).toEqual([
      ['FORMAT_TOKEN_UNKNOWN', 'format'],
      ['FORMAT_BRACE_UNBALANCED', 'format'],
      ['FORMAT_SEQUENCE_MISSING', 'format'],
      ['VALUE_INVALID', 'start'],
      ['VALUE_INVALID', 'increment'],
      ['TIME_ZONE_UNKNOWN', 'timeZone'],
    ]);
    expect(error.details).toMatchObject({ field: 'format', position: 3 });
    expect(snapshot(h.raw())).toEqual(before);
  });

  it('refuses a format that could not stay unique under its reset rule, naming the tokens it needs', async () => {
    const error = await refused(h.app.series.create(h.caller, { name: 'Daily', format: 'D-{####}', reset: 'daily' }), 'FORMAT_NOT_UNIQUE');
    expect(error.message).toContain('{YYYY}{MM}{DD}');
    await refused(h.app.series.create(h.caller, { name: 'Weekly', format: '{YYYY}{WW}-{####}', reset: 'weekly' }), 'FORMAT_WEEK_YEAR_MISMATCH');
    await h.app.series.create(h.caller, { name: 'Weekly', format: '{GGGG}{WW}-{####}', reset: 'weekly' });
  });

  it('lists every series with its current period and capacity', async () => {
    await h.app.series.create(h.caller, { name: 'B', format: 'B{YYYY}{MM}{DD}{SEQUENCE}', reset: 'daily', minLength: 2 });
    await h.app.series.create(h.caller, { name: 'A', format: 'A{SEQUENCE}', minLength: 1 });
    await h.app.generation.generate(h.caller, 'A', { quantity: 8 });
    const list = await h.app.series.list(h.caller);
    expect(list.map((s) => s.name)).toEqual(['A', 'B']);
    expect(list[0]!.capacity).toMatchObject({ perPeriod: '9', used: '8', usedRatio: 0.8888, level: 'warning' });
    expect(list[1]!.current).toEqual({ period: '2025-06-15', value: '0' });
    await refused(h.app.series.get(h.caller, 'C'), 'SERIES_NOT_FOUND');
  });

  it('keeps every change as a version, and freezes what shapes serials once any were issued', async () => {
    await h.app.series.create(h.caller, { name: 'Widgets', format: 'SN-{####}' });
    const edited = await h.app.series.update({ ...h.caller, reason: 'wider' }, 'Widgets', { format: 'SN-{#####}', description: 'widgets' });
    expect(edited).toMatchObject({ version: 2, format: 'SN-{#####}', description: 'widgets' });
    await h.app.generation.generate(h.caller, 'Widgets');

    const before = snapshot(h.raw());
    const unsafe = await refused(h.app.series.update(h.caller, 'Widgets', { base: 'hex' }), 'SERIES_CHANGE_UNSAFE');
    expect(unsafe.details['field']).toBe('base');
    await refused(h.app.series.update(h.caller, 'Widgets', { global: true }), 'SERIES_CHANGE_UNSAFE');
    await refused(h.app.series.update(h.caller, 'Widgets', { increment: 0 }), 'VALUE_INVALID');
    expect(snapshot(h.raw())).toEqual(before);

    const renamed = await h.app.series.update(h.caller, 'Widgets', { name: 'Gadgets', increment: 5 });
    expect(renamed).toMatchObject({ name: 'Gadgets', version: 3, increment: '5' });
    expect((await h.app.generation.generate(h.caller, 'Gadgets')).serials).toEqual(['SN-00006']);
    const versions = await h.app.series.versions(h.caller, 'Gadgets');
    expect(versions.map((v) => [v.version, v.settings.name, v.settings.format])).toEqual([
      [1, 'Widgets', 'SN-{####}'],
      [2, 'Widgets', 'SN-{#####}'],
      [3, 'Gadgets', 'SN-{#####}'],
    ]);
    expect(versions[1]!.reason).toBe('wider');
    const updates = [...(await h.app.audit.list(h.caller, { action: 'series.updated' })).entries].reverse();
    expect(updates[0]!.data).toMatchObject({ version: 2, changes: { format: { from: 'SN-{####}', to: 'SN-{#####}' } } });

    await h.app.series.create(h.caller, { name: 'Other', format: 'O-{####}' });
    await refused(h.app.series.update(h.caller, 'Other', { name: 'Gadgets' }), 'SERIES_NAME_TAKEN');
  });

  it('previews a definition or the next serials of a series without writing or consuming anything', async () => {
    const before = snapshot(h.raw());
    const preview = await h.app.series.previewDefinition({ format: 'P{YY}{WW}-{####}', base: 'alphanumeric', start: 360 }, { count: 2 });
    expect(preview.serials).toEqual(['P2524-00A1', 'P2524-00A2']);
    expect(snapshot(h.raw())).toEqual(before);
    await refused(h.app.series.previewDefinition({ format: 'L-{LINE}-{####}' }), 'CONTEXT_MISSING');
    expect((await h.app.series.previewDefinition({ format: 'L-{LINE}-{####}' }, { placeholders: true })).serials[0]).toBe('L-{LINE}-0001');

    await h.app.series.create(h.caller, { name: 'Widgets', format: 'SN-{####}' });
    await h.app.generation.generate(h.caller, 'Widgets', { quantity: 2 });
    const next = await h.app.series.previewNext(h.caller, 'Widgets', { count: 3 });
    expect(next.serials).toEqual(['SN-0003', 'SN-0004', 'SN-0005']);
    expect((await h.app.generation.generate(h.caller, 'Widgets', { quantity: 3 })).serials).toEqual(next.serials);
    await refused(h.app.series.previewNext(h.caller, 'Widgets', { count: 0 }), 'VALUE_INVALID');
  });
});
