/**
 * The entry of a sandbox worker thread: it holds one asyncified QuickJS module and runs one job
 * at a time for the engine, which lives on the caller's thread. A run's host calls travel to the
 * engine by message; the asyncified build suspends the script until the answer comes back. The
 * engine ends a run that overstays its limit by terminating this thread, whatever it is doing.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DefaultIntrinsics, newQuickJSAsyncWASMModule, newVariant, RELEASE_ASYNC, type QuickJSAsyncContext, type QuickJSAsyncRuntime, type QuickJSAsyncWASMModule, type QuickJSHandle } from 'quickjs-emscripten';
import { ConsoleCapture } from './console-capture.js';
import { assertBridge, callFunctionAsync, disposeRuntime, executePendingJobAsync } from './quickjs-internals.js';
import type { CheckJob, FromWorker, HostReply, RunJob, SandboxErrorCode, SandboxFailure, SandboxResult, ToWorker } from './sandbox-protocol.js';
import { DEFAULT_SCRIPT_LIMITS, type ScriptLimits } from './script-limits.js';
import { PRELUDE, PRELUDE_FILE } from './script-prelude.js';
import { HEAP_HEADROOM_BYTES, heapLimitBytes, heapMaximumBytes, INITIAL_HEAP_BYTES, WASM_PAGE_BYTES } from './sandbox-heap.js';

/** The bookkeeping of one run inside the worker, shared by the interrupt handler and the bridge. */
interface RunState {
  readonly script: string;
  readonly limits: ScriptLimits;
  readonly deadline: number;
  /** The WebAssembly heap may not reach this size (its size at the start plus the memory limit). */
  readonly heapLimit: number;
  timedOut: boolean;
  memoryExceeded: boolean;
  /** Set when the engine answered a host call with "stop" (API limit, a fault of the host). */
  stopped: boolean;
}

/** The handles of the bridge, released when the run ends. */
interface Kit {
  readonly kit: QuickJSHandle;
  readonly run: QuickJSHandle;
  readonly describe: QuickJSHandle;
}

/** WebAssembly.Memory, typed by the part used: the Node types leave WebAssembly out. */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
const WasmMemory = (globalThis as unknown as { readonly WebAssembly: { readonly Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory } }).WebAssembly.Memory;

/** A QuickJS module over its own WebAssembly memory, whose maximum bounds the memory limit. */
interface Sandbox {
  readonly module: QuickJSAsyncWASMModule;
  readonly memory: WasmMemory;
  /** The memory limit the module was made for. */
  readonly memoryBytes: number;
}

type HostCall = (namespace: string, method: string, argsJson: string) => Promise<{ readonly envelope: string; readonly stop: boolean }>;

// ArrayBuffer storage escapes QuickJS's own accounting, so typed arrays, DataView and
// SharedArrayBuffer are left out; serialization scripts have no use for them.
const SANDBOX_INTRINSICS = { ...DefaultIntrinsics, TypedArrays: false };
const MEMORY_MESSAGES = /out of memory|stack overflow|call stack size/i;
const STACK_LINES = 20;
const STACK_LINE_CHARS = 200;
/** The longest error message kept from a script (a thrown megabyte would otherwise be stored). */
const REASON_CHARS = 2_000;
const QUICKJS_MAX_LIMIT_BYTES = 2 ** 31 - 1;
const port = parentPort;
if (port === null) throw new Error('sandbox-worker runs as a worker thread');

let sandbox: Sandbox | undefined;
/** Set once the module failed in a way that makes it suspect: the engine retires the worker. */
let broken = false;
let pendingReplies = new Map<number, (reply: HostReply) => void>();
let nextCall = 0;

function post(message: FromWorker): void {
  port!.postMessage(message);
}

/**
 * The module for runs with this memory limit. Its WebAssembly memory may grow only so far:
 * QuickJS's own limit does not hold under Emscripten, where QuickJS cannot ask malloc how large a
 * block is and so counts 8 bytes per allocation whatever its size (measured: 150 arrays of a
 * million numbers, 1.2 GB, passed a 64 MiB limit); it only refuses a single allocation larger
 * than the limit. Another limit loads another module (a few milliseconds: V8 caches the code).
 */
async function sandboxFor(memoryBytes: number): Promise<Sandbox> {
  if (sandbox !== undefined && sandbox.memoryBytes === memoryBytes) return sandbox;
  const memory = new WasmMemory({ initial: INITIAL_HEAP_BYTES / WASM_PAGE_BYTES, maximum: heapMaximumBytes(memoryBytes) / WASM_PAGE_BYTES });
  sandbox = undefined;
  const module = await newQuickJSAsyncWASMModule(newVariant(RELEASE_ASYNC, { wasmMemory: memory }));
  sandbox = { module, memory, memoryBytes };
  return sandbox;
}

/**
 * QuickJS takes its limit as a 32-bit number in this build: 4 GiB (the largest setting) would
 * wrap to nothing. No heap here is larger than 2 GiB anyway.
 */
function quickjsLimit(bytes: number): number {
  return Math.min(bytes, QUICKJS_MAX_LIMIT_BYTES);
}

function heapBytes(): number {
  return sandbox?.memory.buffer.byteLength ?? 0;
}

/** A fresh runtime and context, disposed afterwards. */
async function withContext<T>(box: Sandbox, limits: ScriptLimits, use: (runtime: QuickJSAsyncRuntime, context: QuickJSAsyncContext) => Promise<T>): Promise<T> {
  const runtime = box.module.newRuntime();
  let context: QuickJSAsyncContext | undefined;
  try {
    // QuickJS refuses single allocations beyond this; the heap's maximum bounds the rest.
    runtime.setMemoryLimit(quickjsLimit(limits.memoryBytes));
    runtime.setMaxStackSize(limits.stackBytes);
    context = runtime.newContext({ intrinsics: SANDBOX_INTRINSICS });
    assertBridge(context);
    return await use(runtime, context);
  } finally {
    try {
      context?.dispose();
      disposeRuntime(box.module, runtime);
    } catch {
      // Freeing a runtime that ran out of memory or stack can fail an assertion of QuickJS: the
      // run has its verdict, but the module is suspect now, and the engine retires this worker.
      sandbox = undefined;
      broken = true;
    }
  }
}

async function check(job: CheckJob): Promise<void> {
  // Compiling needs no particular memory limit: whichever module is loaded will do.
  const box = sandbox ?? (await sandboxFor(DEFAULT_SCRIPT_LIMITS.memoryBytes));
  const problem = await withContext(box, DEFAULT_SCRIPT_LIMITS, async (_runtime, context) => compileError(context, job.name, job.source));
  post({ type: 'checked', problem: problem === undefined ? null : { code: 'SCRIPT_INVALID', details: problem } });
}

async function run(job: RunJob, host: HostCall, onLog: (capture: ConsoleCapture, from: number) => void): Promise<SandboxResult> {
  const box = await sandboxFor(job.limits.memoryBytes);
  const heapLimit = heapLimitBytes(box.memory.buffer.byteLength, job.limits.memoryBytes);
  const state: RunState = { script: job.name, limits: job.limits, deadline: job.deadline, heapLimit, timedOut: false, memoryExceeded: false, stopped: false };
  const capture = new ConsoleCapture(job.limits.logBytes, performance.now());
  return withContext(box, job.limits, (runtime, context) => runInSandbox(box, runtime, context, job, state, capture, host, onLog));
}

async function runInSandbox(
  box: Sandbox,
  runtime: QuickJSAsyncRuntime,
  context: QuickJSAsyncContext,
  job: RunJob,
  state: RunState,
  capture: ConsoleCapture,
  host: HostCall,
  onLog: (capture: ConsoleCapture, from: number) => void,
): Promise<SandboxResult> {
  const fail = (failure: SandboxFailure): SandboxResult => ({ ok: false, failure });
  const error = (code: SandboxErrorCode, details: Record<string, unknown>) => fail({ kind: 'error', code, details: { script: job.name, ...details } });
  const finish = (result: SandboxResult): SandboxResult => {
    // A script that caught the stop and returned anyway still ends as stopped.
    if (state.stopped) return fail({ kind: 'stopped' });
    if (state.timedOut) return fail({ kind: 'timeout' });
    if (state.memoryExceeded) return fail({ kind: 'memory' });
    return result;
  };

  const kit = installBridge(context, capture, onLog);
  try {
    if (Object.keys(job.methods).length > 0) installHost(context, kit, job.methods, state, host);
    const invalid = compileError(context, job.name, job.source);
    if (invalid !== undefined) return finish(error('SCRIPT_INVALID', invalid));

    // Armed only now that the sandbox is set up: the bridge's own code must not be interrupted
    // (a run that began late, on a loaded machine, would fail as a fault of the sandbox instead
    // of timing out), and from here on everything that runs is the script's.
    runtime.setInterruptHandler(() => {
      if (state.stopped) return true;
      if (box.memory.buffer.byteLength >= state.heapLimit) {
        state.memoryExceeded = true;
        return true;
      }
      if (Date.now() <= state.deadline) return false;
      state.timedOut = true;
      return true;
    });

    const evaluated = await context.evalCodeAsync(job.source, job.name, { type: 'global' });
    if (evaluated.error !== undefined) return finish(await describeFailure(box, runtime, context, kit, state, evaluated.error));
    evaluated.value.dispose();

    const settled = await runMain(context, kit, state, job.contextJson);
    if ('error' in settled) {
      if (settled.error === undefined) return finish(state.timedOut ? fail({ kind: 'timeout' }) : error('SCRIPT_FAILED', { reason: 'main returned a promise that never settles', stack: '' }));
      return finish(await describeFailure(box, runtime, context, kit, state, settled.error));
    }
    const reply = settled.reply;
    if (reply === 'I') return finish(error('SCRIPT_INVALID', { reason: 'no main(context) function is defined' }));
    if (reply.startsWith('O')) return finish(error('SCRIPT_OUTPUT_INVALID', { reason: cut(reply.slice(1)) }));
    const json = reply.slice(1);
    const bytes = Buffer.byteLength(json);
    if (bytes > job.limits.resultBytes) return finish(error('SCRIPT_OUTPUT_TOO_LARGE', { bytes, limitBytes: job.limits.resultBytes }));
    return finish({ ok: true, json });
  } finally {
    kit.run.dispose();
    kit.describe.dispose();
    kit.kit.dispose();
  }
}

function installBridge(context: QuickJSAsyncContext, capture: ConsoleCapture, onLog: (capture: ConsoleCapture, from: number) => void): Kit {
  const kit = context.unwrapResult(context.evalCode(PRELUDE, PRELUDE_FILE, { type: 'global', strict: true }));
  const write = context.newFunction('write', (level, line) => {
    const name = context.getString(level);
    const from = capture.logs.length;
    const accepted = capture.write(name === 'info' || name === 'warn' || name === 'error' ? name : 'log', context.getString(line));
    onLog(capture, from);
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

function installHost(context: QuickJSAsyncContext, kit: Kit, methods: RunJob['methods'], state: RunState, host: HostCall): void {
  const call = context.newAsyncifiedFunction('call', async (namespace, method, args) => {
    // Read the arguments before the first await; the answer may come much later.
    const reply = callHost(state, host, context.getString(namespace), context.getString(method), context.typeof(args) === 'string' ? context.getString(args) : '[]');
    return context.newString(await reply);
  });
  const install = context.getProp(kit.kit, 'namespace');
  try {
    for (const [namespace, names] of Object.entries(methods)) {
      const name = context.newString(namespace);
      const list = context.newString(JSON.stringify(names));
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

/** One host call; the engine counts it against the limit, runs it and answers the bridge's envelope. */
async function callHost(state: RunState, host: HostCall, namespace: string, method: string, argsJson: string): Promise<string> {
  const stop = (message: string) => JSON.stringify({ ok: false, stop: true, message });
  if (state.stopped) return stop('the run was stopped');
  if (Date.now() > state.deadline) {
    state.timedOut = true;
    return stop('the script ran out of time');
  }
  const answer = await host(namespace, method, argsJson);
  if (answer.stop) state.stopped = true;
  return answer.envelope;
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

/** Turns what the script threw into the run's failure; disposes the handle. */
async function describeFailure(box: Sandbox, runtime: QuickJSAsyncRuntime, context: QuickJSAsyncContext, kit: Kit, state: RunState, thrown: QuickJSHandle): Promise<SandboxResult> {
  const fail = (failure: SandboxFailure): SandboxResult => ({ ok: false, failure });
  try {
    if (state.stopped) return fail({ kind: 'stopped' });
    if (state.timedOut || Date.now() > state.deadline) {
      state.timedOut = true;
      return fail({ kind: 'timeout' });
    }
    if (state.memoryExceeded) return fail({ kind: 'memory' });
    // Room to describe an out-of-memory error once the script's own allocations hit the limit.
    runtime.setMemoryLimit(quickjsLimit(state.limits.memoryBytes + HEAP_HEADROOM_BYTES));
    const described = await callFunctionAsync(context, kit.describe, kit.kit, [thrown]);
    if (described.error !== undefined) {
      described.error.dispose();
      if (state.stopped) return fail({ kind: 'stopped' });
      if (state.timedOut) return fail({ kind: 'timeout' });
      if (state.memoryExceeded || box.memory.buffer.byteLength >= state.heapLimit) return fail({ kind: 'memory' });
      return fail({ kind: 'error', code: 'SCRIPT_FAILED', details: { script: state.script, reason: 'the script threw something that cannot be read', stack: '' } });
    }
    const text = context.getString(described.value);
    described.value.dispose();
    const parsed = JSON.parse(text) as ['host', number] | ['script', string, string, string, boolean];
    if (parsed[0] === 'host') return fail({ kind: 'host', id: parsed[1] });
    const [, name, message, stack, internal] = parsed;
    if (internal && message === 'interrupted') return fail({ kind: 'timeout' });
    if (internal && MEMORY_MESSAGES.test(message)) return fail({ kind: 'memory' });
    return fail({ kind: 'error', code: 'SCRIPT_FAILED', details: { script: state.script, reason: cut(message === '' ? name || 'unknown error' : message), stack: trimStack(stack) } });
  } finally {
    if (thrown.alive) thrown.dispose();
  }
}

/** Where a script fails to compile, as SCRIPT_INVALID's details; undefined when it compiles. */
function compileError(context: QuickJSAsyncContext, script: string, source: string): Record<string, unknown> | undefined {
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
    if (MEMORY_MESSAGES.test(message)) return { script, reason: `${message} while compiling` };
    // QuickJS puts the position of a syntax error in the first stack line: "    at name:2:14".
    const where = /:(\d+):(\d+)\)?\s*$/.exec(read('stack').split('\n')[0] ?? '');
    const position: Record<string, number> = where === null ? {} : { line: Number(where[1]), column: Number(where[2]) };
    return { script, reason: cut(message), ...position };
  } finally {
    error.dispose();
  }
}

function trimStack(stack: string): string {
  return stack
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.includes(PRELUDE_FILE))
    .slice(0, STACK_LINES)
    .map((line) => line.trim().slice(0, STACK_LINE_CHARS))
    .join('\n');
}

function cut(text: string): string {
  return text.length <= REASON_CHARS ? text : `${text.slice(0, REASON_CHARS)}…`;
}

function isNativeStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack size/i.test(error.message);
}

/** Runs one job to its end message; a fault of the sandbox itself is reported as such. */
async function serve(job: RunJob | CheckJob): Promise<void> {
  try {
    if (job.type === 'check') {
      await check(job);
      return;
    }
    const host: HostCall = (namespace, method, args) =>
      new Promise((resolve) => {
        const call = nextCall++;
        pendingReplies.set(call, resolve);
        post({ type: 'call', call, namespace, method, args });
      });
    const result = await run(job, host, (capture, from) => {
      for (const log of capture.logs.slice(from)) post({ type: 'log', log });
    });
    post({ type: 'done', result, heapBytes: heapBytes(), broken });
  } catch (error) {
    // The module is suspect now (a trap, or V8's own stack overflow under deep recursion): the
    // engine retires this worker.
    const heap = heapBytes();
    sandbox = undefined;
    post({ type: 'fault', message: error instanceof Error ? error.message : String(error), stackOverflow: isNativeStackOverflow(error), heapBytes: heap });
  } finally {
    pendingReplies = new Map();
  }
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'reply') {
    pendingReplies.get(message.call)?.(message);
    pendingReplies.delete(message.call);
    return;
  }
  void serve(message);
});

// Load and warm up before taking jobs: the first suspension of an asyncified module costs V8
// some compiling (about half a second on Node 20 when measured in the main thread), which this
// run pays instead of a customer's time limit.
const firstMemoryBytes = (workerData as { readonly memoryBytes?: number } | undefined)?.memoryBytes;
const warmLimits: ScriptLimits = { ...DEFAULT_SCRIPT_LIMITS, timeMs: 60_000, ...(firstMemoryBytes === undefined ? {} : { memoryBytes: firstMemoryBytes }) };
const warmUp = await run(
  { type: 'run', name: 'warm-up', source: 'function main() { return engine.ready() }', contextJson: 'null', methods: { engine: ['ready'] }, limits: warmLimits, deadline: Date.now() + warmLimits.timeMs },
  async () => ({ envelope: '{"ok":true,"value":true}', stop: false }),
  () => undefined,
);
if (!warmUp.ok || warmUp.json !== 'true') throw new Error(`the sandbox failed to warm up: ${JSON.stringify(warmUp)}`);
post({ type: 'ready' });
