import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GENESIS_HASH,
  parseShiftCalendar,
  sealAuditEntry,
  type AuditContent,
  type AuditEntry,
  type SeriesSettings,
} from '@serialtrace/core';
import {
  LATEST_SCHEMA_VERSION,
  MIGRATIONS,
  type ChangeStamp,
  type NewLease,
  type NewRecord,
  type NewScriptRun,
  type NewStatusChange,
  type RecordFilter,
  type RecordRow,
  type SeriesRow,
  type StoreTransaction,
  type TakenSerial,
} from '@serialtrace/store';
import { newRecord, seriesSettings, type StoreFactory, type StoreHarness } from './store-harness.js';

/*
 * The behaviour every storage engine must show, written against the port alone. Each engine runs
 * it through its own StoreFactory (see store.test.ts); anything only one engine can check lives
 * in that engine's own test file.
 */

const AT = '2025-06-01T08:00:00.000Z';
const STAMP: ChangeStamp = { at: AT, actor: 'alice' };
const TWO_POW_64 = 2n ** 64n;



/** The row a freshly inserted record reads back as. */
function storedRecord(series: SeriesRow, id: number, record: NewRecord): RecordRow {
  return { ...record, id, seriesName: series.settings.name, updatedAt: record.generatedAt, labelPrints: 0 };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A well-formed chain segment for a company, starting at `firstSeq` after `prevHash`. */
function auditEntries(
  companyId: number,
  firstSeq: number,
  drafts: readonly Partial<AuditContent>[],
  prevHash = GENESIS_HASH,
): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let previous = prevHash;
  drafts.forEach((draft, i) => {
    const content: AuditContent = {
      seq: firstSeq + i,
      companyId,
      at: new Date(Date.UTC(2025, 5, 1, 8, 0, firstSeq + i)).toISOString(),
      actor: 'alice',
      station: null,
      line: null,
      plant: null,
      reason: null,
      action: 'series.created',
      entityType: 'series',
      entityId: '1',
      data: null,
      ...draft,
    };
    const entry = sealAuditEntry(content, previous, sha256);
    entries.push(entry);
    previous = entry.hash;
  });
  return entries;
}

function must<T>(value: T | undefined | null): T {
  if (value === undefined || value === null) throw new Error('expected a value');
  return value;
}

/** The ids of a batch in which every record was expected to be inserted. */
function inserted(ids: readonly (number | null)[]): number[] {
  return ids.map((id) => must(id));
}

const pause = (ms = 0) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;
const bySerialThenSeries = (a: TakenSerial, b: TakenSerial) =>
  a.serial < b.serial ? -1 : a.serial > b.serial ? 1 : a.seriesId - b.seriesId;

/**
 * Registers the contract suite for one engine.
 *
 * @example
 * for (const factory of [sqliteFactory]) storeContract(factory);
 */
export function storeContract(factory: StoreFactory): void {
  describe(`Store contract: ${factory.name}`, () => {
    let h: StoreHarness;
    const write = <T>(work: (tx: StoreTransaction) => Promise<T>) => h.store.write(work);
    const read = <T>(work: (tx: StoreTransaction) => Promise<T>) => h.store.read(work);
    const addSeries = (name: string, overrides: Partial<SeriesSettings> = {}, companyId = 1) =>
      write((tx) => tx.insertSeries(companyId, seriesSettings(name, overrides), STAMP));

    beforeEach(async () => {
      h = await factory.create();
    });

    afterEach(async () => {
      await h.dispose();
    });

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
          expect(await tx.findSeries(1, 'Widgets')).toEqual(inserted);
          expect(await tx.findSeries(1, 'widgets')).toBeUndefined();
          expect(await tx.findSeries(1, 'Gadgets')).toBeUndefined();
          expect(await tx.findSeries(2, 'Widgets')).toBeUndefined();
          expect(await tx.listSeries(2)).toEqual([]);
          expect(await tx.findSeriesById(inserted.id)).toEqual(inserted);
          expect(await tx.findSeriesVersions(1, ['Widgets', 'Gadgets', 'widgets'])).toEqual([{ id: inserted.id, name: 'Widgets', version: 1 }]);
          expect(await tx.findSeriesVersions(2, ['Widgets'])).toEqual([]);
          expect(await tx.findSeriesById(inserted.id + 1000)).toBeUndefined();
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
          await tx.insertSeries(1, big, STAMP),
          await tx.insertSeries(1, plain, STAMP),
          await tx.insertSeries(1, unlabelled, STAMP),
        ]);
        expect(rows.map((r) => r.settings)).toEqual([big, plain, unlabelled]);

        await read(async (tx) => {
          expect((await tx.findSeries(1, 'Big'))?.settings).toEqual(big);
          expect((await tx.findSeries(1, 'Plain'))?.settings).toEqual(plain);
          expect((await tx.findSeries(1, 'Shifts'))?.settings).toEqual(unlabelled);
          const versions = await tx.listSeriesVersions(must(rows[0]).id);
          expect(versions.map((v) => v.settings)).toEqual([big]);
        });
        const found = must(await read((tx) => tx.findSeries(1, 'Big')));
        expect(typeof found.settings.start).toBe('bigint');
        expect(found.settings.start - 7n).toBe(TWO_POW_64 * 1000n);
      });

      it('round-trips the GS1 and randomisation settings, in the row and in its versions', async () => {
        const gtin = seriesSettings('Gtin', { gtin: '09506000134352', companyPrefix: '9506000', randomized: true });
        const sscc = seriesSettings('Sscc', { sscc: true, companyPrefix: '0614141', extensionDigit: 0, format: '{SEQUENCE}', minLength: 9 });
        const nine = seriesSettings('Nine', { sscc: true, companyPrefix: '9506000', extensionDigit: 9 });
        const rows = await write(async (tx) => [await tx.insertSeries(1, gtin, STAMP), await tx.insertSeries(1, sscc, STAMP), await tx.insertSeries(1, nine, STAMP)]);
        expect(rows.map((r) => r.settings)).toEqual([gtin, sscc, nine]);
        await read(async (tx) => {
          expect((await tx.findSeries(1, 'Gtin'))?.settings).toEqual(gtin);
          expect((await tx.findSeriesById(must(rows[1]).id))?.settings).toEqual(sscc);
          expect((await tx.listSeries(1)).map((r) => r.settings)).toEqual([gtin, nine, sscc]);
          expect((await tx.listSeriesVersions(must(rows[2]).id)).map((v) => v.settings)).toEqual([nine]);
        });

        // Updating to and from the GS1 fields keeps every version as it was.
        const plain = seriesSettings('Gtin');
        const v2 = await write((tx) => tx.updateSeries(must(rows[0]), plain, { at: '2025-06-02T00:00:00.000Z', actor: 'bob' }));
        const asSscc = { ...sscc, name: 'Gtin' };
        const v3 = await write((tx) => tx.updateSeries(v2, asSscc, { at: '2025-06-03T00:00:00.000Z', actor: 'bob' }));
        await read(async (tx) => {
          expect(await tx.findSeries(1, 'Gtin')).toEqual(v3);
          expect(v3.settings).toEqual(asSscc);
          expect((await tx.listSeriesVersions(v3.id)).map((v) => v.settings)).toEqual([gtin, plain, asSscc]);
        });
      });

      it('keeps no wrapped key until one is saved, then returns it with the series, through updates', async () => {
        const a = await addSeries('Random', { randomized: true });
        const b = await addSeries('Other');
        expect(a.wrappedKey).toBeNull();
        expect(await read((tx) => tx.findSeries(1, 'Random'))).toEqual(a);

        await write((tx) => tx.saveSeriesKey(a.id, 'v1:wrapped+key/=='));
        const withKey = { ...a, wrappedKey: 'v1:wrapped+key/==' };
        await read(async (tx) => {
          expect(await tx.findSeries(1, 'Random')).toEqual(withKey);
          expect(await tx.findSeriesById(a.id)).toEqual(withKey);
          expect(await tx.listSeries(1)).toEqual([b, withKey]);
          expect(await tx.findSeries(1, 'Other')).toEqual(b);
          // Not a setting: the versions do not carry it.
          expect((await tx.listSeriesVersions(a.id)).map((v) => v.settings)).toEqual([a.settings]);
        });

        const updated = await write((tx) => tx.updateSeries(withKey, seriesSettings('Random', { randomized: true, description: 'kept' }), STAMP));
        expect(updated.wrappedKey).toBe('v1:wrapped+key/==');
        expect(await read((tx) => tx.findSeries(1, 'Random'))).toEqual(updated);
      });

      it('lists series ordered by name, only those of the company asked for', async () => {
        await addSeries('gamma');
        await addSeries('alpha');
        await addSeries('beta-2');
        await addSeries('beta-10');
        await h.addCompany(2, 'second');
        const other = await addSeries('alpha', {}, 2);

        const [first, second] = await read(async (tx) => [await tx.listSeries(1), await tx.listSeries(2)]);
        expect(must(first).map((s) => s.settings.name)).toEqual(['alpha', 'beta-10', 'beta-2', 'gamma']);
        expect(must(first).every((s) => s.companyId === 1)).toBe(true);
        expect(second).toEqual([other]);
        const inFirst = must(await read((tx) => tx.findSeries(1, 'alpha')));
        expect(inFirst.id).not.toBe(other.id);
        expect(await read((tx) => tx.findSeries(2, 'alpha'))).toEqual(other);
        expect(await read((tx) => tx.listSeries(3))).toEqual([]);
      });

      it('refuses a second series with the same name in one company', async () => {
        await addSeries('Widgets');
        await expect(addSeries('Widgets', { format: 'X-{SEQUENCE}' })).rejects.toThrow();
        const all = await read((tx) => tx.listSeries(1));
        expect(all.map((s) => s.settings.format)).toEqual(['SN-{SEQUENCE}']);
      });

      it('bumps the version on update and keeps every version with its stamp', async () => {
        const v1 = await addSeries('Widgets', { description: 'first' });
        const v2 = await write((tx) =>
          tx.updateSeries(v1, seriesSettings('Widgets', { description: 'second' }), {
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
        const v3 = await write((tx) => tx.updateSeries(v2, renamed, { at: '2025-06-03T00:00:00.000Z', actor: 'carol', reason: null }));
        expect(v3).toMatchObject({ id: v1.id, version: 3, createdAt: AT, createdBy: 'alice', updatedBy: 'carol' });

        await read(async (tx) => {
          expect(await tx.findSeries(1, 'Gizmos')).toEqual(v3);
          expect(await tx.findSeries(1, 'Widgets')).toBeUndefined();
          expect(await tx.listSeriesVersions(v1.id)).toEqual([
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
          expect(await tx.listSeriesVersions(v1.id + 1000)).toEqual([]);
          expect(await tx.findSeriesVersion(1, 'Gizmos')).toEqual({ id: v1.id, version: 3 });
          expect(await tx.findSeriesVersion(1, 'Widgets')).toBeUndefined();
          expect(await tx.findSeriesVersion(2, 'Gizmos')).toBeUndefined();
        });
      });

      it('reports a series as having issued once a counter is saved, and only that series', async () => {
        const a = await addSeries('A');
        const b = await addSeries('B');
        expect(await read((tx) => tx.seriesHasIssued(a.id))).toBe(false);
        await write((tx) => tx.saveCounter(a.id, '2025-06-01', 1n, AT));
        await read(async (tx) => {
          expect(await tx.seriesHasIssued(a.id)).toBe(true);
          expect(await tx.seriesHasIssued(b.id)).toBe(false);
        });
      });

      it('reports a series as having issued once it has a record', async () => {
        const a = await addSeries('A');
        expect(inserted(await write((tx) => tx.insertRecords([newRecord(a, 'SN-0001')])))).toHaveLength(1);
        expect(await read((tx) => tx.seriesHasIssued(a.id))).toBe(true);
      });
    });

    describe('counters', () => {
      it('has no value for a new period, then saves and updates it', async () => {
        const s = await addSeries('Widgets');
        await write(async (tx) => {
          expect(await tx.readCounter(s.id, '2025-06-01')).toBeUndefined();
          expect(await tx.lockCounter(s.id, '2025-06-01')).toBeUndefined();
          await tx.saveCounter(s.id, '2025-06-01', 0n, AT);
          expect(await tx.readCounter(s.id, '2025-06-01')).toBe(0n);
        });
        await write(async (tx) => {
          expect(await tx.lockCounter(s.id, '2025-06-01')).toBe(0n);
          await tx.saveCounter(s.id, '2025-06-01', 25n, '2025-06-01T09:00:00.000Z');
        });
        expect(await read((tx) => tx.readCounter(s.id, '2025-06-01'))).toBe(25n);
      });

      it('keeps each period and each series apart', async () => {
        const a = await addSeries('A');
        const b = await addSeries('B');
        await write(async (tx) => {
          await tx.saveCounter(a.id, '2025-06-01', 10n, AT);
          await tx.saveCounter(a.id, '2025-06-02', 3n, AT);
          await tx.saveCounter(b.id, '2025-06-01', 99n, AT);
        });
        await write((tx) => tx.saveCounter(a.id, '2025-06-01', 11n, AT));
        await read(async (tx) => {
          expect(await tx.readCounter(a.id, '2025-06-01')).toBe(11n);
          expect(await tx.readCounter(a.id, '2025-06-02')).toBe(3n);
          expect(await tx.readCounter(a.id, '2025-06-03')).toBeUndefined();
          expect(await tx.readCounter(b.id, '2025-06-01')).toBe(99n);
          expect(await tx.readCounter(b.id, '2025-06-02')).toBeUndefined();
          expect(await tx.lockCounter(b.id, '*')).toBeUndefined();
        });
      });

      it('round-trips values beyond 2^64 exactly', async () => {
        const s = await addSeries('Huge', { base: 'alphanumeric', allowGrowth: true });
        const values = [TWO_POW_64 - 1n, TWO_POW_64, TWO_POW_64 + 1n, 36n ** 40n - 1n];
        for (const [i, value] of values.entries()) {
          await write((tx) => tx.saveCounter(s.id, `p${i}`, value, AT));
        }
        const back = await read(async (tx) => Promise.all(values.map((_, i) => tx.readCounter(s.id, `p${i}`))));
        expect(back).toEqual(values);
        await write(async (tx) => {
          const current = must(await tx.lockCounter(s.id, 'p2'));
          await tx.saveCounter(s.id, 'p2', current + TWO_POW_64, AT);
        });
        expect(await read((tx) => tx.readCounter(s.id, 'p2'))).toBe(2n * TWO_POW_64 + 1n);
      });
    });

    describe('records', () => {
      it('inserts records in order, returns their ids in order, and reads them back whole', async () => {
        const s = await addSeries('Widgets');
        const records = [
          newRecord(s, 'SN-0003', { sequence: 3n, auditSeq: 7 }),
          newRecord(s, 'SN-0001', { sequence: 1n, workOrder: 'WO-1', partNumber: 'P-1', station: 'ST-4', auditSeq: 7 }),
          newRecord(s, 'SN-0002', { sequence: TWO_POW_64 + 5n, period: '2025-06-01', status: 'printed', generatedBy: 'bob' }),
        ];
        const ids = inserted(await write((tx) => tx.insertRecords(records)));
        expect(ids).toHaveLength(3);
        expect(new Set(ids).size).toBe(3);
        expect([...ids].sort((a, b) => a - b)).toEqual(ids);
        expect(await write((tx) => tx.insertRecords([]))).toEqual([]);

        const found = await read((tx) => tx.findRecordsByIds(ids));
        expect([...found].sort(byId)).toEqual(records.map((r, i) => storedRecord(s, must(ids[i]), r)));
        const bySerial = await read((tx) => tx.findRecordsBySerial(1, 'SN-0002'));
        expect(bySerial).toEqual([storedRecord(s, must(ids[2]), must(records[2]))]);
      });

      it('finds records by serial across the company or within one series', async () => {
        const a = await addSeries('A');
        const b = await addSeries('B');
        await h.addCompany(2, 'second');
        const c = await addSeries('C', {}, 2);
        const [idA] = inserted(await write((tx) => tx.insertRecords([newRecord(a, 'SHARED'), newRecord(a, 'ONLY-A')])));
        const [idB] = inserted(await write((tx) => tx.insertRecords([newRecord(b, 'SHARED')])));
        const [idC] = inserted(await write((tx) => tx.insertRecords([newRecord(c, 'SHARED')])));

        await read(async (tx) => {
          const everywhere = await tx.findRecordsBySerial(1, 'SHARED');
          expect([...everywhere].sort(byId).map((r) => [r.id, r.seriesName])).toEqual([
            [idA, 'A'],
            [idB, 'B'],
          ]);
          expect((await tx.findRecordsBySerial(1, 'SHARED', b.id)).map((r) => r.id)).toEqual([idB]);
          expect(await tx.findRecordsBySerial(1, 'ONLY-A', b.id)).toEqual([]);
          expect(await tx.findRecordsBySerial(1, 'shared')).toEqual([]);
          expect(await tx.findRecordsBySerial(1, 'MISSING')).toEqual([]);
          expect((await tx.findRecordsBySerial(2, 'SHARED')).map((r) => r.id)).toEqual([idC]);
          // A series id from another company does not reach across.
          expect(await tx.findRecordsBySerial(1, 'SHARED', c.id)).toEqual([]);
          expect(await tx.findRecordsBySerial(2, 'ONLY-A')).toEqual([]);
        });
      });

      it('finds records by ids, ignoring unknown ids', async () => {
        const s = await addSeries('Widgets');
        const ids = inserted(await write((tx) => tx.insertRecords(['1', '2', '3', '4'].map((n) => newRecord(s, `SN-${n}`)))));
        await read(async (tx) => {
          const picked = await tx.findRecordsByIds([must(ids[3]), must(ids[1]), 987_654]);
          expect([...picked].sort(byId).map((r) => r.serial)).toEqual(['SN-2', 'SN-4']);
          expect(await tx.findRecordsByIds([])).toEqual([]);
          expect(await tx.findRecordsByIds([987_654])).toEqual([]);
        });
      });

      it('skips a serial its series already holds, inserting the rest and leaving the holder untouched', async () => {
        const a = await addSeries('A');
        const b = await addSeries('B');
        const [first] = inserted(await write((tx) => tx.insertRecords([newRecord(a, 'SN-0001', { workOrder: 'WO-1' })])));

        const ids = await write((tx) =>
          tx.insertRecords([
            newRecord(a, 'SN-0002'),
            newRecord(a, 'SN-0001', { workOrder: 'WO-2', status: 'printed' }),
            newRecord(a, 'SN-0003'),
            newRecord(a, 'SN-0003', { workOrder: 'WO-3' }),
            // The same serial in another series is a different record (the global check is findTakenSerials').
            newRecord(b, 'SN-0001'),
          ]),
        );
        expect(ids).toHaveLength(5);
        expect(ids[1]).toBeNull();
        expect(ids[3]).toBeNull();
        const kept = [ids[0], ids[2], ids[4]].map((id) => must(id));
        expect(new Set([first, ...kept]).size).toBe(4);

        await read(async (tx) => {
          const inA = await tx.findRecords({ companyId: 1, seriesId: a.id, limit: 100 });
          expect(inA.map((r) => r.serial).sort()).toEqual(['SN-0001', 'SN-0002', 'SN-0003']);
          expect(await tx.findRecordsBySerial(1, 'SN-0001', a.id)).toEqual([
            storedRecord(a, must(first), newRecord(a, 'SN-0001', { workOrder: 'WO-1' })),
          ]);
          expect((await tx.findRecordsBySerial(1, 'SN-0003', a.id))[0]?.workOrder).toBeNull();
          expect((await tx.findRecordsBySerial(1, 'SN-0001', b.id)).map((r) => r.id)).toEqual([ids[4]]);
        });
      });

      it('skips a serial held by a record committed earlier, even when every record of the batch is taken', async () => {
        const a = await addSeries('A');
        await write((tx) => tx.insertRecords([newRecord(a, 'X-1'), newRecord(a, 'X-2')]));
        expect(await write((tx) => tx.insertRecords([newRecord(a, 'X-2'), newRecord(a, 'X-1')]))).toEqual([null, null]);
        expect(await read((tx) => tx.findRecords({ companyId: 1, limit: 100 }))).toHaveLength(2);
      });

      it('round-trips lot and expiry through every read, one record or a batch', async () => {
        const s = await addSeries('Gs1', { gtin: '09506000134352' });
        const records = [
          newRecord(s, '1001', { lot: 'LOT-A/1', expiry: '2027-03-31' }),
          newRecord(s, '1002', { lot: 'LOT-A/1', expiry: '2027-03-00' }),
          newRecord(s, '1003', { lot: 'Grüße ✓', expiry: null }),
          newRecord(s, '1004'),
        ];
        const ids = inserted(await write((tx) => tx.insertRecords(records)));
        const [single] = inserted(await write((tx) => tx.insertRecords([newRecord(s, '1005', { lot: 'ONE', expiry: '2030-12-31' })])));
        const expected = [...records.map((r, i) => storedRecord(s, must(ids[i]), r)), storedRecord(s, must(single), newRecord(s, '1005', { lot: 'ONE', expiry: '2030-12-31' }))];

        await read(async (tx) => {
          expect(await tx.findRecordsByIds([...ids, must(single)])).toEqual(expected);
          expect(await tx.findRecordsBySerial(1, '1002')).toEqual([expected[1]]);
          expect(await tx.findRecordsBySerial(1, '1005', s.id)).toEqual([expected[4]]);
          expect(await tx.findRecords({ companyId: 1, limit: 10 })).toEqual([...expected].reverse());
        });
      });

      it('counts label prints one at a time, and the record reads the count back', async () => {
        const s = await addSeries('Labels');
        const [first, second] = inserted(await write((tx) => tx.insertRecords([newRecord(s, 'L-1'), newRecord(s, 'L-2')])));
        expect((await read((tx) => tx.findRecordsByIds([must(first)])))[0]?.labelPrints).toBe(0);

        expect(await write((tx) => tx.countLabelPrint(must(first), '2025-06-02T00:00:00.000Z'))).toBe(1);
        expect(await write((tx) => tx.countLabelPrint(must(first), '2025-06-03T00:00:00.000Z'))).toBe(2);
        expect(
          await write(async (tx) => [await tx.countLabelPrint(must(first), '2025-06-04T00:00:00.000Z'), await tx.countLabelPrint(must(second), '2025-06-04T00:00:00.000Z')]),
        ).toEqual([3, 1]);
        // Prints at once from many writers are each counted.
        const counts = await Promise.all(Array.from({ length: 8 }, () => write((tx) => tx.countLabelPrint(must(second), '2025-06-05T00:00:00.000Z'))));
        expect([...counts].sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);

        await read(async (tx) => {
          const [one, two] = await tx.findRecordsByIds([must(first), must(second)]);
          expect(one).toMatchObject({ labelPrints: 3, updatedAt: '2025-06-04T00:00:00.000Z', status: 'generated' });
          expect(two).toMatchObject({ labelPrints: 9, updatedAt: '2025-06-05T00:00:00.000Z' });
          expect((await tx.findRecordsBySerial(1, 'L-1'))[0]?.labelPrints).toBe(3);
          expect((await tx.findRecords({ companyId: 1, limit: 10 })).map((r) => r.labelPrints)).toEqual([9, 3]);
        });
      });

      it('round-trips context and metadata JSON', async () => {
        const s = await addSeries('Widgets');
        const metadata = [
          { nested: { list: [1, 'two', null, true, 1.5], empty: {} }, unicode: 'Grüße ✓ 你好', quote: 'a"b\\c\n' },
          ['x', { y: [] }],
          'plain text',
          42,
          false,
          null,
        ];
        const contexts: Record<string, string>[] = [{ LINE: 'L1', LOT: 'ü-%_' }, {}, { A: '' }, {}, { PLANT: 'P' }, {}];
        const records = metadata.map((m, i) => newRecord(s, `SN-${i}`, { metadata: m, context: must(contexts[i]) }));
        const ids = inserted(await write((tx) => tx.insertRecords(records)));
        const back = [...(await read((tx) => tx.findRecordsByIds(ids)))].sort(byId);
        expect(back.map((r) => r.metadata)).toEqual(metadata);
        expect(back.map((r) => r.context)).toEqual(contexts);
      });

      it('keeps each record’s own JSON when a batch shares context and metadata objects', async () => {
        const s = await addSeries('Widgets');
        const shared = { lot: 'L-1' };
        const context = { LINE: 'L1' };
        const records = [
          newRecord(s, 'SN-1', { metadata: shared, context }),
          newRecord(s, 'SN-2', { metadata: shared, context }),
          newRecord(s, 'SN-3', { metadata: { lot: 'L-2' }, context: {} }),
          newRecord(s, 'SN-4', { metadata: null, context }),
          newRecord(s, 'SN-5', { metadata: shared, context: { LINE: 'L2' } }),
        ];
        const ids = inserted(await write((tx) => tx.insertRecords(records)));
        const back = [...(await read((tx) => tx.findRecordsByIds(ids)))].sort(byId);
        expect(back.map((r) => [r.serial, r.metadata, r.context])).toEqual([
          ['SN-1', { lot: 'L-1' }, { LINE: 'L1' }],
          ['SN-2', { lot: 'L-1' }, { LINE: 'L1' }],
          ['SN-3', { lot: 'L-2' }, {}],
          ['SN-4', null, { LINE: 'L1' }],
          ['SN-5', { lot: 'L-1' }, { LINE: 'L2' }],
        ]);
      });

      it('updates a status and keeps its history in order', async () => {
        const s = await addSeries('Widgets');
        const [id, otherId] = inserted(await write((tx) => tx.insertRecords([newRecord(s, 'SN-1'), newRecord(s, 'SN-2')])));
        const recordId = must(id);
        const changes: NewStatusChange[] = [
          {
            recordId,
            fromStatus: null,
            toStatus: 'generated',
            at: AT,
            actor: 'alice',
            station: null,
            reason: null,
            data: null,
            auditSeq: 3,
          },
          {
            recordId,
            fromStatus: 'generated',
            toStatus: 'printed',
            at: '2025-06-01T09:00:00.000Z',
            actor: 'bob',
            station: 'PRN-1',
            reason: 'label',
            data: { printer: 'zebra', copies: 2, tags: ['a', 'b'] },
            auditSeq: null,
          },
        ];
        await write(async (tx) => {
          await tx.updateRecordStatus(recordId, 'printed', '2025-06-01T09:00:00.000Z');
          await tx.insertStatusChanges(changes);
        });
        const scrap: NewStatusChange = {
          recordId,
          fromStatus: 'printed',
          toStatus: 'scrapped',
          at: '2025-06-01T10:00:00.000Z',
          actor: 'carol',
          station: 'QA',
          reason: 'cracked housing',
          data: 'visual',
          auditSeq: 12,
        };
        await write(async (tx) => {
          await tx.updateRecordStatus(recordId, 'scrapped', '2025-06-01T10:00:00.000Z');
          await tx.insertStatusChanges([scrap]);
        });

        await read(async (tx) => {
          const [record] = await tx.findRecordsByIds([recordId]);
          expect(record).toMatchObject({ status: 'scrapped', updatedAt: '2025-06-01T10:00:00.000Z', generatedAt: AT });
          const [other] = await tx.findRecordsByIds([must(otherId)]);
          expect(other).toMatchObject({ status: 'generated', updatedAt: AT });
          const history = await tx.listStatusChanges(recordId);
          expect(history.map(({ id: _id, ...rest }) => rest)).toEqual([...changes, scrap]);
          const historyIds = history.map((c) => c.id);
          expect([...historyIds].sort((a, b) => a - b)).toEqual(historyIds);
          expect(new Set(historyIds).size).toBe(3);
          expect(await tx.listStatusChanges(must(otherId))).toEqual([]);
          expect(await tx.listStatusChangesOf([must(otherId), recordId])).toEqual(history);
          expect(await tx.listStatusChangesOf([])).toEqual([]);
        });
      });
    });

    describe('record search', () => {
      // Six records over two series, inserted oldest first, so ids rise with generatedAt.
      let ids: number[];
      let alpha: SeriesRow;
      let beta: SeriesRow;
      const search = (filter: Omit<RecordFilter, 'companyId' | 'limit'> & { limit?: number; companyId?: number }) =>
        read((tx) => tx.findRecords({ companyId: 1, limit: 100, ...filter }));
      /** The ids of the records at these insertion positions (1-6), in the order given. */
      const nth = (...positions: number[]) => positions.map((p) => must(ids[p - 1]));
      const idsOf = (rows: RecordRow[]) => rows.map((r) => r.id);

      beforeEach(async () => {
        alpha = await addSeries('Alpha');
        beta = await addSeries('Beta');
        ids = inserted(
          await write((tx) =>
            tx.insertRecords([
            newRecord(alpha, 'A-0001', { workOrder: 'WO-1', partNumber: 'P-100', lot: 'L1', generatedAt: '2025-06-01T08:00:00.000Z' }),
            newRecord(alpha, 'A-0002', {
              workOrder: 'WO-1',
              partNumber: 'P-200',
              status: 'printed',
              lot: 'L2',
              expiry: '2027-01-31',
              generatedAt: '2025-06-01T09:00:00.000Z',
            }),
            newRecord(beta, 'B-0001', { workOrder: 'WO-2', partNumber: 'P-100', lot: 'L1', generatedAt: '2025-06-01T10:00:00.000Z' }),
            newRecord(alpha, 'A%0003', { workOrder: 'WO-2', generatedAt: '2025-06-02T08:00:00.000Z' }),
            newRecord(beta, 'B_0002', { status: 'voided', generatedAt: '2025-06-02T09:00:00.000Z' }),
            newRecord(beta, 'B\\0003', {
              workOrder: 'WO_9',
              partNumber: 'P%9',
              status: 'completed',
              generatedAt: '2025-06-03T00:00:00.000Z',
            }),
          ]),
          ),
        );
      });

      it('returns the newest first and honours the limit', async () => {
        expect(idsOf(await search({}))).toEqual(nth(6, 5, 4, 3, 2, 1));
        expect(idsOf(await search({ limit: 2 }))).toEqual(nth(6, 5));
        const newest = newRecord(beta, 'B\\0003', {
          workOrder: 'WO_9',
          partNumber: 'P%9',
          status: 'completed',
          generatedAt: '2025-06-03T00:00:00.000Z',
        });
        expect(await search({ limit: 1 })).toEqual([storedRecord(beta, must(nth(6)[0]), newest)]);
      });

      it('filters by series, work order, part number and status, exactly and combined', async () => {
        expect(idsOf(await search({ seriesId: alpha.id }))).toEqual(nth(4, 2, 1));
        expect(idsOf(await search({ seriesId: beta.id }))).toEqual(nth(6, 5, 3));
        expect(idsOf(await search({ workOrder: 'WO-1' }))).toEqual(nth(2, 1));
        expect(idsOf(await search({ workOrder: 'WO' }))).toEqual([]);
        expect(idsOf(await search({ partNumber: 'P-100' }))).toEqual(nth(3, 1));
        expect(idsOf(await search({ status: 'generated' }))).toEqual(nth(4, 3, 1));
        expect(idsOf(await search({ status: 'scrapped' }))).toEqual([]);
        expect(idsOf(await search({ seriesId: alpha.id, status: 'generated', workOrder: 'WO-2' }))).toEqual(nth(4));
        expect(idsOf(await search({ seriesId: beta.id, partNumber: 'P-200' }))).toEqual([]);
      });

      it('matches text contained in the serial, work order or part number, with % _ and \\ taken literally', async () => {
        expect(idsOf(await search({ text: '0003' }))).toEqual(nth(6, 4));
        expect(idsOf(await search({ text: 'WO-1' }))).toEqual(nth(2, 1));
        expect(idsOf(await search({ text: '-10' }))).toEqual(nth(3, 1));
        expect(idsOf(await search({ text: '%' }))).toEqual(nth(6, 4));
        expect(idsOf(await search({ text: 'A%0' }))).toEqual(nth(4));
        expect(idsOf(await search({ text: '_' }))).toEqual(nth(6, 5));
        expect(idsOf(await search({ text: 'B_' }))).toEqual(nth(5));
        expect(idsOf(await search({ text: 'P_' }))).toEqual([]);
        expect(idsOf(await search({ text: '\\' }))).toEqual(nth(6));
        expect(idsOf(await search({ text: '\\0' }))).toEqual(nth(6));
        expect(idsOf(await search({ text: 'zzz' }))).toEqual([]);
        expect(idsOf(await search({ text: '%', seriesId: alpha.id }))).toEqual(nth(4));
      });

      it('filters generatedAt from (inclusive) and to (exclusive)', async () => {
        expect(idsOf(await search({ from: '2025-06-01T10:00:00.000Z' }))).toEqual(nth(6, 5, 4, 3));
        expect(idsOf(await search({ to: '2025-06-01T10:00:00.000Z' }))).toEqual(nth(2, 1));
        expect(idsOf(await search({ from: '2025-06-01T09:00:00.000Z', to: '2025-06-02T09:00:00.000Z' }))).toEqual(nth(4, 3, 2));
        expect(idsOf(await search({ from: '2025-06-04T00:00:00.000Z' }))).toEqual([]);
      });

      it('pages newest first with beforeId until nothing is left', async () => {
        expect(idsOf(await search({ beforeId: must(nth(4)[0]) }))).toEqual(nth(3, 2, 1));
        const pages: number[][] = [];
        let beforeId: number | undefined;
        for (;;) {
          const page = idsOf(await search({ limit: 4, ...(beforeId === undefined ? {} : { beforeId }) }));
          if (page.length === 0) break;
          pages.push(page);
          beforeId = page[page.length - 1];
          if (pages.length > 10) throw new Error('paging does not end');
        }
        expect(pages).toEqual([nth(6, 5, 4, 3), nth(2, 1)]);
        expect(idsOf(await search({ beforeId: must(nth(1)[0]) }))).toEqual([]);
        expect(idsOf(await search({ seriesId: beta.id, beforeId: must(nth(5)[0]), limit: 1 }))).toEqual(nth(3));
      });

      it('sees only the company asked for', async () => {
        await h.addCompany(2, 'second');
        const other = await addSeries('Alpha', {}, 2);
        const [otherId] = await write((tx) => tx.insertRecords([newRecord(other, 'A-0001', { workOrder: 'WO-1' })]));
        expect(idsOf(await search({ companyId: 2 }))).toEqual([otherId]);
        expect(idsOf(await search({ workOrder: 'WO-1' }))).toEqual(nth(2, 1));
        expect(idsOf(await search({ companyId: 2, seriesId: alpha.id }))).toEqual([]);
        expect(idsOf(await search({ companyId: 3 }))).toEqual([]);
      });

      it('filters by lot exactly, alone, with other filters and per company', async () => {
        expect(idsOf(await search({ lot: 'L1' }))).toEqual(nth(3, 1));
        expect(idsOf(await search({ lot: 'L2' }))).toEqual(nth(2));
        expect(idsOf(await search({ lot: 'l1' }))).toEqual([]);
        expect(idsOf(await search({ lot: 'L' }))).toEqual([]);
        expect(idsOf(await search({ lot: 'L1', seriesId: alpha.id }))).toEqual(nth(1));
        expect(idsOf(await search({ lot: 'L1', workOrder: 'WO-2' }))).toEqual(nth(3));
        expect(idsOf(await search({ lot: 'L1', limit: 1 }))).toEqual(nth(3));
        expect(idsOf(await search({ lot: 'L1', beforeId: must(ids[2]) }))).toEqual(nth(1));
        await h.addCompany(2, 'second');
        const other = await addSeries('Alpha', {}, 2);
        await write((tx) => tx.insertRecords([newRecord(other, 'X-1', { lot: 'L1' })]));
        expect(idsOf(await search({ lot: 'L1' }))).toEqual(nth(3, 1));
        expect(await search({ companyId: 2, lot: 'L1' })).toHaveLength(1);
      });

      it('counts exactly what a search finds, for every filter, and stops at the cap', async () => {
        const filters: Omit<RecordFilter, 'companyId' | 'limit'>[] = [
          {},
          { seriesId: alpha.id },
          { workOrder: 'WO-1' },
          { partNumber: 'P-100' },
          { status: 'generated' },
          { text: '%' },
          { text: '_' },
          { text: 'zzz' },
          { from: '2025-06-01T09:00:00.000Z', to: '2025-06-02T09:00:00.000Z' },
          { seriesId: alpha.id, status: 'generated', workOrder: 'WO-2' },
          { lot: 'L1' },
          { lot: 'L2', status: 'printed' },
          { lot: 'none' },
          { lot: 'L1', text: 'B' },
        ];
        for (const filter of filters) {
          const count = await read((tx) => tx.countRecords({ companyId: 1, cap: 1000, ...filter }));
          expect(count, JSON.stringify(filter)).toBe((await search(filter)).length);
        }
        expect(await read((tx) => tx.countRecords({ companyId: 1, cap: 4 }))).toBe(4);
        expect(await read((tx) => tx.countRecords({ companyId: 2, cap: 1000 }))).toBe(0);
      });
    });

    describe('serials held by other series', () => {
      let local1: SeriesRow;
      let local2: SeriesRow;
      let global1: SeriesRow;
      let global2: SeriesRow;
      let otherLocal: SeriesRow;
      let otherGlobal: SeriesRow;
      const taken = (companyId: number, series: SeriesRow, serials: readonly string[]) =>
        read(async (tx) =>
          [...(await tx.findTakenSerials(companyId, series.id, series.settings.global, serials))].sort(bySerialThenSeries),
        );
      const clash = (serial: string, series: SeriesRow): TakenSerial => ({
        serial,
        seriesId: series.id,
        seriesName: series.settings.name,
      });

      beforeEach(async () => {
        await h.addCompany(2, 'second');
        local1 = await addSeries('Local1');
        local2 = await addSeries('Local2');
        global1 = await addSeries('Global1', { global: true });
        global2 = await addSeries('Global2', { global: true });
        otherLocal = await addSeries('OtherLocal', {}, 2);
        otherGlobal = await addSeries('OtherGlobal', { global: true }, 2);
        await write(async (tx) => {
          await tx.insertRecords([newRecord(local1, 'X1'), newRecord(local1, 'L1-ONLY')]);
          await tx.insertRecords([newRecord(local2, 'X2'), newRecord(local2, 'X1-TWIN')]);
          await tx.insertRecords([newRecord(global1, 'XG')]);
          // A global series created after a local one may hold the same serial as it.
          await tx.insertRecords([newRecord(global2, 'X1'), newRecord(global2, 'G2-ONLY')]);
          await tx.insertRecords([newRecord(otherLocal, 'X1'), newRecord(otherLocal, 'X2'), newRecord(otherLocal, 'XG')]);
          await tx.insertRecords([newRecord(otherGlobal, 'XG'), newRecord(otherGlobal, 'L1-ONLY')]);
        });
      });

      it('for a non-global series, reports the serials of global series only, not its own or other series', async () => {
        expect(await taken(1, local1, ['X1', 'X2', 'XG', 'NEW', 'X1-TWIN', 'G2-ONLY', 'L1-ONLY'])).toEqual([
          clash('G2-ONLY', global2),
          clash('X1', global2),
          clash('XG', global1),
        ]);
        expect(await taken(1, local2, ['X1', 'X2', 'XG', 'L1-ONLY'])).toEqual([clash('X1', global2), clash('XG', global1)]);
        expect(await taken(1, local1, ['NEW-1', 'NEW-2', 'L1-ONLY'])).toEqual([]);
        expect(await taken(1, local1, [])).toEqual([]);
      });

      it('for a global series, reports the serials of every other series of the company', async () => {
        expect(await taken(1, global1, ['X1', 'X2', 'XG', 'L1-ONLY', 'NEW', 'G2-ONLY'])).toEqual([
          clash('G2-ONLY', global2),
          clash('L1-ONLY', local1),
          clash('X1', local1),
          clash('X1', global2),
          clash('X2', local2),
        ]);
        expect(await taken(1, global2, ['X1', 'XG', 'G2-ONLY'])).toEqual([clash('X1', local1), clash('XG', global1)]);
      });

      it('treats a new series like any other', async () => {
        const fresh = await addSeries('Fresh');
        expect(await taken(1, fresh, ['X1', 'XG', 'X2'])).toEqual([clash('X1', global2), clash('XG', global1)]);
        const freshGlobal = await addSeries('FreshGlobal', { global: true });
        expect(await taken(1, freshGlobal, ['X1', 'XG', 'NEW'])).toEqual([
          clash('X1', local1),
          clash('X1', global2),
          clash('XG', global1),
        ]);
      });

      it('never reaches across companies', async () => {
        expect(await taken(2, otherLocal, ['X1', 'X2', 'XG', 'X1-TWIN', 'L1-ONLY', 'G2-ONLY'])).toEqual([
          clash('L1-ONLY', otherGlobal),
          clash('XG', otherGlobal),
        ]);
        expect(await taken(2, otherGlobal, ['X1', 'X2', 'XG', 'X1-TWIN', 'G2-ONLY'])).toEqual([
          clash('X1', otherLocal),
          clash('X2', otherLocal),
          clash('XG', otherLocal),
        ]);
        expect(await taken(1, global1, ['X1-TWIN', 'NEW'])).toEqual([clash('X1-TWIN', local2)]);
      });

      it('sees serials written earlier in the same transaction', async () => {
        const seen = await write(async (tx) => {
          await tx.insertRecords([newRecord(global1, 'X3')]);
          return tx.findTakenSerials(1, local1.id, false, ['X3']);
        });
        expect(seen).toEqual([clash('X3', global1)]);
      });

      it('tells whether the company has a global series other than the one named', async () => {
        await read(async (tx) => {
          expect(await tx.hasGlobalSeries(1, local1.id)).toBe(true);
          expect(await tx.hasGlobalSeries(1, global1.id)).toBe(true);
          expect(await tx.hasGlobalSeries(2, otherLocal.id)).toBe(true);
          expect(await tx.hasGlobalSeries(2, otherGlobal.id)).toBe(false);
          expect(await tx.hasGlobalSeries(3, 0)).toBe(false);
        });
        await h.addCompany(3, 'third');
        const lone = await addSeries('Lone', {}, 3);
        expect(await read((tx) => tx.hasGlobalSeries(3, lone.id))).toBe(false);
        const loneGlobal = await addSeries('LoneGlobal', { global: true }, 3);
        await read(async (tx) => {
          expect(await tx.hasGlobalSeries(3, lone.id)).toBe(true);
          expect(await tx.hasGlobalSeries(3, loneGlobal.id)).toBe(false);
        });
      });
    });

    describe('issue locks', () => {
      it('gives the chain head, the period counter and whether another series is global, in one step', async () => {
        const s = await addSeries('S');
        expect(await write((tx) => tx.lockIssue(1, s.id, '*'))).toEqual({ head: undefined, counter: undefined, otherGlobal: false, seriesCurrent: true });
        const entries = auditEntries(1, 1, [{}, {}]);
        await write(async (tx) => {
          await tx.saveCounter(s.id, '*', TWO_POW_64 + 5n, AT);
          await tx.appendAudit(entries);
        });
        const head = { seq: 2, hash: entries[1]!.hash };
        expect(await write((tx) => tx.lockIssue(1, s.id, '*'))).toEqual({ head, counter: TWO_POW_64 + 5n, otherGlobal: false, seriesCurrent: true });
        expect(await write((tx) => tx.lockIssue(1, s.id, 'other'))).toEqual({ head, counter: undefined, otherGlobal: false, seriesCurrent: true });
        const g = await addSeries('G', { global: true });
        expect((await write((tx) => tx.lockIssue(1, s.id, '*'))).otherGlobal).toBe(true);
        expect((await write((tx) => tx.lockIssue(1, g.id, '*'))).otherGlobal).toBe(false);
      });

      it('tells whether the series still has the name and version a copy in memory was made from', async () => {
        const s = await addSeries('S');
        await write((tx) => tx.saveCounter(s.id, '*', 1n, AT));
        await write((tx) => tx.appendAudit(auditEntries(1, 1, [{}])));
        for (const period of ['*', 'new']) {
          const current = (expect?: { name: string; version: number }) => write(async (tx) => (await tx.lockIssue(1, s.id, period, expect)).seriesCurrent);
          expect(await current({ name: 'S', version: 1 })).toBe(true);
          expect(await current({ name: 'S', version: 2 })).toBe(false);
          expect(await current({ name: 'Renamed', version: 1 })).toBe(false);
          expect(await current()).toBe(true);
        }
        await write((tx) => tx.updateSeries(s, seriesSettings('Renamed'), STAMP));
        expect(await write(async (tx) => (await tx.lockIssue(1, s.id, '*', { name: 'S', version: 1 })).seriesCurrent)).toBe(false);
        expect(await write(async (tx) => (await tx.lockIssue(1, s.id, '*', { name: 'Renamed', version: 2 })).seriesCurrent)).toBe(true);
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
        const stored = await write((tx) => tx.insertLease(big));
        expect(stored).toEqual({ ...big, id: stored.id, releasedAt: null });
        await write((tx) => tx.insertLease(lease(s, { owner: 'server-b' })));
        await write((tx) => tx.insertLease(lease(s, { period: '2025-06-02' })));
        expect(await write((tx) => tx.lockOpenLease(s.id, '*', 'server-a'))).toEqual(stored);
        expect(await write((tx) => tx.lockOpenLease(s.id, '*', 'server-c'))).toBeUndefined();
        expect(await read((tx) => tx.lockOpenLease(s.id, '*', 'server-a'))).toEqual(stored);
      });

      it('saves how far a lease is used and renews it; a released lease is no longer open', async () => {
        const s = await addSeries('Leased');
        const { id } = await write((tx) => tx.insertLease(lease(s)));
        await write((tx) => tx.saveLease(id, 42n, '2025-06-01T09:00:00.000Z'));
        expect(await read((tx) => tx.lockOpenLease(s.id, '*', 'server-a'))).toMatchObject({ id, used: 42n, expiresAt: '2025-06-01T09:00:00.000Z' });
        await write((tx) => tx.releaseLease(id, 50n, AT));
        expect(await read((tx) => tx.lockOpenLease(s.id, '*', 'server-a'))).toBeUndefined();
        expect(await read((tx) => tx.lockOpenLeases({ owner: 'server-a' }))).toEqual([]);
      });

      it('lists open leases by owner, by expiry and by series, oldest first', async () => {
        const s = await addSeries('S');
        const t = await addSeries('T');
        const a = await write((tx) => tx.insertLease(lease(s, { owner: 'a', expiresAt: '2025-06-01T08:01:00.000Z' })));
        const b = await write((tx) => tx.insertLease(lease(t, { owner: 'b', expiresAt: '2025-06-01T08:10:00.000Z' })));
        const c = await write((tx) => tx.insertLease(lease(t, { owner: 'a', period: 'p2', expiresAt: '2025-06-01T08:20:00.000Z' })));
        const ids = async (filter: Parameters<StoreTransaction['lockOpenLeases']>[0]) =>
          (await write((tx) => tx.lockOpenLeases(filter))).map((l) => l.id);
        expect(await ids({ owner: 'a' })).toEqual([a.id, c.id]);
        expect(await ids({ expiredBefore: '2025-06-01T08:15:00.000Z' })).toEqual([a.id, b.id]);
        expect(await ids({ seriesId: t.id })).toEqual([b.id, c.id]);
        expect(await ids({ seriesId: t.id, expiredBefore: '2025-06-01T08:15:00.000Z' })).toEqual([b.id]);
        await h.addCompany(2, 'Other');
        const other = await write((tx) => tx.insertSeries(2, seriesSettings('O'), STAMP));
        const d = await write((tx) => tx.insertLease(lease(other, { companyId: 2, owner: 'a' })));
        expect(await ids({ owner: 'a', companyId: 1 })).toEqual([a.id, c.id]);
        expect(await ids({ owner: 'a', companyId: 2 })).toEqual([d.id]);
      });
    });

    describe('label templates', () => {
      const definition = (title: string) => JSON.stringify({ size: { width: 50, height: 25 }, elements: [{ kind: 'text', value: title }] });
      const LATER: ChangeStamp = { at: '2025-06-02T10:00:00.000Z', actor: 'bob' };

      it('creates a template as version 1, then replaces its definition as version 2, keeping its creation', async () => {
        const v1 = await write((tx) => tx.saveLabelTemplate(1, 'Carton', definition('first'), STAMP));
        expect(v1).toEqual({
          id: v1.id,
          companyId: 1,
          name: 'Carton',
          definition: definition('first'),
          version: 1,
          createdAt: AT,
          createdBy: 'alice',
          updatedAt: AT,
          updatedBy: 'alice',
        });
        expect(Number.isInteger(v1.id)).toBe(true);
        expect(await read((tx) => tx.findLabelTemplate(1, 'Carton'))).toEqual(v1);

        const v2 = await write((tx) => tx.saveLabelTemplate(1, 'Carton', definition('second ✓ "quoted"'), LATER));
        expect(v2).toEqual({ ...v1, definition: definition('second ✓ "quoted"'), version: 2, updatedAt: LATER.at, updatedBy: 'bob' });
        expect(await read((tx) => tx.findLabelTemplate(1, 'Carton'))).toEqual(v2);
        const v3 = await write((tx) => tx.saveLabelTemplate(1, 'Carton', definition('second ✓ "quoted"'), STAMP));
        expect(v3).toMatchObject({ id: v1.id, version: 3, createdAt: AT, createdBy: 'alice' });
      });

      it('lists a company’s templates by name, and finds one by its exact name', async () => {
        for (const name of ['pallet', 'Carton', 'box-10', 'box-2']) await write((tx) => tx.saveLabelTemplate(1, name, definition(name), STAMP));
        const listed = await read((tx) => tx.listLabelTemplates(1));
        expect(listed.map((t) => t.name)).toEqual(['Carton', 'box-10', 'box-2', 'pallet']);
        expect(listed.map((t) => t.definition)).toEqual(['Carton', 'box-10', 'box-2', 'pallet'].map(definition));
        await read(async (tx) => {
          expect(await tx.findLabelTemplate(1, 'box-2')).toEqual(listed[2]);
          expect(await tx.findLabelTemplate(1, 'carton')).toBeUndefined();
          expect(await tx.findLabelTemplate(1, 'Unknown')).toBeUndefined();
          expect(await tx.listLabelTemplates(2)).toEqual([]);
        });
      });

      it('keeps each company’s names apart: two companies may use one name', async () => {
        await h.addCompany(2, 'second');
        const mine = await write((tx) => tx.saveLabelTemplate(1, 'Carton', definition('mine'), STAMP));
        const theirs = await write((tx) => tx.saveLabelTemplate(2, 'Carton', definition('theirs'), LATER));
        expect(theirs.id).not.toBe(mine.id);
        expect(theirs).toMatchObject({ companyId: 2, version: 1, definition: definition('theirs') });
        const again = await write((tx) => tx.saveLabelTemplate(2, 'Carton', definition('theirs 2'), LATER));
        expect(again.version).toBe(2);
        await read(async (tx) => {
          expect(await tx.findLabelTemplate(1, 'Carton')).toEqual(mine);
          expect(await tx.listLabelTemplates(1)).toEqual([mine]);
          expect(await tx.listLabelTemplates(2)).toEqual([again]);
        });
        expect(await write((tx) => tx.deleteLabelTemplate(2, 'Carton'))).toBe(true);
        expect(await read((tx) => tx.findLabelTemplate(1, 'Carton'))).toEqual(mine);
      });

      it('deletes a template once: true, then false; the name may then start over at version 1', async () => {
        await write((tx) => tx.saveLabelTemplate(1, 'Carton', definition('a'), STAMP));
        await write((tx) => tx.saveLabelTemplate(1, 'Pallet', definition('b'), STAMP));
        expect(await write((tx) => tx.deleteLabelTemplate(1, 'Carton'))).toBe(true);
        expect(await write((tx) => tx.deleteLabelTemplate(1, 'Carton'))).toBe(false);
        expect(await write((tx) => tx.deleteLabelTemplate(1, 'Unknown'))).toBe(false);
        expect(await write((tx) => tx.deleteLabelTemplate(2, 'Pallet'))).toBe(false);
        await read(async (tx) => {
          expect(await tx.findLabelTemplate(1, 'Carton')).toBeUndefined();
          expect((await tx.listLabelTemplates(1)).map((t) => t.name)).toEqual(['Pallet']);
        });
        expect(await write((tx) => tx.saveLabelTemplate(1, 'Carton', definition('c'), LATER))).toMatchObject({ version: 1, createdAt: LATER.at });
      });
    });

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
        auditSeq: null,
        ...overrides,
      });

      it('creates a script as version 1, then saves versions 2 and 3, keeping its creation and every version', async () => {
        const v1 = await write((tx) => tx.saveScript(1, 'Relabel', source(1), 'first', STAMP));
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
        expect(await read((tx) => tx.findScript(1, 'Relabel'))).toEqual(v1);

        const v2 = await write((tx) => tx.saveScript(1, 'Relabel', source(2), 'second', LATER));
        expect(v2).toEqual({ ...v1, version: 2, source: source(2), description: 'second', updatedAt: LATER.at, updatedBy: 'bob' });
        // The same source again is a new version all the same.
        const v3 = await write((tx) => tx.saveScript(1, 'Relabel', source(2), '', LAST));
        expect(v3).toEqual({ ...v1, version: 3, source: source(2), description: '', updatedAt: LAST.at, updatedBy: 'carol' });
        expect(await read((tx) => tx.findScript(1, 'Relabel'))).toEqual(v3);

        const versions = await read((tx) => tx.listScriptVersions(v1.id));
        expect(versions).toEqual([
          { scriptId: v1.id, version: 1, source: source(1), description: 'first', changedAt: AT, changedBy: 'alice', reason: null },
          { scriptId: v1.id, version: 2, source: source(2), description: 'second', changedAt: LATER.at, changedBy: 'bob', reason: 'faster' },
          { scriptId: v1.id, version: 3, source: source(2), description: '', changedAt: LAST.at, changedBy: 'carol', reason: null },
        ]);
        await read(async (tx) => {
          expect(await tx.findScriptVersion(v1.id, 2)).toEqual(versions[1]);
          expect(await tx.findScriptVersion(v1.id, 1)).toEqual(versions[0]);
          expect(await tx.findScriptVersion(v1.id, 4)).toBeUndefined();
          expect(await tx.findScriptVersion(v1.id + 1000, 1)).toBeUndefined();
          expect(await tx.listScriptVersions(v1.id + 1000)).toEqual([]);
        });
      });

      it('saves a version and its row together: a unit that throws keeps neither', async () => {
        const v1 = await write((tx) => tx.saveScript(1, 'Atomic', source(1), '', STAMP));
        await expect(
          write(async (tx) => {
            await tx.saveScript(1, 'Atomic', source(2), '', LATER);
            throw new Error('rolled back');
          }),
        ).rejects.toThrow('rolled back');
        expect(await read((tx) => tx.findScript(1, 'Atomic'))).toEqual(v1);
        expect((await read((tx) => tx.listScriptVersions(v1.id))).map((v) => v.version)).toEqual([1]);
        expect(await write((tx) => tx.saveScript(1, 'Atomic', source(3), '', LATER))).toMatchObject({ version: 2, source: source(3) });
      });

      it('lists a company’s scripts by name and finds one by its exact name; companies keep their names apart', async () => {
        for (const name of ['zeta', 'Alpha', 'beta-10', 'beta-2']) await write((tx) => tx.saveScript(1, name, source(1), name, STAMP));
        await h.addCompany(2, 'second');
        const theirs = await write((tx) => tx.saveScript(2, 'Alpha', source(9), 'theirs', LATER));
        const listed = await read((tx) => tx.listScripts(1));
        expect(listed.map((x) => x.name)).toEqual(['Alpha', 'beta-10', 'beta-2', 'zeta']);
        expect(listed.map((x) => x.description)).toEqual(['Alpha', 'beta-10', 'beta-2', 'zeta']);
        expect(theirs).toMatchObject({ companyId: 2, name: 'Alpha', version: 1, source: source(9) });
        expect(theirs.id).not.toBe(listed[0]!.id);
        await read(async (tx) => {
          expect(await tx.findScript(1, 'Alpha')).toEqual(listed[0]);
          expect(await tx.findScript(2, 'Alpha')).toEqual(theirs);
          expect(await tx.findScript(1, 'alpha')).toBeUndefined();
          expect(await tx.findScript(2, 'zeta')).toBeUndefined();
          expect(await tx.listScripts(2)).toEqual([theirs]);
          expect(await tx.listScripts(3)).toEqual([]);
          expect((await tx.listScriptVersions(theirs.id)).map((v) => [v.version, v.source])).toEqual([[1, source(9)]]);
        });
        // A new version in one company leaves the other's alone.
        expect(await write((tx) => tx.saveScript(2, 'Alpha', source(10), 'theirs', LATER))).toMatchObject({ version: 2 });
        expect(await read((tx) => tx.findScript(1, 'Alpha'))).toEqual(listed[0]);
      });

      it('records runs and lists them newest first, per company or per script, paging by id', async () => {
        await h.addCompany(2, 'second');
        const a = await write((tx) => tx.saveScript(1, 'A', source(1), '', STAMP));
        const b = await write((tx) => tx.saveScript(1, 'B', source(1), '', STAMP));
        const other = await write((tx) => tx.saveScript(2, 'A', source(1), '', STAMP));
        const ids: number[] = [];
        for (let i = 0; i < 7; i++) {
          const script = i % 2 === 0 ? a : b;
          ids.push(await write((tx) => tx.insertScriptRun(run(script.id, { input: { i }, startedAt: `2025-06-01T08:00:0${i}.000Z` }))));
        }
        const theirs = await write((tx) => tx.insertScriptRun(run(other.id, { companyId: 2, actor: 'mallory' })));
        expect(new Set([...ids, theirs]).size).toBe(8);
        expect([...ids].sort((x, y) => x - y)).toEqual(ids);

        const newestFirst = [...ids].reverse();
        const all = await read((tx) => tx.listScriptRuns({ companyId: 1, limit: 100 }));
        expect(all.map((r) => r.id)).toEqual(newestFirst);
        expect(all.map((r) => r.scriptName)).toEqual(['A', 'B', 'A', 'B', 'A', 'B', 'A']);
        expect(all.map((r) => r.input)).toEqual([6, 5, 4, 3, 2, 1, 0].map((i) => ({ i })));

        const page1 = await read((tx) => tx.listScriptRuns({ companyId: 1, limit: 3 }));
        const page2 = await read((tx) => tx.listScriptRuns({ companyId: 1, limit: 3, beforeId: page1.at(-1)!.id }));
        const page3 = await read((tx) => tx.listScriptRuns({ companyId: 1, limit: 3, beforeId: page2.at(-1)!.id }));
        expect([...page1, ...page2, ...page3].map((r) => r.id)).toEqual(newestFirst);
        expect(page3).toHaveLength(1);
        expect(await read((tx) => tx.listScriptRuns({ companyId: 1, limit: 3, beforeId: page3[0]!.id }))).toEqual([]);

        const ofA = await read((tx) => tx.listScriptRuns({ companyId: 1, scriptId: a.id, limit: 100 }));
        expect(ofA.map((r) => r.id)).toEqual([ids[6], ids[4], ids[2], ids[0]]);
        const ofBPaged = await read((tx) => tx.listScriptRuns({ companyId: 1, scriptId: b.id, limit: 2, beforeId: ids[5] }));
        expect(ofBPaged.map((r) => r.id)).toEqual([ids[3], ids[1]]);
        // Another company's script, or company, lists none of them.
        expect(await read((tx) => tx.listScriptRuns({ companyId: 1, scriptId: other.id, limit: 100 }))).toEqual([]);
        expect(await read((tx) => tx.listScriptRuns({ companyId: 2, scriptId: a.id, limit: 100 }))).toEqual([]);
        expect((await read((tx) => tx.listScriptRuns({ companyId: 2, limit: 100 }))).map((r) => [r.id, r.actor, r.scriptName])).toEqual([
          [theirs, 'mallory', 'A'],
        ]);
        expect(await read((tx) => tx.listScriptRuns({ companyId: 3, limit: 100 }))).toEqual([]);
      });

      it('reads a run back whole, JSON and all, and finds it only within its company', async () => {
        const script = await write((tx) => tx.saveScript(1, 'Json', source(1), '', STAMP));
        await write((tx) => tx.saveScript(1, 'Json', source(2), '', LATER));
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
          auditSeq: 17,
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
          await tx.insertScriptRun(succeeded),
          await tx.insertScriptRun(failed),
          await tx.insertScriptRun(scalars),
        ]);
        await read(async (tx) => {
          expect(await tx.findScriptRun(1, must(okId))).toEqual({ ...succeeded, id: okId, scriptName: 'Json' });
          expect(await tx.findScriptRun(1, must(failedId))).toEqual({ ...failed, id: failedId, scriptName: 'Json' });
          expect(await tx.findScriptRun(1, must(scalarId))).toEqual({ ...scalars, id: scalarId, scriptName: 'Json' });
          expect(await tx.listScriptRuns({ companyId: 1, limit: 10 })).toEqual([
            { ...scalars, id: scalarId, scriptName: 'Json' },
            { ...failed, id: failedId, scriptName: 'Json' },
            { ...succeeded, id: okId, scriptName: 'Json' },
          ]);
          expect(await tx.findScriptRun(2, must(okId))).toBeUndefined();
          expect(await tx.findScriptRun(1, must(scalarId) + 1000)).toBeUndefined();
        });
      });

      it('records a failed run in a transaction of its own after the run’s work was rolled back', async () => {
        const script = await write((tx) => tx.saveScript(1, 'Fails', source(1), '', STAMP));
        const s = await addSeries('Touched');
        await expect(
          write(async (tx) => {
            await tx.saveCounter(s.id, '*', 5n, AT);
            throw new Error('script failed');
          }),
        ).rejects.toThrow('script failed');
        const id = await write((tx) => tx.insertScriptRun(run(script.id, { status: 'failed', output: null, error: { code: 'X', message: 'script failed', details: null } })));
        expect(await read((tx) => tx.readCounter(s.id, '*'))).toBeUndefined();
        expect(await read((tx) => tx.findScriptRun(1, id))).toMatchObject({ id, status: 'failed', output: null, error: { code: 'X' } });
        // Runs in concurrent units all land, with distinct ids.
        const many = await Promise.all(Array.from({ length: 6 }, (_, i) => write((tx) => tx.insertScriptRun(run(script.id, { input: { i } })))));
        expect(new Set(many).size).toBe(6);
        expect(await read((tx) => tx.listScriptRuns({ companyId: 1, scriptId: script.id, limit: 100 }))).toHaveLength(7);
      });
    });

    describe('idempotency keys', () => {
      it('stores a key per company and refuses the same key twice in one company', async () => {
        const row = { key: 'req-1', requestHash: 'abc', response: '{"z":1,"a":[1,2],"big":"18446744073709551617"}', createdAt: AT };
        expect(await read((tx) => tx.findIdempotency(1, 'req-1'))).toBeUndefined();
        await write((tx) => tx.insertIdempotency(1, row));
        expect(await read((tx) => tx.findIdempotency(1, 'req-1'))).toEqual(row);
        expect(await read((tx) => tx.findIdempotency(1, 'REQ-1'))).toBeUndefined();
        expect(await read((tx) => tx.findIdempotency(2, 'req-1'))).toBeUndefined();

        await expect(write((tx) => tx.insertIdempotency(1, { ...row, requestHash: 'other' }))).rejects.toThrow();
        expect(await read((tx) => tx.findIdempotency(1, 'req-1'))).toEqual(row);

        await h.addCompany(2, 'second');
        const theirs = { ...row, requestHash: 'def', response: '{}' };
        await write((tx) => tx.insertIdempotency(2, theirs));
        expect(await read((tx) => tx.findIdempotency(2, 'req-1'))).toEqual(theirs);
        expect(await read((tx) => tx.findIdempotency(1, 'req-1'))).toEqual(row);
      });
    });

    describe('audit', () => {
      it('has no head on an empty chain, then the newest entry', async () => {
        expect(await write((tx) => tx.lockAuditHead(1))).toBeUndefined();
        const entries = auditEntries(1, 1, [{}, {}, {}]);
        await write((tx) => tx.appendAudit(entries));
        const last = must(entries[2]);
        expect(await write((tx) => tx.lockAuditHead(1))).toEqual({ seq: 3, hash: last.hash });
        const more = auditEntries(1, 4, [{}], last.hash);
        await write((tx) => tx.appendAudit(more));
        expect(await read((tx) => tx.lockAuditHead(1))).toEqual({ seq: 4, hash: must(more[0]).hash });
        expect(await read((tx) => tx.lockAuditHead(2))).toBeUndefined();
      });

      it('keeps the head on the company row, and finds entries by position', async () => {
        expect(await read((tx) => tx.readAuditHead(1))).toBeNull();
        const entries = auditEntries(1, 1, [{}, {}, {}]);
        await write((tx) => tx.appendAudit(entries));
        expect(await read((tx) => tx.readAuditHead(1))).toEqual({ seq: 3, hash: must(entries[2]).hash });
        expect((await read((tx) => tx.findAuditEntries(1, [3, 1, 7]))).map((e) => e.seq)).toEqual([1, 3]);
        expect(await read((tx) => tx.findAuditEntries(1, []))).toEqual([]);
        await h.addCompany(2, 'second');
        expect(await read((tx) => tx.findAuditEntries(2, [1]))).toEqual([]);
        expect(await read((tx) => tx.readAuditHead(2))).toBeNull();
      });

      it('lists entries forwards and backwards, with seq bounds, filters and a limit', async () => {
        const entries = auditEntries(1, 1, [
          { action: 'series.created', entityType: 'series', entityId: '1' },
          { action: 'serial.generated', entityType: 'record', entityId: '10' },
          { action: 'serial.generated', entityType: 'record', entityId: '11' },
          { action: 'record.status_changed', entityType: 'record', entityId: '10' },
          { action: 'series.updated', entityType: 'series', entityId: '1' },
          { action: 'serial.generated', entityType: 'record', entityId: '12' },
        ]);
        await write((tx) => tx.appendAudit(entries));
        const list = (filter: Partial<Parameters<StoreTransaction['listAudit']>[0]>) =>
          read(async (tx) => (await tx.listAudit({ companyId: 1, limit: 100, order: 'asc', ...filter })).map((e) => e.seq));

        expect(await read((tx) => tx.listAudit({ companyId: 1, limit: 100, order: 'asc' }))).toEqual(entries);
        expect(await list({ order: 'desc' })).toEqual([6, 5, 4, 3, 2, 1]);
        expect(await list({ limit: 2 })).toEqual([1, 2]);
        expect(await list({ limit: 2, order: 'desc' })).toEqual([6, 5]);
        expect(await list({ afterSeq: 4 })).toEqual([5, 6]);
        expect(await list({ beforeSeq: 3, order: 'desc' })).toEqual([2, 1]);
        expect(await list({ afterSeq: 1, beforeSeq: 5, limit: 2 })).toEqual([2, 3]);
        expect(await list({ afterSeq: 6 })).toEqual([]);
        expect(await list({ entityType: 'record' })).toEqual([2, 3, 4, 6]);
        expect(await list({ entityType: 'record', entityId: '10' })).toEqual([2, 4]);
        expect(await list({ entityType: 'series', entityId: '1', order: 'desc' })).toEqual([5, 1]);
        expect(await list({ action: 'serial.generated' })).toEqual([2, 3, 6]);
        expect(await list({ action: 'serial.generated', afterSeq: 2, limit: 1 })).toEqual([3]);
        expect(await list({ action: 'nothing.happened' })).toEqual([]);
        expect(await list({ companyId: 2 })).toEqual([]);
      });

      it('round-trips every field, with JSON data', async () => {
        const entries = auditEntries(1, 1, [
          {
            actor: 'bob',
            station: 'ST-1',
            line: 'L2',
            plant: 'Plant "North"',
            reason: 'rework ✓',
            data: { serial: 'SN-1', sequence: '18446744073709551617', nested: [1, { deep: null }, true], text: 'Grüße' },
          },
          { data: ['a', 2] },
          { data: 'just text' },
          { data: 0 },
          { data: null },
        ]);
        await write((tx) => tx.appendAudit(entries));
        expect(await read((tx) => tx.listAudit({ companyId: 1, limit: 10, order: 'asc' }))).toEqual(entries);
      });

      it('refuses a seq twice in one company, and keeps each company’s chain apart', async () => {
        const first = auditEntries(1, 1, [{}, {}]);
        await write((tx) => tx.appendAudit(first));
        const again = auditEntries(1, 3, [{}], must(first[1]).hash).concat(auditEntries(1, 2, [{ actor: 'mallory' }]));
        await expect(write((tx) => tx.appendAudit(again))).rejects.toThrow();
        expect(await read((tx) => tx.listAudit({ companyId: 1, limit: 10, order: 'asc' }))).toEqual(first);

        await h.addCompany(2, 'second');
        const theirs = auditEntries(2, 1, [{ actor: 'zoe' }]);
        await write((tx) => tx.appendAudit(theirs));
        expect(await read((tx) => tx.listAudit({ companyId: 2, limit: 10, order: 'asc' }))).toEqual(theirs);
        expect(await read((tx) => tx.lockAuditHead(2))).toEqual({ seq: 1, hash: must(theirs[0]).hash });
        expect(await read((tx) => tx.lockAuditHead(1))).toEqual({ seq: 2, hash: must(first[1]).hash });
      });
    });

    describe('transactions', () => {
      it('keeps nothing of a write whose function throws, and rethrows its error', async () => {
        const existing = await addSeries('Existing');
        await write(async (tx) => {
          await tx.saveCounter(existing.id, '*', 5n, AT);
          await tx.appendAudit(auditEntries(1, 1, [{}]));
        });
        const before = await read(async (tx) => ({
          series: await tx.listSeries(1),
          records: await tx.findRecords({ companyId: 1, limit: 100 }),
          audit: await tx.listAudit({ companyId: 1, limit: 100, order: 'asc' }),
        }));

        const boom = new Error('boom');
        let doomedId = -1;
        let recordId = -1;
        await expect(
          write(async (tx) => {
            const doomed = await tx.insertSeries(1, seriesSettings('Doomed'), STAMP);
            doomedId = doomed.id;
            await tx.updateSeries(existing, seriesSettings('Existing', { description: 'changed' }), STAMP);
            await tx.saveCounter(doomed.id, '*', 1n, AT);
            await tx.saveCounter(existing.id, '*', 6n, AT);
            recordId = must((await tx.insertRecords([newRecord(doomed, 'D-1'), newRecord(existing, 'E-1')]))[0]);
            await tx.updateRecordStatus(recordId, 'printed', AT);
            await tx.insertStatusChanges([
              {
                recordId,
                fromStatus: 'generated',
                toStatus: 'printed',
                at: AT,
                actor: 'a',
                station: null,
                reason: null,
                data: null,
                auditSeq: 2,
              },
            ]);
            await tx.appendAudit(auditEntries(1, 2, [{}, {}]));
            await tx.insertIdempotency(1, { key: 'k', requestHash: 'h', response: '{}', createdAt: AT });
            await pause(5);
            throw boom;
          }),
        ).rejects.toBe(boom);

        await read(async (tx) => {
          expect(await tx.findSeries(1, 'Doomed')).toBeUndefined();
          expect(await tx.listSeriesVersions(existing.id)).toHaveLength(1);
          expect(await tx.readCounter(doomedId, '*')).toBeUndefined();
          expect(await tx.readCounter(existing.id, '*')).toBe(5n);
          expect(await tx.findRecordsBySerial(1, 'D-1')).toEqual([]);
          expect(await tx.listStatusChanges(recordId)).toEqual([]);
          expect(await tx.findIdempotency(1, 'k')).toBeUndefined();
          expect(await tx.lockAuditHead(1)).toMatchObject({ seq: 1 });
          expect({
            series: await tx.listSeries(1),
            records: await tx.findRecords({ companyId: 1, limit: 100 }),
            audit: await tx.listAudit({ companyId: 1, limit: 100, order: 'asc' }),
          }).toEqual(before);
        });
        // The store is still usable after a failed unit of work.
        await write((tx) => tx.saveCounter(existing.id, '*', 7n, AT));
        expect(await read((tx) => tx.readCounter(existing.id, '*'))).toBe(7n);
      });

      it('keeps nothing of a write the database refuses part-way', async () => {
        const s = await addSeries('Refused');
        const key = { key: 'k', requestHash: 'h', response: '{}', createdAt: AT };
        await write((tx) => tx.insertIdempotency(1, key));

        await expect(
          write(async (tx) => {
            await tx.saveCounter(s.id, '*', 2n, AT);
            await tx.insertRecords([newRecord(s, 'R-1'), newRecord(s, 'R-2')]);
            await tx.appendAudit(auditEntries(1, 1, [{}]));
            await tx.insertIdempotency(1, { ...key, requestHash: 'h2' });
          }),
        ).rejects.toThrow();

        await read(async (tx) => {
          expect(await tx.readCounter(s.id, '*')).toBeUndefined();
          expect(await tx.findRecords({ companyId: 1, limit: 10 })).toEqual([]);
          expect(await tx.lockAuditHead(1)).toBeUndefined();
          expect(await tx.findIdempotency(1, 'k')).toEqual(key);
          expect(await tx.seriesHasIssued(s.id)).toBe(false);
        });
      });

      it('returns what the function returns, and a write sees its own changes before commit', async () => {
        const result = await write(async (tx) => {
          const s = await tx.insertSeries(1, seriesSettings('Mine'), STAMP);
          await tx.saveCounter(s.id, '*', 3n, AT);
          const [id] = await tx.insertRecords([newRecord(s, 'M-1')]);
          return {
            series: await tx.findSeries(1, 'Mine'),
            counter: await tx.lockCounter(s.id, '*'),
            record: (await tx.findRecordsByIds([must(id)]))[0],
            big: TWO_POW_64,
          };
        });
        expect(result.series?.settings.name).toBe('Mine');
        expect(result.counter).toBe(3n);
        expect(result.record?.serial).toBe('M-1');
        expect(result.big).toBe(TWO_POW_64);
        expect(await read(async () => 'read value')).toBe('read value');
        const missing = new Error('read failed');
        await expect(read(async () => Promise.reject(missing))).rejects.toBe(missing);
      });

      it('never loses an update when many writes of one process run at once', async () => {
        const s = await addSeries('Contended');
        const writers = 40;
        const seen = await Promise.all(
          Array.from({ length: writers }, (_, i) =>
            write(async (tx) => {
              const current = (await tx.lockCounter(s.id, '*')) ?? 0n;
              // Yield to the event loop between the read and the write, where another unit of work could slip in.
              await pause(i % 3);
              await tx.saveCounter(s.id, '*', current + 1n, AT);
              return current;
            }),
          ),
        );
        expect(await read((tx) => tx.readCounter(s.id, '*'))).toBe(BigInt(writers));
        expect([...seen].sort((a, b) => (a < b ? -1 : 1))).toEqual(Array.from({ length: writers }, (_, i) => BigInt(i)));
      });

      it('keeps concurrent writes exact when some of them fail', async () => {
        const s = await addSeries('Flaky');
        const outcomes = await Promise.allSettled(
          Array.from({ length: 30 }, (_, i) =>
            write(async (tx) => {
              const current = (await tx.lockCounter(s.id, '*')) ?? 0n;
              await tx.saveCounter(s.id, '*', current + 1n, AT);
              await tx.insertRecords([newRecord(s, `F-${current + 1n}`)]);
              await pause();
              if (i % 3 === 0) throw new Error(`writer ${i} gives up`);
              return current + 1n;
            }),
          ),
        );
        const kept = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
        expect(kept).toHaveLength(20);
        expect(await read((tx) => tx.readCounter(s.id, '*'))).toBe(20n);
        const serials = (await read((tx) => tx.findRecords({ companyId: 1, seriesId: s.id, limit: 100 }))).map((r) => r.serial);
        expect(serials.sort()).toEqual(kept.map((v) => `F-${v}`).sort());
      });

      it('lets a read see committed data only', async () => {
        const s = await addSeries('Visible');
        expect(await read((tx) => tx.findSeries(1, 'Visible'))).toEqual(s);
        const observed: (bigint | undefined)[] = [];
        await Promise.all([
          ...Array.from({ length: 10 }, () =>
            write(async (tx) => {
              const current = (await tx.lockCounter(s.id, '*')) ?? 0n;
              // An odd value exists only inside a unit of work; committed values are even.
              await tx.saveCounter(s.id, '*', current + 1n, AT);
              await pause(1);
              await tx.saveCounter(s.id, '*', current + 2n, AT);
            }),
          ),
          ...Array.from({ length: 10 }, () =>
            read(async (tx) => {
              observed.push(await tx.readCounter(s.id, '*'));
              await pause(1);
              observed.push(await tx.readCounter(s.id, '*'));
            }),
          ),
        ]);
        expect(observed).toHaveLength(20);
        for (const value of observed) expect(value === undefined || value % 2n === 0n).toBe(true);
        expect(await read((tx) => tx.readCounter(s.id, '*'))).toBe(20n);
      });

      it('finishes work already started when closed, then refuses more', async () => {
        const s = await addSeries('Closing');
        const store = h.store;
        const pending = store.write(async (tx) => {
          await pause(20);
          await tx.saveCounter(s.id, '*', 9n, AT);
          return 'done';
        });
        await store.close();
        await expect(pending).resolves.toBe('done');
        await expect(store.read(async () => 1)).rejects.toThrow();
        await expect(store.write(async () => 1)).rejects.toThrow();
        await store.close();

        const reopened = await h.reopen();
        expect(await reopened.read((tx) => tx.readCounter(s.id, '*'))).toBe(9n);
      });
    });

    describe('migrations', () => {
      it('records the latest schema version, and reopening keeps the data without migrating again', async () => {
        const applied = await h.appliedMigrations();
        expect(applied.map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
        expect(applied[applied.length - 1]?.version).toBe(LATEST_SCHEMA_VERSION);

        const s = await addSeries('Durable', { start: TWO_POW_64 });
        const audit = auditEntries(1, 1, [{ data: { kept: true } }]);
        const [recordId] = await write(async (tx) => {
          await tx.saveCounter(s.id, '*', TWO_POW_64 + 1n, AT);
          await tx.appendAudit(audit);
          return tx.insertRecords([newRecord(s, 'D-1', { metadata: { kept: true } })]);
        });

        const store = await h.reopen();
        expect(await h.appliedMigrations()).toEqual(applied);
        await store.read(async (tx) => {
          expect(await tx.findSeries(1, 'Durable')).toEqual(s);
          expect(await tx.readCounter(s.id, '*')).toBe(TWO_POW_64 + 1n);
          expect((await tx.findRecordsByIds([must(recordId)]))[0]?.metadata).toEqual({ kept: true });
          expect(await tx.listAudit({ companyId: 1, limit: 10, order: 'asc' })).toEqual(audit);
        });
        await h.reopen();
        expect(await h.appliedMigrations()).toEqual(applied);
        // The migrated default company still takes new rows.
        await addSeries('After reopen');
        expect((await read((tx) => tx.listSeries(1))).map((x) => x.settings.name)).toEqual(['After reopen', 'Durable']);
      });
    });
  });
}
