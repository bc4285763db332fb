import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SHIFT_CALENDAR,
  localDateTime,
  parseResetRule,
  parseShiftCalendar,
  PERMANENT_PERIOD,
  periodKey,
  RESET_RULE_DESCRIPTIONS,
  RESET_RULES,
  type ResetRule,
  type ShiftCalendar,
} from '@serialtrace/core';
import { instantOf, ms, thrown, wall } from './helpers.js';

const NIGHTS = parseShiftCalendar('06:00,14:00,22:00');
const LABELLED = parseShiftCalendar('E=06:00,L=14:00,N=22:00');

function keyAt(rule: ResetRule, epochMs: number, zone: string, calendar: ShiftCalendar = DEFAULT_SHIFT_CALENDAR): string {
  return periodKey(rule, localDateTime(epochMs, zone), calendar);
}

describe('reset rules', () => {
  it('are never, daily, weekly, monthly, yearly and shift, each described', () => {
    expect([...RESET_RULES]).toEqual(['never', 'daily', 'weekly', 'monthly', 'yearly', 'shift']);
    for (const rule of RESET_RULES) {
      expect(parseResetRule(rule)).toBe(rule);
      expect(RESET_RULE_DESCRIPTIONS[rule].length).toBeGreaterThan(10);
    }
  });

  it('an unknown rule is VALUE_INVALID with the allowed rules', () => {
    const error = thrown(() => parseResetRule('hourly'));
    expect(error.code).toBe('VALUE_INVALID');
    expect(error.details['field']).toBe('reset');
    expect(error.details['allowed']).toEqual([...RESET_RULES]);
    expect(thrown(() => parseResetRule('Daily', 'series.reset')).details['field']).toBe('series.reset');
  });
});

describe('periodKey at the last and first millisecond of a period (Europe/Berlin)', () => {
  const zone = 'Europe/Berlin';
  /** [rule, calendar, local time of the last instant of a period, key before, key after]; the next period starts 1 ms later. */
  const cases: [ResetRule, ShiftCalendar, ReturnType<typeof wall>, string, string][] = [
    ['never', DEFAULT_SHIFT_CALENDAR, wall(2025, 12, 31, 23, 59, 59), PERMANENT_PERIOD, PERMANENT_PERIOD],
    ['daily', DEFAULT_SHIFT_CALENDAR, wall(2025, 6, 15, 23, 59, 59), '2025-06-15', '2025-06-16'],
    // 2025-06-15 is a Sunday: the week turns over at Monday 00:00 local.
    ['weekly', DEFAULT_SHIFT_CALENDAR, wall(2025, 6, 15, 23, 59, 59), '2025-W24', '2025-W25'],
    // ISO week-years: Monday 2024-12-30 starts week 1 of 2025.
    ['weekly', DEFAULT_SHIFT_CALENDAR, wall(2024, 12, 29, 23, 59, 59), '2024-W52', '2025-W01'],
    // 2021-01-03 is still week 53 of 2020; Monday the 4th starts 2021-W01.
    ['weekly', DEFAULT_SHIFT_CALENDAR, wall(2021, 1, 3, 23, 59, 59), '2020-W53', '2021-W01'],
    ['monthly', DEFAULT_SHIFT_CALENDAR, wall(2025, 6, 30, 23, 59, 59), '2025-06', '2025-07'],
    ['monthly', DEFAULT_SHIFT_CALENDAR, wall(2024, 2, 29, 23, 59, 59), '2024-02', '2024-03'],
    ['yearly', DEFAULT_SHIFT_CALENDAR, wall(2025, 12, 31, 23, 59, 59), '2025', '2026'],
    ['shift', DEFAULT_SHIFT_CALENDAR, wall(2025, 6, 15, 7, 59, 59), '2025-06-15/A', '2025-06-15/B'],
    ['shift', DEFAULT_SHIFT_CALENDAR, wall(2025, 6, 15, 15, 59, 59), '2025-06-15/B', '2025-06-15/C'],
    ['shift', DEFAULT_SHIFT_CALENDAR, wall(2025, 6, 15, 23, 59, 59), '2025-06-15/C', '2025-06-16/A'],
    ['shift', NIGHTS, wall(2025, 6, 15, 21, 59, 59), '2025-06-15/B', '2025-06-15/C'],
    ['shift', NIGHTS, wall(2025, 6, 16, 5, 59, 59), '2025-06-15/C', '2025-06-16/A'],
    ['shift', LABELLED, wall(2025, 12, 31, 21, 59, 59), '2025-12-31/L', '2025-12-31/N'],
    ['shift', LABELLED, wall(2026, 1, 1, 5, 59, 59), '2025-12-31/N', '2026-01-01/E'],
  ];

  it.each(cases)('%s: at %j + .999 it is still one period, 1 ms later the next', (rule, calendar, last, before, after) => {
    const lastMs = instantOf(zone, last, 999);
    // The instants really are local 23:59:59.999 and 00:00:00.000 (not UTC ones).
    expect(localDateTime(lastMs, zone)).toEqual(last);
    expect(new Date(lastMs).getUTCMilliseconds()).toBe(999);
    expect(keyAt(rule, lastMs, zone, calendar)).toBe(before);
    expect(keyAt(rule, lastMs + 1, zone, calendar)).toBe(after);
  });

  it('uses the local date, not the UTC one', () => {
    // 22:30 UTC on the 15th is 00:30 on the 16th in Berlin, and still the 15th in New York.
    expect(keyAt('daily', ms('2025-06-15T22:30:00Z'), 'Europe/Berlin')).toBe('2025-06-16');
    expect(keyAt('daily', ms('2025-06-15T22:30:00Z'), 'America/New_York')).toBe('2025-06-15');
    expect(keyAt('daily', ms('2025-06-16T03:59:59.999Z'), 'America/New_York')).toBe('2025-06-15');
    expect(keyAt('daily', ms('2025-06-16T04:00:00.000Z'), 'America/New_York')).toBe('2025-06-16');
    expect(keyAt('yearly', ms('2025-12-31T10:00:00Z'), 'Pacific/Kiritimati')).toBe('2026');
    expect(keyAt('daily', ms('2025-06-15T18:30:00Z'), 'Asia/Kolkata')).toBe('2025-06-16');
    expect(keyAt('weekly', ms('2024-12-29T23:30:00Z'), 'Europe/Berlin')).toBe('2025-W01');
  });
});

describe('periodKey for shifts', () => {
  it('the night shift after midnight belongs to the date it began (06:00, 14:00, 22:00)', () => {
    const at = (d: number, h: number, m = 0) => periodKey('shift', wall(2025, 6, d, h, m), NIGHTS);
    expect(at(16, 3)).toBe('2025-06-15/C');
    expect(at(15, 22)).toBe('2025-06-15/C');
    expect(at(16, 6)).toBe('2025-06-16/A');
    expect(at(16, 14)).toBe('2025-06-16/B');
    expect(periodKey('shift', wall(2025, 1, 1, 3, 0), NIGHTS)).toBe('2024-12-31/C');
  });

  it('default calendar: 00:00, 08:00, 16:00 are A, B, C of the same date', () => {
    const at = (h: number) => periodKey('shift', wall(2025, 6, 15, h, 0), DEFAULT_SHIFT_CALENDAR);
    expect([at(0), at(8), at(16)]).toEqual(['2025-06-15/A', '2025-06-15/B', '2025-06-15/C']);
  });

  it('on DST days the shift follows the wall clock', () => {
    // Berlin springs forward at 02:00 local: 01:59:59 and 03:00 are both in shift A of the 30th.
    expect(keyAt('shift', ms('2025-03-30T00:59:59Z'), 'Europe/Berlin')).toBe('2025-03-30/A');
    expect(keyAt('shift', ms('2025-03-30T01:00:00Z'), 'Europe/Berlin')).toBe('2025-03-30/A');
    // A shift starting inside the hour that repeats when clocks go back is entered twice: the
    // counter is kept per period key, so the second visit continues the first one's counter.
    const calendar = parseShiftCalendar('00:00,02:30,12:00');
    expect(keyAt('shift', ms('2025-10-26T00:15:00Z'), 'Europe/Berlin', calendar)).toBe('2025-10-26/A'); // 02:15 CEST
    expect(keyAt('shift', ms('2025-10-26T00:45:00Z'), 'Europe/Berlin', calendar)).toBe('2025-10-26/B'); // 02:45 CEST
    expect(keyAt('shift', ms('2025-10-26T01:15:00Z'), 'Europe/Berlin', calendar)).toBe('2025-10-26/A'); // 02:15 CET
    expect(keyAt('shift', ms('2025-10-26T01:45:00Z'), 'Europe/Berlin', calendar)).toBe('2025-10-26/B'); // 02:45 CET
  });
});

describe('periodKey properties', () => {
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Kiritimati'];
  // Shift starts outside every repeated DST hour of these zones (see the DST test above for why).
  const calendars = [DEFAULT_SHIFT_CALENDAR, NIGHTS, LABELLED, parseShiftCalendar('07:30,19:30'), parseShiftCalendar('05:00')];
  const start = fc.integer({ min: ms('2020-01-01T00:00:00Z'), max: ms('2035-12-31T00:00:00Z') });
  const step = fc.oneof(
    fc.integer({ min: 0, max: 4 * 3_600_000 }),
    fc.integer({ min: 0, max: 3 * 86_400_000 }),
    fc.integer({ min: 0, max: 40 * 86_400_000 }),
    fc.integer({ min: 0, max: 400 * 86_400_000 }),
  );

  it('periods are contiguous: if t1 < t2 < t3 and t1, t3 share a period, so does t2', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...RESET_RULES),
        fc.constantFrom(...zones),
        fc.constantFrom(...calendars),
        start,
        step,
        step,
        (rule, zone, calendar, t1, d1, d2) => {
          const t2 = t1 + d1;
          const t3 = t2 + d2;
          const k1 = keyAt(rule, t1, zone, calendar);
          const k3 = keyAt(rule, t3, zone, calendar);
          if (k1 === k3) expect(keyAt(rule, t2, zone, calendar)).toBe(k1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('calendar period keys sort in time order (daily, weekly, monthly, yearly)', () => {
    fc.assert(
      fc.property(fc.constantFrom<ResetRule>('daily', 'weekly', 'monthly', 'yearly'), fc.constantFrom(...zones), start, step, (rule, zone, t1, d) => {
        const k1 = keyAt(rule, t1, zone);
        const k2 = keyAt(rule, t1 + d, zone);
        expect(k1 <= k2).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('daily, monthly and yearly keys are the prefixes of the local date', () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), start, (zone, t) => {
        const daily = keyAt('daily', t, zone);
        expect(daily).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(keyAt('monthly', t, zone)).toBe(daily.slice(0, 7));
        expect(keyAt('yearly', t, zone)).toBe(daily.slice(0, 4));
        expect(keyAt('never', t, zone)).toBe(PERMANENT_PERIOD);
        expect(keyAt('weekly', t, zone)).toMatch(/^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/);
        expect(keyAt('shift', t, zone)).toMatch(/^\d{4}-\d{2}-\d{2}\/[ABC]$/);
      }),
      { numRuns: 200 },
    );
  });

  it('a week is seven local days from Monday 00:00', () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.integer({ min: 0, max: 800 }), fc.integer({ min: 0, max: 6 }), (zone, weekIndex, dayInWeek) => {
        // 2024-01-01 is a Monday.
        const monday = new Date(Date.UTC(2024, 0, 1 + weekIndex * 7));
        const mondayLocal = wall(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate());
        const day = new Date(Date.UTC(2024, 0, 1 + weekIndex * 7 + dayInWeek));
        const noon = instantOf(zone, wall(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), 12));
        expect(keyAt('weekly', noon, zone)).toBe(keyAt('weekly', instantOf(zone, mondayLocal), zone));
        expect(keyAt('weekly', instantOf(zone, mondayLocal) - 1, zone)).not.toBe(keyAt('weekly', noon, zone));
      }),
      { numRuns: 150 },
    );
  });
});
