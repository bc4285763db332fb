import { compileSeries, localDateTime, periodKey, type LocalDateTime, type SeriesPlan } from '@serialtrace/core';
import type { SeriesRow } from '@serialtrace/store';

const MAX_CACHED_PLANS = 1000;

/**
 * Compiled series by id and version: a format is parsed and checked once per version, not once
 * per request. A changed series has a new version, so a stale plan is never used.
 */
export class SeriesPlans {
  readonly #plans = new Map<string, SeriesPlan>();

  planFor(row: SeriesRow): SeriesPlan {
    const key = `${row.id}:${row.version}`;
    let plan = this.#plans.get(key);
    if (plan === undefined) {
      plan = compileSeries(row.settings);
      if (this.#plans.size >= MAX_CACHED_PLANS) this.#plans.delete(this.#plans.keys().next().value!);
      this.#plans.set(key, plan);
    }
    return plan;
  }
}

/** The wall clock of a series and the reset period it is in at `at`. */
export function periodAt(plan: SeriesPlan, at: Date): { local: LocalDateTime; period: string } {
  const local = localDateTime(at.getTime(), plan.settings.timeZone);
  return { local, period: periodKey(plan.settings.reset, local, plan.calendar) };
}
