import { SerialtraceClient } from '@serialtrace/client';
import { canonicalTimeZone, SerialtraceError } from '@serialtrace/core';
import { clockFromSetting, createSerialtrace } from '@serialtrace/service';
import { openStore } from '@serialtrace/store';
import type { Backend } from './backend.js';
import { LocalBackend } from './local-backend.js';
import { wholeNumber } from './options.js';
import { RemoteBackend } from './remote-backend.js';

/** What the CLI touches of the outside world, so tests can run it in-process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The OS user, the default actor. */
  readonly username: () => string;
  /** Everything on standard input, for arguments given as `-` (the process's stdin when absent). */
  readonly stdin?: () => Promise<Uint8Array>;
  /** Writes bytes to standard output, for documents written to `-` (the process's stdout when absent). */
  readonly stdoutBytes?: (bytes: Uint8Array) => void;
}

async function processStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

export const DEFAULT_DB_FILE = 'serialtrace.db';

export type { AuditOptions } from './backend.js';

export interface GlobalOptions {
  readonly db?: string;
  readonly database?: string;
  readonly json?: boolean;
  readonly server?: string;
  readonly apiKey?: string;
}

/**
 * Where the commands run: a database of their own (PostgreSQL when a URL is given, else the SQLite
 * file), or a server. Flags win over variables.
 */
type Target =
  | { readonly kind: 'local'; readonly db: string; readonly databaseUrl: string | undefined }
  | { readonly kind: 'remote'; readonly server: string; readonly apiKey: string | undefined };

function targetOf(options: GlobalOptions, env: CliIo['env']): Target {
  if (options.db !== undefined && options.server !== undefined) {
    throw new SerialtraceError('USAGE_INVALID', {
      reason: '--db and --server exclude each other: --db works on a local database file, --server with a serialtrace server',
    });
  }
  if (options.database !== undefined && options.server !== undefined) {
    throw new SerialtraceError('USAGE_INVALID', {
      reason: '--database and --server exclude each other: --database works on a PostgreSQL database directly, --server with a serialtrace server',
    });
  }
  // An explicit --db or --database runs locally even where SERIALTRACE_SERVER is set for the shell.
  const local = options.db !== undefined || options.database !== undefined;
  const server = options.server ?? (local ? undefined : env['SERIALTRACE_SERVER'] || undefined);
  if (server === undefined) {
    if (options.apiKey !== undefined) {
      throw new SerialtraceError('USAGE_INVALID', { reason: '--api-key needs a server: give --server URL (or SERIALTRACE_SERVER)' });
    }
    // A database URL, from the flag or the variable, wins over the SQLite file, as for the server.
    const databaseUrl = options.database ?? (env['SERIALTRACE_DATABASE_URL'] || undefined);
    if (databaseUrl === '') {
      throw new SerialtraceError('VALUE_INVALID', { field: 'database', reason: 'give a postgres:// URL, or leave --database out to use the SQLite file' });
    }
    return { kind: 'local', db: options.db ?? (env['SERIALTRACE_DB'] || DEFAULT_DB_FILE), databaseUrl };
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

/**
 * The PostgreSQL settings a command shares with the servers on the same database: the schema
 * above all, or the command would look for the tables elsewhere. No pool size: a command runs
 * one unit of work at a time.
 */
function postgresSettings(env: CliIo['env']): { schema?: string; statementTimeoutMs?: number } {
  const schema = env['SERIALTRACE_DATABASE_SCHEMA'] || undefined;
  const timeout = wholeNumber(env['SERIALTRACE_DATABASE_STATEMENT_TIMEOUT'] || undefined, 'SERIALTRACE_DATABASE_STATEMENT_TIMEOUT', 1, 24 * 60 * 60 * 1000);
  return { ...(schema === undefined ? {} : { schema }), ...(timeout === undefined ? {} : { statementTimeoutMs: timeout }) };
}

/**
 * The limits of script runs on a local database, from the variables a server reads (with the
 * same bounds); unset ones keep the service's defaults.
 */
function scriptLimits(env: CliIo['env']): { timeMs?: number; memoryBytes?: number; apiCalls?: number; resultBytes?: number } {
  const timeMs = wholeNumber(env['SERIALTRACE_SCRIPT_TIME_LIMIT_MS'] || undefined, 'SERIALTRACE_SCRIPT_TIME_LIMIT_MS', 10, 3_600_000);
  const memoryMb = wholeNumber(env['SERIALTRACE_SCRIPT_MEMORY_LIMIT_MB'] || undefined, 'SERIALTRACE_SCRIPT_MEMORY_LIMIT_MB', 1, 4096);
  const apiCalls = wholeNumber(env['SERIALTRACE_SCRIPT_API_CALL_LIMIT'] || undefined, 'SERIALTRACE_SCRIPT_API_CALL_LIMIT', 1, 10_000_000);
  const resultKb = wholeNumber(env['SERIALTRACE_SCRIPT_RESULT_LIMIT_KB'] || undefined, 'SERIALTRACE_SCRIPT_RESULT_LIMIT_KB', 1, 64 * 1024);
  return {
    ...(timeMs === undefined ? {} : { timeMs }),
    ...(memoryMb === undefined ? {} : { memoryBytes: memoryMb * 1024 * 1024 }),
    ...(apiCalls === undefined ? {} : { apiCalls }),
    ...(resultKb === undefined ? {} : { resultBytes: resultKb * 1024 }),
  };
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

  /** The services on the local database, or the server named by --server. */
  backend(): Backend {
    this.#backend ??= this.#target.kind === 'remote' ? this.#remote(this.#target) : this.#local(this.#target);
    return this.#backend;
  }

  #local(target: { readonly db: string; readonly databaseUrl: string | undefined }): Backend {
    // The clock and the default zone are the local database's settings; a server keeps its own.
    const clock = clockFromSetting(this.io.env['SERIALTRACE_NOW']);
    const zone = this.io.env['SERIALTRACE_TIME_ZONE'];
    const defaultTimeZone = zone ? canonicalTimeZone(zone, 'SERIALTRACE_TIME_ZONE') : undefined;
    const limits = scriptLimits(this.io.env);
    const store = openStore({ databaseUrl: target.databaseUrl, path: target.db, postgres: postgresSettings(this.io.env) });
    return new LocalBackend(createSerialtrace({
        store,
        clock,
        // One command, then the process ends: lease exactly what each command issues.
        leases: { hold: false },
        ...(defaultTimeZone === undefined ? {} : { defaultTimeZone }),
        ...(this.io.env['SERIALTRACE_MASTER_KEY'] ? { masterKey: this.io.env['SERIALTRACE_MASTER_KEY'] } : {}),
        ...(Object.keys(limits).length === 0 ? {} : { scriptLimits: limits }),
      }), this.io.username);
  }

  #remote(target: { readonly server: string; readonly apiKey: string | undefined }): Backend {
    return new RemoteBackend(new SerialtraceClient({ baseUrl: target.server, ...(target.apiKey === undefined ? {} : { apiKey: target.apiKey }) }));
  }

  /** Prints `value` as JSON in --json mode, or the human text otherwise. */
  /** The SQLite file of the local commands (`--db`, SERIALTRACE_DB), whatever PostgreSQL is set. */
  sqliteFile(command: string): string {
    if (this.#target.kind === 'remote') {
      throw new SerialtraceError('USAGE_INVALID', { reason: `${command} works on a local SQLite file (--db), not through a server` });
    }
    return this.#target.db;
  }

  /** The PostgreSQL schema of the local commands (SERIALTRACE_DATABASE_SCHEMA), if set. */
  get postgresSchema(): string | undefined {
    return postgresSettings(this.io.env).schema;
  }

  print(value: unknown, human: () => string): void {
    this.io.stdout(this.json ? `${JSON.stringify(value, jsonReplacer)}\n` : `${human()}\n`);
  }

  /** The text an argument names: itself, or all of standard input for `-` (one trailing line break dropped). */
  async text(value: string): Promise<string> {
    if (value !== '-') return value;
    const bytes = await (this.io.stdin ?? processStdin)();
    return new TextDecoder('utf-8').decode(bytes).replace(/\r?\n$/, '');
  }

  /** All of standard input as text, exactly as given (a script's source read from `-`). */
  async stdinText(): Promise<string> {
    return new TextDecoder('utf-8').decode(await (this.io.stdin ?? processStdin)());
  }

  /** Bytes on standard output (a label written to `-`). */
  writeBytes(bytes: Uint8Array): void {
    if (this.io.stdoutBytes !== undefined) this.io.stdoutBytes(bytes);
    else process.stdout.write(bytes);
  }

  async close(): Promise<void> {
    await this.#backend?.close();
  }
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
