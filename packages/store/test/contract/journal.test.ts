import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ChainWalk, type AuditEntry } from '@serialtrace/core';
import { type AuditFilter, type JournalDraft, type JournalEvent } from '@serialtrace/store';
import { ENGINES, journalDraft, must, pause, useStore } from './contract-harness.js';

const AT_LATER = '2025-06-02T08:00:00.000Z';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** What a draft reads back as, whatever the store added. */
const contentOf = (e: JournalDraft): JournalDraft => ({
  companyId: e.companyId,
  at: e.at,
  actor: e.actor,
  station: e.station,
  line: e.line,
  plant: e.plant,
  reason: e.reason,
  action: e.action,
  entityType: e.entityType,
  entityId: e.entityId,
  data: e.data,
});

for (const factory of ENGINES) {
  describe(`Store contract, journal: ${factory.name}`, () => {
    const { h, write, read } = useStore(factory);

    /** Appends drafts in one transaction and waits until they are sealed. */
    async function commit(drafts: readonly JournalDraft[]): Promise<number[]> {
      const ids = await write((tx) => tx.journal.append(drafts));
      await h.store.sealJournal();
      return ids;
    }

    async function chain(companyId: number, filter: Partial<AuditFilter> = {}): Promise<AuditEntry[]> {
      return read((tx) => tx.journal.listChain({ companyId, limit: 1000, order: 'asc', ...filter }));
    }

    function verify(entries: readonly AuditEntry[]): void {
      const walk = new ChainWalk(sha256);
      for (const entry of entries) expect(walk.check(entry)).toEqual([]);
    }

    describe('appending and sealing', () => {
      it('places committed events in order, chains each company apart, and keeps each head', async () => {
        await h.addCompany(2, 'second');
        expect(await read((tx) => tx.journal.chainHead(1))).toBeNull();
        await commit([journalDraft(1, {}, 1), journalDraft(2, { actor: 'zoe' }, 2), journalDraft(1, { entityId: '2' }, 3)]);
        await commit([journalDraft(1, { action: 'series.updated' }, 4)]);

        const events = await read((tx) => tx.journal.read({ after: 0, limit: 10 }));
        expect(events.map((e) => e.position)).toEqual([1, 2, 3, 4]);
        expect(events.map((e) => [e.companyId, e.seq])).toEqual([
          [1, 1],
          [2, 1],
          [1, 2],
          [1, 3],
        ]);
        const ones = await chain(1);
        expect(ones.map((e) => e.seq)).toEqual([1, 2, 3]);
        verify(ones);
        verify(await chain(2));
        expect(await read((tx) => tx.journal.chainHead(1))).toEqual({ seq: 3, hash: must(ones[2]).hash });
        expect(await read((tx) => tx.journal.chainHead(2))).toEqual({ seq: 1, hash: must((await chain(2))[0]).hash });
        expect(await read((tx) => tx.journal.hasUnsealed())).toBe(false);
      });

      it('hands out ids first, so that rows can point at events appended later in the transaction', async () => {
        const ids = await write(async (tx) => {
          const reserved = await tx.journal.reserveIds(3);
          expect(new Set(reserved).size).toBe(3);
          const appended = await tx.journal.append([
            { ...journalDraft(1, {}, 1), id: must(reserved[1]) },
            journalDraft(1, {}, 2),
            { ...journalDraft(1, {}, 3), id: must(reserved[0]) },
          ]);
          expect(appended[0]).toBe(reserved[1]);
          expect(appended[2]).toBe(reserved[0]);
          expect(reserved).not.toContain(appended[1]);
          return appended;
        });
        expect(await read((tx) => tx.journal.reserveIds(0))).toEqual([]);
        await h.store.sealJournal();
        expect((await read((tx) => tx.journal.findByIds(1, ids))).map((e) => e.id)).toEqual([...ids].sort((a, b) => a - b));
      });

      it('keeps nothing of a transaction that rolled back, and shows its events to that transaction alone', async () => {
        await expect(
          write(async (tx) => {
            await tx.journal.append([journalDraft(1, { entityId: 'gone' })]);
            const seen = await tx.journal.ofEntity({ companyId: 1, entityType: 'series', entityId: 'gone', limit: 10 });
            // Its own transaction sees it (placed already on SQLite, whose one writer places events
            // as they are written; not yet on PostgreSQL, where the sealer does after the COMMIT).
            expect(seen).toHaveLength(1);
            expect(must(seen[0]).position === null).toBe(h.store.engine === 'postgres');
            throw new Error('changed my mind');
          }),
        ).rejects.toThrow('changed my mind');
        await h.store.sealJournal();
        expect(await read((tx) => tx.journal.read({ after: 0, limit: 10 }))).toEqual([]);
        expect(await read((tx) => tx.journal.ofEntity({ companyId: 1, entityType: 'series', entityId: 'gone', limit: 10 }))).toEqual([]);
        expect(await read((tx) => tx.journal.hasUnsealed())).toBe(false);
        expect(await read((tx) => tx.journal.chainHead(1))).toBeNull();

        await commit([journalDraft(1)]);
        expect((await read((tx) => tx.journal.read({ after: 0, limit: 10 }))).map((e) => [e.position, e.seq])).toEqual([[1, 1]]);
      });

      it('places a transaction that read the journal before it committed by its commit, all its events together', async () => {
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const acknowledged: string[] = [];
        const late = write(async (tx) => {
          await tx.journal.append([journalDraft(1, { data: { n: 'B1' } })]);
          // Reading the journal writes this transaction's events before its commit.
          expect(await tx.journal.ofEntity({ companyId: 1, entityType: 'series', entityId: '1', limit: 10 })).toHaveLength(1);
          await gate;
          await tx.journal.append([journalDraft(1, { data: { n: 'B2' } })]);
        }).then(() => acknowledged.push('B'));
        await pause(20);
        // PostgreSQL commits this one meanwhile, and the other follows at once, before the seal
        // that this commit starts: both are placed by one seal. SQLite's one writer runs this one
        // after the other.
        const early = write((tx) => tx.journal.append([journalDraft(1, { data: { n: 'A' } })])).then(() => acknowledged.push('A'));
        await Promise.race([early, pause(50)]);
        release();
        await Promise.all([late, early]);
        await h.store.sealJournal();
        const events = await read((tx) => tx.journal.read({ after: 0, limit: 10 }));
        expect(events.map((e) => (e.data as { n: string }).n)).toEqual(acknowledged.flatMap((t) => (t === 'A' ? ['A'] : ['B1', 'B2'])));
      });

      it('round-trips every field, with JSON data, and a digest over the content', async () => {
        const drafts = [
          journalDraft(1, {
            actor: 'bob',
            station: 'ST-1',
            line: 'L2',
            plant: 'Plant "North"',
            reason: 'rework ✓',
            data: { serial: 'SN-1', sequence: '18446744073709551617', nested: [1, { deep: null }, true], text: 'Grüße' },
          }),
          journalDraft(1, { data: ['a', 2] }),
          journalDraft(1, { data: 'just text' }),
          journalDraft(1, { data: 0 }),
          journalDraft(1, { data: null }),
        ];
        await commit(drafts);
        const events = await read((tx) => tx.journal.read({ after: 0, limit: 10 }));
        expect(events.map(contentOf)).toEqual(drafts);
        for (const event of events) expect(event.digest).toMatch(/^[0-9a-f]{64}$/);
        const entries = await chain(1);
        expect(entries.map((e) => e.data)).toEqual(drafts.map((d) => d.data));
        verify(entries);
      });
    });

    describe('reading', () => {
      it('lists a chain forwards and backwards, with seq bounds, filters and a limit', async () => {
        await h.addCompany(2, 'second');
        await commit([
          journalDraft(1, { action: 'series.created', entityType: 'series', entityId: '1' }),
          journalDraft(1, { action: 'serials.generated', entityType: 'record', entityId: '10' }),
          journalDraft(2, { action: 'serials.generated', entityType: 'record', entityId: '10' }),
          journalDraft(1, { action: 'serials.generated', entityType: 'record', entityId: '11' }),
          journalDraft(1, { action: 'record.status_changed', entityType: 'record', entityId: '10' }),
          journalDraft(1, { action: 'series.updated', entityType: 'series', entityId: '1' }),
          journalDraft(1, { action: 'serials.generated', entityType: 'record', entityId: '12' }),
        ]);
        const list = async (filter: Partial<AuditFilter>) => (await chain(1, filter)).map((e) => e.seq);

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
        expect(await list({ action: 'serials.generated' })).toEqual([2, 3, 6]);
        expect(await list({ action: 'serials.generated', afterSeq: 2, limit: 1 })).toEqual([3]);
        expect(await list({ action: 'nothing.happened' })).toEqual([]);
        expect((await chain(2)).map((e) => e.seq)).toEqual([1]);
        expect((await chain(3)).map((e) => e.seq)).toEqual([]);
      });

      it('finds events by id and by entity, only within their company', async () => {
        await h.addCompany(2, 'second');
        const ids = await commit([
          journalDraft(1, { entityType: 'record', entityId: '7', action: 'serials.generated' }),
          journalDraft(2, { entityType: 'record', entityId: '7', action: 'serials.generated' }),
          journalDraft(1, { entityType: 'record', entityId: '7', action: 'record.status_changed' }),
          journalDraft(1, { entityType: 'record', entityId: '8', action: 'serials.generated' }),
        ]);
        const [a, b, c] = ids.map((id) => must(id));
        expect((await read((tx) => tx.journal.findByIds(1, [c!, 999_999, a!, b!]))).map((e) => e.id)).toEqual([a, c]);
        expect(await read((tx) => tx.journal.findByIds(1, []))).toEqual([]);
        const ofSeven = await read((tx) => tx.journal.ofEntity({ companyId: 1, entityType: 'record', entityId: '7', limit: 10 }));
        expect(ofSeven.map((e) => e.action)).toEqual(['serials.generated', 'record.status_changed']);
        expect(ofSeven.every((e) => e.position !== null)).toBe(true);
        const changes = await read((tx) =>
          tx.journal.ofEntity({ companyId: 1, entityType: 'record', entityId: '7', type: 'record.status_changed', limit: 10 }),
        );
        expect(changes.map((e) => e.id)).toEqual([c]);
        expect(await read((tx) => tx.journal.ofEntity({ companyId: 1, entityType: 'series', entityId: '7', limit: 10 }))).toEqual([]);
        expect(await read((tx) => tx.journal.ofEntity({ companyId: 1, entityType: 'record', entityId: '7', limit: 1 }))).toHaveLength(1);
      });

      it('reads after a position, with a limit, for every company or one', async () => {
        await h.addCompany(2, 'second');
        for (let n = 0; n < 6; n += 1) await commit([journalDraft(1 + (n % 2), { data: { n } }, n)]);
        const positions = async (filter: { after: number; limit: number; companyId?: number }) =>
          (await read((tx) => tx.journal.read(filter))).map((e) => e.position);
        expect(await positions({ after: 0, limit: 100 })).toEqual([1, 2, 3, 4, 5, 6]);
        expect(await positions({ after: 2, limit: 3 })).toEqual([3, 4, 5]);
        expect(await positions({ after: 6, limit: 3 })).toEqual([]);
        expect(await positions({ after: 0, limit: 100, companyId: 2 })).toEqual([2, 4, 6]);
        expect(await positions({ after: 2, limit: 1, companyId: 2 })).toEqual([4]);
      });
    });

    describe('followers\' positions', () => {
      it('keeps a named follower\'s position, which only moves forward', async () => {
        expect(await read((tx) => tx.journal.followerPosition('webhooks'))).toBeUndefined();
        await write((tx) => tx.journal.keepFollowerPosition('webhooks', 5, AT_LATER));
        expect(await read((tx) => tx.journal.followerPosition('webhooks'))).toBe(5);
        await write((tx) => tx.journal.keepFollowerPosition('webhooks', 9, AT_LATER));
        await write((tx) => tx.journal.keepFollowerPosition('webhooks', 7, AT_LATER));
        expect(await read((tx) => tx.journal.followerPosition('webhooks'))).toBe(9);
        expect(await read((tx) => tx.journal.followerPosition('publisher'))).toBeUndefined();
        // Kept with the follower's own writes: rolled back with them.
        await expect(
          write(async (tx) => {
            await tx.journal.keepFollowerPosition('webhooks', 12, AT_LATER);
            throw new Error('delivery failed');
          }),
        ).rejects.toThrow('delivery failed');
        expect(await read((tx) => tx.journal.followerPosition('webhooks'))).toBe(9);
      });
    });

    describe('a follower', () => {
      it('receives every committed event of concurrent writers once, in commit order, and none that rolled back', async () => {
        await h.addCompany(2, 'second');
        const writers = 24;
        const perWriter = 3;
        // Each writer's transaction records when it began and when its commit was acknowledged,
        // on one clock: a transaction acknowledged before another began must come first.
        let tick = 0;
        const spans = new Map<number, { began: number; committed: number }>();
        const received: JournalEvent[] = [];
        let writing = true;

        const follower = (async () => {
          let after = 0;
          for (;;) {
            // Whether the writers were done before this read began: only then does an empty page
            // mean the end (a read that began earlier may not see the last seal).
            const done = !writing;
            const page = await read((tx) => tx.journal.read({ after, limit: 7 }));
            received.push(...page);
            if (page.length > 0) after = must(page[page.length - 1]).position!;
            else if (done) return;
            else await pause(1);
          }
        })();

        await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            await pause(w % 5);
            const began = ++tick;
            const work = write(async (tx) => {
              const ids = await tx.journal.reserveIds(perWriter);
              // Later writers often commit first: ids are taken in one order, commits made in another.
              await pause((writers - w) % 4);
              await tx.journal.append(ids.map((id, i) => ({ ...journalDraft(1 + (w % 2), { data: { w, i } }), id })));
              if (w % 6 === 5) throw new Error(`writer ${w} rolls back`);
            });
            try {
              await work;
              spans.set(w, { began, committed: ++tick });
            } catch (error) {
              expect(String(error)).toContain('rolls back');
            }
          }),
        );
        await h.store.sealJournal();
        writing = false;
        await follower;

        const committed = [...spans.keys()];
        expect(committed).toHaveLength(writers - writers / 6);
        // Every event once, positions 1, 2, 3... with no hole, nothing of a rolled-back writer.
        expect(received.map((e) => e.position)).toEqual(received.map((_, i) => i + 1));
        expect(received).toHaveLength(committed.length * perWriter);
        const writerOf = (e: JournalEvent) => (e.data as { w: number }).w;
        expect(new Set(received.map(writerOf))).toEqual(new Set(committed));
        // Each transaction's events together and in the order it appended them.
        for (let i = 0; i < received.length; i += perWriter) {
          const group = received.slice(i, i + perWriter);
          expect(group.map(writerOf)).toEqual(Array(perWriter).fill(writerOf(must(group[0]))));
          expect(group.map((e) => (e.data as { i: number }).i)).toEqual([0, 1, 2]);
        }
        // Commit order: a transaction acknowledged before another began is read before it.
        const firstPosition = new Map<number, number>();
        for (const e of received) if (!firstPosition.has(writerOf(e))) firstPosition.set(writerOf(e), e.position!);
        for (const [a, spanA] of spans) {
          for (const [b, spanB] of spans) {
            if (spanA.committed < spanB.began) expect(firstPosition.get(a)!).toBeLessThan(firstPosition.get(b)!);
          }
        }
        // Both chains hold.
        verify(await chain(1));
        verify(await chain(2));
      });
    });
  });
}
