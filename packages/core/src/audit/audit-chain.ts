/**
 * The audit trail is a hash chain: each entry's hash covers the previous entry's hash and the
 * entry's own canonical content, so changing, inserting or removing an entry in the middle breaks
 * every later link. The hash function itself is supplied by the caller (the core has no crypto).
 */

/** The hash before the first entry of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** What an audit entry records: who, when, where, why and what. */
export interface AuditContent {
  /** Position in the company's chain, 1, 2, 3, ... without gaps. */
  readonly seq: number;
  readonly companyId: number;
  /** ISO-8601 instant in UTC. */
  readonly at: string;
  readonly actor: string;
  readonly station: string | null;
  readonly line: string | null;
  readonly plant: string | null;
  readonly reason: string | null;
  /** Dotted verb: `series.created`, `serial.generated`, `serial.skipped`, `record.status_changed`. */
  readonly action: string;
  readonly entityType: string;
  readonly entityId: string;
  readonly data: unknown;
}

export interface AuditEntry extends AuditContent {
  readonly prevHash: string;
  readonly hash: string;
  /**
   * SHA-256 of the entry's content without its position ({@link auditDigestInput}), taken when the
   * entry was written; the chain hash then covers the position and this digest
   * ({@link chainHashInput}). Absent on entries written before the journal, whose hash covers
   * their content directly ({@link auditHashInput}).
   */
  readonly digest?: string;
}

/** What an entry records before it has a place in its chain. */
export type AuditEventContent = Omit<AuditContent, 'seq'>;

/**
 * JSON with object keys sorted at every level and no spaces: the same content always yields the
 * same text, whichever order its fields were built in. bigint values and dates are written as
 * strings, as JSON.stringify would store them.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return JSON.stringify(value);
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'object':
      break;
    default:
      return 'null';
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(item)}`;
    first = false;
  }
  return `${out}}`;
}

const str = (value: string | null): string => (value === null ? 'null' : JSON.stringify(value));

/**
 * The exact text an entry's hash is taken over: the previous hash, a newline, and the content as
 * canonical JSON. Written out field by field in sorted key order (the same text
 * `canonicalJson(auditContentOf(content))` gives), because it runs once per appended entry.
 */
export function auditHashInput(prevHash: string, c: AuditContent): string {
  return (
    `${prevHash}\n{"action":${str(c.action)},"actor":${str(c.actor)},"at":${str(c.at)},"companyId":${canonicalJson(c.companyId)},` +
    `"data":${canonicalJson(c.data)},"entityId":${str(c.entityId)},"entityType":${str(c.entityType)},"line":${str(c.line)},` +
    `"plant":${str(c.plant)},"reason":${str(c.reason)},"seq":${canonicalJson(c.seq)},"station":${str(c.station)}}`
  );
}

/**
 * The text an entry's digest is taken over when it is written: its content as canonical JSON,
 * without the position it will take in its chain (written once, read back exactly by the sealer,
 * which only links digests).
 */
export function auditDigestInput(c: AuditEventContent): string {
  return (
    `{"action":${str(c.action)},"actor":${str(c.actor)},"at":${str(c.at)},"companyId":${canonicalJson(c.companyId)},` +
    `"data":${canonicalJson(c.data)},"entityId":${str(c.entityId)},"entityType":${str(c.entityType)},"line":${str(c.line)},` +
    `"plant":${str(c.plant)},"reason":${str(c.reason)},"station":${str(c.station)}}`
  );
}

/** The text a journal entry's chain hash is taken over: the previous hash, its position and its digest. */
export function chainHashInput(prevHash: string, seq: number, digest: string): string {
  return `${prevHash}\n${seq}\n${digest}`;
}

/** The hash an entry must have after `prevHash`, whichever way it was chained. */
export function expectedEntryHash(entry: AuditEntry, prevHash: string, hash: HashFunction): string {
  return typeof entry.digest === 'string' ? hash(chainHashInput(prevHash, entry.seq, entry.digest)) : hash(auditHashInput(prevHash, entry));
}

/** The hashed fields of an entry, whatever else the object carries. */
export function auditContentOf(entry: AuditContent): AuditContent {
  const { seq, companyId, at, actor, station, line, plant, reason, action, entityType, entityId, data } = entry;
  return { seq, companyId, at, actor, station, line, plant, reason, action, entityType, entityId, data };
}

export type HashFunction = (text: string) => string;

export function sealAuditEntry(c: AuditContent, prevHash: string, hash: HashFunction): AuditEntry {
  return {
    seq: c.seq,
    companyId: c.companyId,
    at: c.at,
    actor: c.actor,
    station: c.station,
    line: c.line,
    plant: c.plant,
    reason: c.reason,
    action: c.action,
    entityType: c.entityType,
    entityId: c.entityId,
    data: c.data,
    prevHash,
    hash: hash(auditHashInput(prevHash, c)),
  };
}

/**
 * An entry as the journal seals it: a digest over its content, and a chain hash over the previous
 * hash, its position and that digest.
 */
export function sealJournalEntry(c: AuditContent, prevHash: string, hash: HashFunction): AuditEntry {
  const digest = hash(auditDigestInput(c));
  return { ...sealAuditEntry(c, prevHash, hash), digest, hash: hash(chainHashInput(prevHash, c.seq, digest)) };
}

export type ChainBreak =
  | { readonly seq: number; readonly reason: 'sequence_gap'; readonly expectedSeq: number }
  | { readonly seq: number; readonly reason: 'link_mismatch'; readonly expectedPrevHash: string }
  | { readonly seq: number; readonly reason: 'hash_mismatch'; readonly expectedHash: string };

/** A journal entry's digest does not match its content: the entry was changed after it was written. */
function digestBreak(entry: AuditEntry, hash: HashFunction): ChainBreak | undefined {
  if (typeof entry.digest !== 'string') return undefined;
  const expected = hash(auditDigestInput(entry));
  return expected === entry.digest ? undefined : { seq: entry.seq, reason: 'hash_mismatch', expectedHash: expected };
}

/**
 * Walks a chain entry by entry, in chain order, and names every broken link, not only the first:
 * after a break it carries on from the entry as stored, so an edited entry is reported alone and
 * real tampering further on is not hidden behind it. Feed it page by page (`check` each entry);
 * `intact` is the last entry of the unbroken start of the chain.
 *
 * @example
 * const walk = new ChainWalk(sha256Hex);
 * for (const entry of entries) breaks.push(...walk.check(entry));
 */
export class ChainWalk {
  readonly #hash: HashFunction;
  #expectedSeq: number;
  #prevHash: string;
  #broken = false;
  #intact: { seq: number; hash: string } | null;
  #last: { seq: number; hash: string } | null;

  constructor(hash: HashFunction, previous: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH }) {
    this.#hash = hash;
    this.#expectedSeq = previous.seq + 1;
    this.#prevHash = previous.hash;
    this.#intact = previous.seq === 0 ? null : previous;
    this.#last = this.#intact;
  }

  /** The broken links of one more entry (none when it holds). */
  check(entry: AuditEntry): ChainBreak[] {
    const breaks: ChainBreak[] = [];
    if (entry.seq !== this.#expectedSeq) breaks.push({ seq: entry.seq, reason: 'sequence_gap', expectedSeq: this.#expectedSeq });
    else if (entry.prevHash !== this.#prevHash) breaks.push({ seq: entry.seq, reason: 'link_mismatch', expectedPrevHash: this.#prevHash });
    const changed = digestBreak(entry, this.#hash);
    const expectedHash = expectedEntryHash(entry, entry.prevHash, this.#hash);
    if (changed !== undefined) breaks.push(changed);
    else if (entry.hash !== expectedHash) breaks.push({ seq: entry.seq, reason: 'hash_mismatch', expectedHash });
    if (breaks.length > 0) this.#broken = true;
    this.#last = { seq: entry.seq, hash: entry.hash };
    if (!this.#broken) this.#intact = this.#last;
    this.#prevHash = entry.hash;
    this.#expectedSeq = entry.seq + 1;
    return breaks;
  }

  /** The last entry of the chain's unbroken start: quote its hash to prove later that nothing up to it changed. */
  get intact(): { seq: number; hash: string } | null {
    return this.#intact;
  }

  /** The last entry checked, broken or not. */
  get last(): { seq: number; hash: string } | null {
    return this.#last;
  }
}

/**
 * Walks entries in chain order and returns the first broken link, or `undefined` when every link
 * holds. `previous` continues a verification that was done in pages.
 */
export function findChainBreak(
  entries: Iterable<AuditEntry>,
  hash: HashFunction,
  previous: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH },
): ChainBreak | undefined {
  const walk = new ChainWalk(hash, previous);
  for (const entry of entries) {
    const [first] = walk.check(entry);
    if (first !== undefined) return first;
  }
  return undefined;
}
