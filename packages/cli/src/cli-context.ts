import { canonicalTimeZone, SerialtraceError, type Clock } from '@serialtrace/core';
import { clockFromSetting, createSerialtrace, DEFAULT_COMPANY_ID, type Caller, type Serialtrace } from '@serialtrace/service';
import { SqliteStore } from '@serialtrace/store';

/** What the CLI touches of the outside world, so tests can run it in-process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The OS user, the default actor. */
  readonly username: () => string;
}

export const DEFAULT_DB_FILE = 'serialtrace.db';

/** Options every writing command takes, for the audit trail. */
export interface AuditOptions {
  readonly actor?: string;
  readonly station?: string;
  readonly line?: string;
  readonly plant?: string;
  readonly reason?: string;
}

export interface GlobalOptions {
  readonly db?: string;
  readonly json?: boolean;
}

/** One CLI invocation: its output mode, and the database opened on first use. */
export class CliContext {
  readonly io: CliIo;
  readonly json: boolean;
  /** Set by a command that succeeded but must still fail the process (a broken audit chain). */
  exitCode = 0;
  readonly #dbOption: string | undefined;
  #app: Serialtrace | undefined;
  #clock: Clock | undefined;

  constructor(io: CliIo, options: GlobalOptions) {
    this.io = io;
    this.json = options.json === true;
    this.#dbOption = options.db;
  }

  get dbPath(): string {
    return this.#dbOption ?? this.io.env['SERIALTRACE_DB'] ?? DEFAULT_DB_FILE;
  }

  /** The fixed clock of `SERIALTRACE_NOW`, or the system clock. */
  get clock(): Clock {
    this.#clock ??= clockFromSetting(this.io.env['SERIALTRACE_NOW']);
    return this.#clock;
  }

  app(): Serialtrace {
    if (this.#app === undefined) {
      const clock = this.clock;
      const zone = this.io.env['SERIALTRACE_TIME_ZONE'];
      const defaultTimeZone = zone ? canonicalTimeZone(zone, 'SERIALTRACE_TIME_ZONE') : undefined;
      const store = SqliteStore.open({ path: this.dbPath });
      this.#app = createSerialtrace({ store, clock, ...(defaultTimeZone === undefined ? {} : { defaultTimeZone }) });
    }
    return this.#app;
  }

  caller(options: AuditOptions = {}): Caller {
    const actor = options.actor?.trim() || this.io.username();
    if (actor.length > 100) throw new SerialtraceError('VALUE_INVALID', { field: 'actor', reason: 'it is longer than 100 characters' });
    return {
      companyId: DEFAULT_COMPANY_ID,
      actor,
      station: options.station ?? null,
      line: options.line ?? null,
      plant: options.plant ?? null,
      reason: options.reason ?? null,
    };
  }

  /** Prints `value` as JSON in --json mode, or the human text otherwise. */
  print(value: unknown, human: () => string): void {
    this.io.stdout(this.json ? `${JSON.stringify(value, jsonReplacer)}\n` : `${human()}\n`);
  }

  async close(): Promise<void> {
    await this.#app?.store.close();
  }
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
