import Type from 'typebox';
import { JsonObject, Nullable } from './common.schema.js';

export const GenerateRequest = Type.Object(
  {
    quantity: Type.Optional(Type.Integer({ description: '1 to 10,000; 1 when omitted.' })),
    workOrder: Type.Optional(Nullable(Type.String())),
    partNumber: Type.Optional(Nullable(Type.String({ description: 'Also fills {PART}.' }))),
    context: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]), {
        description: 'Values of {SHIFT}, {LINE}, {PLANT}, {BATCH}, {PART} and any other data to keep.',
      }),
    ),
    metadata: Type.Optional(Nullable(JsonObject)),
    lot: Type.Optional(Nullable(Type.String({ description: 'GS1 batch/lot (AI 10) of the items; series bound to a GTIN only.' }))),
    expiry: Type.Optional(
      Nullable(Type.String({ description: 'GS1 expiry date (AI 17) as YYYY-MM-DD or YYMMDD (day 00: end of month); series bound to a GTIN only.' })),
    ),
  },
  { additionalProperties: false },
);

export const GenerateResult = Type.Object({
  series: Type.String(),
  serials: Type.Array(Type.String()),
  period: Type.String(),
  skipped: Type.Integer({ description: 'Values passed over because their serial already existed where it must stay unique.' }),
  replayed: Type.Boolean({ description: 'True when this answer repeats an earlier request with the same Idempotency-Key.' }),
});

export const GenerateHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ description: 'Repeating the request with this key returns the first answer instead of new serials.' }),
  ),
});
