import type { SerialtraceError } from '@serialtrace/core';

/**
 * Host functions by namespace and name; arguments and results are plain JSON values. A function
 * may throw a SerialtraceError, which the script sees as an exception.
 *
 * @example { manufacturing: { generateSerial: async (series) => service.generate(series) } }
 */
// `Promise<unknown> | unknown` is `unknown` to the compiler; it is spelled out for the reader.
// eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents
export type HostApi = Readonly<Record<string, Readonly<Record<string, (...args: unknown[]) => Promise<unknown> | unknown>>>>;

/**
 * One `console.*` call of a script.
 *
 * @example { level: 'warn', message: 'lot 42 has no work order', at: 3 }
 */
export interface ScriptLog {
  readonly level: 'log' | 'info' | 'warn' | 'error';
  readonly message: string;
  /** Milliseconds since the run started. */
  readonly at: number;
}

/**
 * How a run ended. Whatever the script did, a run ends with an outcome, never an exception.
 *
 * @example { ok: true, result: { serial: 'SN-0001' }, logs: [], durationMs: 4, apiCalls: 1 }
 */
export type ScriptOutcome =
  | {
      readonly ok: true;
      readonly result: unknown;
      readonly logs: readonly ScriptLog[];
      readonly durationMs: number;
      readonly apiCalls: number;
    }
  | {
      readonly ok: false;
      readonly error: SerialtraceError;
      readonly logs: readonly ScriptLog[];
      readonly durationMs: number;
      readonly apiCalls: number;
    };
