/**
 * Audit verification: how long `audit --verify` takes on a company with many records, against
 * reading every entry of the chain alone (the export's work) in the same run, on SQLite. The
 * difference is what holding every record and status change against its entry costs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSerialtrace } from '@serialtrace/service';
import { SqliteStore } from '@serialtrace/store';

const caller = { companyId: 1, actor: 'bench', station: 'BENCH-1' };
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

export interface AuditReport {
  readonly records: number;
  readonly statusChanges: number;
  readonly entries: number;
  readonly readChainMs: number;
  readonly verifyMs: number;
  readonly recordsPerSecond: number;
  readonly ratio: number;
}

export async function runAuditBench(options: { quick: boolean }): Promise<AuditReport> {
  const dir = mkdtempSync(join(tmpdir(), 'serialtrace-bench-audit-'));
  const store = SqliteStore.open({ path: join(dir, 'audit.db') });
  const app = createSerialtrace({ store, defaultTimeZone: 'UTC' });
  try {
    const requests = options.quick ? 20 : 200;
    const perRequest = 1000;
    await app.series.create(caller, { name: 'Units', format: 'U-{########}' });
    for (let i = 0; i < requests; i++) await app.generation.generate(caller, 'Units', { quantity: perRequest, workOrder: `WO-${i}`, metadata: { batch: i } });
    const changes = requests * 10;
    for (let i = 1; i <= changes; i++) await app.records.changeStatus(caller, `U-${String(i * 7).padStart(8, '0')}`, 'printed');

    const readChain = async () => {
      let n = 0;
      for await (const _ of app.audit.entries(caller)) n += 1;
      return n;
    };
    await readChain();
    let started = performance.now();
    const entries = await readChain();
    const readChainMs = performance.now() - started;
    started = performance.now();
    const result = await app.audit.verify(caller);
    const verifyMs = performance.now() - started;
    if (!result.valid) throw new Error(`the benchmark's chain does not verify: ${JSON.stringify(result.firstBreak)}`);
    return {
      records: result.recordsChecked,
      statusChanges: result.historyChecked,
      entries,
      readChainMs: round(readChainMs),
      verifyMs: round(verifyMs),
      recordsPerSecond: Math.round(result.recordsChecked / (verifyMs / 1000)),
      ratio: round(verifyMs / readChainMs, 2),
    };
  } finally {
    app.dispose();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printAuditReport(report: AuditReport): void {
  console.log('\nAudit verification (SQLite, one company)');
  console.log(`  ${report.records.toLocaleString('en')} records, ${report.statusChanges.toLocaleString('en')} status changes, ${report.entries.toLocaleString('en')} entries`);
  console.log(`  reading the chain alone: ${report.readChainMs} ms`);
  console.log(`  verify (chain, kept head, every record and change against its entry): ${report.verifyMs} ms, ${report.recordsPerSecond.toLocaleString('en')} records/s, ${report.ratio}x the chain alone`);
}
