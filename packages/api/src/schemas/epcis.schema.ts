import Type from 'typebox';
import { Instant, JsonObject, Nullable, ProblemSchema, WhereHeaders } from './common.schema.js';

/**
 * The EPCIS 2.0 REST bindings' request headers a capture reads. `GS1-Capture-Error-Behaviour`:
 * `rollback` (the default) stores all the document's events or none; `proceed` stores the good
 * ones and lists the others in the capture job.
 */
export const EpcisCaptureHeaders = Type.Object({
  ...WhereHeaders.properties,
  'gs1-capture-error-behaviour': Type.Optional(Type.Enum(['rollback', 'proceed'], { description: 'rollback (default): all or nothing; proceed: keep the good events.' })),
  'gs1-epcis-version': Type.Optional(Type.String({ maxLength: 20, description: 'The EPCIS version the client speaks; 2.0.x is served.' })),
  'gs1-cbv-version': Type.Optional(Type.String({ maxLength: 20, description: 'The CBV version the client speaks; 2.0.x is served.' })),
});

/** An EPCISDocument (POST /epcis/capture) or one EPCIS event (POST /epcis/events), as JSON-LD. */
export const EpcisBody = Type.Unsafe<Record<string, unknown>>({ ...JsonObject, description: 'An EPCIS 2.0 JSON-LD document or event.' });

export const CaptureJob = Type.Object({
  captureID: Type.String({ description: 'The capture job\'s id, as in its Location.' }),
  createdAt: Instant,
  finishedAt: Nullable(Instant),
  running: Type.Boolean({ description: 'Whether the job still works; false once answered, since serialtrace captures before it answers.' }),
  success: Type.Boolean({ description: 'false when any event was refused (with proceed, the others were stored).' }),
  captureErrorBehaviour: Type.Enum(['rollback', 'proceed']),
  eventCount: Type.Integer({ description: 'How many events the document held.' }),
  capturedCount: Type.Integer({ description: 'How many of them were stored.' }),
  errors: Type.Array(ProblemSchema, { description: 'Every refused event\'s problems, each naming the event (details.event, details.eventID) and the field.' }),
});

export const CaptureJobParams = Type.Object({ captureID: Type.String({ maxLength: 40 }) });

export const EventParams = Type.Object({ eventID: Type.String({ maxLength: 300, description: 'The eventID, percent-encoded (an event hash holds / ; and ?).' }) });

export const CapturedEvent = Type.Object({
  eventID: Type.String({ description: 'The event\'s id: as sent, or its CBV 2.0 event hash when it came without one.' }),
  capture: CaptureJob,
});
