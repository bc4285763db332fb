import { ALLOCATIONS, BASE_NAMES, MAX_LEASE_SIZE, RESET_RULES } from '@serialtrace/core';
import Type from 'typebox';
import { BigNumber, Instant, JsonObject, MULTILINE, Nullable, ProblemSchema } from './common.schema.js';

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
  description: Type.Optional(Type.String({ maxLength: 2000, ...MULTILINE })),
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
  gtin: Type.Optional(
    Nullable(Type.String({ description: 'Bind the series to this GTIN (8, 12, 13 or 14 digits): its serials are GS1 serial numbers (AI 21), at most 20 characters of GS1 set 82.' })),
  ),
  sscc: Type.Optional(Type.Boolean({ description: 'Issue SSCCs: extension digit + company prefix + serial reference + check digit. The format may be left out.' })),
  companyPrefix: Type.Optional(Nullable(Type.String({ description: 'GS1 company prefix (6-12 digits): required for SSCCs; with a GTIN it gives records their EPC URN.' }))),
  extensionDigit: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 9, description: 'SSCC extension digit.' }))),
  randomized: Type.Optional(
    Type.Boolean({
      description:
        'Serials are a keyed pseudorandom permutation of the sequence space (never repeating, revealing no order), and at most one per 10,000 values of a period is issued (EU FMD). Needs the server master key.',
    }),
  ),
};

export const SeriesCreate = Type.Object(
  { name: Type.String({ description: 'Unique in the company.' }), ...seriesFields, format: Type.Optional(seriesFields.format) },
  { additionalProperties: false },
);

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
  gtin: Nullable(Type.String({ description: 'The GTIN-14 the series issues serial numbers of.' })),
  sscc: Type.Boolean(),
  companyPrefix: Nullable(Type.String()),
  extensionDigit: Nullable(Type.Integer()),
  randomized: Type.Boolean(),
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
    guess: Nullable(
      Type.Object(
        {
          space: BigNumber,
          issued: BigNumber,
          probability: Type.Number({ description: 'issued / space: the chance that a guessed value is a serial of the current period.' }),
          limit: BigNumber,
        },
        { description: 'Randomised series only: the space of a period, serials issued in it, and the most it may issue (space / 10,000).' },
      ),
    ),
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
