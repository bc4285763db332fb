import { createHash } from 'node:crypto';
import { eventPreHash, type EventHashOptions } from './pre-hash.js';

/**
 * The CBV 2.0 event hash ID of one EPCIS 2.0 event: the SHA-256 of its canonical pre-hash string
 * (see eventPreHash) as an RFC 6920 `ni` URI. Two captures of the same event, in any notation,
 * key order or time zone, get the same ID.
 *
 * @example
 * eventHashId(event, document['@context']) // 'ni:///sha-256;6ae96341e0acc6d7a261364751f60e68278a81cdf51da0abb6b4e617014e39d7?ver=CBV2.0'
 */
export function eventHashId(event: Readonly<Record<string, unknown>>, context?: unknown, options?: EventHashOptions): string {
  const digest = createHash('sha256').update(eventPreHash(event, context, options), 'utf8').digest('hex');
  return `ni:///sha-256;${digest}?ver=CBV2.0`;
}
