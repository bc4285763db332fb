import { isSerialtraceError, SerialtraceError } from '@serialtrace/core';
import { heapGrewTooMuch } from './sandbox-heap.js';
import { SandboxPool, type SandboxWorker } from './sandbox-pool.js';
import type { FromWorker, SandboxResult } from './sandbox-protocol.js';
import { resolveLimits, DEFAULT_SCRIPT_LIMITS, type ScriptLimits } from './script-limits.js';
import type { HostApi, ScriptLog, ScriptOutcome } from './script-outcome.js';

/** What `run` needs: the script, its input, the host functions it may call. */
export interface ScriptRunRequest {
  readonly name: string;
  readonly source: string;
  /** Any JSON value; deep-copied into the sandbox as the argument of `main`. */
  readonly context: unknown;
  readonly host: HostApi;
  readonly limits?: Partial<ScriptLimits>;
}

/** The engine's bookkeeping of one run: what the host calls did, and why the run must stop. */
interface RunState {
  readonly script: string;
  readonly limits: ScriptLimits;
  readonly deadline: number;
  apiCalls: number;
  timedOut: boolean;
  /** Set once the run must end whatever the script does (API limit, host bug). */
  abort: SerialtraceError | undefined;
  /** Host refusals by the id the script's error object carries. */
  readonly hostErrors: SerialtraceError[];
}

/** How a run's worker ended it. */
type Ending =
  | { readonly type: 'done'; readonly result: SandboxResult; readonly heapBytes: number; readonly broken: boolean }
  | { readonly type: 'fault'; readonly message: string; readonly stackOverflow: boolean }
  | { readonly type: 'died'; readonly error: Error & { code?: string } }
  /** Not ended by its limit plus the grace: the watchdog terminated the worker. */
  | { readonly type: 'overstayed' };

/**
 * How long past its time limit a run may take to end on its own (the sandbox's interrupt
 * handler ends most within a few milliseconds) before its worker is terminated. A run stuck in
 * one long built-in call (QuickJS polls its interrupt handler between bytecodes, not inside
 * `"x".repeat(4e6)`) or in a runaway allocation is ended this way.
 */
export const WATCHDOG_GRACE_MS = 40;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const TIMED_OUT = Symbol('timed out');
// Scripts are written `function main(context)`; anything else that defines main is caught by run.
const DEFINES_MAIN = /\bfunction\s*\*?\s*main\s*\(|\b(?:const|let|var)\s+main\s*=|(?:^|[^.\w$])main\s*=[^=]/;

/**
 * Runs customer JavaScript in QuickJS (compiled to WebAssembly) on worker threads, so a run never
 * holds up the caller's event loop: nothing of Node exists inside, each run gets a fresh runtime,
 * and time, memory, stack, host calls, console output and the result are limited. Host functions
 * run on the caller's thread and may be async; the script calls them as if they were synchronous.
 * A run that overstays its time limit has its worker terminated, whatever it is doing.
 *
 * @example
 * const engine = await ScriptEngine.create();
 * const outcome = await engine.run({
 *   name: 'label-suffix',
 *   source: 'function main(ctx) { return manufacturing.generateSerial(ctx.series) }',
 *   context: { series: 'S1' },
 *   host: { manufacturing: { generateSerial: async (series) => `${series}-0001` } },
 * });
 * // outcome: { ok: true, result: 'S1-0001', logs: [], durationMs: 3, apiCalls: 1 }
 */
export class ScriptEngine {
  private disposed = false;

  private constructor(private readonly pool: SandboxPool) {}

  /** An engine with up to `poolSize` (default 2) sandbox workers, each running one script at a time; the first starts and warms up now. */
  static async create(options: { poolSize?: number } = {}): Promise<ScriptEngine> {
    const size = options.poolSize ?? 2;
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`poolSize must be a positive integer, not ${size}`);
    const engine = new ScriptEngine(new SandboxPool(size));
    // Loading fails here, at startup, rather than in a customer's run; and the round trip of a
    // host call is paid once before anyone's time limit runs.
    const warmUp = await engine.run({ name: 'warm-up', source: 'function main() { return engine.ready() }', context: null, host: { engine: { ready: async () => true } }, limits: { timeMs: 60_000 } });
    if (!warmUp.ok) throw warmUp.error;
    return engine;
  }

  /**
   * Compiles without running: SCRIPT_INVALID (with line/column) on a syntax error or when no
   * `main` function is defined.
   *
   * @example await engine.check('label-suffix', 'function main(ctx) { return 1 }');
   */
  async check(name: string, source: string): Promise<void> {
    if (this.disposed) throw new Error('the script engine was disposed');
    const worker = await this.pool.acquire(DEFAULT_SCRIPT_LIMITS.memoryBytes);
    let answer: FromWorker;
    try {
      answer = await new Promise<FromWorker>((resolve, reject) => {
        worker.start(
          { type: 'check', name, source },
          {
            message: (message) => {
              if (message.type === 'checked' || message.type === 'fault') resolve(message);
            },
            died: reject,
          },
        );
      });
    } catch (error) {
      this.pool.retire(worker);
      throw error;
    }
    worker.finish();
    if (answer.type === 'fault') {
      this.pool.retire(worker);
      throw new Error(`the script sandbox failed: ${answer.message}`);
    }
    this.pool.release(worker);
    if (answer.type === 'checked' && answer.problem !== null) throw new SerialtraceError('SCRIPT_INVALID', answer.problem.details as SerialtraceError['details']);
    if (!DEFINES_MAIN.test(source)) throw new SerialtraceError('SCRIPT_INVALID', { script: name, reason: 'no main(context) function is defined' });
  }

  /**
   * Runs `main(context)` of `source`; never throws for anything the script does (the outcome
   * says), only for faults of the engine itself or a `context` that is not JSON.
   */
  async run(request: ScriptRunRequest): Promise<ScriptOutcome> {
    if (this.disposed) throw new Error('the script engine was disposed');
    const limits = resolveLimits(request.limits);
    const contextJson = JSON.stringify(request.context) ?? 'null';
    const methods: Record<string, string[]> = {};
    for (const [namespace, functions] of Object.entries(request.host)) {
      if (!IDENTIFIER.test(namespace)) throw new TypeError(`host namespace "${namespace}" is not an identifier`);
      methods[namespace] = Object.keys(functions).filter((name) => typeof functions[name] === 'function');
    }
    const worker = await this.pool.acquire(limits.memoryBytes);
    const startedAt = performance.now();
    const state: RunState = { script: request.name, limits, deadline: Date.now() + limits.timeMs, apiCalls: 0, timedOut: false, abort: undefined, hostErrors: [] };
    const logs: ScriptLog[] = [];
    const ending = await new Promise<Ending>((resolve) => {
      let over = false;
      const end = (value: Ending) => {
        over = true;
        clearTimeout(watchdog);
        resolve(value);
      };
      const watchdog = setTimeout(() => end({ type: 'overstayed' }), limits.timeMs + WATCHDOG_GRACE_MS);
      worker.start(
        { type: 'run', name: request.name, source: request.source, contextJson, methods, limits, deadline: state.deadline },
        {
          message: (message) => {
            switch (message.type) {
              case 'log':
                logs.push(message.log);
                return;
              case 'call':
                void callHost(request.host, state, message.namespace, message.method, message.args).then((answer) => {
                  if (!over) worker.send({ type: 'reply', call: message.call, ...answer });
                });
                return;
              case 'done':
                end({ type: 'done', result: message.result, heapBytes: message.heapBytes, broken: message.broken });
                return;
              case 'fault':
                end({ type: 'fault', message: message.message, stackOverflow: message.stackOverflow });
                return;
              case 'checked':
                return;
            }
          },
          died: (error) => end({ type: 'died', error }),
        },
      );
    });
    this.#settle(worker, ending);

    const durationMs = Math.round(performance.now() - startedAt);
    const outcome = (result: { ok: true; result: unknown } | { ok: false; error: SerialtraceError }): ScriptOutcome => {
      // A script that caught the stop and returned anyway still ends as stopped.
      const error = state.abort ?? (state.timedOut ? timeoutError(state) : undefined);
      if (error !== undefined) return { ok: false, error, logs, durationMs, apiCalls: state.apiCalls };
      return { ...result, logs, durationMs, apiCalls: state.apiCalls };
    };
    switch (ending.type) {
      case 'overstayed':
        state.timedOut = true;
        return outcome({ ok: false, error: timeoutError(state) });
      case 'died':
        // The worker's JavaScript heap ran out (a backstop: the script's own heap is WebAssembly).
        if (ending.error.code === 'ERR_WORKER_OUT_OF_MEMORY') return outcome({ ok: false, error: memoryError(state) });
        throw new Error(`the script sandbox stopped: ${ending.error.message}`, { cause: ending.error });
      case 'fault':
        // V8 ran out of native stack under QuickJS's frames (a stackBytes set too high): the
        // script gets the verdict of deep recursion.
        if (ending.stackOverflow) return outcome({ ok: false, error: memoryError(state) });
        throw new Error(`the script sandbox failed: ${ending.message}`);
      case 'done':
        return outcome(sandboxVerdict(ending.result, state));
    }
  }

  /** Releases the sandbox workers; runs already started finish, later calls throw. */
  dispose(): void {
    this.disposed = true;
    this.pool.dispose();
  }

  /** Hands the worker back, or retires it: it overstayed, failed, or its heap grew. */
  #settle(worker: SandboxWorker, ending: Ending): void {
    worker.finish();
    if (ending.type === 'done' && !ending.broken && !heapGrewTooMuch(ending.heapBytes)) this.pool.release(worker);
    else this.pool.retire(worker);
  }
}

/** The outcome of a run the worker ended, from what it says and what the host calls did. */
function sandboxVerdict(result: SandboxResult, state: RunState): { ok: true; result: unknown } | { ok: false; error: SerialtraceError } {
  if (result.ok) return { ok: true, result: JSON.parse(result.json) as unknown };
  const failure = result.failure;
  switch (failure.kind) {
    case 'timeout':
      state.timedOut = true;
      return { ok: false, error: timeoutError(state) };
    case 'memory':
      return { ok: false, error: memoryError(state) };
    case 'stopped':
      return { ok: false, error: state.abort ?? (state.timedOut ? timeoutError(state) : new SerialtraceError('INTERNAL_ERROR', { script: state.script })) };
    case 'host':
      return { ok: false, error: state.hostErrors[failure.id] ?? new SerialtraceError('INTERNAL_ERROR', { script: state.script }) };
    case 'error':
      return { ok: false, error: new SerialtraceError(failure.code, failure.details as SerialtraceError['details']) };
  }
}

/** Calls one host function for the sandbox: the bridge's JSON envelope, and whether the run must stop. */
async function callHost(host: HostApi, state: RunState, namespace: string, method: string, argsJson: string): Promise<{ envelope: string; stop: boolean }> {
  const stop = (message: string) => ({ envelope: JSON.stringify({ ok: false, stop: true, message }), stop: true });
  if (state.abort !== undefined) return stop(state.abort.message);
  if (Date.now() > state.deadline) {
    state.timedOut = true;
    return stop(timeoutError(state).message);
  }
  state.apiCalls += 1;
  if (state.apiCalls > state.limits.apiCalls) {
    state.abort = new SerialtraceError('SCRIPT_API_LIMIT', { script: state.script, limit: state.limits.apiCalls });
    return stop(state.abort.message);
  }
  const functions = Object.hasOwn(host, namespace) ? host[namespace] : undefined;
  const fn = functions !== undefined && Object.hasOwn(functions, method) ? functions[method] : undefined;
  if (fn === undefined) return { envelope: JSON.stringify({ ok: false, message: `${namespace}.${method} is not a function` }), stop: false };
  const parsed: unknown = JSON.parse(argsJson);
  const args = Array.isArray(parsed) ? (parsed as unknown[]) : [];

  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const result = await Promise.race([
      Promise.resolve().then(() => fn(...args)),
      new Promise<typeof TIMED_OUT>((resolve) => {
        timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, state.deadline - Date.now()));
      }),
    ]);
    if (result === TIMED_OUT || Date.now() > state.deadline) {
      state.timedOut = true;
      return stop(timeoutError(state).message);
    }
    const json = JSON.stringify(result);
    return { envelope: json === undefined ? '{"ok":true}' : `{"ok":true,"value":${json}}`, stop: false };
  } catch (error) {
    if (Date.now() > state.deadline) {
      state.timedOut = true;
      return stop(timeoutError(state).message);
    }
    if (isSerialtraceError(error)) {
      const id = state.hostErrors.push(error) - 1;
      return { envelope: JSON.stringify({ ok: false, host: true, id, message: error.message, code: error.code, details: plainDetails(error.details) }), stop: false };
    }
    // A bug of the host: the script learns nothing of it, the caller gets it as the cause.
    const internal = new SerialtraceError('INTERNAL_ERROR', { script: state.script });
    Object.defineProperty(internal, 'cause', { value: error, enumerable: false });
    state.abort = internal;
    return stop(internal.message);
  } finally {
    clearTimeout(timer);
  }
}

function plainDetails(details: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(details) ?? '{}') as unknown;
  } catch {
    return {};
  }
}

function timeoutError(state: RunState): SerialtraceError {
  return new SerialtraceError('SCRIPT_TIMEOUT', { script: state.script, limitMs: state.limits.timeMs });
}

function memoryError(state: RunState): SerialtraceError {
  return new SerialtraceError('SCRIPT_MEMORY_EXCEEDED', { script: state.script, limitBytes: state.limits.memoryBytes });
}
