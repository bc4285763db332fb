import { buildApp } from '@serialtrace/server';
import { createSerialtrace, type Serialtrace } from '@serialtrace/service';
import { PgStore } from '@serialtrace/store';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, dropSchema, postgresConfig, TEST_DATABASE_URL, uniqueSchema, USER_PASSWORD } from './helper.js';

/**
 * Two servers on one PostgreSQL schema, as a load balancer spreads callers over them: what one
 * revokes or disables, the other refuses within a second, although it keeps checked keys in memory.
 */

interface Server {
  readonly services: Serialtrace;
  readonly app: FastifyInstance;
}

const schema = uniqueSchema('revoke');
const servers: Server[] = [];
let admin: Record<string, string>;

async function startServer(): Promise<Server> {
  const services = createSerialtrace({ store: PgStore.open({ url: TEST_DATABASE_URL, schema, poolSize: 4 }), defaultTimeZone: 'UTC' });
  const app = await buildApp({ services, config: postgresConfig(schema) });
  await app.ready();
  const server = { services, app };
  servers.push(server);
  return server;
}

async function status(server: Server, method: 'GET' | 'DELETE' | 'PATCH' | 'POST', url: string, headers: Record<string, string>, body?: object): Promise<number> {
  return (await server.app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body }) })).statusCode;
}

/** Milliseconds until `server` answers `url` with 401, asking every 20 ms for at most 5 s. */
async function msUntilRefused(server: Server, headers: Record<string, string>): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < 5000) {
    if ((await status(server, 'GET', '/api/v1/auth/me', headers)) === 401) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Number.POSITIVE_INFINITY;
}

let a: Server;
let b: Server;
beforeAll(async () => {
  a = await startServer();
  b = await startServer();
  await a.services.users.bootstrap(ADMIN_PASSWORD);
  const { token } = await a.services.signIn.login('admin', ADMIN_PASSWORD);
  admin = { cookie: `serialtrace_session=${token}` };
});
afterAll(async () => {
  for (const server of servers) {
    await server.app.close();
    server.services.dispose();
    await server.services.store.close();
  }
  await dropSchema(schema);
});

describe('two servers on one database', () => {
  it('refuses an API key on the other server within a second of its revocation', async () => {
    for (let round = 0; round < 3; round++) {
      const created = await a.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: admin, payload: { name: `Line ${round}`, role: 'operator' } });
      const { id, key } = created.json<{ id: string; key: string }>();
      const bearer = { authorization: `Bearer ${key}` };
      // Both servers have checked the key, so both hold it in memory.
      for (let i = 0; i < 5; i++) {
        expect(await status(a, 'GET', '/api/v1/auth/me', bearer)).toBe(200);
        expect(await status(b, 'GET', '/api/v1/auth/me', bearer)).toBe(200);
      }
      expect(await status(a, 'DELETE', `/api/v1/api-keys/${id}`, admin)).toBe(204);
      expect(await status(a, 'GET', '/api/v1/auth/me', bearer)).toBe(401);
      expect(await msUntilRefused(b, bearer)).toBeLessThan(1000);
    }
  });

  it('refuses a disabled user\'s session on the other server at once (sessions are never held in memory)', async () => {
    await a.services.users.create({ companyId: 1, actor: 'user:admin' }, { username: 'pat', password: USER_PASSWORD, role: 'viewer' });
    await a.services.store.write((tx) => tx.access.findUserByName(1, 'pat').then((u) => tx.access.updateUser(u!.id, { mustChangePassword: false }, new Date().toISOString())));
    const pat = { cookie: `serialtrace_session=${(await a.services.signIn.login('pat', USER_PASSWORD)).token}` };
    expect(await status(b, 'GET', '/api/v1/series', pat)).toBe(200);
    expect(await status(a, 'PATCH', '/api/v1/users/pat', admin, { disabled: true })).toBe(200);
    expect(await status(b, 'GET', '/api/v1/series', pat)).toBe(401);
  });
});
