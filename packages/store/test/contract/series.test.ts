import { describe, expect, it } from 'vitest';
import { parseShiftCalendar } from '@serialtrace/core';
import { ENGINES, useStore, AT, STAMP, TWO_POW_64, must, inserted } from './contract-harness.js';
import { newRecord, seriesSettings } from '../store-harness.js';

for (const factory of ENGINES) {
  describe(`Store contract, series: ${factory.name}`, () => {
    const { h, write, read, addSeries } = useStore(factory);

    describe('series', () => {
      it('inserts a series as version 1 and finds it by name within its company only', async () => {
        const inserted = await addSeries('Widgets');
        expect(inserted).toMatchObject({
          companyId: 1,
          version: 1,
          createdAt: AT,
          createdBy: 'alice',
          updatedAt: AT,
          updatedBy: 'alice',
        });
        expect(inserted.settings).toEqual(seriesSettings('Widgets'));
        expect(Number.isInteger(inserted.id)).toBe(true);

        await read(async (tx) => {
          expect(await tx.series.find(1, 'Widgets')).toEqual(inserted);
          expect(await tx.series.find(1, 'widgets')).toBeUndefined();
          expect(await tx.series.find(1, 'Gadgets')).toBeUndefined();
          expect(await tx.series.find(2, 'Widgets')).toBeUndefined();
          expect(await tx.series.list(2)).toEqual([]);
          expect(await tx.series.findById(inserted.id)).toEqual(inserted);
          expect(await tx.series.findVersions(1, ['Widgets', 'Gadgets', 'widgets'])).toEqual([{ id: inserted.id, name: 'Widgets', version: 1 }]);
          expect(await tx.series.findVersions(2, ['Widgets'])).toEqual([]);
          expect(await tx.series.findById(inserted.id + 1000)).toBeUndefined();
        });
      });

      it('round-trips every setting exactly, including numbers beyond 2^64 and shift calendars', async () => {
        const big = seriesSettings('Big', {
          description: 'Grüße "quoted" \\ back\'slash ✓',
          format: 'B-{YYYY}-{SHIFT}-{SEQUENCE}',
          base: 'alphanumeric',
          start: TWO_POW_64 * 1000n + 7n,
          increment: TWO_POW_64 + 1n,
          minLength: 40,
          reset: 'shift',
          timeZone: 'America/New_York',
          shiftStarts: parseShiftCalendar('N=22:00,E=06:00,L=14:00'),
          global: true,
          allowGrowth: true,
        });
        const plain = seriesSettings('Plain', { base: 'hex', reset: 'daily', timeZone: 'Europe/Berlin' });
        const unlabelled = seriesSettings('Shifts', { reset: 'shift', shiftStarts: parseShiftCalendar('05:30,13:30,21:30') });
        const rows = await write(async (tx) => [
          await tx.series.insert(1, big, STAMP),
          await tx.series.insert(1, plain, STAMP),
          await tx.series.insert(1, unlabelled, STAMP),
        ]);
        expect(rows.map((r) => r.settings)).toEqual([big, plain, unlabelled]);

        await read(async (tx) => {
          expect((await tx.series.find(1, 'Big'))?.settings).toEqual(big);
          expect((await tx.series.find(1, 'Plain'))?.settings).toEqual(plain);
          expect((await tx.series.find(1, 'Shifts'))?.settings).toEqual(unlabelled);
          const versions = await tx.series.versions(must(rows[0]).id);
          expect(versions.map((v) => v.settings)).toEqual([big]);
        });
        const found = must(await read((tx) => tx.series.find(1, 'Big')));
        expect(typeof found.settings.start).toBe('bigint');
        expect(found.settings.start - 7n).toBe(TWO_POW_64 * 1000n);
      });

      it('round-trips the GS1 and randomisation settings, in the row and in its versions', async () => {
        const gtin = seriesSettings('Gtin', { gtin: '09506000134352', companyPrefix: '9506000', randomized: true });
        const sscc = seriesSettings('Sscc', { sscc: true, companyPrefix: '0614141', extensionDigit: 0, format: '{SEQUENCE}', minLength: 9 });
        const nine = seriesSettings('Nine', { sscc: true, companyPrefix: '9506000', extensionDigit: 9 });
        const rows = await write(async (tx) => [await tx.series.insert(1, gtin, STAMP), await tx.series.insert(1, sscc, STAMP), await tx.series.insert(1, nine, STAMP)]);
        expect(rows.map((r) => r.settings)).toEqual([gtin, sscc, nine]);
        await read(async (tx) => {
          expect((await tx.series.find(1, 'Gtin'))?.settings).toEqual(gtin);
          expect((await tx.series.findById(must(rows[1]).id))?.settings).toEqual(sscc);
          expect((await tx.series.list(1)).map((r) => r.settings)).toEqual([gtin, nine, sscc]);
          expect((await tx.series.versions(must(rows[2]).id)).map((v) => v.settings)).toEqual([nine]);
        });

        // Updating to and from the GS1 fields keeps every version as it was.
        const plain = seriesSettings('Gtin');
        const v2 = await write((tx) => tx.series.update(must(rows[0]), plain, { at: '2025-06-02T00:00:00.000Z', actor: 'bob' }));
        const asSscc = { ...sscc, name: 'Gtin' };
        const v3 = await write((tx) => tx.series.update(v2, asSscc, { at: '2025-06-03T00:00:00.000Z', actor: 'bob' }));
        await read(async (tx) => {
          expect(await tx.series.find(1, 'Gtin')).toEqual(v3);
          expect(v3.settings).toEqual(asSscc);
          expect((await tx.series.versions(v3.id)).map((v) => v.settings)).toEqual([gtin, plain, asSscc]);
        });
      });

      it('keeps no wrapped key until one is saved, then returns it with the series, through updates', async () => {
        const a = await addSeries('Random', { randomized: true });
        const b = await addSeries('Other');
        expect(a.wrappedKey).toBeNull();
        expect(await read((tx) => tx.series.find(1, 'Random'))).toEqual(a);

        await write((tx) => tx.series.saveKey(a.id, 'v1:wrapped+key/=='));
        const withKey = { ...a, wrappedKey: 'v1:wrapped+key/==' };
        await read(async (tx) => {
          expect(await tx.series.find(1, 'Random')).toEqual(withKey);
          expect(await tx.series.findById(a.id)).toEqual(withKey);
          expect(await tx.series.list(1)).toEqual([b, withKey]);
          expect(await tx.series.find(1, 'Other')).toEqual(b);
          // Not a setting: the versions do not carry it.
          expect((await tx.series.versions(a.id)).map((v) => v.settings)).toEqual([a.settings]);
        });

        const updated = await write((tx) => tx.series.update(withKey, seriesSettings('Random', { randomized: true, description: 'kept' }), STAMP));
        expect(updated.wrappedKey).toBe('v1:wrapped+key/==');
        expect(await read((tx) => tx.series.find(1, 'Random'))).toEqual(updated);
      });

      it('lists series ordered by name, only those of the company asked for', async () => {
        await addSeries('gamma');
        await addSeries('alpha');
        await addSeries('beta-2');
        await addSeries('beta-10');
        await h.addCompany(2, 'second');
        const other = await addSeries('alpha', {}, 2);

        const [first, second] = await read(async (tx) => [await tx.series.list(1), await tx.series.list(2)]);
        expect(must(first).map((s) => s.settings.name)).toEqual(['alpha', 'beta-10', 'beta-2', 'gamma']);
        expect(must(first).every((s) => s.companyId === 1)).toBe(true);
        expect(second).toEqual([other]);
        const inFirst = must(await read((tx) => tx.series.find(1, 'alpha')));
        expect(inFirst.id).not.toBe(other.id);
        expect(await read((tx) => tx.series.find(2, 'alpha'))).toEqual(other);
        expect(await read((tx) => tx.series.list(3))).toEqual([]);
      });

      it('refuses a second series with the same name in one company', async () => {
        await addSeries('Widgets');
        await expect(addSeries('Widgets', { format: 'X-{SEQUENCE}' })).rejects.toThrow();
        const all = await read((tx) => tx.series.list(1));
        expect(all.map((s) => s.settings.format)).toEqual(['SN-{SEQUENCE}']);
      });

      it('bumps the version on update and keeps every version with its stamp', async () => {
        const v1 = await addSeries('Widgets', { description: 'first' });
        const v2 = await write((tx) =>
          tx.series.update(v1, seriesSettings('Widgets', { description: 'second' }), {
            at: '2025-06-02T00:00:00.000Z',
            actor: 'bob',
            reason: 'typo',
          }),
        );
        expect(v2).toEqual({
          ...v1,
          settings: seriesSettings('Widgets', { description: 'second' }),
          version: 2,
          updatedAt: '2025-06-02T00:00:00.000Z',
          updatedBy: 'bob',
        });
        const renamed = seriesSettings('Gizmos', { description: 'third', start: TWO_POW_64, allowGrowth: true });
        const v3 = await write((tx) => tx.series.update(v2, renamed, { at: '2025-06-03T00:00:00.000Z', actor: 'carol', reason: null }));
        expect(v3).toMatchObject({ id: v1.id, version: 3, createdAt: AT, createdBy: 'alice', updatedBy: 'carol' });

        await read(async (tx) => {
          expect(await tx.series.find(1, 'Gizmos')).toEqual(v3);
          expect(await tx.series.find(1, 'Widgets')).toBeUndefined();
          expect(await tx.series.versions(v1.id)).toEqual([
            { seriesId: v1.id, version: 1, settings: v1.settings, changedAt: AT, changedBy: 'alice', reason: null },
            {
              seriesId: v1.id,
              version: 2,
              settings: v2.settings,
              changedAt: '2025-06-02T00:00:00.000Z',
              changedBy: 'bob',
              reason: 'typo',
            },
            { seriesId: v1.id, version: 3, settings: renamed, changedAt: '2025-06-03T00:00:00.000Z', changedBy: 'carol', reason: null },
          ]);
          expect(await tx.series.versions(v1.id + 1000)).toEqual([]);
          expect(await tx.series.findVersion(1, 'Gizmos')).toEqual({ id: v1.id, version: 3 });
          expect(await tx.series.findVersion(1, 'Widgets')).toBeUndefined();
          expect(await tx.series.findVersion(2, 'Gizmos')).toBeUndefined();
        });
      });

      it('reports a series as having issued once a counter is saved, and only that series', async () => {
        const a = await addSeries('A');
        const b = await addSeries('B');
        expect(await read((tx) => tx.series.hasIssued(a.id))).toBe(false);
        await write((tx) => tx.counters.save(a.id, '2025-06-01', 1n, AT));
        await read(async (tx) => {
          expect(await tx.series.hasIssued(a.id)).toBe(true);
          expect(await tx.series.hasIssued(b.id)).toBe(false);
        });
      });

      it('reports a series as having issued once it has a record', async () => {
        const a = await addSeries('A');
        expect(inserted(await write((tx) => tx.records.insert([newRecord(a, 'SN-0001')])))).toHaveLength(1);
        expect(await read((tx) => tx.series.hasIssued(a.id))).toBe(true);
      });
    });
  });
}
