import { describe, expect, it } from 'vitest';
import { type ChangeStamp, type NewScriptRun } from '@serialtrace/store';
import { ENGINES, useStore, AT, STAMP, must } from './contract-harness.js';

for (const factory of ENGINES) {
  describe(`Store contract, scripts: ${factory.name}`, () => {
    const { h, write, read, addSeries } = useStore(factory);

    describe('scripts', () => {
      const LATER: ChangeStamp = { at: '2025-06-02T10:00:00.000Z', actor: 'bob', reason: 'faster' };
      const LAST: ChangeStamp = { at: '2025-06-03T10:00:00.000Z', actor: 'carol' };
      const source = (n: number) => `export function main(context) {\n  return { n: ${n}, note: 'version ${n} ✓ "quoted" \\\\ back' };\n}\n`;

      const run = (scriptId: number, overrides: Partial<NewScriptRun> = {}): NewScriptRun => ({
        companyId: 1,
        scriptId,
        version: 1,
        actor: 'alice',
        station: null,
        input: { serial: 'SN-0001' },
        status: 'succeeded',
        output: { ok: true },
        error: null,
        logs: [],
        apiCalls: 0,
        durationMs: 12,
        startedAt: AT,
        auditId: null,
        ...overrides,
      });

      it('creates a script as version 1, then saves versions 2 and 3, keeping its creation and every version', async () => {
        const v1 = await write((tx) => tx.scripts.save(1, 'Relabel', source(1), 'first', STAMP));
        expect(v1).toEqual({
          id: v1.id,
          companyId: 1,
          name: 'Relabel',
          version: 1,
          source: source(1),
          description: 'first',
          createdAt: AT,
          createdBy: 'alice',
          updatedAt: AT,
          updatedBy: 'alice',
        });
        expect(Number.isInteger(v1.id)).toBe(true);
        expect(await read((tx) => tx.scripts.find(1, 'Relabel'))).toEqual(v1);

        const v2 = await write((tx) => tx.scripts.save(1, 'Relabel', source(2), 'second', LATER));
        expect(v2).toEqual({ ...v1, version: 2, source: source(2), description: 'second', updatedAt: LATER.at, updatedBy: 'bob' });
        // The same source again is a new version all the same.
        const v3 = await write((tx) => tx.scripts.save(1, 'Relabel', source(2), '', LAST));
        expect(v3).toEqual({ ...v1, version: 3, source: source(2), description: '', updatedAt: LAST.at, updatedBy: 'carol' });
        expect(await read((tx) => tx.scripts.find(1, 'Relabel'))).toEqual(v3);

        const versions = await read((tx) => tx.scripts.versions(v1.id));
        expect(versions).toEqual([
          { scriptId: v1.id, version: 1, source: source(1), description: 'first', changedAt: AT, changedBy: 'alice', reason: null },
          { scriptId: v1.id, version: 2, source: source(2), description: 'second', changedAt: LATER.at, changedBy: 'bob', reason: 'faster' },
          { scriptId: v1.id, version: 3, source: source(2), description: '', changedAt: LAST.at, changedBy: 'carol', reason: null },
        ]);
        await read(async (tx) => {
          expect(await tx.scripts.findVersion(v1.id, 2)).toEqual(versions[1]);
          expect(await tx.scripts.findVersion(v1.id, 1)).toEqual(versions[0]);
          expect(await tx.scripts.findVersion(v1.id, 4)).toBeUndefined();
          expect(await tx.scripts.findVersion(v1.id + 1000, 1)).toBeUndefined();
          expect(await tx.scripts.versions(v1.id + 1000)).toEqual([]);
        });
      });

      it('saves a version and its row together: a unit that throws keeps neither', async () => {
        const v1 = await write((tx) => tx.scripts.save(1, 'Atomic', source(1), '', STAMP));
        await expect(
          write(async (tx) => {
            await tx.scripts.save(1, 'Atomic', source(2), '', LATER);
            throw new Error('rolled back');
          }),
        ).rejects.toThrow('rolled back');
        expect(await read((tx) => tx.scripts.find(1, 'Atomic'))).toEqual(v1);
        expect((await read((tx) => tx.scripts.versions(v1.id))).map((v) => v.version)).toEqual([1]);
        expect(await write((tx) => tx.scripts.save(1, 'Atomic', source(3), '', LATER))).toMatchObject({ version: 2, source: source(3) });
      });

      it('lists a company’s scripts by name and finds one by its exact name; companies keep their names apart', async () => {
        for (const name of ['zeta', 'Alpha', 'beta-10', 'beta-2']) await write((tx) => tx.scripts.save(1, name, source(1), name, STAMP));
        await h.addCompany(2, 'second');
        const theirs = await write((tx) => tx.scripts.save(2, 'Alpha', source(9), 'theirs', LATER));
        const listed = await read((tx) => tx.scripts.list(1));
        expect(listed.map((x) => x.name)).toEqual(['Alpha', 'beta-10', 'beta-2', 'zeta']);
        expect(listed.map((x) => x.description)).toEqual(['Alpha', 'beta-10', 'beta-2', 'zeta']);
        expect(theirs).toMatchObject({ companyId: 2, name: 'Alpha', version: 1, source: source(9) });
        expect(theirs.id).not.toBe(listed[0]!.id);
        await read(async (tx) => {
          expect(await tx.scripts.find(1, 'Alpha')).toEqual(listed[0]);
          expect(await tx.scripts.find(2, 'Alpha')).toEqual(theirs);
          expect(await tx.scripts.find(1, 'alpha')).toBeUndefined();
          expect(await tx.scripts.find(2, 'zeta')).toBeUndefined();
          expect(await tx.scripts.list(2)).toEqual([theirs]);
          expect(await tx.scripts.list(3)).toEqual([]);
          expect((await tx.scripts.versions(theirs.id)).map((v) => [v.version, v.source])).toEqual([[1, source(9)]]);
        });
        // A new version in one company leaves the other's alone.
        expect(await write((tx) => tx.scripts.save(2, 'Alpha', source(10), 'theirs', LATER))).toMatchObject({ version: 2 });
        expect(await read((tx) => tx.scripts.find(1, 'Alpha'))).toEqual(listed[0]);
      });

      it('records runs and lists them newest first, per company or per script, paging by id', async () => {
        await h.addCompany(2, 'second');
        const a = await write((tx) => tx.scripts.save(1, 'A', source(1), '', STAMP));
        const b = await write((tx) => tx.scripts.save(1, 'B', source(1), '', STAMP));
        const other = await write((tx) => tx.scripts.save(2, 'A', source(1), '', STAMP));
        const ids: number[] = [];
        for (let i = 0; i < 7; i++) {
          const script = i % 2 === 0 ? a : b;
          ids.push(await write((tx) => tx.scripts.insertRun(run(script.id, { input: { i }, startedAt: `2025-06-01T08:00:0${i}.000Z` }))));
        }
        const theirs = await write((tx) => tx.scripts.insertRun(run(other.id, { companyId: 2, actor: 'mallory' })));
        expect(new Set([...ids, theirs]).size).toBe(8);
        expect([...ids].sort((x, y) => x - y)).toEqual(ids);

        const newestFirst = [...ids].reverse();
        const all = await read((tx) => tx.scripts.listRuns({ companyId: 1, limit: 100 }));
        expect(all.map((r) => r.id)).toEqual(newestFirst);
        expect(all.map((r) => r.scriptName)).toEqual(['A', 'B', 'A', 'B', 'A', 'B', 'A']);
        expect(all.map((r) => r.input)).toEqual([6, 5, 4, 3, 2, 1, 0].map((i) => ({ i })));

        const page1 = await read((tx) => tx.scripts.listRuns({ companyId: 1, limit: 3 }));
        const page2 = await read((tx) => tx.scripts.listRuns({ companyId: 1, limit: 3, beforeId: page1.at(-1)!.id }));
        const page3 = await read((tx) => tx.scripts.listRuns({ companyId: 1, limit: 3, beforeId: page2.at(-1)!.id }));
        expect([...page1, ...page2, ...page3].map((r) => r.id)).toEqual(newestFirst);
        expect(page3).toHaveLength(1);
        expect(await read((tx) => tx.scripts.listRuns({ companyId: 1, limit: 3, beforeId: page3[0]!.id }))).toEqual([]);

        const ofA = await read((tx) => tx.scripts.listRuns({ companyId: 1, scriptId: a.id, limit: 100 }));
        expect(ofA.map((r) => r.id)).toEqual([ids[6], ids[4], ids[2], ids[0]]);
        const ofBPaged = await read((tx) => tx.scripts.listRuns({ companyId: 1, scriptId: b.id, limit: 2, beforeId: ids[5] }));
        expect(ofBPaged.map((r) => r.id)).toEqual([ids[3], ids[1]]);
        // Another company's script, or company, lists none of them.
        expect(await read((tx) => tx.scripts.listRuns({ companyId: 1, scriptId: other.id, limit: 100 }))).toEqual([]);
        expect(await read((tx) => tx.scripts.listRuns({ companyId: 2, scriptId: a.id, limit: 100 }))).toEqual([]);
        expect((await read((tx) => tx.scripts.listRuns({ companyId: 2, limit: 100 }))).map((r) => [r.id, r.actor, r.scriptName])).toEqual([
          [theirs, 'mallory', 'A'],
        ]);
        expect(await read((tx) => tx.scripts.listRuns({ companyId: 3, limit: 100 }))).toEqual([]);
      });

      it('reads a run back whole, JSON and all, and finds it only within its company', async () => {
        const script = await write((tx) => tx.scripts.save(1, 'Json', source(1), '', STAMP));
        await write((tx) => tx.scripts.save(1, 'Json', source(2), '', LATER));
        const bigLog = Array.from({ length: 1024 }, (_, i) => ({ at: i, level: 'info', message: `line ${i} ✓ ünïcödé 日本語 🚀 ${'x'.repeat(16)}` }));
        expect(JSON.stringify(bigLog).length).toBeGreaterThan(64 * 1024);
        const succeeded = run(script.id, {
          version: 2,
          station: 'ST-1',
          input: { serials: ['SN-1', 'SN-2'], nested: { deep: { deeper: [1, 2.5, -3, null, true, false, ''] } }, text: 'quote " back \\ nul \u0000 tab \t ✓ 🚀' },
          output: { result: [{ a: 1 }, { b: [null, { c: 'd' }] }], big: '18446744073709551617', unicode: 'Größe — 尺寸 — 🚀' },
          logs: bigLog,
          apiCalls: 42,
          durationMs: 1234,
          auditId: 17,
        });
        const failed = run(script.id, {
          version: 2,
          status: 'failed',
          input: null,
          output: null,
          error: { code: 'SCRIPT_ERROR', message: 'boom: “quoted” ✗', details: { line: 3, column: 7, stack: ['main', 'helper'] } },
          logs: ['started', { level: 'error', message: 'boom' }],
          apiCalls: 1,
          durationMs: 5,
          startedAt: LATER.at,
        });
        const scalars = run(script.id, { input: 'plain text', output: 42, logs: [] });
        const [okId, failedId, scalarId] = await write(async (tx) => [
          await tx.scripts.insertRun(succeeded),
          await tx.scripts.insertRun(failed),
          await tx.scripts.insertRun(scalars),
        ]);
        await read(async (tx) => {
          expect(await tx.scripts.findRun(1, must(okId))).toEqual({ ...succeeded, id: okId, scriptName: 'Json' });
          expect(await tx.scripts.findRun(1, must(failedId))).toEqual({ ...failed, id: failedId, scriptName: 'Json' });
          expect(await tx.scripts.findRun(1, must(scalarId))).toEqual({ ...scalars, id: scalarId, scriptName: 'Json' });
          expect(await tx.scripts.listRuns({ companyId: 1, limit: 10 })).toEqual([
            { ...scalars, id: scalarId, scriptName: 'Json' },
            { ...failed, id: failedId, scriptName: 'Json' },
            { ...succeeded, id: okId, scriptName: 'Json' },
          ]);
          expect(await tx.scripts.findRun(2, must(okId))).toBeUndefined();
          expect(await tx.scripts.findRun(1, must(scalarId) + 1000)).toBeUndefined();
        });
      });

      it('records a failed run in a transaction of its own after the run’s work was rolled back', async () => {
        const script = await write((tx) => tx.scripts.save(1, 'Fails', source(1), '', STAMP));
        const s = await addSeries('Touched');
        await expect(
          write(async (tx) => {
            await tx.counters.save(s.id, '*', 5n, AT);
            throw new Error('script failed');
          }),
        ).rejects.toThrow('script failed');
        const id = await write((tx) => tx.scripts.insertRun(run(script.id, { status: 'failed', output: null, error: { code: 'X', message: 'script failed', details: null } })));
        expect(await read((tx) => tx.counters.read(s.id, '*'))).toBeUndefined();
        expect(await read((tx) => tx.scripts.findRun(1, id))).toMatchObject({ id, status: 'failed', output: null, error: { code: 'X' } });
        // Runs in concurrent units all land, with distinct ids.
        const many = await Promise.all(Array.from({ length: 6 }, (_, i) => write((tx) => tx.scripts.insertRun(run(script.id, { input: { i } })))));
        expect(new Set(many).size).toBe(6);
        expect(await read((tx) => tx.scripts.listRuns({ companyId: 1, scriptId: script.id, limit: 100 }))).toHaveLength(7);
      });
    });
  });
}
