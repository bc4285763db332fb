import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Role } from '@serialtrace/core';
import { buildApp, DEFAULTS, scriptLimitsOf, type AppOptions, type ServerConfig } from '@serialtrace/server';
import { createSerialtrace, type Caller, type Serialtrace } from '@serialtrace/service';
import { PgStore, SqliteStore } from '@serialtrace/store';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { expect } from 'vitest';
import { ManualClock } from '../../service/test/harness.js';
import { dropSchema, TEST_DATABASE_URL, uniqueSchema, withPgClient } from '../../store/test/pg-harness.js';

// One hand-moved clock for every test tier.
export { ManualClock };

export const ADMIN_PASSWORD = 'first-start-pass-1';
/** Every user the helper creates gets this password; scrypt makes each new user and each sign-in cost a hash. */
export const USER_PASSWORD = 'user-password-1';

/** Request headers that authenticate as someone: a session cookie or an API key. */
export interface Credentials {
  readonly label: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | number | undefined>;
  readonly body: string;
  /** The parsed body; undefined when it is empty or not JSON. */
  readonly json: any;
}

export interface CallOptions {
  readonly as?: Credentials;
  readonly body?: unknown;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
}

/** An app over the services: `call` sends a request through `app.inject()`. */
export interface AppUnderTest {
  readonly app: FastifyInstance;
  readonly services: Serialtrace;
  readonly config: ServerConfig;
  call(method: InjectOptions['method'], url: string, options?: CallOptions): Promise<Answer>;
  close(): Promise<void>;
}

export interface VariantOptions {
  readonly config?: Partial<ServerConfig>;
  readonly logger?: AppOptions['logger'];
  readonly shuttingDown?: () => boolean;
  readonly startPending?: () => string | null;
  /** Open a store of its own on the same file, so a test may close it without harming the others. */
  readonly ownStore?: boolean;
}

export interface TestApp extends AppUnderTest {
  readonly clock: ManualClock;
  /** The bootstrapped system administrator `admin`, signed in. */
  readonly admin: Credentials;
  /** The audit caller of `admin`, for arranging data through the services. */
  readonly adminCaller: Caller;
  /**
   * Another app over the same database with other settings (a small body limit, rate limiting,
   * a logger): cheaper than a new database, whose admin costs two scrypt hashes.
   */
  variant(options: VariantOptions): Promise<AppUnderTest>;
  /** A new API key of the first company (or of `caller`'s company). */
  key(role: Role, options?: { name?: string; station?: string; expiresAt?: string; caller?: Caller }): Promise<Credentials & { id: string; key: string }>;
  /**
   * A new user of the first company (or of `caller`'s company), signed in. The user has chosen
   * their own password already (an admin's new user must change it first), unless `mustChangePassword`.
   */
  user(role: Role, options?: { username?: string; caller?: Caller; mustChangePassword?: boolean }): Promise<Credentials & { username: string }>;
  /** Signs in through the service and returns the session cookie. */
  session(username: string, password: string): Promise<Credentials>;
  /** A raw connection to the database file, behind the service's back (SQLite only). */
  raw(): Database.Database;
  /** Runs SQL behind the service's back, on either engine (what an intruder with the database could do). */
  sql(text: string): Promise<void>;
  /** Reads rows behind the service's back, on either engine. */
  query<T = Record<string, unknown>>(text: string): Promise<T[]>;
}

/** The engines an app under test can run on; every server test may loop over them. */
export const APP_ENGINES = ['sqlite', 'postgres'] as const;
export type AppEngine = (typeof APP_ENGINES)[number];

export function testConfig(path: string, overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    db: path,
    databaseUrl: undefined,
    databaseSchema: DEFAULTS.databaseSchema,
    databasePoolSize: DEFAULTS.databasePoolSize,
    databaseStatementTimeoutMs: DEFAULTS.databaseStatementTimeoutMs,
    adminPassword: ADMIN_PASSWORD,
    logLevel: 'silent',
    rateLimitPerMinute: 0,
    bodyLimitBytes: DEFAULTS.bodyLimitBytes,
    sessionHours: DEFAULTS.sessionHours,
    leaseSeconds: DEFAULTS.leaseSeconds,
    secureCookies: false,
    trustProxy: false,
    now: undefined,
    timeZone: 'UTC',
    webRoot: undefined,
    masterKey: undefined,
    scriptTimeLimitMs: DEFAULTS.scriptTimeLimitMs,
    scriptMemoryLimitMb: DEFAULTS.scriptMemoryLimitMb,
    scriptApiCallLimit: DEFAULTS.scriptApiCallLimit,
    scriptResultLimitKb: DEFAULTS.scriptResultLimitKb,
    scriptWorkers: DEFAULTS.scriptWorkers,
    ...overrides,
  };
}

/** The PostgreSQL every test tier uses, and its helpers: the store tests' (one copy for every tier). */
export { dropSchema, TEST_DATABASE_URL, uniqueSchema, withPgClient };

/** A server configuration on the test PostgreSQL in `schema`; the SQLite file it names is never opened. */
export function postgresConfig(schema: string, overrides: Partial<ServerConfig> = {}): ServerConfig {
  return testConfig(join(tmpdir(), 'serialtrace-never-opened.db'), { databaseUrl: TEST_DATABASE_URL, databaseSchema: schema, databasePoolSize: 4, ...overrides });
}

/** A pino logger setting that keeps every line, parsed, for a test to read. */
export function captureLog(level = 'info'): { readonly logger: { level: string; stream: Writable }; lines(): any[]; text(): string } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter((l) => l !== ''));
      done();
    },
  });
  return { logger: { level, stream }, lines: () => lines.map((l) => JSON.parse(l)), text: () => lines.join('\n') };
}

let counter = 0;

async function underTest(services: Serialtrace, config: ServerConfig, options: VariantOptions, closeStore: boolean): Promise<AppUnderTest> {
  const app = await buildApp({
    services,
    config,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.shuttingDown === undefined ? {} : { shuttingDown: options.shuttingDown }),
    ...(options.startPending === undefined ? {} : { startPending: options.startPending }),
  });
  await app.ready();
  return {
    app,
    services,
    config,
    async call(method, url, { as, body, query, headers } = {}) {
      const response = await app.inject({
        method,
        url,
        ...(query === undefined ? {} : { query }),
        headers: { ...as?.headers, ...headers },
        ...(body === undefined ? {} : { payload: body as InjectOptions['payload'] }),
      });
      let json: unknown;
      try {
        json = response.body === '' ? undefined : JSON.parse(response.body);
      } catch {
        json = undefined;
      }
      return { status: response.statusCode, headers: response.headers, body: response.body, json };
    },
    async close() {
      await app.close();
      if (closeStore) {
        services.dispose();
        await services.store.close();
      }
    },
  };
}

/**
 * The HTTP API on a fresh SQLite file, built as server.ts builds it but never listening: requests
 * go through `app.inject()`. The admin is bootstrapped and signed in.
 */
export async function openApp(options: VariantOptions & { readonly at?: string; readonly engine?: AppEngine } = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'serialtrace-server-'));
  const path = join(dir, 'serialtrace.db');
  const schema = options.engine === 'postgres' ? uniqueSchema() : undefined;
  const clock = new ManualClock(options.at ?? '2025-06-15T10:00:00Z');
  const config = schema === undefined ? testConfig(path, options.config) : postgresConfig(schema, options.config);
  const open = () =>
    createSerialtrace({
      store: schema === undefined ? SqliteStore.open({ path }) : PgStore.open({ url: TEST_DATABASE_URL, schema, poolSize: 4 }),
      clock,
      defaultTimeZone: 'UTC',
      // As server.ts passes them, so tests may narrow the limits through the config.
      scriptLimits: scriptLimitsOf(config),
      ...(config.masterKey === undefined ? {} : { masterKey: config.masterKey }),
    });
  const services = open();
  await services.users.bootstrap(config.adminPassword);
  const main = await underTest(services, config, options, true);
  const variants: AppUnderTest[] = [];
  let reader: Promise<pg.Client> | undefined;
  const raws: Database.Database[] = [];

  const session = async (username: string, password: string): Promise<Credentials> => {
    const { token } = await services.signIn.login(username, password);
    return { label: `session of ${username}`, headers: { cookie: `serialtrace_session=${token}` } };
  };
  const adminCaller: Caller = { companyId: 1, actor: 'user:admin' };

  return {
    ...main,
    clock,
    admin: await session('admin', ADMIN_PASSWORD),
    adminCaller,
    async variant(variant) {
      const app = await underTest(variant.ownStore === true ? open() : services, { ...config, ...variant.config }, variant, variant.ownStore === true);
      variants.push(app);
      return app;
    },
    async key(role, { name, station, expiresAt, caller } = {}) {
      const created = await services.apiKeys.create(caller ?? adminCaller, {
        name: name ?? `${role} key ${++counter}`,
        role,
        ...(station === undefined ? {} : { station }),
        ...(expiresAt === undefined ? {} : { expiresAt }),
      });
      return { label: `${role} key`, id: created.id, key: created.key, headers: { authorization: `Bearer ${created.key}` } };
    },
    async user(role, { username, caller, mustChangePassword = false } = {}) {
      const name = username ?? `${role}-${++counter}`;
      const created = await services.users.create(caller ?? adminCaller, { username: name, password: USER_PASSWORD, role });
      // As if they had changed it (through the store: a change through the service costs two more hashes).
      if (!mustChangePassword) await services.store.write((tx) => tx.access.updateUser(created.id, { mustChangePassword: false }, clock.now().toISOString()));
      return { ...(await session(name, USER_PASSWORD)), label: `${role} session`, username: name };
    },
    session,
    raw() {
      if (schema !== undefined) throw new Error('raw() opens the SQLite file; use sql() on PostgreSQL');
      const db = new Database(path);
      raws.push(db);
      return db;
    },
    async sql(text) {
      if (schema !== undefined) {
        await withPgClient(schema, (client) => client.query(text));
        return;
      }
      const db = new Database(path);
      try {
        db.exec(text);
      } finally {
        db.close();
      }
    },
    async query<T>(text: string): Promise<T[]> {
      if (schema !== undefined) {
        // One connection for the app's life: a test may read after every request.
        reader ??= (async () => {
          const client = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` });
          await client.connect();
          return client;
        })();
        return (await (await reader).query(text)).rows as T[];
      }
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare(text).all() as T[];
      } finally {
        db.close();
      }
    },
    async close() {
      if (reader !== undefined) await (await reader).end();
      for (const db of raws) db.close();
      for (const variant of variants) await variant.close();
      await main.close();
      if (schema !== undefined) await dropSchema(schema);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Asserts an RFC 9457 problem document with the stable code, and returns it. */
export function expectProblem(answer: Answer, status: number, code: string): any {
  expect(answer.status, answer.body).toBe(status);
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(answer.json).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String), code });
  return answer.json;
}
