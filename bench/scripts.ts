/**
 * Scripts: runs per second of a trivial script (through the service, which records and audits
 * every run, and in the bare sandbox), and serials per second generated from a script against
 * the same generation through the service directly, interleaved in one run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScriptEngine } from '@serialtrace/scripting';
import { createSerialtrace } from '@serialtrace/service';
import { SqliteStore } from '@serialtrace/store';
import { callsPerSecond, measureInterleaved } from './stats.js';

const caller = { companyId: 1, actor: 'bench', station: 'BENCH-1' };
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

export interface ScriptsReport {
  readonly trivial: { readonly sandboxRunsPerSecond: number; readonly serviceRunsPerSecond: number; readonly ratio: number };
  readonly generation: readonly {
    readonly name: string;
    readonly serialsPerRequest: number;
    readonly direct: { serialsPerSecond: number; p50Ms: number };
    readonly script: { serialsPerSecond: number; p50Ms: number };
    readonly ratio: number;
  }[];
}


export async function runScriptsBench(options: { quick: boolean }): Promise<ScriptsReport> {
  const dir = mkdtempSync(join(tmpdir(), 'serialtrace-bench-scripts-'));
  const store = SqliteStore.open({ path: join(dir, 'scripts.db') });
  const app = createSerialtrace({ store, defaultTimeZone: 'UTC', scriptLimits: { timeMs: 60_000, apiCalls: 100_000 } });
  const engine = await ScriptEngine.create();
  try {
    const seconds = options.quick ? 1 : 3;
    await app.series.create(caller, { name: 'Direct', format: 'D-{########}' });
    await app.series.create(caller, { name: 'Scripted', format: 'S-{########}' });
    const trivial = 'function main() { return 1; }';
    await app.scripts.save(caller, 'trivial', { source: trivial });
    await app.scripts.save(caller, 'batch', { source: `function main(c) { return manufacturing.generateSerials('Scripted', c.quantity).length; }` });
    await app.scripts.save(caller, 'one-by-one', {
      source: `function main(c) { for (let i = 0; i < c.quantity; i++) manufacturing.generateSerial('Scripted'); return c.quantity; }`,
    });
    for (let i = 0; i < 5; i++) {
      await app.scripts.run(caller, 'trivial');
      await engine.run({ name: 'trivial', source: trivial, context: {}, host: {} });
    }
    const sandboxRunsPerSecond = await callsPerSecond(seconds, () => engine.run({ name: 'trivial', source: trivial, context: {}, host: {} }));
    const serviceRunsPerSecond = await callsPerSecond(seconds, () => app.scripts.run(caller, 'trivial'));

    const generation = [];
    for (const c of [
      { name: 'one run of 1,000 serials (generateSerials) vs one request of 1,000', quantity: 1000, script: 'batch', slice: 2, minRequests: 10 },
      { name: 'one run of 100 single serials (generateSerial) vs 100 requests of 1', quantity: 100, script: 'one-by-one', slice: 2, minRequests: 10 },
    ]) {
      const direct =
        c.script === 'batch'
          ? () => app.generation.generate(caller, 'Direct', { quantity: c.quantity })
          : async () => {
              for (let i = 0; i < c.quantity; i++) await app.generation.generate(caller, 'Direct');
            };
      const results = await measureInterleaved(
        c.quantity,
        [
          { name: 'direct', once: direct },
          { name: 'script', once: () => app.scripts.run(caller, c.script, { context: { quantity: c.quantity } }) },
        ],
        { minSeconds: seconds, minRequests: c.minRequests, slice: c.slice },
      );
      const d = results.get('direct')!;
      const s = results.get('script')!;
      generation.push({
        name: c.name,
        serialsPerRequest: c.quantity,
        direct: { serialsPerSecond: round(d.serialsPerSecond), p50Ms: round(d.p50Ms, 2) },
        script: { serialsPerSecond: round(s.serialsPerSecond), p50Ms: round(s.p50Ms, 2) },
        ratio: round(s.serialsPerSecond / d.serialsPerSecond, 3),
      });
    }
    return {
      trivial: { sandboxRunsPerSecond: round(sandboxRunsPerSecond), serviceRunsPerSecond: round(serviceRunsPerSecond), ratio: round(serviceRunsPerSecond / sandboxRunsPerSecond, 3) },
      generation,
    };
  } finally {
    engine.dispose();
    app.dispose();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printScriptsReport(report: ScriptsReport): void {
  console.log('\nScripts (QuickJS sandbox, one transaction per run, every run recorded and audited)');
  console.log(`  trivial script, bare sandbox    ${report.trivial.sandboxRunsPerSecond.toFixed(0).padStart(7)} runs/s`);
  console.log(`  trivial script, through service ${report.trivial.serviceRunsPerSecond.toFixed(0).padStart(7)} runs/s  (${(report.trivial.ratio * 100).toFixed(1)}% of the bare sandbox)`);
  for (const g of report.generation) {
    console.log(`\n${g.name}`);
    console.log(`  service directly ${g.direct.serialsPerSecond.toFixed(0).padStart(9)} serials/s   p50 ${g.direct.p50Ms} ms`);
    console.log(`  from a script    ${g.script.serialsPerSecond.toFixed(0).padStart(9)} serials/s   p50 ${g.script.p50Ms} ms`);
    console.log(`  ratio ${(g.ratio * 100).toFixed(1)}% of direct`);
  }
}
