import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  civilFromDays,
  dayOfYear,
  daysFromCivil,
  daysInMonth,
  formatCivilDate,
  isLeapYear,
  isoWeek,
  isoWeekday,
  isoWeeksInYear,
  pad,
  walkDays,
  type CivilDate,
  type DayFields,
} from '@serialtrace/core';

const date = (year: number, month: number, day: number): CivilDate => ({ year, month, day });

/** Days since 1970-01-01 computed by the platform's Date, for years 1-9999. */
function platformDays({ year, month, day }: CivilDate): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(0, 0, 0, 0);
  return d.getTime() / 86_400_000;
}

describe('daysFromCivil and civilFromDays', () => {
  it.each<[CivilDate, number]>([
    [date(1970, 1, 1), 0],
    [date(1969, 12, 31), -1],
    [date(2000, 1, 1), 10_957],
    [date(2000, 2, 29), 11_016],
    [date(2000, 3, 1), 11_017],
    [date(2025, 6, 15), 20_254],
    [date(0, 3, 1), -719_468],
    [date(1600, 1, 1), -135_140],
  ])('%j is day %i', (civil, days) => {
    expect(daysFromCivil(civil)).toBe(days);
    expect(civilFromDays(days)).toEqual(civil);
  });

  it('civilFromDays inverts daysFromCivil, and both agree with Date (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -719_162, max: 2_932_896 }), (days) => {
        const civil = civilFromDays(days);
        expect(daysFromCivil(civil)).toBe(days);
        expect(platformDays(civil)).toBe(days);
        expect(civil.month).toBeGreaterThanOrEqual(1);
        expect(civil.month).toBeLessThanOrEqual(12);
        expect(civil.day).toBeGreaterThanOrEqual(1);
        expect(civil.day).toBeLessThanOrEqual(daysInMonth(civil.year, civil.month));
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips far outside the Date range too (proleptic Gregorian, negative years)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -50_000_000, max: 50_000_000 }), (days) => {
        expect(daysFromCivil(civilFromDays(days))).toBe(days);
      }),
      { numRuns: 200 },
    );
  });

  it('consecutive days are consecutive dates', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000, max: 1_000_000 }), (days) => {
        const a = civilFromDays(days);
        const b = civilFromDays(days + 1);
        if (b.day === 1) {
          expect(a.day).toBe(daysInMonth(a.year, a.month));
          expect([b.year, b.month]).toEqual(a.month === 12 ? [a.year + 1, 1] : [a.year, a.month + 1]);
        } else {
          expect(b).toEqual({ ...a, day: a.day + 1 });
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('weekday, day of year, leap years', () => {
  it('1970-01-01 was a Thursday; isoWeekday agrees with Date.getUTCDay', () => {
    expect(isoWeekday(0)).toBe(4);
    expect(isoWeekday(daysFromCivil(date(2025, 6, 15)))).toBe(7);
    expect(isoWeekday(daysFromCivil(date(2024, 12, 30)))).toBe(1);
    fc.assert(
      fc.property(fc.integer({ min: -100_000_000, max: 100_000_000 }), (days) => {
        expect(isoWeekday(days)).toBe(((new Date(days * 86_400_000).getUTCDay() + 6) % 7) + 1);
      }),
      { numRuns: 200 },
    );
  });

  it.each<[CivilDate, number]>([
    [date(2025, 1, 1), 1],
    [date(2025, 6, 15), 166],
    [date(2025, 3, 1), 60],
    [date(2024, 3, 1), 61],
    [date(2024, 2, 29), 60],
    [date(2024, 12, 31), 366],
    [date(2025, 12, 31), 365],
    [date(2000, 12, 31), 366],
    [date(1900, 12, 31), 365],
    [date(2100, 3, 1), 60],
  ])('dayOfYear(%j) is %i', (civil, expected) => {
    expect(dayOfYear(civil)).toBe(expected);
  });

  it('leap years follow the Gregorian rule', () => {
    expect([1900, 2000, 2023, 2024, 2100, 2400].map(isLeapYear)).toEqual([false, true, false, true, false, true]);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2025, 2)).toBe(28);
    expect(daysInMonth(1900, 2)).toBe(28);
    expect([1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => daysInMonth(2025, m))).toEqual([31, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
  });
});

describe('isoWeek', () => {
  it.each<[CivilDate, number, number]>([
    [date(2024, 12, 30), 2025, 1],
    [date(2024, 12, 29), 2024, 52],
    [date(2021, 1, 3), 2020, 53],
    [date(2021, 1, 4), 2021, 1],
    [date(2020, 12, 31), 2020, 53],
    [date(2026, 12, 31), 2026, 53],
    [date(2027, 1, 3), 2026, 53],
    [date(2027, 1, 4), 2027, 1],
    [date(2025, 6, 15), 2025, 24],
    [date(2025, 12, 29), 2026, 1],
    [date(2008, 12, 29), 2009, 1],
    [date(2010, 1, 3), 2009, 53],
    [date(2000, 1, 1), 1999, 52],
    [date(2024, 1, 1), 2024, 1],
  ])('%j is in week-year %i, week %i', (civil, weekYear, week) => {
    expect(isoWeek(civil)).toEqual({ weekYear, week });
  });

  it('isoWeeksInYear: 53 when 1 January is a Thursday, or a Wednesday in a leap year', () => {
    const long = [];
    for (let y = 2000; y <= 2050; y++) if (isoWeeksInYear(y) === 53) long.push(y);
    expect(long).toEqual([2004, 2009, 2015, 2020, 2026, 2032, 2037, 2043, 2048]);
  });

  it('28 December is always in the last week of its year', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5000, max: 9999 }), (year) => {
        expect(isoWeek(date(year, 12, 28))).toEqual({ weekYear: year, week: isoWeeksInYear(year) });
        expect(isoWeek(date(year, 1, 4))).toEqual({ weekYear: year, week: 1 });
      }),
      { numRuns: 200 },
    );
  });
});

describe('walkDays', () => {
  it('agrees with isoWeek, dayOfYear and daysFromCivil for every day of 1890-2110', () => {
    let expectedDays = daysFromCivil(date(1890, 1, 1));
    let count = 0;
    const mismatches: DayFields[] = [];
    walkDays(1890, 2110, (day) => {
      const iso = isoWeek(day);
      const civil = civilFromDays(expectedDays);
      if (
        day.days !== expectedDays ||
        day.year !== civil.year ||
        day.month !== civil.month ||
        day.day !== civil.day ||
        day.dayOfYear !== dayOfYear(day) ||
        day.week !== iso.week ||
        day.weekYear !== iso.weekYear
      ) {
        mismatches.push(day);
      }
      expectedDays += 1;
      count += 1;
    });
    expect(mismatches.slice(0, 3)).toEqual([]);
    expect(count).toBe(daysFromCivil(date(2111, 1, 1)) - daysFromCivil(date(1890, 1, 1)));
  });

  it('stops when the visitor returns true', () => {
    const seen: string[] = [];
    walkDays(2025, 2030, (day) => {
      seen.push(formatCivilDate(day));
      return seen.length === 3;
    });
    expect(seen).toEqual(['2025-01-01', '2025-01-02', '2025-01-03']);
  });
});

describe('formatting', () => {
  it('pads and formats dates as YYYY-MM-DD', () => {
    expect(pad(7, 3)).toBe('007');
    expect(pad(1234, 2)).toBe('1234');
    expect(formatCivilDate(date(2025, 6, 5))).toBe('2025-06-05');
    expect(formatCivilDate(date(999, 1, 1))).toBe('0999-01-01');
  });
});
