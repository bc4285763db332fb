import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BASE_NAMES,
  compileRenderer,
  compileSeries,
  DATE_TOKENS,
  DEFAULT_SHIFT_CALENDAR,
  formatMinutes,
  localDateTime,
  nextValues,
  parseFormat,
  parseShiftCalendar,
  periodKey,
  resolveContext,
  resolveSeriesSettings,
  RESET_RULES,
  SerialtraceError,
  validateFormat,
  type DateToken,
  type FormatRules,
  type LocalDateTime,
  type Problem,
  type ResetRule,
  type SeriesPlan,
  type SeriesSettings,
} from '@serialtrace/core';
import { ms, offsetMs, thrown } from './helpers.js';

const NIGHTS = parseShiftCalendar('06:00,14:00,22:00');

function rules(reset: ResetRule, calendar = DEFAULT_SHIFT_CALENDAR, shiftFromCalendar = reset === 'shift'): FormatRules {
  return { reset, calendar, shiftFromCalendar };
}

function check(format: string, reset: ResetRule, calendar = DEFAULT_SHIFT_CALENDAR): Problem[] {
  return validateFormat(parseFormat(format), rules(reset, calendar));
}

function errorCodes(format: string, reset: ResetRule, calendar = DEFAULT_SHIFT_CALENDAR): string[] {
  return check(format, reset, calendar)
    .filter((p) => p.severity === 'error')
    .map((p) => p.code);
}

describe('validateFormat: the sequence token', () => {
  it('a format without one is FORMAT_SEQUENCE_MISSING over the whole format', () => {
    expect(check('SN-{YYYY}', 'never')).toEqual([
      {
        code: 'FORMAT_SEQUENCE_MISSING',
        message: 'The format has no sequence token; add {SEQUENCE} or {####}',
        field: 'format',
        position: 0,
        length: 9,
        severity: 'error',
      },
    ]);
  });

  it('syntax problems come back with it, and uniqueness is not judged on a broken format', () => {
    expect(check('{YYY}-{NOPE}', 'daily').map((p) => p.code)).toEqual(['FORMAT_TOKEN_UNKNOWN', 'FORMAT_TOKEN_UNKNOWN', 'FORMAT_SEQUENCE_MISSING']);
    expect(check('{YYY}-{####}', 'daily').map((p) => p.code)).toEqual(['FORMAT_TOKEN_UNKNOWN']);
  });

  it('a series that never resets needs only the sequence', () => {
    expect(check('{####}', 'never')).toEqual([]);
    expect(check('SN-{SEQUENCE}', 'never')).toEqual([]);
  });
});

describe('validateFormat: uniqueness under each reset rule', () => {
  it('daily without a date is FORMAT_NOT_UNIQUE, and the message names the tokens it needs', () => {
    const [problem, ...rest] = check('SN-{####}', 'daily');
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ code: 'FORMAT_NOT_UNIQUE', severity: 'error', field: 'format', position: 0, length: 9 });
    expect(problem!.message).toContain('{YYYY}{MM}{DD}');
    expect(problem!.message).toContain('{YY}{JJJ}');
    expect(problem!.message).toMatch(/^A daily reset needs/);
    expect(problem!.details).toMatchObject({ reset: 'daily', needs: 'the full date ({YYYY}{MM}{DD} or {YY}{JJJ})' });
  });

  it.each([
    ['{YYYY}{MM}{DD}-{####}', []],
    ['{YY}{MM}{DD}-{####}', []],
    ['{YY}{JJJ}-{####}', []],
    ['{YYYY}{JJJ}-{####}', []],
    ['{DD}{MM}{YYYY}-{####}', []],
    // Unusual but safe: within an ISO week every day of the month differs.
    ['{GGGG}{WW}{DD}-{####}', []],
    ['{MM}{DD}-{####}', ['FORMAT_NOT_UNIQUE']],
    ['{YYYY}{MM}-{####}', ['FORMAT_NOT_UNIQUE']],
    ['{GGGG}{WW}-{####}', ['FORMAT_NOT_UNIQUE']],
    ['{JJJ}-{####}', ['FORMAT_NOT_UNIQUE']],
    ['{HH}{NN}{SS}-{####}', ['FORMAT_NOT_UNIQUE']],
  ])('daily: %s -> %j', (format, expected) => {
    expect(errorCodes(format, 'daily')).toEqual(expected);
  });

  it('weekly with {YYYY}{WW} is FORMAT_WEEK_YEAR_MISMATCH at the year token', () => {
    const problems = check('SN-{YYYY}{WW}-{####}', 'weekly');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'FORMAT_WEEK_YEAR_MISMATCH', severity: 'error', position: 3, length: 6 });
    expect(problems[0]!.message).toContain('{GGGG}');
    expect(problems[0]!.message).toContain('2024-01-01 and 2024-12-30');
    expect(check('{WW}{YY}-{####}', 'weekly')[0]).toMatchObject({ code: 'FORMAT_WEEK_YEAR_MISMATCH', position: 4, length: 4 });
  });

  it.each([
    ['{GGGG}{WW}-{####}', []],
    ['{GG}{WW}-{####}', []],
    ['{YYYY}{MM}{WW}-{####}', []],
    ['{YYYY}{MM}{DD}-{####}', []],
    ['{YY}{JJJ}-{####}', []],
    ['{GGGG}{WW}{HH}-{####}', []],
    ['{WW}-{####}', ['FORMAT_NOT_UNIQUE']],
    ['{YYYY}-{####}', ['FORMAT_NOT_UNIQUE']],
    ['{GGGG}-{####}', ['FORMAT_NOT_UNIQUE']],
    ['{YYYY}{WW}-{####}', ['FORMAT_WEEK_YEAR_MISMATCH']],
    ['{YY}{WW}-{####}', ['FORMAT_WEEK_YEAR_MISMATCH']],
  ])('weekly: %s -> %j', (format, expected) => {
    expect(errorCodes(format, 'weekly')).toEqual(expected);
  });

  it('weekly without a week: the message asks for the ISO week and its year', () => {
    expect(check('{####}', 'weekly')[0]!.message).toContain('{GGGG}{WW}');
  });

  it.each([
    ['{YYYY}{MM}-{####}', []],
    ['{YY}{MM}-{####}', []],
    ['{YYYY}{JJJ}-{####}', []],
    ['{YY}{MM}{DD}-{####}', []],
    ['{MM}-{####}', ['FORMAT_NOT_UNIQUE']],
    ['{YYYY}-{####}', ['FORMAT_NOT_UNIQUE']],
    // A week straddles two months.
    ['{YYYY}{WW}-{####}', ['FORMAT_NOT_UNIQUE']],
    // December 2024 and December 2025 share the week-year 2025 for a few days.
    ['{GGGG}{MM}-{####}', ['FORMAT_NOT_UNIQUE']],
  ])('monthly: %s -> %j', (format, expected) => {
    expect(errorCodes(format, 'monthly')).toEqual(expected);
  });

  it.each([
    ['{YYYY}-{####}', []],
    ['{YY}-{####}', []],
    ['{YYYY}{WW}-{####}', []],
    ['{MM}{DD}-{####}', ['FORMAT_NOT_UNIQUE']],
    ['{GGGG}-{####}', ['FORMAT_NOT_UNIQUE']],
    ['{####}', ['FORMAT_NOT_UNIQUE']],
  ])('yearly: %s -> %j', (format, expected) => {
    expect(errorCodes(format, 'yearly')).toEqual(expected);
  });

  it('yearly without a year names {YYYY} or {YY}', () => {
    expect(check('{####}', 'yearly')[0]!.message).toContain('the year ({YYYY} or {YY})');
  });

  it.each([
    ['{YYYY}{MM}{DD}{SHIFT}-{####}', []],
    ['{YY}{JJJ}{SHIFT}-{####}', []],
    ['{YY}{JJJ}{HH}-{####}', []],
    ['{YYYY}{MM}{DD}-{####}', ['FORMAT_NOT_UNIQUE']],
    ['{SHIFT}-{####}', ['FORMAT_NOT_UNIQUE']],
    ['{YYYY}{MM}{SHIFT}-{####}', ['FORMAT_NOT_UNIQUE']],
    ['{YY}{JJJ}{NN}-{####}', ['FORMAT_NOT_UNIQUE']],
  ])('per shift, default calendar: %s -> %j', (format, expected) => {
    expect(errorCodes(format, 'shift')).toEqual(expected);
  });

  it('per shift with neither {SHIFT} nor {HH}: the message names two shifts that print alike', () => {
    const [problem] = check('{YYYY}{MM}{DD}-{####}', 'shift');
    expect(problem!.message).toBe('Shifts A (from 00:00) and B (from 08:00) would print the same; add {SHIFT} or {HH} to the format');
    expect(problem!.details).toMatchObject({ reset: 'shift' });
  });

  it('a shift that crosses midnight needs {HH}: its evening and the next morning print the same date and label', () => {
    const [problem, ...rest] = check('{YYYY}{MM}{DD}{SHIFT}-{####}', 'shift', NIGHTS);
    expect(rest).toEqual([]);
    expect(problem!.code).toBe('FORMAT_NOT_UNIQUE');
    expect(problem!.message).toContain('Shift C runs past midnight');
    expect(problem!.message).toContain('add {HH}');
    expect(errorCodes('{YYYY}{MM}{DD}{SHIFT}{HH}-{####}', 'shift', NIGHTS)).toEqual([]);
    expect(errorCodes('{YY}{JJJ}{HH}-{####}', 'shift', NIGHTS)).toEqual([]);
    // A single shift from 06:00 runs into the next morning too.
    expect(errorCodes('{YY}{JJJ}{SHIFT}-{####}', 'shift', parseShiftCalendar('06:00'))).toEqual(['FORMAT_NOT_UNIQUE']);
    expect(errorCodes('{YY}{JJJ}{HH}-{####}', 'shift', parseShiftCalendar('06:00'))).toEqual([]);
  });

  it('shifts starting on the half hour need {SHIFT} or {NN} beside {HH}', () => {
    const halves = parseShiftCalendar('06:30,14:30,22:30');
    const [problem] = check('{YY}{JJJ}{HH}-{####}', 'shift', halves);
    expect(problem!.code).toBe('FORMAT_NOT_UNIQUE');
    expect(problem!.message).toContain('add {SHIFT} or {NN}');
    expect(errorCodes('{YY}{JJJ}{HH}{NN}-{####}', 'shift', halves)).toEqual([]);
    expect(errorCodes('{YY}{JJJ}{HH}{SHIFT}-{####}', 'shift', halves)).toEqual([]);
  });

  it('a {SHIFT} that comes from the request (not the calendar) does not separate shifts', () => {
    expect(validateFormat(parseFormat('{YY}{JJJ}{SHIFT}-{####}'), rules('shift', DEFAULT_SHIFT_CALENDAR, false)).map((p) => p.code)).toEqual([
      'FORMAT_NOT_UNIQUE',
    ]);
  });
});

describe('validateFormat: warnings', () => {
  it('{YYYY}{WW} without a weekly reset is a warning, which does not block', () => {
    const problems = check('{YYYY}{WW}-{####}', 'never');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'FORMAT_WEEK_YEAR_MISMATCH', severity: 'warning', position: 0, length: 6 });
    expect(problems[0]!.message).toContain('use {GGGG}{WW}');
    const { plan } = resolveSeriesSettings({ name: 'Weeks', format: '{YYYY}{WW}-{####}' }, { timeZone: 'UTC' });
    expect(plan.warnings.map((p) => [p.code, p.severity])).toEqual([['FORMAT_WEEK_YEAR_MISMATCH', 'warning']]);
    expect(check('{YY}{WW}-{####}', 'yearly').map((p) => [p.code, p.severity])).toEqual([['FORMAT_WEEK_YEAR_MISMATCH', 'warning']]);
  });

  it.each(['{GGGG}{WW}-{####}', '{YYYY}{MM}{WW}-{####}', '{YYYY}{JJJ}{WW}-{####}', '{WW}-{####}', '{YYYY}-{####}'])('%s has no warning', (format) => {
    expect(check(format, 'never')).toEqual([]);
  });
});

describe('resolveSeriesSettings refuses formats that cannot stay unique', () => {
  it('daily reset without a date: FORMAT_NOT_UNIQUE naming the tokens', () => {
    const error = thrown(() => resolveSeriesSettings({ name: 'Daily', format: 'SN-{####}', reset: 'daily' }, { timeZone: 'UTC' }));
    expect(error.code).toBe('FORMAT_NOT_UNIQUE');
    expect(error.details['field']).toBe('format');
    expect(error.message).toContain('{YYYY}{MM}{DD}');
  });

  it('weekly with {YYYY}{WW}: FORMAT_WEEK_YEAR_MISMATCH; with {GGGG}{WW} or {YYYY}{MM}{WW}: accepted', () => {
    expect(thrown(() => resolveSeriesSettings({ name: 'W', format: '{YYYY}{WW}-{####}', reset: 'weekly' }, { timeZone: 'UTC' })).code).toBe(
      'FORMAT_WEEK_YEAR_MISMATCH',
    );
    for (const format of ['{GGGG}{WW}-{####}', '{YYYY}{MM}{WW}-{####}']) {
      expect(resolveSeriesSettings({ name: 'W', format, reset: 'weekly' }, { timeZone: 'UTC' }).plan.warnings).toEqual([]);
    }
  });

  it('no sequence token: FORMAT_SEQUENCE_MISSING', () => {
    expect(thrown(() => resolveSeriesSettings({ name: 'N', format: 'SN-{YYYY}' }, { timeZone: 'UTC' })).code).toBe('FORMAT_SEQUENCE_MISSING');
  });

  it('a series with its own crossing-midnight calendar and a per-shift reset needs {HH}', () => {
    const input = { name: 'Nights', reset: 'shift', shiftStarts: '06:00,14:00,22:00' };
    expect(thrown(() => resolveSeriesSettings({ ...input, format: '{YY}{JJJ}{SHIFT}-{####}' }, { timeZone: 'UTC' })).code).toBe('FORMAT_NOT_UNIQUE');
    expect(resolveSeriesSettings({ ...input, format: '{YY}{JJJ}{SHIFT}{HH}-{####}' }, { timeZone: 'UTC' }).plan.calendar).toEqual(NIGHTS);
  });
});

// ---------------------------------------------------------------------------------------------
// Simulation: issue serials the way generation does (a counter per period key, restarting at the
// start value in a new period) and look for a repeated serial.

interface Repeat {
  readonly serial: string;
  readonly first: string;
  readonly second: string;
}

/** An instant with its wall clock in the series' zone, computed once and shared by many series. */
interface Moment {
  readonly t: number;
  readonly local: LocalDateTime;
}

function momentsIn(timeZone: string, instants: readonly number[]): Moment[] {
  return instants.map((t) => ({ t, local: localDateTime(t, timeZone) }));
}

function simulate(plan: SeriesPlan, moments: readonly Moment[], perRequest: readonly number[]): { issued: number; repeat: Repeat | undefined } {
  const { settings } = plan;
  const counters = new Map<string, bigint>();
  // serial -> where it was issued: [moment index, value]; described only when a repeat is found.
  const seen = new Map<string, [number, bigint]>();
  const context: Record<string, string> = plan.shiftFromCalendar ? { LINE: 'L1', PLANT: 'P1' } : { LINE: 'L1', PLANT: 'P1', SHIFT: 'X' };
  const whereIssued = ([i, value]: [number, bigint]) => {
    const { t, local } = moments[i]!;
    return `${new Date(t).toISOString()} (${settings.timeZone}, period ${periodKey(settings.reset, local, plan.calendar)}, value ${value})`;
  };
  let issued = 0;
  for (const [i, { local }] of moments.entries()) {
    const period = periodKey(settings.reset, local, plan.calendar);
    const resolved = resolveContext(plan, local, { context });
    const render = compileRenderer(plan.format, { local, context: resolved, base: plan.base, minLength: settings.minLength });
    const current = counters.get(period) ?? settings.start;
    const values = nextValues(plan, current, perRequest[i % perRequest.length]!);
    if (values === undefined) continue; // SERIES_EXHAUSTED: nothing is issued.
    counters.set(period, values[values.length - 1]!);
    for (const value of values) {
      const serial = render(value);
      const earlier = seen.get(serial);
      if (earlier !== undefined) return { issued, repeat: { serial, first: whereIssued(earlier), second: whereIssued([i, value]) } };
      seen.set(serial, [i, value]);
      issued += 1;
    }
  }
  return { issued, repeat: undefined };
}

/** Settings written directly, bypassing validation, to show what a refused format would do. */
function unchecked(format: string, reset: ResetRule, shiftStarts: string | null = null, timeZone = 'UTC'): SeriesPlan {
  const settings: SeriesSettings = {
    name: 'Unchecked',
    description: '',
    format,
    base: 'numeric',
    start: 0n,
    increment: 1n,
    minLength: 4,
    reset,
    timeZone,
    shiftStarts: shiftStarts === null ? null : parseShiftCalendar(shiftStarts),
    global: false,
    allowGrowth: false,
    allocation: 'gapless',
    leaseSize: 100,
    gtin: null,
    sscc: false,
    companyPrefix: null,
    extensionDigit: null,
    randomized: false,
  };
  return compileSeries(settings);
}

const DST_CHANGES = ['2025-03-30T01:00:00Z', '2025-10-26T01:00:00Z', '2025-03-09T07:00:00Z', '2025-11-02T06:00:00Z', '2025-04-05T15:00:00Z', '2025-10-04T15:30:00Z'];

describe('uniqueness simulation', () => {
  const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Kiritimati'];

  const calendar = fc.oneof(
    fc.constant<string | null>(null),
    fc.constantFrom('06:00,14:00,22:00', 'E=06:00,L=14:00,N=22:00', '00:00,12:00', '07:30,19:30', '22:00', '02:30,10:30,18:30', 'DAY=07:00,NIGHT=19:00'),
    fc.uniqueArray(fc.integer({ min: 0, max: 1439 }), { minLength: 1, maxLength: 4 }).map((starts) => starts.map(formatMinutes).join(',')),
  );

  /** Date tokens: mostly schemes that are right for some reset rules and wrong for others. */
  const dateTokens = fc
    .tuple(
      fc.constantFrom<DateToken[]>(
        [],
        ['YYYY', 'MM', 'DD'],
        ['YY', 'JJJ'],
        ['GGGG', 'WW'],
        ['YYYY', 'WW'],
        ['YY', 'WW'],
        ['YYYY', 'MM'],
        ['YY'],
        ['GGGG'],
        ['MM', 'DD'],
        ['WW'],
        ['JJJ'],
        ['YYYY', 'MM', 'WW'],
        ['GG', 'WW', 'DD'],
        ['YY', 'JJJ', 'HH'],
        ['YYYY', 'MM', 'DD', 'HH'],
        ['YYYY', 'MM', 'DD', 'HH', 'NN'],
      ),
      fc.oneof({ arbitrary: fc.constant<DateToken[]>([]), weight: 3 }, { arbitrary: fc.subarray([...DATE_TOKENS], { minLength: 1, maxLength: 2 }), weight: 1 }),
    )
    .map(([scheme, extra]) => [...new Set([...scheme, ...extra])]);

  const format = fc
    .record({
      dates: dateTokens,
      shift: fc.boolean(),
      line: fc.boolean(),
      sequence: fc.oneof(fc.constant('{SEQUENCE}'), fc.integer({ min: 1, max: 5 }).map((n) => `{${'#'.repeat(n)}}`)),
      separator: fc.constantFrom('', '-', '/'),
      order: fc.array(fc.integer(), { minLength: 10, maxLength: 10 }),
    })
    .map(({ dates, shift, line, sequence, separator, order }) => {
      const tokens = [...dates, ...(shift ? ['SHIFT'] : []), ...(line ? ['LINE'] : []), 'SEQ'];
      // Shuffle the tokens (the sequence too) by the generated keys.
      const shuffled = tokens.map((t, i) => ({ t, k: order[i] ?? 0 })).sort((a, b) => a.k - b.k).map(({ t }) => (t === 'SEQ' ? sequence : `{${t}}`));
      return `SN${separator}${shuffled.join(separator)}`;
    });

  /**
   * Instants that probe every kind of turnover: noon of every day of a ~400-day window that spans two
   * New Years (day-level repeats), minutes around midnight and every shift start on sampled days
   * (shift-level repeats), the DST changes of the zones used, and instants anywhere in 2024-2031.
   */
  const instants = fc.record({
    windowYear: fc.integer({ min: 2024, max: 2030 }),
    windowOffset: fc.integer({ min: 0, max: 30 }),
    boundaryDays: fc.uniqueArray(fc.integer({ min: 0, max: 399 }), { minLength: 6, maxLength: 12 }),
    dstMinutes: fc.array(fc.integer({ min: -150, max: 150 }), { minLength: 6, maxLength: 6 }),
    anywhere: fc.array(fc.integer({ min: ms('2024-01-01T00:00:00Z'), max: ms('2031-12-31T23:59:59Z') }), { minLength: 10, maxLength: 30 }),
  });

  function instantsFor(spec: { windowYear: number; windowOffset: number; boundaryDays: number[]; dstMinutes: number[]; anywhere: number[] }, zone: string, calendarText: string | null): number[] {
    const firstDay = Date.UTC(spec.windowYear - 1, 11, 1 + spec.windowOffset);
    // One offset lookup per instant: near a DST change it may land an hour off the wall time
    // aimed at, which is as good an instant to probe as any.
    const dayAt = (d: number, minute: number) => {
      const wallMs = firstDay + d * 86_400_000 + minute * 60_000;
      return wallMs - offsetMs(wallMs, zone);
    };
    const out: number[] = [];
    for (let d = 0; d < 400; d++) out.push(dayAt(d, 12 * 60));
    const starts = (calendarText === null ? DEFAULT_SHIFT_CALENDAR : parseShiftCalendar(calendarText)).map((s) => s.start);
    const minutes = [...new Set([0, 1, 1439, ...starts.flatMap((s) => [s - 1, s, s + 1])].map((m) => (m + 1440) % 1440))];
    for (const d of spec.boundaryDays) for (const m of minutes) out.push(dayAt(d, m));
    DST_CHANGES.forEach((iso, i) => out.push(ms(iso) + spec.dstMinutes[i]! * 60_000));
    out.push(...spec.anywhere);
    return out;
  }

  // The timeout is above the 5 s default: on a loaded 2-core machine this takes a few seconds.
  it('a series the validator accepts never repeats a serial, whatever the instants', () => {
    let accepted = 0;
    let refused = 0;
    let issuedTotal = 0;
    fc.assert(
      fc.property(
        fc.uniqueArray(format, { minLength: 3, maxLength: 3 }),
        calendar,
        fc.constantFrom(...ZONES),
        fc.constantFrom(...BASE_NAMES),
        fc.integer({ min: 2, max: 5 }),
        instants,
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
        (sources, shiftStarts, zone, base, minLength, spec, perRequest) => {
          const moments = momentsIn(zone, instantsFor(spec, zone, shiftStarts));
          for (const source of sources) {
            for (const reset of RESET_RULES) {
              let plan: SeriesPlan;
              try {
                plan = resolveSeriesSettings({ name: 'Sim', format: source, reset, shiftStarts, timeZone: zone, base, minLength }, { timeZone: 'UTC' }).plan;
              } catch (error) {
                if (!(error instanceof SerialtraceError)) throw error;
                refused += 1;
                continue;
              }
              accepted += 1;
              const { issued, repeat } = simulate(plan, moments, perRequest);
              issuedTotal += issued;
              expect(repeat, `format ${source}, reset ${reset}, calendar ${shiftStarts ?? 'default'}, zone ${zone}`).toBeUndefined();
            }
          }
        },
      ),
      { numRuns: 50 },
    );
    // Keep the property meaningful: plenty of series were accepted and issued serials, and plenty were refused.
    expect(accepted).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(250);
    expect(issuedTotal).toBeGreaterThan(200_000);
  }, 30_000);

  it.each<[string, ResetRule, string | null, string, string]>([
    ['SN-{####}', 'daily', null, '2025-06-15T10:00:00Z', '2025-06-16T10:00:00Z'],
    ['{YYYY}{WW}-{####}', 'weekly', null, '2024-01-01T10:00:00Z', '2024-12-30T10:00:00Z'],
    ['{YY}{WW}-{####}', 'weekly', null, '2024-01-02T10:00:00Z', '2024-12-31T10:00:00Z'],
    ['{MM}-{####}', 'monthly', null, '2025-06-15T10:00:00Z', '2026-06-15T10:00:00Z'],
    ['{YYYY}{WW}-{####}', 'monthly', null, '2025-01-31T10:00:00Z', '2025-02-01T10:00:00Z'],
    ['{GGGG}-{####}', 'yearly', null, '2024-12-30T10:00:00Z', '2025-01-01T10:00:00Z'],
    ['{YYYY}{MM}{DD}-{####}', 'shift', null, '2025-06-15T07:00:00Z', '2025-06-15T09:00:00Z'],
    // Shift C of the 15th, after midnight, and shift C of the 16th both print 16 June and C.
    ['{YY}{JJJ}{SHIFT}-{####}', 'shift', '06:00,14:00,22:00', '2025-06-16T03:00:00Z', '2025-06-16T23:00:00Z'],
    ['{YY}{JJJ}{HH}-{####}', 'shift', '06:30,14:30,22:30', '2025-06-16T06:10:00Z', '2025-06-16T06:40:00Z'],
  ])('refused: %s under a %s reset (calendar %s) repeats at %s and %s', (format, reset, shiftStarts, a, b) => {
    expect(() => resolveSeriesSettings({ name: 'R', format, reset, shiftStarts }, { timeZone: 'UTC' })).toThrow(SerialtraceError);
    const { repeat } = simulate(unchecked(format, reset, shiftStarts), momentsIn('UTC', [ms(a), ms(b)]), [1]);
    expect(repeat).toBeDefined();
    expect(repeat!.first).toContain(new Date(ms(a)).toISOString());
    expect(repeat!.second).toContain(new Date(ms(b)).toISOString());
  });

  it('the repeated-hour shift start of a DST change stays unique because counters are per period key', () => {
    // 02:30 falls in the hour Berlin repeats on 2025-10-26; A and B are each entered twice.
    const { plan } = resolveSeriesSettings(
      { name: 'DST', format: '{YYYY}{MM}{DD}{SHIFT}-{####}', reset: 'shift', shiftStarts: '00:00,02:30,12:00', timeZone: 'Europe/Berlin' },
      { timeZone: 'UTC' },
    );
    const moments = momentsIn('Europe/Berlin', ['00:15', '00:45', '01:15', '01:45'].map((hm) => ms(`2025-10-26T${hm}:00Z`)));
    const { issued, repeat } = simulate(plan, moments, [1]);
    expect(repeat).toBeUndefined();
    expect(issued).toBe(4);
    expect(moments.map(({ local }) => periodKey('shift', local, plan.calendar))).toEqual(['2025-10-26/A', '2025-10-26/B', '2025-10-26/A', '2025-10-26/B']);
  });
});
