import { describe, expect, it } from 'vitest';
import { type NewLease, type SeriesRow, type StoreTransaction } from '@serialtrace/store';
import { ENGINES, useStore, journalDraft, AT, STAMP, TWO_POW_64, must } from './contract-harness.js';
import { seriesSettings } from '../store-harness.js';

for (const factory of ENGINES) {
  describe(`Store contract, counters and leases: ${factory.name}`, () => {
    const { h, write, read, addSeries } = useStore(factory);

    describe('counters', () => {
      it('has no value for a new period, then saves and updates it', async () => {
        const s = await addSeries('Widgets');
        await write(async (tx) => {
          expect(await tx.counters.read(s.id, '2025-06-01')).toBeUndefined();
          expect(await tx.counters.lock(s.id, '2025-06-01')).toBeUndefined();
          await tx.counters.save(s.id, '2025-06-01', 0n, AT);
          expect(await tx.counters.read(s.id, '2025-06-01')).toBe(0n);
        });
        await write(async (tx) => {
          expect(await tx.counters.lock(s.id, '2025-06-01')).toBe(0n);
          await tx.counters.save(s.id, '2025-06-01', 25n, '2025-06-01T09:00:00.000Z');
        });
        expect(await read((tx) => tx.counters.read(s.id, '2025-06-01'))).toBe(25n);
      });

      it('keeps each period and each series apart', async () => {
        const a = await addSeries('A');
        const b = await addSeries('B');
        await write(async (tx) => {
          await tx.counters.save(a.id, '2025-06-01', 10n, AT);
          await tx.counters.save(a.id, '2025-06-02', 3n, AT);
          await tx.counters.save(b.id, '2025-06-01', 99n, AT);
        });
        await write((tx) => tx.counters.save(a.id, '2025-06-01', 11n, AT));
        await read(async (tx) => {
          expect(await tx.counters.read(a.id, '2025-06-01')).toBe(11n);
          expect(await tx.counters.read(a.id, '2025-06-02')).toBe(3n);
          expect(await tx.counters.read(a.id, '2025-06-03')).toBeUndefined();
          expect(await tx.counters.read(b.id, '2025-06-01')).toBe(99n);
          expect(await tx.counters.read(b.id, '2025-06-02')).toBeUndefined();
          expect(await tx.counters.lock(b.id, '*')).toBeUndefined();
        });
      });

      it('round-trips values beyond 2^64 exactly', async () => {
        const s = await addSeries('Huge', { base: 'alphanumeric', allowGrowth: true });
        const values = [TWO_POW_64 - 1n, TWO_POW_64, TWO_POW_64 + 1n, 36n ** 40n - 1n];
        for (const [i, value] of values.entries()) {
          await write((tx) => tx.counters.save(s.id, `p${i}`, value, AT));
        }
        const back = await read(async (tx) => Promise.all(values.map((_, i) => tx.counters.read(s.id, `p${i}`))));
        expect(back).toEqual(values);
        await write(async (tx) => {
          const current = must(await tx.counters.lock(s.id, 'p2'));
          await tx.counters.save(s.id, 'p2', current + TWO_POW_64, AT);
        });
        expect(await read((tx) => tx.counters.read(s.id, 'p2'))).toBe(2n * TWO_POW_64 + 1n);
      });
    });

    describe('issue locks', () => {
      it('gives the period counter and whether another series is global, in one step', async () => {
        const s = await addSeries('S');
        expect(await write((tx) => tx.counters.lockIssue(1, s.id, '*'))).toEqual({ counter: undefined, otherGlobal: false, seriesCurrent: true });
        await write(async (tx) => {
          await tx.counters.save(s.id, '*', TWO_POW_64 + 5n, AT);
          await tx.journal.append([journalDraft(1), journalDraft(1)]);
        });
        expect(await write((tx) => tx.counters.lockIssue(1, s.id, '*'))).toEqual({ counter: TWO_POW_64 + 5n, otherGlobal: false, seriesCurrent: true });
        expect(await write((tx) => tx.counters.lockIssue(1, s.id, 'other'))).toEqual({ counter: undefined, otherGlobal: false, seriesCurrent: true });
        const g = await addSeries('G', { global: true });
        expect((await write((tx) => tx.counters.lockIssue(1, s.id, '*'))).otherGlobal).toBe(true);
        expect((await write((tx) => tx.counters.lockIssue(1, g.id, '*'))).otherGlobal).toBe(false);
      });

      it('tells whether the series still has the name and version a copy in memory was made from', async () => {
        const s = await addSeries('S');
        await write((tx) => tx.counters.save(s.id, '*', 1n, AT));
        await write((tx) => tx.journal.append([journalDraft(1)]));
        for (const period of ['*', 'new']) {
          const current = (expect?: { name: string; version: number }) => write(async (tx) => (await tx.counters.lockIssue(1, s.id, period, expect)).seriesCurrent);
          expect(await current({ name: 'S', version: 1 })).toBe(true);
          expect(await current({ name: 'S', version: 2 })).toBe(false);
          expect(await current({ name: 'Renamed', version: 1 })).toBe(false);
          expect(await current()).toBe(true);
        }
        await write((tx) => tx.series.update(s, seriesSettings('Renamed'), STAMP));
        expect(await write(async (tx) => (await tx.counters.lockIssue(1, s.id, '*', { name: 'S', version: 1 })).seriesCurrent)).toBe(false);
        expect(await write(async (tx) => (await tx.counters.lockIssue(1, s.id, '*', { name: 'Renamed', version: 2 })).seriesCurrent)).toBe(true);
      });
    });

    describe('issue locks of a batch', () => {
      it('gives the counters of several series and periods in series order, leaving out periods without one', async () => {
        const b = await addSeries('B');
        const a = await addSeries('A');
        await write(async (tx) => {
          await tx.counters.save(a.id, '*', 7n, AT);
          await tx.counters.save(b.id, '2025-06-01', TWO_POW_64, AT);
          await tx.counters.save(b.id, '2025-06-02', 1n, AT);
        });
        const locks = await write((tx) =>
          tx.counters.lockIssues(1, [
            { seriesId: b.id, period: '2025-06-02' },
            { seriesId: a.id, period: '*' },
            { seriesId: b.id, period: '2025-06-01' },
            { seriesId: a.id, period: 'none-yet' },
          ]),
        );
        expect(locks).toEqual({
          globalSeries: 0,
          counters: [
            { seriesId: b.id, period: '2025-06-01', counter: TWO_POW_64, name: 'B', version: 1, global: false },
            { seriesId: b.id, period: '2025-06-02', counter: 1n, name: 'B', version: 1, global: false },
            { seriesId: a.id, period: '*', counter: 7n, name: 'A', version: 1, global: false },
          ].sort((x, y) => x.seriesId - y.seriesId),
        });
        // Another company's series is not reached, and a company without counters still answers its count.
        await h.addCompany(2, 'second');
        expect(await write((tx) => tx.counters.lockIssues(2, [{ seriesId: a.id, period: '*' }]))).toEqual({ globalSeries: 0, counters: [] });
        await addSeries('G', { global: true });
        expect((await write((tx) => tx.counters.lockIssues(1, [{ seriesId: a.id, period: 'none-yet' }]))).globalSeries).toBe(1);
        expect(await write((tx) => tx.counters.lockIssues(1, []))).toEqual({ globalSeries: 0, counters: [] });
      });

      it('holds the counters it gives: saving one updates the row', async () => {
        const a = await addSeries('A');
        await write((tx) => tx.counters.save(a.id, '*', 1n, AT));
        await write(async (tx) => {
          const { counters } = await tx.counters.lockIssues(1, [{ seriesId: a.id, period: '*' }]);
          await tx.counters.save(a.id, '*', counters[0]!.counter + 5n, AT);
        });
        expect(await read((tx) => tx.counters.read(a.id, '*'))).toBe(6n);
      });
    });

    describe('leases', () => {
      const lease = (series: SeriesRow, overrides: Partial<NewLease> = {}): NewLease => ({
        companyId: series.companyId,
        seriesId: series.id,
        period: '*',
        owner: 'server-a',
        used: 0n,
        last: 100n,
        leasedAt: AT,
        expiresAt: '2025-06-01T08:05:00.000Z',
        ...overrides,
      });

      it('finds only the owner’s open lease of the period, and keeps values beyond 2^64 exact', async () => {
        const s = await addSeries('Leased');
        const big = lease(s, { used: TWO_POW_64, last: TWO_POW_64 + 100n });
        const stored = await write((tx) => tx.counters.insertLease(big));
        expect(stored).toEqual({ ...big, id: stored.id, releasedAt: null });
        await write((tx) => tx.counters.insertLease(lease(s, { owner: 'server-b' })));
        await write((tx) => tx.counters.insertLease(lease(s, { period: '2025-06-02' })));
        expect(await write((tx) => tx.counters.lockOpenLease(s.id, '*', 'server-a'))).toEqual(stored);
        expect(await write((tx) => tx.counters.lockOpenLease(s.id, '*', 'server-c'))).toBeUndefined();
        expect(await read((tx) => tx.counters.lockOpenLease(s.id, '*', 'server-a'))).toEqual(stored);
      });

      it('saves how far a lease is used and renews it; a released lease is no longer open', async () => {
        const s = await addSeries('Leased');
        const { id } = await write((tx) => tx.counters.insertLease(lease(s)));
        await write((tx) => tx.counters.saveLease(id, 42n, '2025-06-01T09:00:00.000Z'));
        expect(await read((tx) => tx.counters.lockOpenLease(s.id, '*', 'server-a'))).toMatchObject({ id, used: 42n, expiresAt: '2025-06-01T09:00:00.000Z' });
        await write((tx) => tx.counters.releaseLease(id, 50n, AT));
        expect(await read((tx) => tx.counters.lockOpenLease(s.id, '*', 'server-a'))).toBeUndefined();
        expect(await read((tx) => tx.counters.lockOpenLeases({ owner: 'server-a' }))).toEqual([]);
      });

      it('lists open leases by owner, by expiry and by series, oldest first', async () => {
        const s = await addSeries('S');
        const t = await addSeries('T');
        const a = await write((tx) => tx.counters.insertLease(lease(s, { owner: 'a', expiresAt: '2025-06-01T08:01:00.000Z' })));
        const b = await write((tx) => tx.counters.insertLease(lease(t, { owner: 'b', expiresAt: '2025-06-01T08:10:00.000Z' })));
        const c = await write((tx) => tx.counters.insertLease(lease(t, { owner: 'a', period: 'p2', expiresAt: '2025-06-01T08:20:00.000Z' })));
        const ids = async (filter: Parameters<StoreTransaction['counters']['lockOpenLeases']>[0]) =>
          (await write((tx) => tx.counters.lockOpenLeases(filter))).map((l) => l.id);
        expect(await ids({ owner: 'a' })).toEqual([a.id, c.id]);
        expect(await ids({ expiredBefore: '2025-06-01T08:15:00.000Z' })).toEqual([a.id, b.id]);
        expect(await ids({ seriesId: t.id })).toEqual([b.id, c.id]);
        expect(await ids({ seriesId: t.id, expiredBefore: '2025-06-01T08:15:00.000Z' })).toEqual([b.id]);
        await h.addCompany(2, 'Other');
        const other = await write((tx) => tx.series.insert(2, seriesSettings('O'), STAMP));
        const d = await write((tx) => tx.counters.insertLease(lease(other, { companyId: 2, owner: 'a' })));
        expect(await ids({ owner: 'a', companyId: 1 })).toEqual([a.id, c.id]);
        expect(await ids({ owner: 'a', companyId: 2 })).toEqual([d.id]);
      });
    });
  });
}
