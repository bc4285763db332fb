import { ROUTES } from '@serialtrace/api';
import { SerialtraceError } from '@serialtrace/core';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.js';
import { addRoute } from '../../route.js';

/** Liveness, readiness and the OpenAPI document: what load balancers and integrators read first. */
export function operationsRoutes(app: FastifyInstance, context: AppContext): void {
  addRoute(app, 'health', ROUTES.health, async () => ({ status: 'ok' }));

  addRoute(app, 'ready', ROUTES.ready, async ({ request }) => {
    if (context.shuttingDown()) throw new SerialtraceError('NOT_READY', { reason: 'shutting down' });
    try {
      await context.services.store.read((tx) => tx.countUsers());
    } catch (error) {
      // The driver's message names files and internals: it goes to the log, not to anonymous callers.
      request.log.error({ err: error }, 'readiness check failed');
      throw new SerialtraceError('NOT_READY', { reason: 'the database does not answer' });
    }
    return { status: 'ready' };
  });

  app.get('/api/v1/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
}
