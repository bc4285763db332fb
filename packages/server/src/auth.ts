import { ROUTES, type Access } from '@serialtrace/api';
import { can, SerialtraceError } from '@serialtrace/core';
import type { Identity, Serialtrace } from '@serialtrace/service';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { opensApp } from './web-ui.js';

export const SESSION_COOKIE = 'serialtrace_session';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling; null when the request carries no valid credentials. */
    identity: Identity | null;
  }
  interface FastifyContextConfig {
    access?: Access;
    /** Answered without looking up who calls (the web UI's files, probes). */
    anonymous?: boolean;
    /** Open to a user who must still change a password someone else set. */
    beforePasswordChange?: boolean;
  }
}

/** The routes of the browsable API reference are as public as the OpenAPI document itself. */
const PUBLIC_PREFIXES = ['/api/v1/docs'];
/**
 * Probes answer without looking up who calls, even when a browser sends its cookie along:
 * /health must not depend on the database, and /ready asks it only through its cached ping.
 */
const PROBES = new Set<string>([ROUTES.health.url, ROUTES.ready.url]);

async function identify(services: Pick<Serialtrace, 'signIn' | 'apiKeys'>, request: FastifyRequest): Promise<{ identity: Identity | null; problem?: string }> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (match === null) return { identity: null, problem: 'the Authorization header is not "Bearer <API key>"' };
    const identity = await services.apiKeys.authenticate(match[1]!);
    return identity === undefined ? { identity: null, problem: 'the API key is unknown, expired or revoked' } : { identity };
  }
  const token = request.cookies[SESSION_COOKIE];
  if (token !== undefined && token !== '') {
    const identity = await services.signIn.authenticateSession(token);
    return identity === undefined ? { identity: null, problem: 'the session has expired or ended' } : { identity };
  }
  return { identity: null, problem: 'no session cookie and no Authorization header' };
}

/**
 * Resolves the caller of every request (API key before session cookie) and enforces the route's
 * access rule before anything else is read: 401 without valid credentials, 403 without the
 * permission. Routes that declare nothing need a signed-in caller.
 */
export function registerAuth(app: FastifyInstance, services: Pick<Serialtrace, 'signIn' | 'apiKeys'>): void {
  app.decorateRequest('identity', null);
  app.addHook('onRoute', (route) => {
    if (PUBLIC_PREFIXES.some((prefix) => route.url.startsWith(prefix))) {
      route.config = { ...(route.config as object), access: 'public' };
    }
  });
  app.addHook('onRequest', async (request) => {
    if (PROBES.has(request.routeOptions.url ?? '') || request.routeOptions.config.anonymous === true) return;
    // A bookmarked page of the web UI opens the app, signed in or not; the app then asks.
    if (request.is404 && opensApp(request)) return;
    const rule: Access = request.routeOptions.config.access ?? 'signedIn';
    const { identity, problem } = await identify(services, request);
    request.identity = identity;
    if (rule === 'public') return;
    if (identity === null) throw new SerialtraceError('UNAUTHENTICATED', { reason: problem ?? 'no credentials' });
    // Whoever else knew a password an admin set could otherwise use the account before its owner.
    if (identity.mustChangePassword && request.routeOptions.config.beforePasswordChange !== true) throw new SerialtraceError('PASSWORD_CHANGE_REQUIRED');
    if (rule === 'signedIn') return;
    if (rule === 'systemAdmin') {
      if (!identity.systemAdmin) throw new SerialtraceError('FORBIDDEN', { role: identity.role, permission: 'manage companies (system administrators only)' });
      return;
    }
    if (!can(identity.role, rule)) throw new SerialtraceError('FORBIDDEN', { role: identity.role, permission: rule });
  });
}
