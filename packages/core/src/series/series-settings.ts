import { BASES, maxValueForWidth, parseBaseName, type Base, type BaseName } from '../encoding/base-encoding.js';
import { collectProblems, parseChoice, problem, refuseOnErrors, showValue, type Problem } from '../errors/serialtrace-error.js';
import { contextTokensOf, sequenceNodesOf, type ContextToken, type ParsedFormat } from '../format/format-node.js';
import { parseFormat } from '../format/format-parser.js';
import { sequenceWidth } from '../format/format-renderer.js';
import { validateFormat } from '../format/format-validator.js';
import { textProblem } from '../text/text-policy.js';
import { parseResetRule, type ResetRule } from '../time/reset-period.js';
import { DEFAULT_SHIFT_CALENDAR, formatMinutes, parseShiftCalendar, type ShiftCalendar } from '../time/shift-calendar.js';
import { canonicalTimeZone } from '../time/zoned-time.js';
import { GUESS_BOUND_DIVISOR, guessLimit } from '../random/guess-bound.js';
import { gs1FormatProblems, readGs1Fields, ssccFormat } from './gs1-binding.js';

/** A series as stored: every field explicit, values exact. */
export interface SeriesSettings {
  readonly name: string;
  readonly description: string;
  readonly format: string;
  readonly base: BaseName;
  readonly start: bigint;
  readonly increment: bigint;
  readonly minLength: number;
  readonly reset: ResetRule;
  /** IANA zone in which date tokens print and periods turn over. */
  readonly timeZone: string;
  /** The series' own shift calendar; `null` uses the default one (A/B/C from 00:00) for `shift` resets. */
  readonly shiftStarts: ShiftCalendar | null;
  /** Serials unique across the whole company, not only within the series. */
  readonly global: boolean;
  /** Whether the sequence may grow past its width instead of refusing with SERIES_EXHAUSTED. */
  readonly allowGrowth: boolean;
  /**
   * `gapless` (the default): each request takes its values from the series' counter inside its
   * own transaction, and a failed request consumes nothing. `leased`: each server takes blocks of
   * {@link leaseSize} values and issues from them; values a server leased but did not use are
   * recorded as skipped when the lease ends, so there may be gaps, all of them accounted for.
   */
  readonly allocation: Allocation;
  /** How many values a server leases at a time under `leased` allocation. */
  readonly leaseSize: number;
  /**
   * The GTIN (as 14 digits) whose serial numbers (AI 21) the series issues, or `null`. A record
   * of such a series is a GS1 item: GTIN + serial, with its lot and expiry.
   */
  readonly gtin: string | null;
  /** Whether the series issues SSCCs: extension digit + company prefix + serial reference + check digit. */
  readonly sscc: boolean;
  /** The GS1 company prefix: required for SSCCs; for a GTIN, it lets records name their EPC URN. */
  readonly companyPrefix: string | null;
  /** The SSCC extension digit (0-9), chosen by the company to widen its serial reference space. */
  readonly extensionDigit: number | null;
  /**
   * Serials are a keyed pseudorandom permutation of the sequence space rather than its order, so
   * they reveal nothing about order or volume, and the series issues at most one serial per
   * 10,000 values of a period's space (the EU FMD bound on guessing a valid serial).
   */
  readonly randomized: boolean;
}

export const ALLOCATIONS = ['gapless', 'leased'] as const;
export type Allocation = (typeof ALLOCATIONS)[number];

/**
 * A series as a caller describes it (CLI flags, JSON bodies): loosely typed, defaults omitted.
 * Numbers may come as strings so that values beyond 2^53 survive JSON.
 */
export interface SeriesInput {
  readonly name?: unknown;
  readonly description?: unknown;
  readonly format?: unknown;
  readonly base?: unknown;
  readonly start?: unknown;
  readonly increment?: unknown;
  readonly minLength?: unknown;
  readonly reset?: unknown;
  readonly timeZone?: unknown;
  readonly shiftStarts?: unknown;
  readonly global?: unknown;
  readonly allowGrowth?: unknown;
  readonly allocation?: unknown;
  readonly leaseSize?: unknown;
  readonly gtin?: unknown;
  readonly sscc?: unknown;
  readonly companyPrefix?: unknown;
  readonly extensionDigit?: unknown;
  readonly randomized?: unknown;
}

export const SERIES_DEFAULTS = {
  description: '',
  base: 'numeric',
  start: 0n,
  increment: 1n,
  minLength: 4,
  reset: 'never',
  global: false,
  allowGrowth: false,
  allocation: 'gapless',
  leaseSize: 100,
  gtin: null,
  sscc: false,
  companyPrefix: null,
  extensionDigit: null,
  randomized: false,
} as const;

export const MAX_LEASE_SIZE = 100_000;

export const MAX_MIN_LENGTH = 40;
export const MAX_NAME_LENGTH = 100;
export const MAX_DESCRIPTION_LENGTH = 2000;

/**
 * A series compiled for use: the parsed format, the base and the limits derived once from the
 * settings, so generation never re-parses.
 */
export interface SeriesPlan {
  readonly settings: SeriesSettings;
  readonly format: ParsedFormat;
  readonly base: Base;
  /** The calendar in force: the series' own, or the default when it resets per shift without one. */
  readonly calendar: ShiftCalendar;
  /** Whether `{SHIFT}` comes from the calendar rather than the request. */
  readonly shiftFromCalendar: boolean;
  /** The context tokens the format prints, each once, in order of appearance. */
  readonly contextTokens: readonly ContextToken[];
  /** Narrowest sequence width in the format; the capacity limit. */
  readonly width: number;
  /**
   * Largest value the counter may reach, or `null` when the series may grow. For a randomised
   * series this is the guess bound (one serial per 10,000 values), not the width.
   */
  readonly maxValue: bigint | null;
  /** Randomised series: how many values the permutation ranges over (a period's whole space). */
  readonly randomSpace: bigint | null;
  /** SSCC series: a GS1 check digit follows the 17 digits the format prints. */
  readonly checkDigit: boolean;
  /** Non-blocking remarks on the format. */
  readonly warnings: readonly Problem[];
}

function invalid(field: string, reason: string, extra: Record<string, unknown> = {}): Problem {
  return problem('VALUE_INVALID', { field, reason, ...(extra as Record<string, string>) });
}

/** Reads a non-negative whole number given as bigint, safe integer or digit string. */
export function readWholeNumber(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value >= 0n ? value : undefined;
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? BigInt(value) : undefined;
  if (typeof value === 'string' && /^\s*\d{1,60}\s*$/.test(value)) return BigInt(value.trim());
  return undefined;
}

function readText(value: unknown, field: string, problems: Problem[], max: number, required: boolean): string {
  if (value === undefined || value === null) {
    if (required) problems.push(invalid(field, 'it is required'));
    return '';
  }
  if (typeof value !== 'string') {
    problems.push(invalid(field, 'it must be text'));
    return '';
  }
  const text = value.trim();
  if (required && text === '') problems.push(invalid(field, 'it must not be empty'));
  if (text.length > max) problems.push(invalid(field, `it is ${text.length} characters long; at most ${max} are allowed`));
  // The one text policy: a description may span lines; every other setting is one line.
  const bad = textProblem(text, field === 'description' ? 'multiline' : 'line');
  if (bad !== undefined) problems.push(invalid(field, bad));
  return text;
}

interface ShiftEntryJson {
  readonly label: string;
  readonly start: string;
}

function isShiftEntry(value: unknown): boolean {
  if (typeof value === 'string') return true;
  return typeof value === 'object' && value !== null && typeof (value as ShiftEntryJson).label === 'string' && typeof (value as ShiftEntryJson).start === 'string';
}

function readBoolean(value: unknown, field: string, problems: Problem[], fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  problems.push(invalid(field, 'it must be true or false'));
  return fallback;
}

const FIELD_ORDER = [
  'name',
  'gtin',
  'sscc',
  'companyPrefix',
  'extensionDigit',
  'format',
  'base',
  'start',
  'increment',
  'minLength',
  'reset',
  'timeZone',
  'shiftStarts',
  'global',
  'allowGrowth',
  'randomized',
  'allocation',
  'leaseSize',
  'description',
];

/** Problems in the order the fields appear on the form, so the headline names the first one. */
function sortByField(problems: Problem[]): Problem[] {
  const rank = (p: Problem) => {
    const index = FIELD_ORDER.indexOf(p.field ?? '');
    return index < 0 ? FIELD_ORDER.length : index;
  };
  return problems.map((p, i) => ({ p, i })).sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i).map(({ p }) => p);
}

/**
 * Validates a series description and fills in the defaults. Every problem is reported at once
 * (an unknown token in the format and a zero increment come back together); warnings are
 * returned, not thrown.
 *
 * @param defaults.timeZone the zone used when the input names none (the server's own)
 */
export function resolveSeriesSettings(
  input: SeriesInput,
  defaults: { readonly timeZone: string },
): { settings: SeriesSettings; plan: SeriesPlan } {
  const problems: Problem[] = [];
  const name = readText(input.name, 'name', problems, MAX_NAME_LENGTH, true);
  const description = readText(input.description, 'description', problems, MAX_DESCRIPTION_LENGTH, false);
  const sscc = readBoolean(input.sscc, 'sscc', problems, SERIES_DEFAULTS.sscc);
  const gs1 = readGs1Fields(input, sscc, problems);
  // An SSCC series' format follows from its prefix and extension digit; one may still be given.
  const derivedFormat = sscc && gs1.companyPrefix !== null && gs1.extensionDigit !== null ? ssccFormat(gs1.companyPrefix, gs1.extensionDigit) : '';
  const format = typeof input.format === 'string' && input.format !== '' ? input.format : derivedFormat;
  if (format === '' && !(sscc && typeof input.format !== 'string')) problems.push(invalid('format', 'it is required'));

  const present = (value: unknown) => value !== undefined && value !== null && value !== '';
  /** A field read by `read` when given; its fallback when absent or refused (the refusal is kept). */
  const optional = <T>(value: unknown, read: () => T, fallback: T): T =>
    present(value) ? (collectProblems(problems, read) ?? fallback) : fallback;
  const base = optional(input.base, () => parseBaseName(input.base), SERIES_DEFAULTS.base as BaseName);
  const reset = optional(input.reset, () => parseResetRule(input.reset), SERIES_DEFAULTS.reset as ResetRule);

  let start: bigint = SERIES_DEFAULTS.start;
  if (input.start !== undefined && input.start !== null) {
    const value = readWholeNumber(input.start);
    if (value === undefined) problems.push(invalid('start', `"${showValue(input.start)}" is not a non-negative whole number`));
    else start = value;
  }

  let increment: bigint = SERIES_DEFAULTS.increment;
  if (input.increment !== undefined && input.increment !== null) {
    const value = readWholeNumber(input.increment);
    if (value === undefined || value < 1n) problems.push(invalid('increment', `"${showValue(input.increment)}" is not a whole number of at least 1`));
    else increment = value;
  }

  let minLength: number = SERIES_DEFAULTS.minLength;
  if (input.minLength !== undefined && input.minLength !== null) {
    const value = readWholeNumber(input.minLength);
    if (value === undefined || value < 1n || value > BigInt(MAX_MIN_LENGTH)) {
      problems.push(invalid('minLength', `"${showValue(input.minLength)}" is not a whole number from 1 to ${MAX_MIN_LENGTH}`));
    } else minLength = Number(value);
  }

  const timeZone = optional(input.timeZone, () => canonicalTimeZone(showValue(input.timeZone)), defaults.timeZone);

  let shiftStarts: ShiftCalendar | null = null;
  if (present(input.shiftStarts)) {
    if (typeof input.shiftStarts === 'string') {
      shiftStarts = collectProblems(problems, () => parseShiftCalendar(input.shiftStarts as string)) ?? null;
    } else if (Array.isArray(input.shiftStarts) && input.shiftStarts.every(isShiftEntry)) {
      const entries = (input.shiftStarts as readonly (string | ShiftEntryJson)[]).map((s) => (typeof s === 'string' ? s : `${s.label}=${s.start}`));
      shiftStarts = collectProblems(problems, () => parseShiftCalendar(entries)) ?? null;
    } else problems.push(problem('SHIFT_CALENDAR_INVALID', { field: 'shiftStarts', reason: 'give a list of HH:MM times' }));
  }

  const global = readBoolean(input.global, 'global', problems, SERIES_DEFAULTS.global);
  const allowGrowth = readBoolean(input.allowGrowth, 'allowGrowth', problems, SERIES_DEFAULTS.allowGrowth);
  const randomized = readBoolean(input.randomized, 'randomized', problems, SERIES_DEFAULTS.randomized);
  const allocation = optional(input.allocation, () => parseChoice(input.allocation, ALLOCATIONS, 'allocation', 'allocation'), SERIES_DEFAULTS.allocation as Allocation);
  let leaseSize: number = SERIES_DEFAULTS.leaseSize;
  if (present(input.leaseSize)) {
    const value = readWholeNumber(input.leaseSize);
    if (value === undefined || value < 1n || value > BigInt(MAX_LEASE_SIZE)) {
      problems.push(invalid('leaseSize', `"${showValue(input.leaseSize)}" is not a whole number from 1 to ${MAX_LEASE_SIZE}`));
    } else leaseSize = Number(value);
  }

  const settings: SeriesSettings = {
    name,
    description,
    format,
    base,
    start,
    increment,
    minLength,
    reset,
    timeZone,
    shiftStarts,
    global,
    allowGrowth,
    allocation,
    leaseSize,
    ...gs1,
    randomized,
  };
  const { plan, problems: planProblems } = planSeries(settings);
  problems.push(...planProblems);
  refuseOnErrors(sortByField(problems));
  return { settings, plan };
}

/**
 * Compiles settings into a plan and reports what is wrong with them: the format under the reset
 * rule, and a start value that leaves no room for a single serial.
 */
export function planSeries(
  settings: SeriesSettings,
  options: { readonly uniqueness?: boolean } = {},
): { plan: SeriesPlan; problems: Problem[] } {
  const format = parseFormat(settings.format);
  const shiftFromCalendar = settings.shiftStarts !== null || settings.reset === 'shift';
  const calendar = settings.shiftStarts ?? DEFAULT_SHIFT_CALENDAR;
  const problems = settings.format === '' ? [] : validateFormat(format, { reset: settings.reset, calendar, shiftFromCalendar }, options);
  const base = BASES[settings.base];
  const widths = sequenceNodesOf(format).map((node) => sequenceWidth(node, settings.minLength));
  const width = widths.length === 0 ? settings.minLength : Math.min(...widths);
  const widthMax = settings.allowGrowth ? null : maxValueForWidth(base, width);
  let maxValue = widthMax;
  let randomSpace: bigint | null = null;
  if (settings.randomized) {
    if (widthMax === null) {
      problems.push(invalid('randomized', 'randomised serials need a fixed sequence width to permute; a sequence that may grow has no fixed space'));
    } else {
      randomSpace = widthMax > settings.start ? (widthMax - settings.start) / settings.increment : 0n;
      const limit = guessLimit(randomSpace);
      maxValue = settings.start + settings.increment * limit;
      if (limit === 0n && widths.length > 0) {
        problems.push(
          invalid(
            'randomized',
            `a period's space of ${randomSpace} values allows no serial while keeping the chance of guessing one below 1 in ${GUESS_BOUND_DIVISOR}; ` +
              'widen the sequence (at least 10,000 values per serial issued)',
          ),
        );
      }
    }
  }
  problems.push(...gs1FormatProblems(settings, format, settings));
  if (widthMax !== null && settings.start + settings.increment > widthMax && widths.length > 0) {
    problems.push(
      invalid(
        'start',
        `the first serial would carry ${settings.start + settings.increment}, which does not fit in ${width} ` +
          `${base.name} characters (at most ${widthMax}); raise the minimum length or allow growth`,
      ),
    );
  }
  problems.push(...ambiguityWarnings(format, settings.allowGrowth));
  const plan: SeriesPlan = {
    settings,
    format,
    base,
    calendar,
    shiftFromCalendar,
    contextTokens: contextTokensOf(format),
    width,
    maxValue,
    randomSpace,
    checkDigit: settings.sscc,
    warnings: problems.filter((p) => p.severity === 'warning'),
  };
  return { plan, problems };
}

/**
 * Context values have no fixed length, so when they stand on both sides of the sequence (or
 * beside a sequence that may grow) two different requests can print the same text: `{LINE}{#}{PLANT}`
 * prints A1B0 for A, 1, B0 and for A1, B (base 36), 0. The store still refuses the repeat and the
 * value is skipped, but a format without the ambiguity wastes no numbers.
 */
function ambiguityWarnings(format: ParsedFormat, allowGrowth: boolean): Problem[] {
  const first = format.nodes.findIndex((n) => n.kind === 'sequence');
  if (first < 0) return [];
  const last = format.nodes.length - 1 - [...format.nodes].reverse().findIndex((n) => n.kind === 'sequence');
  const before = format.nodes.slice(0, first).some((n) => n.kind === 'context');
  const after = format.nodes.slice(last + 1).some((n) => n.kind === 'context');
  if (!(before && after) && !(allowGrowth && (before || after))) return [];
  const node = format.nodes[first]!;
  return [
    problem(
      'FORMAT_AMBIGUOUS',
      {
        field: 'format',
        position: node.position,
        length: node.length,
        reason:
          before && after
            ? 'Context tokens on both sides of the sequence can spell the same serial for two requests; such values are skipped. Keep context tokens on one side.'
            : 'A context token beside a sequence that may grow can spell the same serial for two requests; such values are skipped. Use a fixed width or put the context token at the other end.',
      },
      'warning',
    ),
  ];
}

/** A plan for settings already known to be valid (read back from the store). */
export function compileSeries(settings: SeriesSettings): SeriesPlan {
  // Stored settings passed the uniqueness check when they were saved; every process that compiles
  // them for generation need not walk the calendar again.
  return planSeries(settings, { uniqueness: false }).plan;
}

/** Settings as plain JSON: the big numbers as decimal strings, the calendar as a list. */
export interface SeriesSettingsJson {
  readonly name: string;
  readonly description: string;
  readonly format: string;
  readonly base: BaseName;
  readonly start: string;
  readonly increment: string;
  readonly minLength: number;
  readonly reset: ResetRule;
  readonly timeZone: string;
  readonly shiftStarts: readonly { readonly label: string; readonly start: string }[] | null;
  readonly global: boolean;
  readonly allowGrowth: boolean;
  readonly allocation: Allocation;
  readonly leaseSize: number;
  readonly gtin: string | null;
  readonly sscc: boolean;
  readonly companyPrefix: string | null;
  readonly extensionDigit: number | null;
  readonly randomized: boolean;
}

export function settingsToJson(settings: SeriesSettings): SeriesSettingsJson {
  return {
    ...settings,
    start: settings.start.toString(),
    increment: settings.increment.toString(),
    shiftStarts: settings.shiftStarts?.map((s) => ({ label: s.label, start: formatMinutes(s.start) })) ?? null,
  };
}

export function settingsFromJson(json: SeriesSettingsJson): SeriesSettings {
  // Versions stored before allocation existed lack the two fields: they were gapless.
  const older = json as Partial<SeriesSettingsJson>;
  return {
    ...json,
    allocation: older.allocation ?? SERIES_DEFAULTS.allocation,
    leaseSize: older.leaseSize ?? SERIES_DEFAULTS.leaseSize,
    // ... and versions from before GS1 binding and randomisation were neither.
    gtin: older.gtin ?? null,
    sscc: older.sscc ?? false,
    companyPrefix: older.companyPrefix ?? null,
    extensionDigit: older.extensionDigit ?? null,
    randomized: older.randomized ?? false,
    start: BigInt(json.start),
    increment: BigInt(json.increment),
    shiftStarts: json.shiftStarts === null ? null : parseShiftCalendar(json.shiftStarts.map((s) => `${s.label}=${s.start}`)),
  };
}
