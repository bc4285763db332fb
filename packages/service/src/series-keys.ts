import { createCipheriv, createDecipheriv, hash, randomBytes } from 'node:crypto';
import { createSequencePermutation, SerialtraceError, type BlockCipher, type SequencePermutation } from '@serialtrace/core';

/**
 * Keys of randomised series. Each series has its own random AES-256 key that orders its serials;
 * the key is stored only encrypted (wrapped) under the server's master key, so a copy of the
 * database alone cannot predict or enumerate serials.
 */

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const WRAP_VERSION = 'v1';

/**
 * AES in ECB mode on single blocks, for FF1. One node:crypto cipher serves every block: `update`
 * is called per 16-byte block, or per run of blocks for `encryptBlocks` (autopadding off, so the
 * blocks come straight back) and `final` is never called. Each call returns a fresh buffer.
 *
 * @param key 16, 24 or 32 bytes (AES-128, -192, -256)
 * @example createSequencePermutation(aesBlockCipher(seriesKey), 10n ** 12n)
 */
export function aesBlockCipher(key: Uint8Array): BlockCipher {
  if (!(key instanceof Uint8Array) || ![16, 24, 32].includes(key.length)) {
    throw new RangeError('An AES key has 16, 24 or 32 bytes');
  }
  const cipher = createCipheriv(`aes-${key.length * 8}-ecb`, key, null);
  cipher.setAutoPadding(false);
  return {
    encryptBlock(block) {
      if (block.length !== 16) throw new RangeError('AES encrypts blocks of 16 bytes');
      return cipher.update(block);
    },
    encryptBlocks(blocks) {
      if (blocks.length % 16 !== 0) throw new RangeError('AES encrypts whole blocks of 16 bytes');
      return cipher.update(blocks);
    },
  };
}

/** A new series key: 32 random bytes (AES-256). */
export function newSeriesKey(): Uint8Array {
  return new Uint8Array(randomBytes(KEY_BYTES));
}

/**
 * The keyed order of a randomised series' sequence space: AES-256 under the series key, FF1 and
 * cycle-walking (see createSequencePermutation).
 *
 * @example seriesPermutation(key, 10n ** 12n).permute(0n, '2026-11-23')
 */
export function seriesPermutation(key: Uint8Array, space: bigint): SequencePermutation {
  if (key.length !== KEY_BYTES) throw new RangeError(`A series key has ${KEY_BYTES} bytes`);
  return createSequencePermutation(aesBlockCipher(key), space);
}

/**
 * The server master key (`SERIALTRACE_MASTER_KEY`): wraps and unwraps series keys with
 * AES-256-GCM. The key bytes stay in a private field; only `id` may be logged or stored.
 *
 * @example
 * const master = MasterKey.parse(process.env.SERIALTRACE_MASTER_KEY ?? '');
 * const wrapped = master.wrap(seriesKey, 'serialtrace series 42'); // store this
 * master.unwrap(wrapped, 'serialtrace series 42', 'Widgets'); // seriesKey again
 */
export class MasterKey {
  /** First 8 hex digits of SHA-256 of the key: names the key without revealing it. */
  readonly id: string;
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
    this.id = hash('sha256', key, 'hex').slice(0, 8);
  }

  /**
   * 32 bytes as 64 hex digits, or as base64 / base64url (43 characters, or 44 with padding).
   * Surrounding white space (a trailing newline in a key file) is ignored. The error never quotes
   * the text: it may be a mistyped secret.
   *
   * @example MasterKey.parse('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff')
   */
  static parse(text: string): MasterKey {
    const key = readSecretKey(text);
    if (typeof key === 'string') throw new SerialtraceError('MASTER_KEY_INVALID', { reason: key });
    return new MasterKey(key);
  }

  /**
   * The series key encrypted and authenticated under this master key, bound to `label` (e.g.
   * `serialtrace series 42`) so a wrapped key copied onto another series does not unwrap.
   * Format: `v1.<keyId>.<iv>.<ciphertext>.<tag>`, the last three base64url.
   */
  wrap(seriesKey: Uint8Array, label: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(label, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(seriesKey), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [WRAP_VERSION, this.id, iv.toString('base64url'), ciphertext.toString('base64url'), tag.toString('base64url')].join('.');
  }

  /**
   * The series key back. Refuses with MASTER_KEY_MISMATCH when the key was wrapped under another
   * master key, or when the text, the label or the tag does not authenticate: a key that cannot
   * be trusted is never used, since a wrong key would repeat serials.
   *
   * @param series the series name, for the error message
   */
  unwrap(wrapped: string, label: string, series: string): Uint8Array {
    const parts = typeof wrapped === 'string' ? wrapped.split('.') : [];
    const expected = parts[1] ?? '';
    const mismatch = () => new SerialtraceError('MASTER_KEY_MISMATCH', { series, expected, actual: this.id });
    if (parts.length !== 5 || parts[0] !== WRAP_VERSION || expected !== this.id) throw mismatch();
    const [iv, ciphertext, tag] = parts.slice(2).map((part) => Buffer.from(part, 'base64url'));
    if (iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || ciphertext === undefined) throw mismatch();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(label, 'utf8'));
      decipher.setAuthTag(tag);
      const key = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
      return new Uint8Array(key);
    } catch {
      throw mismatch();
    }
  }

  /** Never the key itself, should the object reach a log. */
  toString(): string {
    return `MasterKey(${this.id})`;
  }

  toJSON(): { id: string } {
    return { id: this.id };
  }
}

/**
 * A secret key of 32 bytes given as 64 hex digits, or as base64 / base64url (43 characters, or 44
 * with padding), surrounding white space ignored: the bytes, or why the text is not one. The
 * reason never quotes the text, which may be a mistyped secret. Master and audit keys are given
 * alike.
 */
export function readSecretKey(text: unknown): Buffer | string {
  if (typeof text !== 'string') return 'expected text';
  const trimmed = text.trim();
  if (trimmed === '') return 'it is empty';
  if (/^[0-9a-fA-F]+$/.test(trimmed) && trimmed.length === KEY_BYTES * 2) return Buffer.from(trimmed, 'hex');
  // base64url is base64 with - and _ for + and /.
  const base64 = trimmed.replace(/-/g, '+').replace(/_/g, '/');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(base64)) {
    const key = Buffer.from(base64, 'base64');
    // Canonical only: the unused low bits of the last character must be zero.
    if (key.length === KEY_BYTES && key.toString('base64') === base64.padEnd(44, '=')) return key;
  }
  if (/^[0-9a-fA-F]+$/.test(trimmed)) return `expected 64 hex digits (32 bytes), got ${trimmed.length}`;
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) return `expected 32 bytes as base64 (43 or 44 characters), got ${trimmed.length} characters`;
  return 'expected 32 bytes as 64 hex digits or as base64';
}
