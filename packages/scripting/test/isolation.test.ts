import { describe, expect, it } from 'vitest';
import { errorOf, resultOf, runner, useEngine } from './engine-fixture.ts';

/**
 * A run must not hold up the process that asked for it, must end by its limits whatever it is
 * doing, and must give back what it took. Timings are loose (shared 2-core machines); `npm run
 * bench -- --only scripts` reports the exact figures.
 */

const run = runner(useEngine(1));
const MiB = 1024 * 1024;

/** The longest gap between ticks of a 10 ms timer while `work` runs. */
async function longestStall<T>(work: () => Promise<T>): Promise<{ value: T; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 10);
  try {
    const value = await work();
    stallMs = Math.max(stallMs, performance.now() - last);
    return { value, stallMs };
  } finally {
    clearInterval(timer);
  }
}

describe('a run is off the event loop', () => {
  it('keeps the event loop turning while a script loops', async () => {
    const { value, stallMs } = await longestStall(() => run('function main() { while (true) {} }', { limits: { timeMs: 1_500 } }));
    expect(errorOf(value).code).toBe('SCRIPT_TIMEOUT');
    expect(stallMs).toBeLessThan(500);
  });

  it.each([
    // QuickJS polls its interrupt handler between bytecodes, every 10,000 of them: a loop whose
    // every turn is one long built-in call is not stopped by it for minutes.
    ['one long built-in call per turn', 'function main() { for (;;) "x".repeat(4e6) }'],
    ['a string bomb', 'function main() { let n = 0; for (;;) n += "x".repeat(1e6).length }'],
  ])('ends a run stuck in %s by its time limit', async (_, source) => {
    const { value, stallMs } = await longestStall(() => run(source, { limits: { timeMs: 300, memoryBytes: 64 * MiB } }));
    expect(errorOf(value).code).toBe('SCRIPT_TIMEOUT');
    // From the run's start (the wait for a worker, replaced after the last test, left out).
    expect(value.durationMs).toBeLessThan(300 + 1_000);
    expect(stallMs).toBeLessThan(500);
  });
});

describe('the memory limit', () => {
  // First in the file: the process's peak memory is what it measures.
  it('keeps the process within bounds during a memory bomb, and gives the memory back after', async () => {
    const before = process.memoryUsage().rss;
    const peakBefore = process.resourceUsage().maxRSS * 1024;
    const bomb = 'function main() { const a = []; for (let i = 0; i < 150; i++) a.push(new Array(1e6).fill(i + .5)); return a.length }';
    const outcome = await run(bomb, { limits: { timeMs: 20_000, memoryBytes: 64 * MiB } });
    expect(process.resourceUsage().maxRSS * 1024 - Math.max(before, peakBefore)).toBeLessThan(256 * MiB);
    expect(errorOf(outcome).code).toBe('SCRIPT_MEMORY_EXCEEDED');
    // The worker that served it ends (its WebAssembly memory with it) and a fresh one takes over.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * MiB);
    expect(resultOf(await run('function main() { return 1 }'))).toBe(1);
  });

  it.each([
    // Built-ins filling arrays: under Emscripten QuickJS counts 8 bytes per allocation, whatever its size.
    ['arrays filled by a built-in', 'function main() { const a = []; for (let i = 0; i < 150; i++) a.push(new Array(1e6).fill(i + .5)); return a.length }'],
    ['strings kept alive', 'function main() { const a = []; for (;;) a.push("x".repeat(1e6)) }'],
    ['strings caught and kept in a global', 'globalThis.keep = []; function main() { for (;;) { try { keep.push("x".repeat(1e6) + keep.length) } catch (e) {} } }'],
  ])('holds for %s', async (_, source) => {
    const outcome = await run(source, { limits: { timeMs: 20_000, memoryBytes: 64 * MiB } });
    expect(errorOf(outcome).code).toBe('SCRIPT_MEMORY_EXCEEDED');
    expect(errorOf(outcome).details).toMatchObject({ limitBytes: 64 * MiB });
    expect(outcome.durationMs).toBeLessThan(10_000);
    expect(resultOf(await run('function main() { return new Array(1e5).fill(1).length }'))).toBe(1e5);
  });
});

describe('a memory limit past the heap\'s size', () => {
  it('runs scripts under the largest setting, 4096 MiB, beyond the 2 GiB a heap may have', async () => {
    expect(resultOf(await run('function main() { return [1, 2, 3] }', { limits: { memoryBytes: 4096 * MiB } }))).toEqual([1, 2, 3]);
    const outcome = await run('function main() { const a = []; for (;;) a.push(new Array(1e6).fill(1)) }', { limits: { memoryBytes: 1024 * MiB, timeMs: 300 } });
    expect(['SCRIPT_TIMEOUT', 'SCRIPT_MEMORY_EXCEEDED']).toContain(errorOf(outcome).code);
  });
});

describe('what a run leaves behind is bounded', () => {
  it('refuses a result larger than its limit', async () => {
    const error = errorOf(await run('function main() { return "x".repeat(2000) }', { limits: { resultBytes: 1000 } }));
    expect(error.code).toBe('SCRIPT_OUTPUT_TOO_LARGE');
    expect(error.details).toMatchObject({ script: 'test-script', bytes: 2002, limitBytes: 1000 });
    expect(resultOf(await run('function main() { return "x".repeat(998) }', { limits: { resultBytes: 1000 } }))).toHaveLength(998);
    // One MiB by default.
    expect(errorOf(await run('function main() { return ["x".repeat(1024 * 1024)] }')).code).toBe('SCRIPT_OUTPUT_TOO_LARGE');
  });

  it('cuts a huge error message', async () => {
    const error = errorOf(await run('function main() { throw new Error("x".repeat(1e6)) }'));
    expect(error.code).toBe('SCRIPT_FAILED');
    expect((error.details['reason'] as string).length).toBeLessThanOrEqual(2_001);
    expect(errorOf(await run('function main() { return { f() {} } }')).code).toBe('SCRIPT_OUTPUT_INVALID');
  });

  it('counts empty console lines against the log budget', async () => {
    const outcome = await run('function main() { for (let i = 0; i < 100000; i++) console.log(""); return 1 }', { limits: { logBytes: 1000 } });
    expect(resultOf(outcome)).toBe(1);
    expect(outcome.logs.length).toBeLessThan(50);
    expect(outcome.logs.at(-1)?.message).toContain('over 1000 bytes');
  });
});
