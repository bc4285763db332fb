import { problem, SerialtraceError, type Problem } from '../errors/serialtrace-error.js';
import { civilFromDays, daysFromCivil, type CivilDate } from './civil-date.js';
import type { LocalDateTime } from './zoned-time.js';

/** One shift of the daily calendar: it runs from `start` until the next shift's start. */
export interface Shift {
  readonly label: string;
  /** Minutes after local midnight, 0-1439. */
  readonly start: number;
}

/** The shifts of every day, ordered by start. The last one may run past midnight. */
export type ShiftCalendar = readonly Shift[];

/** Three 8-hour shifts A, B and C from midnight. */
export const DEFAULT_SHIFT_CALENDAR: ShiftCalendar = [
  { label: 'A', start: 0 },
  { label: 'B', start: 8 * 60 },
  { label: 'C', start: 16 * 60 },
];

const DEFAULT_LABELS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const MAX_SHIFTS = 24;

/**
 * Reads `06:00,14:00,22:00` or `E=06:00,L=14:00,N=22:00`. Unlabelled shifts are lettered A, B,
 * C... in order of their start. Every problem is reported, with the entry's position.
 */
export function parseShiftCalendar(text: string | readonly string[], field = 'shiftStarts'): ShiftCalendar {
  const entries = (typeof text === 'string' ? text.split(',') : [...text]).map((e) => e.trim());
  const problems: Problem[] = [];
  const fail = (reason: string, position?: number) =>
    problems.push(problem('SHIFT_CALENDAR_INVALID', { field, reason, ...(position === undefined ? {} : { position }) }));

  if (entries.length === 0 || (entries.length === 1 && entries[0] === '')) {
    fail('give at least one shift start such as 06:00');
  }
  if (entries.length > MAX_SHIFTS) fail(`at most ${MAX_SHIFTS} shifts a day`);

  const parsed: { label: string | undefined; start: number }[] = [];
  entries.forEach((entry, index) => {
    const match = /^(?:([A-Za-z0-9]{1,8})\s*=\s*)?([01]?\d|2[0-3]):([0-5]\d)$/.exec(entry);
    if (match === null) {
      fail(`entry ${index + 1} "${entry}" is not HH:MM or LABEL=HH:MM`, index);
      return;
    }
    parsed.push({ label: match[1]?.toUpperCase(), start: Number(match[2]) * 60 + Number(match[3]) });
  });

  parsed.sort((a, b) => a.start - b.start);
  const labelled = parsed.some((p) => p.label !== undefined);
  if (labelled && parsed.some((p) => p.label === undefined)) {
    fail('label every shift or none (LABEL=HH:MM)');
  }
  const calendar = parsed.map((p, i) => ({ label: p.label ?? DEFAULT_LABELS[i] ?? String(i + 1), start: p.start }));
  for (let i = 1; i < calendar.length; i++) {
    if (calendar[i]!.start === calendar[i - 1]!.start) fail(`two shifts start at ${formatMinutes(calendar[i]!.start)}`);
  }
  const labels = new Set(calendar.map((s) => s.label));
  if (labels.size !== calendar.length) fail('shift labels must differ');
  if (problems.length > 0) throw SerialtraceError.fromProblems(problems);
  return calendar;
}

export function formatMinutes(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** `A=00:00,B=08:00,C=16:00`, the form {@link parseShiftCalendar} reads back. */
export function formatShiftCalendar(calendar: ShiftCalendar): string {
  return calendar.map((s) => `${s.label}=${formatMinutes(s.start)}`).join(',');
}

/** Which shift is running, and the calendar date it started on. */
export interface ShiftInstance {
  readonly shift: Shift;
  readonly index: number;
  /** The date the shift began; before the first start of a day, the previous day. */
  readonly startDate: CivilDate;
}

/** The shift running at a wall-clock time; a night shift after midnight belongs to yesterday. */
export function shiftAt(calendar: ShiftCalendar, local: LocalDateTime): ShiftInstance {
  const minute = local.hour * 60 + local.minute;
  let index = -1;
  for (let i = 0; i < calendar.length; i++) if (calendar[i]!.start <= minute) index = i;
  if (index >= 0) return { shift: calendar[index]!, index, startDate: local };
  const last = calendar.length - 1;
  return { shift: calendar[last]!, index: last, startDate: civilFromDays(daysFromCivil(local) - 1) };
}

/** Whether a shift runs past midnight (the last shift, when the first does not start at 00:00). */
export function shiftCrossesMidnight(calendar: ShiftCalendar, index: number): boolean {
  return index === calendar.length - 1 && calendar[0]!.start > 0;
}
