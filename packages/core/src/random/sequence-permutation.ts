import { Ff1, FF1_MAX_RADIX, FF1_MIN_DOMAIN, type BlockCipher } from './ff1.js';

/**
 * A bijection on [0, space): permute(i) for each i in [0, space) gives each value in [0, space)
 * exactly once. The tweak (e.g. the reset period's key such as "2026-11-23") gives each period its
 * own order.
 *
 * @example
 * const order = createSequencePermutation(cipher, 10n ** 12n);
 * const value = order.permute(0n, '2026-11-23'); // some value in [0, 10^12)
 * order.invert(value, '2026-11-23'); // 0n
 */
export interface SequencePermutation {
  readonly space: bigint;
  permute(index: bigint, tweak?: string): bigint;
  invert(value: bigint, tweak?: string): bigint;
  /**
   * permute for each index, in order. Faster than one permute per index when the cipher can
   * encrypt many blocks per call (see BlockCipher.encryptBlocks): use it to issue a batch.
   */
  permuteMany(indices: readonly bigint[], tweak?: string): bigint[];
}

export interface SequencePermutationOptions {
  /**
   * The smallest FF1 domain; 1,000,000 (SP 800-38G Rev. 1) unless lowered to test small spaces
   * exhaustively. Never lower it in production.
   */
  readonly minDomain?: bigint;
}

/**
 * The domain FF1 runs on for a space: `length` numerals of `radix`, with radix^length >= the space
 * (and >= the FF1 minimum domain) as tightly as possible.
 *
 * The length is the smallest (at least 2) whose radix fits FF1's limit of 65,536, and the radix is
 * the ceiling of the length-th root of the space. Then radix^length / space, the average number of
 * FF1 calls per permutation, is at most (1 + 1/root)^length: below 1.003 for every space from
 * 10^6 to 2^128, and exactly 1 for spaces such as 10^12 = (10^4)^3. Binary strings would cost up to
 * 2 calls (a space just above a power of two), at the same 10 AES blocks per call.
 *
 * @example chooseFf1Domain(10n ** 12n) // { radix: 10000, length: 3 }
 */
export function chooseFf1Domain(space: bigint, minDomain: bigint = FF1_MIN_DOMAIN): { radix: number; length: number } {
  const target = space > minDomain ? space : minDomain;
  for (let length = 2; ; length++) {
    const radix = ceilRoot(target, length);
    if (radix <= BigInt(FF1_MAX_RADIX)) return { radix: Number(radix < 2n ? 2n : radix), length };
  }
}

/**
 * The keyed order of a sequence space: FF1 on the smallest covering domain, cycle-walking (encrypt
 * again while the result is outside the space) to the exact space. Cycle-walking keeps the
 * bijection: each walk ends at the first in-space value of its FF1 cycle.
 *
 * Cost: radix^length / space FF1 calls on average (10 AES blocks each). For spaces of 10^6 and
 * more that is under 1.003; smaller spaces still run on the 10^6-value minimum domain, so a space
 * of 1,000 walks about 1,000 calls per serial. Keep randomised spaces at 10^6 or more.
 *
 * @param cipher AES under the series key
 * @param space the number of values, at least 2
 * @example
 * const order = createSequencePermutation(cipher, 10n ** 9n);
 * order.permute(41n, '2026-11'); // the 42nd serial's value in November 2026
 */
export function createSequencePermutation(
  cipher: BlockCipher,
  space: bigint,
  options: SequencePermutationOptions = {},
): SequencePermutation {
  if (typeof space !== 'bigint' || space < 2n) throw new RangeError(`A sequence permutation needs a space of at least 2 values, not ${String(space)}`);
  const minDomain = options.minDomain ?? FF1_MIN_DOMAIN;
  const { radix, length } = chooseFf1Domain(space, minDomain);
  const ff1 = new Ff1(cipher, radix, { minLength: length, maxLength: length, minDomain });
  const tweaks = new Map<string, Uint8Array>();

  function tweakBytes(tweak: string | undefined): Uint8Array {
    const key = tweak ?? '';
    let bytes = tweaks.get(key);
    if (bytes === undefined) {
      if (typeof key !== 'string') throw new RangeError('A permutation tweak must be a string');
      bytes = utf8(key);
      if (tweaks.size >= 64) tweaks.clear();
      tweaks.set(key, bytes);
    }
    return bytes;
  }

  function check(x: bigint, what: string): void {
    if (typeof x !== 'bigint' || x < 0n || x >= space) throw new RangeError(`${what} must be a bigint in [0, ${space})`);
  }

  return {
    space,
    permute(index, tweak) {
      check(index, 'Index');
      const t = tweakBytes(tweak);
      let x = index;
      do x = ff1.encryptValue(x, length, t);
      while (x >= space);
      return x;
    },
    permuteMany(indices, tweak) {
      for (const index of indices) check(index, 'Index');
      const t = tweakBytes(tweak);
      const out = ff1.encryptValues(indices, length, t);
      // Walk on the few that left the space, all together.
      let pending: number[] = [];
      for (let k = 0; k < out.length; k++) if (out[k]! >= space) pending.push(k);
      while (pending.length > 0) {
        const next = ff1.encryptValues(
          pending.map((k) => out[k]!),
          length,
          t,
        );
        const still: number[] = [];
        pending.forEach((k, at) => {
          out[k] = next[at]!;
          if (out[k] >= space) still.push(k);
        });
        pending = still;
      }
      return out;
    },
    invert(value, tweak) {
      check(value, 'Value');
      const t = tweakBytes(tweak);
      let x = value;
      do x = ff1.decryptValue(x, length, t);
      while (x >= space);
      return x;
    },
  };
}

/** The smallest r with r^k >= x (x >= 1, k >= 1). */
function ceilRoot(x: bigint, k: number): bigint {
  const kb = BigInt(k);
  const bits = x.toString(2).length;
  let lo = 1n;
  let hi = 1n << BigInt(Math.ceil(bits / k)); // hi^k >= 2^bits > x
  while (lo < hi) {
    const mid = (lo + hi) >> 1n;
    if (mid ** kb >= x) hi = mid;
    else lo = mid + 1n;
  }
  return lo;
}

/** UTF-8 bytes of a string (lone surrogates become U+FFFD, as TextEncoder does). */
export function utf8(text: string): Uint8Array {
  const out: number[] = [];
  for (let k = 0; k < text.length; k++) {
    let c = text.charCodeAt(k);
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = k + 1 < text.length ? text.charCodeAt(k + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        k++;
      } else {
        c = 0xfffd;
      }
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return Uint8Array.from(out);
}
