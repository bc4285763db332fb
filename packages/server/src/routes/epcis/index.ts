import { ROUTES } from '@serialtrace/api';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../../app.js';
import { addRoute } from '../../route.js';

/** The versions of the standards every /epcis answer says it speaks, as the REST bindings ask. */
function speaksEpcis2(reply: FastifyReply): void {
  reply.header('GS1-EPCIS-Version', '2.0.0').header('GS1-CBV-Version', '2.0.0');
}

/** The EPCIS 2.0 repository under /epcis: capture of documents and single events, and capture jobs. */
export function epcisRoutes(app: FastifyInstance, { services }: AppContext): void {
  const { epcis } = services;

  addRoute(app, 'epcisCapture', ROUTES.epcisCapture, async ({ caller, headers, body, reply }) => {
    speaksEpcis2(reply);
    const job = await epcis.capture(caller, body, { errorBehaviour: headers['gs1-capture-error-behaviour'] ?? 'rollback' });
    reply.header('Location', `/epcis/capture/${encodeURIComponent(job.captureID)}`);
    return job;
  });
  addRoute(app, 'epcisCaptureJob', ROUTES.epcisCaptureJob, async ({ caller, params, reply }) => {
    speaksEpcis2(reply);
    return epcis.findCapture(caller, params.captureID);
  });
  addRoute(app, 'epcisEvent', ROUTES.epcisEvent, async ({ caller, params, reply }) => {
    speaksEpcis2(reply);
    return epcis.event(caller, params.eventID);
  });
  addRoute(app, 'epcisCaptureEvent', ROUTES.epcisCaptureEvent, async ({ caller, body, reply }) => {
    speaksEpcis2(reply);
    const captured = await epcis.captureEvent(caller, body);
    reply.header('Location', `/epcis/events/${encodeURIComponent(captured.eventID)}`);
    return captured;
  });
}
