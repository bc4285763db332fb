import type { ScriptLimits } from './script-limits.js';
import type { ScriptLog } from './script-outcome.js';

/**
 * The messages between the engine (on the caller's thread) and a sandbox worker. Everything is
 * plain data: errors travel as codes and details, and the engine makes them SerialtraceErrors.
 */

/** Runs `main(context)` of `source`; host functions are listed by namespace, called by message. */
export interface RunJob {
  readonly type: 'run';
  readonly name: string;
  readonly source: string;
  readonly contextJson: string;
  readonly methods: Readonly<Record<string, readonly string[]>>;
  readonly limits: ScriptLimits;
  /** `Date.now()` past which the run is out of time (the engine's watchdog uses the same). */
  readonly deadline: number;
}

/** Compiles without running. */
export interface CheckJob {
  readonly type: 'check';
  readonly name: string;
  readonly source: string;
}

/** The engine's answer to a host call: the JSON envelope the bridge reads, and whether the run must stop. */
export interface HostReply {
  readonly type: 'reply';
  readonly call: number;
  readonly envelope: string;
  readonly stop: boolean;
}

export type ToWorker = RunJob | CheckJob | HostReply;

/** A run's failure as the worker sees it; the engine decides the final error. */
export type SandboxFailure =
  | { readonly kind: 'timeout' }
  | { readonly kind: 'memory' }
  /** The engine told the run to stop (API limit, a fault of a host function). */
  | { readonly kind: 'stopped' }
  /** A host refusal the script did not catch, by its number in the run. */
  | { readonly kind: 'host'; readonly id: number }
  | { readonly kind: 'error'; readonly code: SandboxErrorCode; readonly details: Readonly<Record<string, unknown>> };

export type SandboxErrorCode = 'SCRIPT_INVALID' | 'SCRIPT_FAILED' | 'SCRIPT_OUTPUT_INVALID' | 'SCRIPT_OUTPUT_TOO_LARGE';

export type SandboxResult = { readonly ok: true; readonly json: string } | { readonly ok: false; readonly failure: SandboxFailure };

export type FromWorker =
  /** Loaded and warmed up: the worker takes jobs. */
  | { readonly type: 'ready' }
  | { readonly type: 'log'; readonly log: ScriptLog }
  | { readonly type: 'call'; readonly call: number; readonly namespace: string; readonly method: string; readonly args: string }
  /** `heapBytes`: the WebAssembly heap afterwards, which never shrinks; `broken`: the module is suspect. */
  | { readonly type: 'done'; readonly result: SandboxResult; readonly heapBytes: number; readonly broken: boolean }
  | { readonly type: 'checked'; readonly problem: { readonly code: 'SCRIPT_INVALID'; readonly details: Readonly<Record<string, unknown>> } | null }
  /** The sandbox itself failed (not the script); `stackOverflow` when V8 ran out of native stack under QuickJS. */
  | { readonly type: 'fault'; readonly message: string; readonly stackOverflow: boolean; readonly heapBytes: number };
