import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '@serialtrace/cli';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dropSchema, TEST_DATABASE_URL, uniqueSchema, withPgClient } from '../../server/test/helper.js';

/**
 * The CLI on PostgreSQL (`--database`, SERIALTRACE_DATABASE_URL) in a schema of its own: the
 * same commands and output as on the SQLite file, and a clean refusal when the database does
 * not answer.
 */

const NOW = '2025-06-15T10:00:00Z';
/** Port 1 on this machine: nothing listens, the connection is refused at once. */
const UNREACHABLE = 'postgres://root:s3cret-pw@127.0.0.1:1/test';

let dir: string;
let sqliteFile: string;
let schema: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'serialtrace-cli-pg-'));
  sqliteFile = join(dir, 'st.db');
  schema = uniqueSchema();
});
afterEach(async () => {
  await dropSchema(schema);
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  json(): any;
}

/** The CLI with SERIALTRACE_DB set to a file that must stay untouched when a URL is given. */
async function cli(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { SERIALTRACE_DB: sqliteFile, SERIALTRACE_DATABASE_SCHEMA: schema, SERIALTRACE_NOW: NOW, SERIALTRACE_TIME_ZONE: 'UTC', ...env },
    username: () => 'osuser',
  });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

describe('serialtrace on PostgreSQL', () => {
  it('creates a series and generates serials on SERIALTRACE_DATABASE_URL, leaving the SQLite file alone', async () => {
    const env = { SERIALTRACE_DATABASE_URL: TEST_DATABASE_URL };
    const created = await cli(['series', 'create', 'Widgets', '--format', 'SN-{YYYY}{JJJ}-{####}', '--reset', 'daily', '--json'], env);
    expect(created.code, created.stdout + created.stderr).toBe(0);
    expect(created.json()).toMatchObject({ name: 'Widgets', version: 1, createdBy: 'osuser' });

    const generated = await cli(['generate', 'Widgets', '--quantity', '3', '--work-order', 'WO-7', '--station', 'ST-4', '--json'], env);
    expect(generated.code, generated.stdout + generated.stderr).toBe(0);
    expect(generated.json().serials).toEqual(['SN-2025166-0001', 'SN-2025166-0002', 'SN-2025166-0003']);
    expect((await cli(['generate', 'Widgets'], env)).stdout).toBe('SN-2025166-0004\n');
    const verify = await cli(['audit', '--verify', '--json'], env);
    expect(verify.json()).toMatchObject({ valid: true, checked: 3 });

    const stored = await withPgClient(schema, async (client) => (await client.query<{ serial: string }>('SELECT serial FROM records ORDER BY serial')).rows);
    expect(stored.map((r) => r.serial)).toEqual(['SN-2025166-0001', 'SN-2025166-0002', 'SN-2025166-0003', 'SN-2025166-0004']);
    expect(existsSync(sqliteFile)).toBe(false);
  });

  it('issues a leased series without leaving values behind: each command leases what it issues', async () => {
    const env = { SERIALTRACE_DATABASE_URL: TEST_DATABASE_URL };
    expect((await cli(['series', 'create', 'Docs', '--format', 'D-{####}', '--allocation', 'leased', '--lease-size', '100'], env)).code).toBe(0);
    const runs = await Promise.all([1, 2, 3, 4].map(() => cli(['generate', 'Docs', '--quantity', '2', '--json'], env)));
    const serials = runs.flatMap((r) => r.json().serials as string[]).sort();
    expect(serials).toEqual(['D-0001', 'D-0002', 'D-0003', 'D-0004', 'D-0005', 'D-0006', 'D-0007', 'D-0008']);
    const show = await cli(['series', 'show', 'Docs'], env);
    expect(show.stdout).toContain('leased, 100 values per lease');
    expect(show.stdout).toMatch(/current value:\s+8 /);
    const released = await cli(['audit', '--action', 'serials.lease_released', '--json'], env);
    expect(released.json().entries).toEqual([]);
  });

  it('copies a SQLite database whole into PostgreSQL, where work goes on as if it had always been there', async () => {
    // A year on one machine: series of every kind (a global one, a leased one), serials, a status change.
    const sqlite = { SERIALTRACE_DATABASE_URL: undefined };
    const ok = async (args: readonly string[]) => {
      const run = await cli(args, sqlite);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
    };
    await ok(['series', 'create', 'Widgets', '--format', 'SN-{YYYY}{JJJ}-{####}', '--reset', 'daily']);
    await ok(['series', 'create', 'Tags', '--format', 'T{#####}', '--global']);
    await ok(['series', 'create', 'Docs', '--format', 'D-{####}', '--allocation', 'leased']);
    await ok(['generate', 'Widgets', '--quantity', '3', '--work-order', 'WO-1', '--metadata', '{"lot":"A-1","note":"it\u0027s"}']);
    await ok(['generate', 'Tags', '--quantity', '2']);
    await ok(['generate', 'Docs']);
    await ok(['status', 'SN-2025166-0002', 'printed', '--reason', "it's done"]);
    const before = {
      series: (await cli(['series', 'list', '--json'], sqlite)).json(),
      records: (await cli(['records', '--json'], sqlite)).json(),
      record: (await cli(['record', 'SN-2025166-0002', '--json'], sqlite)).json(),
      audit: (await cli(['audit', '--verify', '--json'], sqlite)).json(),
    };

    const copied = await cli(['copy-to-postgres', TEST_DATABASE_URL, '--json'], sqlite);
    expect(copied.code, copied.stdout + copied.stderr).toBe(0);
    expect(copied.json()).toMatchObject({ from: sqliteFile, schema, tables: expect.arrayContaining([{ name: 'records', rows: 6 }, { name: 'journal', rows: 7 }]) });

    const pgEnv = { SERIALTRACE_DATABASE_URL: TEST_DATABASE_URL };
    expect((await cli(['series', 'list', '--json'], pgEnv)).json()).toEqual(before.series);
    expect((await cli(['records', '--json'], pgEnv)).json()).toEqual(before.records);
    expect((await cli(['record', 'SN-2025166-0002', '--json'], pgEnv)).json()).toEqual(before.record);
    expect((await cli(['audit', '--verify', '--json'], pgEnv)).json()).toEqual(before.audit);
    // The counters came along: nothing is issued again, and the chain goes on from its head.
    expect((await cli(['generate', 'Widgets'], pgEnv)).stdout).toBe('SN-2025166-0004\n');
    expect((await cli(['generate', 'Tags'], pgEnv)).stdout).toBe('T00003\n');
    expect((await cli(['audit', '--verify', '--json'], pgEnv)).json()).toMatchObject({ valid: true, checked: before.audit.checked + 2 });

    // A second copy would merge two installations: refused, nothing changed.
    const again = await cli(['copy-to-postgres', TEST_DATABASE_URL, '--json'], sqlite);
    expect(again.code).toBe(1);
    expect(again.json().error).toMatchObject({ code: 'COPY_TARGET_NOT_EMPTY' });
    expect((await cli(['records', '--json'], pgEnv)).json().records).toHaveLength(8);
  });

  it('takes --database over SERIALTRACE_DATABASE_URL and over --db, and runs locally even where SERIALTRACE_SERVER is set', async () => {
    const flag = ['--database', TEST_DATABASE_URL];
    expect((await cli([...flag, 'series', 'create', 'A', '--format', 'A{####}', '--json'], { SERIALTRACE_DATABASE_URL: UNREACHABLE })).code).toBe(0);
    const both = await cli([...flag, '--db', join(dir, 'other.db'), 'series', 'list', '--json']);
    expect(both.json().series.map((s: { name: string }) => s.name)).toEqual(['A']);
    const beside = await cli([...flag, 'series', 'list', '--json'], { SERIALTRACE_SERVER: 'http://127.0.0.1:1' });
    expect(beside.json().series).toHaveLength(1);
    expect(existsSync(sqliteFile) || existsSync(join(dir, 'other.db'))).toBe(false);
    // Without a URL the SQLite file is used, as before.
    expect((await cli(['series', 'list', '--json'])).json().series).toEqual([]);
    expect(existsSync(sqliteFile)).toBe(true);
  });

  it('exits 1 with STORE_UNAVAILABLE when the database does not answer: {"error": ...} with --json, one line on stderr without, no stack, no password', async () => {
    const json = await cli(['generate', 'Widgets', '--json'], { SERIALTRACE_DATABASE_URL: UNREACHABLE });
    expect(json.code).toBe(1);
    expect(json.stderr).toBe('');
    const { error } = json.json();
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', message: 'The database cannot be reached (the database refused the connection); try again' });

    const human = await cli(['--database', UNREACHABLE, 'series', 'list']);
    expect(human.code).toBe(1);
    expect(human.stdout).toBe('');
    expect(human.stderr).toBe('error: STORE_UNAVAILABLE: The database cannot be reached (the database refused the connection); try again\n');
    expect(json.stdout + human.stderr).not.toContain('s3cret-pw');
  });

  it('refuses --database with --server as usage, and a URL that is not PostgreSQL', async () => {
    const both = await cli(['--database', TEST_DATABASE_URL, '--server', 'http://127.0.0.1:8080', 'series', 'list', '--json']);
    expect(both.code).toBe(2);
    expect(both.json().error).toMatchObject({ code: 'USAGE_INVALID', message: expect.stringContaining('--database and --server exclude each other') });
    const text = await cli(['--database', TEST_DATABASE_URL, '--server', 'http://127.0.0.1:8080', 'series', 'list']);
    expect(text.code).toBe(2);
    expect(text.stderr).toMatch(/^error: USAGE_INVALID: --database and --server/);

    const mysql = await cli(['--database', 'mysql://root:hunter2@db/st', 'series', 'list', '--json']);
    expect(mysql.code).toBe(1);
    expect(mysql.json().error).toMatchObject({ code: 'VALUE_INVALID', field: 'database' });
    expect(mysql.stdout).not.toContain('hunter2');
    expect((await cli(['--database', '', 'series', 'list', '--json'])).json().error).toMatchObject({ code: 'VALUE_INVALID', field: 'database' });
    const timeout = await cli(['series', 'list', '--json'], { SERIALTRACE_DATABASE_URL: TEST_DATABASE_URL, SERIALTRACE_DATABASE_STATEMENT_TIMEOUT: 'soon' });
    expect(timeout.json().error).toMatchObject({ code: 'VALUE_INVALID', field: 'SERIALTRACE_DATABASE_STATEMENT_TIMEOUT' });
  });
});
