import { copySqliteToPostgres, redactUrl } from '@serialtrace/store';
import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { table } from '../output.js';

interface CopyFlags {
  readonly schema?: string;
}

/** `copy-to-postgres URL`: the way from one machine on SQLite to several servers on PostgreSQL. */
export function copyCommand(ctx: () => CliContext): Command {
  return new Command('copy-to-postgres')
    .description('copy the SQLite database (--db) whole into a new, empty PostgreSQL database, to run several servers on it')
    .argument('<url>', 'the PostgreSQL database, postgres://user:password@host:5432/name')
    .option('--schema <name>', 'the schema to copy into (env SERIALTRACE_DATABASE_SCHEMA, default public)')
    .action(async (url: string, flags: CopyFlags) => {
      const c = ctx();
      const source = c.sqliteFile('copy-to-postgres');
      const schema = flags.schema ?? c.postgresSchema;
      const report = await copySqliteToPostgres(source, { url, ...(schema === undefined ? {} : { schema }) });
      const result = { from: source, to: redactUrl(url), schema: schema ?? 'public', tables: report.tables };
      c.print(result, () =>
        [
          `Copied ${source} into ${result.to} (schema ${result.schema}):`,
          table(
            ['TABLE', 'ROWS'],
            report.tables.map((t) => [t.name, String(t.rows)]),
          ),
        ].join('\n'),
      );
    });
}
