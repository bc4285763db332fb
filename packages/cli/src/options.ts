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
export function withSeriesOptions(command: Command, formatRequired: boolean, formatHelp = 'format string, e.g. SN-{YYYY}{JJJ}-{####}'): Command {
  const format = new Option('--format <format>', formatHelp);
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

/** The GS1 and randomisation flags of `series create` and `series update`. */
export function withGs1SeriesOptions(command: Command): Command {
  return command
    .option('--gtin <gtin>', 'bind the series to this GTIN (8, 12, 13 or 14 digits): its serials become GS1 serial numbers (AI 21) of that product')
    .option('--sscc', 'issue SSCCs (18-digit pallet and case codes): extension digit + company prefix + serial reference + check digit; --format may then be left out')
    .option('--company-prefix <prefix>', 'GS1 company prefix, 6 to 12 digits: required with --sscc; with --gtin it gives records their EPC URN')
    .option('--extension-digit <digit>', 'SSCC extension digit, 0 to 9')
    .option('--randomized', 'issue serials in an unguessable order (never repeating), at most one per 10,000 values of a period (EU FMD); needs the master key, SERIALTRACE_MASTER_KEY');
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
  readonly gtin?: string;
  readonly sscc?: boolean;
  readonly companyPrefix?: string;
  readonly extensionDigit?: string;
  readonly randomized?: boolean;
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
    gtin: flags.gtin,
    sscc: flags.sscc,
    companyPrefix: flags.companyPrefix,
    extensionDigit: flags.extensionDigit,
    randomized: flags.randomized,
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
