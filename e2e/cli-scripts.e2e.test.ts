import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serialtrace } from './cli-process.js';
import { http, signIn, startServer, type ServerProcess } from './server-process.js';

/**
 * The real `serialtrace` binary saving and running scripts: the source read from a real pipe, the
 * process ending once the run is over (the sandbox let go), on a local database and against the
 * real server process.
 */

const PASSWORD = 'e2e-admin-password';
const DOUBLE = "function main(ctx) { console.log('hi', ctx.n); return { doubled: ctx.n * 2 } }\n";
const FAILS = "async function main() { await manufacturing.generateSerials('Widgets', 2, { workOrder: 'WO-9' }); throw new Error('stop') }";

let dir: string;
let server: ServerProcess;
let key: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'serialtrace-cli-scripts-e2e-'));
  server = await startServer(join(dir, 'server.db'), { SERIALTRACE_ADMIN_PASSWORD: PASSWORD });
  const admin = await signIn(server.url, 'admin', PASSWORD);
  const created = await http(server.url, 'POST', '/api/v1/api-keys', { headers: admin, body: { name: 'Script runner', role: 'admin' } });
  expect(created.status, created.text).toBe(201);
  key = created.json.key as string;
});
afterAll(async () => {
  await server?.stop('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const targets = {
  local: () => ({ args: ['--db', join(dir, 'local.db')], env: {} }),
  server: () => ({ args: ['--server', server.url, '--api-key', key], env: { SERIALTRACE_DB: join(dir, 'never.db') } }),
};

describe.each(Object.keys(targets) as (keyof typeof targets)[])('the serialtrace binary, script commands (%s)', (target) => {
  const cli = (args: string[], input?: string) => {
    const { args: global, env } = targets[target]();
    return serialtrace([...global, ...args], env, input);
  };

  it('saves from standard input and runs with a context', async () => {
    const saved = await cli(['script', 'save', 'double', '-'], DOUBLE);
    expect(saved, saved.stderr).toMatchObject({ code: 0, stdout: 'Saved script "double" (version 1)\n' });
    const run = await cli(['script', 'run', 'double', '--context', '{"n":2}', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout) as { result: unknown; logs: { level: string; message: string; at: number }[] };
    expect({ ...printed, logs: printed.logs.map(({ level, message }) => ({ level, message })) }).toEqual({
      result: { doubled: 4 },
      logs: [{ level: 'log', message: 'hi 2' }],
    });
    const text = await cli(['script', 'run', 'double', '--context', '-'], '{"n": 5}');
    expect(text).toMatchObject({ code: 0, stdout: '{\n  "doubled": 10\n}\n', stderr: '[log] hi 5\n' });
  });

  it('undoes a failed run and exits 1 with the error', async () => {
    expect((await cli(['series', 'create', 'Widgets', '--format', 'W{####}'])).code).toBe(0);
    expect((await cli(['script', 'save', 'fails', '-'], FAILS)).code).toBe(0);
    const failed = await cli(['script', 'run', 'fails', '--json']);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout).error).toMatchObject({ code: 'SCRIPT_FAILED', script: 'fails', runId: expect.any(Number), logs: [] });
    expect(JSON.parse((await cli(['records', '--work-order', 'WO-9', '--json'])).stdout).records).toEqual([]);
    const runs = JSON.parse((await cli(['script', 'runs', 'fails', '--json'])).stdout) as { runs: { status: string }[] };
    expect(runs.runs.map((r) => r.status)).toEqual(['failed']);
  });
});
