import { existsSync } from 'node:fs';
import { EVENT_TYPE_NAMES, EVENT_TYPES } from '@serialtrace/core';
import { describe, expect, it } from 'vitest';
import { useLocalDatabase } from './cli-harness.js';

const { cli, db } = useLocalDatabase('serialtrace-cli-actions-');

describe('serialtrace audit --action', () => {
  it('lists every action of the event catalog, with its words, in the help', async () => {
    const help = await cli(['audit', '--help']);
    expect(help.code).toBe(0);
    for (const type of EVENT_TYPE_NAMES) expect(help.stdout).toMatch(new RegExp(`^ {2}${type.replace('.', '\\.')} +${EVENT_TYPES[type].label}$`, 'm'));
  });

  it('filters by a declared action', async () => {
    await cli(['series', 'create', 'Widgets', '--format', 'W{####}']);
    await cli(['generate', 'Widgets', '--quantity', '2']);
    const listed = await cli(['audit', '--action', 'serials.generated', '--json']);
    expect(listed.code).toBe(0);
    expect(listed.json().entries.map((e: { action: string }) => e.action)).toEqual(['serials.generated']);
  });

  it('refuses an action the trail never records as a usage error, naming the one probably meant, before opening anything', async () => {
    const run = await cli(['audit', '--action', 'serial.generated', '--json']);
    expect(run.code).toBe(2);
    expect(run.json().error).toEqual({
      code: 'USAGE_INVALID',
      message: '--action "serial.generated" is not an action the audit trail records; did you mean serials.generated? (serialtrace audit --help lists them all)',
      reason: '--action "serial.generated" is not an action the audit trail records; did you mean serials.generated? (serialtrace audit --help lists them all)',
      field: 'action',
      value: 'serial.generated',
      suggestion: 'serials.generated',
    });
    expect(existsSync(db())).toBe(false);

    const human = await cli(['audit', '--action', 'series.create']);
    expect(human.code).toBe(2);
    expect(human.stderr).toBe(
      'error: USAGE_INVALID: --action "series.create" is not an action the audit trail records; did you mean series.created? (serialtrace audit --help lists them all)\n',
    );
    const far = await cli(['audit', '--action', 'parcel.lost', '--json']);
    expect(far.code).toBe(2);
    expect(far.json().error.message).toBe('--action "parcel.lost" is not an action the audit trail records (serialtrace audit --help lists them all)');
    expect(far.json().error.suggestion).toBeUndefined();
  });

  it('refuses it against a server too without sending a request: nothing listens there', async () => {
    const run = await cli(['--server', 'http://127.0.0.1:9', '--api-key', 'st_unused', 'audit', '--action', 'api_key.revoke', '--json'], {
      env: { SERIALTRACE_DB: undefined },
    });
    expect(run.code).toBe(2);
    expect(run.json().error).toMatchObject({ code: 'USAGE_INVALID', suggestion: 'api_key.revoked' });
  });
});
