import type { QuickJSAsyncContext, QuickJSAsyncRuntime, QuickJSAsyncWASMModule, QuickJSHandle } from 'quickjs-emscripten';

// quickjs-emscripten 0.32 exposes only `evalCodeAsync` as an entry that may suspend. Calling
// `main` with `callFunction`, or running the jobs of an `async main` with
// `executePendingJobs`, while the script calls an asyncified host function corrupts the WASM
// heap (measured: "memory access out of bounds"). Its FFI's `QTS_Call_MaybeAsync` and
// `QTS_ExecutePendingJob_MaybeAsync` do not help either: Emscripten's `cwrap` hands back the raw
// export when every argument is a number, so they never wait for a suspension (only
// `QTS_Eval_MaybeAsync`, which takes a string, goes through `ccall`, which does). This file is
// the one place that wraps `QTS_Call` and `QTS_ExecutePendingJob` with `{ async: true }` and
// reaches the context's internals, mirroring the library's own synchronous `callFunction` and
// `executePendingJobs`. `assertBridge` fails loudly if an upgrade moves what it relies on.

type Pointer = number;

interface AsyncFfi {
  QTS_ResolveException(ctx: Pointer, value: Pointer): Pointer;
  QTS_FreeValuePointer(ctx: Pointer, value: Pointer): void;
  QTS_FreeValuePointerRuntime(rt: Pointer, value: Pointer): void;
}

interface ContextInternals {
  readonly ctx: { readonly value: Pointer };
  readonly rt: { readonly value: Pointer };
  readonly ffi: AsyncFfi;
  readonly memory: {
    readonly module: EmscriptenModule;
    toPointerArray(handles: QuickJSHandle[]): { readonly value: Pointer; dispose(): void };
    heapValueHandle(pointer: Pointer): QuickJSHandle;
  };
}

interface EmscriptenModule {
  readonly HEAPU8: Uint8Array;
  _malloc(bytes: number): Pointer;
  _free(pointer: Pointer): void;
  cwrap(name: string, returns: 'number', args: readonly 'number'[], options: { async: true }): (...args: number[]) => Promise<Pointer>;
}

interface SuspendableExports {
  readonly call: (ctx: Pointer, fn: Pointer, thisValue: Pointer, argc: number, argv: Pointer) => Promise<Pointer>;
  readonly executePendingJob: (rt: Pointer, maxJobs: number, lastJobContext: Pointer) => Promise<Pointer>;
}

const suspendable = new WeakMap<EmscriptenModule, SuspendableExports>();

function exportsOf(module: EmscriptenModule): SuspendableExports {
  let found = suspendable.get(module);
  if (found === undefined) {
    found = {
      call: module.cwrap('QTS_Call', 'number', ['number', 'number', 'number', 'number', 'number'], { async: true }),
      executePendingJob: module.cwrap('QTS_ExecutePendingJob', 'number', ['number', 'number', 'number'], { async: true }),
    };
    suspendable.set(module, found);
  }
  return found;
}

/** What a suspendable call gives back: a value, or the exception it raised. */
export type AsyncCallResult = { readonly value: QuickJSHandle; readonly error?: undefined } | { readonly error: QuickJSHandle; readonly value?: undefined };

function internals(context: QuickJSAsyncContext): ContextInternals {
  return context as unknown as ContextInternals;
}

/** Throws unless the internals this file relies on are where it expects them. */
export function assertBridge(context: QuickJSAsyncContext): void {
  const inner = internals(context);
  const ok =
    typeof inner.ctx?.value === 'number' &&
    typeof inner.rt?.value === 'number' &&
    typeof inner.memory?.module?.cwrap === 'function' &&
    typeof inner.ffi?.QTS_ResolveException === 'function' &&
    typeof inner.memory?.toPointerArray === 'function' &&
    typeof inner.memory?.heapValueHandle === 'function' &&
    typeof inner.memory?.module?._malloc === 'function';
  if (!ok) throw new Error('quickjs-emscripten internals changed: the suspendable call bridge of @serialtrace/scripting needs updating');
}

/**
 * `fn.apply(thisValue, args)` inside QuickJS, where `fn` may call asyncified host functions.
 *
 * @example const result = await callFunctionAsync(context, kitRun, kit, [contextJson]);
 */
export async function callFunctionAsync(context: QuickJSAsyncContext, fn: QuickJSHandle, thisValue: QuickJSHandle, args: QuickJSHandle[]): Promise<AsyncCallResult> {
  const { ctx, ffi, memory } = internals(context);
  const argv = memory.toPointerArray(args);
  let resultPointer: Pointer;
  try {
    resultPointer = await exportsOf(memory.module).call(ctx.value, fn.value, thisValue.value, args.length, argv.value);
  } finally {
    argv.dispose();
  }
  const errorPointer = ffi.QTS_ResolveException(ctx.value, resultPointer);
  if (errorPointer !== 0) {
    ffi.QTS_FreeValuePointer(ctx.value, resultPointer);
    return { error: memory.heapValueHandle(errorPointer) };
  }
  return { value: memory.heapValueHandle(resultPointer) };
}

/**
 * Runs one pending job (a promise reaction) of the context's runtime, which may call
 * asyncified host functions. Returns false when no job was pending, or the uncatchable error
 * (interrupt, out of memory) that ended the job.
 */
export async function executePendingJobAsync(context: QuickJSAsyncContext): Promise<{ readonly ran: boolean; readonly error?: QuickJSHandle }> {
  const { ctx, rt, ffi, memory } = internals(context);
  const heap = memory.module;
  const contextOut = heap._malloc(4);
  try {
    new Int32Array(heap.HEAPU8.buffer, contextOut, 1)[0] = 0;
    const valuePointer = await exportsOf(heap).executePendingJob(rt.value, 1, contextOut);
    // A fresh view: the heap may have grown (and its old buffer detached) while the job ran.
    const jobContext = new Int32Array(heap.HEAPU8.buffer, contextOut, 1)[0] ?? 0;
    if (jobContext === 0) {
      ffi.QTS_FreeValuePointerRuntime(rt.value, valuePointer);
      return { ran: false };
    }
    if (jobContext !== ctx.value) {
      ffi.QTS_FreeValuePointerRuntime(rt.value, valuePointer);
      throw new Error('a pending job belonged to another context');
    }
    const value = memory.heapValueHandle(valuePointer);
    if (context.typeof(value) === 'number') {
      value.dispose();
      return { ran: true };
    }
    return { ran: true, error: value };
  } finally {
    heap._free(contextOut);
  }
}

interface ModuleInternals {
  // A property type, not a method: it is swapped out and called back with an explicit `this`.
  readonly callbacks: { deleteRuntime: (rt: Pointer) => void };
}

/**
 * Disposes a runtime without faulting. quickjs-emscripten 0.32's async module forgets a
 * runtime's callbacks before freeing it, but freeing runs QuickJS's last garbage collection,
 * which finalises the host functions still in cycles (and a script's closures always form
 * some) and calls back to release them: "QuickJSRuntime not found when trying to free
 * HostRef", thrown through the half-freed runtime. Forgetting the callbacks afterwards instead
 * keeps the module usable (measured: without it every run had to retire its module).
 */
export function disposeRuntime(module: QuickJSAsyncWASMModule, runtime: QuickJSAsyncRuntime): void {
  const callbacks = (module as unknown as ModuleInternals).callbacks;
  const rt = (runtime as unknown as { readonly rt: { readonly value: Pointer } }).rt.value;
  if (typeof callbacks?.deleteRuntime !== 'function') {
    runtime.dispose();
    return;
  }
  const forget = callbacks.deleteRuntime;
  const own = Object.hasOwn(callbacks, 'deleteRuntime');
  callbacks.deleteRuntime = () => undefined;
  try {
    runtime.dispose();
  } finally {
    if (own) callbacks.deleteRuntime = forget;
    else delete (callbacks as { deleteRuntime?: unknown }).deleteRuntime;
    forget.call(callbacks, rt);
  }
}
