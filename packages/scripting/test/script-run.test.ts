import { describe, expect, it } from 'vitest';
import { isSerialtraceError, type SerialtraceError } from '@serialtrace/core';
import { ScriptEngine, DEFAULT_SCRIPT_LIMITS } from '@serialtrace/scripting';
import { errorOf, resultOf, runner, useEngine } from './engine-fixture.ts';

const engine = useEngine();
const run = runner(engine);

describe('running main(context)', () => {
  it('passes a deep copy of the context and returns the result', async () => {
    const context = { series: 'S1', lots: [{ id: 1, qty: 3 }, { id: 2, qty: 4 }] };
    const outcome = await run('function main(ctx) { ctx.lots.push(null); return { series: ctx.series, total: ctx.lots.reduce((s, l) => s + (l ? l.qty : 0), 0) } }', { context });
    expect(resultOf(outcome)).toEqual({ series: 'S1', total: 7 });
    expect(context.lots).toHaveLength(2);
    expect(outcome).toMatchObject({ ok: true, apiCalls: 0, logs: [] });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('awaits an async main, running its pending jobs', async () => {
    const source = 'async function main(ctx) { const a = await Promise.resolve(ctx.n); await null; return [a, await new Promise((r) => r(a * 2))] }';
    expect(resultOf(await run(source, { context: { n: 21 } }))).toEqual([21, 42]);
  });

  it('accepts main declared as a const arrow function', async () => {
    expect(resultOf(await run('const main = (ctx) => ctx + 1', { context: 1 }))).toBe(2);
  });

  it('turns undefined into null', async () => {
    expect(resultOf(await run('function main() {}'))).toBeNull();
  });

  it('refuses results that are not JSON', async () => {
    for (const source of [
      'function main() { return { f() {} } }',
      'function main() { return () => 1 }',
      'function main() { const a = {}; a.self = a; return a }',
      'function main() { return { big: 10n } }',
      'function main() { return Symbol("x") }',
    ]) {
      const error = errorOf(await run(source));
      expect(error.code, source).toBe('SCRIPT_OUTPUT_INVALID');
      expect(error.details['script']).toBe('test-script');
    }
  });

  it('reports an uncaught exception with its message and stack', async () => {
    const error = errorOf(await run('function check(n) {\n  if (n > 1) throw new RangeError("lot too large: " + n)\n}\nfunction main(ctx) { check(ctx) }', { context: 5 }));
    expect(error.code).toBe('SCRIPT_FAILED');
    expect(error.details).toMatchObject({ reason: 'lot too large: 5' });
    expect(error.details['stack']).toContain('at check (test-script:2');
    expect(error.details['stack']).not.toContain('serialtrace:bridge');
    expect(error.message).toBe('Script "test-script" failed: lot too large: 5');
  });

  it('reports thrown non-errors too', async () => {
    expect(errorOf(await run('function main() { throw "no lot" }')).details).toMatchObject({ reason: 'no lot' });
  });

  it('reports a promise that never settles', async () => {
    expect(errorOf(await run('async function main() { await new Promise(() => {}) }')).code).toBe('SCRIPT_FAILED');
  });

  it('captures console output with levels and formatting', async () => {
    const outcome = await run('function main() { console.log("lot", 7, { a: [1] }); console.info(null, undefined, true); console.warn(new TypeError("bad")); console.error(1n, [() => 1]); return 1 }');
    expect(outcome.logs.map(({ level, message }) => ({ level, message }))).toEqual([
      { level: 'log', message: 'lot 7 {"a":[1]}' },
      { level: 'info', message: 'null undefined true' },
      { level: 'warn', message: 'TypeError: bad' },
      { level: 'error', message: '1 [null]' },
    ]);
    expect(outcome.logs.every((log) => log.at >= 0)).toBe(true);
  });

  it('caps console output and marks the cut', async () => {
    const outcome = await run('function main() { for (let i = 0; i < 10000; i++) console.log("line " + i + " " + "x".repeat(50)); return "done" }', { limits: { logBytes: 1000 } });
    expect(resultOf(outcome)).toBe('done');
    const text = outcome.logs.slice(0, -1).map((log) => log.message).join('');
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1000);
    expect(outcome.logs.at(-1)?.message).toContain('over 1000 bytes');
  });
});

describe('syntax errors and check', () => {
  it('check accepts a script with main', async () => {
    await expect(engine().check('ok', 'function main(ctx) { return ctx }')).resolves.toBeUndefined();
    await expect(engine().check('ok', 'const main = async (ctx) => ctx')).resolves.toBeUndefined();
  });

  it('check reports a syntax error with line and column', async () => {
    const error = await engine().check('broken', 'function main() {\n  return (1 +;\n}').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isSerialtraceError(error)).toBe(true);
    expect((error as SerialtraceError).code).toBe('SCRIPT_INVALID');
    expect((error as SerialtraceError).details).toMatchObject({ script: 'broken', line: 2, column: 14 });
  });

  it('check refuses a script without main, without running it', async () => {
    await expect(engine().check('empty', 'while (true) {}; function helper() {}')).rejects.toMatchObject({ code: 'SCRIPT_INVALID' });
  });

  it('run reports syntax errors and a missing main as SCRIPT_INVALID', async () => {
    expect(errorOf(await run('function main( {')).details).toMatchObject({ line: 1 });
    expect(errorOf(await run('import x from "fs"; function main() {}')).code).toBe('SCRIPT_INVALID');
    expect(errorOf(await run('function helper() {}')).code).toBe('SCRIPT_INVALID');
  });
});

describe('the engine', () => {
  it('runs four scripts at once on a pool of two, each with its own result and host', async () => {
    const outcomes = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        run('async function main(ctx) { const a = station.read(ctx); await null; const b = station.read(ctx + 10); return [a, b] }', {
          context: n,
          host: { station: { read: async (x: unknown) => new Promise((resolve) => setTimeout(() => resolve(`${n}:${String(x)}`), 5 * (5 - n))) } },
        }),
      ),
    );
    expect(outcomes.map(resultOf)).toEqual([1, 2, 3, 4].map((n) => [`${n}:${n}`, `${n}:${n + 10}`]));
  });

  it('keeps the documented defaults', () => {
    expect(DEFAULT_SCRIPT_LIMITS).toEqual({ timeMs: 5_000, memoryBytes: 64 * 1024 * 1024, apiCalls: 10_000, stackBytes: 256 * 1024, logBytes: 64 * 1024, resultBytes: 1024 * 1024 });
  });

  it('refuses work once disposed', async () => {
    const own = await ScriptEngine.create({ poolSize: 1 });
    own.dispose();
    await expect(own.run({ name: 'x', source: 'function main() {}', context: null, host: {} })).rejects.toThrow(/disposed/);
  });
});
