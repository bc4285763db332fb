import type { AuditEntry } from '@serialtrace/core';
import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { wholeNumber } from '../options.js';
import { csvField, table } from '../output.js';
import { SerialtraceError } from '@serialtrace/core';

const CSV_COLUMNS = ['seq', 'at', 'actor', 'station', 'line', 'plant', 'reason', 'action', 'entityType', 'entityId', 'data', 'prevHash', 'hash'] as const;

interface AuditFlags {
  readonly verify?: boolean;
  readonly export?: string;
  readonly limit?: string;
  readonly entity?: string;
  readonly action?: string;
}

export function auditCommand(ctx: () => CliContext): Command {
  return new Command('audit')
    .description('list, export or verify the hash-chained audit trail')
    .option('--verify', 'recompute the chain and report the first broken link (exit 1 when broken)')
    .option('--export <format>', 'write every entry in chain order: json or csv')
    .option('--limit <n>', 'how many of the newest entries to list', '50')
    .option('--entity <type:id>', 'only entries about one entity, e.g. record:42')
    .option('--action <action>', 'only one kind of entry, e.g. serial.generated')
    .action(async (flags: AuditFlags) => {
      const c = ctx();
      const app = c.app();
      const caller = c.caller();
      if (flags.verify === true) {
        const result = await app.audit.verify(caller);
        c.print(result, () =>
          result.valid
            ? `Audit chain intact: ${result.checked} entries verified.${result.head === null ? '' : ` Head: #${result.head.seq} ${result.head.hash}`}`
            : `Audit chain BROKEN at entry #${result.firstBreak!.seq} (${result.firstBreak!.reason}); ${result.checked} entries before it verified.`,
        );
        if (!result.valid) c.exitCode = 1;
        return;
      }
      if (flags.export !== undefined) {
        if (flags.export !== 'json' && flags.export !== 'csv') {
          throw new SerialtraceError('VALUE_INVALID', { field: 'export', reason: `"${flags.export}" is not json or csv` });
        }
        await exportEntries(c, flags.export, app.audit.entries(caller));
        return;
      }
      const [entityType, entityId] = flags.entity === undefined ? [] : flags.entity.split(':', 2);
      if (flags.entity !== undefined && (entityType === undefined || entityId === undefined || entityId === '')) {
        throw new SerialtraceError('VALUE_INVALID', { field: 'entity', reason: 'write it as TYPE:ID, e.g. record:42' });
      }
      const entries = await app.audit.list(caller, {
        limit: wholeNumber(flags.limit, 'limit', 1, 1000)!,
        ...(entityType === undefined ? {} : { entityType }),
        ...(entityId === undefined ? {} : { entityId }),
        ...(flags.action === undefined ? {} : { action: flags.action }),
      });
      c.print({ entries }, () =>
        table(
          ['SEQ', 'AT', 'ACTOR', 'STATION', 'ACTION', 'ENTITY', 'REASON'],
          entries.map((e) => [String(e.seq), e.at, e.actor, e.station ?? '', e.action, `${e.entityType}:${e.entityId}`, e.reason ?? '']),
        ),
      );
    });
}

async function exportEntries(c: CliContext, format: 'json' | 'csv', entries: AsyncIterable<AuditEntry>): Promise<void> {
  if (format === 'csv') {
    c.io.stdout(`${CSV_COLUMNS.join(',')}\n`);
    for await (const e of entries) c.io.stdout(`${CSV_COLUMNS.map((k) => csvField(e[k])).join(',')}\n`);
    return;
  }
  c.io.stdout('[');
  let first = true;
  for await (const e of entries) {
    c.io.stdout(`${first ? '\n' : ',\n'}${JSON.stringify(e)}`);
    first = false;
  }
  c.io.stdout('\n]\n');
}
