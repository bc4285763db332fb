import { ALLOCATIONS, BASE_NAMES, MAX_LEASE_SIZE, RESET_RULES } from '@serialtrace/core';
import Type from 'typebox';
import { BigNumber, Instant, JsonObject, Nullable, ProblemSchema } from './common.schema.js';

const Base = Type.Enum(BASE_NAMES, { description: 'Sequence alphabet.' });
const ResetRule = Type.Enum(RESET_RULES, { description: 'When the sequence restarts.' });
const WholeNumber = Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^[0-9]+$' })], {
  description: 'A non-negative whole number, as a number or (beyond 2^53) decimal text.',
});
const ShiftStart = Type.Object({ label: Type.String(), start: Type.String({ pattern: '^[0-9]{1,2}:[0-9]{2}$' }) });
const ShiftStartsInput = Type.Union([Type.String(), Type.Array(Type.Union([Type.String(), ShiftStart]))], {
  description: 'Shift calendar: "06:00,14:00,22:00", ["E=06:00", ...] or [{"label": "E", "start": "06:00"}, ...].',
});

/** The series fields a caller may set; the service validates their values (422 on a bad one). */
const seriesFields = {
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  format: Type.String({ description: 'Format string, e.g. SN-{YYYY}{JJJ}-{####}.' }),
  base: Type.Optional(Type.String({ description: `One of ${BASE_NAMES.join(', ')}.` })),
  start: Type.Optional(WholeNumber),
  increment: Type.Optional(WholeNumber),
  minLength: Type.Optional(Type.Integer()),
  reset: Type.Optional(Type.String({ description: `One of ${RESET_RULES.join(', ')}.` })),
  timeZone: Type.Optional(Type.String({ description: 'IANA time zone; the server\'s when omitted.' })),
  shiftStarts: Type.Optional(Nullable(ShiftStartsInput)),
  global: Type.Optional(Type.Boolean({ description: 'Serials unique across the company.' })),
  allowGrowth: Type.Optional(Type.Boolean({ description: 'Let the sequence grow past its width instead of refusing.' })),
  allocation: Type.Optional(
    Type.String({
      description: `One of ${ALLOCATIONS.join(', ')}. gapless (default): every value is issued in order and a failed request consumes nothing. leased: each server issues from blocks it leases, for speed; values a server leased but did not issue are recorded as skipped.`,
    }),
  ),
  leaseSize: Type.Optional(WholeNumber),
};

export const SeriesCreate = Type.Object({ name: Type.String({ description: 'Unique in the company.' }), ...seriesFields }, { additionalProperties: false });

export const SeriesUpdate = Type.Object(
  { name: Type.Optional(Type.String({ description: 'A new name.' })), ...seriesFields, format: Type.Optional(seriesFields.format) },
  { additionalProperties: false },
);

export const CapacityView = Type.Object({
  perPeriod: Nullable(BigNumber),
  used: BigNumber,
  remaining: Nullable(BigNumber),
  usedRatio: Type.Number(),
  level: Type.Enum(['ok', 'warning', 'critical', 'exhausted']),
});

export const SeriesSettingsView = Type.Object({
  name: Type.String(),
  description: Type.String(),
  format: Type.String(),
  base: Base,
  start: BigNumber,
  increment: BigNumber,
  minLength: Type.Integer(),
  reset: ResetRule,
  timeZone: Type.String(),
  shiftStarts: Nullable(Type.Array(ShiftStart)),
  global: Type.Boolean(),
  allowGrowth: Type.Boolean(),
  allocation: Type.Enum(ALLOCATIONS),
  leaseSize: Type.Integer({ minimum: 1, maximum: MAX_LEASE_SIZE, description: 'Values a server leases at a time under leased allocation.' }),
});

export const SeriesView = Type.Object(
  {
    id: Type.Integer(),
    ...SeriesSettingsView.properties,
    version: Type.Integer(),
    createdAt: Instant,
    createdBy: Type.String(),
    updatedAt: Instant,
    updatedBy: Type.String(),
    current: Type.Object({ period: Type.String(), value: BigNumber }),
    capacity: CapacityView,
    warnings: Type.Array(ProblemSchema),
  },
  { $id: 'Series' },
);

export const SeriesList = Type.Object({ series: Type.Array(SeriesView) });


export const SeriesVersions = Type.Object({
  versions: Type.Array(
    Type.Object({
      version: Type.Integer(),
      changedAt: Instant,
      changedBy: Type.String(),
      reason: Nullable(Type.String()),
      settings: SeriesSettingsView,
    }),
  ),
});

export const SeriesCapacity = Type.Object({ period: Type.String(), value: BigNumber, capacity: CapacityView });

const previewFields = {
  at: Type.Optional(Instant),
  count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 5 })),
  context: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]))),
  partNumber: Type.Optional(Nullable(Type.String())),
  placeholders: Type.Optional(Type.Boolean({ description: 'Show missing context tokens as {LINE} instead of refusing.' })),
};

export const PreviewNextRequest = Type.Object(previewFields, { additionalProperties: false });
export const PreviewDefinitionRequest = Type.Object(
  { series: Type.Object({ name: Type.Optional(Type.String()), ...seriesFields }, { additionalProperties: false }), ...previewFields },
  { additionalProperties: false },
);

export const PreviewResult = Type.Object({
  serials: Type.Array(Type.String()),
  period: Type.String(),
  truncated: Type.Boolean({ description: 'Fewer serials than asked for fit before the series is exhausted.' }),
  warnings: Type.Array(ProblemSchema),
});

export const SeriesNameParams = Type.Object({ name: Type.String({ description: 'Series name (URL-encoded).' }) });

export { JsonObject };
