import { ROUTES } from '@serialtrace/api';
import { can, parseInstant } from '@serialtrace/core';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.js';
import { addRoute } from '../../route.js';

/** Series: define, read, change (versioned), preview, and issue serials from them. */
export function seriesRoutes(app: FastifyInstance, { services }: AppContext): void {
  const { series, generation } = services;
  const previewOf = (body: { at?: string; count?: number; context?: Record<string, unknown>; partNumber?: string | null; placeholders?: boolean }) => ({
    ...(body.at === undefined ? {} : { at: parseInstant(body.at, 'at') }),
    ...(body.count === undefined ? {} : { count: body.count }),
    ...(body.context === undefined ? {} : { context: body.context }),
    ...(body.partNumber === undefined ? {} : { partNumber: body.partNumber }),
    ...(body.placeholders === undefined ? {} : { placeholders: body.placeholders }),
  });

  addRoute(app, 'listSeries', ROUTES.listSeries, async ({ caller }) => ({ series: await series.list(caller) }));
  addRoute(app, 'createSeries', ROUTES.createSeries, async ({ caller, body }) => series.create(caller, body));
  addRoute(app, 'previewDefinition', ROUTES.previewDefinition, async ({ body }) => series.previewDefinition(body.series, previewOf(body)));
  addRoute(app, 'getSeries', ROUTES.getSeries, async ({ caller, params }) => series.get(caller, params.name));
  addRoute(app, 'updateSeries', ROUTES.updateSeries, async ({ caller, params, body }) => series.update(caller, params.name, body));
  addRoute(app, 'seriesVersions', ROUTES.seriesVersions, async ({ caller, params }) => ({ versions: await series.versions(caller, params.name) }));
  addRoute(app, 'seriesCapacity', ROUTES.seriesCapacity, async ({ caller, params }) => {
    const view = await series.get(caller, params.name);
    return { period: view.current.period, value: view.current.value, capacity: view.capacity };
  });
  addRoute(app, 'previewNext', ROUTES.previewNext, async ({ caller, identity, params, body }) =>
    series.previewNext(caller, params.name, {
      ...previewOf(body),
      // The next serials of a randomised series are meant to be unguessable: only those who issue
      // or define serials see them ahead.
      randomised: { allowed: can(identity.role, 'serials.generate') || can(identity.role, 'series.write'), role: identity.role },
    }),
  );

  addRoute(app, 'generate', ROUTES.generate, async ({ caller, params, body, headers }) =>
    generation.generate(caller, params.name, { ...body, idempotencyKey: headers['idempotency-key'] }),
  );
}
