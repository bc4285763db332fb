import { parseChoice } from '../errors/serialtrace-error.js';

/**
 * The alphabets a sequence can be written in. `alpha` has no digits: `A` is zero, so
 * `AAAB` is one and padding uses `A`.
 */
export const BASE_NAMES = ['numeric', 'alphanumeric', 'hex', 'alpha'] as const;
export type BaseName = (typeof BASE_NAMES)[number];

export interface Base {
  readonly name: BaseName;
  readonly radix: number;
  readonly digits: string;
}

export const BASES: Readonly<Record<BaseName, Base>> = {
  numeric: { name: 'numeric', radix: 10, digits: '0123456789' },
  alphanumeric: { name: 'alphanumeric', radix: 36, digits: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ' },
  hex: { name: 'hex', radix: 16, digits: '0123456789ABCDEF' },
  alpha: { name: 'alpha', radix: 26, digits: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' },
};

export function isBaseName(value: string): value is BaseName {
  return (BASE_NAMES as readonly string[]).includes(value);
}

export function parseBaseName(value: unknown, field = 'base'): BaseName {
  return parseChoice(value, BASE_NAMES, field, 'base');
}

const CHAR_0 = 48;
const CHAR_A_LOWER = 97;
const CHAR_A = 65;

/**
 * Writes `value` in `base`, left-padded with the base's zero digit to `width`.
 * A value wider than `width` is written in full; capacity checks happen before rendering.
 *
 * @example encodeSequence(42n, BASES.hex, 4) === '002A'
 */
export function encodeSequence(value: bigint, base: Base, width: number): string {
  if (value < 0n) throw new RangeError(`sequence values are never negative: ${value}`);
  let text: string;
  if (base.name === 'alpha') {
    // toString(26) uses 0-9a-p; shift every digit onto A-Z.
    const raw = value.toString(26);
    let out = '';
    for (let i = 0; i < raw.length; i++) {
      const c = raw.charCodeAt(i);
      out += String.fromCharCode(c < CHAR_A_LOWER ? CHAR_A + (c - CHAR_0) : CHAR_A + 10 + (c - CHAR_A_LOWER));
    }
    text = out;
  } else {
    text = value.toString(base.radix).toUpperCase();
  }
  return text.length >= width ? text : base.digits[0]!.repeat(width - text.length) + text;
}

/**
 * Reads a sequence written in `base` back to its value; `undefined` when a character is not a
 * digit of the base. Case matters: only upper-case letters are digits.
 *
 * @example decodeSequence('AAAB', BASES.alpha) === 1n
 */
export function decodeSequence(text: string, base: Base): bigint | undefined {
  if (text.length === 0) return undefined;
  const radix = BigInt(base.radix);
  let value = 0n;
  for (const ch of text) {
    const digit = base.digits.indexOf(ch);
    if (digit < 0) return undefined;
    value = value * radix + BigInt(digit);
  }
  return value;
}

/** The largest value that fits in `width` digits of `base`: radix^width - 1. */
export function maxValueForWidth(base: Base, width: number): bigint {
  return BigInt(base.radix) ** BigInt(width) - 1n;
}
