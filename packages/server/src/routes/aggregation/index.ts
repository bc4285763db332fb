import { ROUTES } from '@serialtrace/api';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.js';
import { addRoute } from '../../route.js';

/** Packing units into containers, and what holds what: each pack or unpack an AggregationEvent. */
export function aggregationRoutes(app: FastifyInstance, { services }: AppContext): void {
  const { aggregation } = services;

  addRoute(app, 'pack', ROUTES.pack, async ({ caller, body }) => aggregation.pack(caller, body));
  addRoute(app, 'packMany', ROUTES.packMany, async ({ caller, body }) => ({ packs: await aggregation.packMany(caller, body.packs) }));
  addRoute(app, 'unpack', ROUTES.unpack, async ({ caller, body }) => aggregation.unpack(caller, body));
  addRoute(app, 'contents', ROUTES.contents, async ({ caller, query }) => aggregation.contents(caller, query.code, query.at === undefined ? {} : { at: query.at }));
  addRoute(app, 'parents', ROUTES.parents, async ({ caller, query }) => aggregation.parents(caller, query.code, query.at === undefined ? {} : { at: query.at }));
}
