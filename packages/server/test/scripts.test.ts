import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, openApp, type Credentials, type TestApp } from './helper.js';
import { DEFAULTS } from '@serialtrace/server';

/** Scripts over HTTP: saving versions, running them as one transaction, their records. */

let t: TestApp;
let engineer: Credentials;
let operator: Credentials;
let auditor: Credentials;
let viewer: Credentials;
beforeAll(async () => {
  // A time limit long enough that a loaded machine still runs out of memory first where the
  // tests expect it, and short enough for the endless loops.
  t = await openApp({ config: { scriptTimeLimitMs: 4000, scriptMemoryLimitMb: 8, scriptApiCallLimit: 50 } });
  expect(DEFAULTS.scriptTimeLimitMs).toBe(5000);
  engineer = await t.key('engineer');
  operator = await t.key('operator', { name: 'Line 1 runner', station: 'RUN-1' });
  auditor = await t.key('auditor');
  viewer = await t.key('viewer');
  expect((await t.call('POST', '/api/v1/series', { as: engineer, body: { name: 'Widgets', format: 'W-{####}' } })).status).toBe(201);
});
afterAll(async () => {
  await t.close();
});

const ISSUE = `function main(context) {
  const serials = manufacturing.generateSerials('Widgets', context.quantity, { workOrder: context.workOrder });
  console.log('issued', serials.length);
  if (context.fail) throw new Error('stop here');
  return { serials };
}`;

describe('scripts over HTTP', () => {
  it('saves versions (engineers), runs them (operators), and answers {result, logs}', async () => {
    const saved = await t.call('PUT', '/api/v1/scripts/issue', { as: engineer, body: { source: ISSUE, description: 'Issue a work order' } });
    expect(saved.status, saved.body).toBe(200);
    expect(saved.json).toMatchObject({ name: 'issue', version: 1, description: 'Issue a work order', source: ISSUE });
    expect((await t.call('PUT', '/api/v1/scripts/issue', { as: engineer, body: { source: ISSUE } })).json.version).toBe(2);

    const run = await t.call('POST', '/api/v1/scripts/issue/runs', { as: operator, body: { context: { quantity: 3, workOrder: 'WO-7' } } });
    expect(run.status, run.body).toBe(200);
    expect(run.json).toEqual({ result: { serials: ['W-0001', 'W-0002', 'W-0003'] }, logs: [{ level: 'log', message: 'issued 3', at: expect.any(Number) }] });
    const runId = Number(run.headers['serialtrace-script-run']);
    const recorded = await t.call('GET', `/api/v1/script-runs/${runId}`, { as: auditor });
    expect(recorded.json).toMatchObject({ script: 'issue', version: 2, status: 'succeeded', station: 'RUN-1', context: { quantity: 3, workOrder: 'WO-7' }, apiCalls: 1 });
    const records = await t.call('GET', '/api/v1/work-orders/WO-7/records', { as: viewer });
    expect(records.json.records.map((r: { serial: string }) => r.serial)).toEqual(['W-0001', 'W-0002', 'W-0003']);
  });

  it('answers a failed run as a problem document with its logs and run, keeping nothing it did', async () => {
    const failed = await t.call('POST', '/api/v1/scripts/issue/runs', { as: operator, body: { context: { quantity: 2, workOrder: 'WO-8', fail: true } } });
    const problem = expectProblem(failed, 409, 'SCRIPT_FAILED');
    expect(problem).toMatchObject({ script: 'issue', logs: [{ level: 'log', message: 'issued 2' }] });
    expect((await t.call('GET', '/api/v1/work-orders/WO-8/records', { as: viewer })).json.records).toEqual([]);
    const runs = await t.call('GET', '/api/v1/scripts/issue/runs', { as: auditor, query: { limit: '1' } });
    expect(runs.json.runs[0]).toMatchObject({ id: problem.runId, status: 'failed', error: { code: 'SCRIPT_FAILED' } });
    expect(runs.json.nextCursor).not.toBeNull();
    // The values the failed run took are issued next.
    const next = await t.call('POST', '/api/v1/series/Widgets/serials', { as: operator, body: {} });
    expect(next.json.serials).toEqual(['W-0004']);
  });

  it('checks the caller\'s role for the script\'s calls, and for saving and running', async () => {
    // An engineer may run scripts but not issue serials: the script's call is refused as the API would refuse it.
    const asEngineer = await t.call('POST', '/api/v1/scripts/issue/runs', { as: engineer, body: { context: { quantity: 1 } } });
    expect(expectProblem(asEngineer, 403, 'FORBIDDEN')).toMatchObject({ permission: 'serials.generate' });
    expect((await t.call('PUT', '/api/v1/scripts/x', { as: operator, body: { source: ISSUE } })).status).toBe(403);
    expect((await t.call('POST', '/api/v1/scripts/issue/runs', { as: auditor, body: {} })).status).toBe(403);
    expect((await t.call('GET', '/api/v1/scripts', { as: viewer })).status).toBe(403);
    expect((await t.call('GET', '/api/v1/scripts', { as: auditor })).json.scripts.map((s: { name: string }) => s.name)).toEqual(['issue']);
  });

  it('refuses a script that does not compile, naming the line, and an unknown script', async () => {
    const bad = await t.call('PUT', '/api/v1/scripts/bad', { as: engineer, body: { source: 'function main() {\n  return ;;(\n}' } });
    expect(expectProblem(bad, 422, 'SCRIPT_INVALID')).toMatchObject({ line: expect.any(Number) });
    expectProblem(await t.call('POST', '/api/v1/scripts/nope/runs', { as: operator, body: {} }), 404, 'SCRIPT_NOT_FOUND');
    const versions = await t.call('GET', '/api/v1/scripts/issue/versions', { as: auditor });
    expect(versions.json.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
  });
});

describe('escape attempts over HTTP', () => {
  const attempts: [string, string, string][] = [
    ['an endless loop', 'function main() { for (;;) {} }', 'SCRIPT_TIMEOUT'],
    ['an endless loop that swallows errors', 'function main() { for (;;) { try { for (;;) {} } catch (e) {} } }', 'SCRIPT_TIMEOUT'],
    ['a huge allocation', "function main() { return 'x'.repeat(1e9).length; }", 'SCRIPT_MEMORY_EXCEEDED'],
    ['a growing heap', 'function main() { const a = []; for (let i = 0; ; i++) a.push([i, i, i, i, i, i, i, i, i, i, i, i, i, i, i, i]); }', 'SCRIPT_MEMORY_EXCEEDED'],
    ['unbounded recursion', 'function main() { const f = (n) => f(n + 1) + 1; return f(0); }', 'SCRIPT_MEMORY_EXCEEDED'],
    ['reaching Node through constructors', "function main() { return this.constructor.constructor('return process')().pid; }", 'SCRIPT_FAILED'],
    ['reaching the host through an API function', "function main() { return manufacturing.generateSerial.constructor('return process')().env; }", 'SCRIPT_FAILED'],
    ['changing the API objects', "function main() { 'use strict'; manufacturing.generateSerial = () => 'fake'; }", 'SCRIPT_FAILED'],
    ['flooding the API', "function main() { for (let i = 0; i < 100; i++) { try { manufacturing.getRecordBySerial('nope'); } catch (e) {} } }", 'SCRIPT_API_LIMIT'],
  ];
  for (const [what, source, code] of attempts) {
    it(`${what} ends with ${code}, and the server keeps answering`, async () => {
      const name = what.replace(/\W+/g, '-');
      expect((await t.call('PUT', `/api/v1/scripts/${name}`, { as: engineer, body: { source } })).status).toBe(200);
      expectProblem(await t.call('POST', `/api/v1/scripts/${name}/runs`, { as: operator, body: {} }), 409, code);
      expect((await t.call('GET', '/ready')).status).toBe(200);
      const next = await t.call('POST', '/api/v1/series/Widgets/serials', { as: operator, body: {} });
      expect(next.status).toBe(201);
    });
  }

  it('sees only the standard built-ins, the two APIs and console; nothing of Node, and no state from earlier runs', async () => {
    const source = `function main() {
      globalThis.leftBehind = true;
      Object.prototype.polluted = 1;
      return {
        node: [typeof require, typeof process, typeof fetch, typeof setTimeout, typeof Buffer, typeof module],
        globals: Object.getOwnPropertyNames(globalThis).filter((k) => !/^[A-Z]/.test(k)).sort(),
      };
    }`;
    await t.call('PUT', '/api/v1/scripts/look-around', { as: engineer, body: { source } });
    const first = await t.call('POST', '/api/v1/scripts/look-around/runs', { as: operator, body: {} });
    expect(first.json.result.node).toEqual(['undefined', 'undefined', 'undefined', 'undefined', 'undefined', 'undefined']);
    expect(first.json.result.globals).toEqual(expect.arrayContaining(['console', 'documents', 'manufacturing']));
    // Every lower-case global is a standard built-in, one of the two APIs, console, or what this run set.
    const allowed = ['console', 'documents', 'manufacturing', 'main', 'leftBehind', 'globalThis', 'eval', 'isFinite', 'isNaN', 'parseFloat', 'parseInt',
      'decodeURI', 'decodeURIComponent', 'encodeURI', 'encodeURIComponent', 'escape', 'unescape', 'undefined', 'print'];
    expect(first.json.result.globals.filter((g: string) => !allowed.includes(g))).toEqual([]);
    await t.call('PUT', '/api/v1/scripts/look-back', { as: engineer, body: { source: 'function main() { return [typeof leftBehind, ({}).polluted === undefined]; }' } });
    expect((await t.call('POST', '/api/v1/scripts/look-back/runs', { as: operator, body: {} })).json.result).toEqual(['undefined', true]);
  });
});

describe('a run does not hold up the server', () => {
  it('answers /health, reads and other companies while a script loops', async () => {
    const created = await t.call('POST', '/api/v1/companies', { as: t.admin, body: { name: 'Other', adminUsername: 'other-admin', adminPassword: 'other-password-1' } });
    expect(created.status, created.body).toBe(201);
    const other = await t.session('other-admin', 'other-password-1');
    // A first admin chooses their own password before anything else.
    expect((await t.call('POST', '/api/v1/auth/password', { as: other, body: { currentPassword: 'other-password-1', newPassword: 'other-own-password-1' } })).status).toBe(204);
    expect((await t.call('POST', '/api/v1/series', { as: other, body: { name: 'Gadgets', format: 'G-{####}' } })).status).toBe(201);
    expect((await t.call('PUT', '/api/v1/scripts/spin', { as: engineer, body: { source: 'function main() { while (true) {} }' } })).status).toBe(200);

    let running = true;
    const run = t.call('POST', '/api/v1/scripts/spin/runs', { as: operator, body: {} }).finally(() => {
      running = false;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await t.call('GET', '/health')).status).toBe(200);
    expect((await t.call('GET', '/api/v1/series', { as: viewer })).status).toBe(200);
    expect((await t.call('GET', '/api/v1/series', { as: other })).status).toBe(200);
    // Another company's generation needs the store's writer, which a run that has not touched
    // the store does not hold.
    expect((await t.call('POST', '/api/v1/series/Gadgets/serials', { as: other, body: {} })).status).toBe(201);
    expect(running).toBe(true);
    expectProblem(await run, 409, 'SCRIPT_TIMEOUT');
  });
});
