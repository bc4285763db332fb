import { type Command, Option } from 'commander';
import { SerialtraceError } from '@serialtrace/core';

/** Collects `--context K=V` flags into one object; a flag without `=` is refused. */
export function collectContext(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) {
    throw new SerialtraceError('CONTEXT_INVALID', { field: 'context', reason: `"${value}" is not NAME=VALUE (for example LINE=L1)` });
  }
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

/** Adds the flags that say who does this, where and why. */
export function withAuditOptions(command: Command): Command {
  return command
    .option('--actor <name>', 'who does this, for the audit trail (default: the OS user)')
    .option('--station <id>', 'station or workplace, for the audit trail')
    .option('--line <id>', 'production line, for the audit trail')
    .option('--plant <id>', 'plant or site, for the audit trail')
    .option('--reason <text>', 'why, for the audit trail');
}

/** The series fields shared by `series create`, `series update` and `preview`. */
export function withSeriesOptions(command: Command, formatRequired: boolean): Command {
  const format = new Option('--format <format>', 'format string, e.g. SN-{YYYY}{JJJ}-{####}');
  if (formatRequired) format.makeOptionMandatory();
  return command
    .addOption(format)
    .option('--base <base>', 'sequence alphabet: numeric, alphanumeric, hex or alpha')
    .option('--start <n>', 'starting value (the first serial carries start + increment)')
    .option('--increment <n>', 'step between serials, at least 1')
    .option('--min-length <n>', 'minimum sequence length (padding)')
    .option('--reset <rule>', 'never, daily, weekly, monthly, yearly or shift')
    .option('--time-zone <zone>', 'IANA time zone for dates and resets (default: this machine\'s)')
    .option('--shift-starts <list>', 'shift calendar, e.g. 06:00,14:00,22:00 or E=06:00,L=14:00,N=22:00')
    .option('--global', 'keep serials unique across the whole company')
    .option('--allow-growth', 'let the sequence grow past its width instead of refusing when full')
    .option('--allocation <mode>', 'gapless (default: every value in order, none lost) or leased (servers issue from leased blocks, faster, gaps recorded)')
    .option('--lease-size <n>', 'values a server leases at a time under leased allocation (default 100)')
    .option('--description <text>', 'what the series is for');
}

export interface SeriesFlags {
  readonly format?: string;
  readonly base?: string;
  readonly start?: string;
  readonly increment?: string;
  readonly minLength?: string;
  readonly reset?: string;
  readonly timeZone?: string;
  readonly shiftStarts?: string;
  readonly global?: boolean;
  readonly allowGrowth?: boolean;
  readonly allocation?: string;
  readonly leaseSize?: string;
  readonly description?: string;
}

/** Series flags as a service input; absent flags stay absent so defaults (or current values) apply. */
export function seriesInput(flags: SeriesFlags): Record<string, unknown> {
  const input: Record<string, unknown> = {
    format: flags.format,
    base: flags.base,
    start: flags.start,
    increment: flags.increment,
    minLength: flags.minLength,
    reset: flags.reset,
    timeZone: flags.timeZone,
    shiftStarts: flags.shiftStarts,
    global: flags.global,
    allowGrowth: flags.allowGrowth,
    allocation: flags.allocation,
    leaseSize: flags.leaseSize,
    description: flags.description,
  };
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}

/** A whole-number flag, or VALUE_INVALID naming it. */
export function wholeNumber(value: string | undefined, field: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new SerialtraceError('VALUE_INVALID', { field, reason: `"${value}" is not a whole number from ${min} to ${max}` });
  }
  return n;
}
