import {
  ALLOCATIONS,
  BASE_NAMES,
  BASES,
  maxValueForWidth,
  RESET_RULE_DESCRIPTIONS,
  RESET_RULES,
  type Allocation,
  type BaseName,
  type ResetRule,
} from '@serialtrace/core';
import { formatCount } from '../ui/text';

/** Names and explanations of the series settings, as the form and the list show them. */

const BASE_LABELS: Readonly<Record<BaseName, string>> = {
  numeric: 'Numeric (0-9)',
  alphanumeric: 'Alphanumeric, base 36 (0-9, A-Z)',
  hex: 'Hexadecimal (0-9, A-F)',
  alpha: 'Alpha, base 26 (A-Z, A is zero)',
};

const SAMPLE_WIDTH = 4;

export interface Choice<T extends string> {
  readonly value: T;
  readonly label: string;
  readonly description: string;
}

/** Each base with how much four characters hold, the figure people compare bases by. */
export const BASE_CHOICES: readonly Choice<BaseName>[] = BASE_NAMES.map((name) => ({
  value: name,
  label: BASE_LABELS[name],
  description: `${SAMPLE_WIDTH} characters hold ${formatCount(maxValueForWidth(BASES[name], SAMPLE_WIDTH))} values.`,
}));

const RESET_LABELS: Readonly<Record<ResetRule, string>> = {
  never: 'Never',
  daily: 'Daily',
  weekly: 'Weekly',
  monthly: 'Monthly',
  yearly: 'Yearly',
  shift: 'Per shift',
};

/** Core's own one-line descriptions, so the form says what the server does. */
export const RESET_CHOICES: readonly Choice<ResetRule>[] = RESET_RULES.map((rule) => ({
  value: rule,
  label: RESET_LABELS[rule],
  description: RESET_RULE_DESCRIPTIONS[rule],
}));

export function resetLabel(rule: ResetRule): string {
  return RESET_LABELS[rule];
}

/** "per day" etc.: how far one period's capacity reaches. */
export const PERIOD_WORDS: Readonly<Record<ResetRule, string>> = {
  never: 'in all (the sequence never restarts)',
  daily: 'per day',
  weekly: 'per week',
  monthly: 'per month',
  yearly: 'per year',
  shift: 'per shift',
};

const ALLOCATION_LABELS: Readonly<Record<Allocation, string>> = {
  gapless: 'Gapless',
  leased: 'Leased blocks',
};

export const ALLOCATION_CHOICES: readonly Choice<Allocation>[] = ALLOCATIONS.map((allocation) => ({
  value: allocation,
  label: ALLOCATION_LABELS[allocation],
  description:
    allocation === 'gapless'
      ? 'Every value is issued in order, and a failed request consumes nothing. The safe default.'
      : 'Each server takes a block of values at a time, for line speed; values a server took but did not issue are recorded as skipped.',
}));

export function allocationLabel(allocation: Allocation): string {
  return ALLOCATION_LABELS[allocation];
}

export function baseLabel(base: BaseName): string {
  return BASE_LABELS[base];
}

const BASE_SHORT: Readonly<Record<BaseName, string>> = {
  numeric: 'Numeric',
  alphanumeric: 'Base 36',
  hex: 'Hex',
  alpha: 'Alpha',
};

export function baseShortLabel(base: BaseName): string {
  return BASE_SHORT[base];
}

/** What GS1 key a series' serials belong to, each with what it means. */
export const GS1_CHOICES: readonly { readonly value: 'none' | 'gtin' | 'sscc'; readonly label: string; readonly description: string }[] = [
  { value: 'none', label: 'None', description: 'Plain serials, not bound to a GS1 key.' },
  { value: 'gtin', label: 'Serial numbers of a GTIN', description: 'Each serial is the GS1 serial number (AI 21) of one item of the GTIN: at most 20 characters.' },
  { value: 'sscc', label: 'SSCCs', description: 'Each serial is an 18-digit SSCC for a logistic unit: extension digit, company prefix, serial reference and check digit.' },
];

/** "1 in 10,101,010": how many values of the space there are per issued serial, rounded down. */
function oneIn(space: string, per: string): string {
  try {
    const total = BigInt(space);
    const part = BigInt(per);
    if (part <= 0n) return '0';
    return `1 in ${formatCount(total / part)}`;
  } catch {
    return '?';
  }
}

/**
 * A randomised series' guess chance in words, e.g. "guess chance 1 in 10,101,010 · limit 1 in
 * 10,000": the limit is the EU FMD bound, at most one issued serial per 10,000 values.
 */
export function guessWords(guess: { readonly space: string; readonly issued: string }): string {
  const chance = guess.issued === '0' ? 'guess chance 0 (nothing issued yet)' : `guess chance ${oneIn(guess.space, guess.issued)}`;
  return `${chance} · limit 1 in ${formatCount(GUESS_BOUND)}`;
}

/** EU FMD: the chance of guessing a serial must stay below 1 in 10,000. */
export const GUESS_BOUND = 10_000;
