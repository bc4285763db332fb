/**
 * Generation through the service against a bare better-sqlite3 loop with the same durability,
 * measured in one run on fresh databases, with the ratio of each pair.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSerialtrace } from '@serialtrace/service';
import { SqliteStore } from '@serialtrace/store';
import { BareSqlite } from './bare-sqlite.js';
import { measureInterleaved, type Measurement } from './stats.js';

interface Case {
  readonly name: string;
  readonly batch: number;
  readonly minSeconds: number;
  readonly minRequests: number;
  /** Requests per side before switching to the other. */
  readonly slice: number;
  readonly target: number;
}



const caller = { companyId: 1, actor: 'bench', station: 'BENCH-1' };

const cases = (quick: boolean): readonly Case[] => [
  { name: 'single serial per request', batch: 1, minSeconds: quick ? 1 : 4, minRequests: 1_000, slice: 200, target: 0.7 },
  { name: 'batch of 100', batch: 100, minSeconds: quick ? 1 : 3, minRequests: 100, slice: 20, target: 0.5 },
  { name: 'batch of 10,000', batch: 10_000, minSeconds: quick ? 1 : 3, minRequests: 6, slice: 1, target: 0.5 },
];

async function runCase(dir: string, c: Case, index: number): Promise<{ case: Case; bare: Measurement; service: Measurement }> {
  const bare = new BareSqlite(join(dir, `bare-${index}.db`));
  const store = SqliteStore.open({ path: join(dir, `service-${index}.db`) });
  const app = createSerialtrace({ store, defaultTimeZone: 'UTC' });
  await app.series.create(caller, { name: 'Bench', format: 'SN-{########}', minLength: 8 });
  // Warm both sides up so neither pays first-touch costs inside its measurement.
  for (let i = 0; i < 3; i++) {
    bare.issue(c.batch);
    await app.generation.generate(caller, 'Bench', { quantity: c.batch });
  }
  const results = await measureInterleaved(
    c.batch,
    [
      { name: 'bare', once: () => bare.issue(c.batch) },
      { name: 'service', once: () => app.generation.generate(caller, 'Bench', { quantity: c.batch }) },
    ],
    { minSeconds: c.minSeconds, minRequests: c.minRequests, slice: c.slice },
  );
  const bareResult = results.get('bare')!;
  const serviceResult = results.get('service')!;
  bare.close();
  await store.close();
  return { case: c, bare: bareResult, service: serviceResult };
}

export interface GenerationReport {
  readonly cases: readonly {
    readonly name: string;
    readonly batch: number;
    readonly bare: { serialsPerSecond: number; p50Ms: number; p99Ms: number; requests: number };
    readonly service: { serialsPerSecond: number; p50Ms: number; p99Ms: number; requests: number };
    readonly ratio: number;
    readonly target: number;
    readonly meetsTarget: boolean;
  }[];
}

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

export async function runGenerationBench(options: { quick: boolean }): Promise<GenerationReport> {
  const dir = mkdtempSync(join(tmpdir(), 'serialtrace-bench-'));
  try {
    const results = [];
    for (const [i, c] of cases(options.quick).entries()) results.push(await runCase(dir, c, i));
    return {
      cases: results.map((r) => ({
        name: r.case.name,
        batch: r.case.batch,
        bare: { serialsPerSecond: round(r.bare.serialsPerSecond), p50Ms: round(r.bare.p50Ms, 3), p99Ms: round(r.bare.p99Ms, 3), requests: r.bare.requests },
        service: {
          serialsPerSecond: round(r.service.serialsPerSecond),
          p50Ms: round(r.service.p50Ms, 3),
          p99Ms: round(r.service.p99Ms, 3),
          requests: r.service.requests,
        },
        ratio: round(r.service.serialsPerSecond / r.bare.serialsPerSecond, 3),
        target: r.case.target,
        meetsTarget: r.service.serialsPerSecond / r.bare.serialsPerSecond >= r.case.target,
      })),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printGenerationReport(report: GenerationReport): void {
  console.log('\nGeneration through the service (durable commits on both sides)');
  for (const c of report.cases) {
    console.log(`\n${c.name}`);
    console.log(`  bare better-sqlite3  ${c.bare.serialsPerSecond.toFixed(0).padStart(9)} serials/s   p50 ${c.bare.p50Ms} ms   p99 ${c.bare.p99Ms} ms`);
    console.log(`  serialtrace service  ${c.service.serialsPerSecond.toFixed(0).padStart(9)} serials/s   p50 ${c.service.p50Ms} ms   p99 ${c.service.p99Ms} ms`);
    console.log(`  ratio ${(c.ratio * 100).toFixed(1)}% of bare (target ${c.target * 100}%): ${c.meetsTarget ? 'met' : 'NOT met'}`);
  }
}
