import { ROUTES } from '@serialtrace/api';
import { SerialtraceError } from '@serialtrace/core';
import type { FastifyInstance } from 'fastify';
import { VERSION, type AppContext } from '../../app.js';
import { cachedPing } from '../../readiness.js';
import { addRoute } from '../../route.js';

/** Liveness, readiness and the OpenAPI document: what load balancers and integrators read first. */
export function operationsRoutes(app: FastifyInstance, context: AppContext): void {
  // Liveness only: it touches no database, so an orchestrator does not restart a server whose
  // database is down (a restart would not bring the database back).
  addRoute(app, 'health', ROUTES.health, async () => ({ status: 'ok' }));

  const ping = cachedPing(context.services.store);
  addRoute(app, 'ready', ROUTES.ready, async ({ request }) => {
    if (context.shuttingDown()) throw new SerialtraceError('NOT_READY', { reason: 'shutting down' });
    try {
      await ping();
    } catch (error) {
      // The driver's message names hosts, files and internals: it goes to the log, not to anonymous callers.
      request.log.error({ err: error }, 'readiness check failed');
      throw new SerialtraceError('NOT_READY', { reason: 'the database is unreachable (the server log has the cause)' });
    }
    const pending = context.startPending();
    if (pending !== null) throw new SerialtraceError('NOT_READY', { reason: pending });
    return { status: 'ready' };
  });

  addRoute(app, 'info', ROUTES.info, async () => ({
    version: VERSION,
    now: context.services.clock.now().toISOString(),
    timeZone: context.services.defaultTimeZone,
  }));

  app.get('/api/v1/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
}
