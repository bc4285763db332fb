import { createSerialtrace, journalEventView, type Caller, type Serialtrace } from '@serialtrace/service';
import type { JournalEvent } from '@serialtrace/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES } from './engines.js';
import { ManualClock, refused } from './harness.js';

const caller: Caller = { companyId: 1, actor: 'tester', station: 'ST-1' };

/**
 * The journal's readers: a follower on one server receives what every server commits, in commit
 * order, exactly once, while generation runs on both; the page reader answers the same events.
 */
for (const engine of ENGINES) {
  describe(`the journal (${engine.name})`, () => {
    let a: Serialtrace;
    let b: Serialtrace;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      const opened = engine.open();
      cleanup = opened.cleanup;
      const clock = new ManualClock('2025-06-15T10:00:00Z');
      a = createSerialtrace({ store: opened.stores(), clock, defaultTimeZone: 'UTC' });
      b = createSerialtrace({ store: opened.stores(), clock, defaultTimeZone: 'UTC' });
      await a.series.create(caller, { name: 'Widgets', format: 'W-{######}' });
      await a.series.create(caller, { name: 'Gadgets', format: 'G-{######}' });
    });
    afterEach(async () => {
      await cleanup();
    });

    it('follows every server\'s commits in order, each event once, while they are being written', async () => {
      const stop = new AbortController();
      const received: JournalEvent[] = [];
      const requests = 40;
      const follower = (async () => {
        for await (const page of a.journal.follow({ after: 0, pageSize: 7, pollMs: 20, signal: stop.signal })) {
          received.push(...page);
          if (received.filter((e) => e.action === 'serials.generated').length === requests) stop.abort();
        }
      })();
      await Promise.all(
        Array.from({ length: requests }, (_, i) => (i % 2 === 0 ? a : b).generation.generate(caller, i % 3 === 0 ? 'Gadgets' : 'Widgets', { quantity: 1 + (i % 3) })),
      );
      await follower;

      expect(received.map((e) => e.position)).toEqual(received.map((_, i) => i + 1));
      const page = await b.journal.read(caller, { after: 0, limit: 1000 });
      expect(page.events).toEqual(received.map(journalEventView));
      expect(page.next).toBe(received.length);
      // Every serial issued is in exactly one event.
      const serials = received.flatMap((e) => (e.action === 'serials.generated' ? (e.data as { serials: string[] }).serials : []));
      expect(serials).toHaveLength(new Set(serials).size);
      expect(serials).toHaveLength(Array.from({ length: requests }, (_, i) => 1 + (i % 3)).reduce((x, y) => x + y, 0));
    });

    it('ends when its signal aborts, even while it waits', async () => {
      const stop = new AbortController();
      const pages: number[] = [];
      const follower = (async () => {
        for await (const page of a.journal.follow({ after: 0, pollMs: 60_000, signal: stop.signal })) pages.push(page.length);
      })();
      await new Promise((resolve) => setTimeout(resolve, 50));
      stop.abort();
      await follower;
      // The two series created before it began, in one page or two (as they were sealed).
      expect(pages.reduce((x, y) => x + y, 0)).toBe(2);
    });

    it('resumes a named follower where it kept its position, on any server', async () => {
      expect(await a.journal.keptPosition('publisher')).toBe(0);
      const handled = await a.journal.read(caller, { after: await a.journal.keptPosition('publisher') });
      await a.journal.keepPosition('publisher', handled.next);
      const kept = await b.journal.keptPosition('publisher');
      expect(kept).toBe(handled.events.at(-1)!.position);
      await b.generation.generate(caller, 'Widgets');
      const next = b.journal.follow({ after: kept });
      const page = (await next.next()).value as readonly JournalEvent[];
      await next.return(undefined);
      expect(page.map((e) => e.action)).toEqual(['serials.generated']);
      await a.journal.keepPosition('publisher', kept - 1);
      expect(await a.journal.keptPosition('publisher')).toBe(kept);
      await refused(a.journal.keepPosition('publisher', -1), 'VALUE_INVALID');
    });

    it('reads pages after a position and refuses bad bounds', async () => {
      const first = await a.journal.read(caller, { limit: 1 });
      expect(first.events.map((e) => e.type)).toEqual(['series.created']);
      expect(first.next).toBe(first.events[0]!.position);
      expect((await a.journal.read(caller, { after: first.next })).events.map((e) => e.entity)).toEqual([{ type: 'series', id: expect.any(String) }]);
      await refused(a.journal.read(caller, { after: -1 }), 'VALUE_INVALID');
      await refused(a.journal.read(caller, { limit: 1001 }), 'VALUE_INVALID');
      await refused(a.journal.read(caller, { limit: 1.5 }), 'VALUE_INVALID');
      // Another company's reader sees none of it.
      expect((await a.journal.read({ ...caller, companyId: 2 })).events).toEqual([]);
    });
  });
}
