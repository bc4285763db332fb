/**
 * What one run of a customer script may use. Each limit ends the run with its own error code,
 * so a user can tell an endless loop from a runaway allocation.
 *
 * @example engine.run({ name, source, context, host, limits: { timeMs: 200 } })
 */
export interface ScriptLimits {
  /** Wall-clock time of a run, host calls included. */
  readonly timeMs: number;
  /** Heap the script may allocate. */
  readonly memoryBytes: number;
  /** Calls to host functions per run. */
  readonly apiCalls: number;
  /** Stack size (deep recursion). */
  readonly stackBytes: number;
  /** Captured console output per run, at most; the rest is dropped with a marker. */
  readonly logBytes: number;
  /** The JSON of what `main` returns, at most (it is stored with the run and answered). */
  readonly resultBytes: number;
}

/**
 * The stack default is below the 512 KiB one might expect: QuickJS counts its own C stack, but
 * each of its frames also costs native stack in V8, and from about 384 KiB on Node's default
 * 984 KiB stack, V8 overflows before QuickJS notices (measured with quickjs-emscripten 0.32).
 */
export const DEFAULT_SCRIPT_LIMITS: ScriptLimits = Object.freeze({
  timeMs: 5_000,
  memoryBytes: 64 * 1024 * 1024,
  apiCalls: 10_000,
  stackBytes: 256 * 1024,
  logBytes: 64 * 1024,
  resultBytes: 1024 * 1024,
});

/** Limits with the caller's overrides; a missing or non-positive value keeps the default. */
export function resolveLimits(overrides: Partial<ScriptLimits> = {}): ScriptLimits {
  const pick = (key: keyof ScriptLimits): number => {
    const value = overrides[key];
    return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : DEFAULT_SCRIPT_LIMITS[key];
  };
  return {
    timeMs: pick('timeMs'),
    memoryBytes: pick('memoryBytes'),
    apiCalls: pick('apiCalls'),
    stackBytes: pick('stackBytes'),
    logBytes: pick('logBytes'),
    resultBytes: pick('resultBytes'),
  };
}
