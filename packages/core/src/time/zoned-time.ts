import { SerialtraceError } from '../errors/serialtrace-error.js';
import { daysInMonth, type CivilDate } from './civil-date.js';

/**
 * Wall-clock fields of one instant in one IANA time zone. Seconds are whole; formats have no
 * sub-second token.
 */
export interface LocalDateTime extends CivilDate {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * Canonical IANA name of a zone (`europe/berlin` -> `Europe/Berlin`), or TIME_ZONE_UNKNOWN.
 * Offsets such as `+02:00` are refused: a fixed offset has no daylight-saving rules, and a plant
 * in a zone with them would see its resets drift by an hour half the year.
 */
export function canonicalTimeZone(timeZone: string, field = 'timeZone'): string {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(timeZone)) {
    throw new SerialtraceError('TIME_ZONE_UNKNOWN', { field, timeZone });
  }
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    throw new SerialtraceError('TIME_ZONE_UNKNOWN', { field, timeZone });
  }
}

/**
 * The wall clock in `timeZone` at `epochMs`. On a day when clocks go back, the repeated hour
 * maps to the same wall-clock fields twice; on a day they go forward, the skipped hour never
 * appears. Reset periods are defined on the wall clock, so both cases stay consistent.
 *
 * @example localDateTime(Date.parse('2025-06-15T22:30:00Z'), 'Europe/Berlin') // 2025-06-16 00:30:00
 */
export function localDateTime(epochMs: number, timeZone: string): LocalDateTime {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') {
    const d = new Date(epochMs);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
    };
  }
  const fields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  let bc = false;
  for (const part of formatterFor(timeZone).formatToParts(epochMs)) {
    switch (part.type) {
      case 'year':
      case 'month':
      case 'day':
      case 'hour':
      case 'minute':
      case 'second':
        fields[part.type] = Number(part.value);
        break;
      case 'era':
        bc = part.value === 'BC' || part.value === 'B';
        break;
      default:
        break;
    }
  }
  if (bc) fields.year = 1 - fields.year;
  return fields;
}

/**
 * Parses an ISO-8601 instant that names its offset (`Z` or `+hh:mm`); a bare local time is
 * refused because it would mean different instants on different servers.
 */
export function parseInstant(text: string, field = 'at'): Date {
  const trimmed = text.trim();
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/i.exec(trimmed);
  const ms = match === null ? Number.NaN : Date.parse(trimmed);
  if (match === null || Number.isNaN(ms)) throw new SerialtraceError('CLOCK_INVALID', { field, value: text });
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = match.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number, number, number];
  // Date.parse rolls 2025-02-30 over to March; a clock setting that names no real instant is refused.
  if (
    month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) ||
    hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59
  ) {
    throw new SerialtraceError('CLOCK_INVALID', { field, value: text });
  }
  return new Date(ms);
}
