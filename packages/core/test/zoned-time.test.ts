import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalTimeZone, localDateTime, parseInstant, type LocalDateTime } from '@serialtrace/core';
import { ms, offsetMs, thrown, wall } from './helpers.js';

describe('localDateTime', () => {
  it.each<[string, string, LocalDateTime]>([
    // The doc example: late evening in UTC is already tomorrow in Berlin.
    ['Europe/Berlin', '2025-06-15T22:30:00Z', wall(2025, 6, 16, 0, 30, 0)],
    ['UTC', '2025-06-15T22:30:00Z', wall(2025, 6, 15, 22, 30, 0)],
    ['Etc/UTC', '2025-06-15T22:30:59.999Z', wall(2025, 6, 15, 22, 30, 59)],
    // Berlin springs forward on 2025-03-30: 02:00 CET becomes 03:00 CEST.
    ['Europe/Berlin', '2025-03-30T00:59:59Z', wall(2025, 3, 30, 1, 59, 59)],
    ['Europe/Berlin', '2025-03-30T01:00:00Z', wall(2025, 3, 30, 3, 0, 0)],
    // ... and falls back on 2025-10-26: 03:00 CEST becomes 02:00 CET, so 02:xx happens twice.
    ['Europe/Berlin', '2025-10-26T00:30:00Z', wall(2025, 10, 26, 2, 30, 0)],
    ['Europe/Berlin', '2025-10-26T00:59:59Z', wall(2025, 10, 26, 2, 59, 59)],
    ['Europe/Berlin', '2025-10-26T01:00:00Z', wall(2025, 10, 26, 2, 0, 0)],
    ['Europe/Berlin', '2025-10-26T01:30:00Z', wall(2025, 10, 26, 2, 30, 0)],
    ['Europe/Berlin', '2025-10-26T02:00:00Z', wall(2025, 10, 26, 3, 0, 0)],
    // New York: EST -> EDT on 2025-03-09, EDT -> EST on 2025-11-02.
    ['America/New_York', '2025-03-09T06:59:59Z', wall(2025, 3, 9, 1, 59, 59)],
    ['America/New_York', '2025-03-09T07:00:00Z', wall(2025, 3, 9, 3, 0, 0)],
    ['America/New_York', '2025-11-02T05:59:59Z', wall(2025, 11, 2, 1, 59, 59)],
    ['America/New_York', '2025-11-02T06:00:00Z', wall(2025, 11, 2, 1, 0, 0)],
    ['America/New_York', '2025-06-16T03:59:59Z', wall(2025, 6, 15, 23, 59, 59)],
    // Lord Howe moves its clocks by half an hour: +11:00 -> +10:30 on 2025-04-06, back on 2025-10-05.
    ['Australia/Lord_Howe', '2025-04-05T14:59:59Z', wall(2025, 4, 6, 1, 59, 59)],
    ['Australia/Lord_Howe', '2025-04-05T15:00:00Z', wall(2025, 4, 6, 1, 30, 0)],
    ['Australia/Lord_Howe', '2025-10-04T15:29:59Z', wall(2025, 10, 5, 1, 59, 59)],
    ['Australia/Lord_Howe', '2025-10-04T15:30:00Z', wall(2025, 10, 5, 2, 30, 0)],
    // India: +05:30 all year.
    ['Asia/Kolkata', '2025-06-15T18:29:59Z', wall(2025, 6, 15, 23, 59, 59)],
    ['Asia/Kolkata', '2025-06-15T18:30:00Z', wall(2025, 6, 16, 0, 0, 0)],
    // Kiritimati: +14:00, the first to see a new day (and a new year).
    ['Pacific/Kiritimati', '2025-12-31T09:59:59Z', wall(2025, 12, 31, 23, 59, 59)],
    ['Pacific/Kiritimati', '2025-12-31T10:00:00Z', wall(2026, 1, 1, 0, 0, 0)],
  ])('in %s, %s is %j', (zone, instant, expected) => {
    expect(localDateTime(ms(instant), zone)).toEqual(expected);
  });

  it('Intl path and UTC shortcut agree (Etc/GMT vs UTC) for any instant, BC years included', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (t) => {
        expect(localDateTime(t, 'Etc/GMT')).toEqual(localDateTime(t, 'UTC'));
      }),
      { numRuns: 200 },
    );
    expect(localDateTime(Date.UTC(-1, 0, 1) - 0, 'Etc/GMT').year).toBe(-1);
  });

  it('drops milliseconds rather than rounding them', () => {
    expect(localDateTime(ms('2025-06-15T23:59:59.999Z'), 'UTC')).toEqual(wall(2025, 6, 15, 23, 59, 59));
    expect(localDateTime(ms('2025-06-15T21:59:59.999Z'), 'Europe/Berlin')).toEqual(wall(2025, 6, 15, 23, 59, 59));
  });

  it('wall clock minus UTC is a whole number of quarter hours within -12h..+14h, and fixed where the zone has no DST', () => {
    const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Kiritimati', 'Asia/Kathmandu', 'UTC'];
    fc.assert(
      fc.property(fc.integer({ min: ms('2000-01-01T00:00:00Z'), max: ms('2040-01-01T00:00:00Z') }), fc.constantFrom(...zones), (t, zone) => {
        const offset = offsetMs(t, zone);
        expect(Math.abs(offset % (15 * 60_000))).toBe(0);
        expect(offset).toBeGreaterThanOrEqual(-12 * 3_600_000);
        expect(offset).toBeLessThanOrEqual(14 * 3_600_000);
        if (zone === 'Asia/Kolkata') expect(offset).toBe(5.5 * 3_600_000);
        if (zone === 'Pacific/Kiritimati') expect(offset).toBe(14 * 3_600_000);
        if (zone === 'Asia/Kathmandu') expect(offset).toBe(5.75 * 3_600_000);
        if (zone === 'UTC') expect(Math.abs(offset)).toBe(0);
        if (zone === 'Europe/Berlin') expect([3_600_000, 7_200_000]).toContain(offset);
        if (zone === 'America/New_York') expect([-5 * 3_600_000, -4 * 3_600_000]).toContain(offset);
        if (zone === 'Australia/Lord_Howe') expect([10.5 * 3_600_000, 11 * 3_600_000]).toContain(offset);
      }),
      { numRuns: 300 },
    );
  });
});

describe('canonicalTimeZone', () => {
  it.each([
    ['Europe/Berlin', 'Europe/Berlin'],
    ['europe/berlin', 'Europe/Berlin'],
    ['AMERICA/NEW_YORK', 'America/New_York'],
    ['australia/lord_howe', 'Australia/Lord_Howe'],
    ['UTC', 'UTC'],
    ['utc', 'UTC'],
    ['Etc/GMT+5', 'Etc/GMT+5'],
  ])('%s is %s', (input, canonical) => {
    expect(canonicalTimeZone(input)).toBe(canonical);
  });

  it.each(['Mars/Olympus_Mons', 'Europe/Berlinn', '+02:00', '-05:00', 'UTC+2', '', ' Europe/Berlin', 'Europe/../Berlin;', '02:00', 'Z'])(
    'refuses %j with TIME_ZONE_UNKNOWN',
    (input) => {
      const error = thrown(() => canonicalTimeZone(input));
      expect(error.code).toBe('TIME_ZONE_UNKNOWN');
      expect(error.details).toEqual({ field: 'timeZone', timeZone: input });
      expect(error.message).toBe(`Unknown time zone "${input}"; use an IANA name such as Europe/Berlin or UTC`);
    },
  );

  it('names the field it was given', () => {
    expect(thrown(() => canonicalTimeZone('Nowhere/Land', 'defaults.timeZone')).details['field']).toBe('defaults.timeZone');
  });
});

describe('parseInstant', () => {
  it.each([
    ['2025-06-15T08:30:00Z', '2025-06-15T08:30:00.000Z'],
    ['2025-06-15T08:30Z', '2025-06-15T08:30:00.000Z'],
    ['2025-06-15T08:30:00.5Z', '2025-06-15T08:30:00.500Z'],
    ['2025-06-15T08:30:00.123456789Z', '2025-06-15T08:30:00.123Z'],
    ['2025-06-15T10:30:00+02:00', '2025-06-15T08:30:00.000Z'],
    ['2025-06-15T03:00:00-05:30', '2025-06-15T08:30:00.000Z'],
    ['  2025-06-15T08:30:00Z  ', '2025-06-15T08:30:00.000Z'],
    ['2024-02-29T23:59:59Z', '2024-02-29T23:59:59.000Z'],
    ['0004-02-29T00:00:00Z', '0004-02-29T00:00:00.000Z'],
  ])('reads %j', (text, iso) => {
    expect(parseInstant(text).toISOString()).toBe(iso);
  });

  it.each([
    '2025-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2025-04-31T00:00:00Z',
    '2025-13-01T00:00:00Z',
    '2025-00-10T00:00:00Z',
    '2025-06-15T24:00:00Z',
    '2025-06-15T08:60:00Z',
    '2025-06-15T08:30:60Z',
    '2025-06-15T08:30:00+24:00',
    '2025-06-15T08:30:00',
    '2025-06-15 08:30:00Z',
    '2025-06-15',
    '08:30:00Z',
    '1750000000000',
    'garbage',
    '',
    'now',
  ])('refuses %j with CLOCK_INVALID', (text) => {
    const error = thrown(() => parseInstant(text));
    expect(error.code).toBe('CLOCK_INVALID');
    expect(error.details).toEqual({ field: 'at', value: text });
  });

  it('names the field it was given', () => {
    expect(thrown(() => parseInstant('soon', 'SERIALTRACE_NOW')).details['field']).toBe('SERIALTRACE_NOW');
  });

  it('reads back what Date.toISOString writes (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: ms('1970-01-01T00:00:00Z'), max: ms('2999-12-31T23:59:59Z') }), (t) => {
        expect(parseInstant(new Date(t).toISOString()).getTime()).toBe(t);
      }),
      { numRuns: 200 },
    );
  });
});
