import { afterAll, beforeAll } from 'vitest';
import type { SerialtraceError } from '@serialtrace/core';
import { ScriptEngine, type HostApi, type ScriptLimits, type ScriptOutcome } from '@serialtrace/scripting';

/** One real engine per test file, disposed afterwards. */
export function useEngine(poolSize = 2): () => ScriptEngine {
  let engine: ScriptEngine | undefined;
  beforeAll(async () => {
    engine = await ScriptEngine.create({ poolSize });
  });
  afterAll(() => engine?.dispose());
  return () => {
    if (engine === undefined) throw new Error('the engine is not ready');
    return engine;
  };
}

/**
 * Small limits keep the suite fast; each test overrides what it exercises. The time limit is
 * generous because QuickJS runs slowly until V8 has optimised its WebAssembly.
 */
export const TEST_LIMITS: Partial<ScriptLimits> = { timeMs: 2_000, memoryBytes: 16 * 1024 * 1024 };

export function runner(engine: () => ScriptEngine) {
  return (source: string, options: { context?: unknown; host?: HostApi; limits?: Partial<ScriptLimits> } = {}): Promise<ScriptOutcome> =>
    engine().run({ name: 'test-script', source, context: options.context ?? null, host: options.host ?? {}, limits: { ...TEST_LIMITS, ...options.limits } });
}

export function resultOf(outcome: ScriptOutcome): unknown {
  if (!outcome.ok) throw new Error(`expected success, got ${outcome.error.code}: ${outcome.error.message}`);
  return outcome.result;
}

export function errorOf(outcome: ScriptOutcome): SerialtraceError {
  if (outcome.ok) throw new Error(`expected a failure, got ${JSON.stringify(outcome.result)}`);
  return outcome.error;
}
