import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ff1, type BlockCipher } from '@serialtrace/core';

function aes(keyHex: string): BlockCipher {
  const key = Buffer.from(keyHex, 'hex');
  const cipher = createCipheriv(`aes-${key.length * 8}-ecb`, key, null);
  cipher.setAutoPadding(false);
  return { encryptBlock: (block) => cipher.update(block) };
}

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const numerals = (text: string): number[] => [...text].map((c) => ALPHABET.indexOf(c));
const text = (values: readonly number[]): string => values.map((v) => ALPHABET[v]).join('');
const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));

const KEY128 = '2B7E151628AED2A6ABF7158809CF4F3C';
const KEY192 = `${KEY128}EF4359D8D580AA4F`;
const KEY256 = `${KEY192}7F036D6F04FC6A94`;
const TWEAK10 = '39383736353433323130';
const TWEAK36 = '3737373770717273373737';

// The published FF1 samples of NIST SP 800-38G (FF1samples.pdf).
const SAMPLES: [sample: number, key: string, radix: number, tweak: string, plaintext: string, ciphertext: string][] = [
  [1, KEY128, 10, '', '0123456789', '2433477484'],
  [2, KEY128, 10, TWEAK10, '0123456789', '6124200773'],
  [3, KEY128, 36, TWEAK36, '0123456789abcdefghi', 'a9tv40mll9kdu509eum'],
  [4, KEY192, 10, '', '0123456789', '2830668132'],
  [5, KEY192, 10, TWEAK10, '0123456789', '2496655549'],
  [6, KEY192, 36, TWEAK36, '0123456789abcdefghi', 'xbj3kv35jrawxv32ysr'],
  [7, KEY256, 10, '', '0123456789', '6657667009'],
  [8, KEY256, 10, TWEAK10, '0123456789', '1001623463'],
  [9, KEY256, 36, TWEAK36, '0123456789abcdefghi', 'xs8a0azh2avyalyzuwd'],
];

describe('FF1 (NIST SP 800-38G samples)', () => {
  it.each(SAMPLES)('sample %i encrypts and decrypts', (_sample, key, radix, tweak, plaintext, ciphertext) => {
    const ff1 = new Ff1(aes(key), radix);
    expect(text(ff1.encrypt(numerals(plaintext), hex(tweak)))).toBe(ciphertext);
    expect(text(ff1.decrypt(numerals(ciphertext), hex(tweak)))).toBe(plaintext);
  });

  it.each(SAMPLES)('sample %i agrees as values (encryptValue / decryptValue)', (_sample, key, radix, tweak, plaintext, ciphertext) => {
    const ff1 = new Ff1(aes(key), radix);
    const value = (s: string) => numerals(s).reduce((acc, x) => acc * BigInt(radix) + BigInt(x), 0n);
    expect(ff1.encryptValue(value(plaintext), plaintext.length, hex(tweak))).toBe(value(ciphertext));
    expect(ff1.decryptValue(value(ciphertext), plaintext.length, hex(tweak))).toBe(value(plaintext));
  });

  it('keeps a tweak of its own: changing the caller array afterwards changes nothing', () => {
    const ff1 = new Ff1(aes(KEY128), 10);
    const tweak = hex(TWEAK10);
    expect(text(ff1.encrypt(numerals('0123456789'), tweak))).toBe('6124200773');
    tweak.fill(0);
    expect(text(ff1.encrypt(numerals('0123456789'), tweak))).not.toBe('6124200773');
    expect(text(ff1.encrypt(numerals('0123456789'), hex(TWEAK10)))).toBe('6124200773');
  });
});

describe('FF1 round trips', () => {
  const cipher = aes(KEY256);

  it('decrypt(encrypt(x)) = x for random radix, length and tweak, and output stays in the alphabet', () => {
    const input = fc
      .record({ radix: fc.integer({ min: 2, max: 65_536 }), extra: fc.integer({ min: 0, max: 40 }), seed: fc.integer(), tweak: fc.uint8Array({ maxLength: 40 }) })
      .chain(({ radix, extra, seed, tweak }) => {
        let minLength = 2;
        while (BigInt(radix) ** BigInt(minLength) < 1_000_000n) minLength++;
        const length = minLength + extra;
        return fc.record({
          radix: fc.constant(radix),
          tweak: fc.constant(tweak),
          seed: fc.constant(seed),
          x: fc.array(fc.integer({ min: 0, max: radix - 1 }), { minLength: length, maxLength: length }),
        });
      });
    fc.assert(
      fc.property(input, ({ radix, tweak, x }) => {
        const ff1 = new Ff1(cipher, radix);
        const y = ff1.encrypt(x, tweak);
        expect(y).toHaveLength(x.length);
        expect(y.every((v) => Number.isInteger(v) && v >= 0 && v < radix)).toBe(true);
        expect(ff1.decrypt(y, tweak)).toEqual(x);
      }),
      { numRuns: 200 },
    );
  });

  it('round trips long strings on the bigint path (halves above 2^45)', () => {
    const ff1 = new Ff1(cipher, 36);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 35 }), { minLength: 20, maxLength: 120 }), fc.uint8Array({ maxLength: 70 }), (x, tweak) => {
        expect(ff1.decrypt(ff1.encrypt(x, tweak), tweak)).toEqual(x);
      }),
      { numRuns: 50 },
    );
  });

  it('the number path and the bigint path agree with the numeral path at the 2^45 boundary', () => {
    const ff1 = new Ff1(cipher, 2, { minLength: 88, maxLength: 96 });
    for (const n of [88, 89, 90, 91, 92]) {
      const x = Array.from({ length: n }, (_, k) => (k * 7 + n) % 3 === 0 ? 1 : 0);
      const value = x.reduce((acc, b) => acc * 2n + BigInt(b), 0n);
      const y = ff1.encrypt(x, new Uint8Array([n]));
      expect(ff1.encryptValue(value, n, new Uint8Array([n]))).toBe(y.reduce((acc, b) => acc * 2n + BigInt(b), 0n));
      expect(ff1.decrypt(y, new Uint8Array([n]))).toEqual(x);
    }
  });

  it('encryptValues in lockstep (chunks of 256) agrees with encryptValue', () => {
    const node = createCipheriv('aes-256-ecb', Buffer.from(KEY256, 'hex'), null).setAutoPadding(false);
    const batched: BlockCipher = { encryptBlock: (b) => node.update(b), encryptBlocks: (b) => node.update(b) };
    for (const [radix, length] of [[10, 12], [10_000, 3], [2, 40], [2, 90], [36, 14]] as const) {
      const ff1 = new Ff1(batched, radix);
      const domain = BigInt(radix) ** BigInt(length);
      const values = Array.from({ length: 600 }, (_, i) => (BigInt(i) * 1_000_003n * domain) / 600_000_000n % domain);
      const tweak = new Uint8Array([radix & 0xff, length]);
      expect(ff1.encryptValues(values, length, tweak)).toEqual(values.map((v) => ff1.encryptValue(v, length, tweak)));
    }
  });

  it('is a permutation of a small test domain', () => {
    const ff1 = new Ff1(cipher, 10, { minDomain: 100n });
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const x = [Math.floor(i / 100), Math.floor(i / 10) % 10, i % 10];
      seen.add(text(ff1.encrypt(x, new Uint8Array())));
    }
    expect(seen.size).toBe(1000);
  });
});

describe('FF1 refuses programmer errors', () => {
  const cipher = aes(KEY128);

  it.each([1, 65_537, 2.5, Number.NaN])('radix %s', (radix) => {
    expect(() => new Ff1(cipher, radix)).toThrow(RangeError);
  });

  it('domains below 1,000,000 unless lowered on purpose', () => {
    expect(() => new Ff1(cipher, 10, { minLength: 5 })).toThrow(RangeError);
    expect(new Ff1(cipher, 10).minLength).toBe(6);
    expect(new Ff1(cipher, 2).minLength).toBe(20);
    expect(new Ff1(cipher, 10, { minLength: 2, minDomain: 100n }).minLength).toBe(2);
    expect(() => new Ff1(cipher, 10, { minLength: 1, minDomain: 2n })).toThrow(RangeError);
    expect(() => new Ff1(cipher, 10, { maxLength: 4 })).toThrow(RangeError);
  });

  it('lengths and numerals out of range', () => {
    const ff1 = new Ff1(cipher, 10, { maxLength: 12 });
    expect(() => ff1.encrypt([1, 2, 3, 4, 5], new Uint8Array())).toThrow(RangeError);
    expect(() => ff1.encrypt(new Array<number>(13).fill(0), new Uint8Array())).toThrow(RangeError);
    expect(() => ff1.encrypt([0, 1, 2, 3, 4, 10], new Uint8Array())).toThrow(RangeError);
    expect(() => ff1.encrypt([0, 1, 2, 3, 4, -1], new Uint8Array())).toThrow(RangeError);
    expect(() => ff1.encrypt([0, 1, 2, 3, 4, 1.5], new Uint8Array())).toThrow(RangeError);
    expect(() => ff1.encryptValue(10n ** 6n, 6, new Uint8Array())).toThrow(RangeError);
    expect(() => ff1.encryptValue(-1n, 6, new Uint8Array())).toThrow(RangeError);
  });
});
