import Type from 'typebox';
import { GS1_TEXT, Instant, Nullable } from './common.schema.js';

/** A code in any notation: element string (with or without ]d2 and GS), bracketed, Digital Link, EPC URN, or a record's serial. */
const Code = Type.String({ ...GS1_TEXT, minLength: 1, maxLength: 500, description: 'A unit or container in any notation: (00)..., ]d2..., https://id.gs1.org/..., urn:epc:id:..., or a record\'s serial.' });

export const PackBody = Type.Object({
  parent: Code,
  children: Type.Array(Code, { minItems: 1, maxItems: 1000 }),
  move: Type.Optional(Type.Boolean({ description: 'Take children that are in another parent out of it first (a repack); otherwise they are refused.' })),
});

export const PackManyBody = Type.Object({
  packs: Type.Array(PackBody, { minItems: 1, maxItems: 500, description: 'Packed in order, in one transaction: all or nothing.' }),
});

export const UnpackBody = Type.Object({
  parent: Code,
  children: Type.Optional(Type.Array(Code, { maxItems: 1000, description: 'The children to take out; all of them when left out.' })),
});

const Identifier = Type.String({ description: 'A GS1 Digital Link (https://id.gs1.org/...) or another URI.' });

export const Aggregation = Type.Object({
  eventID: Type.String({ description: 'The AggregationEvent that says so, in the EPCIS repository (GET /epcis/events/{eventID}).' }),
  action: Type.Enum(['ADD', 'DELETE']),
  parent: Identifier,
  children: Type.Array(Identifier),
  moved: Type.Array(Type.Object({ child: Identifier, from: Identifier }), { description: 'Children taken out of another parent first (move).' }),
  eventTime: Instant,
});

export const Aggregations = Type.Object({ packs: Type.Array(Aggregation) });

export const CodeQuery = Type.Object({
  code: Code,
  at: Type.Optional(Type.String({ maxLength: 40, description: 'An ISO-8601 instant: the contents or parents as they were then. Now when left out.' })),
});

/** A node of a contents tree: an identifier and what it holds, each child a node of the same shape. */
const ContentsNode = Type.Unsafe<{ identifier: string; children: unknown[] }>({
  type: 'object',
  additionalProperties: true,
  description: '{ identifier, children: [ { identifier, children: [...] }, ... ] }',
});

export const Contents = Type.Object({
  identifier: Identifier,
  at: Instant,
  total: Type.Integer({ description: 'How many it holds at every level together.' }),
  children: Type.Array(ContentsNode),
});

export const Parents = Type.Object({
  identifier: Identifier,
  at: Instant,
  parents: Type.Array(Identifier, { description: 'What holds it, innermost first.' }),
});

const TypedLink = Type.Object({
  type: Type.String({ minLength: 1, maxLength: 300, description: 'A CBV type (po, desadv, inv, ...; owning_party, possessing_party, location) or a URI.' }),
  id: Type.String({ minLength: 1, maxLength: 500, description: 'The transaction\'s, party\'s or location\'s identifier (a URN or GS1 Digital Link).' }),
});

export const MovementBody = Type.Object({
  codes: Type.Array(Code, { minItems: 1, maxItems: 1000, description: 'What moves: units or containers (whatever they hold moves with them).' }),
  bizTransactions: Type.Optional(Type.Array(TypedLink, { maxItems: 50 })),
  sources: Type.Optional(Type.Array(TypedLink, { maxItems: 20 })),
  destinations: Type.Optional(Type.Array(TypedLink, { maxItems: 20 })),
  readPoint: Type.Optional(Type.String({ minLength: 1, maxLength: 300, description: 'Where it is read: SGLN URN, GS1 Digital Link or another URI.' })),
  bizLocation: Type.Optional(Type.String({ minLength: 1, maxLength: 300, description: 'Where it now is (for a receipt).' })),
});

export const Movement = Type.Object({
  eventID: Type.String(),
  bizStep: Type.Enum(['shipping', 'receiving']),
  identifiers: Type.Array(Identifier),
  contained: Type.Integer({ description: 'How many units moved inside the containers, at every level.' }),
  eventTime: Instant,
});

export const Trace = Type.Object({
  identifier: Identifier,
  at: Instant,
  commissioned: Type.Boolean(),
  ended: Nullable(Type.Enum(['destroyed', 'recalled', 'decommissioned'])),
  disposition: Nullable(Type.String()),
  bizStep: Nullable(Type.String()),
  readPoint: Nullable(Type.String()),
  bizLocation: Nullable(Type.String()),
  owner: Nullable(Type.String()),
  parents: Type.Array(Identifier),
  inheritedFrom: Nullable(Identifier),
  lastEventTime: Nullable(Instant),
  events: Type.Array(
    Type.Object({
      eventID: Type.String(),
      identifier: Identifier,
      type: Type.String(),
      action: Nullable(Type.String()),
      role: Type.String(),
      eventTime: Instant,
      recordTime: Instant,
      bizStep: Nullable(Type.String()),
      disposition: Nullable(Type.String()),
      readPoint: Nullable(Type.String()),
      bizLocation: Nullable(Type.String()),
      void: Type.Boolean(),
    }),
  ),
});
