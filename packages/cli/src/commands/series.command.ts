import { RESET_RULE_DESCRIPTIONS, type Problem } from '@serialtrace/core';
import { Command } from 'commander';
import type { AuditOptions, SeriesView } from '../backend.js';
import type { CliContext } from '../cli-context.js';
import { seriesInput, withAuditOptions, withSeriesOptions, type SeriesFlags } from '../options.js';
import { bar, fields, table } from '../output.js';

function warningsText(warnings: readonly Pick<Problem, 'message'>[]): string {
  return warnings.map((w) => `warning: ${w.message}`).join('\n');
}

function capacityText(view: SeriesView): string {
  const c = view.capacity;
  if (c.perPeriod === null) return `${c.used} used (grows without limit)`;
  return `${bar(c.usedRatio)} ${c.used} of ${c.perPeriod} used in period ${view.current.period}${c.level === 'ok' ? '' : ` (${c.level})`}`;
}

export function seriesDetails(view: SeriesView): string {
  const text = fields([
    ['name', view.name],
    ['description', view.description],
    ['format', view.format],
    ['base', view.base],
    ['start', view.start],
    ['increment', view.increment],
    ['min length', view.minLength],
    ['reset', `${view.reset} (${RESET_RULE_DESCRIPTIONS[view.reset]})`],
    ['time zone', view.timeZone],
    ['shift starts', view.shiftStarts?.map((s) => `${s.label}=${s.start}`).join(',') ?? null],
    ['global', view.global ? 'yes, unique across the company' : 'no'],
    ['allow growth', view.allowGrowth ? 'yes' : 'no'],
    ['allocation', view.allocation === 'leased' ? `leased, ${view.leaseSize} values per lease` : 'gapless'],
    ['version', view.version],
    ['current value', `${view.current.value} (period ${view.current.period})`],
    ['capacity', capacityText(view)],
    ['created', `${view.createdAt} by ${view.createdBy}`],
    ['updated', `${view.updatedAt} by ${view.updatedBy}`],
  ]);
  return view.warnings.length === 0 ? text : `${text}\n${warningsText(view.warnings)}`;
}

export function seriesCommand(ctx: () => CliContext): Command {
  const series = new Command('series').description('define and inspect serial number series');

  withAuditOptions(
    withSeriesOptions(series.command('create').argument('<name>', 'series name').description('create a series'), true),
  ).action(async (name: string, flags: SeriesFlags & AuditOptions) => {
    const c = ctx();
    const backend = c.backend();
    const view = await backend.createSeries(flags, { name, ...seriesInput(flags) });
    const next = await backend.previewNext(view.name, { count: 1, context: {}, partNumber: null, placeholders: true });
    c.print(view, () => `Created series "${view.name}" (version 1). Next serial: ${next.serials[0] ?? '(none: exhausted)'}\n${seriesDetails(view)}`);
  });

  series
    .command('list')
    .description('list every series with its current value and capacity')
    .action(async () => {
      const c = ctx();
      const list = await c.backend().listSeries();
      c.print({ series: list }, () =>
        list.length === 0
          ? 'No series yet. Create one with: serialtrace series create NAME --format "SN-{YYYY}-{####}"'
          : table(
              ['NAME', 'FORMAT', 'BASE', 'RESET', 'CURRENT', 'CAPACITY USED', 'GLOBAL'],
              list.map((s) => [
                s.name,
                s.format,
                s.base,
                s.reset,
                s.current.value,
                s.capacity.perPeriod === null ? 'unbounded' : `${(s.capacity.usedRatio * 100).toFixed(1)}%${s.capacity.level === 'ok' ? '' : ` ${s.capacity.level}`}`,
                s.global ? 'yes' : 'no',
              ]),
            ),
      );
    });

  series
    .command('show')
    .argument('<name>', 'series name')
    .description('show a series, its current period and the capacity used')
    .action(async (name: string) => {
      const c = ctx();
      const view = await c.backend().getSeries(name);
      c.print(view, () => seriesDetails(view));
    });

  withAuditOptions(
    withSeriesOptions(series.command('update').argument('<name>', 'series name').description('change a series (kept as a new version)'), false)
      .option('--rename <name>', 'give the series a new name'),
  ).action(async (name: string, flags: SeriesFlags & AuditOptions & { rename?: string }) => {
    const c = ctx();
    const view = await c.backend().updateSeries(flags, name, { ...seriesInput(flags), ...(flags.rename === undefined ? {} : { name: flags.rename }) });
    c.print(view, () => `Series "${view.name}" is now at version ${view.version}.\n${seriesDetails(view)}`);
  });

  return series;
}
