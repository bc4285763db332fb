import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useLocalDatabase } from './cli-harness.js';

const { cli, dir } = useLocalDatabase('serialtrace-cli-scripts-');

/** A script written to a file of the test's folder. */
function scriptFile(name: string, source: string): string {
  const file = join(dir(), name);
  writeFileSync(file, source);
  return file;
}

const DOUBLE = "function main(ctx) { console.log('hi', ctx.n); return { doubled: ctx.n * 2 } }\n";
const GENERATE = [
  'async function main(ctx) {',
  "  await manufacturing.generateSerials('Widgets', 3, { workOrder: 'WO-1' });",
  "  const records = await manufacturing.getRecordsByWorkOrder('WO-1');",
  '  return records.map((r) => r.serial);',
  '}',
  '',
].join('\n');
const GENERATE_THEN_THROW = [
  'async function main(ctx) {',
  "  await manufacturing.generateSerials('Widgets', 3, { workOrder: 'WO-1' });",
  "  console.warn('about to fail');",
  "  throw new Error('line stopped');",
  '}',
  '',
].join('\n');

/** Logs without their `at` (milliseconds since the run started, different each run). */
function withoutAt(logs: readonly { at: unknown }[]): unknown[] {
  return logs.map(({ at, ...rest }) => {
    expect(typeof at).toBe('number');
    return rest;
  });
}

describe('serialtrace script save, list, show', () => {
  it('saves from a file and from standard input, each save a new version', async () => {
    const file = scriptFile('double.js', DOUBLE);
    const first = await cli(['script', 'save', 'double', file, '--description', 'doubles n', '--station', 'ST-1']);
    expect(first).toMatchObject({ code: 0, stdout: 'Saved script "double" (version 1)\n', stderr: '' });

    const second = await cli(['script', 'save', 'double', '-', '--reason', 'from stdin', '--json'], { stdin: DOUBLE.replace('hi', 'hello') });
    expect(second.code).toBe(0);
    expect(second.json()).toMatchObject({
      name: 'double',
      version: 2,
      description: 'doubles n',
      source: DOUBLE.replace('hi', 'hello'),
      createdBy: 'osuser',
      updatedBy: 'osuser',
      updatedAt: '2025-06-15T10:00:00.000Z',
    });

    const list = await cli(['script', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^NAME +VERSION +UPDATED +BY +DESCRIPTION\ndouble +2 +2025-06-15T10:00:00.000Z +osuser +doubles n\n$/);
    const listed = (await cli(['script', 'list', '--json'])).json();
    expect(listed.scripts).toHaveLength(1);
    expect(listed.scripts[0]).toMatchObject({ name: 'double', version: 2, description: 'doubles n' });
    expect(listed.scripts[0]).not.toHaveProperty('source');

    const show = await cli(['script', 'show', 'double']);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('version:     2\n');
    expect(show.stdout).toContain('description: doubles n\n');
    expect(show.stdout.endsWith(`\n\n${DOUBLE.replace('hi', 'hello')}`)).toBe(true);
    expect((await cli(['script', 'show', 'double', '--json'])).json()).toEqual(second.json());

    const old = await cli(['script', 'show', 'double', '--version', '1', '--json']);
    expect(old.json()).toMatchObject({ name: 'double', version: 1, source: DOUBLE, changedBy: 'osuser', reason: null });
    expect((await cli(['script', 'show', 'double', '--version', '2', '--json'])).json()).toMatchObject({ version: 2, reason: 'from stdin' });
    const missing = await cli(['script', 'show', 'double', '--version', '3', '--json']);
    expect(missing.code).toBe(1);
    expect(missing.json().error).toMatchObject({ code: 'VALUE_INVALID', field: 'version' });
  });

  it('refuses a script that does not compile, and saves nothing', async () => {
    const bad = await cli(['script', 'save', 'broken', scriptFile('broken.js', 'function main(ctx) { return {; }\n'), '--json']);
    expect(bad.code).not.toBe(0);
    expect(bad.json().error.code).toBe('SCRIPT_INVALID');
    const human = await cli(['script', 'save', 'broken', '-'], { stdin: 'function main( {' });
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/^error: SCRIPT_INVALID: /);
    expect((await cli(['script', 'list', '--json'])).json()).toEqual({ scripts: [] });
    expect((await cli(['script', 'show', 'broken', '--json'])).json().error.code).toBe('SCRIPT_NOT_FOUND');
  });

  it('refuses a file it cannot read, and an unknown script', async () => {
    const unreadable = await cli(['script', 'save', 'x', join(dir(), 'nope.js'), '--json']);
    expect(unreadable.code).toBe(1);
    expect(unreadable.json().error).toMatchObject({ code: 'VALUE_INVALID', field: 'file' });
    const unknown = await cli(['script', 'run', 'nope', '--json']);
    expect(unknown.code).toBe(1);
    expect(unknown.json().error.code).toBe('SCRIPT_NOT_FOUND');
  });
});

describe('serialtrace script run', () => {
  it('passes --context to main and prints exactly {result, logs}', async () => {
    await cli(['script', 'save', 'double', scriptFile('double.js', DOUBLE)]);
    const run = await cli(['script', 'run', 'double', '--context', '{"n":2}', '--json']);
    expect(run.code).toBe(0);
    const printed = run.json();
    expect(Object.keys(printed)).toEqual(['result', 'logs']);
    expect({ ...printed, logs: withoutAt(printed.logs) }).toEqual({ result: { doubled: 4 }, logs: [{ level: 'log', message: 'hi 2' }] });
    expect(run.stdout).toMatch(/^\{"result":\{"doubled":4\},"logs":\[\{"level":"log","message":"hi 2","at":\d+(\.\d+)?\}\]\}\n$/);

    // Text: the logs on standard error, the result as pretty JSON on standard output.
    const text = await cli(['script', 'run', 'double', '--context', '{"n":5}']);
    expect(text).toMatchObject({ code: 0, stdout: '{\n  "doubled": 10\n}\n', stderr: '[log] hi 5\n' });

    // The context from a file, or from standard input.
    const contextFile = join(dir(), 'context.json');
    writeFileSync(contextFile, '{"n": 21}\n');
    expect((await cli(['script', 'run', 'double', '--context', `@${contextFile}`, '--json'])).json().result).toEqual({ doubled: 42 });
    expect((await cli(['script', 'run', 'double', '--context', '-', '--json'], { stdin: '{"n": 3}' })).json().result).toEqual({ doubled: 6 });

    const notJson = await cli(['script', 'run', 'double', '--context', '{n:2}', '--json']);
    expect(notJson.code).toBe(1);
    expect(notJson.json().error).toMatchObject({ code: 'VALUE_INVALID', field: 'context' });
  });

  it('prints null for a main that returns nothing', async () => {
    await cli(['script', 'save', 'quiet', '-'], { stdin: 'function main() {}' });
    const run = await cli(['script', 'run', 'quiet', '--json']);
    expect(run).toMatchObject({ code: 0, stdout: '{"result":null,"logs":[]}\n' });
  });

  it('generates serials through the manufacturing API and keeps them', async () => {
    expect((await cli(['series', 'create', 'Widgets', '--format', 'W{####}'])).code).toBe(0);
    await cli(['script', 'save', 'batch', scriptFile('batch.js', GENERATE)]);
    const run = await cli(['script', 'run', 'batch', '--json']);
    expect(run.code).toBe(0);
    expect(run.json()).toEqual({ result: ['W0001', 'W0002', 'W0003'], logs: [] });
    const records = (await cli(['records', '--work-order', 'WO-1', '--json'])).json();
    expect(records.records.map((r: { serial: string }) => r.serial).sort()).toEqual(['W0001', 'W0002', 'W0003']);
  });

  it('undoes everything a failed run did, keeps its logs, and records both runs', async () => {
    await cli(['series', 'create', 'Widgets', '--format', 'W{####}']);
    await cli(['script', 'save', 'fails', scriptFile('fails.js', GENERATE_THEN_THROW)]);
    await cli(['script', 'save', 'double', scriptFile('double.js', DOUBLE)]);

    const failed = await cli(['script', 'run', 'fails', '--json']);
    expect(failed.code).toBe(1);
    const error = failed.json().error;
    expect(error.code).toBe('SCRIPT_FAILED');
    expect(error).toMatchObject({ script: 'fails', runId: expect.any(Number) });
    expect(withoutAt(error.logs)).toEqual([{ level: 'warn', message: 'about to fail' }]);
    expect((await cli(['records', '--work-order', 'WO-1', '--json'])).json().records).toEqual([]);

    // Text: the logs, then the error.
    const text = await cli(['script', 'run', 'fails']);
    expect(text.code).toBe(1);
    expect(text.stdout).toBe('');
    expect(text.stderr).toMatch(/^\[warn\] about to fail\nerror: SCRIPT_FAILED: Script "fails" failed: .*line stopped/);
    expect((await cli(['records', '--work-order', 'WO-1', '--json'])).json().records).toEqual([]);

    // A new version that works, to list a success beside the failures (the last column: its 0 API calls).
    await cli(['script', 'save', 'fails', '-'], { stdin: "function main() { return 'ok' }" });
    expect((await cli(['script', 'run', 'fails', '--station', 'ST-9', '--json'])).json().result).toBe('ok');

    const runs = (await cli(['script', 'runs', 'fails', '--json'])).json();
    expect(runs.nextCursor).toBeNull();
    expect(runs.runs.map((r: any) => [r.status, r.version, r.actor, r.station, r.error?.code ?? null])).toEqual([
      ['succeeded', 2, 'osuser', 'ST-9', null],
      ['failed', 1, 'osuser', null, 'SCRIPT_FAILED'],
      ['failed', 1, 'osuser', null, 'SCRIPT_FAILED'],
    ]);
    expect(runs.runs[2].id).toBe(error.runId);

    const table = await cli(['script', 'runs', 'fails']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID +STARTED +ACTOR +VERSION +STATUS +DURATION +API CALLS +ERROR$/);
    expect(lines.slice(1).map((l) => l.split(/ {2,}/).filter((c) => c !== '').at(-1))).toEqual(['0', 'SCRIPT_FAILED', 'SCRIPT_FAILED']);
    expect(lines[1]).toMatch(/succeeded/);

    const page = (await cli(['script', 'runs', 'fails', '--limit', '2', '--json'])).json();
    expect(page.runs).toHaveLength(2);
    const more = await cli(['script', 'runs', 'fails', '--limit', '2']);
    expect(more.stdout).toContain(`more: --cursor ${page.nextCursor}`);
    expect((await cli(['script', 'runs', 'fails', '--limit', '2', '--cursor', page.nextCursor, '--json'])).json().runs).toHaveLength(1);

    const shown = await cli(['script', 'run-show', String(error.runId)]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('status:    failed\n');
    expect(shown.stdout).toMatch(/error: +SCRIPT_FAILED: Script "fails" failed/);
    expect(shown.stdout).toMatch(/logs:\n {2}\d+(\.\d+)? ms {2}\[warn\] about to fail\n$/);
    expect((await cli(['script', 'run-show', String(error.runId), '--json'])).json()).toEqual(runs.runs[2]);
    expect((await cli(['script', 'run-show', '999', '--json'])).json().error.code).toBe('SCRIPT_RUN_NOT_FOUND');
    expect((await cli(['script', 'runs', 'fails', '--limit', '0', '--json'])).json().error).toMatchObject({ code: 'VALUE_INVALID', field: 'limit' });
  });

  it('stops a run past the time limit set in the environment', async () => {
    await cli(['script', 'save', 'spin', '-'], { stdin: 'function main() { for (;;) {} }' });
    const run = await cli(['script', 'run', 'spin', '--json'], { env: { SERIALTRACE_SCRIPT_TIME_LIMIT_MS: '50' } });
    expect(run.code).toBe(1);
    expect(run.json().error.code).toBe('SCRIPT_TIMEOUT');
    const bad = await cli(['script', 'list', '--json'], { env: { SERIALTRACE_SCRIPT_API_CALL_LIMIT: 'lots' } });
    expect(bad.code).toBe(1);
    expect(bad.json().error).toMatchObject({ code: 'VALUE_INVALID', field: 'SERIALTRACE_SCRIPT_API_CALL_LIMIT' });
  });
});
