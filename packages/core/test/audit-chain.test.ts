import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  auditContentOf,
  auditDigestInput,
  ChainWalk,
  auditHashInput,
  canonicalJson,
  findChainBreak,
  GENESIS_HASH,
  sealAuditEntry,
  sealJournalEntry,
  type AuditContent,
  type AuditEntry,
} from '@serialtrace/core';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

function content(seq: number, data: unknown = { serial: `SN-${String(seq).padStart(4, '0')}` }): AuditContent {
  return {
    seq,
    companyId: 1,
    at: `2025-06-15T10:00:${String(seq % 60).padStart(2, '0')}.000Z`,
    actor: 'operator-7',
    station: 'ST-1',
    line: 'L1',
    plant: null,
    reason: seq % 2 === 0 ? 'rework' : null,
    action: 'serial.generated',
    entityType: 'record',
    entityId: String(seq),
    data,
  };
}

function chain(length: number, previous: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH }): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let prevHash = previous.hash;
  for (let seq = previous.seq + 1; seq <= previous.seq + length; seq++) {
    const entry = sealAuditEntry(content(seq), prevHash, sha256);
    entries.push(entry);
    prevHash = entry.hash;
  }
  return entries;
}

describe('canonicalJson', () => {
  it('writes a date as the ISO text JSON.stringify would store, so a stored chain still verifies', () => {
    const at = new Date('2025-06-15T08:30:00.000Z');
    expect(canonicalJson({ at })).toBe('{"at":"2025-06-15T08:30:00.000Z"}');
    expect(canonicalJson(JSON.parse(JSON.stringify({ at })))).toBe(canonicalJson({ at }));
  });
});

describe('sealing', () => {
  it('seals a journal entry over a digest of its content, its position and the previous hash', () => {
    const first = sealJournalEntry(content(1), GENESIS_HASH, sha256);
    expect(first.digest).toBe(sha256(auditDigestInput(content(1))));
    expect(first.hash).toBe(sha256(`${GENESIS_HASH}\n1\n${first.digest}`));
    const second = sealJournalEntry(content(2), first.hash, sha256);
    const walk = new ChainWalk(sha256);
    expect([...walk.check(first), ...walk.check(second)]).toEqual([]);
    // The digest does not cover the position, the chain hash does: moving an entry breaks the link.
    expect(walk.check({ ...sealJournalEntry(content(4), second.hash, sha256), actor: 'intruder' })).toEqual([
      { seq: 4, reason: 'sequence_gap', expectedSeq: 3 },
      { seq: 4, reason: 'hash_mismatch', expectedHash: sha256(auditDigestInput({ ...content(4), actor: 'intruder' })) },
    ]);
  });

  it('hashes the previous hash, a newline and the canonical content', () => {
    const first = sealAuditEntry(content(1), GENESIS_HASH, sha256);
    expect(GENESIS_HASH).toBe('0'.repeat(64));
    expect(first.prevHash).toBe(GENESIS_HASH);
    expect(first.hash).toBe(sha256(`${GENESIS_HASH}\n${canonicalJson(content(1))}`));
    expect(auditHashInput(GENESIS_HASH, content(1))).toBe(`${GENESIS_HASH}\n${canonicalJson(content(1))}`);
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the hash input is exactly the previous hash, a newline and canonicalJson of the content, for any content (property)', () => {
    const text = fc.string({ unit: 'binary', maxLength: 12 });
    const content = fc.record({
      seq: fc.integer({ min: 1, max: 2 ** 40 }),
      companyId: fc.integer({ min: 1, max: 1_000_000 }),
      at: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      actor: text,
      station: fc.option(text, { nil: null }),
      line: fc.option(text, { nil: null }),
      plant: fc.option(text, { nil: null }),
      reason: fc.option(text, { nil: null }),
      action: text,
      entityType: text,
      entityId: text,
      data: fc.jsonValue({ maxDepth: 3 }),
    });
    fc.assert(
      fc.property(content, fc.stringMatching(/^[0-9a-f]{64}$/), (c: AuditContent, prev) => {
        expect(auditHashInput(prev, c)).toBe(`${prev}\n${canonicalJson(auditContentOf(c))}`);
      }),
      { numRuns: 300 },
    );
  });

  it('a sealed chain still verifies after the store writes it as JSON and reads it back (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(undefined)), { minLength: 1, maxLength: 6 }), (datas) => {
        let prevHash = GENESIS_HASH;
        const entries = datas.map((data, i) => {
          const entry = sealAuditEntry(content(i + 1, data), prevHash, sha256);
          prevHash = entry.hash;
          return entry;
        });
        const stored = JSON.parse(JSON.stringify(entries)) as AuditEntry[];
        expect(findChainBreak(stored, sha256)).toBeUndefined();
      }),
      { numRuns: 150 },
    );
  });

  it('the hashed content ignores anything else the entry carries', () => {
    const entry = { ...sealAuditEntry(content(1), GENESIS_HASH, sha256), id: 99, rowVersion: 3 };
    expect(auditContentOf(entry)).toEqual(content(1));
    expect(findChainBreak([entry], sha256)).toBeUndefined();
  });
});

describe('findChainBreak', () => {
  it('accepts an intact chain, and an empty one', () => {
    expect(findChainBreak(chain(10), sha256)).toBeUndefined();
    expect(findChainBreak([], sha256)).toBeUndefined();
  });

  it('detects an edited entry at its seq (hash_mismatch)', () => {
    const entries = chain(6);
    entries[3] = { ...entries[3]!, actor: 'intruder' };
    expect(findChainBreak(entries, sha256)).toEqual({ seq: 4, reason: 'hash_mismatch', expectedHash: sha256(auditHashInput(entries[2]!.hash, { ...content(4), actor: 'intruder' })) });
    const dataEdit = chain(6);
    dataEdit[1] = { ...dataEdit[1]!, data: { serial: 'SN-9999' } };
    expect(findChainBreak(dataEdit, sha256)).toMatchObject({ seq: 2, reason: 'hash_mismatch' });
  });

  it('detects an edited entry that was re-sealed: the next link breaks (link_mismatch)', () => {
    const entries = chain(6);
    entries[3] = sealAuditEntry({ ...content(4), actor: 'intruder' }, entries[2]!.hash, sha256);
    expect(findChainBreak(entries, sha256)).toEqual({ seq: 5, reason: 'link_mismatch', expectedPrevHash: entries[3].hash });
  });

  it('detects a removed entry (sequence_gap)', () => {
    const entries = chain(6);
    entries.splice(2, 1);
    expect(findChainBreak(entries, sha256)).toEqual({ seq: 4, reason: 'sequence_gap', expectedSeq: 3 });
    expect(findChainBreak(chain(3).slice(1), sha256)).toEqual({ seq: 2, reason: 'sequence_gap', expectedSeq: 1 });
  });

  it('detects a removed entry whose successors were renumbered and re-linked (link_mismatch)', () => {
    const entries = chain(6);
    entries.splice(2, 1);
    // The forger renumbers entry 4 as 3 and re-seals it on top of entry 3's old hash.
    const oldThirdHash = chain(6)[2]!.hash;
    entries[2] = sealAuditEntry(content(3, entries[2]!.data), oldThirdHash, sha256);
    expect(findChainBreak(entries, sha256)).toEqual({ seq: 3, reason: 'link_mismatch', expectedPrevHash: entries[1]!.hash });
  });

  it('detects a re-linked entry (link_mismatch)', () => {
    const entries = chain(5);
    entries[4] = { ...entries[4]!, prevHash: GENESIS_HASH };
    expect(findChainBreak(entries, sha256)).toEqual({ seq: 5, reason: 'link_mismatch', expectedPrevHash: entries[3]!.hash });
  });

  it('continues a verification from a previous head (pages)', () => {
    const entries = chain(10);
    const head = { seq: 4, hash: entries[3]!.hash };
    expect(findChainBreak(entries.slice(4), sha256, head)).toBeUndefined();
    expect(findChainBreak(entries.slice(4), sha256, { seq: 4, hash: entries[2]!.hash })).toMatchObject({ seq: 5, reason: 'link_mismatch' });
    expect(findChainBreak(entries.slice(5), sha256, head)).toEqual({ seq: 6, reason: 'sequence_gap', expectedSeq: 5 });
    // A chain continued from the head verifies as the same chain.
    expect(chain(6, head)).toEqual(entries.slice(4));
  });

  it('any single edit of any field anywhere is found at or right after that entry (property)', () => {
    const fields = ['seq', 'companyId', 'at', 'actor', 'station', 'line', 'plant', 'reason', 'action', 'entityType', 'entityId', 'data', 'prevHash', 'hash'] as const;
    const entries = chain(8);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 }), fc.constantFrom(...fields), fc.string({ minLength: 1, maxLength: 5 }), (index, field, junk) => {
        const original = entries[index]!;
        const value = original[field];
        const changed = typeof value === 'number' ? value + 1 : `${JSON.stringify(value)}${junk}`;
        const tampered = entries.map((e, i) => (i === index ? { ...e, [field]: changed } : e));
        const found = findChainBreak(tampered, sha256);
        expect(found).toBeDefined();
        expect(found!.seq === original.seq || (field === 'seq' && found!.seq === original.seq + 1)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no spaces', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('ignores undefined members, writes bigint as strings, null and undefined as null', () => {
    expect(canonicalJson({ a: undefined, b: 2n ** 70n, c: null })).toBe('{"b":"1180591620717411303424","c":null}');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson([1n, undefined, 'x'])).toBe('["1",null,"x"]');
    expect(canonicalJson('a"b')).toBe('"a\\"b"');
    expect(canonicalJson(true)).toBe('true');
  });

  it('gives the same text whatever order the fields were built in (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 8 }), (object) => {
        const reversed = Object.fromEntries(Object.entries(object).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(object));
      }),
      { numRuns: 200 },
    );
  });

  it('is valid JSON that parses back to the same value, and survives a JSON round trip (storage) unchanged (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const text = canonicalJson(value);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(text);
      }),
      { numRuns: 200 },
    );
  });
});
