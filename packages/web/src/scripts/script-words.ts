import type { RouteResult } from '@serialtrace/client';
import { isSerialtraceError } from '@serialtrace/core';
import type { SourceMark } from './code-editor';

export type ScriptSummary = RouteResult<'listScripts'>['scripts'][number];
export type ScriptDetails = RouteResult<'getScript'>;
export type ScriptVersion = RouteResult<'scriptVersions'>['versions'][number];
export type ScriptRun = RouteResult<'listScriptRuns'>['runs'][number];
export type ScriptLogEntry = ScriptRun['logs'][number];

/** What "New script" starts from: a short, commented example to edit. */
export const STARTER_SCRIPT = `// A script defines main(context). It runs on the server in one transaction:
// if it throws, every serial it generated and every change it made is undone.
// context is the JSON given with the run, for example:
//   {"series": "Widgets", "quantity": 3, "workOrder": "WO-1001"}
function main(context) {
  // Issue serials of a series for a work order (options: workOrder, partNumber,
  // metadata, context, lot, expiry).
  const serials = manufacturing.generateSerials(context.series, context.quantity ?? 1, {
    workOrder: context.workOrder,
  });
  // console.log lines are kept with the run and shown next to its result.
  console.log('Generated ' + serials.length + ' serials for ' + context.workOrder);
  // What main returns is the run's result (any JSON value).
  return { serials };
}
`;

/** Where a SCRIPT_INVALID refusal points, when it says (a syntax error has a line and a column). */
export function markOf(error: unknown): SourceMark | null {
  if (!isSerialtraceError(error) || error.code !== 'SCRIPT_INVALID') return null;
  const details = error.details as Record<string, unknown>;
  const line = details['line'];
  if (typeof line !== 'number' || !Number.isFinite(line)) return null;
  const column = typeof details['column'] === 'number' ? details['column'] : 1;
  const reason = typeof details['reason'] === 'string' ? details['reason'] : error.message;
  return { line, column, message: reason };
}

/** A failed run as the page shows it: the code, the message, its logs and its run number. */
export interface RunFailure {
  readonly code: string;
  readonly message: string;
  readonly logs: readonly ScriptLogEntry[];
  readonly runId: number | null;
  readonly stack: string | null;
}

export function runFailureOf(error: unknown): RunFailure | null {
  if (!isSerialtraceError(error) || !error.code.startsWith('SCRIPT_')) return null;
  const details = error.details as Record<string, unknown>;
  return {
    code: error.code,
    message: error.message,
    logs: Array.isArray(details['logs']) ? (details['logs'] as ScriptLogEntry[]) : [],
    runId: typeof details['runId'] === 'number' ? details['runId'] : null,
    stack: typeof details['stack'] === 'string' && details['stack'] !== '' ? details['stack'] : null,
  };
}

/** The `{code, message}` a recorded failed run carries. */
export function runErrorOf(run: ScriptRun): { code: string; message: string } | null {
  const error = run.error;
  if (typeof error !== 'object' || error === null) return null;
  const record = error as Record<string, unknown>;
  return { code: typeof record['code'] === 'string' ? record['code'] : 'UNKNOWN', message: typeof record['message'] === 'string' ? record['message'] : '' };
}

export function prettyJson(value: unknown): string {
  if (value === undefined) return 'null';
  try {
    return JSON.stringify(value, null, 2) ?? 'null';
  } catch {
    return typeof value === 'string' ? value : '(a value that cannot be shown as JSON)';
  }
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** Whether `text` parses as JSON; the parsed value, or the parser's complaint in words. */
export function parseContext(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, message: `The context is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}
