import Type from 'typebox';

/** An instant as ISO-8601 text with its offset, e.g. `2025-06-15T08:30:00.000Z`. */
export const Instant = Type.String({ format: 'date-time', description: 'ISO-8601 instant, e.g. 2025-06-15T08:30:00.000Z' });

/** A whole number that may exceed 2^53, as decimal text. */
export const BigNumber = Type.String({ pattern: '^[0-9]+$', description: 'A whole number as decimal text (it may exceed 2^53).' });

export const Nullable = <T extends Type.TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/**
 * The text policy's annotation (see `textProblem` in core): every string a request carries is one
 * line of well-formed text, unless its schema, or a schema around it, says `x-text: multiline`
 * (free text: TAB, LF and CR allowed) or `x-text: gs1` (a scanned GS1 code with its group
 * separators). The server checks every string of a request against it before anything else.
 */
export const MULTILINE = { 'x-text': 'multiline' } as const;
export const GS1_TEXT = { 'x-text': 'gs1' } as const;

/** Free JSON data: an object, or null. Its values are free text; its keys are one line each. */
export const JsonObject = Type.Record(Type.String(), Type.Unknown(), MULTILINE);

/** One problem of an input, with its field and (for formats) position. */
export const ProblemSchema = Type.Object(
  {
    code: Type.String({ description: 'Stable error code (see docs/errors.md).' }),
    message: Type.String(),
    severity: Type.Enum(['error', 'warning']),
    field: Type.Optional(Type.String()),
    position: Type.Optional(Type.Integer({ description: 'Zero-based offset into the field text.' })),
    length: Type.Optional(Type.Integer()),
    details: Type.Optional(JsonObject),
  },
  { $id: 'Problem' },
);

/**
 * RFC 9457 problem document. `code` is the stable error code; the refusal's details (field,
 * position, series, ...) stand beside the standard members, and `problems` lists every problem
 * when there were several.
 */
export const ProblemDocument = Type.Object(
  {
    type: Type.String({ description: 'A URI naming the error code.' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String({ description: 'What went wrong, in words.' }),
    instance: Type.Optional(Type.String()),
    code: Type.String({ description: 'Stable error code (see docs/errors.md).' }),
    problems: Type.Optional(Type.Array(ProblemSchema)),
  },
  { additionalProperties: true, description: 'application/problem+json' },
);

/** Headers that say where and why a change is made; they go into the audit entry. */
export const WhereHeaders = Type.Object({
  'serialtrace-station': Type.Optional(Type.String({ maxLength: 100, description: 'Station or workplace, for the audit trail.' })),
  'serialtrace-line': Type.Optional(Type.String({ maxLength: 100, description: 'Production line, for the audit trail.' })),
  'serialtrace-plant': Type.Optional(Type.String({ maxLength: 100, description: 'Plant or site, for the audit trail.' })),
  'serialtrace-reason': Type.Optional(Type.String({ maxLength: 500, description: 'Why, for the audit trail.' })),
});

export const Empty = Type.Null({ description: 'No content.' });
