import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { useLocalDatabase } from './cli-harness.js';

const { cli, dir, db } = useLocalDatabase('serialtrace-cli-');

function auditCount(): number {
  const raw = new Database(db(), { readonly: true });
  try {
    return (raw.prepare('SELECT COUNT(*) AS n FROM journal').get() as { n: number }).n;
  } finally {
    raw.close();
  }
}

describe('serialtrace CLI', () => {
  it('creates a series, previews, generates, lists, shows and audits, with --json shapes', async () => {
    const created = await cli(['series', 'create', 'Widgets', '--format', 'SN-{YYYY}{JJJ}-{####}', '--reset', 'daily', '--json']);
    expect(created.code).toBe(0);
    expect(created.json()).toMatchObject({ name: 'Widgets', reset: 'daily', version: 1, createdBy: 'osuser' });

    const preview = await cli(['preview', '--format', 'LOT-{YYYY}{MM}{DD}-{LINE}-{####}', '--context', 'LINE=L1', '--count', '2', '--json']);
    expect(preview.json().serials).toEqual(['LOT-20250615-L1-0001', 'LOT-20250615-L1-0002']);
    const at = await cli(['preview', '--format', 'SN-{YYYY}{JJJ}-{####}', '--at', '2024-12-31T23:00:00-02:00', '--json']);
    expect(at.json().serials[0]).toBe('SN-2025001-0001');

    const generated = await cli(['generate', 'Widgets', '--quantity', '3', '--work-order', 'WO-7', '--part', 'PN-1', '--metadata', '{"lot":"A"}', '--actor', 'jane', '--station', 'ST-4', '--reason', 'first batch', '--json']);
    expect(generated.code).toBe(0);
    expect(generated.json().serials).toEqual(['SN-2025166-0001', 'SN-2025166-0002', 'SN-2025166-0003']);

    const human = await cli(['generate', 'Widgets']);
    expect(human.stdout).toBe('SN-2025166-0004\n');

    const records = await cli(['records', '--work-order', 'WO-7', '--json']);
    expect(records.json().records.map((r: { serial: string }) => r.serial)).toEqual(['SN-2025166-0003', 'SN-2025166-0002', 'SN-2025166-0001']);
    expect(records.json().nextCursor).toBeNull();

    const status = await cli(['status', 'SN-2025166-0002', 'printed', '--reason', 'label', '--actor', 'printer', '--json']);
    expect(status.json()).toMatchObject({ serial: 'SN-2025166-0002', status: 'printed' });

    const record = await cli(['record', 'SN-2025166-0002', '--json']);
    expect(record.json()).toMatchObject({
      serial: 'SN-2025166-0002',
      status: 'printed',
      workOrder: 'WO-7',
      partNumber: 'PN-1',
      metadata: { lot: 'A' },
      generatedBy: 'jane',
      station: 'ST-4',
    });
    expect(record.json().history.map((x: { to: string; actor: string }) => [x.to, x.actor])).toEqual([
      ['generated', 'jane'],
      ['printed', 'printer'],
    ]);
    expect((await cli(['record', 'SN-2025166-0002'])).stdout).toContain('generated -> printed  by printer');

    const list = await cli(['series', 'list', '--json']);
    expect(list.json().series[0]).toMatchObject({ name: 'Widgets', current: { value: '4', period: '2025-06-15' } });
    const show = await cli(['series', 'show', 'Widgets']);
    expect(show.stdout).toContain('4 of 9999 used in period 2025-06-15');

    const audit = await cli(['audit', '--json']);
    expect(audit.json().entries.map((e: { action: string }) => e.action)).toEqual([
      'record.status_changed',
      'serials.generated',
      'serials.generated',
      'series.created',
    ]);
    expect(audit.json().entries[2]).toMatchObject({ actor: 'jane', station: 'ST-4', reason: 'first batch' });
    const verify = await cli(['audit', '--verify', '--json']);
    expect(verify.code).toBe(0);
    expect(verify.json()).toMatchObject({ valid: true, checked: 4 });

    const csv = await cli(['audit', '--export', 'csv']);
    expect(csv.stdout.split('\n')[0]).toBe('seq,at,actor,station,line,plant,reason,action,entityType,entityId,data,prevHash,hash');
    expect(csv.stdout.trim().split('\n')).toHaveLength(5);
    // A reason a spreadsheet would run is written as text.
    expect((await cli(['status', 'SN-2025166-0001', 'voided', '--reason', '@SUM(1+1)*cmd|"/C calc"!A0'])).code).toBe(0);
    const defused = await cli(['audit', '--export', 'csv']);
    expect(defused.stdout.trim().split('\n').at(-1)).toContain(`,"'@SUM(1+1)*cmd|""/C calc""!A0",`);
    const exported = await cli(['audit', '--export', 'json']);
    expect(JSON.parse(exported.stdout).map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('reads the database from --db first, then SERIALTRACE_DB', async () => {
    const other = join(dir(), 'other.db');
    expect((await cli(['--db', other, 'series', 'create', 'A', '--format', 'A{####}', '--json'])).code).toBe(0);
    expect((await cli(['series', 'list', '--json'])).json().series).toEqual([]);
    expect((await cli(['series', 'list', '--db', other, '--json'])).json().series).toHaveLength(1);
  });

  it('exits non-zero and prints {"error": ...} for audit --verify on a tampered chain', async () => {
    await cli(['series', 'create', 'W', '--format', 'W{####}']);
    await cli(['generate', 'W']);
    const raw = new Database(db());
    raw.prepare("UPDATE journal SET actor = 'mallory' WHERE seq = 1").run();
    raw.close();
    const verify = await cli(['audit', '--verify', '--json']);
    expect(verify.code).toBe(1);
    expect(verify.json()).toMatchObject({ valid: false, firstBreak: { seq: 1, reason: 'hash_mismatch' } });
    const text = (await cli(['audit', '--verify'])).stdout;
    expect(text).toContain('Audit trail does NOT verify: 1 problem.');
    expect(text).toContain('- Entry #1 no longer matches its own hash');
  });

  describe('refuses bad input with a stable code, the field, and no change', () => {
    beforeEach(async () => {
      expect((await cli(['series', 'create', 'Widgets', '--format', 'SN-{####}'])).code).toBe(0);
      await cli(['generate', 'Widgets']);
    });

    const cases: [string, string[], Record<string, string>, string, string | undefined][] = [
      ['unknown series', ['generate', 'Nope'], {}, 'SERIES_NOT_FOUND', 'series'],
      ['quantity 0', ['generate', 'Widgets', '--quantity', '0'], {}, 'QUANTITY_OUT_OF_RANGE', 'quantity'],
      ['quantity 10001', ['generate', 'Widgets', '--quantity', '10001'], {}, 'QUANTITY_OUT_OF_RANGE', 'quantity'],
      ['quantity text', ['generate', 'Widgets', '--quantity', 'ten'], {}, 'QUANTITY_OUT_OF_RANGE', 'quantity'],
      ['negative start', ['series', 'create', 'S', '--format', 'S{####}', '--start', '-1'], {}, 'VALUE_INVALID', 'start'],
      ['fractional start', ['series', 'create', 'S', '--format', 'S{####}', '--start', '1.5'], {}, 'VALUE_INVALID', 'start'],
      ['zero increment', ['series', 'create', 'S', '--format', 'S{####}', '--increment', '0'], {}, 'VALUE_INVALID', 'increment'],
      ['text increment', ['series', 'create', 'S', '--format', 'S{####}', '--increment', 'two'], {}, 'VALUE_INVALID', 'increment'],
      ['unknown time zone', ['series', 'create', 'S', '--format', 'S{####}', '--time-zone', 'Mars/Olympus'], {}, 'TIME_ZONE_UNKNOWN', 'timeZone'],
      ['unknown base', ['series', 'create', 'S', '--format', 'S{####}', '--base', 'octal'], {}, 'VALUE_INVALID', 'base'],
      ['unknown reset rule', ['series', 'create', 'S', '--format', 'S{####}', '--reset', 'hourly'], {}, 'VALUE_INVALID', 'reset'],
      ['bad shift starts', ['series', 'create', 'S', '--format', 'S{####}', '--shift-starts', '25:00'], {}, 'SHIFT_CALENDAR_INVALID', 'shiftStarts'],
      ['unknown token', ['series', 'create', 'S', '--format', 'S{YYY}{####}'], {}, 'FORMAT_TOKEN_UNKNOWN', 'format'],
      ['malformed metadata', ['generate', 'Widgets', '--metadata', '{lot:'], {}, 'METADATA_INVALID', 'metadata'],
      ['metadata not an object', ['generate', 'Widgets', '--metadata', '[1]'], {}, 'METADATA_INVALID', 'metadata'],
      ['context without =', ['generate', 'Widgets', '--context', 'LINE'], {}, 'CONTEXT_INVALID', 'context'],
      ['invalid SERIALTRACE_NOW', ['generate', 'Widgets'], { SERIALTRACE_NOW: 'yesterday' }, 'CLOCK_INVALID', 'SERIALTRACE_NOW'],
      ['impossible SERIALTRACE_NOW', ['generate', 'Widgets'], { SERIALTRACE_NOW: '2025-02-30T00:00:00Z' }, 'CLOCK_INVALID', 'SERIALTRACE_NOW'],
      ['invalid SERIALTRACE_TIME_ZONE', ['series', 'create', 'S', '--format', 'S{####}'], { SERIALTRACE_TIME_ZONE: 'Mars/Olympus' }, 'TIME_ZONE_UNKNOWN', 'SERIALTRACE_TIME_ZONE'],
      ['invalid --at', ['preview', '--format', 'S{####}', '--at', '2025-06-15'], {}, 'CLOCK_INVALID', 'at'],
      ['name taken', ['series', 'create', 'Widgets', '--format', 'W{####}'], {}, 'SERIES_NAME_TAKEN', 'name'],
      ['unknown status', ['status', 'SN-0001', 'shipped'], {}, 'STATUS_UNKNOWN', 'status'],
      ['backward status', ['status', 'SN-0001', 'generated'], {}, 'STATUS_TRANSITION_INVALID', 'status'],
      ['unknown serial', ['record', 'SN-9999'], {}, 'RECORD_NOT_FOUND', 'serial'],
      ['bad limit', ['records', '--limit', '0'], {}, 'VALUE_INVALID', 'limit'],
      ['bad export format', ['audit', '--export', 'xml'], {}, 'VALUE_INVALID', 'export'],
    ];

    it.each(cases)('%s', async (_name, args, env, code, field) => {
      const before = auditCount();
      const run = await cli([...args, '--json'], { env });
      expect(run.code).toBe(1);
      const { error } = run.json();
      expect(error.code).toBe(code);
      expect(typeof error.message).toBe('string');
      if (field !== undefined) expect(error.field).toBe(field);
      expect(auditCount()).toBe(before);
      // Without --json the same refusal goes to stderr, code first.
      const human = await cli(args, { env });
      expect(human.code).toBe(1);
      expect(human.stderr).toContain(`error: ${code}: `);
      expect((await cli(['generate', 'Widgets', '--json'])).json().serials).toEqual(['SN-0002']);
    });

    it('reports the position of a format problem, and every problem at once', async () => {
      const run = await cli(['series', 'create', 'S', '--format', 'AB{YYY}-{####', '--increment', '0', '--json']);
      const { error } = run.json();
      expect(error).toMatchObject({ code: 'FORMAT_TOKEN_UNKNOWN', field: 'format', position: 2, length: 5, suggestion: '{YYYY}' });
      expect(error.problems.map((p: { code: string }) => p.code)).toEqual([
        'FORMAT_TOKEN_UNKNOWN',
        'FORMAT_BRACE_UNBALANCED',
        'FORMAT_SEQUENCE_MISSING',
        'VALUE_INVALID',
      ]);
    });

    it('answers a malformed command line with USAGE_INVALID and exit status 2', async () => {
      const unknown = await cli(['frobnicate', '--json']);
      expect(unknown.code).toBe(2);
      expect(unknown.json().error.code).toBe('USAGE_INVALID');
      const missing = await cli(['series', 'create', 'S', '--json']);
      expect(missing.code).toBe(2);
      expect(missing.json().error.message).toContain('--format');
      const human = await cli(['generate']);
      expect(human.code).toBe(2);
      expect(human.stderr).toContain("missing required argument 'series'");
    });
  });

  it('replays an idempotent generate', async () => {
    await cli(['series', 'create', 'W', '--format', 'W{####}']);
    const a = await cli(['generate', 'W', '--quantity', '2', '--idempotency-key', 'job-1', '--json']);
    const b = await cli(['generate', 'W', '--quantity', '2', '--idempotency-key', 'job-1', '--json']);
    expect(b.json().serials).toEqual(a.json().serials);
    expect(b.json().replayed).toBe(true);
  });

  it('prints help', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: serialtrace');
    expect(help.stdout).toContain('generate');
  });
});
