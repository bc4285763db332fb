import { ROUTES } from '@serialtrace/api';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.js';
import { addRoute } from '../../route.js';

/** Packing, shipping and receiving, and what holds what: each an EPCIS event of the repository. */
export function aggregationRoutes(app: FastifyInstance, { services }: AppContext): void {
  const { aggregation } = services;

  addRoute(app, 'pack', ROUTES.pack, async ({ caller, body }) => aggregation.pack(caller, body));
  addRoute(app, 'packMany', ROUTES.packMany, async ({ caller, body }) => ({ packs: await aggregation.packMany(caller, body.packs) }));
  addRoute(app, 'unpack', ROUTES.unpack, async ({ caller, body }) => aggregation.unpack(caller, body));
  addRoute(app, 'contents', ROUTES.contents, async ({ caller, query }) => aggregation.contents(caller, query.code, query.at === undefined ? {} : { at: query.at }));
  addRoute(app, 'ship', ROUTES.ship, async ({ caller, body }) => services.trace.ship(caller, body));
  addRoute(app, 'receive', ROUTES.receive, async ({ caller, body }) => services.trace.receive(caller, body));
  addRoute(app, 'trace', ROUTES.trace, async ({ caller, query }) => services.trace.trace(caller, query.code, query.at === undefined ? {} : { at: query.at }));
  addRoute(app, 'parents', ROUTES.parents, async ({ caller, query }) => aggregation.parents(caller, query.code, query.at === undefined ? {} : { at: query.at }));
}
