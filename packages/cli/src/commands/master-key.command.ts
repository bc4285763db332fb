import { SerialtraceError } from '@serialtrace/core';
import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import type { AuditOptions } from '../backend.js';
import { withAuditOptions } from '../options.js';

/**
 * `master-key rotate`: re-wraps the keys of randomised series under a new master key. Both keys
 * come from the environment only (SERIALTRACE_MASTER_KEY, SERIALTRACE_NEW_MASTER_KEY), never
 * from flags, which process lists show.
 */
export function masterKeyCommand(ctx: () => CliContext): Command {
  const command = new Command('master-key').description('the master key that protects the keys of randomised series');
  withAuditOptions(
    command
      .command('rotate')
      .description(
        're-wrap every randomised series\' key from SERIALTRACE_MASTER_KEY to SERIALTRACE_NEW_MASTER_KEY, in one transaction; stop the servers first and start them with the new key after',
      ),
  ).action(async (flags: AuditOptions) => {
    const c = ctx();
    const next = c.io.env['SERIALTRACE_NEW_MASTER_KEY'];
    if (next === undefined || next.trim() === '') {
      throw new SerialtraceError('USAGE_INVALID', { reason: 'set SERIALTRACE_NEW_MASTER_KEY to the new master key (and SERIALTRACE_MASTER_KEY to the current one)' });
    }
    const result = await c.backend().rotateMasterKey(flags, next);
    c.print(result, () => `Re-wrapped the keys of ${result.series} randomised series: master key ${result.from} -> ${result.to}. Start the servers with the new key.`);
  });
  return command;
}
