import {
  daysFromCivil,
  localDateTime,
  resolveSeriesSettings,
  SerialtraceError,
  type LocalDateTime,
  type SeriesInput,
  type SeriesPlan,
} from '@serialtrace/core';

/** Runs `fn` and returns the SerialtraceError it throws; fails the test when it throws nothing or something else. */
export function thrown(fn: () => unknown): SerialtraceError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SerialtraceError) return error;
    throw error;
  }
  throw new Error('expected a SerialtraceError, but nothing was thrown');
}

/** Epoch milliseconds of an ISO-8601 instant that names its offset. */
export function ms(iso: string): number {
  const value = Date.parse(iso);
  if (Number.isNaN(value)) throw new Error(`bad instant in test: ${iso}`);
  return value;
}

export function wall(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): LocalDateTime {
  return { year, month, day, hour, minute, second };
}

/** The zone's offset from UTC at `epochMs`, in whole seconds of wall clock (sub-second part ignored). */
export function offsetMs(epochMs: number, timeZone: string): number {
  const local = localDateTime(epochMs, timeZone);
  const wallMs = daysFromCivil(local) * 86_400_000 + ((local.hour * 60 + local.minute) * 60 + local.second) * 1000;
  return wallMs - Math.floor(epochMs / 1000) * 1000;
}

/**
 * The instant at which the wall clock in `timeZone` shows the given time (the earlier one when the
 * time occurs twice). Valid for wall times that exist.
 */
export function instantOf(timeZone: string, local: LocalDateTime, millis = 0): number {
  const wallMs = daysFromCivil(local) * 86_400_000 + ((local.hour * 60 + local.minute) * 60 + local.second) * 1000 + millis;
  // Two rounds settle the offset on either side of a transition.
  let guess = wallMs - offsetMs(wallMs, timeZone);
  guess = wallMs - offsetMs(guess, timeZone);
  return guess;
}

/** A valid series plan; the name defaults, everything else comes from `input`. */
export function planFor(input: SeriesInput, timeZone = 'UTC'): SeriesPlan {
  return resolveSeriesSettings({ name: 'Test series', ...input }, { timeZone }).plan;
}
