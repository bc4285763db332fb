/**
 * Generation on PostgreSQL: the service in one process on one store (the default pool), with
 * gapless and leased series, against bare node-postgres transactions doing the least a durable
 * serial issue needs, with a pool of the same size. Every combination of request size (1 and 100
 * serials), concurrent clients (1, 16, 64) and series (all on one, or spread over 16) is measured
 * on fresh schemas, and each service case is checked for duplicates before its figure counts.
 */
import { randomBytes } from 'node:crypto';
import { createSerialtrace, type GenerateResult } from '@serialtrace/service';
import { DEFAULT_POOL_SIZE, PgStore, redactUrl } from '@serialtrace/store';
import pg from 'pg';
import { BarePostgres } from './bare-postgres.js';
import { runClients, summarise, type ClientsMeasurement, type ClientsWindow } from './concurrent-clients.js';

const DEFAULT_URL = 'postgres://root@127.0.0.1:5432/test';
const LEASE_SIZE = 100;
const QUANTITIES = [1, 100] as const;
const CLIENTS = [1, 16, 64] as const;
const SERIES = [1, 16] as const;
const SIDES = ['bare', 'gapless', 'leased'] as const;
type Side = (typeof SIDES)[number];

/** Gapless single-serial requests on one series against the bare transactions, at every concurrency. */
const GAPLESS_TO_BARE_TARGET = 0.7;
/** Gapless against bare over 16 series: single serials from 64 clients, and batches of 100 from 16 and 64. */
const SPREAD_TARGETS = [
  { quantity: 1, clients: 64, series: 16, target: 0.6 },
  { quantity: 100, clients: 16, series: 16, target: 0.5 },
  { quantity: 100, clients: 64, series: 16, target: 0.5 },
] as const;
/** Leased against gapless, single-serial requests from 64 clients. */
const LEASED_TO_GAPLESS_TARGET = 5;
const LEASED_TARGET_CLIENTS = 64;

const caller = { companyId: 1, actor: 'bench', station: 'BENCH-1' };

export interface PostgresSide {
  readonly serialsPerSecond: number;
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** requests that failed (each is printed once per case) */
  readonly failures: number;
}

export interface PostgresCase {
  readonly quantity: number;
  readonly clients: number;
  readonly series: number;
  readonly bare: PostgresSide;
  readonly gapless: PostgresSide;
  readonly leased: PostgresSide;
  readonly gaplessToBare: number;
  readonly leasedToGapless: number;
  /** What the checks after the case found wrong: duplicates, gaps, lost records, failed requests. */
  readonly problems: readonly string[];
}

export type PostgresReport =
  | { readonly skipped: string }
  | {
      readonly database: string;
      readonly poolSize: number;
      readonly leaseSize: number;
      readonly secondsPerSide: number;
      readonly warmupSeconds: number;
      readonly cases: readonly PostgresCase[];
      readonly targets: {
        readonly gaplessToBare: {
          readonly target: number;
          readonly quantity: 1;
          readonly series: 1;
          readonly byClients: readonly { readonly clients: number; readonly ratio: number; readonly met: boolean }[];
          readonly met: boolean;
        };
        /** Series do not wait for each other: gapless over 16 series against bare. */
        readonly spread: readonly { readonly quantity: number; readonly clients: number; readonly series: number; readonly target: number; readonly ratio: number; readonly met: boolean }[];
        readonly leasedToGapless: {
          readonly target: number;
          readonly clients: number;
          readonly series: 1;
          readonly ratio: number;
          readonly met: boolean;
          /** Not a target: the same comparison for batches of 100, and over 16 series. */
          readonly batchOf100: number;
          readonly singleOver16Series: number;
        };
      };
    };

/** One way of issuing serials, with what it answered kept for the checks. */
interface Contender {
  readonly once: (client: number, n: number) => Promise<number>;
  readonly window: ClientsWindow;
  readonly answers: Map<number, (readonly string[])[]>;
  failures: number;
  firstFailure: string | undefined;
  /** Problems the database shows after the case: lost or extra records, gaps where none may be. */
  check(admin: pg.Client): Promise<string[]>;
  close(): Promise<void>;
}

interface Cell {
  readonly quantity: number;
  readonly clients: number;
  readonly series: number;
}

interface Timing {
  readonly seconds: number;
  readonly warmupSeconds: number;
}

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

/** The series a request goes to: client i keeps series i mod `series`, and a lone client cycles through them. */
const seriesOf = (cell: Cell, client: number, n: number) => (client + n * cell.clients) % cell.series;

function freshSchema(): string {
  return `bench_${randomBytes(6).toString('hex')}`;
}

function contender(issue: (series: number, quantity: number) => Promise<readonly string[]>, cell: Cell, check: Contender['check'], close: Contender['close']): Contender {
  const c: Contender = {
    window: { latenciesMs: [], serials: 0, seconds: 0 },
    answers: new Map(),
    failures: 0,
    firstFailure: undefined,
    once: async (client, n) => {
      const series = seriesOf(cell, client, n);
      try {
        const serials = await issue(series, cell.quantity);
        // Kept by reference; the serials are compared only after the measurement.
        let list = c.answers.get(series);
        if (list === undefined) c.answers.set(series, (list = []));
        list.push(serials);
        return serials.length;
      } catch (error) {
        c.failures += 1;
        c.firstFailure ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        return 0;
      }
    },
    check,
    close,
  };
  return c;
}

/** The answers' own problems: a serial answered twice, or a request answered short. */
function answerProblems(side: Side, c: Contender, quantity: number): { problems: string[]; issued: number } {
  const problems: string[] = [];
  let issued = 0;
  for (const [series, lists] of c.answers) {
    const seen = new Set<string>();
    let count = 0;
    for (const serials of lists) {
      if (serials.length !== quantity) problems.push(`${side}: a request for ${quantity} got ${serials.length} serials`);
      for (const serial of serials) seen.add(serial);
      count += serials.length;
    }
    if (seen.size !== count) problems.push(`${side}: series ${series + 1} answered ${count} serials of which ${seen.size} distinct`);
    issued += count;
  }
  if (c.failures > 0) problems.push(`${side}: ${c.failures} requests failed, first: ${c.firstFailure}`);
  return { problems, issued };
}

/**
 * What the records table holds against what was answered: as many records as serials, each
 * distinct within its series, and (unless values may be left unused) no gap before the highest.
 */
async function recordProblems(admin: pg.Client, side: Side, schema: string, answered: number, gapless: boolean): Promise<string[]> {
  const { rows } = await admin.query<{ series_id: string; records: string; distinct_serials: string; highest: string }>(
    `SELECT series_id, count(*) AS records, count(DISTINCT serial) AS distinct_serials, max(sequence::bigint) AS highest
     FROM ${schema}.records GROUP BY series_id`,
  );
  const problems: string[] = [];
  let records = 0;
  for (const row of rows) {
    records += Number(row.records);
    if (row.records !== row.distinct_serials) problems.push(`${side}: series id ${row.series_id} holds ${row.records} records, ${row.distinct_serials} distinct`);
    if (gapless && row.highest !== row.records) problems.push(`${side}: series id ${row.series_id} holds ${row.records} records up to value ${row.highest}`);
  }
  if (records !== answered) problems.push(`${side}: ${answered} serials answered, ${records} records stored`);
  return problems;
}

async function openBare(url: string, cell: Cell, schemas: string[]): Promise<Contender> {
  const schema = freshSchema();
  schemas.push(schema);
  const bare = await BarePostgres.open({ url, schema, poolSize: DEFAULT_POOL_SIZE, series: cell.series });
  const c: Contender = contender(
    (series, quantity) => bare.issue(series + 1, quantity),
    cell,
    async (admin) => {
      const { problems, issued } = answerProblems('bare', c, cell.quantity);
      return [...problems, ...(await recordProblems(admin, 'bare', schema, issued, true))];
    },
    () => bare.close(),
  );
  return c;
}

async function openService(url: string, cell: Cell, side: 'gapless' | 'leased', schemas: string[]): Promise<Contender> {
  const schema = freshSchema();
  schemas.push(schema);
  const store = PgStore.open({ url, schema });
  const app = createSerialtrace({ store, defaultTimeZone: 'UTC' });
  const names = Array.from({ length: cell.series }, (_, i) => `Bench-${i + 1}`);
  try {
    for (const name of names) {
      await app.series.create(caller, {
        name,
        format: 'SN-{########}',
        minLength: 8,
        ...(side === 'leased' ? { allocation: 'leased', leaseSize: LEASE_SIZE } : {}),
      });
    }
  } catch (error) {
    await store.close();
    throw error;
  }
  let skipped = 0;
  const c: Contender = contender(
    async (series, quantity) => {
      const result: GenerateResult = await app.generation.generate(caller, names[series]!, { quantity });
      skipped += result.skipped;
      return result.serials;
    },
    cell,
    async (admin) => {
      const { problems, issued } = answerProblems(side, c, cell.quantity);
      // A fresh schema has nothing to collide with.
      if (skipped > 0) problems.push(`${side}: ${skipped} values skipped on a fresh schema`);
      return [...problems, ...(await recordProblems(admin, side, schema, issued, side === 'gapless'))];
    },
    async () => {
      await app.generation.releaseLeases();
      await store.close();
    },
  );
  return c;
}

async function runCell(url: string, admin: pg.Client, cell: Cell, timing: Timing): Promise<PostgresCase> {
  const schemas: string[] = [];
  const opened: Contender[] = [];
  try {
    // Opened together: the stores' migrations take turns (an advisory lock), the rest overlaps.
    const settled = await Promise.allSettled([
      openBare(url, cell, schemas),
      openService(url, cell, 'gapless', schemas),
      openService(url, cell, 'leased', schemas),
    ]);
    for (const s of settled) if (s.status === 'fulfilled') opened.push(s.value);
    for (const s of settled) if (s.status === 'rejected') throw s.reason;
    const [bare, gapless, leased] = opened as [Contender, Contender, Contender];
    const contenders: Record<Side, Contender> = { bare, gapless, leased };
    // Warm-up fills each pool, prepares the statements and takes the first leases; its requests
    // are checked with the rest but not timed.
    for (const side of SIDES) {
      const c = contenders[side];
      await runClients(cell.clients, timing.warmupSeconds, c.once, { latenciesMs: [], serials: 0, seconds: 0 });
    }
    // Half the time in this order and half in reverse, so a drift of the machine (checkpoints,
    // autovacuum, another process) falls on every side alike.
    for (const side of [...SIDES, ...[...SIDES].reverse()]) {
      const c = contenders[side];
      await runClients(cell.clients, timing.seconds / 2, c.once, c.window);
    }
    const problems: string[] = [];
    for (const side of SIDES) problems.push(...(await contenders[side].check(admin)));
    const measured = Object.fromEntries(SIDES.map((side) => [side, summarise(contenders[side].window)])) as Record<Side, ClientsMeasurement>;
    const view = (side: Side): PostgresSide => ({
      serialsPerSecond: round(measured[side].serialsPerSecond),
      requests: measured[side].requests,
      p50Ms: round(measured[side].p50Ms, 2),
      p99Ms: round(measured[side].p99Ms, 2),
      failures: contenders[side].failures,
    });
    return {
      ...cell,
      bare: view('bare'),
      gapless: view('gapless'),
      leased: view('leased'),
      gaplessToBare: round(measured.gapless.serialsPerSecond / measured.bare.serialsPerSecond, 3),
      leasedToGapless: round(measured.leased.serialsPerSecond / measured.gapless.serialsPerSecond, 2),
      problems,
    };
  } finally {
    for (const c of opened) await c.close();
    if (schemas.length > 0) await admin.query(`DROP SCHEMA IF EXISTS ${schemas.join(', ')} CASCADE`);
  }
}

/**
 * Runs every case. `required` says whether an unreachable database is an error (`--only
 * postgres`) or a reason to skip this part (the full run on a machine without PostgreSQL).
 */
export async function runPostgresBench(options: { quick: boolean; required: boolean }): Promise<PostgresReport> {
  const url = process.env['SERIALTRACE_BENCH_DATABASE_URL'] ?? DEFAULT_URL;
  const timing: Timing = { seconds: options.quick ? 1 : 3, warmupSeconds: options.quick ? 0.1 : 0.5 };
  const admin = new pg.Client({ connectionString: url });
  try {
    await admin.connect();
  } catch (error) {
    const reason = `cannot reach ${redactUrl(url)} (${error instanceof Error ? error.message : String(error)}); set SERIALTRACE_BENCH_DATABASE_URL`;
    if (options.required) throw new Error(reason, { cause: error });
    return { skipped: reason };
  }
  try {
    const cases: PostgresCase[] = [];
    for (const quantity of QUANTITIES) {
      for (const series of SERIES) {
        for (const clients of CLIENTS) cases.push(await runCell(url, admin, { quantity, clients, series }, timing));
      }
    }
    // A figure from a case that issued a duplicate, lost a record or failed requests means nothing.
    if (cases.some((c) => c.problems.length > 0)) process.exitCode = 1;
    const find = (quantity: number, clients: number, series: number) =>
      cases.find((c) => c.quantity === quantity && c.clients === clients && c.series === series)!;
    const byClients = CLIENTS.map((clients) => {
      const ratio = find(1, clients, 1).gaplessToBare;
      return { clients, ratio, met: ratio >= GAPLESS_TO_BARE_TARGET };
    });
    const leasedRatio = find(1, LEASED_TARGET_CLIENTS, 1).leasedToGapless;
    return {
      database: redactUrl(url),
      poolSize: DEFAULT_POOL_SIZE,
      leaseSize: LEASE_SIZE,
      secondsPerSide: timing.seconds,
      warmupSeconds: timing.warmupSeconds,
      cases,
      targets: {
        gaplessToBare: { target: GAPLESS_TO_BARE_TARGET, quantity: 1, series: 1, byClients, met: byClients.every((c) => c.met) },
        spread: SPREAD_TARGETS.map((t) => {
          const ratio = find(t.quantity, t.clients, t.series).gaplessToBare;
          return { ...t, ratio, met: ratio >= t.target };
        }),
        leasedToGapless: {
          target: LEASED_TO_GAPLESS_TARGET,
          clients: LEASED_TARGET_CLIENTS,
          series: 1,
          ratio: leasedRatio,
          met: leasedRatio >= LEASED_TO_GAPLESS_TARGET,
          batchOf100: find(100, LEASED_TARGET_CLIENTS, 1).leasedToGapless,
          singleOver16Series: find(1, LEASED_TARGET_CLIENTS, 16).leasedToGapless,
        },
      },
    };
  } finally {
    await admin.end();
  }
}

function side(s: PostgresSide): string {
  const figure = `${s.serialsPerSecond.toFixed(0).padStart(8)}  ${s.p50Ms.toFixed(1)}/${s.p99Ms.toFixed(1)}`;
  return (s.failures > 0 ? `${figure} ${s.failures}!` : figure).padEnd(22);
}

export function printPostgresReport(report: PostgresReport): void {
  console.log('\nGeneration on PostgreSQL (service in one process on one store, against bare node-postgres transactions)');
  if ('skipped' in report) {
    console.log(`  skipped: ${report.skipped}`);
    return;
  }
  console.log(
    `  ${report.database}, pool of ${report.poolSize} connections on every side, leased series lease ${report.leaseSize} values;` +
      `\n  ${report.secondsPerSide} s per side after ${report.warmupSeconds} s of warm-up, run bare, gapless, leased, then in reverse;` +
      `\n  serials/s, then p50/p99 ms per request; client i uses series i mod 16, a lone client cycles through them`,
  );
  console.log(
    `\n  ${'serials'.padStart(7)} ${'clients'.padStart(7)} ${'series'.padStart(6)}  ${'bare pg'.padEnd(22)}${'gapless'.padEnd(22)}${'leased'.padEnd(22)}` +
      `gapless/bare  leased/gapless`,
  );
  for (const c of report.cases) {
    console.log(
      `  ${String(c.quantity).padStart(7)} ${String(c.clients).padStart(7)} ${String(c.series).padStart(6)}  ${side(c.bare)}${side(c.gapless)}${side(c.leased)}` +
        `${`${(c.gaplessToBare * 100).toFixed(0)}%`.padStart(12)}  ${`${c.leasedToGapless.toFixed(1)}x`.padStart(14)}`,
    );
  }
  const { gaplessToBare, leasedToGapless, spread } = report.targets;
  for (const t of spread) {
    console.log(
      `  target: gapless ${t.quantity === 1 ? 'single-serial' : `batches of ${t.quantity}`} over ${t.series} series, ${t.clients} clients, at least ${t.target * 100}% of bare: ` +
        `${(t.ratio * 100).toFixed(0)}% ${t.met ? 'met' : 'NOT met'}`,
    );
  }
  console.log(
    `\n  target: gapless single-serial on one series at least ${gaplessToBare.target * 100}% of bare, at each concurrency:` +
      gaplessToBare.byClients.map((c) => ` ${c.clients} client${c.clients === 1 ? '' : 's'} ${(c.ratio * 100).toFixed(0)}% ${c.met ? 'met' : 'NOT met'}`).join(','),
  );
  console.log(
    `  target: leased at least ${leasedToGapless.target}x gapless, single serial, ${leasedToGapless.clients} clients, one series: ` +
      `${leasedToGapless.ratio.toFixed(1)}x ${leasedToGapless.met ? 'met' : 'NOT met'}` +
      ` (batches of 100: ${leasedToGapless.batchOf100.toFixed(1)}x; single serial over 16 series: ${leasedToGapless.singleOver16Series.toFixed(1)}x)`,
  );
  for (const c of report.cases) {
    for (const problem of c.problems) console.log(`  CHECK FAILED (${c.quantity} serials, ${c.clients} clients, ${c.series} series): ${problem}`);
  }
}
