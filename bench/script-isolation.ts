/**
 * Script isolation, against the real server process (the built binary) on a fresh SQLite file:
 * how `/health` and another company's read answer while a run loops or allocates, against the
 * same probes with no run (measured in the same process, just before); how long after its time
 * limit each kind of runaway run ends; how long a writer waits for a run that holds the
 * transaction and for one that never touches the store; and the server's resident memory
 * before, during and after a memory bomb.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScriptEngine } from '@serialtrace/scripting';
import { startServerProcess } from './http-server-process.js';
import { percentile } from './stats.js';

const PASSWORD = 'bench-password-not-secret';
const TIME_LIMIT_MS = 5_000;
const MEMORY_LIMIT_MB = 64;
/** How long into a run the writers come. */
const WRITER_DELAY_MS = 500;
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

const SCRIPTS = {
  spin: 'function main() { while (true) {} }',
  'string-bomb': 'function main() { const a = []; for (;;) a.push("x".repeat(1e6)); }',
  'array-bomb': 'function main() { const a = []; for (let i = 0; i < 150; i++) a.push(new Array(1e6).fill(i + .5)); return a.length }',
  'long-builtin': 'function main() { for (;;) "x".repeat(4e6) }',
  'issue-then-spin': "function main() { manufacturing.generateSerial('Widgets'); while (true) {} }",
  noop: 'function main() { return 1 }',
} as const;
type ScriptName = keyof typeof SCRIPTS;

export interface ProbeFigures {
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface ScriptIsolationReport {
  readonly limits: { readonly timeMs: number; readonly memoryMb: number };
  /** The probes with no run, just before the others. */
  readonly baseline: { readonly health: ProbeFigures; readonly otherCompanyRead: ProbeFigures };
  readonly probes: readonly {
    readonly during: string;
    readonly health: ProbeFigures;
    readonly otherCompanyRead: ProbeFigures;
    /** p99 during the run over p99 with no run */
    readonly healthP99Ratio: number;
    readonly readP99Ratio: number;
  }[];
  readonly runs: readonly { readonly script: string; readonly code: string; readonly elapsedMs: number; readonly pastLimitMs: number }[];
  readonly writers: readonly { readonly during: string; readonly code: string; readonly sameCompanyWaitMs: number; readonly otherCompanyWaitMs: number; readonly baselineMs: number }[];
  readonly rssMb: { readonly before: number; readonly peak: number; readonly after: number };
  /** Probes and writes that failed (none expected). */
  readonly failures: number;
  /** The engine alone, with a memory limit so high that only time ends the bombs. */
  readonly timeBound: { readonly limitMs: number; readonly memoryMb: number; readonly runs: readonly { readonly script: string; readonly code: string; readonly pastLimitMs: number }[] };
}

/** Runs each runaway script in the engine alone with a 1 s limit and 1.5 GiB of memory: how long past its limit does each end? */
async function timeBoundRuns(): Promise<ScriptIsolationReport['timeBound']> {
  const limitMs = 1_000;
  const memoryMb = 1_536;
  const engine = await ScriptEngine.create({ poolSize: 1 });
  try {
    const runs = [];
    const sources = {
      spin: SCRIPTS.spin,
      'string-bomb': SCRIPTS['string-bomb'],
      'array-bomb': 'function main() { const a = []; for (let i = 0; ; i++) a.push(new Array(1e6).fill(i + .5)) }',
      'long-builtin': SCRIPTS['long-builtin'],
    };
    for (const [script, source] of Object.entries(sources)) {
      // A warm worker for each: the one a run's watchdog ended is replaced meanwhile.
      await engine.run({ name: 'noop', source: SCRIPTS.noop, context: null, host: {} });
      const started = performance.now();
      const outcome = await engine.run({ name: script, source, context: null, host: {}, limits: { timeMs: limitMs, memoryBytes: memoryMb * 1024 * 1024 } });
      runs.push({ script, code: outcome.ok ? 'ok' : outcome.error.code, pastLimitMs: round(performance.now() - started - limitMs) });
    }
    return { limitMs, memoryMb, runs };
  } finally {
    engine.dispose();
  }
}

export async function runScriptIsolationBench(options: { quick: boolean }): Promise<ScriptIsolationReport> {
  const dir = mkdtempSync(join(tmpdir(), 'serialtrace-bench-isolation-'));
  const server = await startServerProcess({
    SERIALTRACE_DB: join(dir, 'server.db'),
    SERIALTRACE_ADMIN_PASSWORD: PASSWORD,
    SERIALTRACE_RATE_LIMIT: '0',
    SERIALTRACE_TIME_ZONE: 'UTC',
    SERIALTRACE_SCRIPT_TIME_LIMIT_MS: String(TIME_LIMIT_MS),
    SERIALTRACE_SCRIPT_MEMORY_LIMIT_MB: String(MEMORY_LIMIT_MB),
  });
  const rssMb = () => {
    const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
    return round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  };
  try {
    const call = async (cookie: string, method: string, path: string, body?: unknown) => {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    };
    const login = async (username: string, password: string) => {
      const response = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      return response.headers.get('set-cookie')!.split(';')[0]!;
    };
    const admin = await login('admin', PASSWORD);
    await call(admin, 'POST', '/api/v1/companies', { name: 'Other', adminUsername: 'other-admin', adminPassword: PASSWORD });
    const other = await login('other-admin', PASSWORD);
    await call(admin, 'POST', '/api/v1/series', { name: 'Widgets', format: 'W-{######}' });
    await call(other, 'POST', '/api/v1/series', { name: 'Gadgets', format: 'G-{######}' });
    for (const [name, source] of Object.entries(SCRIPTS)) await call(admin, 'PUT', `/api/v1/scripts/${name}`, { source });
    // The sandbox workers start with the first script saved; let them warm up, and the server too.
    for (let i = 0; i < 3; i++) await call(admin, 'POST', '/api/v1/scripts/noop/runs', {});

    let failures = 0;
    /** How long `work` took; a request that failed (a connection reset by a stalled server) counts too. */
    const timed = async (work: () => Promise<unknown>) => {
      const started = performance.now();
      try {
        await work();
      } catch {
        failures += 1;
      }
      return performance.now() - started;
    };
    /** Sends /health and another company's series list one after the other until `until` settles. */
    const probe = async (until: Promise<unknown>) => {
      let over = false;
      void until.finally(() => {
        over = true;
      });
      const health: number[] = [];
      const read: number[] = [];
      while (!over) {
        health.push(await timed(() => call(admin, 'GET', '/health')));
        read.push(await timed(() => call(other, 'GET', '/api/v1/series')));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const figures = (list: number[]): ProbeFigures => {
        const sorted = [...list].sort((a, b) => a - b);
        return { requests: list.length, p50Ms: round(percentile(sorted, 50), 2), p99Ms: round(percentile(sorted, 99), 2), maxMs: round(sorted.at(-1) ?? 0, 2) };
      };
      return { health: figures(health), otherCompanyRead: figures(read) };
    };
    const runScript = (name: ScriptName) => {
      const started = performance.now();
      return call(admin, 'POST', `/api/v1/scripts/${name}/runs`, {}).then(
        ({ json }) => ({ code: typeof json['code'] === 'string' ? json['code'] : 'ok', elapsedMs: performance.now() - started }),
        () => {
          failures += 1;
          return { code: 'request failed', elapsedMs: performance.now() - started };
        },
      );
    };
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    await probe(sleep(500));
    const baseline = await probe(sleep(options.quick ? 1_000 : 3_000));
    const probes = [];
    const runs = [];
    for (const name of ['spin', 'string-bomb', 'array-bomb', 'long-builtin'] as const) {
      const run = runScript(name);
      const during = await probe(run);
      const ended = await run;
      runs.push({ script: name, code: ended.code, elapsedMs: round(ended.elapsedMs), pastLimitMs: round(ended.elapsedMs - TIME_LIMIT_MS) });
      probes.push({
        during: name,
        ...during,
        healthP99Ratio: round(during.health.p99Ms / baseline.health.p99Ms, 2),
        readP99Ratio: round(during.otherCompanyRead.p99Ms / baseline.otherCompanyRead.p99Ms, 2),
      });
      await sleep(1_000);
    }

    const generate = (cookie: string, series: string) => timed(() => call(cookie, 'POST', `/api/v1/series/${series}/serials`, {}));
    const writerBaseline = (await generate(admin, 'Widgets')) + (await generate(other, 'Gadgets'));
    const writers = [];
    for (const name of ['spin', 'issue-then-spin'] as const) {
      // Both workers loaded and warm (a terminated one is replaced in the background).
      await Promise.all([runScript('noop'), runScript('noop')]);
      const run = runScript(name);
      // The run has started and, for issue-then-spin, made its call: it holds the writer now.
      await sleep(WRITER_DELAY_MS);
      const [sameCompanyWaitMs, otherCompanyWaitMs] = await Promise.all([generate(admin, 'Widgets'), generate(other, 'Gadgets')]);
      const { code } = await run;
      writers.push({ during: name, code, sameCompanyWaitMs: round(sameCompanyWaitMs), otherCompanyWaitMs: round(otherCompanyWaitMs), baselineMs: round(writerBaseline / 2) });
      await sleep(500);
    }

    await sleep(1_000);
    const before = rssMb();
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMb());
    }, 20);
    await runScript('array-bomb');
    clearInterval(sampler);
    await sleep(1_000);
    const rss = { before, peak, after: rssMb() };
    return { limits: { timeMs: TIME_LIMIT_MS, memoryMb: MEMORY_LIMIT_MB }, baseline, probes, runs, writers, rssMb: rss, failures, timeBound: await timeBoundRuns() };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printScriptIsolationReport(report: ScriptIsolationReport): void {
  console.log(`\nScript isolation (the server process; runs limited to ${report.limits.timeMs} ms and ${report.limits.memoryMb} MiB)`);
  const line = (label: string, f: ProbeFigures) => `${label.padEnd(22)} p50 ${f.p50Ms.toFixed(2).padStart(7)} ms  p99 ${f.p99Ms.toFixed(2).padStart(7)} ms  max ${f.maxMs.toFixed(2).padStart(8)} ms  (${f.requests} requests)`;
  console.log('  no run');
  console.log(`    ${line('/health', report.baseline.health)}`);
  console.log(`    ${line('other company read', report.baseline.otherCompanyRead)}`);
  for (const p of report.probes) {
    console.log(`  during ${p.during}`);
    console.log(`    ${line('/health', p.health)}  p99 x${p.healthP99Ratio}`);
    console.log(`    ${line('other company read', p.otherCompanyRead)}  p99 x${p.readP99Ratio}`);
  }
  console.log('  runaway runs (elapsed at the client; past the time limit when positive)');
  for (const r of report.runs) console.log(`    ${r.script.padEnd(14)} ${r.code.padEnd(24)} ${r.elapsedMs.toFixed(0).padStart(6)} ms  (${r.pastLimitMs >= 0 ? '+' : ''}${r.pastLimitMs.toFixed(0)} ms)`);
  console.log(`  a writer that comes ${WRITER_DELAY_MS} ms into a run waits (no run: about the baseline)`);
  for (const w of report.writers) {
    console.log(`    during ${w.during.padEnd(16)} (${w.code}) same company ${w.sameCompanyWaitMs.toFixed(1).padStart(7)} ms   other company ${w.otherCompanyWaitMs.toFixed(1).padStart(7)} ms   (baseline ${w.baselineMs} ms)`);
  }
  console.log(`  server RSS around the array bomb: ${report.rssMb.before} MB before, ${report.rssMb.peak} MB at most, ${report.rssMb.after} MB a second after`);
  console.log(`  requests that failed: ${report.failures}`);
  const t = report.timeBound;
  console.log(`  the engine alone, ${t.limitMs} ms and ${t.memoryMb} MiB, so that time ends the bombs (ms past the limit)`);
  for (const r of t.runs) console.log(`    ${r.script.padEnd(14)} ${r.code.padEnd(24)} ${r.pastLimitMs >= 0 ? '+' : ''}${r.pastLimitMs.toFixed(0)} ms`);
}
