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

/** The headers a query reads: the format of the identifiers in the answer, and the versions the client speaks. */
export const EpcisQueryHeaders = Type.Object({
  'gs1-epc-format': Type.Optional(
    Type.String({ maxLength: 40, description: 'No_Preference (default: as captured), Always_GS1_Digital_Link, Always_EPC_URN or Never_Translates.' }),
  ),
  'gs1-epcis-version': Type.Optional(Type.String({ maxLength: 20 })),
  'gs1-epcis-min': Type.Optional(Type.String({ maxLength: 20 })),
  'gs1-epcis-max': Type.Optional(Type.String({ maxLength: 20 })),
  'gs1-cbv-version': Type.Optional(Type.String({ maxLength: 20 })),
  'gs1-cbv-min': Type.Optional(Type.String({ maxLength: 20 })),
  'gs1-cbv-max': Type.Optional(Type.String({ maxLength: 20 })),
});

/**
 * The standard query parameters (`eventType`, `GE_eventTime`, `MATCH_anyEPC`, `EQ_bizTransaction_po`,
 * ...; see docs/epcis.md), `perPage` and `nextPageToken`. A value's alternatives are separated by
 * `|`; a parameter given twice has the values of both.
 */
export const EpcisQueryString = Type.Record(
  Type.String({ maxLength: 200 }),
  Type.Union([Type.String({ maxLength: 8000 }), Type.Array(Type.String({ maxLength: 8000 }), { maxItems: 100 })]),
  { description: 'EPCIS 2.0 query parameters.' },
);

/** The collections of what the repository knows: /epcis/eventTypes, /epcis/epcs, /epcis/bizSteps, ... */
export const EpcisCollection = Type.Object({
  '@context': Type.Array(Type.String()),
  type: Type.Literal('Collection'),
  member: Type.Array(Type.String(), { description: 'The members of this page: event types, EPCs, business steps, locations or dispositions; or `events`, a member\'s sub-resource.' }),
});

/** A collection's paging: the page size and the token of the page to read. */
export const EpcisPaging = Type.Object({
  perPage: Type.Optional(Type.String({ maxLength: 12, description: 'At most this many members (30 unless given; 1,000 at most).' })),
  nextPageToken: Type.Optional(Type.String({ maxLength: 2000, description: 'The page after the one that gave it.' })),
});

export const EventTypeParams = Type.Object({ eventType: Type.String({ maxLength: 100 }) });
export const EpcParams = Type.Object({ epc: Type.String({ maxLength: 300, description: 'An EPC as a URN or a GS1 Digital Link URI, percent-encoded.' }) });
export const BizStepParams = Type.Object({ bizStep: Type.String({ maxLength: 300, description: 'A CBV term (`shipping`), its URN or web URI, or any URI.' }) });
export const BizLocationParams = Type.Object({ bizLocation: Type.String({ maxLength: 300, description: 'A location: SGLN URN, GS1 Digital Link or any URI, percent-encoded.' }) });
export const ReadPointParams = Type.Object({ readPoint: Type.String({ maxLength: 300, description: 'A read point: SGLN URN, GS1 Digital Link or any URI, percent-encoded.' }) });
export const DispositionParams = Type.Object({ disposition: Type.String({ maxLength: 300, description: 'A CBV term (`in_transit`), its URN or web URI, or any URI.' }) });
