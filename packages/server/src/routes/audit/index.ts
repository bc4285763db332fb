import { Readable } from 'node:stream';
import { ROUTES } from '@serialtrace/api';
import { SerialtraceError } from '@serialtrace/core';
import { auditExportChunks } from '@serialtrace/service';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.js';
import { addRoute } from '../../route.js';

/** The audit trail (list, verify, export) and the journal it is made of. */
export function auditRoutes(app: FastifyInstance, { services }: AppContext): void {
  const { audit, journal } = services;

  addRoute(app, 'listAudit', ROUTES.listAudit, async ({ caller, query }) => audit.list(caller, query));
  addRoute(app, 'verifyAudit', ROUTES.verifyAudit, async ({ caller, query }) => {
    if ((query.checkpointSeq === undefined) !== (query.checkpointHash === undefined)) {
      throw new SerialtraceError('VALUE_INVALID', { field: query.checkpointSeq === undefined ? 'checkpointSeq' : 'checkpointHash', reason: 'a checkpoint is a position and its hash: give both' });
    }
    return audit.verify(caller, query.checkpointSeq === undefined ? {} : { checkpoint: { seq: query.checkpointSeq, hash: query.checkpointHash! } });
  });
  addRoute(app, 'readJournal', ROUTES.readJournal, async ({ caller, query }) => journal.read(caller, query));
  addRoute(app, 'exportAudit', ROUTES.exportAudit, async ({ caller, query, reply }) => {
    const format = query.format ?? 'json';
    const stamp = services.clock.now().toISOString().slice(0, 10);
    return reply
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="serialtrace-audit-${stamp}.${format}"`)
      .send(Readable.from(auditExportChunks(audit.entries(caller), format)));
  });
}
