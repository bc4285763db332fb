import { parseChoice } from '../errors/serialtrace-error.js';
import { formatCivilDate, isoWeek, pad } from './civil-date.js';
import { shiftAt, type ShiftCalendar } from './shift-calendar.js';
import type { LocalDateTime } from './zoned-time.js';

export const RESET_RULES = ['never', 'daily', 'weekly', 'monthly', 'yearly', 'shift'] as const;
export type ResetRule = (typeof RESET_RULES)[number];

/** One line per rule, for help texts and the UI's reset-rule list. */
export const RESET_RULE_DESCRIPTIONS: Readonly<Record<ResetRule, string>> = {
  never: 'The sequence never restarts; serials count up for the life of the series.',
  daily: 'Restarts at local midnight every day.',
  weekly: 'Restarts at local midnight between Sunday and Monday (ISO weeks).',
  monthly: 'Restarts at local midnight on the first of every month.',
  yearly: 'Restarts at local midnight on the first of January.',
  shift: 'Restarts when each shift of the shift calendar begins (default 00:00, 08:00, 16:00).',
};

export function isResetRule(value: string): value is ResetRule {
  return (RESET_RULES as readonly string[]).includes(value);
}

export function parseResetRule(value: unknown, field = 'reset'): ResetRule {
  return parseChoice(value, RESET_RULES, field, 'reset rule');
}

/** The period of a series that never resets. */
export const PERMANENT_PERIOD = '*';

/**
 * Names the reset period that contains a wall-clock time. Counters are kept per period, so two
 * instants share a counter exactly when they share this key.
 *
 * @example periodKey('weekly', { year: 2024, month: 12, day: 30, ... }, cal) === '2025-W01'
 * @example periodKey('shift', { year: 2025, month: 6, day: 16, hour: 3, ... }, nights) === '2025-06-15/C'
 */
export function periodKey(rule: ResetRule, local: LocalDateTime, calendar: ShiftCalendar): string {
  switch (rule) {
    case 'never':
      return PERMANENT_PERIOD;
    case 'daily':
      return formatCivilDate(local);
    case 'weekly': {
      const { weekYear, week } = isoWeek(local);
      return `${pad(weekYear, 4)}-W${pad(week, 2)}`;
    }
    case 'monthly':
      return `${pad(local.year, 4)}-${pad(local.month, 2)}`;
    case 'yearly':
      return pad(local.year, 4);
    case 'shift': {
      const instance = shiftAt(calendar, local);
      return `${formatCivilDate(instance.startDate)}/${instance.shift.label}`;
    }
  }
}
