import { parseInstant, type Clock } from '@serialtrace/core';

export const systemClock: Clock = { now: () => new Date() };

/** A clock stopped at one instant, for tests and simulations (`SERIALTRACE_NOW`). */
export function fixedClock(instant: Date): Clock {
  const ms = instant.getTime();
  return { now: () => new Date(ms) };
}

/**
 * The clock a process should use: fixed when `fixedAt` (an ISO-8601 instant) is given, the system
 * clock otherwise. An unreadable value is refused with CLOCK_INVALID rather than ignored.
 */
export function clockFromSetting(fixedAt: string | undefined, field = 'SERIALTRACE_NOW'): Clock {
  if (fixedAt === undefined || fixedAt === '') return systemClock;
  return fixedClock(parseInstant(fixedAt, field));
}

/** The zone of the machine serialtrace runs on: the default for series that name none. */
export function hostTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
