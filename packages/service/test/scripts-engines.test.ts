import { createSerialtrace, type Caller, type Serialtrace } from '@serialtrace/service';
import type { Store } from '@serialtrace/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from './engines.js';
import { ManualClock, refused } from './harness.js';

/**
 * A run's transaction on each engine: opened by the run's first call to the store, committed
 * with its record when main returns, rolled back otherwise, and never opened by a run that
 * touches no data.
 */

const caller: Caller = { companyId: 1, actor: 'user:jane' };

for (const engine of ENGINES) {
  describe(`a script run's transaction on ${engine.name}`, () => {
    let opened: ReturnType<typeof engine.open>;
    let store: Store;
    let app: Serialtrace;
    beforeAll(async () => {
      opened = engine.open();
      store = opened.stores();
      app = createSerialtrace({ store, clock: new ManualClock('2025-06-15T10:00:00Z'), defaultTimeZone: 'UTC', scriptLimits: { timeMs: 1_500 } });
      await app.series.create(caller, { name: 'Widgets', format: 'W-{####}' });
    });
    afterAll(async () => {
      app.dispose();
      await opened.cleanup();
    });

    it('commits what main did with the run, and undoes it when main throws', async () => {
      await app.scripts.save(caller, 'issue', { source: "function main(c) { const s = manufacturing.generateSerials('Widgets', 2, { workOrder: c.wo }); if (c.fail) throw new Error('no'); return s; }" });
      expect((await app.scripts.run(caller, 'issue', { context: { wo: 'WO-1' } })).result).toEqual(['W-0001', 'W-0002']);
      await refused(app.scripts.run(caller, 'issue', { context: { wo: 'WO-2', fail: true } }), 'SCRIPT_FAILED');
      expect(await app.records.byWorkOrder(caller, 'WO-2')).toEqual([]);
      expect((await app.generation.generate(caller, 'Widgets')).serials).toEqual(['W-0003']);
      expect((await app.scripts.runs(caller, 'issue')).runs.map((r) => r.status)).toEqual(['failed', 'succeeded']);
    });

    it('lets other writers go on while a run that touches no data spins', async () => {
      await app.scripts.save(caller, 'spin', { source: 'function main() { while (true) {} }' });
      let running = true;
      const run = refused(app.scripts.run(caller, 'spin'), 'SCRIPT_TIMEOUT').finally(() => {
        running = false;
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await app.generation.generate(caller, 'Widgets')).serials).toEqual(['W-0004']);
      expect(running).toBe(true);
      await run;
    });
  });
}
