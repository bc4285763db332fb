import { readFile } from 'node:fs/promises';
import { isSerialtraceError, SerialtraceError } from '@serialtrace/core';
import { Command } from 'commander';
import type { AuditOptions, ScriptRunView, ScriptView } from '../backend.js';
import type { CliContext } from '../cli-context.js';
import { wholeNumber, withAuditOptions } from '../options.js';
import { fields, table } from '../output.js';

/** The most runs one page lists (the service's limit). */
const MAX_RUNS_PAGE = 500;

interface SaveFlags extends AuditOptions {
  readonly description?: string;
}

interface RunFlags extends AuditOptions {
  readonly context?: string;
}

interface ShowFlags {
  readonly version?: string;
}

interface RunsFlags {
  readonly limit?: string;
  readonly cursor?: string;
}

interface LogLine {
  readonly level: string;
  readonly message: string;
}

/** A file's text, or VALUE_INVALID naming the flag or argument that gave it. */
async function readText(file: string, field: string): Promise<string> {
  try {
    return await readFile(file, 'utf-8');
  } catch (error) {
    throw new SerialtraceError('VALUE_INVALID', { field, reason: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
  }
}

/** `--context`: JSON text, `@file.json` for a file's JSON, or `-` for standard input's. */
async function contextOf(c: CliContext, value: string | undefined): Promise<unknown> {
  if (value === undefined) return undefined;
  const [text, where] =
    value === '-' ? [await c.stdinText(), 'standard input'] : value.startsWith('@') ? [await readText(value.slice(1), 'context'), value.slice(1)] : [value, 'it'];
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new SerialtraceError('VALUE_INVALID', { field: 'context', reason: `${where} is not JSON: ${(error as Error).message}` });
  }
}

/** A script's console output for people: `[level] message`, one line each. */
function logText(logs: readonly LogLine[]): string {
  return logs.map((l) => `[${l.level}] ${l.message}\n`).join('');
}

function isLogs(value: unknown): value is readonly LogLine[] {
  return Array.isArray(value) && value.every((l) => typeof l === 'object' && l !== null && typeof (l as LogLine).message === 'string');
}

function withoutFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

function scriptText(view: ScriptView): string {
  return [
    fields([
      ['name', view.name],
      ['version', view.version],
      ['description', view.description],
      ['created', `${view.createdAt} by ${view.createdBy}`],
      ['updated', `${view.updatedAt} by ${view.updatedBy}`],
    ]),
    '',
    withoutFinalNewline(view.source),
  ].join('\n');
}

function duration(ms: number): string {
  return `${ms} ms`;
}

function errorOf(run: ScriptRunView): { code?: string; message?: string } {
  const error = run.error;
  if (typeof error !== 'object' || error === null) return {};
  const { code, message } = error as { code?: unknown; message?: unknown };
  return { ...(typeof code === 'string' ? { code } : {}), ...(typeof message === 'string' ? { message } : {}) };
}

function runText(run: ScriptRunView): string {
  const error = errorOf(run);
  return [
    fields([
      ['run', run.id],
      ['script', `${run.script} (version ${run.version})`],
      ['status', run.status],
      ['started', `${run.startedAt} by ${run.actor}${run.station === null ? '' : ` at ${run.station}`}`],
      ['duration', duration(run.durationMs)],
      ['api calls', run.apiCalls],
      ['context', JSON.stringify(run.context)],
      ...(run.status === 'succeeded'
        ? ([['result', JSON.stringify(run.result ?? null)]] as const)
        : ([['error', `${error.code ?? '-'}: ${error.message ?? '-'}`]] as const)),
    ]),
    '',
    'logs:',
    ...(run.logs.length === 0 ? ['  -'] : run.logs.map((l) => `  ${l.at} ms  [${l.level}] ${l.message}`)),
  ].join('\n');
}

/** Customer scripts: JavaScript `main(context)` run in a sandbox with the manufacturing and documents APIs. */
export function scriptCommand(ctx: () => CliContext): Command {
  const script = new Command('script').description(
    'save, list, show and run scripts: JavaScript main(context) with the manufacturing and documents APIs, each run one transaction (all it does is kept, or none of it)',
  );

  withAuditOptions(
    script
      .command('save')
      .argument('<name>', 'script name')
      .argument('<file>', 'the JavaScript file, defining function main(context); - reads standard input')
      .option('--description <text>', 'what the script is for (kept from the previous version when left out)')
      .description('create a script or save a new version of it: it must compile and define main, or nothing is saved (SCRIPT_INVALID)'),
  ).action(async (name: string, file: string, flags: SaveFlags) => {
    const c = ctx();
    const source = file === '-' ? await c.stdinText() : await readText(file, 'file');
    const { description, ...who } = flags;
    const view = await c.backend().saveScript(who, name, { source, ...(description === undefined ? {} : { description }) });
    c.print(view, () => `Saved script "${view.name}" (version ${view.version})`);
  });

  withAuditOptions(
    script
      .command('run')
      .argument('<name>', 'script name')
      .option('--context <json>', 'the JSON passed to main(context) (default {}); @FILE reads it from a file, - from standard input')
      .description(
        'run a script\'s current version: prints what main returned, its console output on standard error; a throw or a broken limit undoes everything the run did',
      ),
  ).action(async (name: string, flags: RunFlags) => {
    const c = ctx();
    const { context: contextFlag, ...who } = flags;
    const context = await contextOf(c, contextFlag);
    let output;
    try {
      output = await c.backend().runScript(who, name, context);
    } catch (error) {
      // What the script wrote before it failed helps find why; --json keeps it in the error's details.
      if (!c.json && isSerialtraceError(error) && isLogs(error.details['logs'])) c.io.stderr(logText(error.details['logs']));
      throw error;
    }
    if (c.json) {
      c.print({ result: output.result, logs: output.logs }, () => '');
      return;
    }
    c.io.stderr(logText(output.logs));
    c.io.stdout(`${JSON.stringify(output.result, null, 2)}\n`);
  });

  script
    .command('list')
    .description('list the company\'s scripts: name, version, last saved when and by whom, description')
    .action(async () => {
      const c = ctx();
      const scripts = await c.backend().listScripts();
      c.print({ scripts }, () =>
        table(
          ['NAME', 'VERSION', 'UPDATED', 'BY', 'DESCRIPTION'],
          scripts.map((s) => [s.name, String(s.version), s.updatedAt, s.updatedBy, s.description]),
        ),
      );
    });

  script
    .command('show')
    .argument('<name>', 'script name')
    .option('--version <n>', 'show this earlier version (1 is the first save) instead of the current one')
    .description('show a script: who saved it and when, then its source')
    .action(async (name: string, flags: ShowFlags) => {
      const c = ctx();
      const backend = c.backend();
      const wanted = wholeNumber(flags.version, 'version', 1, Number.MAX_SAFE_INTEGER);
      if (wanted === undefined) {
        const view = await backend.getScript(name);
        c.print(view, () => scriptText(view));
        return;
      }
      const versions = await backend.scriptVersions(name);
      const found = versions.find((v) => v.version === wanted);
      if (found === undefined) {
        throw new SerialtraceError('VALUE_INVALID', { field: 'version', reason: `script "${name}" has versions 1 to ${versions.length}` });
      }
      const view = { name, ...found };
      c.print(view, () =>
        [
          fields([
            ['name', name],
            ['version', `${found.version} of ${versions.length}`],
            ['description', found.description],
            ['saved', `${found.changedAt} by ${found.changedBy}`],
            ['reason', found.reason],
          ]),
          '',
          withoutFinalNewline(found.source),
        ].join('\n'),
      );
    });

  script
    .command('runs')
    .argument('<name>', 'script name')
    .option('--limit <n>', `how many of the newest runs to list, 1 to ${MAX_RUNS_PAGE}`, '50')
    .option('--cursor <cursor>', 'continue after a previous page')
    .description('list a script\'s recorded runs, newest first: who started them, whether they succeeded, how long they took')
    .action(async (name: string, flags: RunsFlags) => {
      const c = ctx();
      const page = await c.backend().listScriptRuns(name, {
        limit: wholeNumber(flags.limit, 'limit', 1, MAX_RUNS_PAGE)!,
        ...(flags.cursor === undefined ? {} : { cursor: flags.cursor }),
      });
      c.print(
        page,
        () =>
          table(
            ['ID', 'STARTED', 'ACTOR', 'VERSION', 'STATUS', 'DURATION', 'API CALLS', 'ERROR'],
            page.runs.map((r) => [String(r.id), r.startedAt, r.actor, String(r.version), r.status, duration(r.durationMs), String(r.apiCalls), errorOf(r).code ?? '']),
          ) + (page.nextCursor === null ? '' : `\nmore: --cursor ${page.nextCursor}`),
      );
    });

  script
    .command('run-show')
    .argument('<id>', 'the run\'s number, as `script runs` lists it')
    .description('show one recorded run: version, who, context, result or error, and its console output')
    .action(async (id: string) => {
      const c = ctx();
      const run = await c.backend().getScriptRun(wholeNumber(id, 'id', 1, Number.MAX_SAFE_INTEGER)!);
      c.print(run, () => runText(run));
    });

  return script;
}
