import { compileRenderer, type RenderFrame } from '../format/format-renderer.js';
import { gs1CheckDigit } from '../gs1/check-digit.js';
import type { SequencePermutation } from '../random/sequence-permutation.js';
import { assertGs1Serial } from './gs1-binding.js';
import type { SeriesPlan } from './series-settings.js';

/**
 * How one request turns counter values into serials. The counter always counts up; a randomised
 * series prints a value of its space chosen by the permutation instead, and the record keeps
 * that value, so a record's sequence never tells the order of issue either.
 */
export interface SerialMaker {
  /**
   * The values serials carry for counter values, in order; `null` when they are the counter
   * values themselves. Whole batches at once: a randomised series permutes them together.
   */
  readonly valuesOf: ((counters: readonly bigint[]) => bigint[]) | null;
  /** The serial that carries `value`. */
  readonly render: (value: bigint) => string;
}

export interface SerialMakerOptions {
  /** The reset period: each period of a randomised series has its own order. */
  readonly period: string;
  /** The series' keyed permutation; required for a randomised series unless previewing. */
  readonly permutation?: SequencePermutation | undefined;
  /** A preview: a randomised series without its permutation shows its values in counter order. */
  readonly preview?: boolean;
  /** Check each serial of a GTIN series as an AI (21) value (default); previews with placeholders do not. */
  readonly checkSerials?: boolean;
}

/** @example compileSerialMaker(plan, frame, { period: '*' }).render(1n) // 'SN-0001' */
export function compileSerialMaker(plan: SeriesPlan, frame: Omit<RenderFrame, 'base' | 'minLength'>, options: SerialMakerOptions): SerialMaker {
  const { permutation, period } = options;
  const preview = options.preview ?? false;
  const base = compileRenderer(plan.format, { ...frame, base: plan.base, minLength: plan.settings.minLength });
  let render = base;
  if (plan.checkDigit) render = (value) => withCheckDigit(base(value));
  else if (plan.settings.gtin !== null && (options.checkSerials ?? true)) {
    render = (value) => {
      const serial = base(value);
      assertGs1Serial(serial);
      return serial;
    };
  }
  if (plan.randomSpace === null || (preview && permutation === undefined)) return { valuesOf: null, render };
  if (permutation === undefined || permutation.space !== plan.randomSpace) {
    throw new Error(`series ${plan.settings.name} is randomised and needs its permutation over ${plan.randomSpace} values`);
  }
  const { start, increment } = plan.settings;
  const valuesOf = (counters: readonly bigint[]) =>
    permutation.permuteMany(counters.map((counter) => (counter - start) / increment - 1n), period).map((index) => start + increment * (index + 1n));
  return { valuesOf, render };
}

function withCheckDigit(body: string): string {
  return body + String(gs1CheckDigit(body));
}
