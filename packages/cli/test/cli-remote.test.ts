import { createServer } from 'node:net';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createKey } from '../../client/test/test-server.js';
import { NOW, outputOf, runCapture, useParity } from './cli-harness.js';

/**
 * The CLI over HTTP (`--server`, `--api-key`) prints what it prints on a local database: the same
 * text, the same JSON byte for byte (key order included), the same refusals and exit statuses.
 */

const { localDb, serverDb, server, key, actor, local, remote } = useParity('serialtrace-cli-remote-');

/** The CLI with an environment and an OS user of the test's choosing. */
const run = async (args: readonly string[], env: Record<string, string | undefined>, username: string) => outputOf(await runCapture(args, { env, username }));

/** A port that was free a moment ago: nothing listens there. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

type Mode = 'json' | 'text' | 'both';

/**
 * One command line, run in `--json` mode, in text mode, or both (reading commands; a writing
 * command runs once, in the mode given, so both sides change the same way).
 */
const SEQUENCE: readonly (readonly [Mode, readonly string[]])[] = [
  ['both', ['series', 'list']],
  ['text', ['series', 'create', 'Widgets', '--format', 'SN-{YYYY}{JJJ}-{####}', '--reset', 'daily', '--description', 'Widget A', '--station', 'ST-1', '--reason', 'new line']],
  ['json', ['series', 'create', 'Lots', '--format', 'LOT-{YYYY}{MM}{DD}-{LINE}-{####}', '--reset', 'daily', '--plant', 'P1']],
  ['json', ['series', 'create', 'Shifts', '--format', 'S{YY}{JJJ}{HH}{SHIFT}{###}', '--reset', 'shift', '--shift-starts', 'A=06:00,B=14:00,C=22:00', '--min-length', '3']],
  ['text', ['series', 'create', 'Tags', '--format', 'T-{#####}', '--base', 'hex', '--start', '255', '--increment', '2', '--min-length', '5', '--global', '--allow-growth']],
  ['json', ['series', 'create', 'Ambiguous', '--format', 'A{LINE}{####}{BATCH}']],
  ['text', ['series', 'create', 'Documents', '--format', 'DOC-{######}', '--allocation', 'leased', '--lease-size', '50']],
  ['both', ['series', 'show', 'Documents']],
  ['both', ['series', 'create', 'Bad', '--format', 'S{####}', '--allocation', 'fast', '--lease-size', '0']],
  ['both', ['series', 'list']],
  ['both', ['series', 'show', 'Widgets']],
  ['both', ['series', 'show', 'Ambiguous']],
  ['both', ['series', 'show', 'Shifts']],
  ['both', ['preview', '--format', 'LOT-{YYYY}{MM}{DD}-{LINE}-{####}', '--reset', 'daily', '--context', 'LINE=L1', '--count', '3']],
  ['both', ['preview', '--format', 'SN-{YYYY}{JJJ}-{####}', '--at', '2024-12-31T23:00:00-02:00']],
  ['both', ['preview', '--format', 'X{####}', '--min-length', '4', '--start', '9997', '--count', '5']],
  ['both', ['preview', '--series', 'Widgets', '--count', '2']],
  ['both', ['preview', '--format', 'A{LINE}{####}{BATCH}', '--context', 'LINE=L1', '--context', 'BATCH=7', '--part', 'PN-9', '--count', '1']],
  ['json', ['generate', 'Widgets', '--quantity', '3', '--work-order', 'WO-7', '--part', 'PN-1', '--metadata', '{"lot":"A","n":[1,2]}', '--station', 'ST-4', '--line', 'L1', '--plant', 'P1', '--reason', 'first batch']],
  ['text', ['generate', 'Widgets']],
  ['json', ['generate', 'Lots', '--context', 'LINE=L2', '--quantity', '2', '--idempotency-key', 'job-1']],
  ['json', ['generate', 'Lots', '--context', 'LINE=L2', '--quantity', '2', '--idempotency-key', 'job-1']],
  ['text', ['generate', 'Tags', '--quantity', '2', '--context', 'PLANT=North']],
  ['json', ['generate', 'Shifts', '--quantity', '2']],
  ['json', ['generate', 'Ambiguous', '--context', 'LINE=L1', '--context', 'batch=B7']],
  ['both', ['records']],
  ['both', ['records', '--work-order', 'WO-7', '--limit', '2']],
  ['both', ['records', '--work-order', 'WO-7', '--limit', '2', '--cursor', 'cjoy']],
  ['both', ['records', '--series', 'Widgets', '--search', '0002', '--status', 'generated', '--from', '2025-06-15T00:00:00Z', '--to', '2025-06-16T00:00:00Z']],
  ['json', ['status', 'SN-2025166-0002', 'printed', '--reason', 'label', '--station', 'ST-9']],
  ['text', ['status', 'SN-2025166-0003', 'in_progress', '--data', '{"oven":3}', '--line', 'L2']],
  ['text', ['status', 'SN-2025166-0001', 'voided', '--reason', 'Grüße aus der Halle 🏷']],
  ['both', ['record', 'SN-2025166-0002']],
  ['both', ['record', 'SN-2025166-0003']],
  ['json', ['status', 'LOT-20250615-L2-0001', 'printed', '--series', 'Lots', '--plant', 'P2']],
  ['both', ['record', 'LOT-20250615-L2-0001', '--series', 'Lots']],
  ['text', ['series', 'update', 'Widgets', '--description', 'Widget B', '--reason', 'new customer']],
  ['json', ['series', 'update', 'Tags', '--rename', 'Asset tags', '--increment', '4']],
  ['both', ['series', 'show', 'Asset tags']],
  ['both', ['audit']],
  ['both', ['audit', '--limit', '2', '--action', 'serials.generated']],
  ['both', ['audit', '--entity', 'series:1']],
  ['both', ['audit', '--verify']],
  ['text', ['audit', '--export', 'csv']],
  ['text', ['audit', '--export', 'json']],
  ['both', ['journal', '--limit', '3']],
  ['both', ['journal', '--after', '2', '--limit', '1000']],

  // Refusals, each in both modes: nothing changes, so the second run refuses like the first.
  ['both', ['generate', 'Nope']],
  ['both', ['series', 'show', 'Nope']],
  ['both', ['generate', 'Widgets', '--quantity', '0']],
  ['both', ['generate', 'Widgets', '--quantity', '10001']],
  ['both', ['generate', 'Widgets', '--quantity', 'ten']],
  ['both', ['generate', 'Nope', '--quantity', 'ten']],
  ['both', ['generate', 'Widgets', '--quantity', '0', '--metadata', '[1]']],
  ['both', ['generate', 'Widgets', '--quantity', '12345678901234567890']],
  ['both', ['series', 'create', 'Bad', '--format', 'AB{YYY}-{####', '--increment', '0']],
  ['both', ['series', 'create', 'Bad', '--format', 'S{YYY}{####}']],
  ['both', ['series', 'create', 'Bad', '--format', 'S{YYY}', '--start', '-1', '--min-length', 'two', '--time-zone', 'Mars/Olympus']],
  ['both', ['series', 'create', 'Bad', '--format', 'S{####}', '--increment', 'x']],
  ['both', ['series', 'create', 'Bad', '--format', 'S{####}', '--start', '1.5', '--base', 'octal', '--reset', 'hourly']],
  ['both', ['series', 'create', 'Bad', '--format', 'S{####}', '--time-zone', 'Mars/Olympus', '--shift-starts', '25:00']],
  ['both', ['series', 'create', 'Bad', '--format', '']],
  ['both', ['series', 'create', 'Bad', '--format', 'S{####}', '--description', 'd'.repeat(2001)]],
  ['both', ['series', 'create', 'Widgets', '--format', 'W{####}']],
  ['both', ['series', 'create', 'Bad', '--format', 'LOT-{####}', '--reset', 'daily']],
  ['both', ['series', 'update', 'Widgets', '--format', 'X-{####}']],
  ['both', ['series', 'update', 'Widgets', '--format', 'X-{YYYY}{MM}{DD}-{####}']],
  ['both', ['series', 'update', 'Widgets', '--start', 'x']],
  ['both', ['series', 'update', 'Nope', '--start', 'x']],
  ['both', ['status', 'SN-2025166-0002', 'generated']],
  ['both', ['status', 'SN-2025166-0002', 'shipped']],
  ['both', ['status', 'SN-2025166-0004', 'printed', '--data', '[1]']],
  ['both', ['status', 'SN-2025166-0004', 'shipped', '--data', '[1]']],
  ['both', ['status', 'SN-2025166-9999', 'printed']],
  ['both', ['record', 'SN-9999']],
  ['both', ['generate', 'Widgets', '--metadata', '[1]']],
  ['both', ['generate', 'Widgets', '--metadata', '{lot:']],
  ['both', ['generate', 'Widgets', '--context', 'LINE']],
  ['both', ['generate', 'Lots']],
  ['both', ['generate', 'Widgets', '--idempotency-key', 'has space']],
  ['both', ['generate', 'Widgets', '--station', 'S'.repeat(101), '--reason', 'two\nlines']],
  ['both', ['status', 'SN-2025166-0004', 'printed', '--reason', 'R'.repeat(101)]],
  ['both', ['generate', 'Lots', '--context', 'LINE=L2', '--quantity', '3', '--idempotency-key', 'job-1']],
  ['both', ['preview']],
  ['both', ['preview', '--format', 'S{####}', '--at', '2025-06-15']],
  ['both', ['preview', '--format', 'S{####}', '--count', '0']],
  ['both', ['preview', '--series', 'Nope']],
  ['both', ['records', '--limit', '0']],
  ['both', ['records', '--status', 'shipped', '--from', 'yesterday']],
  ['both', ['records', '--series', 'Nope']],
  ['both', ['records', '--cursor', 'not-a-cursor']],
  ['both', ['audit', '--export', 'xml']],
  ['both', ['audit', '--entity', 'record']],
  ['both', ['journal', '--after', '-1']],
  ['both', ['journal', '--limit', '1001']],
  ['both', ['frobnicate']],
  ['both', ['generate']],
];

describe('the same commands on a local database and against a server', () => {
  it('print the same output, byte for byte, with the same exit statuses', async () => {
    const outputs = { ok: 0, refused: 0 };
    for (const [mode, args] of SEQUENCE) {
      for (const json of mode === 'both' ? [true, false] : [mode === 'json']) {
        const line = json ? [...args, '--json'] : args;
        const here = await local(line);
        const there = await remote(line);
        const label = `serialtrace ${line.join(' ')}`;
        expect({ label, ...there }).toEqual({ label, ...here });
        outputs[here.code === 0 ? 'ok' : 'refused']++;
      }
    }
    // Equal refusals prove nothing if a step meant to succeed fails on both sides alike: count them.
    expect(outputs).toEqual({ ok: 71, refused: 102 });
  });

  it('agree on a history edited behind their backs: the chain is broken at the same entry', async () => {
    for (const path of [localDb(), serverDb()]) {
      const raw = new Database(path);
      raw.prepare("UPDATE journal SET actor = 'mallory' WHERE seq = 4").run();
      raw.close();
    }
    for (const line of [['audit', '--verify', '--json'], ['audit', '--verify']]) {
      const here = await local(line);
      expect(here.code).toBe(1);
      expect(await remote(line)).toEqual(here);
    }
    expect(JSON.parse((await remote(['audit', '--verify', '--json'])).stdout)).toMatchObject({ valid: false, firstBreak: { seq: 4, reason: 'hash_mismatch' } });
  });
});

describe('--server and --api-key', () => {
  it('refuse --actor, which the API key replaces, before sending anything', async () => {
    const refused = await remote(['generate', 'Widgets', '--actor', 'jane', '--json']);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).error).toMatchObject({ code: 'VALUE_INVALID', field: 'actor' });
    expect(JSON.parse(refused.stdout).error.message).toContain('--actor works only on a local database');
    // Against a port where nothing listens: refused before any connection is tried.
    const text = await run(['--server', `http://127.0.0.1:${await closedPort()}`, 'status', 'SN-2025166-0004', 'printed', '--actor', 'jane'], {}, 'osuser');
    expect(text).toMatchObject({ code: 1, stdout: '' });
    expect(text.stderr).toMatch(/^error: VALUE_INVALID: Invalid actor: with --server the audit trail names the API key/);
  });

  it('are read from SERIALTRACE_SERVER and SERIALTRACE_API_KEY, and the flags win', async () => {
    const env = { SERIALTRACE_SERVER: server().url, SERIALTRACE_API_KEY: key() };
    const byFlags = await remote(['series', 'show', 'Widgets', '--json']);
    expect(byFlags.code).toBe(0);
    expect(await run(['series', 'show', 'Widgets', '--json'], env, 'osuser')).toEqual(byFlags);
    // A wrong key in the environment loses to the flag.
    expect(await run(['--api-key', key(), 'series', 'show', 'Widgets', '--json'], { ...env, SERIALTRACE_API_KEY: 'stk_0_wrong' }, 'osuser')).toEqual(byFlags);
    const unauthenticated = await run(['series', 'show', 'Widgets', '--json'], { ...env, SERIALTRACE_API_KEY: 'stk_0_wrong' }, 'osuser');
    expect(JSON.parse(unauthenticated.stdout).error).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'the API key is unknown, expired or revoked' });
    // An explicit --db runs locally even with SERIALTRACE_SERVER set.
    const localRun = await run(['--db', localDb(), 'series', 'show', 'Widgets', '--json'], { ...env, SERIALTRACE_NOW: NOW }, actor());
    expect(localRun.stdout).toBe(byFlags.stdout);
  });

  it('refuse --db together with --server, and --api-key without a server, as usage errors', async () => {
    const both = await run(['--db', localDb(), '--server', server().url, 'series', 'list', '--json'], {}, 'osuser');
    expect(both.code).toBe(2);
    expect(JSON.parse(both.stdout).error).toMatchObject({ code: 'USAGE_INVALID' });
    expect(JSON.parse(both.stdout).error.message).toContain('--db and --server exclude each other');
    const text = await run(['--db', localDb(), '--server', server().url, 'series', 'list'], {}, 'osuser');
    expect(text).toMatchObject({ code: 2, stdout: '' });
    expect(text.stderr).toMatch(/^error: USAGE_INVALID: --db and --server/);
    const keyAlone = await run(['--api-key', key(), 'series', 'list', '--json'], { SERIALTRACE_DB: localDb() }, 'osuser');
    expect(keyAlone.code).toBe(2);
    expect(JSON.parse(keyAlone.stdout).error.message).toContain('--api-key needs a server');
  });

  it('refuse a server that is not an http(s) URL, and say so when it cannot be reached', async () => {
    const bad = await run(['--server', 'localhost:8080', 'series', 'list', '--json'], {}, 'osuser');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).error).toMatchObject({ code: 'VALUE_INVALID', field: 'server' });
    const withKey = await run(['--server', 'http://admin:secret@127.0.0.1:8080', 'series', 'list', '--json'], {}, 'osuser');
    expect(JSON.parse(withKey.stdout).error).toMatchObject({ code: 'VALUE_INVALID', field: 'server' });
    const port = await closedPort();
    const down = await run(['--server', `http://127.0.0.1:${port}`, 'series', 'list'], {}, 'osuser');
    expect(down.code).toBe(1);
    expect(down.stderr).toBe(`error: NOT_READY: The server is not ready: cannot reach http://127.0.0.1:${port}: ECONNREFUSED\n`);
  });

  it('answer FORBIDDEN for a role without the permission, and UNAUTHENTICATED without a key', async () => {
    const viewer = await createKey(server().services, 'viewer', 'cli viewer');
    const refused = await run(['--server', server().url, '--api-key', viewer.key, 'generate', 'Widgets'], {}, 'osuser');
    expect(refused).toEqual({ code: 1, stdout: '', stderr: 'error: FORBIDDEN: The role viewer may not serials.generate\n' });
    const anonymous = await run(['--server', server().url, 'series', 'list'], {}, 'osuser');
    expect(anonymous.stderr).toBe('error: UNAUTHENTICATED: Sign in or send an API key: no session cookie and no Authorization header\n');
  });

  it('carry a reason in any script through its header into the audit trail', async () => {
    const generated = await remote(['generate', 'Widgets', '--reason', 'label 🏷 検査', '--station', 'Prüfstand 3', '--json']);
    expect(generated.code, generated.stdout).toBe(0);
    const entries = JSON.parse((await remote(['audit', '--limit', '1', '--json'])).stdout).entries;
    expect(entries[0]).toMatchObject({ action: 'serials.generated', reason: 'label 🏷 検査', station: 'Prüfstand 3' });
  });
});
