import { SerialtraceClient } from '@serialtrace/client';
import { canonicalTimeZone, SerialtraceError } from '@serialtrace/core';
import { clockFromSetting, createSerialtrace } from '@serialtrace/service';
import { SqliteStore } from '@serialtrace/store';
import type { Backend } from './backend.js';
import { LocalBackend } from './local-backend.js';
import { RemoteBackend } from './remote-backend.js';

/** What the CLI touches of the outside world, so tests can run it in-process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The OS user, the default actor. */
  readonly username: () => string;
}

export const DEFAULT_DB_FILE = 'serialtrace.db';

export type { AuditOptions } from './backend.js';

export interface GlobalOptions {
  readonly db?: string;
  readonly json?: boolean;
  readonly server?: string;
  readonly apiKey?: string;
}

/** Where the commands run: a local database file, or a server. Flags win over variables. */
type Target = { readonly kind: 'local'; readonly db: string } | { readonly kind: 'remote'; readonly server: string; readonly apiKey: string | undefined };

function targetOf(options: GlobalOptions, env: CliIo['env']): Target {
  if (options.db !== undefined && options.server !== undefined) {
    throw new SerialtraceError('USAGE_INVALID', {
      reason: '--db and --server exclude each other: --db works on a local database file, --server with a serialtrace server',
    });
  }
  // An explicit --db runs locally even where SERIALTRACE_SERVER is set for the shell.
  const server = options.server ?? (options.db === undefined ? env['SERIALTRACE_SERVER'] || undefined : undefined);
  if (server === undefined) {
    if (options.apiKey !== undefined) {
      throw new SerialtraceError('USAGE_INVALID', { reason: '--api-key needs a server: give --server URL (or SERIALTRACE_SERVER)' });
    }
    return { kind: 'local', db: options.db ?? (env['SERIALTRACE_DB'] || DEFAULT_DB_FILE) };
  }
  let url: URL | undefined;
  try {
    url = new URL(server);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new SerialtraceError('VALUE_INVALID', { field: 'server', reason: `"${server}" is not an http:// or https:// URL` });
  }
  // Route paths are appended to the URL, and fetch refuses credentials in one.
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new SerialtraceError('VALUE_INVALID', { field: 'server', reason: `give "${server}" without a query, a fragment or credentials (use --api-key)` });
  }
  return { kind: 'remote', server, apiKey: options.apiKey ?? (env['SERIALTRACE_API_KEY'] || undefined) };
}

/** One CLI invocation: its output mode, and the backend opened on first use. */
export class CliContext {
  readonly io: CliIo;
  readonly json: boolean;
  /** Set by a command that succeeded but must still fail the process (a broken audit chain). */
  exitCode = 0;
  readonly #target: Target;
  #backend: Backend | undefined;

  constructor(io: CliIo, options: GlobalOptions) {
    this.io = io;
    this.json = options.json === true;
    this.#target = targetOf(options, io.env);
  }

  /** The services on the local database file, or the server named by --server. */
  backend(): Backend {
    this.#backend ??= this.#target.kind === 'remote' ? this.#remote(this.#target) : this.#local(this.#target.db);
    return this.#backend;
  }

  #local(db: string): Backend {
    // The clock and the default zone are the local database's settings; a server keeps its own.
    const clock = clockFromSetting(this.io.env['SERIALTRACE_NOW']);
    const zone = this.io.env['SERIALTRACE_TIME_ZONE'];
    const defaultTimeZone = zone ? canonicalTimeZone(zone, 'SERIALTRACE_TIME_ZONE') : undefined;
    const store = SqliteStore.open({ path: db });
    return new LocalBackend(createSerialtrace({ store, clock, ...(defaultTimeZone === undefined ? {} : { defaultTimeZone }) }), this.io.username);
  }

  #remote(target: { readonly server: string; readonly apiKey: string | undefined }): Backend {
    return new RemoteBackend(new SerialtraceClient({ baseUrl: target.server, ...(target.apiKey === undefined ? {} : { apiKey: target.apiKey }) }));
  }

  /** Prints `value` as JSON in --json mode, or the human text otherwise. */
  print(value: unknown, human: () => string): void {
    this.io.stdout(this.json ? `${JSON.stringify(value, jsonReplacer)}\n` : `${human()}\n`);
  }

  async close(): Promise<void> {
    await this.#backend?.close();
  }
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
