import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Ff1 } from '@serialtrace/core';
import { aesBlockCipher, MasterKey, newSeriesKey, seriesPermutation } from '@serialtrace/service';

const HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const BYTES = Buffer.from(HEX, 'hex');

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('master key', () => {
  it('reads 64 hex digits, base64 and base64url as the same key', () => {
    const fromHex = MasterKey.parse(HEX);
    expect(fromHex.id).toMatch(/^[0-9a-f]{8}$/);
    expect(MasterKey.parse(HEX.toUpperCase()).id).toBe(fromHex.id);
    expect(MasterKey.parse(BYTES.toString('base64')).id).toBe(fromHex.id);
    expect(MasterKey.parse(BYTES.toString('base64').replace(/=$/, '')).id).toBe(fromHex.id);
    expect(MasterKey.parse(BYTES.toString('base64url')).id).toBe(fromHex.id);
    expect(MasterKey.parse(`  ${HEX}\n`).id).toBe(fromHex.id);
    // A key with + and / in base64 reads the same in base64url.
    const other = Buffer.alloc(32, 0xfb);
    expect(MasterKey.parse(other.toString('base64')).id).toBe(MasterKey.parse(other.toString('base64url')).id);
    expect(MasterKey.parse(other.toString('hex')).id).not.toBe(fromHex.id);
  });

  it.each([
    ['empty', ''],
    ['short hex', HEX.slice(0, 62)],
    ['long hex', `${HEX}00`],
    ['16-byte base64', Buffer.alloc(16, 1).toString('base64')],
    ['48-byte base64', Buffer.alloc(48, 1).toString('base64')],
    ['garbage', 'not a key at all!'],
    ['non-canonical base64 (stray low bits)', `${BYTES.toString('base64').slice(0, 42)}B=`],
    ['a pass phrase', 'correct horse battery staple correct horse'],
  ])('refuses %s with MASTER_KEY_INVALID, without quoting it', (_name, text) => {
    try {
      MasterKey.parse(text);
      expect.unreachable();
    } catch (error: any) {
      expect(error.code).toBe('MASTER_KEY_INVALID');
      if (text.length > 0) expect(error.message).not.toContain(text);
    }
  });

  it('never shows the key when logged', () => {
    const master = MasterKey.parse(HEX);
    expect(String(master)).toBe(`MasterKey(${master.id})`);
    expect(JSON.stringify(master)).toBe(`{"id":"${master.id}"}`);
    expect(Object.values(master).join()).not.toContain(HEX);
  });
});

describe('wrapped series keys', () => {
  const master = MasterKey.parse(HEX);
  const label = 'serialtrace series 42';

  it('round trip', () => {
    const key = newSeriesKey();
    expect(key).toHaveLength(32);
    const wrapped = master.wrap(key, label);
    expect(wrapped).toMatch(new RegExp(`^v1\\.${master.id}\\.[A-Za-z0-9_-]{16}\\.[A-Za-z0-9_-]{43}\\.[A-Za-z0-9_-]{22}$`));
    expect(master.unwrap(wrapped, label, 'Widgets')).toEqual(key);
    // A fresh IV each time: the same key never wraps to the same text.
    expect(master.wrap(key, label)).not.toBe(wrapped);
  });

  it('does not contain the key in any encoding', () => {
    const key = newSeriesKey();
    const wrapped = master.wrap(key, label);
    const raw = Buffer.from(key);
    for (const text of [raw.toString('hex'), raw.toString('base64'), raw.toString('base64url').slice(0, 40)]) {
      expect(wrapped).not.toContain(text);
    }
    expect(wrapped).not.toContain(HEX);
  });

  it('refuses another master key with MASTER_KEY_MISMATCH naming both keys', () => {
    const wrapped = master.wrap(newSeriesKey(), label);
    const other = MasterKey.parse(Buffer.alloc(32, 7).toString('hex'));
    try {
      other.unwrap(wrapped, label, 'Widgets');
      expect.unreachable();
    } catch (error: any) {
      expect(error.code).toBe('MASTER_KEY_MISMATCH');
      expect(error.details).toEqual({ series: 'Widgets', expected: master.id, actual: other.id });
    }
  });

  it('refuses a key id forged to match: authentication still fails', () => {
    const wrapped = master.wrap(newSeriesKey(), label);
    const other = MasterKey.parse(Buffer.alloc(32, 7).toString('hex'));
    const forged = wrapped.replace(`.${master.id}.`, `.${other.id}.`);
    expect(code(() => other.unwrap(forged, label, 'Widgets'))).toBe('MASTER_KEY_MISMATCH');
  });

  it('refuses tampered text and a different label with MASTER_KEY_MISMATCH', () => {
    const wrapped = master.wrap(newSeriesKey(), label);
    const parts = wrapped.split('.');
    const flip = (part: string) => {
      const bytes = Buffer.from(part, 'base64url');
      bytes[0]! ^= 1;
      return bytes.toString('base64url');
    };
    for (const at of [2, 3, 4]) {
      const tampered = parts.map((p, i) => (i === at ? flip(p) : p)).join('.');
      expect(code(() => master.unwrap(tampered, label, 'Widgets'))).toBe('MASTER_KEY_MISMATCH');
    }
    expect(code(() => master.unwrap(wrapped, 'serialtrace series 43', 'Widgets'))).toBe('MASTER_KEY_MISMATCH');
    for (const broken of ['', 'v1', wrapped.replace(/^v1/, 'v2'), `${wrapped}.x`, parts.slice(0, 4).join('.')]) {
      expect(code(() => master.unwrap(broken, label, 'Widgets'))).toBe('MASTER_KEY_MISMATCH');
    }
  });
});

describe('series order', () => {
  it('AES block cipher agrees with node:crypto and passes the NIST FF1 sample 7', () => {
    const key = Buffer.from('2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F7F036D6F04FC6A94', 'hex');
    const block = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const reference = createCipheriv('aes-256-ecb', key, null).setAutoPadding(false).update(block);
    const cipher = aesBlockCipher(key);
    expect(Buffer.from(cipher.encryptBlock(block))).toEqual(reference);
    expect(Buffer.from(cipher.encryptBlock(block))).toEqual(reference);
    const ff1 = new Ff1(cipher, 10);
    expect(ff1.encrypt([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], new Uint8Array()).join('')).toBe('6657667009');
    expect(() => aesBlockCipher(new Uint8Array(20))).toThrow(RangeError);
  });

  it('a series key orders its space; the same key gives the same order, another key another', () => {
    const key = newSeriesKey();
    const a = seriesPermutation(key, 10n ** 12n);
    const b = seriesPermutation(Uint8Array.from(key), 10n ** 12n);
    const c = seriesPermutation(newSeriesKey(), 10n ** 12n);
    const take = (p: typeof a) => Array.from({ length: 10 }, (_, i) => p.permute(BigInt(i), '2026-11-23'));
    expect(take(a)).toEqual(take(b));
    expect(take(a)).not.toEqual(take(c));
    expect(take(a).map((v) => a.invert(v, '2026-11-23'))).toEqual(Array.from({ length: 10 }, (_, i) => BigInt(i)));
    expect(a.permuteMany(Array.from({ length: 10 }, (_, i) => BigInt(i)), '2026-11-23')).toEqual(take(a));
    expect(() => seriesPermutation(new Uint8Array(16), 10n ** 12n)).toThrow(RangeError);
  });
});
