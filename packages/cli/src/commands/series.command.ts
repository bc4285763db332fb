import { RESET_RULE_DESCRIPTIONS, type Problem } from '@serialtrace/core';
import { Command } from 'commander';
import type { AuditOptions, SeriesView } from '../backend.js';
import type { CliContext } from '../cli-context.js';
import { seriesInput, withAuditOptions, withGs1SeriesOptions, withSeriesOptions, type SeriesFlags } from '../options.js';
import { bar, fields, table } from '../output.js';

function warningsText(warnings: readonly Pick<Problem, 'message'>[]): string {
  return warnings.map((w) => `warning: ${w.message}`).join('\n');
}

function capacityText(view: SeriesView): string {
  const c = view.capacity;
  if (c.perPeriod === null) return `${c.used} used (grows without limit)`;
  return `${bar(c.usedRatio)} ${c.used} of ${c.perPeriod} used in period ${view.current.period}${c.level === 'ok' ? '' : ` (${c.level})`}`;
}

/** `1,000,000,000` */
function grouped(value: bigint): string {
  return value.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A percentage with its first significant digits, never in exponent notation: `0.0000001`. */
function percent(ratio: number): string {
  const value = ratio * 100;
  if (value === 0) return '0';
  const decimals = Math.min(20, Math.max(2, 1 - Math.floor(Math.log10(value))));
  return value.toFixed(decimals).replace(/\.?0+$/, '');
}

/**
 * The chance that a guessed value is a serial of the current period, against the most the series
 * allows: `1 in 1,000,000,000 (0.0000001%) of 1 in 10,000 allowed`.
 */
export function guessText(guess: NonNullable<SeriesView['guess']>): string {
  const space = BigInt(guess.space);
  const issued = BigInt(guess.issued);
  const limit = BigInt(guess.limit);
  const allowed = limit === 0n ? 'none allowed' : `1 in ${grouped((space + limit / 2n) / limit)} allowed`;
  if (issued === 0n) return `none issued yet (0%) of ${allowed}`;
  return `1 in ${grouped((space + issued / 2n) / issued)} (${percent(guess.probability)}%) of ${allowed}`;
}

function gs1Entries(view: SeriesView): [string, string | number | null][] {
  return [
    ...(view.gtin === null ? [] : [['gtin', view.gtin] as [string, string]]),
    ...(view.sscc ? [['sscc', `yes, extension digit ${view.extensionDigit ?? '-'}`] as [string, string]] : []),
    ...(view.companyPrefix === null ? [] : [['company prefix', view.companyPrefix] as [string, string]]),
    ['randomized', view.randomized ? 'yes, serials in an unguessable order' : 'no'],
    ...(view.guess === null ? [] : [['guess chance', guessText(view.guess)] as [string, string]]),
  ];
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
    ...gs1Entries(view),
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

  const create = withAuditOptions(
    withGs1SeriesOptions(withSeriesOptions(
        series.command('create').argument('<name>', 'series name').description('create a series'),
        false,
        'format string, e.g. SN-{YYYY}{JJJ}-{####}; required, except for an --sscc series (derived from prefix and extension digit)',
      )),
  );
  create.action(async (name: string, flags: SeriesFlags & AuditOptions) => {
    // --format is required but for an SSCC series, whose format follows from its prefix and extension digit.
    if (flags.format === undefined && flags.sscc !== true) {
      create.error("error: required option '--format <format>' not specified (only an --sscc series may leave it out)", {
        code: 'commander.missingMandatoryOptionValue',
        exitCode: 1,
      });
    }
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
    withGs1SeriesOptions(
      withSeriesOptions(series.command('update').argument('<name>', 'series name').description('change a series (kept as a new version)'), false),
    ).option('--rename <name>', 'give the series a new name'),
  ).action(async (name: string, flags: SeriesFlags & AuditOptions & { rename?: string }) => {
    const c = ctx();
    const view = await c.backend().updateSeries(flags, name, { ...seriesInput(flags), ...(flags.rename === undefined ? {} : { name: flags.rename }) });
    c.print(view, () => `Series "${view.name}" is now at version ${view.version}.\n${seriesDetails(view)}`);
  });

  return series;
}
