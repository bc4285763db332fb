/**
 * What identifying a caller costs: an API key checked by the service in a loop (cached, as every
 * request after a key's first is), and `GET /api/v1/auth/me` through a real server process under
 * 16 clients, by API key and by session cookie, on SQLite and (when reachable) PostgreSQL. The
 * route does nothing but identify, so its figure is the authentication path's.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSerialtrace, type Serialtrace } from '@serialtrace/service';
import { PgStore, redactUrl, SqliteStore, type Store } from '@serialtrace/store';
import autocannon from 'autocannon';
import pg from 'pg';
import { startServerProcess } from './http-server-process.js';

const DEFAULT_URL = 'postgres://root@127.0.0.1:5432/test';
const PASSWORD = 'bench-password-not-secret';
const caller = { companyId: 1, actor: 'bench' };

export interface AuthCase {
  readonly engine: 'sqlite' | 'postgres';
  /** API keys checked per second by the service, one after another. */
  readonly keyChecksPerSecond: number;
  /** `GET /api/v1/auth/me` per second under 16 clients, by API key and by session cookie. */
  readonly httpByKey: { readonly requestsPerSecond: number; readonly p99Ms: number };
  readonly httpBySession: { readonly requestsPerSecond: number; readonly p99Ms: number };
}

export interface AuthReport {
  readonly seconds: number;
  readonly cases: readonly AuthCase[];
  readonly skipped?: string;
}

async function keyChecksPerSecond(services: Serialtrace, key: string, seconds: number): Promise<number> {
  for (let i = 0; i < 1000; i++) await services.apiKeys.authenticate(key);
  const until = performance.now() + seconds * 1000;
  let n = 0;
  const started = performance.now();
  while (performance.now() < until) {
    for (let i = 0; i < 200; i++) {
      if ((await services.apiKeys.authenticate(key)) === undefined) throw new Error('the key was refused');
    }
    n += 200;
  }
  return Math.round(n / ((performance.now() - started) / 1000));
}

async function http(url: string, headers: Record<string, string>, seconds: number): Promise<{ requestsPerSecond: number; p99Ms: number }> {
  const result = await autocannon({ url: `${url}/api/v1/auth/me`, connections: 16, duration: seconds, headers });
  if (result.non2xx + result.errors + result.timeouts > 0) throw new Error(`GET /api/v1/auth/me failed ${result.non2xx + result.errors + result.timeouts} times`);
  return { requestsPerSecond: Math.round(result['2xx'] / (result.duration || seconds)), p99Ms: result.latency.p99 };
}

async function runCase(engine: AuthCase['engine'], open: () => Store, env: Record<string, string>, seconds: number): Promise<AuthCase> {
  const services = createSerialtrace({ store: open() });
  let checks: number;
  try {
    await services.users.bootstrap(PASSWORD);
    const { key } = await services.apiKeys.create(caller, { name: 'bench', role: 'operator' });
    checks = await keyChecksPerSecond(services, key, seconds);
  } finally {
    services.dispose();
    await services.store.close();
  }
  const server = await startServerProcess({ ...env, SERIALTRACE_ADMIN_PASSWORD: PASSWORD, SERIALTRACE_RATE_LIMIT: '0', SERIALTRACE_TIME_ZONE: 'UTC' });
  try {
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const created = await fetch(`${server.url}/api/v1/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ name: 'bench http', role: 'operator' }),
    });
    const { key } = (await created.json()) as { key: string };
    const httpByKey = await http(server.url, { authorization: `Bearer ${key}` }, seconds);
    const httpBySession = await http(server.url, { cookie }, seconds);
    return { engine, keyChecksPerSecond: checks, httpByKey, httpBySession };
  } finally {
    await server.stop();
  }
}

export async function runAuthBench(options: { quick: boolean }): Promise<AuthReport> {
  const seconds = options.quick ? 2 : 5;
  const cases: AuthCase[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'serialtrace-auth-bench-'));
  try {
    cases.push(await runCase('sqlite', () => SqliteStore.open({ path: join(dir, 'service.db') }), { SERIALTRACE_DB: join(dir, 'server.db') }, seconds));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const url = process.env['SERIALTRACE_BENCH_DATABASE_URL'] ?? DEFAULT_URL;
  const admin = new pg.Client({ connectionString: url });
  try {
    await admin.connect();
  } catch (error) {
    return { seconds, cases, skipped: `PostgreSQL: cannot reach ${redactUrl(url)} (${error instanceof Error ? error.message : String(error)})` };
  }
  const schemas = [`bench_auth_${randomBytes(4).toString('hex')}`, `bench_auth_${randomBytes(4).toString('hex')}`];
  try {
    cases.push(
      await runCase('postgres', () => PgStore.open({ url, schema: schemas[0]! }), { SERIALTRACE_DATABASE_URL: url, SERIALTRACE_DATABASE_SCHEMA: schemas[1]! }, seconds),
    );
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schemas.join(', ')} CASCADE`);
    await admin.end();
  }
  return { seconds, cases };
}

export function printAuthReport(report: AuthReport): void {
  console.log(`\nAuthentication (${report.seconds} s per figure; HTTP: GET /api/v1/auth/me, 16 clients, real server process)`);
  for (const c of report.cases) {
    console.log(
      `  ${c.engine.padEnd(9)} API key checked by the service ${String(c.keyChecksPerSecond).padStart(8)}/s` +
        `   HTTP by key ${String(c.httpByKey.requestsPerSecond).padStart(6)} req/s (p99 ${c.httpByKey.p99Ms} ms)` +
        `   by session ${String(c.httpBySession.requestsPerSecond).padStart(6)} req/s (p99 ${c.httpBySession.p99Ms} ms)`,
    );
  }
  if (report.skipped !== undefined) console.log(`  ${report.skipped}`);
}
