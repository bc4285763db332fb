import { createHash } from 'node:crypto';
import { canonicalJson } from '@serialtrace/core';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A stable fingerprint of a request, whatever order its fields came in. */
export function fingerprint(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
