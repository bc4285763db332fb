import { hash } from 'node:crypto';
import { canonicalJson } from '@serialtrace/core';

/** SHA-256 of UTF-8 text, hex; the one-shot `crypto.hash` is about twice as fast as createHash for short texts. */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/** A stable fingerprint of a request, whatever order its fields came in. */
export function fingerprint(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
