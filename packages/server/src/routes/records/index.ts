import { ROUTES } from '@serialtrace/api';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.js';
import { addRoute } from '../../route.js';

/** Records: search, look up, follow a work order, move along the lifecycle. */
export function recordsRoutes(app: FastifyInstance, { services }: AppContext): void {
  const { records } = services;

  addRoute(app, 'searchRecords', ROUTES.searchRecords, async ({ caller, query }) => {
    const { q, ...rest } = query;
    return records.search(caller, { ...rest, ...(q === undefined ? {} : { search: q }) });
  });
  addRoute(app, 'countRecords', ROUTES.countRecords, async ({ caller, query }) => {
    const { q, ...rest } = query;
    return records.count(caller, { ...rest, ...(q === undefined ? {} : { search: q }) });
  });
  addRoute(app, 'getRecord', ROUTES.getRecord, async ({ caller, params, query }) =>
    records.get(caller, params.serial, query.series === undefined ? {} : { series: query.series }),
  );
  addRoute(app, 'changeStatus', ROUTES.changeStatus, async ({ caller, params, body }) =>
    records.changeStatus(caller, params.serial, body.status, {
      ...(body.series === undefined ? {} : { series: body.series }),
      reason: body.reason ?? caller.reason ?? null,
      ...(body.data === undefined ? {} : { data: body.data }),
    }),
  );
  addRoute(app, 'workOrderRecords', ROUTES.workOrderRecords, async ({ caller, params }) => ({
    records: await records.byWorkOrder(caller, params.workOrder),
  }));
}
