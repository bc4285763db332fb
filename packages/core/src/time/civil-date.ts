/**
 * Calendar arithmetic on proleptic Gregorian dates, with no clock and no time zone: the
 * numbers a format's date tokens print.
 */
export interface CivilDate {
  readonly year: number;
  /** 1-12 */
  readonly month: number;
  /** 1-31 */
  readonly day: number;
}

/** Days since 1970-01-01 (negative before). Howard Hinnant's days_from_civil. */
export function daysFromCivil({ year, month, day }: CivilDate): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The inverse of {@link daysFromCivil}. */
export function civilFromDays(days: number): CivilDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** ISO weekday: Monday 1 ... Sunday 7. */
export function isoWeekday(days: number): number {
  // 1970-01-01 was a Thursday (4).
  return ((((days + 3) % 7) + 7) % 7) + 1;
}

/** Day of the year, 1-366. */
export function dayOfYear(date: CivilDate): number {
  return daysFromCivil(date) - daysFromCivil({ year: date.year, month: 1, day: 1 }) + 1;
}

export interface IsoWeek {
  /** The ISO week-numbering year, which differs from the calendar year around New Year. */
  readonly weekYear: number;
  /** 1-53 */
  readonly week: number;
}

/** ISO-8601 week: weeks start on Monday and week 1 holds the year's first Thursday. */
export function isoWeek(date: CivilDate): IsoWeek {
  const days = daysFromCivil(date);
  const thursday = days - isoWeekday(days) + 4;
  const weekYear = civilFromDays(thursday).year;
  const week = Math.floor((thursday - daysFromCivil({ year: weekYear, month: 1, day: 1 })) / 7) + 1;
  return { weekYear, week };
}

/** 53 for years whose 1 January is a Thursday (or a Wednesday in a leap year), else 52. */
export function isoWeeksInYear(year: number): number {
  const p = (y: number) => (((y + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400)) % 7) + 7) % 7;
  return p(year) === 4 || p(year - 1) === 3 ? 53 : 52;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/** Every field a date token can print, for one day. */
export interface DayFields extends CivilDate, IsoWeek {
  readonly dayOfYear: number;
  /** Days since 1970-01-01. */
  readonly days: number;
}

/**
 * Calls `visit` for every day of the years `firstYear..lastYear`, computing the fields
 * incrementally (a century takes a few milliseconds); `visit` returns `true` to stop.
 */
export function walkDays(firstYear: number, lastYear: number, visit: (day: DayFields) => boolean | void): void {
  let days = daysFromCivil({ year: firstYear, month: 1, day: 1 });
  let weekday = isoWeekday(days);
  for (let year = firstYear; year <= lastYear; year++) {
    const weeks = isoWeeksInYear(year);
    const weeksBefore = isoWeeksInYear(year - 1);
    let doy = 0;
    for (let month = 1; month <= 12; month++) {
      const last = daysInMonth(year, month);
      for (let day = 1; day <= last; day++) {
        doy += 1;
        let week = Math.floor((doy - weekday + 10) / 7);
        let weekYear = year;
        if (week < 1) {
          week = weeksBefore;
          weekYear = year - 1;
        } else if (week > weeks) {
          week = 1;
          weekYear = year + 1;
        }
        if (visit({ year, month, day, dayOfYear: doy, week, weekYear, days }) === true) return;
        days += 1;
        weekday = weekday === 7 ? 1 : weekday + 1;
      }
    }
  }
}

export function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** `YYYY-MM-DD` */
export function formatCivilDate(date: CivilDate): string {
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}
