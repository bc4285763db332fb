import { Readable } from 'node:stream';
import { ROUTES } from '@serialtrace/api';
import { auditExportChunks } from '@serialtrace/service';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.js';
import { addRoute } from '../../route.js';

/** The audit trail: list, verify, export. */
export function auditRoutes(app: FastifyInstance, { services }: AppContext): void {
  const { audit } = services;

  addRoute(app, 'listAudit', ROUTES.listAudit, async ({ caller, query }) => audit.list(caller, query));
  addRoute(app, 'verifyAudit', ROUTES.verifyAudit, async ({ caller }) => audit.verify(caller));
  addRoute(app, 'exportAudit', ROUTES.exportAudit, async ({ caller, query, reply }) => {
    const format = query.format ?? 'json';
    const stamp = services.clock.now().toISOString().slice(0, 10);
    return reply
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="serialtrace-audit-${stamp}.${format}"`)
      .send(Readable.from(auditExportChunks(audit.entries(caller), format)));
  });
}
