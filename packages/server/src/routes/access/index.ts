import { ROUTES } from '@serialtrace/api';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.js';
import { SESSION_COOKIE } from '../../auth.js';
import { addRoute } from '../../route.js';

/** Sign-in, users, API keys and companies. */
export function accessRoutes(app: FastifyInstance, { services, config }: AppContext): void {
  const { access } = services;
  const cookie = (maxAgeSeconds: number) => ({
    path: '/',
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: config.secureCookies,
    maxAge: maxAgeSeconds,
  });

  addRoute(app, 'login', ROUTES.login, async ({ body, reply }) => {
    const session = await access.login(body.username, body.password);
    // The session's length, not its end against this machine's clock: the service may run on a
    // fixed clock (SERIALTRACE_NOW), and a Max-Age of 0 would make the browser drop the cookie.
    reply.setCookie(SESSION_COOKIE, session.token, cookie(access.sessionSeconds));
    return { identity: withoutStation(session.identity), expiresAt: session.expiresAt, mustChangePassword: session.mustChangePassword };
  });

  addRoute(app, 'logout', ROUTES.logout, async ({ request, reply }) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await access.logout(token);
    reply.clearCookie(SESSION_COOKIE, cookie(0));
    return null;
  });

  addRoute(app, 'me', ROUTES.me, async ({ identity }) => withoutStation(identity));

  addRoute(app, 'changePassword', ROUTES.changePassword, async ({ identity, body }) => {
    await access.changePassword(identity, body.currentPassword, body.newPassword);
    return null;
  });

  addRoute(app, 'listUsers', ROUTES.listUsers, async ({ caller }) => ({ users: await access.listUsers(caller) }));
  addRoute(app, 'createUser', ROUTES.createUser, async ({ caller, body }) => access.createUser(caller, body));
  addRoute(app, 'updateUser', ROUTES.updateUser, async ({ caller, params, body }) => access.updateUser(caller, params.username, body));

  addRoute(app, 'listApiKeys', ROUTES.listApiKeys, async ({ caller }) => ({ apiKeys: await access.listApiKeys(caller) }));
  addRoute(app, 'createApiKey', ROUTES.createApiKey, async ({ caller, body }) => access.createApiKey(caller, body));
  addRoute(app, 'revokeApiKey', ROUTES.revokeApiKey, async ({ caller, params }) => {
    await access.revokeApiKey(caller, params.id);
    return null;
  });

  addRoute(app, 'listCompanies', ROUTES.listCompanies, async () => ({ companies: await access.listCompanies() }));
  addRoute(app, 'createCompany', ROUTES.createCompany, async ({ caller, body }) => access.createCompany(caller, body));
}

function withoutStation<T extends { station: string | null }>(identity: T): Omit<T, 'station'> {
  const { station: _station, ...rest } = identity;
  return rest;
}
