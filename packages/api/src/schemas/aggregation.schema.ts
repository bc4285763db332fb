import Type from 'typebox';
import { GS1_TEXT, Instant } from './common.schema.js';

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
