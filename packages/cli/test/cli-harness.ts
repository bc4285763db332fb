import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '@serialtrace/cli';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { prepareDatabase, serve, type TestServer } from '../../client/test/test-server.js';

/**
 * The CLI run in-process for tests: one command line, its exit status and everything it printed.
 * `useLocalDatabase` gives each test a fresh database file; `useParity` sets a local database and a
 * server side by side, for tests that hold the CLI over HTTP to what it prints locally.
 */

/** The fixed instant every test runs at. */
export const NOW = '2025-06-15T10:00:00Z';

/** What two runs are compared on: the exit status and the text printed. */
export interface CliOutput {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliRun extends CliOutput {
  /** What was written to standard output as bytes (a label written to `-`). */
  readonly bytes: Buffer;
  /** Standard output read as JSON (for `--json`). */
  readonly json: () => any;
}

export interface CaptureOptions {
  readonly env: Record<string, string | undefined>;
  /** The OS user, the default actor. */
  readonly username?: string;
  /** All of standard input, for arguments given as `-`; empty when not given. */
  readonly stdin?: string;
}

/** Runs one command line in-process, capturing its text, its bytes on standard output and its exit status. */
export async function runCapture(args: readonly string[], { env, username = 'osuser', stdin = '' }: CaptureOptions): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const chunks: Buffer[] = [];
  const code = await runCli(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env,
    username: () => username,
    stdin: async () => Buffer.from(stdin, 'utf-8'),
    stdoutBytes: (bytes) => chunks.push(Buffer.from(bytes)),
  });
  return { code, stdout, stderr, bytes: Buffer.concat(chunks), json: () => JSON.parse(stdout) };
}

/** A run reduced to what `toEqual` compares between two runs: no bytes, no `json()`. */
export function outputOf({ code, stdout, stderr }: CliOutput): CliOutput {
  return { code, stdout, stderr };
}

/** The environment of a local run: the database file, at the fixed instant, in UTC. */
function localEnv(db: string): Record<string, string> {
  return { SERIALTRACE_DB: db, SERIALTRACE_NOW: NOW, SERIALTRACE_TIME_ZONE: 'UTC' };
}

export interface LocalDatabase {
  /** The test's own temporary folder. */
  readonly dir: () => string;
  /** The database file in it (`st.db`, not created until a command opens it). */
  readonly db: () => string;
  /** The CLI on that database, at the fixed instant, run by `osuser`; `env` adds to or overrides the defaults. */
  readonly cli: (args: readonly string[], options?: { env?: Record<string, string | undefined>; stdin?: string }) => Promise<CliRun>;
}

/** A fresh temporary folder and database file for each test of the file (made before, removed after). */
export function useLocalDatabase(prefix: string): LocalDatabase {
  let dir: string | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  const folder = (): string => {
    if (dir === undefined) throw new Error('useLocalDatabase: the folder exists only while a test runs');
    return dir;
  };
  const db = () => join(folder(), 'st.db');
  return {
    dir: folder,
    db,
    cli: (args, options = {}) => runCapture(args, { env: { ...localEnv(db()), ...options.env }, stdin: options.stdin }),
  };
}

export interface Parity {
  /** The folder shared by the file's tests (`server.db`, `local.db`, and whatever the tests put there). */
  readonly dir: () => string;
  readonly localDb: () => string;
  readonly serverDb: () => string;
  readonly server: () => TestServer;
  /** The API key the remote side signs with. */
  readonly key: () => string;
  /** The actor the server names for that key, and the local OS user. */
  readonly actor: () => string;
  /** The CLI on the local database file, at the fixed instant. */
  readonly local: (args: readonly string[], stdin?: string) => Promise<CliOutput>;
  /** The CLI against the server, signed with the API key. */
  readonly remote: (args: readonly string[], stdin?: string) => Promise<CliOutput>;
}

/** A local database and a server on another, set up once for the file's tests (before all, removed after all). */
export function useParity(prefix: string): Parity {
  let state: { dir: string; server: TestServer; key: string; actor: string } | undefined;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    const serverDb = join(dir, 'server.db');
    // Both sides start from copies of one fresh install (the admin and the API key, with their audit
    // entries), and the local OS user is named as the server names the key. So nothing needs
    // normalising: record ids, audit sequence numbers, actors (`createdBy`, `generatedBy`), and with
    // them every audit hash, must come out the same on both sides.
    try {
      const created = await prepareDatabase(serverDb, NOW, 'parity');
      copyFileSync(serverDb, join(dir, 'local.db'));
      state = { dir, server: await serve(serverDb, NOW), key: created.key, actor: created.actor };
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  });
  afterAll(async () => {
    await state?.server.close();
    if (state !== undefined) rmSync(state.dir, { recursive: true, force: true });
    state = undefined;
  });
  const ready = () => {
    if (state === undefined) throw new Error('useParity: the local database and the server exist only while the tests run');
    return state;
  };
  const localDb = () => join(ready().dir, 'local.db');
  return {
    dir: () => ready().dir,
    localDb,
    serverDb: () => join(ready().dir, 'server.db'),
    server: () => ready().server,
    key: () => ready().key,
    actor: () => ready().actor,
    local: async (args, stdin = '') => outputOf(await runCapture(args, { env: localEnv(localDb()), username: ready().actor, stdin })),
    remote: async (args, stdin = '') =>
      outputOf(await runCapture(['--server', ready().server.url, '--api-key', ready().key, ...args], { env: {}, username: 'osuser', stdin })),
  };
}
