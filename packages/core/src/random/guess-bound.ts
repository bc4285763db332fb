/**
 * The EU Falsified Medicines Directive bound (Delegated Regulation (EU) 2016/161, Art. 4): the
 * probability of guessing a valid serial must stay below 1 in 10,000. A randomised period of
 * `space` values therefore issues at most one serial per 10,000 values.
 *
 * @example guessLimit(10n ** 12n) // 100_000_000n
 */
export const GUESS_BOUND_DIVISOR = 10_000n;

/**
 * The most serials a period of `space` values may issue under the bound: floor(space / 10,000).
 *
 * @example guessLimit(9_999n) // 0n: too small a space to issue anything
 */
export function guessLimit(space: bigint): bigint {
  if (space < 0n) throw new RangeError(`A space cannot be negative: ${space}`);
  return space / GUESS_BOUND_DIVISOR;
}

/**
 * issued / space as a number (0 when space is 0), for display: the chance a guessed value is a
 * serial that was issued.
 *
 * @example guessProbability(50n, 1_000_000n) // 0.00005
 */
export function guessProbability(issued: bigint, space: bigint): number {
  if (space === 0n) return 0;
  // Each side rounds to 53 bits, so the ratio keeps its precision for any size of space.
  return Number(issued) / Number(space);
}
