import { RECORD_STATUSES } from '@serialtrace/core';
import Type from 'typebox';
import { BigNumber, Instant, JsonObject, Nullable } from './common.schema.js';
import { AuditEntry } from './audit.schema.js';

const Status = Type.Enum(RECORD_STATUSES);

export const AiValue = Type.Object({ ai: Type.String(), value: Type.String() });

/** A record of a series bound to a GTIN, or issuing SSCCs, in GS1's notations. */
export const Gs1Identity = Type.Object(
  {
    gtin: Nullable(Type.String()),
    sscc: Nullable(Type.String()),
    ais: Type.Array(AiValue),
    bracketed: Type.String({ description: 'Human-readable form, e.g. (01)09520123456788(21)A1.' }),
    elementString: Type.String({ description: 'As a scanner sends it: ASCII 29 (GS) after each variable-length value but the last.' }),
    digitalLink: Type.String({ description: 'GS1 Digital Link URI.' }),
    epcUrn: Nullable(Type.String({ description: 'EPC pure identity URN (SGTIN or SSCC); null when the series has no company prefix.' })),
  },
  { $id: 'Gs1Identity' },
);

export const RecordView = Type.Object(
  {
    id: Type.Integer(),
    serial: Type.String(),
    series: Type.String(),
    sequence: BigNumber,
    period: Type.String(),
    status: Status,
    workOrder: Nullable(Type.String()),
    partNumber: Nullable(Type.String()),
    context: Type.Record(Type.String(), Type.String()),
    metadata: Type.Unknown(),
    generatedAt: Instant,
    generatedBy: Type.String(),
    station: Nullable(Type.String()),
    updatedAt: Instant,
    lot: Nullable(Type.String({ description: 'GS1 batch/lot (AI 10).' })),
    expiry: Nullable(Type.String({ description: 'GS1 expiry date (AI 17) as YYYY-MM-DD; day 00 is the end of the month.' })),
    labelPrints: Type.Integer({ minimum: 0, description: 'How many times the label was printed (first print and reprints).' }),
    gs1: Nullable(Gs1Identity),
  },
  { $id: 'Record' },
);

export const HistoryView = Type.Object({
  from: Nullable(Status),
  to: Status,
  at: Instant,
  actor: Type.String(),
  station: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  data: Type.Unknown(),
});

export const PrintView = Type.Object({
  print: Type.Integer({ minimum: 1, description: '1 for the first print, 2 for the first reprint, ...' }),
  at: Instant,
  actor: Type.String(),
  station: Nullable(Type.String()),
  template: Type.String(),
  format: Type.String(),
});

export const RecordDetails = Type.Object({
  ...RecordView.properties,
  history: Type.Array(HistoryView),
  prints: Type.Array(PrintView),
  audit: Type.Array(AuditEntry),
});

export const RecordPage = Type.Object({
  records: Type.Array(RecordView),
  nextCursor: Nullable(Type.String({ description: 'Pass back as `cursor` for the next (older) page; null on the last.' })),
});

export const RecordList = Type.Object({ records: Type.Array(RecordView) });

export const RecordQuery = Type.Object(
  {
    series: Type.Optional(Type.String()),
    workOrder: Type.Optional(Type.String()),
    partNumber: Type.Optional(Type.String()),
    status: Type.Optional(Type.String({ description: RECORD_STATUSES.join(', ') })),
    lot: Type.Optional(Type.String({ description: 'GS1 lot (exact).' })),
    q: Type.Optional(Type.String({ description: 'Text found in the serial, work order or part number.' })),
    from: Type.Optional(Type.String({ description: 'Generated at or after this ISO-8601 instant.' })),
    to: Type.Optional(Type.String({ description: 'Generated before this ISO-8601 instant.' })),
    limit: Type.Optional(Type.Integer({ description: 'Page size, 1 to 1000 (default 50).' })),
    cursor: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const RecordCountQuery = Type.Object(
  {
    series: RecordQuery.properties.series,
    workOrder: RecordQuery.properties.workOrder,
    partNumber: RecordQuery.properties.partNumber,
    status: RecordQuery.properties.status,
    lot: RecordQuery.properties.lot,
    q: RecordQuery.properties.q,
    from: RecordQuery.properties.from,
    to: RecordQuery.properties.to,
  },
  { additionalProperties: false },
);

export const RecordCount = Type.Object({
  count: Type.Integer({ minimum: 0 }),
  capped: Type.Boolean({ description: 'More records match than were counted: `count` is a lower bound (10,000,000).' }),
});

export const SerialParams = Type.Object({ serial: Type.String({ description: 'The serial (URL-encoded).' }) });
export const SeriesFilter = Type.Object(
  { series: Type.Optional(Type.String({ description: 'Needed when two non-global series issued the same text.' })) },
  { additionalProperties: false },
);
export const WorkOrderParams = Type.Object({ workOrder: Type.String() });

export const StatusChangeRequest = Type.Object(
  {
    status: Type.String({ description: `One of ${RECORD_STATUSES.join(', ')}.` }),
    reason: Type.Optional(Nullable(Type.String())),
    data: Type.Optional(Nullable(JsonObject)),
    series: Type.Optional(Type.String({ description: 'Needed when two non-global series issued the same text.' })),
  },
  { additionalProperties: false },
);
