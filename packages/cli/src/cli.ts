import { checkText, isSerialtraceError, SerialtraceError, type Problem, type TextKind } from '@serialtrace/core';
import { Command, CommanderError } from 'commander';
import { CliContext, DEFAULT_DB_FILE, type CliIo, type GlobalOptions } from './cli-context.js';
import { aggregationCommands } from './commands/aggregation.command.js';
import { auditCommand } from './commands/audit.command.js';
import { journalCommand } from './commands/journal.command.js';
import { copyCommand } from './commands/copy.command.js';
import { epcisCommand } from './commands/epcis.command.js';
import { masterKeyCommand } from './commands/master-key.command.js';
import { generateCommand } from './commands/generate.command.js';
import { gs1Command } from './commands/gs1.command.js';
import { labelCommand } from './commands/label.command.js';
import { previewCommand } from './commands/preview.command.js';
import { recordsCommands } from './commands/records.command.js';
import { scriptCommand } from './commands/script.command.js';
import { seriesCommand } from './commands/series.command.js';
import { terminalText } from './terminal-text.js';

export const EXIT_OK = 0;
export const EXIT_REFUSED = 1;
export const EXIT_USAGE = 2;

function buildProgram(io: CliIo, context: () => CliContext): Command {
  const program = new Command('serialtrace')
    .description('Issue unique serials from configurable series and keep every unit\'s history.')
    .option('--db <file>', `SQLite database file (env SERIALTRACE_DB, default ./${DEFAULT_DB_FILE})`)
    .option('--database <url>', 'PostgreSQL database, postgres://user:password@host:5432/name, instead of the SQLite file (env SERIALTRACE_DATABASE_URL)')
    .option('--server <url>', 'work with a serialtrace server instead of a local database (env SERIALTRACE_SERVER)')
    .option('--api-key <key>', 'the API key to sign requests to the server with (env SERIALTRACE_API_KEY)')
    .option('--json', 'machine-readable output: one JSON document on stdout')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  program.addCommand(seriesCommand(context));
  program.addCommand(previewCommand(context));
  program.addCommand(generateCommand(context));
  for (const command of recordsCommands(context)) program.addCommand(command);
  program.addCommand(labelCommand(context));
  program.addCommand(gs1Command(context));
  program.addCommand(scriptCommand(context));
  program.addCommand(epcisCommand(context));
  for (const command of aggregationCommands(context)) program.addCommand(command);
  program.addCommand(auditCommand(context));
  program.addCommand(journalCommand(context));
  program.addCommand(copyCommand(context));
  program.addCommand(masterKeyCommand(context));
  // Every subcommand reports usage errors the same way as the program.
  const configure = (command: Command) => {
    command.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    command.commands.forEach(configure);
  };
  program.commands.forEach(configure);
  program.hook('preAction', (_program, action) => checkArguments(action));
  return program;
}

/** Options whose text may span lines: JSON documents and descriptions. Every other argument is one line. */
const MULTILINE_OPTIONS = new Set(['metadata', 'context', 'data', 'description']);

/**
 * Arguments that are scanned codes, by command: these may carry the GS1 group separator (GS,
 * ASCII 29) that ends a variable-length element string.
 */
const GS1_ARGUMENTS: Readonly<Record<string, readonly string[]>> = {
  'gs1 parse': ['text'],
  pack: ['parent', 'children'],
  unpack: ['parent', 'children'],
  contents: ['parent'],
  parents: ['code'],
};

/** A command's words after the program's name: `gs1 parse`, `pack`. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at = command; at.parent !== null; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

/**
 * The text policy of every interface, for command lines: every argument and option value is
 * well-formed text without control characters (JSON and descriptions may span lines; a GS1
 * code may carry its group separators). Refused before anything runs, every problem at once.
 */
function checkArguments(command: Command): void {
  const problems: Problem[] = [];
  const codes = GS1_ARGUMENTS[commandPath(command)] ?? [];
  const check = (value: unknown, kind: TextKind, field: string) => {
    for (const text of Array.isArray(value) ? value : [value]) if (typeof text === 'string') checkText(text, kind, field, problems);
  };
  for (let at: Command | null = command; at !== null; at = at.parent) {
    const values = at.opts<Record<string, unknown>>();
    for (const option of at.options) {
      const name = option.attributeName();
      check(values[name], MULTILINE_OPTIONS.has(name) ? 'multiline' : 'line', option.long ?? name);
    }
  }
  command.registeredArguments.forEach((argument, i) => check(command.processedArgs[i], codes.includes(argument.name()) ? 'gs1' : 'line', argument.name()));
  if (problems.length > 0) throw SerialtraceError.fromProblems(problems);
}

/** The value given to a flag on the command line (`--format X` or `--format=X`). */
function flagValue(argv: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === flag) return argv[i + 1];
    if (argv[i]!.startsWith(`${flag}=`)) return argv[i]!.slice(flag.length + 1);
  }
  return undefined;
}

/**
 * Where a single refusal points, from its details: a server sends a lone problem's field, position
 * and length only there, so the caret must not depend on the problem list.
 */
function locationOf(error: SerialtraceError): Pick<Problem, 'field' | 'position' | 'length'> {
  const { field, position, length } = error.details;
  return {
    ...(typeof field === 'string' ? { field } : {}),
    ...(typeof position === 'number' ? { position } : {}),
    ...(typeof length === 'number' ? { length } : {}),
  };
}

/** A refusal for people: code and message, every further problem, and a caret under format problems. */
function humanError(error: SerialtraceError, format: string | undefined): string {
  const problems: readonly Problem[] =
    error.problems.length > 0
      ? error.problems
      : [{ code: error.code, message: error.message, severity: 'error', ...locationOf(error) }];
  const lines = problems.map((p, i) => {
    let line = `${i === 0 ? 'error' : '  also'}: ${p.code}: ${i === 0 ? error.message : p.message}`;
    if (p.field === 'format' && format !== undefined && p.position !== undefined && (p.length ?? 0) < format.length) {
      line += `\n    ${format}\n    ${' '.repeat(p.position)}${'^'.repeat(Math.max(1, p.length ?? 1))}`;
    }
    return line;
  });
  return `${lines.join('\n')}\n`;
}

function errorJson(error: SerialtraceError): string {
  return `${JSON.stringify({ error: error.toJSON() })}\n`;
}

/**
 * Runs one `serialtrace` command line and returns the exit code: 0 done, 1 refused (the JSON or
 * text says why, with a stable code), 2 the command line itself was wrong.
 */
export async function runCli(argv: readonly string[], rawIo: CliIo): Promise<number> {
  // Everything printed passes through one gate: stored text reaches the terminal as text only.
  const io: CliIo = { ...rawIo, stdout: (text) => rawIo.stdout(terminalText(text)), stderr: (text) => rawIo.stderr(terminalText(text)) };
  // Known before parsing, so that even a malformed command line answers in JSON when asked to.
  const wantsJson = argv.includes('--json');
  let ctx: CliContext | undefined;
  const program = buildProgram(io, () => {
    ctx ??= new CliContext(io, program.opts<GlobalOptions>());
    return ctx;
  });
  if (wantsJson) {
    const silence = (command: Command) => {
      command.configureOutput({ writeOut: io.stdout, writeErr: () => undefined });
      command.commands.forEach(silence);
    };
    silence(program);
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx?.exitCode ?? EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT_OK; // --help, --version
      if (wantsJson) {
        io.stdout(errorJson(new SerialtraceError('USAGE_INVALID', { reason: error.message.replace(/^error: /, ''), commander: error.code })));
      }
      return EXIT_USAGE;
    }
    const known = isSerialtraceError(error) ? error : undefined;
    const reported = known ?? new SerialtraceError('INTERNAL_ERROR');
    if (wantsJson) io.stdout(errorJson(reported));
    else io.stderr(humanError(reported, flagValue(argv, '--format')));
    if (known === undefined) io.stderr(`${(error as Error)?.stack ?? String(error)}\n`);
    // Contradicting global options (--db with --server) are as malformed as an unknown flag.
    return known?.code === 'USAGE_INVALID' ? EXIT_USAGE : EXIT_REFUSED;
  } finally {
    await ctx?.close();
  }
}
