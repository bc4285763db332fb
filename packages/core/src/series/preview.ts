import type { SequencePermutation } from '../random/sequence-permutation.js';
import { periodKey } from '../time/reset-period.js';
import { localDateTime } from '../time/zoned-time.js';
import { normalizeContext, resolveContext } from './request-context.js';
import { compileSerialMaker } from './serial-maker.js';
import { nextValues, remainingAfter } from './sequence-space.js';
import type { SeriesPlan } from './series-settings.js';

export interface PreviewOptions {
  /** The instant the serials would be issued at. */
  readonly at: Date;
  readonly count: number;
  readonly context?: unknown;
  readonly partNumber?: string | null;
  /** The period's counter; the series' start when omitted (a new series or a new period). */
  readonly current?: bigint;
  /** Show missing context tokens as `{LINE}` instead of refusing (live previews while typing). */
  readonly placeholders?: boolean;
  /** A randomised series' permutation; without it its values are shown in counter order. */
  readonly permutation?: SequencePermutation;
}

export interface Preview {
  readonly serials: readonly string[];
  readonly period: string;
  /** Fewer serials than asked for fit before the series is exhausted. */
  readonly truncated: boolean;
}

/**
 * The serials a series would issue next, computed without touching any store: the same code
 * path generation uses, so a preview never drifts from what is issued (skips for collisions with
 * existing serials aside, which only the store can know).
 *
 * @example previewSerials(plan (SN-{####}), { at: new Date(), count: 2 }).serials // ['SN-0001', 'SN-0002']
 */
export function previewSerials(plan: SeriesPlan, options: PreviewOptions): Preview {
  const local = localDateTime(options.at.getTime(), plan.settings.timeZone);
  const period = periodKey(plan.settings.reset, local, plan.calendar);
  const context = resolveContext(
    plan,
    local,
    { context: normalizeContext(options.context), partNumber: options.partNumber },
    options.placeholders ?? false,
  );
  const placeholders = options.placeholders ?? false;
  const maker = compileSerialMaker(plan, { local, context }, { period, permutation: options.permutation, preview: true, checkSerials: !placeholders });
  const current = options.current ?? plan.settings.start;
  const remaining = remainingAfter(plan, current);
  const count = remaining === null || remaining >= BigInt(options.count) ? options.count : Number(remaining);
  const values = nextValues(plan, current, count) ?? [];
  const printed = maker.valuesOf === null ? values : maker.valuesOf(values);
  return { serials: printed.map(maker.render), period, truncated: count < options.count };
}
