/**
 * Randomised serials against sequential ones through the service (same GTIN-bound format, same
 * durable commits, interleaved in one run), the keyed permutation alone, and label renders per
 * second (PNG, ZPL and PDF of the built-in GS1 product label) against bwip-js drawing the same
 * GS1 DataMatrix alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import bwipjs from 'bwip-js';
import { builtInTemplate, renderLabel, type LabelData } from '@serialtrace/labels';
import { createSerialtrace, newSeriesKey, seriesPermutation } from '@serialtrace/service';
import { SqliteStore } from '@serialtrace/store';
import { callsPerSecond, measureInterleaved } from './stats.js';

const caller = { companyId: 1, actor: 'bench', station: 'BENCH-1' };
const GTIN = '09520123456788';
const MASTER_KEY = 'c'.repeat(64);
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

export interface Gs1Report {
  readonly generation: readonly {
    readonly batch: number;
    readonly sequential: { serialsPerSecond: number; p50Ms: number; p99Ms: number };
    readonly randomised: { serialsPerSecond: number; p50Ms: number; p99Ms: number };
    readonly ratio: number;
  }[];
  readonly permutation: { readonly oneAtATime: number; readonly batchesOf1000: number };
  readonly labels: readonly { readonly format: string; readonly rendersPerSecond: number; readonly bytes: number; readonly ratioToBareBarcode: number }[];
  readonly bareBarcodePngPerSecond: number;
}

async function generation(quick: boolean): Promise<Gs1Report['generation']> {
  const dir = mkdtempSync(join(tmpdir(), 'serialtrace-bench-gs1-'));
  try {
    const store = SqliteStore.open({ path: join(dir, 'gs1.db') });
    const app = createSerialtrace({ store, defaultTimeZone: 'UTC', masterKey: MASTER_KEY });
    // 12 digits: a period may issue 10^8 randomised serials under the 1 in 10,000 bound.
    await app.series.create(caller, { name: 'Sequential', format: 'S{############}', gtin: GTIN });
    await app.series.create(caller, { name: 'Randomised', format: 'R{############}', gtin: GTIN, randomized: true });
    const out = [];
    for (const [batch, slice, minRequests] of [
      [1, 200, 1000],
      [100, 20, 100],
      [10_000, 1, 6],
    ] as const) {
      for (let i = 0; i < 3; i++) {
        await app.generation.generate(caller, 'Sequential', { quantity: batch });
        await app.generation.generate(caller, 'Randomised', { quantity: batch });
      }
      const results = await measureInterleaved(
        batch,
        [
          { name: 'sequential', once: () => app.generation.generate(caller, 'Sequential', { quantity: batch, lot: 'L1' }) },
          { name: 'randomised', once: () => app.generation.generate(caller, 'Randomised', { quantity: batch, lot: 'L1' }) },
        ],
        { minSeconds: quick ? 1 : 3, minRequests, slice },
      );
      const s = results.get('sequential')!;
      const r = results.get('randomised')!;
      out.push({
        batch,
        sequential: { serialsPerSecond: round(s.serialsPerSecond), p50Ms: round(s.p50Ms, 3), p99Ms: round(s.p99Ms, 3) },
        randomised: { serialsPerSecond: round(r.serialsPerSecond), p50Ms: round(r.p50Ms, 3), p99Ms: round(r.p99Ms, 3) },
        ratio: round(r.serialsPerSecond / s.serialsPerSecond, 3),
      });
    }
    await store.close();
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}


function permutation(quick: boolean): Gs1Report['permutation'] {
  const p = seriesPermutation(newSeriesKey(), 10n ** 12n);
  const seconds = quick ? 0.5 : 2;
  let n = 0n;
  let start = performance.now();
  while (performance.now() - start < seconds * 1000) p.permute(n++, '*');
  const oneAtATime = Number(n) / ((performance.now() - start) / 1000);
  let done = 0;
  start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    const indices = Array.from({ length: 1000 }, (_, i) => BigInt(done + i));
    p.permuteMany(indices, '*');
    done += 1000;
  }
  return { oneAtATime: round(oneAtATime, 0), batchesOf1000: round(done / ((performance.now() - start) / 1000), 0) };
}

async function labels(quick: boolean): Promise<Pick<Gs1Report, 'labels' | 'bareBarcodePngPerSecond'>> {
  const template = builtInTemplate('gs1-product')!;
  const data: LabelData = {
    serial: 'R104729388471',
    gtin: GTIN,
    lot: 'L1',
    expiry: '2027-03-31',
    bracketed: `(01)${GTIN}(17)270331(10)L1(21)R104729388471`,
    elementString: `01${GTIN}1727033110L1\u001d21R104729388471`,
  };
  const seconds = quick ? 1 : 3;
  const bare = await callsPerSecond(seconds, () => bwipjs.toBuffer({ bcid: 'gs1datamatrix', text: data.bracketed!, scale: 5 }));
  const out = [];
  for (const format of ['png', 'zpl', 'pdf'] as const) {
    let bytes = 0;
    const perSecond = await callsPerSecond(seconds, async () => {
      bytes = (await renderLabel(template, data, format)).bytes.byteLength;
    });
    out.push({ format, rendersPerSecond: round(perSecond, 0), bytes, ratioToBareBarcode: round(perSecond / bare, 2) });
  }
  return { labels: out, bareBarcodePngPerSecond: round(bare, 0) };
}

export async function runGs1Bench(options: { quick: boolean }): Promise<Gs1Report> {
  return { generation: await generation(options.quick), permutation: permutation(options.quick), ...(await labels(options.quick)) };
}

export function printGs1Report(report: Gs1Report): void {
  console.log('\nRandomised against sequential serials (GTIN-bound, 12-digit space, durable commits, interleaved)');
  for (const c of report.generation) {
    console.log(`\nbatch of ${c.batch.toLocaleString('en')}`);
    console.log(`  sequential  ${c.sequential.serialsPerSecond.toFixed(0).padStart(9)} serials/s   p50 ${c.sequential.p50Ms} ms   p99 ${c.sequential.p99Ms} ms`);
    console.log(`  randomised  ${c.randomised.serialsPerSecond.toFixed(0).padStart(9)} serials/s   p50 ${c.randomised.p50Ms} ms   p99 ${c.randomised.p99Ms} ms`);
    console.log(`  ratio ${(c.ratio * 100).toFixed(1)}% of sequential`);
  }
  console.log(`\nFF1 permutation of a 10^12 space: ${report.permutation.oneAtATime.toLocaleString('en')}/s one at a time, ${report.permutation.batchesOf1000.toLocaleString('en')}/s in batches of 1,000`);
  console.log(`\nLabel renders (built-in gs1-product, 50x30 mm; baseline: bwip-js drawing the GS1 DataMatrix alone to PNG, ${report.bareBarcodePngPerSecond.toLocaleString('en')}/s)`);
  for (const l of report.labels) {
    console.log(`  ${l.format.padEnd(4)} ${l.rendersPerSecond.toLocaleString('en').padStart(7)} renders/s   ${l.bytes.toLocaleString('en').padStart(7)} bytes   ${l.ratioToBareBarcode}x the bare barcode`);
  }
}
