import { describe, expect, it } from 'vitest';
import { IdBlocks } from '../src/postgres/pg-session.js';

/*
 * Ids drawn a block at a time from a sequence. The sealer keeps one transaction's events in id
 * order, so the ids one caller takes must rise in the order it takes them, even when two draws
 * overlap and the later one comes back first.
 */
describe('PostgreSQL id blocks', () => {
  it('hands out rising ids in one take when overlapping draws come back out of order', async () => {
    const blocks = new IdBlocks(4);
    let next = 1;
    const pending: (() => void)[] = [];
    // Each draw takes its values from the sequence at once; the first two answer only when released.
    const draw = (n: number) => {
      const values = Array.from({ length: n }, () => ({ id: next++ }));
      if (pending.length >= 2) return Promise.resolve(values);
      return new Promise<{ id: number }[]>((resolve) => pending.push(() => resolve(values)));
    };
    const first = blocks.take('journal', 3, draw); // draws 1-4
    const second = blocks.take('journal', 3, draw); // draws 5-8
    pending[1]!();
    expect(await second).toEqual([5, 6, 7]);
    pending[0]!();
    const firstIds = await first;
    const third = await blocks.take('journal', 3, draw);
    const takes = [[5, 6, 7], firstIds, third];
    // Each take rises, and each take is above the one before: a transaction's takes rise too.
    for (const ids of takes) expect(ids).toEqual([...ids].sort((a, b) => a - b));
    for (let i = 1; i < takes.length; i++) expect(takes[i]![0]!).toBeGreaterThan(takes[i - 1]!.at(-1)!);
    // Nothing twice.
    const all = takes.flat();
    expect(new Set(all).size).toBe(all.length);
  });
});
