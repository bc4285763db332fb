/**
 * The journal's followers: while clients generate single serials as fast as they can, a follower
 * (the service's `journal.follow`) receives every event; the delay from a request's answer (its
 * commit) to the follower receiving its event is measured per request. Then a fresh follower reads
 * the whole journal from the start: events read per second. On SQLite (the embedded default) and,
 * when it answers, PostgreSQL. The generation rate with the follower running is set against the
 * same generation without it, in the same run.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSerialtrace } from '@serialtrace/service';
import { PgStore, SqliteStore, type Store } from '@serialtrace/store';
import pg from 'pg';
import { percentile } from './stats.js';

const caller = { companyId: 1, actor: 'bench', station: 'BENCH-1' };
const PG_URL = process.env['SERIALTRACE_BENCH_DATABASE_URL'] ?? 'postgres://root@127.0.0.1:5432/test';
const CLIENTS = 16;
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

export interface JournalEngineReport {
  readonly engine: string;
  readonly clients: number;
  /** Requests per second without a follower, then with one. */
  readonly requestsPerSecondAlone: number;
  readonly requestsPerSecondFollowed: number;
  /** Events the follower received while generation ran, per second. */
  readonly eventsDeliveredPerSecond: number;
  /** From a request's answer to its event reaching the follower (0 when the follower was first). */
  readonly deliveryP50Ms: number;
  readonly deliveryP99Ms: number;
  readonly deliveryMaxMs: number;
  /** A fresh follower reading every event from the start, pages of 500. */
  readonly backlogEvents: number;
  readonly backlogEventsPerSecond: number;
  /** Events missed, seen twice or out of position order: must be 0. */
  readonly problems: number;
}

export type JournalReport = { readonly engines: readonly JournalEngineReport[]; readonly postgres?: string };

async function generateFor(app: ReturnType<typeof createSerialtrace>, series: string, ms: number, answered?: Map<string, number>): Promise<number> {
  const until = performance.now() + ms;
  let requests = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < until) {
        const result = await app.generation.generate(caller, series);
        answered?.set(result.serials[0]!, performance.now());
        requests += 1;
      }
    }),
  );
  return requests / (ms / 1000);
}

async function measure(engine: string, store: Store, seconds: number): Promise<JournalEngineReport> {
  const app = createSerialtrace({ store, defaultTimeZone: 'UTC' });
  try {
    await app.series.create(caller, { name: 'Alone', format: 'A-{########}' });
    await app.series.create(caller, { name: 'Followed', format: 'F-{########}' });
    // Warm up, then generation alone.
    await generateFor(app, 'Alone', 500);
    const alone = await generateFor(app, 'Alone', seconds * 1000);
    const start = (await app.journal.read(caller, { limit: 1 })).next;
    let after = start;
    while (true) {
      const page = await app.journal.read(caller, { after, limit: 1000 });
      if (page.events.length === 0) break;
      after = page.next;
    }

    const answered = new Map<string, number>();
    const delivered = new Map<string, number>();
    const stop = new AbortController();
    let problems = 0;
    let last = after;
    let received = 0;
    const follower = (async () => {
      for await (const page of app.journal.follow({ after, pollMs: 50, signal: stop.signal })) {
        const now = performance.now();
        for (const event of page) {
          if (event.position !== last + 1 && engine === 'sqlite') problems += 1;
          if (event.position! <= last) problems += 1;
          last = event.position!;
          received += 1;
          if (event.action !== 'serials.generated') continue;
          const serial = (event.data as { serials: string[] }).serials[0]!;
          if (delivered.has(serial)) problems += 1;
          delivered.set(serial, now);
        }
      }
    })();
    const began = performance.now();
    const followed = await generateFor(app, 'Followed', seconds * 1000, answered);
    // Until the follower has every answered request's event.
    while (delivered.size < answered.size && performance.now() - began < seconds * 1000 + 10_000) await new Promise((r) => setTimeout(r, 5));
    const elapsed = (performance.now() - began) / 1000;
    stop.abort();
    await follower;
    const delays: number[] = [];
    for (const [serial, at] of answered) {
      const got = delivered.get(serial);
      if (got === undefined) problems += 1;
      else delays.push(Math.max(0, got - at));
    }
    delays.sort((a, b) => a - b);

    // A fresh follower over the whole journal.
    const t0 = performance.now();
    let backlog = 0;
    const drain = new AbortController();
    for await (const page of app.journal.follow({ after: 0, pageSize: 500, signal: drain.signal })) {
      backlog += page.length;
      if (page.at(-1)!.position! >= last) drain.abort();
    }
    const backlogSeconds = (performance.now() - t0) / 1000;
    return {
      engine,
      clients: CLIENTS,
      requestsPerSecondAlone: round(alone),
      requestsPerSecondFollowed: round(followed),
      eventsDeliveredPerSecond: round(received / elapsed),
      deliveryP50Ms: round(percentile(delays, 50), 2),
      deliveryP99Ms: round(percentile(delays, 99), 2),
      deliveryMaxMs: round(delays.at(-1) ?? 0, 2),
      backlogEvents: backlog,
      backlogEventsPerSecond: round(backlog / backlogSeconds),
      problems,
    };
  } finally {
    app.dispose();
  }
}

export async function runJournalBench(options: { quick: boolean }): Promise<JournalReport> {
  const seconds = options.quick ? 2 : 5;
  const engines: JournalEngineReport[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'serialtrace-bench-journal-'));
  const sqlite = SqliteStore.open({ path: join(dir, 'journal.db') });
  try {
    engines.push(await measure('sqlite', sqlite, seconds));
  } finally {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const schema = `bench_journal_${randomBytes(4).toString('hex')}`;
  const postgres = PgStore.open({ url: PG_URL, schema });
  try {
    await postgres.ping();
  } catch (error) {
    await postgres.close().catch(() => undefined);
    return { engines, postgres: `skipped: ${(error as Error).message}` };
  }
  try {
    engines.push(await measure('postgres', postgres, seconds));
  } finally {
    await postgres.close();
    const client = new pg.Client(PG_URL);
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
  return { engines };
}

export function journalText(report: JournalReport): string {
  const lines = ['Journal: a follower while 16 clients generate single serials'];
  for (const e of report.engines) {
    lines.push(
      `  ${e.engine}: ${e.requestsPerSecondFollowed} requests/s followed vs ${e.requestsPerSecondAlone} alone (${round((e.requestsPerSecondFollowed / e.requestsPerSecondAlone) * 100, 0)}%); ` +
        `${e.eventsDeliveredPerSecond} events/s delivered; answer to delivery p50 ${e.deliveryP50Ms} ms, p99 ${e.deliveryP99Ms} ms, max ${e.deliveryMaxMs} ms; ` +
        `backlog ${e.backlogEvents} events read at ${e.backlogEventsPerSecond}/s; problems ${e.problems}`,
    );
  }
  if (report.postgres !== undefined) lines.push(`  postgres: ${report.postgres}`);
  return lines.join('\n');
}
