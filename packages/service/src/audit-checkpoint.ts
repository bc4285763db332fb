import { createHmac, createPrivateKey, createPublicKey, hash, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { canonicalJson, SerialtraceError } from '@serialtrace/core';
import { readSecretKey } from './series-keys.js';

/**
 * Signed checkpoints of the audit chain. Anyone with write access to the database can rewrite
 * the chain from an edited entry onward, hashes and kept head included; a checkpoint signed with
 * a key kept outside the database (`SERIALTRACE_AUDIT_KEY`) fixes one position and its hash, so
 * a later verification held against it finds the rewrite or a truncation below it.
 */

export const CHECKPOINT_FORMAT = 'serialtrace-audit-checkpoint';
export const CHECKPOINT_VERSION = 1;

/**
 * What a checkpoint file holds: which company, the chain position and its hash, how many entries
 * verified, when, and the signature over all of it (canonical JSON of every other member).
 *
 * @example { "format": "serialtrace-audit-checkpoint", "version": 1, "companyId": 1, "seq": 1234, "hash": "9f2c…", "entries": 1234, "at": "2026-12-07T12:00:00.000Z", "algorithm": "ed25519", "keyId": "a1b2c3d4e5f60718", "signature": "…" }
 */
export interface AuditCheckpoint {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: typeof CHECKPOINT_VERSION;
  readonly companyId: number;
  readonly seq: number;
  readonly hash: string;
  readonly entries: number;
  readonly at: string;
  readonly algorithm: 'ed25519' | 'hmac-sha256';
  readonly keyId: string;
  readonly signature: string;
}

type Signer =
  | { readonly algorithm: 'hmac-sha256'; readonly secret: Buffer }
  | { readonly algorithm: 'ed25519'; readonly publicKey: KeyObject; readonly privateKey: KeyObject | undefined };

/**
 * The operator's audit key: 32 bytes (hex or base64, as the master key) for HMAC-SHA256, or an
 * Ed25519 key in PEM. With Ed25519 a public key alone can check checkpoints, so auditors need not
 * hold the signing key. The key bytes stay private; only `id` may be shown.
 */
export class AuditKey {
  readonly algorithm: 'ed25519' | 'hmac-sha256';
  /** First 16 hex digits of SHA-256 of the HMAC key or of the Ed25519 public key. */
  readonly id: string;
  readonly #signer: Signer;

  private constructor(signer: Signer) {
    this.#signer = signer;
    this.algorithm = signer.algorithm;
    const material = signer.algorithm === 'hmac-sha256' ? signer.secret : signer.publicKey.export({ format: 'der', type: 'spki' });
    this.id = hash('sha256', material, 'hex').slice(0, 16);
  }

  /** Reads SERIALTRACE_AUDIT_KEY; AUDIT_KEY_INVALID (never quoting it) when it is no key. */
  static parse(text: string): AuditKey {
    const trimmed = text.trim();
    if (trimmed.startsWith('-----BEGIN')) {
      try {
        if (/PUBLIC KEY/.test(trimmed)) return AuditKey.#ed25519(createPublicKey(trimmed), undefined);
        const privateKey = createPrivateKey(trimmed);
        return AuditKey.#ed25519(createPublicKey(privateKey), privateKey);
      } catch (error) {
        if (error instanceof SerialtraceError) throw error;
        throw new SerialtraceError('AUDIT_KEY_INVALID', { reason: 'the PEM text is not a key' });
      }
    }
    const secret = readSecretKey(trimmed);
    if (typeof secret === 'string') throw new SerialtraceError('AUDIT_KEY_INVALID', { reason: `${secret}, or an Ed25519 key in PEM` });
    return new AuditKey({ algorithm: 'hmac-sha256', secret });
  }

  static #ed25519(publicKey: KeyObject, privateKey: KeyObject | undefined): AuditKey {
    if (publicKey.asymmetricKeyType !== 'ed25519') {
      throw new SerialtraceError('AUDIT_KEY_INVALID', { reason: `a ${publicKey.asymmetricKeyType ?? 'non-Ed25519'} key; audit checkpoints are signed with Ed25519 (or HMAC)` });
    }
    return new AuditKey({ algorithm: 'ed25519', publicKey, privateKey });
  }

  /** Whether this key can sign (an HMAC key, or an Ed25519 private key), not only check. */
  get canSign(): boolean {
    return this.#signer.algorithm === 'hmac-sha256' || this.#signer.privateKey !== undefined;
  }

  /** A checkpoint of `position`, signed. */
  checkpoint(position: { readonly companyId: number; readonly seq: number; readonly hash: string; readonly entries: number; readonly at: string }): AuditCheckpoint {
    if (!this.canSign) throw new SerialtraceError('AUDIT_KEY_INVALID', { reason: 'an Ed25519 public key checks checkpoints; signing one needs the private key' });
    const body = {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      companyId: position.companyId,
      seq: position.seq,
      hash: position.hash,
      entries: position.entries,
      at: position.at,
      algorithm: this.algorithm,
      keyId: this.id,
    } as const;
    return { ...body, signature: this.#sign(canonicalJson(body)).toString('base64') };
  }

  /**
   * A checkpoint file's content, read and its signature checked with this key. Anything that does
   * not hold (not JSON, not a checkpoint, another key, a changed member) is AUDIT_CHECKPOINT_INVALID.
   */
  read(text: string): AuditCheckpoint {
    const refuse = (reason: string) => new SerialtraceError('AUDIT_CHECKPOINT_INVALID', { reason });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw refuse('it is not JSON');
    }
    const c = parsed as Partial<AuditCheckpoint> | null;
    if (c === null || typeof c !== 'object' || c.format !== CHECKPOINT_FORMAT) throw refuse('it is not a serialtrace audit checkpoint');
    if (c.version !== CHECKPOINT_VERSION) throw refuse(`version ${String(c.version)} is not one this release reads`);
    const wellFormed =
      Number.isSafeInteger(c.companyId) &&
      Number.isSafeInteger(c.seq) &&
      (c.seq ?? 0) >= 1 &&
      Number.isSafeInteger(c.entries) &&
      typeof c.hash === 'string' &&
      /^[0-9a-f]{64}$/.test(c.hash) &&
      typeof c.at === 'string' &&
      typeof c.signature === 'string' &&
      typeof c.keyId === 'string';
    if (!wellFormed) throw refuse('a member is missing or malformed');
    if (c.algorithm !== this.algorithm || c.keyId !== this.id) throw refuse(`it was signed with ${String(c.algorithm)} key ${String(c.keyId)}, not with this key (${this.algorithm} ${this.id})`);
    const { signature, ...body } = c as AuditCheckpoint;
    if (!this.#verify(canonicalJson(body), Buffer.from(signature, 'base64'))) throw refuse('its signature does not match its content');
    return c as AuditCheckpoint;
  }

  #sign(payload: string): Buffer {
    const signer = this.#signer;
    if (signer.algorithm === 'hmac-sha256') return createHmac('sha256', signer.secret).update(payload).digest();
    return sign(null, Buffer.from(payload), signer.privateKey!);
  }

  #verify(payload: string, signature: Buffer): boolean {
    const signer = this.#signer;
    if (signer.algorithm === 'hmac-sha256') {
      const expected = createHmac('sha256', signer.secret).update(payload).digest();
      return expected.length === signature.length && timingSafeEqual(expected, signature);
    }
    return verify(null, Buffer.from(payload), signer.publicKey, signature);
  }

  toString(): string {
    return `AuditKey(${this.algorithm} ${this.id})`;
  }

  toJSON(): { algorithm: string; id: string } {
    return { algorithm: this.algorithm, id: this.id };
  }
}
