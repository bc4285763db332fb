/**
 * FF1 format-preserving encryption (NIST SP 800-38G Rev. 1): a keyed permutation of the numeral
 * strings of one radix and length. Randomised series use it so their serials never repeat and
 * reveal nothing about the order they were issued in.
 *
 * The module is pure: the AES block cipher comes from the caller (node:crypto in the service, Web
 * Crypto or a JS AES in a browser), so the same code runs everywhere.
 */

/**
 * One AES block encryption (16 bytes in, 16 out) under a fixed key; the caller supplies it
 * (node:crypto in the service).
 *
 * FF1 copies the result before its next call and never keeps the block it passes in, so an
 * implementation may return the same buffer every time, or encrypt in place.
 *
 * @example
 * const cipher: BlockCipher = { encryptBlock: (block) => aesEcb.update(block) };
 */
export interface BlockCipher {
  encryptBlock(block: Uint8Array): Uint8Array;
  /**
   * Optional: AES on each 16-byte block of `blocks` independently (ECB), in one call. Where a call
   * costs more than the AES itself (node:crypto: about 1 µs per call, against a few ns per block),
   * `Ff1.encryptValues` runs many strings in lockstep through it.
   */
  encryptBlocks?(blocks: Uint8Array): Uint8Array;
}

export interface Ff1Options {
  /** Shortest numeral string accepted; by default the shortest (at least 2) meeting `minDomain`. */
  readonly minLength?: number;
  /** Longest numeral string accepted; at most 2^32 - 1 (the default). */
  readonly maxLength?: number;
  /**
   * Smallest number of values (radix^minLength) allowed. SP 800-38G Rev. 1 requires 1,000,000,
   * the default: smaller domains fall to known attacks. Lower it only to test small domains.
   */
  readonly minDomain?: bigint;
}

/** SP 800-38G Rev. 1: radix^minlen >= 1,000,000. */
export const FF1_MIN_DOMAIN = 1_000_000n;
export const FF1_MAX_RADIX = 65_536;
const MAX_LENGTH = 2 ** 32 - 1;
const ROUNDS = 10;
/**
 * Halves up to this many values run on plain numbers: y mod radix^m is reduced a byte at a time,
 * and acc * 256 + 255 stays below 2^53 for acc < 2^45.
 */
const FAST_LIMIT = 2 ** 45;

/** Constants of one message length n: the Feistel split and the sizes the rounds need. */
interface Shape {
  readonly n: number;
  readonly u: number;
  readonly v: number;
  readonly radixU: bigint;
  readonly radixV: bigint;
  /** radixU and radixV as numbers, when both are below FAST_LIMIT; otherwise 0. */
  readonly radixUNum: number;
  readonly radixVNum: number;
  readonly fast: boolean;
  /** Bytes of NUM(B) in Q. */
  readonly b: number;
  /** Bytes of S that make y. */
  readonly d: number;
  /** S as 16-byte blocks: R, then CIPH(R xor [j]) for j = 1 .. blocks - 1. */
  readonly s: Uint8Array;
}

/**
 * Constants of one (length, tweak) pair. P and the leading blocks of Q depend on neither the
 * round nor the data, so their CBC-MAC state is computed once: each round then costs one AES call
 * (plus the S extension when d > 16, which needs b > 12 bytes of half).
 */
interface TweakState {
  readonly n: number;
  readonly tweak: Uint8Array;
  /** CBC-MAC state after P and the constant full blocks of Q. */
  readonly prefix: Uint8Array;
  /** The rest of Q: constant tweak and padding bytes, then [i] at iOffset, then NUM(B) in b bytes. */
  readonly tail: Uint8Array;
  readonly iOffset: number;
}

const TWEAK_CACHE_SIZE = 8;
/** Strings per encryptBlocks call in encryptValues: 4 KiB of blocks. */
const BATCH = 256;
const SHAPE_CACHE_SIZE = 64;

/**
 * FF1 over a caller-supplied AES block cipher, for one radix. Strings are arrays of numerals
 * (each 0 .. radix - 1), the first the most significant.
 *
 * Not safe to share between concurrent callers mid-call (it reuses its buffers), which JavaScript's
 * single thread guarantees anyway.
 *
 * @example
 * const ff1 = new Ff1(aesBlockCipher(key), 10);
 * const out = ff1.encrypt([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], new Uint8Array()); // 10 numerals
 * ff1.decrypt(out, new Uint8Array()); // [0, 1, ..., 9]
 */
export class Ff1 {
  readonly radix: number;
  readonly minLength: number;
  readonly maxLength: number;
  private readonly cipher: BlockCipher;
  private readonly radixBig: bigint;
  private readonly shapes = new Map<number, Shape>();
  private readonly tweaks: TweakState[] = [];
  /** The running CBC-MAC value: R after the PRF. */
  private readonly r = new Uint8Array(16);
  private readonly block = new Uint8Array(16);
  /** Results of the number rounds, kept in fields so a call allocates nothing. */
  private outA = 0;
  private outB = 0;

  constructor(cipher: BlockCipher, radix: number, options: Ff1Options = {}) {
    if (typeof cipher?.encryptBlock !== 'function') throw new RangeError('FF1 needs a block cipher');
    if (!Number.isInteger(radix) || radix < 2 || radix > FF1_MAX_RADIX) {
      throw new RangeError(`FF1 radix must be an integer from 2 to ${FF1_MAX_RADIX}, not ${radix}`);
    }
    const minDomain = options.minDomain ?? FF1_MIN_DOMAIN;
    if (typeof minDomain !== 'bigint' || minDomain < 2n) throw new RangeError('FF1 minimum domain must be a bigint of at least 2');
    this.cipher = cipher;
    this.radix = radix;
    this.radixBig = BigInt(radix);
    let minLength = options.minLength;
    if (minLength === undefined) {
      minLength = 2;
      while (this.radixBig ** BigInt(minLength) < minDomain) minLength++;
    } else if (!Number.isInteger(minLength) || minLength < 2 || minLength > MAX_LENGTH) {
      throw new RangeError(`FF1 minimum length must be an integer of at least 2, not ${minLength}`);
    } else if (this.radixBig ** BigInt(minLength) < minDomain) {
      throw new RangeError(`FF1 domain ${radix}^${minLength} is below the minimum of ${minDomain} values`);
    }
    const maxLength = options.maxLength ?? MAX_LENGTH;
    if (!Number.isInteger(maxLength) || maxLength < minLength || maxLength > MAX_LENGTH) {
      throw new RangeError(`FF1 maximum length must be an integer from ${minLength} to ${MAX_LENGTH}, not ${maxLength}`);
    }
    this.minLength = minLength;
    this.maxLength = maxLength;
  }

  /** FF1.Encrypt: the numeral string `numerals` under `tweak`. */
  encrypt(numerals: readonly number[], tweak: Uint8Array): number[] {
    return this.run(numerals, tweak, false);
  }

  /** FF1.Decrypt: undoes `encrypt` under the same tweak. */
  decrypt(numerals: readonly number[], tweak: Uint8Array): number[] {
    return this.run(numerals, tweak, true);
  }

  /**
   * The same permutation on the value NUM_radix(X) of a string of `length` numerals, without
   * building the numeral arrays: encryptValue(NUM(X), n, T) = NUM(encrypt(X, T)).
   *
   * @example ff1.encryptValue(123n, 6, tweak) // a value in [0, radix^6)
   */
  encryptValue(value: bigint, length: number, tweak: Uint8Array): bigint {
    return this.runValue(value, length, tweak, false);
  }

  /** Undoes `encryptValue`. */
  decryptValue(value: bigint, length: number, tweak: Uint8Array): bigint {
    return this.runValue(value, length, tweak, true);
  }

  /**
   * encryptValue for many values at once. With a cipher offering `encryptBlocks`, the values go
   * through the rounds in lockstep, one cipher call per round for up to 256 values, which is
   * several times faster than one call per block; otherwise it is encryptValue in a loop.
   *
   * @example ff1.encryptValues([0n, 1n, 2n], 6, tweak) // three distinct values in [0, radix^6)
   */
  encryptValues(values: readonly bigint[], length: number, tweak: Uint8Array): bigint[] {
    const shape = this.shape(length);
    const state = this.tweakState(shape, tweak);
    const domain = shape.radixU * shape.radixV;
    for (const value of values) {
      if (typeof value !== 'bigint' || value < 0n || value >= domain) {
        throw new RangeError(`FF1 value must be a bigint in [0, ${this.radix}^${length})`);
      }
    }
    const encryptBlocks = this.cipher.encryptBlocks?.bind(this.cipher);
    if (!shape.fast || encryptBlocks === undefined || values.length < 2) {
      return values.map((value) => this.runValue(value, length, tweak, false));
    }
    const out = new Array<bigint>(values.length);
    const a = new Float64Array(BATCH);
    const b = new Float64Array(BATCH);
    const input = new Uint8Array(16 * BATCH);
    const input32 = new Uint32Array(input.buffer);
    const base = new Uint8Array(16);
    const base32 = new Uint32Array(base.buffer);
    const { tail, iOffset, prefix } = state;
    const { radixUNum, radixVNum, radixV, d } = shape;
    const numAt = iOffset + 1;
    const numEnd = numAt + shape.b;
    // Values and halves as plain numbers when the whole domain fits a double.
    const small = domain <= BigInt(Number.MAX_SAFE_INTEGER);
    // In the number path b <= 6, so Q's variable part fits its last block: the tail is one block
    // and d <= 12 needs no extension of S.
    for (let from = 0; from < values.length; from += BATCH) {
      const count = Math.min(BATCH, values.length - from);
      for (let j = 0; j < count; j++) {
        const value = values[from + j]!;
        if (small) {
          const x = Number(value);
          const high = Math.floor(x / radixVNum);
          a[j] = high;
          b[j] = x - high * radixVNum;
        } else {
          a[j] = Number(value / radixV);
          b[j] = Number(value % radixV);
        }
      }
      const blocks = input.subarray(0, 16 * count);
      for (let i = 0; i < ROUNDS; i++) {
        // The block is prefix xor (constant tail, [i], NUM(B)); only NUM(B) differs per value.
        tail[iOffset] = i;
        for (let k = 0; k < 16; k++) base[k] = prefix[k]! ^ (k >= numAt && k < numEnd ? 0 : tail[k]!);
        const m = (i & 1) === 0 ? radixUNum : radixVNum;
        for (let j = 0; j < count; j++) {
          const w = 4 * j;
          input32[w] = base32[0]!;
          input32[w + 1] = base32[1]!;
          input32[w + 2] = base32[2]!;
          input32[w + 3] = base32[3]!;
          const at = 16 * j;
          let x = b[j]!;
          for (let k = numEnd - 1; k >= numAt; k--) {
            const low = x % 256;
            blocks[at + k] = base[k]! ^ low;
            x = (x - low) / 256;
          }
        }
        const r = encryptBlocks(blocks);
        for (let j = 0; j < count; j++) {
          const at = 16 * j;
          const y = reduceBytes(r, at, d, m);
          const c = (a[j]! + y) % m;
          a[j] = b[j]!;
          b[j] = c;
        }
      }
      for (let j = 0; j < count; j++) {
        out[from + j] = small ? BigInt(a[j]! * radixVNum + b[j]!) : BigInt(a[j]!) * radixV + BigInt(b[j]!);
      }
    }
    return out;
  }

  private run(numerals: readonly number[], tweak: Uint8Array, inverse: boolean): number[] {
    const input: unknown = numerals;
    if (!Array.isArray(input)) throw new RangeError('FF1 input must be an array of numerals');
    const shape = this.shape(numerals.length);
    const state = this.tweakState(shape, tweak);
    const radix = this.radix;
    for (const x of numerals) {
      if (!Number.isInteger(x) || x < 0 || x >= radix) throw new RangeError(`FF1 numeral ${x} is not in 0 .. ${radix - 1}`);
    }
    const { u, n } = shape;
    const out = new Array<number>(n);
    if (shape.fast) {
      let a = 0;
      let b = 0;
      for (let k = 0; k < u; k++) a = a * radix + numerals[k]!;
      for (let k = u; k < n; k++) b = b * radix + numerals[k]!;
      this.roundsNumber(shape, state, a, b, inverse);
      writeNumerals(out, 0, u, this.outA, radix);
      writeNumerals(out, u, n - u, this.outB, radix);
    } else {
      let a = 0n;
      let b = 0n;
      const r = this.radixBig;
      for (let k = 0; k < u; k++) a = a * r + BigInt(numerals[k]!);
      for (let k = u; k < n; k++) b = b * r + BigInt(numerals[k]!);
      const [ra, rb] = this.roundsBig(shape, state, a, b, inverse);
      writeNumeralsBig(out, 0, u, ra, r);
      writeNumeralsBig(out, u, n - u, rb, r);
    }
    return out;
  }

  private runValue(value: bigint, length: number, tweak: Uint8Array, inverse: boolean): bigint {
    const shape = this.shape(length);
    const state = this.tweakState(shape, tweak);
    if (typeof value !== 'bigint' || value < 0n || value >= shape.radixU * shape.radixV) {
      throw new RangeError(`FF1 value must be a bigint in [0, ${this.radix}^${length})`);
    }
    const a = value / shape.radixV;
    const b = value % shape.radixV;
    if (shape.fast) {
      this.roundsNumber(shape, state, Number(a), Number(b), inverse);
      return BigInt(this.outA) * shape.radixV + BigInt(this.outB);
    }
    const [ra, rb] = this.roundsBig(shape, state, a, b, inverse);
    return ra * shape.radixV + rb;
  }

  /** The ten Feistel rounds on halves below 2^45; results in outA, outB. */
  private roundsNumber(shape: Shape, state: TweakState, a: number, b: number, inverse: boolean): void {
    const { tail, iOffset } = state;
    const { radixUNum, radixVNum, d, s } = shape;
    const numAt = iOffset + 1;
    const numEnd = numAt + shape.b;
    if (!inverse) {
      for (let i = 0; i < ROUNDS; i++) {
        tail[iOffset] = i;
        writeBytes(tail, numAt, numEnd, b);
        this.prf(shape, state);
        const m = (i & 1) === 0 ? radixUNum : radixVNum;
        const y = reduceBytes(s, 0, d, m);
        const c = (a + y) % m;
        a = b;
        b = c;
      }
    } else {
      for (let i = ROUNDS - 1; i >= 0; i--) {
        tail[iOffset] = i;
        writeBytes(tail, numAt, numEnd, a);
        this.prf(shape, state);
        const m = (i & 1) === 0 ? radixUNum : radixVNum;
        const y = reduceBytes(s, 0, d, m);
        const c = (b - y + m) % m;
        b = a;
        a = c;
      }
    }
    this.outA = a;
    this.outB = b;
  }

  /** The ten Feistel rounds with bigint halves, for long strings. */
  private roundsBig(shape: Shape, state: TweakState, a: bigint, b: bigint, inverse: boolean): [bigint, bigint] {
    const { tail, iOffset } = state;
    const { radixU, radixV, d, s } = shape;
    const numAt = iOffset + 1;
    const numEnd = numAt + shape.b;
    for (let round = 0; round < ROUNDS; round++) {
      const i = inverse ? ROUNDS - 1 - round : round;
      tail[iOffset] = i;
      writeBytesBig(tail, numAt, numEnd, inverse ? a : b);
      this.prf(shape, state);
      const m = (i & 1) === 0 ? radixU : radixV;
      let y = 0n;
      for (let k = 0; k < d; k++) y = (y << 8n) | BigInt(s[k]!);
      if (!inverse) {
        const c = (a + y) % m;
        a = b;
        b = c;
      } else {
        const c = (((b - y) % m) + m) % m;
        b = a;
        a = c;
      }
    }
    return [a, b];
  }

  /** Steps 6.ii-iii: R = PRF(P || Q), then S = R || CIPH(R xor [1]) || ..., into shape.s. */
  private prf(shape: Shape, state: TweakState): void {
    const { r, block, cipher } = this;
    const { tail } = state;
    r.set(state.prefix);
    for (let off = 0; off < tail.length; off += 16) {
      for (let k = 0; k < 16; k++) block[k] = r[k]! ^ tail[off + k]!;
      r.set(cipher.encryptBlock(block));
    }
    const s = shape.s;
    s.set(r);
    for (let j = 1, at = 16; at < s.length; j++, at += 16) {
      block.set(r);
      // [j]^16: j as a 16-byte big-endian number; it never needs more than the last four bytes.
      block[12] = block[12]! ^ (j >>> 24);
      block[13] = block[13]! ^ ((j >>> 16) & 0xff);
      block[14] = block[14]! ^ ((j >>> 8) & 0xff);
      block[15] = block[15]! ^ (j & 0xff);
      s.set(cipher.encryptBlock(block), at);
    }
  }

  private shape(n: number): Shape {
    const cached = this.shapes.get(n);
    if (cached !== undefined) return cached;
    if (!Number.isInteger(n) || n < this.minLength || n > this.maxLength) {
      throw new RangeError(`FF1 length must be from ${this.minLength} to ${this.maxLength} numerals, not ${n}`);
    }
    const u = Math.floor(n / 2);
    const v = n - u;
    const radixU = this.radixBig ** BigInt(u);
    const radixV = this.radixBig ** BigInt(v);
    // b = ceil(ceil(v * log2(radix)) / 8); ceil(v * log2(radix)) is the bit length of radix^v - 1,
    // computed exactly rather than through a rounded logarithm.
    const b = Math.ceil((radixV - 1n).toString(2).length / 8);
    const d = 4 * Math.ceil(b / 4) + 4;
    const fast = radixV <= BigInt(FAST_LIMIT);
    const shape: Shape = {
      n,
      u,
      v,
      radixU,
      radixV,
      radixUNum: fast ? Number(radixU) : 0,
      radixVNum: fast ? Number(radixV) : 0,
      fast,
      b,
      d,
      s: new Uint8Array(16 * Math.ceil(d / 16)),
    };
    if (this.shapes.size >= SHAPE_CACHE_SIZE) this.shapes.clear();
    this.shapes.set(n, shape);
    return shape;
  }

  private tweakState(shape: Shape, tweak: Uint8Array): TweakState {
    if (!(tweak instanceof Uint8Array)) throw new RangeError('FF1 tweak must be a Uint8Array');
    const { tweaks } = this;
    for (let k = 0; k < tweaks.length; k++) {
      const state = tweaks[k]!;
      if (state.n === shape.n && bytesEqual(state.tweak, tweak)) {
        if (k > 0) {
          tweaks.splice(k, 1);
          tweaks.unshift(state);
        }
        return state;
      }
    }
    const state = this.newTweakState(shape, tweak);
    tweaks.unshift(state);
    if (tweaks.length > TWEAK_CACHE_SIZE) tweaks.pop();
    return state;
  }

  private newTweakState(shape: Shape, tweak: Uint8Array): TweakState {
    const t = tweak.length;
    if (t > MAX_LENGTH) throw new RangeError('FF1 tweak is too long');
    const { n, u, b } = shape;
    const radix = this.radix;
    // Step 5: P = [1]^1 || [2]^1 || [1]^1 || [radix]^3 || [10]^1 || [u mod 256]^1 || [n]^4 || [t]^4.
    const p = new Uint8Array([
      1,
      2,
      1,
      (radix >>> 16) & 0xff,
      (radix >>> 8) & 0xff,
      radix & 0xff,
      10,
      u & 0xff,
      (n >>> 24) & 0xff,
      (n >>> 16) & 0xff,
      (n >>> 8) & 0xff,
      n & 0xff,
      (t >>> 24) & 0xff,
      (t >>> 16) & 0xff,
      (t >>> 8) & 0xff,
      t & 0xff,
    ]);
    // CBC-MAC with a zero IV: the first block's state is CIPH(P).
    const prefix = new Uint8Array(16);
    prefix.set(this.cipher.encryptBlock(p));
    // Step 6.i: Q = T || [0]^((-t-b-1) mod 16) || [i]^1 || [NUM(B)]^b. Everything before [i] is constant.
    const pad = (((-t - b - 1) % 16) + 16) % 16;
    const constant = t + pad;
    const prefixLength = Math.floor(constant / 16) * 16;
    const q = constant + 1 + b;
    const block = new Uint8Array(16);
    for (let off = 0; off < prefixLength; off += 16) {
      for (let k = 0; k < 16; k++) block[k] = prefix[k]! ^ (off + k < t ? tweak[off + k]! : 0);
      prefix.set(this.cipher.encryptBlock(block));
    }
    const tail = new Uint8Array(q - prefixLength);
    if (prefixLength < t) tail.set(tweak.subarray(prefixLength));
    return { n, tweak: tweak.slice(), prefix, tail, iOffset: constant - prefixLength };
  }
}

/**
 * NUM_2(bytes[from .. from + d)) mod m for m <= 2^45 and even d, with plain numbers: two bytes
 * per step while acc * 65536 stays exact (m <= 2^37), else one.
 */
function reduceBytes(bytes: Uint8Array, from: number, d: number, m: number): number {
  let y = 0;
  if (m <= 2 ** 37) {
    for (let k = from; k < from + d; k += 2) y = (y * 65536 + ((bytes[k]! << 8) | bytes[k + 1]!)) % m;
  } else {
    for (let k = from; k < from + d; k++) y = (y * 256 + bytes[k]!) % m;
  }
  return y;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/** [x]^(end - from): x big-endian into bytes from .. end - 1. */
function writeBytes(into: Uint8Array, from: number, end: number, x: number): void {
  for (let k = end - 1; k >= from; k--) {
    into[k] = x % 256;
    x = Math.floor(x / 256);
  }
}

function writeBytesBig(into: Uint8Array, from: number, end: number, x: bigint): void {
  for (let k = end - 1; k >= from; k--) {
    into[k] = Number(x & 0xffn);
    x >>= 8n;
  }
}

/** STR^count_radix(x) into out[from .. from + count). */
function writeNumerals(out: number[], from: number, count: number, x: number, radix: number): void {
  for (let k = from + count - 1; k >= from; k--) {
    out[k] = x % radix;
    x = Math.floor(x / radix);
  }
}

function writeNumeralsBig(out: number[], from: number, count: number, x: bigint, radix: bigint): void {
  for (let k = from + count - 1; k >= from; k--) {
    out[k] = Number(x % radix);
    x /= radix;
  }
}
