import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = openHarness();
  await h.app.series.create(h.caller, { name: 'Widgets', format: 'SN-{######}' });
});
afterEach(async () => {
  await h.close();
});

describe('audit chain', () => {
  it('verifies a chain written by ordinary work', async () => {
    await h.app.generation.generate(h.caller, 'Widgets', { quantity: 5 });
    await h.app.records.changeStatus(h.caller, 'SN-000003', 'printed');
    const result = await h.app.audit.verify(h.caller);
    expect(result).toMatchObject({ valid: true, checked: 3, firstBreak: null });
    expect(result.head?.seq).toBe(3);
  });

  it('finds an edited entry, a removed entry and a forged link, naming the first broken position', async () => {
    for (let i = 0; i < 6; i++) await h.app.generation.generate(h.caller, 'Widgets');
    const raw = h.raw();
    raw.prepare("UPDATE journal SET data = json_set(data, '$.serials[0]', 'SN-999999') WHERE seq = 4").run();
    expect(await h.app.audit.verify(h.caller)).toMatchObject({ valid: false, checked: 7, head: { seq: 3 }, firstBreak: { seq: 4, reason: 'hash_mismatch' } });

    raw.prepare('DELETE FROM journal WHERE seq = 4').run();
    expect((await h.app.audit.verify(h.caller)).firstBreak).toMatchObject({ seq: 5, reason: 'sequence_gap', expectedSeq: 4 });

    raw.prepare('UPDATE journal SET seq = 4 WHERE seq = 5').run();
    expect((await h.app.audit.verify(h.caller)).firstBreak).toMatchObject({ seq: 4, reason: 'link_mismatch' });
  });

  it('verifies across pages and notices a change deep in a long chain', async () => {
    for (let i = 0; i < 2_100; i++) await h.app.generation.generate(h.caller, 'Widgets');
    expect(await h.app.audit.verify(h.caller)).toMatchObject({ valid: true, checked: 2_101 });
    h.raw().prepare("UPDATE journal SET actor = 'mallory' WHERE seq = 2050").run();
    const broken = await h.app.audit.verify(h.caller);
    expect(broken).toMatchObject({ valid: false, checked: 2_101, head: { seq: 2_049 }, firstBreak: { seq: 2050, reason: 'hash_mismatch' } });
    // The records that entry issued now name another issuer than it does.
    expect(broken.problems.slice(1)).toEqual([expect.objectContaining({ reason: 'record_mismatch', seq: 2050, field: 'generatedBy', actual: '"tester"', expected: '"mallory"' })]);
  });

  it('lists newest first with filters, and exports every entry in chain order', async () => {
    await h.app.generation.generate(h.caller, 'Widgets', { quantity: 2 });
    await h.app.records.changeStatus(h.caller, 'SN-000001', 'printed');
    const newest = await h.app.audit.list(h.caller, { limit: 2 });
    expect(newest.entries.map((e) => e.action)).toEqual(['record.status_changed', 'serials.generated']);
    const older = await h.app.audit.list(h.caller, { limit: 2, cursor: newest.nextCursor! });
    expect(older).toEqual({ entries: [expect.objectContaining({ seq: 1, action: 'series.created' })], nextCursor: null });
    expect((await h.app.audit.list(h.caller, { entityType: 'series' })).entries.map((e) => e.seq)).toEqual([2, 1]);
    await expect(h.app.audit.list(h.caller, { cursor: 'nope' })).rejects.toMatchObject({ code: 'VALUE_INVALID' });
    const all = [];
    for await (const e of h.app.audit.entries(h.caller)) all.push(e.seq);
    expect(all).toEqual([1, 2, 3]);
  });
});
