import { buildApp } from '@serialtrace/server';
import { testConfig } from '../../server/test/helper.js';
import { clockFromSetting, createSerialtrace, DEFAULT_COMPANY_ID, type Caller, type Serialtrace } from '@serialtrace/service';
import { SqliteStore } from '@serialtrace/store';
import type { Role } from '@serialtrace/core';
import type { FastifyInstance } from 'fastify';

export const ADMIN_PASSWORD = 'some-long-password';
/** How the audit trail names the bootstrapped admin when it acts through the services. */
export const ADMIN_CALLER: Caller = { companyId: DEFAULT_COMPANY_ID, actor: 'user:admin' };

/**
 * The services over a SQLite file, as a server opens them: a fixed clock (when `now` is given)
 * and UTC for series that name no zone.
 */
export function openServices(path: string, now: string | undefined): Serialtrace {
  return createSerialtrace({ store: SqliteStore.open({ path }), clock: clockFromSetting(now), defaultTimeZone: 'UTC' });
}

export interface CreatedKey {
  readonly id: string;
  /** The secret, for `Authorization: Bearer`. */
  readonly key: string;
  /** How the audit trail names the key: `key:<name>#<id>`. */
  readonly actor: string;
}

export async function createKey(services: Serialtrace, role: Role, name: string): Promise<CreatedKey> {
  const created = await services.apiKeys.create(ADMIN_CALLER, { name, role });
  return { id: created.id, key: created.key, actor: `key:${created.name}#${created.id}` };
}

/** A fresh install: the system administrator and an API key, nothing else. The store is closed again. */
export async function prepareDatabase(path: string, now: string, keyName: string): Promise<CreatedKey> {
  const services = openServices(path, now);
  try {
    await services.users.bootstrap(ADMIN_PASSWORD);
    return await createKey(services, 'admin', keyName);
  } finally {
    // Closing checkpoints the WAL into the file, so a copy of the file is the whole database.
    await services.store.close();
  }
}

export interface TestServer {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly services: Serialtrace;
  close(): Promise<void>;
}

/** The HTTP API on a database file, listening on a free port of 127.0.0.1. */
export async function serve(path: string, now: string | undefined): Promise<TestServer> {
  const config = testConfig(path, { adminPassword: ADMIN_PASSWORD, now });
  const services = openServices(path, now);
  await services.users.bootstrap(ADMIN_PASSWORD);
  const app = await buildApp({ services, config });
  const url = await app.listen({ host: config.host, port: config.port });
  return {
    url,
    app,
    services,
    async close() {
      await app.close();
      await services.store.close();
    },
  };
}
