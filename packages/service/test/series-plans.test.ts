import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from './harness.js';

let h: Harness;
beforeEach(() => {
  h = openHarness();
});
afterEach(async () => {
  await h.close();
});

describe('the series kept in memory for generation', () => {
  it('is replaced as soon as another connection changes the series', async () => {
    await h.app.series.create(h.caller, { name: 'Widgets', format: 'SN-{####}' });
    expect((await h.app.generation.generate(h.caller, 'Widgets')).serials).toEqual(['SN-0001']);
    // Another process changes the increment behind this one's back (as the CLI would).
    h.raw().prepare("UPDATE series SET increment = '10', version = version + 1 WHERE name = 'Widgets'").run();
    expect((await h.app.generation.generate(h.caller, 'Widgets')).serials).toEqual(['SN-0011']);
    h.raw().prepare("UPDATE series SET name = 'Gadgets', version = version + 1 WHERE name = 'Widgets'").run();
    await expect(h.app.generation.generate(h.caller, 'Widgets')).rejects.toMatchObject({ code: 'SERIES_NOT_FOUND' });
  });
});
