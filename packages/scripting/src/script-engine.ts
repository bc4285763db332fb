import { isSerialtraceError, SerialtraceError } from '@serialtrace/core';
import { DefaultIntrinsics, type QuickJSAsyncContext, type QuickJSAsyncRuntime, type QuickJSAsyncWASMModule, type QuickJSHandle } from 'quickjs-emscripten';
import { ConsoleCapture } from './console-capture.js';
import { ModulePool } from './module-pool.js';
import { assertBridge, callFunctionAsync, disposeRuntime, executePendingJobAsync } from './quickjs-internals.js';
import { resolveLimits, DEFAULT_SCRIPT_LIMITS, type ScriptLimits } from './script-limits.js';
import type { HostApi, ScriptLog, ScriptOutcome } from './script-outcome.js';
import { PRELUDE, PRELUDE_FILE } from './script-prelude.js';

/** What `run` needs: the script, its input, the host functions it may call. */
export interface ScriptRunRequest {
  readonly name: string;
  readonly source: string;
  /** Any JSON value; deep-copied into the sandbox as the argument of `main`. */
  readonly context: unknown;
  readonly host: HostApi;
  readonly limits?: Partial<ScriptLimits>;
}

/** The bookkeeping of one run, shared by the interrupt handler and the host bridge. */
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

/** The handles of the bridge, released when the run ends. */
interface Kit {
  readonly kit: QuickJSHandle;
  readonly run: QuickJSHandle;
  readonly describe: QuickJSHandle;
}

// ArrayBuffer storage escapes QuickJS's memory limit in this build (measured: 300 buffers of
// 1 MiB under a 16 MiB limit, the WebAssembly heap growing to match), so typed arrays, DataView
// and SharedArrayBuffer are left out; serialization scripts have no use for them.
const SANDBOX_INTRINSICS = { ...DefaultIntrinsics, TypedArrays: false };
// WebAssembly memory never shrinks: a module whose heap grew past this is retired after the run.
const RETIRE_HEAP_BYTES = 512 * 1024 * 1024;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const MEMORY_MESSAGES = /out of memory|stack overflow|call stack size/i;
const STACK_LINES = 20;
// Room to describe an out-of-memory error once the script's own allocations hit the limit.
const DESCRIBE_HEADROOM_BYTES = 1024 * 1024;
const TIMED_OUT = Symbol('timed out');
// Scripts are written `function main(context)`; anything else that defines main is caught by run.
const DEFINES_MAIN = /\bfunction\s*\*?\s*main\s*\(|\b(?:const|let|var)\s+main\s*=|(?:^|[^.\w$])main\s*=[^=]/;

/**
 * Runs customer JavaScript in QuickJS (compiled to WebAssembly): nothing of Node exists inside,
 * each run gets a fresh runtime, and time, memory, stack, host calls and console output are
 * limited. Host functions may be async; the script calls them as if they were synchronous.
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

  private constructor(private readonly pool: ModulePool) {}

  /** An engine with up to `poolSize` (default 2) runs at once; the first WebAssembly module loads and warms up now. */
  static async create(options: { poolSize?: number } = {}): Promise<ScriptEngine> {
    const size = options.poolSize ?? 2;
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`poolSize must be a positive integer, not ${size}`);
    const engine = new ScriptEngine(new ModulePool(size));
    // Loading fails here, at startup, rather than in a customer's run; and the first suspension
    // of an asyncified module in a process costs about half a second (V8 compiling the unwind
    // paths, measured on Node 20), which this run pays instead of a customer's time limit.
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
    const problem = await this.withSandbox(DEFAULT_SCRIPT_LIMITS, async (_runtime, context) => compileError(context, name, source));
    if (problem !== undefined) throw problem;
    if (!DEFINES_MAIN.test(source)) throw new SerialtraceError('SCRIPT_INVALID', { script: name, reason: 'no main(context) function is defined' });
  }

  /**
   * Runs `main(context)` of `source`; never throws for anything the script does (the outcome
   * says), only for faults of the engine itself or a `context` that is not JSON.
   */
  async run(request: ScriptRunRequest): Promise<ScriptOutcome> {
    const limits = resolveLimits(request.limits);
    const contextJson = JSON.stringify(request.context) ?? 'null';
    const namespaces = Object.keys(request.host);
    for (const namespace of namespaces) {
      if (!IDENTIFIER.test(namespace)) throw new TypeError(`host namespace "${namespace}" is not an identifier`);
    }
    let started: { readonly at: number; readonly state: RunState; readonly capture: ConsoleCapture } | undefined;
    try {
      return await this.withSandbox(limits, (runtime, context) => {
        const at = performance.now();
        const state: RunState = { script: request.name, limits, deadline: Date.now() + limits.timeMs, apiCalls: 0, timedOut: false, abort: undefined, hostErrors: [] };
        started = { at, state, capture: new ConsoleCapture(limits.logBytes, at) };
        return runInSandbox(runtime, context, request, contextJson, namespaces, started);
      });
    } catch (error) {
      // V8 ran out of native stack under QuickJS's frames (a stackBytes set too high): the
      // module is retired by withSandbox, and the script gets the verdict of deep recursion.
      if (started === undefined || !isNativeStackOverflow(error)) throw error;
      const { at, state, capture } = started;
      return { ok: false, error: memoryError(state), logs: capture.logs, durationMs: Math.round(performance.now() - at), apiCalls: state.apiCalls };
    }
  }

  /** Releases the pooled modules; runs already started finish, later calls throw. */
  dispose(): void {
    this.disposed = true;
    this.pool.dispose();
  }

  /**
   * A fresh runtime and context on a pooled module, disposed afterwards. A WebAssembly fault
   * (a trap, or V8's own stack overflow under deep recursion) retires the module.
   */
  private async withSandbox<T>(limits: ScriptLimits, use: (runtime: QuickJSAsyncRuntime, context: QuickJSAsyncContext) => Promise<T>): Promise<T> {
    if (this.disposed) throw new Error('the script engine was disposed');
    const module: QuickJSAsyncWASMModule = await this.pool.acquire();
    let broken = false;
    let runtime: QuickJSAsyncRuntime | undefined;
    let context: QuickJSAsyncContext | undefined;
    try {
      runtime = module.newRuntime();
      runtime.setMemoryLimit(limits.memoryBytes);
      runtime.setMaxStackSize(limits.stackBytes);
      context = runtime.newContext({ intrinsics: SANDBOX_INTRINSICS });
      assertBridge(context);
      return await use(runtime, context);
    } catch (error) {
      broken = isWasmFault(error);
      throw error;
    } finally {
      if (!broken && heapBytes(module) > Math.max(RETIRE_HEAP_BYTES, 4 * limits.memoryBytes)) broken = true;
      if (!broken) {
        try {
          context?.dispose();
          if (runtime !== undefined) disposeRuntime(module, runtime);
        } catch {
          broken = true;
        }
      }
      this.pool.release(module, broken);
    }
  }
}

async function runInSandbox(
  runtime: QuickJSAsyncRuntime,
  context: QuickJSAsyncContext,
  request: ScriptRunRequest,
  contextJson: string,
  namespaces: readonly string[],
  started: { readonly at: number; readonly state: RunState; readonly capture: ConsoleCapture },
): Promise<ScriptOutcome> {
  const { at: startedAt, state, capture } = started;
  const finish = (result: { ok: true; result: unknown } | { ok: false; error: SerialtraceError }): ScriptOutcome => {
    const logs: readonly ScriptLog[] = capture.logs;
    const durationMs = Math.round(performance.now() - startedAt);
    // A script that caught the stop and returned anyway still ends as stopped.
    const error = state.abort ?? (state.timedOut ? timeoutError(state) : undefined);
    if (error !== undefined) return { ok: false, error, logs, durationMs, apiCalls: state.apiCalls };
    return { ...result, logs, durationMs, apiCalls: state.apiCalls };
  };

  runtime.setInterruptHandler(() => {
    if (state.abort !== undefined) return true;
    if (Date.now() <= state.deadline) return false;
    state.timedOut = true;
    return true;
  });

  const kit = installBridge(context, capture);
  try {
    if (namespaces.length > 0) installHost(context, kit, request.host, state);
    const invalid = compileError(context, request.name, request.source);
    if (invalid !== undefined) return finish({ ok: false, error: invalid });

    const evaluated = await context.evalCodeAsync(request.source, request.name, { type: 'global' });
    if (evaluated.error !== undefined) return finish({ ok: false, error: await describeFailure(runtime, context, kit, state, evaluated.error) });
    evaluated.value.dispose();

    const settled = await runMain(context, kit, state, contextJson);
    if ('error' in settled) return finish({ ok: false, error: settled.error === undefined ? neverSettles(state) : await describeFailure(runtime, context, kit, state, settled.error) });
    const reply = settled.reply;
    if (reply === 'I') return finish({ ok: false, error: new SerialtraceError('SCRIPT_INVALID', { script: request.name, reason: 'no main(context) function is defined' }) });
    if (reply.startsWith('O')) return finish({ ok: false, error: new SerialtraceError('SCRIPT_OUTPUT_INVALID', { script: request.name, reason: reply.slice(1) }) });
    return finish({ ok: true, result: JSON.parse(reply.slice(1)) as unknown });
  } finally {
    kit.run.dispose();
    kit.describe.dispose();
    kit.kit.dispose();
  }
}

function installBridge(context: QuickJSAsyncContext, capture: ConsoleCapture): Kit {
  const kit = context.unwrapResult(context.evalCode(PRELUDE, PRELUDE_FILE, { type: 'global', strict: true }));
  const write = context.newFunction('write', (level, line) => {
    const name = context.getString(level);
    const accepted = capture.write(name === 'info' || name === 'warn' || name === 'error' ? name : 'log', context.getString(line));
    return accepted ? context.true : context.false;
  });
  try {
    const install = context.getProp(kit, 'console');
    try {
      context.unwrapResult(context.callFunction(install, kit, write)).dispose();
    } finally {
      install.dispose();
    }
  } finally {
    write.dispose();
  }
  return { kit, run: context.getProp(kit, 'run'), describe: context.getProp(kit, 'describe') };
}

function installHost(context: QuickJSAsyncContext, kit: Kit, host: HostApi, state: RunState): void {
  const call = context.newAsyncifiedFunction('call', async (namespace, method, args) => {
    // Read the arguments before the first await; the host call may resume much later.
    const reply = callHost(host, state, context.getString(namespace), context.getString(method), context.typeof(args) === 'string' ? context.getString(args) : '[]');
    return context.newString(await reply);
  });
  const install = context.getProp(kit.kit, 'namespace');
  try {
    for (const [namespace, functions] of Object.entries(host)) {
      const methods = Object.keys(functions).filter((name) => typeof functions[name] === 'function');
      const name = context.newString(namespace);
      const list = context.newString(JSON.stringify(methods));
      try {
        context.unwrapResult(context.callFunction(install, kit.kit, name, list, call)).dispose();
      } finally {
        name.dispose();
        list.dispose();
      }
    }
  } finally {
    install.dispose();
    call.dispose();
  }
}

/** Calls one host function and answers the bridge with a JSON envelope. */
async function callHost(host: HostApi, state: RunState, namespace: string, method: string, argsJson: string): Promise<string> {
  const stop = (message: string) => JSON.stringify({ ok: false, message });
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
  if (fn === undefined) return stop(`${namespace}.${method} is not a function`);
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
    return json === undefined ? '{"ok":true}' : `{"ok":true,"value":${json}}`;
  } catch (error) {
    if (Date.now() > state.deadline) {
      state.timedOut = true;
      return stop(timeoutError(state).message);
    }
    if (isSerialtraceError(error)) {
      const id = state.hostErrors.push(error) - 1;
      return JSON.stringify({ ok: false, host: true, id, message: error.message, code: error.code, details: plainDetails(error.details) });
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

type MainSettled = { readonly reply: string } | { readonly error: QuickJSHandle | undefined };

/** Calls the bridge's `run` (which awaits `main`) and runs promise jobs until it settles. */
async function runMain(context: QuickJSAsyncContext, kit: Kit, state: RunState, contextJson: string): Promise<MainSettled> {
  const input = context.newString(contextJson);
  let called;
  try {
    called = await callFunctionAsync(context, kit.run, kit.kit, [input]);
  } finally {
    input.dispose();
  }
  if (called.error !== undefined) return { error: called.error };
  const promise = called.value;
  try {
    for (;;) {
      const status = context.getPromiseState(promise);
      if (status.type === 'fulfilled') {
        const reply = context.getString(status.value);
        if (!status.notAPromise) status.value.dispose();
        return { reply };
      }
      if (status.type === 'rejected') return { error: status.error };
      const job = await executePendingJobAsync(context);
      if (job.error !== undefined) return { error: job.error };
      if (Date.now() > state.deadline) {
        state.timedOut = true;
        return { error: undefined };
      }
      if (!job.ran) return { error: undefined };
    }
  } finally {
    promise.dispose();
  }
}

/** Turns what the script threw into the run's error; disposes the handle. */
async function describeFailure(runtime: QuickJSAsyncRuntime, context: QuickJSAsyncContext, kit: Kit, state: RunState, thrown: QuickJSHandle): Promise<SerialtraceError> {
  try {
    if (state.abort !== undefined) return state.abort;
    if (state.timedOut || Date.now() > state.deadline) {
      state.timedOut = true;
      return timeoutError(state);
    }
    runtime.setMemoryLimit(state.limits.memoryBytes + DESCRIBE_HEADROOM_BYTES);
    const described = await callFunctionAsync(context, kit.describe, kit.kit, [thrown]);
    if (described.error !== undefined) {
      described.error.dispose();
      if (state.abort !== undefined) return state.abort;
      if (state.timedOut) return timeoutError(state);
      return new SerialtraceError('SCRIPT_FAILED', { script: state.script, reason: 'the script threw something that cannot be read', stack: '' });
    }
    const text = context.getString(described.value);
    described.value.dispose();
    const parsed = JSON.parse(text) as ['host', number] | ['script', string, string, string, boolean];
    if (parsed[0] === 'host') return state.hostErrors[parsed[1]] ?? new SerialtraceError('INTERNAL_ERROR', { script: state.script });
    const [, name, message, stack, internal] = parsed;
    if (internal && message === 'interrupted') return timeoutError(state);
    if (internal && MEMORY_MESSAGES.test(message)) return memoryError(state);
    return new SerialtraceError('SCRIPT_FAILED', { script: state.script, reason: message === '' ? name || 'unknown error' : message, stack: trimStack(stack) });
  } finally {
    if (thrown.alive) thrown.dispose();
  }
}

function compileError(context: QuickJSAsyncContext, script: string, source: string): SerialtraceError | undefined {
  const compiled = context.evalCode(source, script, { type: 'global', compileOnly: true });
  if (compiled.error === undefined) {
    compiled.value.dispose();
    return undefined;
  }
  // A parser error: no script code has run, so reading its properties runs none either.
  const error = compiled.error;
  try {
    const read = (key: string): string => {
      const value = context.getProp(error, key);
      try {
        return context.typeof(value) === 'string' ? context.getString(value) : '';
      } finally {
        value.dispose();
      }
    };
    const message = read('message');
    if (MEMORY_MESSAGES.test(message)) return new SerialtraceError('SCRIPT_INVALID', { script, reason: `${message} while compiling` });
    // QuickJS puts the position of a syntax error in the first stack line: "    at name:2:14".
    const where = /:(\d+):(\d+)\)?\s*$/.exec(read('stack').split('\n')[0] ?? '');
    const position: Record<string, number> = where === null ? {} : { line: Number(where[1]), column: Number(where[2]) };
    return new SerialtraceError('SCRIPT_INVALID', { script, reason: message, ...position });
  } finally {
    error.dispose();
  }
}

function trimStack(stack: string): string {
  return stack
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.includes(PRELUDE_FILE))
    .slice(0, STACK_LINES)
    .map((line) => line.trim().slice(0, 200))
    .join('\n');
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

function neverSettles(state: RunState): SerialtraceError {
  return new SerialtraceError('SCRIPT_FAILED', { script: state.script, reason: 'main returned a promise that never settles', stack: '' });
}

function isNativeStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack size/i.test(error.message);
}

function isWasmFault(error: unknown): boolean {
  // WebAssembly.RuntimeError (a trap), named rather than referenced: the Node types leave it out.
  return (error instanceof Error && error.name === 'RuntimeError') || isNativeStackOverflow(error);
}

function heapBytes(module: QuickJSAsyncWASMModule): number {
  try {
    // WebAssembly.Memory, typed by the part used: the Node types leave WebAssembly out.
    return (module.getWasmMemory() as { readonly buffer: ArrayBuffer }).buffer.byteLength;
  } catch {
    return 0;
  }
}
