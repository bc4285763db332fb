import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serialtrace } from './cli-process.js';
import { http, signIn, startServer, type ServerProcess } from './server-process.js';

/** The real `serialtrace` binary against the real server process: GS1 series and label printing. */

const PASSWORD = 'e2e-admin-password';
const MASTER_KEY = 'c3'.repeat(32);

let dir: string;
let server: ServerProcess;
let key: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'serialtrace-cli-labels-e2e-'));
  server = await startServer(join(dir, 'serialtrace.db'), { SERIALTRACE_ADMIN_PASSWORD: PASSWORD, SERIALTRACE_MASTER_KEY: MASTER_KEY });
  const admin = await signIn(server.url, 'admin', PASSWORD);
  const created = await http(server.url, 'POST', '/api/v1/api-keys', { headers: admin, body: { name: 'Label station', role: 'admin' } });
  expect(created.status, created.text).toBe(201);
  key = created.json.key as string;
});
afterAll(async () => {
  await server?.stop('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** The binary with --server, without any SERIALTRACE_* variable of the test's shell. */
const remote = async (args: string[]) => {
  const run = await serialtrace(['--server', server.url, '--api-key', key, ...args, '--json'], { SERIALTRACE_DB: join(dir, 'never.db') });
  return { code: run.code, body: JSON.parse(run.stdout) as Record<string, any>, stderr: run.stderr };
};

describe('the serialtrace binary against a server', () => {
  it('prints a GS1 label: the file is written, the record printed and its print counted', async () => {
    expect((await remote(['series', 'create', 'Drug', '--gtin', '09520123456788', '--format', 'SN{######}'])).code).toBe(0);
    const generated = await remote(['generate', 'Drug', '--lot', 'LOT7', '--expiry', '2027-01-31']);
    expect(generated.body['serials']).toEqual(['SN000001']);

    const out = join(dir, 'label.png');
    const printed = await remote(['label', 'render', '--serial', 'SN000001', '--format', 'png', '--out', out, '--station', 'L1']);
    expect(printed.code, printed.stderr).toBe(0);
    const bytes = readFileSync(out);
    expect(printed.body).toEqual({ file: out, bytes: bytes.byteLength, format: 'png', template: 'gs1-product', print: 1, serial: 'SN000001' });
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');

    const record = await remote(['record', 'SN000001']);
    expect(record.body).toMatchObject({ status: 'printed', labelPrints: 1, lot: 'LOT7', expiry: '2027-01-31' });
    expect(record.body['gs1'].bracketed).toBe('(01)09520123456788(17)270131(10)LOT7(21)SN000001');

    const refused = await remote(['label', 'render', '--serial', 'SN000001', '--template', 'nope', '--out', join(dir, 'refused.png')]);
    expect(refused.code).toBe(1);
    expect(refused.body['error'].code).toBe('LABEL_TEMPLATE_NOT_FOUND');
    expect(existsSync(join(dir, 'refused.png'))).toBe(false);
    expect(existsSync(join(dir, 'never.db'))).toBe(false);
  });

  it('makes a randomised series with the server\'s master key', async () => {
    const created = await remote(['series', 'create', 'Random', '--format', 'R{##########}', '--randomized']);
    expect(created.code, created.stderr).toBe(0);
    const serials = (await remote(['generate', 'Random', '--quantity', '3'])).body['serials'] as string[];
    expect(serials).toHaveLength(3);
    expect((await remote(['series', 'show', 'Random'])).body['guess']).toMatchObject({ issued: '3', space: '9999999999' });
  });
});
