import { GS } from '@serialtrace/core';
import { parseMetadataText } from '@serialtrace/service';
import { Command } from 'commander';
import type { AuditOptions, RecordDetails } from '../backend.js';
import type { CliContext } from '../cli-context.js';
import { wholeNumber, withAuditOptions } from '../options.js';
import { fields, table } from '../output.js';

interface RecordsFlags {
  readonly series?: string;
  readonly workOrder?: string;
  readonly part?: string;
  readonly status?: string;
  readonly lot?: string;
  readonly search?: string;
  readonly from?: string;
  readonly to?: string;
  readonly limit?: string;
  readonly cursor?: string;
}

/** GS1 data as text: the GS separator (ASCII 29), invisible on a terminal, shown as `<GS>`. */
export function showGs(text: string): string {
  return text.replaceAll(GS, '<GS>');
}

function gs1Entries(record: RecordDetails): [string, string | number | null][] {
  const gs1 = record.gs1;
  return [
    ...(record.lot === null ? [] : [['lot', record.lot] as [string, string]]),
    ...(record.expiry === null ? [] : [['expiry', record.expiry] as [string, string]]),
    ['label prints', record.labelPrints],
    ...(gs1 === null
      ? []
      : ([
          ...(gs1.gtin === null ? [] : [['gtin', gs1.gtin]]),
          ...(gs1.sscc === null ? [] : [['sscc', gs1.sscc]]),
          ['element string', showGs(gs1.elementString)],
          ['bracketed', gs1.bracketed],
          ['digital link', gs1.digitalLink],
          ['epc urn', gs1.epcUrn],
        ] as [string, string | null][])),
  ];
}

export function recordDetails(record: RecordDetails): string {
  const context = Object.entries(record.context).map(([k, v]) => `${k}=${v}`).join(' ');
  return [
    fields([
      ['serial', record.serial],
      ['series', record.series],
      ['status', record.status],
      ['sequence', `${record.sequence} (period ${record.period})`],
      ['work order', record.workOrder],
      ['part number', record.partNumber],
      ['context', context],
      ['metadata', record.metadata === null ? null : JSON.stringify(record.metadata)],
      ['generated', `${record.generatedAt} by ${record.generatedBy}${record.station === null ? '' : ` at ${record.station}`}`],
      ...gs1Entries(record),
    ]),
    '',
    'history:',
    ...record.history.map(
      (h) =>
        `  ${h.at}  ${h.from === null ? '' : `${h.from} -> `}${h.to}  by ${h.actor}${h.station === null ? '' : ` at ${h.station}`}` +
        `${h.reason === null ? '' : `: ${h.reason}`}${h.data === null ? '' : ` ${JSON.stringify(h.data)}`}`,
    ),
    ...(record.prints.length === 0
      ? []
      : [
          '',
          'label prints:',
          ...record.prints.map(
            (p) => `  #${p.print}  ${p.at}  ${p.template} (${p.format})  by ${p.actor}${p.station === null ? '' : ` at ${p.station}`}`,
          ),
        ]),
  ].join('\n');
}

export function recordsCommands(ctx: () => CliContext): Command[] {
  const records = new Command('records')
    .description('list records, newest first, across all series or one')
    .option('--series <name>', 'only this series')
    .option('--work-order <wo>', 'only this work order')
    .option('--part <pn>', 'only this part number')
    .option('--status <status>', 'only this status')
    .option('--lot <lot>', 'only this GS1 batch/lot (exact)')
    .option('--search <text>', 'text in the serial, work order or part number')
    .option('--from <instant>', 'generated at or after (ISO-8601)')
    .option('--to <instant>', 'generated before (ISO-8601)')
    .option('--limit <n>', 'page size, 1 to 1000', '50')
    .option('--cursor <cursor>', 'continue after a previous page')
    .action(async (flags: RecordsFlags) => {
      const c = ctx();
      const page = await c.backend().searchRecords({
        ...(flags.series === undefined ? {} : { series: flags.series }),
        ...(flags.workOrder === undefined ? {} : { workOrder: flags.workOrder }),
        ...(flags.part === undefined ? {} : { partNumber: flags.part }),
        ...(flags.status === undefined ? {} : { status: flags.status }),
        ...(flags.lot === undefined ? {} : { lot: flags.lot }),
        ...(flags.search === undefined ? {} : { search: flags.search }),
        ...(flags.from === undefined ? {} : { from: flags.from }),
        ...(flags.to === undefined ? {} : { to: flags.to }),
        ...(flags.cursor === undefined ? {} : { cursor: flags.cursor }),
        limit: wholeNumber(flags.limit, 'limit', 1, 1000)!,
      });
      c.print(page, () =>
        page.records.length === 0
          ? 'No records match.'
          : table(
              ['SERIAL', 'SERIES', 'STATUS', 'WORK ORDER', 'PART', 'GENERATED'],
              page.records.map((r) => [r.serial, r.series, r.status, r.workOrder ?? '', r.partNumber ?? '', r.generatedAt]),
            ) + (page.nextCursor === null ? '' : `\nmore: --cursor ${page.nextCursor}`),
      );
    });

  const record = new Command('record')
    .argument('<serial>', 'the serial')
    .option('--series <name>', 'the series, when several issued the same text')
    .description('show a record with its status history')
    .action(async (serial: string, flags: { series?: string }) => {
      const c = ctx();
      const details = await c.backend().getRecord(serial, flags.series === undefined ? {} : { series: flags.series });
      c.print(details, () => recordDetails(details));
    });

  const status = withAuditOptions(
    new Command('status')
      .argument('<serial>', 'the serial')
      .argument('<status>', 'printed, in_progress, completed, voided or scrapped')
      .option('--series <name>', 'the series, when several issued the same text')
      .option('--data <json>', 'data to keep with the change, a JSON object')
      .description('move a record to a new status'),
  ).action(async (serial: string, to: string, flags: AuditOptions & { series?: string; data?: string }) => {
    const c = ctx();
    const backend = c.backend();
    const details = await backend.changeStatus(flags, serial, to, {
      ...(flags.series === undefined ? {} : { series: flags.series }),
      reason: flags.reason ?? null,
      ...(flags.data === undefined ? {} : { data: parseMetadataText(flags.data, 'data') }),
    });
    const last = details.history[details.history.length - 1]!;
    c.print(details, () => `${details.serial}: ${last.from ?? ''} -> ${last.to}`);
  });

  return [records, record, status];
}
