import { ROUTES } from '@serialtrace/api';
import { SerialtraceError } from '@serialtrace/core';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.js';
import { SESSION_COOKIE } from '../../auth.js';
import { addRoute } from '../../route.js';

/** Sign-in, users, API keys and companies. */
export function accessRoutes(app: FastifyInstance, { services, config }: AppContext): void {
  const { signIn, users, apiKeys, companies } = services;
  const cookie = (maxAgeSeconds: number) => ({
    path: '/',
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: config.secureCookies,
    maxAge: maxAgeSeconds,
  });

  addRoute(app, 'login', ROUTES.login, async ({ body, request, reply }) => {
    // request.ip is the client's address: behind a trusted proxy (SERIALTRACE_TRUST_PROXY), the one it forwards.
    const where = { address: request.ip, ...(body.company === undefined ? {} : { company: body.company }) };
    const session = await signIn.login(body.username, body.password, where).catch((error: unknown) => {
      if (error instanceof SerialtraceError && error.code === 'RATE_LIMITED') void reply.header('retry-after', Number(error.details['retryAfterSeconds']));
      throw error;
    });
    // The session's length, not its end against this machine's clock: the service may run on a
    // fixed clock (SERIALTRACE_NOW), and a Max-Age of 0 would make the browser drop the cookie.
    reply.setCookie(SESSION_COOKIE, session.token, cookie(signIn.sessionSeconds));
    return { identity: withoutStation(session.identity), expiresAt: session.expiresAt, mustChangePassword: session.mustChangePassword };
  });

  addRoute(app, 'logout', ROUTES.logout, async ({ request, reply }) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await signIn.logout(token);
    reply.clearCookie(SESSION_COOKIE, cookie(0));
    return null;
  });

  addRoute(app, 'me', ROUTES.me, async ({ identity }) => withoutStation(identity));

  addRoute(app, 'changePassword', ROUTES.changePassword, async ({ identity, body, request }) => {
    await signIn.changePassword(identity, body.currentPassword, body.newPassword, request.cookies[SESSION_COOKIE]);
    return null;
  });

  addRoute(app, 'listUsers', ROUTES.listUsers, async ({ caller }) => ({ users: await users.list(caller) }));
  addRoute(app, 'createUser', ROUTES.createUser, async ({ caller, body }) => users.create(caller, body));
  addRoute(app, 'updateUser', ROUTES.updateUser, async ({ caller, params, body }) => users.update(caller, params.username, body));

  addRoute(app, 'listApiKeys', ROUTES.listApiKeys, async ({ caller }) => ({ apiKeys: await apiKeys.list(caller) }));
  addRoute(app, 'createApiKey', ROUTES.createApiKey, async ({ caller, body }) => apiKeys.create(caller, body));
  addRoute(app, 'revokeApiKey', ROUTES.revokeApiKey, async ({ caller, params }) => {
    await apiKeys.revoke(caller, params.id);
    return null;
  });

  addRoute(app, 'listCompanies', ROUTES.listCompanies, async () => ({ companies: await companies.list() }));
  addRoute(app, 'createCompany', ROUTES.createCompany, async ({ caller, body }) => companies.create(caller, body));
}

function withoutStation<T extends { station: string | null }>(identity: T): Omit<T, 'station'> {
  const { station: _station, ...rest } = identity;
  return rest;
}
