import { beforeEach, describe, expect, it } from 'vitest';
import { type NewStatusChange, type RecordFilter, type RecordRow, type SeriesRow, type StoreTransaction, type TakenSerial } from '@serialtrace/store';
import { ENGINES, useStore, AT, TWO_POW_64, storedRecord, must, inserted, byId, bySerialThenSeries, journalDraft } from './contract-harness.js';
import { newRecord } from '../store-harness.js';

for (const factory of ENGINES) {
  describe(`Store contract, records: ${factory.name}`, () => {
    const { h, write, read, addSeries } = useStore(factory);

    describe('records', () => {
      it('inserts records in order, returns their ids in order, and reads them back whole', async () => {
        const s = await addSeries('Widgets');
        const records = [
          newRecord(s, 'SN-0003', { sequence: 3n, auditId: 7 }),
          newRecord(s, 'SN-0001', { sequence: 1n, workOrder: 'WO-1', partNumber: 'P-1', station: 'ST-4', auditId: 7 }),
          newRecord(s, 'SN-0002', { sequence: TWO_POW_64 + 5n, period: '2025-06-01', status: 'printed', generatedBy: 'bob' }),
        ];
        const ids = inserted(await write((tx) => tx.records.insert(records)));
        expect(ids).toHaveLength(3);
        expect(new Set(ids).size).toBe(3);
        expect([...ids].sort((a, b) => a - b)).toEqual(ids);
        expect(await write((tx) => tx.records.insert([]))).toEqual([]);

        const found = await read((tx) => tx.records.findByIds(ids));
        expect([...found].sort(byId)).toEqual(records.map((r, i) => storedRecord(s, must(ids[i]), r)));
        const bySerial = await read((tx) => tx.records.findBySerial(1, 'SN-0002'));
        expect(bySerial).toEqual([storedRecord(s, must(ids[2]), must(records[2]))]);
      });

      it('finds records by serial across the company or within one series', async () => {
        const a = await addSeries('A');
        const b = await addSeries('B');
        await h.addCompany(2, 'second');
        const c = await addSeries('C', {}, 2);
        const [idA] = inserted(await write((tx) => tx.records.insert([newRecord(a, 'SHARED'), newRecord(a, 'ONLY-A')])));
        const [idB] = inserted(await write((tx) => tx.records.insert([newRecord(b, 'SHARED')])));
        const [idC] = inserted(await write((tx) => tx.records.insert([newRecord(c, 'SHARED')])));

        await read(async (tx) => {
          const everywhere = await tx.records.findBySerial(1, 'SHARED');
          expect([...everywhere].sort(byId).map((r) => [r.id, r.seriesName])).toEqual([
            [idA, 'A'],
            [idB, 'B'],
          ]);
          expect((await tx.records.findBySerial(1, 'SHARED', b.id)).map((r) => r.id)).toEqual([idB]);
          expect(await tx.records.findBySerial(1, 'ONLY-A', b.id)).toEqual([]);
          expect(await tx.records.findBySerial(1, 'shared')).toEqual([]);
          expect(await tx.records.findBySerial(1, 'MISSING')).toEqual([]);
          expect((await tx.records.findBySerial(2, 'SHARED')).map((r) => r.id)).toEqual([idC]);
          // A series id from another company does not reach across.
          expect(await tx.records.findBySerial(1, 'SHARED', c.id)).toEqual([]);
          expect(await tx.records.findBySerial(2, 'ONLY-A')).toEqual([]);
        });
      });

      it('finds records by ids, ignoring unknown ids', async () => {
        const s = await addSeries('Widgets');
        const ids = inserted(await write((tx) => tx.records.insert(['1', '2', '3', '4'].map((n) => newRecord(s, `SN-${n}`)))));
        await read(async (tx) => {
          const picked = await tx.records.findByIds([must(ids[3]), must(ids[1]), 987_654]);
          expect([...picked].sort(byId).map((r) => r.serial)).toEqual(['SN-2', 'SN-4']);
          expect(await tx.records.findByIds([])).toEqual([]);
          expect(await tx.records.findByIds([987_654])).toEqual([]);
        });
      });

      it('skips a serial its series already holds, inserting the rest and leaving the holder untouched', async () => {
        const a = await addSeries('A');
        const b = await addSeries('B');
        const [first] = inserted(await write((tx) => tx.records.insert([newRecord(a, 'SN-0001', { workOrder: 'WO-1' })])));

        const ids = await write((tx) =>
          tx.records.insert([
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
          const inA = await tx.records.search({ companyId: 1, seriesId: a.id, limit: 100 });
          expect(inA.map((r) => r.serial).sort()).toEqual(['SN-0001', 'SN-0002', 'SN-0003']);
          expect(await tx.records.findBySerial(1, 'SN-0001', a.id)).toEqual([
            storedRecord(a, must(first), newRecord(a, 'SN-0001', { workOrder: 'WO-1' })),
          ]);
          expect((await tx.records.findBySerial(1, 'SN-0003', a.id))[0]?.workOrder).toBeNull();
          expect((await tx.records.findBySerial(1, 'SN-0001', b.id)).map((r) => r.id)).toEqual([ids[4]]);
        });
      });

      it('skips a serial held by a record committed earlier, even when every record of the batch is taken', async () => {
        const a = await addSeries('A');
        await write((tx) => tx.records.insert([newRecord(a, 'X-1'), newRecord(a, 'X-2')]));
        expect(await write((tx) => tx.records.insert([newRecord(a, 'X-2'), newRecord(a, 'X-1')]))).toEqual([null, null]);
        expect(await read((tx) => tx.records.search({ companyId: 1, limit: 100 }))).toHaveLength(2);
      });

      it('records an issue whose serials are new, answering true for each, in one record or a batch', async () => {
        const a = await addSeries('A');
        const b = await addSeries('B');
        expect(await write((tx) => tx.records.insertIssued([newRecord(a, 'N-1', { workOrder: 'WO-1', lot: 'L1' })]))).toEqual([true]);
        // Text travels as literals on PostgreSQL: quotes, backslashes and any character arrive as given.
        const odd = `O'Brien \\ 100% _x_ $1 ::text ünï 😀 '' \\'`;
        expect(await write((tx) => tx.records.insertIssued([newRecord(a, odd, { workOrder: odd, context: { NOTE: odd } }), newRecord(a, `${odd}-2`, { partNumber: odd })]))).toEqual([true, true]);
        const [oddRecord] = await read((tx) => tx.records.findBySerial(1, odd));
        expect([oddRecord!.serial, oddRecord!.workOrder, oddRecord!.context]).toEqual([odd, odd, { NOTE: odd }]);
        expect((await read((tx) => tx.records.findBySerial(1, `${odd}-2`)))[0]!.partNumber).toBe(odd);
        const batch = [newRecord(a, 'N-2', { sequence: 2n }), newRecord(a, 'N-3', { sequence: TWO_POW_64 }), newRecord(b, 'N-2')];
        expect(await write((tx) => tx.records.insertIssued(batch))).toEqual([true, true, true]);
        expect(await write((tx) => tx.records.insertIssued([]))).toEqual([]);
        const stored = await read((tx) => tx.records.search({ companyId: 1, limit: 100 }));
        expect(stored.filter((r) => !r.serial.startsWith("O'Brien")).map((r) => [r.seriesName, r.serial, r.sequence, r.workOrder, r.lot]).sort()).toEqual([
          ['A', 'N-1', 1n, 'WO-1', 'L1'],
          ['A', 'N-2', 2n, null, null],
          ['A', 'N-3', TWO_POW_64, null, null],
          ['B', 'N-2', 1n, null, null],
        ]);
      });

      it('answers false for an issued serial the series already holds, keeping the holder and the rest of the unit', async () => {
        const a = await addSeries('A');
        await write((tx) => tx.records.insert([newRecord(a, 'X-2', { workOrder: 'OLD' })]));
        let runs = 0;
        const answer = await write(async (tx) => {
          runs += 1;
          const recorded = await tx.records.insertIssued([newRecord(a, 'X-1'), newRecord(a, 'X-2', { workOrder: 'NEW' }), newRecord(a, 'X-3')]);
          await tx.counters.save(a.id, '*', 3n, AT);
          return recorded;
        });
        expect(answer).toEqual([true, false, true]);
        // PostgreSQL sent the rows with the COMMIT hoping they were new, and ran the unit again.
        expect(runs).toBe(h.store.engine === 'postgres' ? 2 : 1);
        const stored = await read((tx) => tx.records.search({ companyId: 1, limit: 100 }));
        expect(stored.map((r) => [r.serial, r.workOrder]).sort()).toEqual([['X-1', null], ['X-2', 'OLD'], ['X-3', null]]);
        expect(await read((tx) => tx.counters.read(a.id, '*'))).toBe(3n);
      });

      it('runs a unit again carefully when it caught the failure of rows it hoped were new and failed otherwise', async () => {
        const a = await addSeries('A');
        await write((tx) => tx.records.insert([newRecord(a, 'Y-1')]));
        let runs = 0;
        const answer = await write(async (tx) => {
          runs += 1;
          const recorded = await tx.records.insertIssued([newRecord(a, 'Y-1', { workOrder: 'NEW' }), newRecord(a, 'Y-2')]);
          try {
            // On PostgreSQL the rows travel with this read, and their failure surfaces here.
            await tx.records.findBySerial(1, 'Y-2');
          } catch {
            throw new Error('the unit gave up in its own words');
          }
          return recorded;
        });
        expect(answer).toEqual([false, true]);
        expect(runs).toBe(h.store.engine === 'postgres' ? 2 : 1);
        expect((await read((tx) => tx.records.findBySerial(1, 'Y-1'))).map((r) => r.workOrder)).toEqual([null]);
      });

      it('refuses a record whose series or company does not exist, keeping nothing of the unit', async () => {
        const a = await addSeries('A');
        const ghost = { ...a, id: a.id + 1000 };
        await expect(write((tx) => tx.records.insertIssued([newRecord(a, 'OK-1'), newRecord(ghost, 'GHOST-1')]))).rejects.toThrow();
        await expect(write((tx) => tx.records.insert([newRecord({ ...a, companyId: 77 }, 'GHOST-2')]))).rejects.toThrow();
        await expect(
          write(async (tx) => {
            await tx.records.insert([newRecord(a, 'OK-2')]);
            await tx.journal.append([journalDraft(78)]);
          }),
        ).rejects.toThrow();
        expect(await read((tx) => tx.records.search({ companyId: 1, limit: 100 }))).toEqual([]);
      });

      it('round-trips lot and expiry through every read, one record or a batch', async () => {
        const s = await addSeries('Gs1', { gtin: '09506000134352' });
        const records = [
          newRecord(s, '1001', { lot: 'LOT-A/1', expiry: '2027-03-31' }),
          newRecord(s, '1002', { lot: 'LOT-A/1', expiry: '2027-03-00' }),
          newRecord(s, '1003', { lot: 'Grüße ✓', expiry: null }),
          newRecord(s, '1004'),
        ];
        const ids = inserted(await write((tx) => tx.records.insert(records)));
        const [single] = inserted(await write((tx) => tx.records.insert([newRecord(s, '1005', { lot: 'ONE', expiry: '2030-12-31' })])));
        const expected = [...records.map((r, i) => storedRecord(s, must(ids[i]), r)), storedRecord(s, must(single), newRecord(s, '1005', { lot: 'ONE', expiry: '2030-12-31' }))];

        await read(async (tx) => {
          expect(await tx.records.findByIds([...ids, must(single)])).toEqual(expected);
          expect(await tx.records.findBySerial(1, '1002')).toEqual([expected[1]]);
          expect(await tx.records.findBySerial(1, '1005', s.id)).toEqual([expected[4]]);
          expect(await tx.records.search({ companyId: 1, limit: 10 })).toEqual([...expected].reverse());
        });
      });

      it('counts label prints one at a time, and the record reads the count back', async () => {
        const s = await addSeries('Labels');
        const [first, second] = inserted(await write((tx) => tx.records.insert([newRecord(s, 'L-1'), newRecord(s, 'L-2')])));
        expect((await read((tx) => tx.records.findByIds([must(first)])))[0]?.labelPrints).toBe(0);

        expect(await write((tx) => tx.records.countLabelPrint(must(first), '2025-06-02T00:00:00.000Z'))).toBe(1);
        expect(await write((tx) => tx.records.countLabelPrint(must(first), '2025-06-03T00:00:00.000Z'))).toBe(2);
        expect(
          await write(async (tx) => [await tx.records.countLabelPrint(must(first), '2025-06-04T00:00:00.000Z'), await tx.records.countLabelPrint(must(second), '2025-06-04T00:00:00.000Z')]),
        ).toEqual([3, 1]);
        // Prints at once from many writers are each counted.
        const counts = await Promise.all(Array.from({ length: 8 }, () => write((tx) => tx.records.countLabelPrint(must(second), '2025-06-05T00:00:00.000Z'))));
        expect([...counts].sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);

        await read(async (tx) => {
          const [one, two] = await tx.records.findByIds([must(first), must(second)]);
          expect(one).toMatchObject({ labelPrints: 3, updatedAt: '2025-06-04T00:00:00.000Z', status: 'generated' });
          expect(two).toMatchObject({ labelPrints: 9, updatedAt: '2025-06-05T00:00:00.000Z' });
          expect((await tx.records.findBySerial(1, 'L-1'))[0]?.labelPrints).toBe(3);
          expect((await tx.records.search({ companyId: 1, limit: 10 })).map((r) => r.labelPrints)).toEqual([9, 3]);
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
        const ids = inserted(await write((tx) => tx.records.insert(records)));
        const back = [...(await read((tx) => tx.records.findByIds(ids)))].sort(byId);
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
        const ids = inserted(await write((tx) => tx.records.insert(records)));
        const back = [...(await read((tx) => tx.records.findByIds(ids)))].sort(byId);
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
        const [id, otherId] = inserted(await write((tx) => tx.records.insert([newRecord(s, 'SN-1'), newRecord(s, 'SN-2')])));
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
            auditId: 3,
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
            auditId: null,
          },
        ];
        await write(async (tx) => {
          await tx.records.updateStatus(recordId, 'printed', '2025-06-01T09:00:00.000Z');
          await tx.records.insertHistory(changes);
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
          auditId: 12,
        };
        await write(async (tx) => {
          await tx.records.updateStatus(recordId, 'scrapped', '2025-06-01T10:00:00.000Z');
          await tx.records.insertHistory([scrap]);
        });

        await read(async (tx) => {
          const [record] = await tx.records.findByIds([recordId]);
          expect(record).toMatchObject({ status: 'scrapped', updatedAt: '2025-06-01T10:00:00.000Z', generatedAt: AT });
          const [other] = await tx.records.findByIds([must(otherId)]);
          expect(other).toMatchObject({ status: 'generated', updatedAt: AT });
          const history = await tx.records.history(recordId);
          expect(history.map(({ id: _id, ...rest }) => rest)).toEqual([...changes, scrap]);
          const historyIds = history.map((c) => c.id);
          expect([...historyIds].sort((a, b) => a - b)).toEqual(historyIds);
          expect(new Set(historyIds).size).toBe(3);
          expect(await tx.records.history(must(otherId))).toEqual([]);
          expect(await tx.records.historyOf([must(otherId), recordId])).toEqual(history);
          expect(await tx.records.historyOf([])).toEqual([]);
        });
      });
    });

    describe('record search', () => {
      // Six records over two series, inserted oldest first, so ids rise with generatedAt.
      let ids: number[];
      let alpha: SeriesRow;
      let beta: SeriesRow;
      const search = (filter: Omit<RecordFilter, 'companyId' | 'limit'> & { limit?: number; companyId?: number }) =>
        read((tx) => tx.records.search({ companyId: 1, limit: 100, ...filter }));
      /** The ids of the records at these insertion positions (1-6), in the order given. */
      const nth = (...positions: number[]) => positions.map((p) => must(ids[p - 1]));
      const idsOf = (rows: RecordRow[]) => rows.map((r) => r.id);

      beforeEach(async () => {
        alpha = await addSeries('Alpha');
        beta = await addSeries('Beta');
        ids = inserted(
          await write((tx) =>
            tx.records.insert([
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
        const [otherId] = await write((tx) => tx.records.insert([newRecord(other, 'A-0001', { workOrder: 'WO-1' })]));
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
        await write((tx) => tx.records.insert([newRecord(other, 'X-1', { lot: 'L1' })]));
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
          const count = await read((tx) => tx.records.count({ companyId: 1, cap: 1000, ...filter }));
          expect(count, JSON.stringify(filter)).toBe((await search(filter)).length);
        }
        expect(await read((tx) => tx.records.count({ companyId: 1, cap: 4 }))).toBe(4);
        expect(await read((tx) => tx.records.count({ companyId: 2, cap: 1000 }))).toBe(0);
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
          [...(await tx.records.findTaken(companyId, series.id, series.settings.global, serials))].sort(bySerialThenSeries),
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
          await tx.records.insert([newRecord(local1, 'X1'), newRecord(local1, 'L1-ONLY')]);
          await tx.records.insert([newRecord(local2, 'X2'), newRecord(local2, 'X1-TWIN')]);
          await tx.records.insert([newRecord(global1, 'XG')]);
          // A global series created after a local one may hold the same serial as it.
          await tx.records.insert([newRecord(global2, 'X1'), newRecord(global2, 'G2-ONLY')]);
          await tx.records.insert([newRecord(otherLocal, 'X1'), newRecord(otherLocal, 'X2'), newRecord(otherLocal, 'XG')]);
          await tx.records.insert([newRecord(otherGlobal, 'XG'), newRecord(otherGlobal, 'L1-ONLY')]);
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
          await tx.records.insert([newRecord(global1, 'X3')]);
          return tx.records.findTaken(1, local1.id, false, ['X3']);
        });
        expect(seen).toEqual([clash('X3', global1)]);
      });

      it('lists the company\'s global series, which tell whether one other than a given series exists', async () => {
        const hasOtherGlobal = async (tx: StoreTransaction, company: number, series: number) => (await tx.series.globalSeriesIds(company)).some((id) => id !== series);
        await read(async (tx) => {
          expect(await tx.series.globalSeriesIds(1)).toEqual([global1.id, global2.id].sort((a, b) => a - b));
          expect(await tx.series.globalSeriesIds(3)).toEqual([]);
          expect(await hasOtherGlobal(tx, 1, local1.id)).toBe(true);
          expect(await hasOtherGlobal(tx, 1, global1.id)).toBe(true);
          expect(await hasOtherGlobal(tx, 2, otherLocal.id)).toBe(true);
          expect(await hasOtherGlobal(tx, 2, otherGlobal.id)).toBe(false);
          expect(await hasOtherGlobal(tx, 3, 0)).toBe(false);
        });
        await h.addCompany(3, 'third');
        const lone = await addSeries('Lone', {}, 3);
        expect(await read((tx) => hasOtherGlobal(tx, 3, lone.id))).toBe(false);
        const loneGlobal = await addSeries('LoneGlobal', { global: true }, 3);
        await read(async (tx) => {
          expect(await hasOtherGlobal(tx, 3, lone.id)).toBe(true);
          expect(await hasOtherGlobal(tx, 3, loneGlobal.id)).toBe(false);
        });
      });
    });
  });
}
