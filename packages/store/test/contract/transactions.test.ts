import { describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '@serialtrace/store';
import { ENGINES, useStore, journalDraft, AT, STAMP, TWO_POW_64, must, pause } from './contract-harness.js';
import { newRecord, seriesSettings } from '../store-harness.js';

for (const factory of ENGINES) {
  describe(`Store contract, transactions: ${factory.name}`, () => {
    const { h, write, read, addSeries } = useStore(factory);

    describe('transactions', () => {
      it('keeps nothing of a write whose function throws, and rethrows its error', async () => {
        const existing = await addSeries('Existing');
        await write(async (tx) => {
          await tx.counters.save(existing.id, '*', 5n, AT);
          await tx.journal.append([journalDraft(1)]);
        });
        await h.store.sealJournal();
        const before = await read(async (tx) => ({
          series: await tx.series.list(1),
          records: await tx.records.search({ companyId: 1, limit: 100 }),
          journal: await tx.journal.read({ after: 0, limit: 100 }),
        }));

        const boom = new Error('boom');
        let doomedId = -1;
        let recordId = -1;
        await expect(
          write(async (tx) => {
            const doomed = await tx.series.insert(1, seriesSettings('Doomed'), STAMP);
            doomedId = doomed.id;
            await tx.series.update(existing, seriesSettings('Existing', { description: 'changed' }), STAMP);
            await tx.counters.save(doomed.id, '*', 1n, AT);
            await tx.counters.save(existing.id, '*', 6n, AT);
            recordId = must((await tx.records.insert([newRecord(doomed, 'D-1'), newRecord(existing, 'E-1')]))[0]);
            await tx.records.updateStatus(recordId, 'printed', AT);
            await tx.records.insertHistory([
              {
                recordId,
                fromStatus: 'generated',
                toStatus: 'printed',
                at: AT,
                actor: 'a',
                station: null,
                reason: null,
                data: null,
                auditId: 2,
              },
            ]);
            await tx.journal.append([journalDraft(1), journalDraft(1)]);
            await tx.idempotency.insert(1, { key: 'k', requestHash: 'h', response: '{}', createdAt: AT });
            await pause(5);
            throw boom;
          }),
        ).rejects.toBe(boom);

        await h.store.sealJournal();
        await read(async (tx) => {
          expect(await tx.series.find(1, 'Doomed')).toBeUndefined();
          expect(await tx.series.versions(existing.id)).toHaveLength(1);
          expect(await tx.counters.read(doomedId, '*')).toBeUndefined();
          expect(await tx.counters.read(existing.id, '*')).toBe(5n);
          expect(await tx.records.findBySerial(1, 'D-1')).toEqual([]);
          expect(await tx.records.history(recordId)).toEqual([]);
          expect(await tx.idempotency.find(1, 'k')).toBeUndefined();
          expect(await tx.journal.chainHead(1)).toMatchObject({ seq: 1 });
          expect(await tx.journal.hasUnsealed()).toBe(false);
          expect({
            series: await tx.series.list(1),
            records: await tx.records.search({ companyId: 1, limit: 100 }),
            journal: await tx.journal.read({ after: 0, limit: 100 }),
          }).toEqual(before);
        });
        // The store is still usable after a failed unit of work.
        await write((tx) => tx.counters.save(existing.id, '*', 7n, AT));
        expect(await read((tx) => tx.counters.read(existing.id, '*'))).toBe(7n);
      });

      it('keeps nothing of a write the database refuses part-way', async () => {
        const s = await addSeries('Refused');
        const key = { key: 'k', requestHash: 'h', response: '{}', createdAt: AT };
        await write((tx) => tx.idempotency.insert(1, key));

        await expect(
          write(async (tx) => {
            await tx.counters.save(s.id, '*', 2n, AT);
            await tx.records.insert([newRecord(s, 'R-1'), newRecord(s, 'R-2')]);
            await tx.journal.append([journalDraft(1)]);
            await tx.idempotency.insert(1, { ...key, requestHash: 'h2' });
          }),
        ).rejects.toThrow();

        await read(async (tx) => {
          expect(await tx.counters.read(s.id, '*')).toBeUndefined();
          expect(await tx.records.search({ companyId: 1, limit: 10 })).toEqual([]);
          expect(await tx.journal.chainHead(1)).toBeNull();
          expect(await tx.journal.hasUnsealed()).toBe(false);
          expect(await tx.idempotency.find(1, 'k')).toEqual(key);
          expect(await tx.series.hasIssued(s.id)).toBe(false);
        });
      });

      it('returns what the function returns, and a write sees its own changes before commit', async () => {
        const result = await write(async (tx) => {
          const s = await tx.series.insert(1, seriesSettings('Mine'), STAMP);
          await tx.counters.save(s.id, '*', 3n, AT);
          const [id] = await tx.records.insert([newRecord(s, 'M-1')]);
          return {
            series: await tx.series.find(1, 'Mine'),
            counter: await tx.counters.lock(s.id, '*'),
            record: (await tx.records.findByIds([must(id)]))[0],
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
              const current = (await tx.counters.lock(s.id, '*')) ?? 0n;
              // Yield to the event loop between the read and the write, where another unit of work could slip in.
              await pause(i % 3);
              await tx.counters.save(s.id, '*', current + 1n, AT);
              return current;
            }),
          ),
        );
        expect(await read((tx) => tx.counters.read(s.id, '*'))).toBe(BigInt(writers));
        expect([...seen].sort((a, b) => (a < b ? -1 : 1))).toEqual(Array.from({ length: writers }, (_, i) => BigInt(i)));
      });

      it('keeps concurrent writes exact when some of them fail', async () => {
        const s = await addSeries('Flaky');
        const outcomes = await Promise.allSettled(
          Array.from({ length: 30 }, (_, i) =>
            write(async (tx) => {
              const current = (await tx.counters.lock(s.id, '*')) ?? 0n;
              await tx.counters.save(s.id, '*', current + 1n, AT);
              await tx.records.insert([newRecord(s, `F-${current + 1n}`)]);
              await pause();
              if (i % 3 === 0) throw new Error(`writer ${i} gives up`);
              return current + 1n;
            }),
          ),
        );
        const kept = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
        expect(kept).toHaveLength(20);
        expect(await read((tx) => tx.counters.read(s.id, '*'))).toBe(20n);
        const serials = (await read((tx) => tx.records.search({ companyId: 1, seriesId: s.id, limit: 100 }))).map((r) => r.serial);
        expect(serials.sort()).toEqual(kept.map((v) => `F-${v}`).sort());
      });

      it('lets a read see committed data only', async () => {
        const s = await addSeries('Visible');
        expect(await read((tx) => tx.series.find(1, 'Visible'))).toEqual(s);
        const observed: (bigint | undefined)[] = [];
        await Promise.all([
          ...Array.from({ length: 10 }, () =>
            write(async (tx) => {
              const current = (await tx.counters.lock(s.id, '*')) ?? 0n;
              // An odd value exists only inside a unit of work; committed values are even.
              await tx.counters.save(s.id, '*', current + 1n, AT);
              await pause(1);
              await tx.counters.save(s.id, '*', current + 2n, AT);
            }),
          ),
          ...Array.from({ length: 10 }, () =>
            read(async (tx) => {
              observed.push(await tx.counters.read(s.id, '*'));
              await pause(1);
              observed.push(await tx.counters.read(s.id, '*'));
            }),
          ),
        ]);
        expect(observed).toHaveLength(20);
        for (const value of observed) expect(value === undefined || value % 2n === 0n).toBe(true);
        expect(await read((tx) => tx.counters.read(s.id, '*'))).toBe(20n);
      });

      it('finishes work already started when closed, then refuses more', async () => {
        const s = await addSeries('Closing');
        const store = h.store;
        const pending = store.write(async (tx) => {
          await pause(20);
          await tx.counters.save(s.id, '*', 9n, AT);
          return 'done';
        });
        await store.close();
        await expect(pending).resolves.toBe('done');
        await expect(store.read(async () => 1)).rejects.toThrow();
        await expect(store.write(async () => 1)).rejects.toThrow();
        await store.close();

        const reopened = await h.reopen();
        expect(await reopened.read((tx) => tx.counters.read(s.id, '*'))).toBe(9n);
      });
    });

    describe('migrations', () => {
      it('records the latest schema version, and reopening keeps the data without migrating again', async () => {
        const applied = await h.appliedMigrations();
        expect(applied.map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
        expect(applied[applied.length - 1]?.version).toBe(LATEST_SCHEMA_VERSION);

        const s = await addSeries('Durable', { start: TWO_POW_64 });
        const [recordId] = await write(async (tx) => {
          await tx.counters.save(s.id, '*', TWO_POW_64 + 1n, AT);
          await tx.journal.append([journalDraft(1, { data: { kept: true } })]);
          return tx.records.insert([newRecord(s, 'D-1', { metadata: { kept: true } })]);
        });

        await h.store.sealJournal();
        const audit = await read((tx) => tx.journal.listChain({ companyId: 1, limit: 10, order: 'asc' }));
        expect(audit.map((e) => e.data)).toEqual([{ kept: true }]);
        const store = await h.reopen();
        expect(await h.appliedMigrations()).toEqual(applied);
        await store.read(async (tx) => {
          expect(await tx.series.find(1, 'Durable')).toEqual(s);
          expect(await tx.counters.read(s.id, '*')).toBe(TWO_POW_64 + 1n);
          expect((await tx.records.findByIds([must(recordId)]))[0]?.metadata).toEqual({ kept: true });
          expect(await tx.journal.listChain({ companyId: 1, limit: 10, order: 'asc' })).toEqual(audit);
        });
        await h.reopen();
        expect(await h.appliedMigrations()).toEqual(applied);
        // The migrated default company still takes new rows.
        await addSeries('After reopen');
        expect((await read((tx) => tx.series.list(1))).map((x) => x.settings.name)).toEqual(['After reopen', 'Durable']);
      });
    });
  });
}
