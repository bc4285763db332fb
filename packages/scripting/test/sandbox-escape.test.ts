import { describe, expect, it } from 'vitest';
import type { HostApi } from '@serialtrace/scripting';
import { errorOf, resultOf, runner, useEngine } from './engine-fixture.ts';

const run = runner(useEngine(1));
const host: HostApi = { manufacturing: { generateSerial: () => 'SN-1' }, documents: { list: () => [] } };

/** After each escape attempt the same (single-module) engine must still run a script. */
async function stillUsable(): Promise<void> {
  expect(resultOf(await run('function main(ctx) { return manufacturing.generateSerial() + ctx }', { context: '!', host }))).toBe('SN-1!');
}

// The standard built-ins QuickJS gives a context, checked so that a new one is noticed.
// Typed arrays are left out on purpose (their storage escapes the memory limit), and WeakRef and
// FinalizationRegistry go with them in QuickJS's intrinsics.
const BUILT_INS = [
  'AggregateError', 'Array', 'BigInt', 'Boolean', 'Date', 'Error', 'EvalError', 'Function', 'Infinity',
  'InternalError', 'Iterator', 'JSON', 'Map', 'Math', 'NaN', 'Number', 'Object', 'Promise', 'Proxy', 'RangeError', 'ReferenceError',
  'Reflect', 'RegExp', 'Set', 'String', 'Symbol', 'SyntaxError', 'TypeError', 'URIError', 'WeakMap', 'WeakSet',
  'decodeURI', 'decodeURIComponent', 'encodeURI', 'encodeURIComponent', 'escape', 'eval', 'globalThis', 'isFinite', 'isNaN',
  'parseFloat', 'parseInt', 'undefined', 'unescape',
];

describe('runaway scripts end with the right code', () => {
  it.each([
    ['while (true) {}', 'function main() { while (true) {} }'],
    ['for (;;) with try/catch', 'function main() { for (;;) { try {} catch {} } }'],
    ['catching the interrupt', 'function main() { for (;;) { try { for (;;) {} } catch (e) {} } }'],
    ['finally blocks', 'function main() { for (;;) { try { for (;;) {} } finally { continue } } }'],
    ['async loop', 'async function main() { for (;;) await null }'],
    ['top-level loop', 'for (;;) {} function main() {}'],
  ])('times out: %s', async (_, source) => {
    const started = Date.now();
    const error = errorOf(await run(source, { limits: { timeMs: 200 } }));
    expect(error.code).toBe('SCRIPT_TIMEOUT');
    expect(error.details).toMatchObject({ limitMs: 200 });
    expect(Date.now() - started).toBeLessThan(1_000);
    await stillUsable();
  });

  it('times out, never fails, when its time is up before the sandbox is even set up (a loaded machine)', async () => {
    for (let i = 0; i < 5; i++) {
      // 1 ms is gone before the bridge and the host functions are installed.
      const error = errorOf(await run('function main() { while (true) {} }', { host, limits: { timeMs: 1 } }));
      expect(error.code).toBe('SCRIPT_TIMEOUT');
    }
    await stillUsable();
  });

  it.each([
    ['a huge string', 'function main() { return "x".repeat(1e9).length }'],
    ['a huge array', 'function main() { return new Array(1e8).fill(0).length }'],
    ['a growing array', 'function main() { const a = []; for (;;) a.push(a.length) }'],
    ['growing objects kept in a global', 'globalThis.keep = []; function main() { for (;;) keep.push({ n: keep.length, s: "lot" + keep.length }) }'],
    ['doubling strings', 'function main() { let s = "lot"; for (;;) s = [s, s].join("") }'],
    ['unbounded recursion', 'function main() { function f(n) { return f(n + 1) + 1 } return f(0) }'],
    ['recursion through apply', 'function main() { const f = (...a) => f.apply(null, a.concat(a.length)); return f() }'],
    ['recursion in getters', 'function main() { const o = { get x() { return this.x } }; return o.x }'],
  ])('exceeds memory: %s', async (_, source) => {
    const error = errorOf(await run(source, { limits: { timeMs: 10_000, memoryBytes: 4 * 1024 * 1024 } }));
    expect(error.code).toBe('SCRIPT_MEMORY_EXCEEDED');
    await stillUsable();
  });
});

describe('nothing of the host is reachable', () => {
  it('has no Node, timers or network', async () => {
    const names = ['require', 'process', 'fetch', 'setTimeout', 'setInterval', 'queueMicrotask', 'module', 'exports', 'Buffer', 'std', 'os', 'WebAssembly', 'ArrayBuffer', 'Uint8Array', 'SharedArrayBuffer', 'Atomics'];
    const source = `function main() { return [${names.map((name) => `typeof ${name}`).join(', ')}] }`;
    expect(resultOf(await run(source, { host }))).toEqual(names.map(() => 'undefined'));
  });

  it('lists only the standard built-ins and the bridge as globals', async () => {
    const names = resultOf(await run('function main() { return Object.getOwnPropertyNames(globalThis).filter((n) => n !== "main").sort() }', { host })) as string[];
    expect(names).toEqual([...BUILT_INS, 'console', 'documents', 'manufacturing'].sort());
  });

  it('cannot climb from functions to a host', async () => {
    const source = `function main() {
      const attempts = [
        () => this.constructor.constructor('return process')(),
        () => manufacturing.generateSerial.constructor('return typeof process')(),
        () => console.log.constructor('return globalThis')() === globalThis,
        () => Object.getPrototypeOf(manufacturing.generateSerial) === Function.prototype,
        () => manufacturing.generateSerial.toString().includes('[native code]'),
        () => Object.getOwnPropertyNames(manufacturing.generateSerial).sort().join(),
      ];
      return attempts.map((a) => { try { return a() } catch (e) { return e.name } })
    }`;
    expect(resultOf(await run(source, { host }))).toEqual(['ReferenceError', 'undefined', true, true, false, 'length,name']);
  });

  it('freezes the host API objects', async () => {
    const source = `function main() {
      'use strict';
      const attempts = [
        () => { manufacturing.generateSerial = () => 'forged' },
        () => { manufacturing.extra = 1 },
        () => { delete manufacturing.generateSerial },
        () => { globalThis.manufacturing = {} },
        () => { console.log = () => 1 },
        () => { manufacturing.generateSerial.extra = 1 },
      ];
      return [attempts.map((a) => { try { a(); return 'changed' } catch (e) { return e.name } }), manufacturing.generateSerial(), Object.isFrozen(manufacturing)]
    }`;
    expect(resultOf(await run(source, { host }))).toEqual([Array(6).fill('TypeError'), 'SN-1', true]);
  });

  it('keeps working when the script replaces JSON, Object.freeze or Error', async () => {
    const source = 'function main() { JSON.stringify = () => "{}"; JSON.parse = () => ({ ok: true, value: "forged" }); Error = function () {}; return [manufacturing.generateSerial(), documents.list()] }';
    expect(resultOf(await run(source, { host }))).toEqual(['SN-1', []]);
  });

  it('gives each run fresh globals and prototypes', async () => {
    await run('Object.prototype.polluted = 1; Array.prototype.push = null; globalThis.leftover = 2; function main() { return 1 }', { host });
    const source = 'function main() { return [({}).polluted, typeof Array.prototype.push, typeof leftover] }';
    // JSON turns the first (undefined) into null.
    expect(resultOf(await run(source, { host }))).toEqual([null, 'function', 'undefined']);
  });
});
