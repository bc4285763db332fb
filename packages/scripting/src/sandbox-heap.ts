/**
 * The WebAssembly heap of a sandbox, which is what the memory limit limits: QuickJS's own limit
 * does not hold in this build (see `sandboxFor` in sandbox-worker.ts). The heap starts at the
 * 16 MiB the module declares; a run may grow it by its memory limit, and a worker whose heap has
 * grown by more than {@link RETIRE_GROWTH_BYTES} is retired after the run (WebAssembly memory
 * never shrinks, and ending the thread gives it back). So a run finds at most that much free
 * heap left by earlier runs, and its memory's maximum is sized to let it grow by its limit from
 * there, plus a little room to describe the failure once it has.
 */
export const WASM_PAGE_BYTES = 64 * 1024;
/** The module's declared maximum (2 GiB); a memory may not promise more. */
const WASM_MAX_BYTES = 32_768 * WASM_PAGE_BYTES;
export const INITIAL_HEAP_BYTES = 16 * 1024 * 1024;
export const RETIRE_GROWTH_BYTES = 16 * 1024 * 1024;
export const HEAP_HEADROOM_BYTES = 1024 * 1024;

/** The maximum of the WebAssembly memory of a module serving runs with this memory limit. */
export function heapMaximumBytes(memoryBytes: number): number {
  const wanted = INITIAL_HEAP_BYTES + RETIRE_GROWTH_BYTES + memoryBytes + HEAP_HEADROOM_BYTES;
  return Math.min(WASM_MAX_BYTES, Math.ceil(wanted / WASM_PAGE_BYTES) * WASM_PAGE_BYTES);
}

/** The heap size a run that starts on a heap of `startBytes` may not reach. */
export function heapLimitBytes(startBytes: number, memoryBytes: number): number {
  return Math.min(startBytes + memoryBytes, heapMaximumBytes(memoryBytes) - HEAP_HEADROOM_BYTES);
}

/** Whether a worker whose heap ended a run at this size should be retired. */
export function heapGrewTooMuch(heapBytes: number): boolean {
  return heapBytes > INITIAL_HEAP_BYTES + RETIRE_GROWTH_BYTES;
}
