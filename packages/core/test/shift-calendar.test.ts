import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SHIFT_CALENDAR,
  formatMinutes,
  formatShiftCalendar,
  parseShiftCalendar,
  shiftAt,
  shiftCrossesMidnight,
  type ShiftCalendar,
} from '@serialtrace/core';
import { thrown, wall } from './helpers.js';

const NIGHTS = parseShiftCalendar('06:00,14:00,22:00');

describe('parseShiftCalendar', () => {
  it('reads unlabelled starts and letters them A, B, C', () => {
    expect(NIGHTS).toEqual([
      { label: 'A', start: 360 },
      { label: 'B', start: 840 },
      { label: 'C', start: 1320 },
    ]);
  });

  it('reads labelled starts, upper-casing labels and ignoring spaces', () => {
    const expected = [
      { label: 'E', start: 360 },
      { label: 'L', start: 840 },
      { label: 'N', start: 1320 },
    ];
    expect(parseShiftCalendar('E=06:00,L=14:00,N=22:00')).toEqual(expected);
    expect(parseShiftCalendar(' e = 06:00 , l=14:00,N =22:00 ')).toEqual(expected);
    expect(parseShiftCalendar('EARLY=06:00,LATE=14:00')).toEqual([
      { label: 'EARLY', start: 360 },
      { label: 'LATE', start: 840 },
    ]);
  });

  it('sorts unsorted input by start, lettering unlabelled shifts in start order', () => {
    expect(parseShiftCalendar('22:00,06:00,14:00')).toEqual(NIGHTS);
    expect(parseShiftCalendar('N=22:00,E=06:00,L=14:00').map((s) => s.label)).toEqual(['E', 'L', 'N']);
  });

  it('accepts a list, single-digit hours, and a single shift', () => {
    expect(parseShiftCalendar(['6:00', '18:30'])).toEqual([
      { label: 'A', start: 360 },
      { label: 'B', start: 1110 },
    ]);
    expect(parseShiftCalendar('00:00')).toEqual([{ label: 'A', start: 0 }]);
    expect(parseShiftCalendar('23:59')).toEqual([{ label: 'A', start: 1439 }]);
  });

  it('the default calendar is A/B/C from 00:00, 08:00, 16:00', () => {
    expect(DEFAULT_SHIFT_CALENDAR).toEqual(parseShiftCalendar('00:00,08:00,16:00'));
    expect(formatShiftCalendar(DEFAULT_SHIFT_CALENDAR)).toBe('A=00:00,B=08:00,C=16:00');
  });

  it.each([
    ['06:00,06:00', ['two shifts start at 06:00']],
    ['A=06:00,A=14:00', ['shift labels must differ']],
    ['25:00', ['entry 1 "25:00" is not HH:MM or LABEL=HH:MM']],
    ['06:60', ['entry 1 "06:60" is not HH:MM or LABEL=HH:MM']],
    ['6', ['entry 1 "6" is not HH:MM or LABEL=HH:MM']],
    ['LONGLABEL9=06:00', ['entry 1 "LONGLABEL9=06:00" is not HH:MM or LABEL=HH:MM']],
    ['E=06:00,14:00', ['label every shift or none (LABEL=HH:MM)']],
    ['06:00,,14:00', ['entry 2 "" is not HH:MM or LABEL=HH:MM']],
  ])('refuses %j with SHIFT_CALENDAR_INVALID: %j', (text, reasons) => {
    const error = thrown(() => parseShiftCalendar(text));
    expect(error.code).toBe('SHIFT_CALENDAR_INVALID');
    expect(error.details['field']).toBe('shiftStarts');
    const all = error.problems.length > 0 ? error.problems.map((p) => p.details?.['reason']) : [error.details['reason']];
    expect(all).toEqual(reasons);
  });

  it('refuses an empty calendar', () => {
    const error = thrown(() => parseShiftCalendar(''));
    expect(error.code).toBe('SHIFT_CALENDAR_INVALID');
    expect(error.details['reason']).toBe('give at least one shift start such as 06:00');
  });

  it('refuses more than 24 shifts', () => {
    const starts = Array.from({ length: 25 }, (_, i) => formatMinutes(i * 50));
    expect(thrown(() => parseShiftCalendar(starts)).problems.map((p) => p.details?.['reason'])).toEqual(['at most 24 shifts a day']);
    expect(parseShiftCalendar(starts.slice(0, 24))).toHaveLength(24);
  });

  it('reports every problem at once, bad entries with their position', () => {
    const error = thrown(() => parseShiftCalendar('25:00,06:00,06:00,bad'));
    expect(error.code).toBe('SHIFT_CALENDAR_INVALID');
    expect(error.problems.map((p) => [p.code, p.position, p.details?.['reason']])).toEqual([
      ['SHIFT_CALENDAR_INVALID', 0, 'entry 1 "25:00" is not HH:MM or LABEL=HH:MM'],
      ['SHIFT_CALENDAR_INVALID', 3, 'entry 4 "bad" is not HH:MM or LABEL=HH:MM'],
      ['SHIFT_CALENDAR_INVALID', undefined, 'two shifts start at 06:00'],
    ]);
    expect(error.message).toContain('(and 2 more problems)');
  });

  it('names the field it was given', () => {
    expect(thrown(() => parseShiftCalendar('x', 'calendar')).details['field']).toBe('calendar');
  });
});

describe('formatShiftCalendar', () => {
  it('writes LABEL=HH:MM, which parses back to the same calendar (property)', () => {
    const calendar = fc
      .tuple(
        fc.uniqueArray(fc.integer({ min: 0, max: 1439 }), { minLength: 1, maxLength: 8 }),
        fc.option(fc.uniqueArray(fc.stringMatching(/^[A-Z0-9]{1,8}$/), { minLength: 8, maxLength: 8 }), { nil: undefined }),
      )
      .map(([starts, labels]): string[] => starts.map((s, i) => (labels === undefined ? formatMinutes(s) : `${labels[i]!}=${formatMinutes(s)}`)));
    fc.assert(
      fc.property(calendar, (entries) => {
        const parsed: ShiftCalendar = parseShiftCalendar(entries);
        expect(parsed.map((s) => s.start)).toEqual([...parsed.map((s) => s.start)].sort((a, b) => a - b));
        expect(parseShiftCalendar(formatShiftCalendar(parsed))).toEqual(parsed);
      }),
      { numRuns: 200 },
    );
  });

  it('formatMinutes writes HH:MM', () => {
    expect(formatMinutes(0)).toBe('00:00');
    expect(formatMinutes(365)).toBe('06:05');
    expect(formatMinutes(1439)).toBe('23:59');
  });
});

describe('shiftAt', () => {
  it('finds the running shift of the default calendar', () => {
    const at = (h: number, m: number) => shiftAt(DEFAULT_SHIFT_CALENDAR, wall(2025, 6, 15, h, m));
    expect([at(0, 0), at(7, 59), at(8, 0), at(15, 59), at(16, 0), at(23, 59)].map((s) => s.shift.label)).toEqual(['A', 'A', 'B', 'B', 'C', 'C']);
    expect(at(23, 59).startDate).toMatchObject({ year: 2025, month: 6, day: 15 });
  });

  it('puts the early morning in the night shift that began the day before', () => {
    const early = shiftAt(NIGHTS, wall(2025, 6, 16, 3, 0));
    expect(early.shift).toEqual({ label: 'C', start: 1320 });
    expect(early.index).toBe(2);
    expect(early.startDate).toEqual({ year: 2025, month: 6, day: 15 });
    expect(shiftAt(NIGHTS, wall(2025, 6, 16, 5, 59)).startDate).toEqual({ year: 2025, month: 6, day: 15 });
    expect(shiftAt(NIGHTS, wall(2025, 6, 16, 6, 0)).shift.label).toBe('A');
    // Across month, leap day and year ends.
    expect(shiftAt(NIGHTS, wall(2025, 1, 1, 3, 0)).startDate).toEqual({ year: 2024, month: 12, day: 31 });
    expect(shiftAt(NIGHTS, wall(2024, 3, 1, 3, 0)).startDate).toEqual({ year: 2024, month: 2, day: 29 });
  });

  it('knows which shift runs past midnight', () => {
    expect([0, 1, 2].map((i) => shiftCrossesMidnight(DEFAULT_SHIFT_CALENDAR, i))).toEqual([false, false, false]);
    expect([0, 1, 2].map((i) => shiftCrossesMidnight(NIGHTS, i))).toEqual([false, false, true]);
    expect(shiftCrossesMidnight(parseShiftCalendar('06:00'), 0)).toBe(true);
    expect(shiftCrossesMidnight(parseShiftCalendar('00:00'), 0)).toBe(false);
  });
});
