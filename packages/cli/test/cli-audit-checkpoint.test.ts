import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sealJournalEntry, type AuditEntry } from '@serialtrace/core';
import { sha256Hex } from '@serialtrace/service';
import { describe, expect, it } from 'vitest';
import { runCapture, useLocalDatabase, useParity } from './cli-harness.js';

/**
 * `audit checkpoint --out FILE` signs the verified head with a key kept outside the database;
 * `audit --verify --checkpoint FILE` holds the chain against it, so a chain recomputed after an
 * edit, or cut below the checkpoint, is found even though it verifies on its own.
 */

const HMAC_KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const ED25519_PRIVATE = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const ED25519_PUBLIC = publicKey.export({ format: 'pem', type: 'spki' }).toString();

const { cli, dir, db } = useLocalDatabase('serialtrace-cli-checkpoint-');

async function someHistory(): Promise<void> {
  expect((await cli(['series', 'create', 'Widgets', '--format', 'W-{####}'])).code).toBe(0);
  for (let i = 0; i < 5; i++) expect((await cli(['generate', 'Widgets', '--quantity', '2'])).code).toBe(0);
}

describe.each([
  ['HMAC-SHA256', HMAC_KEY, HMAC_KEY, 'hmac-sha256'],
  ['Ed25519', ED25519_PRIVATE, ED25519_PUBLIC, 'ed25519'],
])('audit checkpoints signed with %s', (_name, signingKey, checkingKey, algorithm) => {
  it('signs the verified head, and a chain recomputed after an edit fails against it', async () => {
    await someHistory();
    const file = join(dir(), 'checkpoint.json');
    const signed = await cli(['audit', 'checkpoint', '--out', file, '--json'], { env: { SERIALTRACE_AUDIT_KEY: signingKey } });
    expect(signed.code, signed.stdout + signed.stderr).toBe(0);
    const checkpoint = JSON.parse(readFileSync(file, 'utf8'));
    expect(checkpoint).toMatchObject({ format: 'serialtrace-audit-checkpoint', version: 1, companyId: 1, seq: 6, entries: 6, algorithm, at: '2025-06-15T10:00:00.000Z' });
    expect(signed.json()).toEqual(checkpoint);

    const held = await cli(['audit', '--verify', '--checkpoint', file], { env: { SERIALTRACE_AUDIT_KEY: checkingKey } });
    expect(held.code, held.stdout + held.stderr).toBe(0);
    expect(held.stdout).toContain('The signed checkpoint at entry #6 holds.');

    // Rewrite entry 3 and every hash after it, and the kept head: the chain verifies on its own.
    const exported = JSON.parse((await cli(['audit', '--export', 'json'])).stdout) as AuditEntry[];
    const rewrite = new Database(db());
    let prev = exported[1]!.hash;
    for (const entry of exported.slice(2)) {
      const forged = sealJournalEntry({ ...entry, reason: entry.seq === 3 ? 'backdated' : entry.reason }, prev, sha256Hex);
      rewrite.prepare('UPDATE journal SET reason = ?, digest = ?, prev_hash = ?, hash = ? WHERE seq = ?').run(forged.reason, forged.digest, forged.prevHash, forged.hash, entry.seq);
      prev = forged.hash;
    }
    rewrite.prepare('UPDATE companies SET chain_hash = ? WHERE id = 1').run(prev);
    rewrite.close();
    expect((await cli(['audit', '--verify'])).code).toBe(0);

    const caught = await cli(['audit', '--verify', '--checkpoint', file, '--json'], { env: { SERIALTRACE_AUDIT_KEY: checkingKey } });
    expect(caught.code).toBe(1);
    expect(caught.json()).toMatchObject({ valid: false, checkpoint: { seq: 6, holds: false } });
    expect(caught.json().problems).toContainEqual(expect.objectContaining({ reason: 'checkpoint_mismatch', seq: 6 }));
    const text = await cli(['audit', '--verify', '--checkpoint', file], { env: { SERIALTRACE_AUDIT_KEY: checkingKey } });
    expect(text.stdout).toContain('no longer has the hash the signed checkpoint holds for it');
  });
});

describe('audit checkpoint refusals', () => {
  it('needs the key, refuses a public key for signing, and signs no checkpoint of a chain that does not verify', async () => {
    await someHistory();
    const file = join(dir(), 'cp.json');
    expect((await cli(['audit', 'checkpoint', '--out', file, '--json'])).json().error).toMatchObject({ code: 'AUDIT_KEY_MISSING' });
    const bad = await cli(['audit', 'checkpoint', '--out', file, '--json'], { env: { SERIALTRACE_AUDIT_KEY: 'not a key' } });
    expect(bad.json().error).toMatchObject({ code: 'AUDIT_KEY_INVALID' });
    expect(bad.stdout).not.toContain('not a key');
    expect((await cli(['audit', 'checkpoint', '--out', file, '--json'], { env: { SERIALTRACE_AUDIT_KEY: ED25519_PUBLIC } })).json().error).toMatchObject({
      code: 'AUDIT_KEY_INVALID',
    });
    const raw = new Database(db());
    raw.prepare("UPDATE journal SET actor = 'mallory' WHERE seq = 2").run();
    raw.close();
    const broken = await cli(['audit', 'checkpoint', '--out', file, '--json'], { env: { SERIALTRACE_AUDIT_KEY: HMAC_KEY } });
    expect(broken.code).toBe(1);
    expect(broken.json().error).toMatchObject({ code: 'AUDIT_CHAIN_BROKEN', seq: 2 });
    expect(() => readFileSync(file)).toThrow();
  });

  it('refuses a checkpoint that was edited, signed with another key, or of another company', async () => {
    await someHistory();
    const file = join(dir(), 'cp.json');
    expect((await cli(['audit', 'checkpoint', '--out', file], { env: { SERIALTRACE_AUDIT_KEY: HMAC_KEY } })).code).toBe(0);
    const checkpoint = JSON.parse(readFileSync(file, 'utf8'));
    const verifyWith = async (content: unknown, key = HMAC_KEY) => {
      const edited = join(dir(), 'edited.json');
      writeFileSync(edited, JSON.stringify(content));
      return (await cli(['audit', '--verify', '--checkpoint', edited, '--json'], { env: { SERIALTRACE_AUDIT_KEY: key } })).json();
    };
    expect((await verifyWith({ ...checkpoint, seq: 3 })).error).toMatchObject({ code: 'AUDIT_CHECKPOINT_INVALID', reason: 'its signature does not match its content' });
    expect((await verifyWith(checkpoint, ED25519_PUBLIC)).error).toMatchObject({ code: 'AUDIT_CHECKPOINT_INVALID' });
    expect((await verifyWith({ nothing: true })).error).toMatchObject({ code: 'AUDIT_CHECKPOINT_INVALID' });
    expect((await cli(['audit', '--checkpoint', file, '--json'])).json().error).toMatchObject({ code: 'USAGE_INVALID' });
  });
});

describe('through a server', () => {
  const { server, key, dir: parityDir } = useParity('serialtrace-cli-checkpoint-remote-');
  it('signs on the operator\'s side with the key the server never sees, and holds the server\'s chain against it', async () => {
    const remote = (args: readonly string[]) =>
      runCapture(['--server', server().url, '--api-key', key(), ...args], { env: { SERIALTRACE_AUDIT_KEY: HMAC_KEY, SERIALTRACE_NOW: '2025-06-15T10:00:00Z' } });
    const file = join(parityDir(), 'remote-checkpoint.json');
    const signed = await remote(['audit', 'checkpoint', '--out', file, '--json']);
    expect(signed.code, signed.stdout).toBe(0);
    expect(signed.json()).toMatchObject({ companyId: 1, algorithm: 'hmac-sha256' });
    const held = await remote(['audit', '--verify', '--checkpoint', file, '--json']);
    expect(held.code, held.stdout).toBe(0);
    expect(held.json()).toMatchObject({ valid: true, checkpoint: { seq: signed.json().seq, holds: true } });
  });
});
