import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, serialtrace } from './cli-process.js';

let dir: string;
let db: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'serialtrace-e2e-'));
  db = join(dir, 'serialtrace.db');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const json = async (args: string[], env: Record<string, string> = {}) => {
  const run = await serialtrace([...args, '--db', db, '--json'], env);
  return { code: run.code, body: JSON.parse(run.stdout) as Record<string, unknown>, stderr: run.stderr };
};

describe('the serialtrace binary', () => {
  it('runs the README tour: a series, a serial, its record and a verified audit trail', async () => {
    const env = { SERIALTRACE_NOW: '2025-06-15T08:30:00Z' };
    expect((await json(['series', 'create', 'Widgets', '--format', 'SN-{YYYY}{JJJ}-{####}'], env)).code).toBe(0);
    const generated = await json(['generate', 'Widgets', '--work-order', 'WO-1'], env);
    expect(generated.body['serials']).toEqual(['SN-2025166-0001']);
    const record = await json(['record', 'SN-2025166-0001'], env);
    expect(record.body).toMatchObject({ status: 'generated', workOrder: 'WO-1' });
    const verify = await json(['audit', '--verify']);
    expect(verify.body).toMatchObject({ valid: true, checked: 2 });
    const refused = await json(['generate', 'Nope']);
    expect(refused.code).toBe(1);
    expect(refused.body).toMatchObject({ error: { code: 'SERIES_NOT_FOUND' } });
  });

  it('lets several processes generate from one database file at once: all succeed, no duplicate, no gap', async () => {
    await json(['series', 'create', 'Shared', '--format', 'S{######}']);
    await json(['series', 'create', 'Company', '--format', 'S{######}', '--global', '--start', '500000']);
    const lanes = 6;
    const perLane = 5;
    const issued: string[] = [];
    await Promise.all(
      Array.from({ length: lanes }, async (_, lane) => {
        for (let i = 0; i < perLane; i++) {
          const series = (lane + i) % 3 === 0 ? 'Company' : 'Shared';
          const run = await json(['generate', series, '--quantity', String(1 + ((lane * 7 + i * 3) % 40))]);
          expect(run.code, run.stderr).toBe(0);
          issued.push(...(run.body['serials'] as string[]));
        }
      }),
    );
    expect(new Set(issued).size).toBe(issued.length);
    const shared = issued.filter((s) => Number(s.slice(1)) < 500_000).map((s) => Number(s.slice(1))).sort((a, b) => a - b);
    const company = issued.filter((s) => Number(s.slice(1)) > 500_000).map((s) => Number(s.slice(1))).sort((a, b) => a - b);
    expect(shared).toEqual(Array.from({ length: shared.length }, (_, i) => i + 1));
    expect(company).toEqual(Array.from({ length: company.length }, (_, i) => 500_001 + i));
    const verify = await json(['audit', '--verify']);
    expect(verify.body).toMatchObject({ valid: true, checked: 2 + lanes * perLane });
  });

  it('keeps every acknowledged serial when the process is killed mid-generation, and never issues one again', async () => {
    await json(['series', 'create', 'Crash', '--format', 'C{########}']);
    const child = spawn(process.execPath, [fileURLToPath(new URL('./fixtures/generate-loop.mjs', import.meta.url)), db, 'Crash', '7'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let acknowledged: string[] = [];
    await new Promise<void>((resolve) => {
      let buffer = '';
      child.stdout.on('data', (data: Buffer) => {
        buffer += data.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        acknowledged.push(...lines);
        if (acknowledged.length >= 700) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((resolve) => child.on('close', resolve));
    acknowledged = acknowledged.filter((s) => s !== '');

    const stored = await json(['records', '--series', 'Crash', '--limit', '1000']);
    const storedSerials = new Set((stored.body['records'] as { serial: string }[]).map((r) => r.serial));
    for (const serial of acknowledged) expect(storedSerials.has(serial), serial).toBe(true);
    // Whatever the killed process had in flight either committed whole or not at all.
    expect(storedSerials.size % 7).toBe(0);
    const next = (await json(['generate', 'Crash'])).body['serials'] as string[];
    expect(Number(next[0]!.slice(1))).toBe(storedSerials.size + 1);
    expect((await json(['audit', '--verify'])).body).toMatchObject({ valid: true });
  });
});
