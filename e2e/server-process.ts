import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ROOT } from './cli-process.js';

/** The committed entry point of `serialtrace-server`; it runs the build in packages/server/dist. */
export const SERVER_BIN = fileURLToPath(new URL('../packages/server/bin/serialtrace-server.js', import.meta.url));

export interface ServerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** `http://127.0.0.1:<port>` as the server printed it. */
  readonly url: string;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Parsed JSON log lines written so far (stdout lines that are JSON objects). */
  logs(): Record<string, unknown>[];
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number | null>;
  /** Sends a signal (SIGTERM by default) and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts the real server on a free port (SERIALTRACE_PORT=0) and waits for its "listening on"
 * line. Only the SERIALTRACE_* variables given here reach it, never those of the test's shell.
 */
export async function startServer(db: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SERIALTRACE_')));
  const child = spawn(process.execPath, [SERVER_BIN], {
    cwd: ROOT,
    env: { ...inherited, TZ: 'UTC', SERIALTRACE_HOST: '127.0.0.1', SERIALTRACE_PORT: '0', SERIALTRACE_DB: db, SERIALTRACE_TIME_ZONE: 'UTC', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // A server that never listens is still running; the caller has no handle to stop it.
      child.kill('SIGKILL');
      reject(new Error(`the server did not start in time:\n${stdout}\n${stderr}`));
    }, 20_000);
    const look = () => {
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match === null) return;
      clearTimeout(timer);
      child.stdout.off('data', look);
      resolve(match[1]!);
    };
    child.stdout.on('data', look);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} before listening:\n${stdout}\n${stderr}`));
    });
  });

  return {
    child,
    url,
    stdout: () => stdout,
    stderr: () => stderr,
    logs: () =>
      stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * Starts `count` servers at once with the same settings, as several stateless servers on one
 * database start in production: together, racing to migrate and to create the first admin. If
 * one fails to start, the others are killed before the error is thrown.
 */
export async function startServers(count: number, db: string, env: Record<string, string> = {}): Promise<ServerProcess[]> {
  const started = await Promise.allSettled(Array.from({ length: count }, () => startServer(db, env)));
  const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(servers.map((server) => server.stop('SIGKILL')));
    throw failed.reason;
  }
  return servers;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly json: any;
  readonly text: string;
}

/** One request over real HTTP with the global fetch. */
export async function http(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<HttpAnswer> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}

/** Signs in and returns the session cookie as a request header. */
export async function signIn(base: string, username: string, password: string): Promise<Record<string, string>> {
  const answer = await http(base, 'POST', '/api/v1/auth/login', { body: { username, password } });
  if (answer.status !== 200) throw new Error(`sign-in failed: ${answer.status} ${answer.text}`);
  return { cookie: answer.headers.getSetCookie()[0]!.split(';')[0]! };
}
