import { parseInstant } from '@serialtrace/core';
import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { collectContext, seriesInput, wholeNumber, withSeriesOptions, type SeriesFlags } from '../options.js';

interface PreviewFlags extends SeriesFlags {
  readonly at?: string;
  readonly count?: string;
  readonly context?: Record<string, string>;
  readonly part?: string;
  readonly series?: string;
}

export function previewCommand(ctx: () => CliContext): Command {
  return withSeriesOptions(
    new Command('preview').description('show the serials a series would issue, writing nothing'),
    false,
  )
    .option('--series <name>', 'preview the next serials of an existing series instead of a new format')
    .option('--at <instant>', 'issue time to preview, ISO-8601 (default: now)')
    .option('--count <n>', 'how many serials', '5')
    .option('--context <name=value>', 'context token value, repeatable (LINE=L1)', collectContext)
    .option('--part <pn>', 'part number (fills {PART})')
    .action(async (flags: PreviewFlags) => {
      const c = ctx();
      const backend = c.backend();
      const request = {
        // Without --at, the backend's clock: SERIALTRACE_NOW locally, the server's own over HTTP.
        ...(flags.at === undefined ? {} : { at: parseInstant(flags.at, 'at') }),
        count: wholeNumber(flags.count, 'count', 1, 1000)!,
        context: flags.context ?? {},
        partNumber: flags.part ?? null,
      };
      const result =
        flags.series === undefined
          ? await backend.previewDefinition(seriesInput(flags), request)
          : await backend.previewNext(flags.series, request);
      c.print(result, () =>
        [
          ...result.serials,
          ...(result.truncated ? [`(only ${result.serials.length} fit before the series is exhausted)`] : []),
          ...result.warnings.map((w) => `warning: ${w.message}`),
        ].join('\n'),
      );
    });
}
