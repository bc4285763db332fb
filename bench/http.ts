/**
 * HTTP benchmark: single-serial requests from 1, 16 and 64 concurrent keep-alive clients and
 * batches of 100, against the real server process on a fresh database, and the bare
 * single-transaction SQLite loop measured in the same run. Concurrent requests share commits
 * (group commit), so with 16 clients the server should answer more requests per second than
 * the bare loop manages durable transactions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { SerialtraceClient } from '@serialtrace/client';
import { BareSqlite } from './bare-sqlite.js';
import { startServerProcess } from './http-server-process.js';
import { measureInterleaved } from './stats.js';

export interface HttpCase {
  readonly name: string;
  readonly connections: number;
  readonly quantity: number;
  readonly serialsPerSecond: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly failures: number;
  /** requests per second over the bare loop's durable transactions per second */
  readonly ratioToBare: number;
}

export interface HttpReport {
  readonly bareTransactionsPerSecond: number;
  readonly cases: readonly HttpCase[];
  readonly target: { readonly ratioAt16: number; readonly p99Ms: number; readonly met: boolean };
}

const PASSWORD = 'bench-password-not-secret';

export async function runHttpBench(options: { seconds: number }): Promise<HttpReport> {
  const dir = mkdtempSync(join(tmpdir(), 'serialtrace-http-bench-'));
  try {
    // The disk's speed drifts over a run: the baseline is taken before and after the HTTP cases
    // and averaged, so neither side gets the disk's good or bad minute alone.
    const bare = new BareSqlite(join(dir, 'bare.db'));
    bare.issue(1);
    const bareOnce = async () =>
      (await measureInterleaved(1, [{ name: 'bare', once: () => bare.issue(1) }], { minSeconds: options.seconds / 2, minRequests: 500, slice: 200 })).get('bare')!
        .serialsPerSecond;
    const bareBefore = await bareOnce();
    const server = await startServerProcess({
      SERIALTRACE_DB: join(dir, 'server.db'),
      SERIALTRACE_ADMIN_PASSWORD: PASSWORD,
      SERIALTRACE_RATE_LIMIT: '0',
      SERIALTRACE_TIME_ZONE: 'UTC',
    });
    try {
      const login = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: PASSWORD }),
      });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const asAdmin = new SerialtraceClient({ baseUrl: server.url, headers: { cookie } });
      await asAdmin.call('createSeries', { body: { name: 'Bench', format: 'SN-{##########}' } });
      const { key } = await asAdmin.call('createApiKey', { body: { name: 'bench', role: 'operator' } });

      const cases: HttpCase[] = [];
      const plan = [
        { name: 'single serial, 1 client', connections: 1, quantity: 1 },
        { name: 'single serial, 16 clients', connections: 16, quantity: 1 },
        { name: 'single serial, 64 clients', connections: 64, quantity: 1 },
        { name: 'batch of 100, 16 clients', connections: 16, quantity: 100 },
      ];
      for (const c of plan) {
        const result = await autocannon({
          url: `${server.url}/api/v1/series/Bench/serials`,
          method: 'POST',
          connections: c.connections,
          duration: options.seconds,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify({ quantity: c.quantity }),
        });
        const requests = result['2xx'];
        const rps = requests / (result.duration || options.seconds);
        cases.push({
          ...c,
          requestsPerSecond: Math.round(rps),
          serialsPerSecond: Math.round(rps * c.quantity),
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          requests,
          failures: result.non2xx + result.errors + result.timeouts,
          ratioToBare: 0,
        });
      }
      const bareTps = (bareBefore + (await bareOnce())) / 2;
      bare.close();
      for (const c of cases) (c as { ratioToBare: number }).ratioToBare = Math.round((c.requestsPerSecond / bareTps) * 1000) / 1000;
      const at16 = cases.find((c) => c.connections === 16 && c.quantity === 1)!;
      return {
        bareTransactionsPerSecond: Math.round(bareTps),
        cases,
        target: { ratioAt16: 1, p99Ms: 20, met: at16.ratioToBare > 1 && at16.p99Ms < 20 && cases.every((c) => c.failures === 0) },
      };
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printHttpReport(report: HttpReport): void {
  console.log(`\nHTTP API (real server process, durable group commits)`);
  console.log(`  bare better-sqlite3 loop: ${report.bareTransactionsPerSecond} single-serial transactions/s (before and after the HTTP cases, averaged)`);
  for (const c of report.cases) {
    console.log(
      `  ${c.name.padEnd(26)} ${String(c.serialsPerSecond).padStart(8)} serials/s  ${String(c.requestsPerSecond).padStart(6)} req/s` +
        `  p50 ${c.p50Ms} ms  p99 ${c.p99Ms} ms  ${(c.ratioToBare * 100).toFixed(0)}% of bare req/s${c.failures > 0 ? `  ${c.failures} FAILED` : ''}`,
    );
  }
  console.log(
    `  target: 16 clients above the bare loop with p99 under ${report.target.p99Ms} ms: ${report.target.met ? 'met' : 'NOT met'}`,
  );
}
