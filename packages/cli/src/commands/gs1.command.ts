import { aiEntry, completeKey, parseGs1Text } from '@serialtrace/core';
import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { fields, table } from '../output.js';
import { showGs } from './records.command.js';

/**
 * GS1 helpers. They compute here, in this process, with the same core code the server runs: no
 * database and no server are needed (and none is asked, even with --server).
 */
export function gs1Command(ctx: () => CliContext): Command {
  const gs1 = new Command('gs1').description('GS1 helpers: check digits, and reading GS1 data in any notation');

  gs1
    .command('check-digit')
    .argument('<digits>', 'a GS1 key without its check digit: 7, 11, 12, 13 or 17 digits (GTIN-8, GTIN-12, GTIN-13 or GLN, GTIN-14, SSCC)')
    .description('complete a GS1 key (GTIN, GLN, SSCC) with its check digit')
    .action((digits: string) => {
      const c = ctx();
      const key = completeKey(digits.trim());
      c.print({ key }, () => key);
    });

  gs1
    .command('parse')
    .argument('<text>', 'GS1 data: bracketed (01)...(21)..., an element string (GS as ASCII 29, with or without ]d2) or a Digital Link URI; - reads standard input')
    .description('read GS1 data in any notation, check it, and show its AIs and all three notations')
    .action(async (text: string) => {
      const c = ctx();
      const parsed = parseGs1Text(await c.text(text));
      c.print(parsed, () =>
        [
          table(
            ['AI', 'TITLE', 'VALUE'],
            parsed.ais.map(({ ai, value }) => [ai, aiEntry(ai)?.title ?? '', value]),
          ),
          '',
          fields([
            ['bracketed', parsed.bracketed],
            ['element string', showGs(parsed.elementString)],
            ['digital link', parsed.digitalLink ?? '(none: no AI of the data can be its primary key)'],
          ]),
        ].join('\n'),
      );
    });

  return gs1;
}
