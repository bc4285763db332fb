import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { wholeNumber } from '../options.js';
import { table } from '../output.js';

interface JournalFlags {
  readonly after: string;
  readonly limit: string;
}

/** A short line of an event's data for the table; `--json` prints it whole. */
function dataText(data: unknown): string {
  if (data === null || data === undefined) return '';
  const text = JSON.stringify(data);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

export function journalCommand(ctx: () => CliContext): Command {
  return new Command('journal')
    .description('read the journal: every committed change as a typed event, in commit order, after a position you keep')
    .option('--after <n>', 'the events after this position (0: from the start); pass back the `next` of the last answer', '0')
    .option('--limit <n>', 'how many events at most (1 to 1000)', '100')
    .addHelpText('after', '\nEvent types are listed in docs/events.md. Example: serialtrace journal --after 1200 --limit 500 --json')
    .action(async (flags: JournalFlags) => {
      const c = ctx();
      const page = await c.backend().readJournal({
        after: wholeNumber(flags.after, 'after', 0, Number.MAX_SAFE_INTEGER)!,
        limit: wholeNumber(flags.limit, 'limit', 1, 1000)!,
      });
      c.print(page, () =>
        [
          table(
            ['POSITION', 'AT', 'TYPE', 'ENTITY', 'DATA'],
            page.events.map((e) => [String(e.position), e.at, e.type, `${e.entity.type}:${e.entity.id}`, dataText(e.data)]),
          ),
          `Next: --after ${page.next}`,
        ].join('\n'),
      );
    });
}
