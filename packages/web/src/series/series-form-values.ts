import type { RouteInput, RouteResult } from '@serialtrace/client';
import { SERIES_DEFAULTS, type SeriesInput } from '@serialtrace/core';

export type SeriesView = RouteResult<'getSeries'>;
type CreateBody = NonNullable<RouteInput<'createSeries'>['body']>;
type UpdateBody = NonNullable<RouteInput<'updateSeries'>['body']>;

/** The form as the user typed it: text stays text until it is sent, so nothing typed is lost. */
export interface SeriesFormValues {
  readonly name: string;
  readonly description: string;
  readonly format: string;
  readonly base: string;
  readonly start: string;
  readonly increment: string;
  readonly minLength: string;
  readonly reset: string;
  readonly timeZone: string;
  readonly shiftStarts: string;
  readonly global: boolean;
  readonly allowGrowth: boolean;
  readonly allocation: string;
  readonly leaseSize: string;
  /** What GS1 key the serials belong to: none, serial numbers (AI 21) of a GTIN, or whole SSCCs. */
  readonly gs1: Gs1Kind;
  readonly gtin: string;
  readonly companyPrefix: string;
  readonly extensionDigit: string;
  readonly randomized: boolean;
}

export type Gs1Kind = 'none' | 'gtin' | 'sscc';

export type SeriesField = keyof SeriesFormValues;

/**
 * Fields the server fixes once a series has issued (SHAPING_FIELDS in the series service): a new
 * value could print an issued serial again.
 */
export const SHAPING_FIELDS = ['format', 'base', 'minLength', 'reset', 'timeZone', 'shiftStarts', 'gtin', 'sscc', 'companyPrefix', 'extensionDigit', 'randomized'] as const;

export function newSeriesValues(timeZone: string): SeriesFormValues {
  return {
    name: '',
    description: '',
    format: '',
    base: SERIES_DEFAULTS.base,
    start: SERIES_DEFAULTS.start.toString(),
    increment: SERIES_DEFAULTS.increment.toString(),
    minLength: String(SERIES_DEFAULTS.minLength),
    reset: SERIES_DEFAULTS.reset,
    timeZone,
    shiftStarts: '',
    global: SERIES_DEFAULTS.global,
    allowGrowth: SERIES_DEFAULTS.allowGrowth,
    allocation: SERIES_DEFAULTS.allocation,
    leaseSize: String(SERIES_DEFAULTS.leaseSize),
    gs1: 'none',
    gtin: '',
    companyPrefix: '',
    extensionDigit: '',
    randomized: SERIES_DEFAULTS.randomized,
  };
}

export function shiftStartsText(shifts: SeriesView['shiftStarts']): string {
  return shifts === null ? '' : shifts.map((s) => `${s.label}=${s.start}`).join(',');
}

export function seriesValues(series: SeriesView): SeriesFormValues {
  return {
    name: series.name,
    description: series.description,
    format: series.format,
    base: series.base,
    start: series.start,
    increment: series.increment,
    minLength: String(series.minLength),
    reset: series.reset,
    timeZone: series.timeZone,
    shiftStarts: shiftStartsText(series.shiftStarts),
    global: series.global,
    allowGrowth: series.allowGrowth,
    allocation: series.allocation,
    leaseSize: String(series.leaseSize),
    gs1: series.sscc ? 'sscc' : series.gtin !== null ? 'gtin' : 'none',
    gtin: series.gtin ?? '',
    companyPrefix: series.companyPrefix ?? '',
    extensionDigit: series.extensionDigit === null ? '' : String(series.extensionDigit),
    randomized: series.randomized,
  };
}

const blankToUndefined = (text: string): string | undefined => (text.trim() === '' ? undefined : text.trim());

/** A whole number typed as digits goes as a number where the API wants an integer; anything else as typed, for core to refuse in words. */
function integerOrText(text: string): number | string | undefined {
  const trimmed = blankToUndefined(text);
  if (trimmed === undefined) return undefined;
  return /^\d{1,15}$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/**
 * The form as core reads a series description: the same input the server would resolve, so the
 * preview and the validation in the page are the server's own.
 */
export function toSeriesInput(values: SeriesFormValues): SeriesInput {
  return {
    name: values.name,
    description: values.description,
    // An SSCC series may leave its format out: core derives it from the prefix and extension digit.
    format: values.gs1 === 'sscc' && values.format.trim() === '' ? undefined : values.format,
    base: values.base,
    start: blankToUndefined(values.start),
    increment: blankToUndefined(values.increment),
    minLength: integerOrText(values.minLength),
    reset: values.reset,
    timeZone: blankToUndefined(values.timeZone),
    shiftStarts: blankToUndefined(values.shiftStarts) ?? null,
    global: values.global,
    allowGrowth: values.allowGrowth,
    allocation: values.allocation,
    leaseSize: values.allocation === 'leased' ? integerOrText(values.leaseSize) : undefined,
    gtin: values.gs1 === 'gtin' ? (blankToUndefined(values.gtin) ?? null) : null,
    sscc: values.gs1 === 'sscc',
    companyPrefix: values.gs1 === 'none' ? null : (blankToUndefined(values.companyPrefix) ?? null),
    extensionDigit: values.gs1 === 'sscc' ? (integerOrText(values.extensionDigit) ?? null) : null,
    randomized: values.randomized,
  };
}

/** Settings a new series only sends when they differ from the server's default. */
const DEFAULT_FALSE = new Set(['sscc', 'randomized']);

/** The create request; only called once core has accepted the same input. */
export function toCreateBody(values: SeriesFormValues): CreateBody {
  const input = toSeriesInput(values);
  const body: Record<string, unknown> = { name: values.name.trim() };
  for (const [key, value] of Object.entries(input)) {
    if (key === 'name' || value === undefined || value === null || (DEFAULT_FALSE.has(key) && value === false)) continue;
    body[key] = value;
  }
  return body as CreateBody;
}

/**
 * The update request: only the fields the user changed, so an unchanged locked field is never
 * sent and the version history names exactly what was edited.
 */
export function toUpdateBody(initial: SeriesFormValues, values: SeriesFormValues): UpdateBody {
  const before = toSeriesInput(initial) as Record<string, unknown>;
  const after = toSeriesInput(values) as Record<string, unknown>;
  const body: Record<string, unknown> = {};
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) === JSON.stringify(after[key])) continue;
    const value = after[key];
    if (key === 'name') body[key] = values.name.trim();
    else if (value !== undefined) body[key] = value;
  }
  return body;
}

/** The series' counter has moved in the current period, so the server counts it as having issued. */
export function counterMoved(series: SeriesView): boolean {
  return series.current.value !== series.start;
}
