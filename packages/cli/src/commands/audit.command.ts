import { SerialtraceError } from '@serialtrace/core';
import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { wholeNumber } from '../options.js';
import { table } from '../output.js';

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
      const backend = c.backend();
      if (flags.verify === true) {
        const result = await backend.verifyAudit();
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
        // The same bytes either way: the server streams what the local export writes.
        for await (const chunk of backend.exportAudit(flags.export)) c.io.stdout(chunk);
        return;
      }
      const [entityType, entityId] = flags.entity === undefined ? [] : flags.entity.split(':', 2);
      if (flags.entity !== undefined && (entityType === undefined || entityId === undefined || entityId === '')) {
        throw new SerialtraceError('VALUE_INVALID', { field: 'entity', reason: 'write it as TYPE:ID, e.g. record:42' });
      }
      const page = await backend.listAudit({
        limit: wholeNumber(flags.limit, 'limit', 1, 1000)!,
        ...(entityType === undefined ? {} : { entityType }),
        ...(entityId === undefined ? {} : { entityId }),
        ...(flags.action === undefined ? {} : { action: flags.action }),
      });
      c.print(page, () =>
        table(
          ['SEQ', 'AT', 'ACTOR', 'STATION', 'ACTION', 'ENTITY', 'REASON'],
          page.entries.map((e) => [String(e.seq), e.at, e.actor, e.station ?? '', e.action, `${e.entityType}:${e.entityId}`, e.reason ?? '']),
        ),
      );
    });
}
