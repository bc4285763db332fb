import { SerialtraceError } from '../errors/serialtrace-error.js';
import type { SeriesPlan } from './series-settings.js';

/**
 * How full a series' current period is. `perPeriod` is `null` for a series that may grow past
 * its width.
 */
export interface Capacity {
  /** Serials one period can hold: values start+increment, start+2*increment, ... up to the width. */
  readonly perPeriod: bigint | null;
  readonly used: bigint;
  readonly remaining: bigint | null;
  /** 0..1, rounded down to four places. */
  readonly usedRatio: number;
  readonly level: CapacityLevel;
}

export type CapacityLevel = 'ok' | 'warning' | 'critical' | 'exhausted';

/** Used share at which a series starts to warn, and at which the warning turns critical. */
export const CAPACITY_WARNING = 0.8;
export const CAPACITY_CRITICAL = 0.95;

/** Serials a period can hold in all. */
export function periodCapacity(plan: SeriesPlan): bigint | null {
  const { maxValue, settings } = plan;
  if (maxValue === null) return null;
  if (maxValue < settings.start) return 0n;
  return (maxValue - settings.start) / settings.increment;
}

/**
 * @param current the period's counter (the last value used), or the start when nothing was issued
 * @example capacityOf(plan (numeric, 4 digits), 9000n).usedRatio === 0.9
 */
export function capacityOf(plan: SeriesPlan, current: bigint): Capacity {
  const { start, increment } = plan.settings;
  const used = current > start ? (current - start) / increment : 0n;
  const perPeriod = periodCapacity(plan);
  if (perPeriod === null) return { perPeriod, used, remaining: null, usedRatio: 0, level: 'ok' };
  const remaining = perPeriod > used ? perPeriod - used : 0n;
  const usedRatio = perPeriod === 0n ? 1 : Number((used * 10000n) / perPeriod) / 10000;
  const level: CapacityLevel =
    remaining === 0n ? 'exhausted' : usedRatio >= CAPACITY_CRITICAL ? 'critical' : usedRatio >= CAPACITY_WARNING ? 'warning' : 'ok';
  return { perPeriod, used, remaining, usedRatio, level };
}

/**
 * The next `count` values after `current`, or `undefined` when the last of them would not fit:
 * a request is served whole or not at all.
 *
 * @example nextValues(plan (start 0, increment 5), 0n, 3) // [5n, 10n, 15n]
 */
export function nextValues(plan: SeriesPlan, current: bigint, count: number): bigint[] | undefined {
  const { increment } = plan.settings;
  const last = current + increment * BigInt(count);
  if (plan.maxValue !== null && last > plan.maxValue) return undefined;
  const values = new Array<bigint>(count);
  let value = current;
  for (let i = 0; i < count; i++) {
    value += increment;
    values[i] = value;
  }
  return values;
}

/** How many more values fit after `current`; `null` when unbounded. */
export function remainingAfter(plan: SeriesPlan, current: bigint): bigint | null {
  if (plan.maxValue === null) return null;
  if (current >= plan.maxValue) return 0n;
  return (plan.maxValue - current) / plan.settings.increment;
}

/**
 * The refusal of a request that does not fit: SERIES_EXHAUSTED when the width is used up,
 * SERIES_GUESS_LIMIT when a randomised series reached its guess bound first.
 *
 * @param remaining how many serials still fit in the period
 */
export function exhaustedError(plan: SeriesPlan, period: string, requested: number, remaining: bigint): SerialtraceError {
  const capacity = periodCapacity(plan);
  const series = plan.settings.name;
  if (plan.randomSpace !== null) {
    return new SerialtraceError('SERIES_GUESS_LIMIT', { series, period, requested, remaining: remaining.toString(), limit: (capacity ?? 0n).toString() });
  }
  return new SerialtraceError('SERIES_EXHAUSTED', { series, period, requested, remaining: remaining.toString(), capacity: capacity?.toString() ?? 'unbounded' });
}
