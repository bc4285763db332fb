import { problem, type Problem } from '../errors/serialtrace-error.js';
import { formatCivilDate, walkDays, type CivilDate, type DayFields } from '../time/civil-date.js';
import type { ResetRule } from '../time/reset-period.js';
import { formatMinutes, type ShiftCalendar } from '../time/shift-calendar.js';
import { dateTokensOf, sequenceNodesOf, type DateToken, type ParsedFormat } from './format-node.js';

export interface FormatRules {
  readonly reset: ResetRule;
  /** The shift calendar in force (the default one when the series names none). */
  readonly calendar: ShiftCalendar;
  /** Whether `{SHIFT}` prints the calendar's shift label (rather than a value from the request). */
  readonly shiftFromCalendar: boolean;
}

const DAY_TOKENS: readonly DateToken[] = ['YYYY', 'YY', 'MM', 'DD', 'JJJ', 'WW', 'GGGG', 'GG'];

/**
 * The days scanned for repeats. Within a year every repeat shows up at once; across years the
 * calendar has 14 kinds of year (leap or not, times the weekday of 1 January), all of which occur
 * within 28 years, so 33 years meet every case, including the ISO weeks around each New Year. A
 * two-digit year is accepted as naming its year, as it does for a century.
 */
const SCAN_FIRST_YEAR = 2024;
const SCAN_LAST_YEAR = 2056;

type DayPeriodRule = Exclude<ResetRule, 'never' | 'shift'>;

function dayPeriod(rule: DayPeriodRule, day: DayFields): number {
  switch (rule) {
    case 'daily':
      return day.days;
    case 'weekly':
      return day.weekYear * 100 + day.week;
    case 'monthly':
      return day.year * 12 + day.month;
    case 'yearly':
      return day.year;
  }
}

/**
 * Each day-level token as a bit field of a numeric key: years are taken relative to 2000 (the
 * scan stays within two centuries of it), and a two-digit year beside its four-digit year adds
 * nothing, so the widest key needs 40 bits and stays an exact double.
 */
const TOKEN_FIELDS: Readonly<Record<string, { bits: number; value: (day: DayFields) => number }>> = {
  YYYY: { bits: 8, value: (d) => d.year - 2000 },
  YY: { bits: 7, value: (d) => d.year % 100 },
  MM: { bits: 4, value: (d) => d.month },
  DD: { bits: 5, value: (d) => d.day },
  JJJ: { bits: 9, value: (d) => d.dayOfYear },
  WW: { bits: 6, value: (d) => d.week },
  GGGG: { bits: 8, value: (d) => d.weekYear - 2000 },
  GG: { bits: 7, value: (d) => d.weekYear % 100 },
};

function keyFunction(tokens: readonly DateToken[]): (day: DayFields) => number {
  const used = tokens.filter((t) => !(t === 'YY' && tokens.includes('YYYY')) && !(t === 'GG' && tokens.includes('GGGG')));
  const fields = used.map((t) => TOKEN_FIELDS[t]!);
  return (day) => {
    let key = 0;
    for (const field of fields) key = key * 2 ** field.bits + field.value(day);
    return key;
  };
}

/** Two dates in different reset periods whose date tokens print alike, if any. */
function findDayCollision(tokens: readonly DateToken[], rule: DayPeriodRule): [CivilDate, CivilDate] | undefined {
  const keyOf = keyFunction(tokens);
  // key -> the first day seen with it; its period is recomputed only on a repeat.
  const seen = new Map<number, DayFields>();
  let found: [CivilDate, CivilDate] | undefined;
  walkDays(SCAN_FIRST_YEAR, SCAN_LAST_YEAR, (day) => {
    const key = keyOf(day);
    const previous = seen.get(key);
    if (previous === undefined) seen.set(key, day);
    else if (dayPeriod(rule, previous) !== dayPeriod(rule, day)) {
      found = [previous, day];
      return true;
    }
    return false;
  });
  return found;
}

const dayCollisionCache = new Map<string, [CivilDate, CivilDate] | null>();

function cachedDayCollision(tokens: readonly DateToken[], rule: DayPeriodRule): [CivilDate, CivilDate] | undefined {
  const key = `${tokens.join(',')}/${rule}`;
  let result = dayCollisionCache.get(key);
  if (result === undefined) {
    result = findDayCollision(tokens, rule) ?? null;
    dayCollisionCache.set(key, result);
  }
  return result ?? undefined;
}

const NEEDS: Readonly<Record<DayPeriodRule | 'shift', string>> = {
  daily: 'the full date ({YYYY}{MM}{DD} or {YY}{JJJ})',
  weekly: 'the ISO week and its year ({GGGG}{WW}) or the full date',
  monthly: 'the year and month ({YYYY}{MM}) or the full date',
  yearly: 'the year ({YYYY} or {YY})',
  shift: 'the full date and the shift ({YY}{JJJ}{SHIFT}, or the date with {HH})',
};

interface Segment {
  readonly from: number;
  readonly to: number;
  readonly index: number;
  /** The part of the last shift that began the day before. */
  readonly carriedOver: boolean;
}

function segmentsOf(calendar: ShiftCalendar): Segment[] {
  const segments: Segment[] = [];
  const last = calendar.length - 1;
  if (calendar[0]!.start > 0) segments.push({ from: 0, to: calendar[0]!.start, index: last, carriedOver: true });
  calendar.forEach((shift, index) =>
    segments.push({ from: shift.start, to: calendar[index + 1]?.start ?? 1440, index, carriedOver: false }),
  );
  return segments;
}

/** Two parts of one day that belong to different shift instances but print alike, if any. */
function findShiftCollision(
  calendar: ShiftCalendar,
  hasHour: boolean,
  hasMinute: boolean,
  labelled: boolean,
): [Segment, Segment] | undefined {
  const segments = segmentsOf(calendar);
  const timeKeys = segments.map((segment) => {
    const keys = new Set<string>();
    for (let m = segment.from; m < segment.to; m++) {
      keys.add(`${hasHour ? Math.floor(m / 60) : ''}:${hasMinute ? m % 60 : ''}`);
    }
    return keys;
  });
  for (let a = 0; a < segments.length; a++) {
    for (let b = a + 1; b < segments.length; b++) {
      const sa = segments[a]!;
      const sb = segments[b]!;
      if (labelled && calendar[sa.index]!.label !== calendar[sb.index]!.label) continue;
      for (const key of timeKeys[a]!) {
        if (timeKeys[b]!.has(key)) return [sa, sb];
      }
    }
  }
  return undefined;
}

/**
 * Checks that a format can keep every serial unique under its reset rule: when the sequence
 * restarts, some token must print differently from every earlier period. The check is exact for
 * the calendar (it walks a century of days and every minute of the shift calendar), so it accepts
 * unusual but safe formats such as `{YYYY}{MM}{WW}` under a weekly reset.
 */
function uniquenessProblems(format: ParsedFormat, rules: FormatRules): Problem[] {
  const whole = { field: 'format', position: 0, length: format.source.length };
  const present = dateTokensOf(format);
  const dayTokens = DAY_TOKENS.filter((t) => present.has(t));
  const { reset } = rules;
  if (reset === 'never') return [];

  const dayRule: DayPeriodRule = reset === 'shift' ? 'daily' : reset;
  const collision = cachedDayCollision(dayTokens, dayRule);
  if (collision !== undefined) {
    const [a, b] = collision;
    const hasCalendarYear = present.has('YYYY') || present.has('YY');
    const hasWeekYear = present.has('GGGG') || present.has('GG');
    if (reset === 'weekly' && present.has('WW') && hasCalendarYear && !hasWeekYear) {
      const yearNode = format.nodes.find((n) => n.kind === 'date' && (n.token === 'YYYY' || n.token === 'YY'))!;
      return [
        problem('FORMAT_WEEK_YEAR_MISMATCH', {
          field: 'format',
          position: yearNode.position,
          length: yearNode.length,
          reason:
            `With a weekly reset, ${formatCivilDate(a)} and ${formatCivilDate(b)} print the same year and week, ` +
            `so the restarted sequence would repeat serials: {WW} is an ISO week, whose year is {GGGG} (or {GG}), not {YYYY}`,
        }),
      ];
    }
    return [
      problem('FORMAT_NOT_UNIQUE', {
        ...whole,
        reset,
        needs: NEEDS[reset],
        reason:
          `A ${reset === 'shift' ? 'per-shift' : reset} reset needs ${NEEDS[reset]} in the format: ` +
          `otherwise the sequence restarts on ${formatCivilDate(b)} and repeats the serials of ${formatCivilDate(a)}`,
      }),
    ];
  }
  if (reset !== 'shift') return [];

  const labelled = rules.shiftFromCalendar && format.nodes.some((n) => n.kind === 'context' && n.token === 'SHIFT');
  const clash = findShiftCollision(rules.calendar, present.has('HH'), present.has('NN'), labelled);
  if (clash === undefined) return [];
  const [first, second] = clash;
  const shiftA = rules.calendar[first.index]!;
  const shiftB = rules.calendar[second.index]!;
  const reason =
    first.index === second.index
      ? `Shift ${shiftA.label} runs past midnight, so the evening and the early morning of one date belong to ` +
        `different shifts but print the same; add {HH} to the format`
      : `Shifts ${shiftA.label} (from ${formatMinutes(shiftA.start)}) and ${shiftB.label} (from ${formatMinutes(shiftB.start)}) ` +
        `would print the same; add {SHIFT}${present.has('HH') ? ' or {NN}' : ' or {HH}'} to the format`;
  return [problem('FORMAT_NOT_UNIQUE', { ...whole, reset, needs: NEEDS.shift, reason })];
}

function weekYearWarnings(format: ParsedFormat, rules: FormatRules): Problem[] {
  const present = dateTokensOf(format);
  if (rules.reset === 'weekly' || !present.has('WW')) return [];
  if (present.has('GGGG') || present.has('GG') || present.has('MM') || present.has('DD') || present.has('JJJ')) return [];
  const yearNode = format.nodes.find((n) => n.kind === 'date' && (n.token === 'YYYY' || n.token === 'YY'));
  if (yearNode === undefined) return [];
  return [
    problem(
      'FORMAT_WEEK_YEAR_MISMATCH',
      {
        field: 'format',
        position: yearNode.position,
        length: yearNode.length,
        reason:
          'Around New Year {YYYY}{WW} prints a week of the other year (2024-12-30 is week 01 of 2025 and would print 202401); use {GGGG}{WW}',
      },
      'warning',
    ),
  ];
}

/**
 * Every problem of a format under a series' rules, errors and warnings, each with its position:
 * syntax, the sequence token, and whether serials stay unique across resets. `uniqueness: false`
 * skips the last (a calendar walk of a few milliseconds) for formats already accepted once.
 */
export function validateFormat(format: ParsedFormat, rules: FormatRules, options: { readonly uniqueness?: boolean } = {}): Problem[] {
  const problems = [...format.problems];
  if (sequenceNodesOf(format).length === 0) {
    problems.push(problem('FORMAT_SEQUENCE_MISSING', { field: 'format', position: 0, length: format.source.length }));
  }
  if (problems.some((p) => p.severity === 'error')) return problems;
  return [...problems, ...(options.uniqueness === false ? [] : uniquenessProblems(format, rules)), ...weekYearWarnings(format, rules)];
}
