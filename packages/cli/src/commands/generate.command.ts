import { parseMetadataText } from '@serialtrace/service';
import { Command } from 'commander';
import type { AuditOptions, CliContext } from '../cli-context.js';
import { collectContext, withAuditOptions } from '../options.js';

interface GenerateFlags extends AuditOptions {
  readonly quantity?: string;
  readonly workOrder?: string;
  readonly part?: string;
  readonly context?: Record<string, string>;
  readonly metadata?: string;
  readonly idempotencyKey?: string;
  readonly lot?: string;
  readonly expiry?: string;
}

export function generateCommand(ctx: () => CliContext): Command {
  return withAuditOptions(
    new Command('generate')
      .argument('<series>', 'series name')
      .description('issue one serial or a batch (durable before it is printed)')
      .option('--quantity <n>', 'how many serials, 1 to 10000', '1')
      .option('--work-order <wo>', 'work order the serials belong to')
      .option('--part <pn>', 'part number (also fills {PART})')
      .option('--context <name=value>', 'context token value, repeatable (LINE=L1)', collectContext)
      .option('--metadata <json>', 'free metadata, a JSON object')
      .option('--idempotency-key <key>', 'repeating the request with this key returns the same serials')
      .option('--lot <lot>', 'GS1 batch/lot (AI 10) of the items; series bound to a GTIN only')
      .option('--expiry <date>', 'GS1 expiry date (AI 17), YYYY-MM-DD or YYMMDD (day 00: end of the month); series bound to a GTIN only'),
  ).action(async (series: string, flags: GenerateFlags) => {
    const c = ctx();
    const backend = c.backend();
    const result = await backend.generate(flags, series, {
      quantity: flags.quantity ?? '1',
      ...(flags.workOrder === undefined ? {} : { workOrder: flags.workOrder }),
      ...(flags.part === undefined ? {} : { partNumber: flags.part }),
      context: flags.context ?? {},
      ...(flags.metadata === undefined ? {} : { metadata: parseMetadataText(flags.metadata) }),
      ...(flags.idempotencyKey === undefined ? {} : { idempotencyKey: flags.idempotencyKey }),
      ...(flags.lot === undefined ? {} : { lot: flags.lot }),
      ...(flags.expiry === undefined ? {} : { expiry: flags.expiry }),
    });
    c.print(result, () => result.serials.join('\n'));
  });
}
