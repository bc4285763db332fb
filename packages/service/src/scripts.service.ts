import { SerialtraceError, textProblem, type Clock, type ErrorDetails, type Permission } from '@serialtrace/core';
import { DEFAULT_SCRIPT_LIMITS, type HostApi, type ScriptEngine, type ScriptLimits, type ScriptLog, type ScriptOutcome } from '@serialtrace/scripting';
import type { ScriptRow, ScriptRunRow, Store, StoreTransaction } from '@serialtrace/store';
import { appendAudit } from './audit-writer.js';
import type { Caller } from './caller.js';
import type { GenerationService } from './generation.service.js';
import { optionalReference } from './input-text.js';
import { keysetCursor } from './keyset-cursor.js';
import type { LabelsService } from './labels.service.js';
import type { RecordsService } from './records.service.js';

export const MAX_SCRIPT_NAME_LENGTH = 100;
export const MAX_SCRIPT_SOURCE_BYTES = 256 * 1024;
export const MAX_CONTEXT_BYTES = 256 * 1024;
export const DEFAULT_RUNS_PAGE = 50;
export const MAX_RUNS_PAGE = 500;

export interface ScriptView {
  readonly name: string;
  readonly description: string;
  readonly version: number;
  readonly source: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

export type ScriptSummary = Omit<ScriptView, 'source'>;

export interface ScriptVersionView {
  readonly version: number;
  readonly source: string;
  readonly description: string;
  readonly changedAt: string;
  readonly changedBy: string;
  readonly reason: string | null;
}

export interface ScriptRunView {
  readonly id: number;
  readonly script: string;
  readonly version: number;
  readonly actor: string;
  readonly station: string | null;
  readonly context: unknown;
  readonly status: 'succeeded' | 'failed';
  readonly result: unknown;
  readonly error: unknown;
  readonly logs: readonly ScriptLog[];
  readonly apiCalls: number;
  readonly durationMs: number;
  readonly startedAt: string;
}

/** What a successful run answers, as the API and `script run --json` print it. */
export interface ScriptRunResult {
  readonly result: unknown;
  readonly logs: readonly ScriptLog[];
  /** The run's record (not part of the printed shape; the API sends it as a header). */
  readonly runId: number;
}

export interface ScriptRunRequest {
  readonly context?: unknown;
  /**
   * Whether the one who runs the script holds a permission: the script's calls are checked as
   * that caller's own API calls would be. Absent: everything is allowed (the local command line).
   */
  readonly can?: (permission: Permission) => boolean;
}

export interface ScriptsServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly engine: () => Promise<ScriptEngine>;
  readonly limits: ScriptLimits;
  readonly generation: GenerationService;
  readonly records: RecordsService;
  readonly labels: LabelsService;
}

const runCursor = keysetCursor('s');

/** The host calls of one run: each is awaited before the run's transaction ends, and none starts after. */
class HostCalls {
  readonly #pending = new Set<Promise<unknown>>();
  #closed = false;

  guard(api: HostApi): HostApi {
    return Object.fromEntries(
      Object.entries(api).map(([namespace, functions]) => [
        namespace,
        Object.fromEntries(
          Object.entries(functions).map(([name, fn]) => [
            name,
            (...args: unknown[]) => {
              if (this.#closed) throw new Error(`${namespace}.${name} was called after the run ended`);
              const call = Promise.resolve().then(() => fn(...args));
              this.#pending.add(call);
              void call.catch(() => undefined).finally(() => this.#pending.delete(call));
              return call;
            },
          ]),
        ),
      ]),
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#pending]);
  }
}

/** What ends a run's transaction: its record to commit with it, or nothing (roll back). */
type Verdict = { readonly commit?: (tx: StoreTransaction) => Promise<number> };

/** Thrown inside a run's transaction to roll it back; never seen outside. */
const ROLL_BACK = new Error('the script run did not succeed: its transaction is rolled back');

/**
 * The write transaction of one run, opened by the first host call that needs the store and held
 * until the run ends. A script that computes without touching the data holds no transaction, so
 * on SQLite (one writer) it makes no other writer wait, however long it runs; once it holds one,
 * writers wait at most until its time limit.
 */
class RunTransaction {
  readonly #store: Store;
  #opened: Promise<StoreTransaction> | undefined;
  /** The unit of work under way, settled once the transaction has committed or rolled back. */
  #unit: Promise<number> | undefined;
  #end: ((verdict: Verdict) => void) | undefined;
  /** Opening failed (the store is busy or down): the calls that asked heard why. */
  #failed = false;

  constructor(store: Store) {
    this.#store = store;
  }

  use(): Promise<StoreTransaction> {
    this.#opened ??= new Promise<StoreTransaction>((resolve, reject) => {
      const ended = new Promise<Verdict>((end) => {
        this.#end = end;
      });
      let entered = false;
      this.#unit = this.#store.write(async (tx) => {
        // A store may run a unit again after losing a race; a script's run cannot be replayed.
        if (entered) throw new Error('a script run\'s transaction cannot be run again');
        entered = true;
        resolve(tx);
        const verdict = await ended;
        if (verdict.commit === undefined) throw ROLL_BACK;
        return verdict.commit(tx);
      });
      this.#unit.catch((error: unknown) => {
        if (!entered) this.#failed = true;
        // Only heard when the transaction could not be opened: the calls waiting for it fail.
        reject(error instanceof Error ? error : new Error(String(error)));
      });
    });
    return this.#opened;
  }

  /** Commits `record` with what the run did; in a transaction of its own when the run touched nothing. */
  async commit(record: (tx: StoreTransaction) => Promise<number>): Promise<number> {
    if (this.#unit === undefined || this.#failed) return this.#store.write(record);
    this.#end?.({ commit: record });
    return this.#unit;
  }

  async rollBack(): Promise<void> {
    if (this.#unit === undefined) return;
    this.#end?.({});
    await this.#unit.catch((error: unknown) => {
      if (error !== ROLL_BACK && !this.#failed) throw error;
    });
  }
}

/**
 * Customer scripts: stored by name with every version, run on demand in the QuickJS sandbox with
 * the `manufacturing` and `documents` APIs. A run is one transaction: what `main` generated or
 * changed is kept only if it returns; a throw or a broken limit undoes all of it. Every run,
 * successful or not, is recorded (version, who, input, output or error, logs, duration) and
 * audited.
 */
export class ScriptsService {
  readonly #deps: ScriptsServiceDeps;

  constructor(deps: ScriptsServiceDeps) {
    this.#deps = deps;
  }

  async list(caller: Caller): Promise<ScriptSummary[]> {
    const rows = await this.#deps.store.read((tx) => tx.scripts.list(caller.companyId));
    return rows.map((row) => {
      const { source: _source, ...summary } = scriptView(row);
      return summary;
    });
  }

  async get(caller: Caller, name: string): Promise<ScriptView> {
    return scriptView(await this.#deps.store.read((tx) => requireScript(tx, caller, name)));
  }

  async versions(caller: Caller, name: string): Promise<ScriptVersionView[]> {
    return this.#deps.store.read(async (tx) => {
      const script = await requireScript(tx, caller, name);
      return (await tx.scripts.versions(script.id)).map((v) => ({
        version: v.version,
        source: v.source,
        description: v.description,
        changedAt: v.changedAt,
        changedBy: v.changedBy,
        reason: v.reason,
      }));
    });
  }

  /**
   * Saves a new version of a script (the first creates it), after compiling it: a script that
   * does not parse or defines no `main` is refused (SCRIPT_INVALID with line and column) and
   * nothing is saved.
   */
  async save(caller: Caller, name: string, input: { readonly source?: unknown; readonly description?: unknown }): Promise<ScriptView> {
    const scriptName = readName(name);
    if (typeof input.source !== 'string' || input.source.trim() === '') {
      throw new SerialtraceError('VALUE_INVALID', { field: 'source', reason: 'a script is JavaScript text defining main(context)' });
    }
    const source = input.source;
    if (Buffer.byteLength(source) > MAX_SCRIPT_SOURCE_BYTES) {
      throw new SerialtraceError('VALUE_INVALID', { field: 'source', reason: `at most ${MAX_SCRIPT_SOURCE_BYTES} bytes` });
    }
    const problems: Parameters<typeof optionalReference>[2] = [];
    const description = input.description === undefined || input.description === null ? null : optionalReference(input.description, 'description', problems);
    if (problems.length > 0) throw SerialtraceError.fromProblems(problems);
    await (await this.#deps.engine()).check(scriptName, source);
    const at = this.#deps.clock.now().toISOString();
    const row = await this.#deps.store.write(async (tx) => {
      const current = await tx.scripts.find(caller.companyId, scriptName);
      const saved = await tx.scripts.save(caller.companyId, scriptName, source, description ?? current?.description ?? '', {
        at,
        actor: caller.actor,
        reason: caller.reason ?? null,
      });
      await appendAudit(tx, caller, at, [
        {
          action: 'script.saved',
          entityType: 'script',
          entityId: String(saved.id),
          data: { name: saved.name, version: saved.version, sourceLength: source.length, ...(current === undefined ? {} : { previousVersion: current.version }) },
        },
      ]);
      return saved;
    });
    return scriptView(row);
  }

  /**
   * Runs the script's current version with `context`. Answers `{result, logs}` when `main`
   * returns; otherwise throws the run's error (the script's own code, SCRIPT_FAILED,
   * SCRIPT_TIMEOUT, ...) with `logs` and `runId` among its details, after undoing the run's work.
   */
  async run(caller: Caller, name: string, request: ScriptRunRequest = {}): Promise<ScriptRunResult> {
    const context = readContext(request.context);
    const script = await this.#deps.store.read((tx) => requireScript(tx, caller, name));
    const engine = await this.#deps.engine();
    const startedAt = this.#deps.clock.now().toISOString();
    const scriptCaller: Caller = { ...caller, actor: `script:${script.name}` };
    const can = request.can ?? (() => true);
    const transaction = new RunTransaction(this.#deps.store);
    const calls = new HostCalls();
    let outcome: ScriptOutcome;
    try {
      outcome = await engine.run({
        name: script.name,
        source: script.source,
        context,
        host: calls.guard(this.#host(() => transaction.use(), scriptCaller, can)),
        limits: this.#deps.limits,
      });
    } catch (error) {
      await calls.close();
      await transaction.rollBack();
      throw error;
    }
    // A run stopped by its time limit may leave a call to the store under way: the transaction
    // ends only once nothing touches it any more.
    await calls.close();
    if (outcome.ok) {
      const runId = await transaction.commit((tx) => this.#record(tx, caller, script, context, startedAt, outcome));
      return { result: outcome.result, logs: outcome.logs, runId };
    }
    // The run's work is undone; its record and audit entry are written on their own.
    await transaction.rollBack();
    // A refusal may repeat what the script passed to the call (a megabyte as a serial): what is
    // stored and answered keeps the start of each text.
    const failure = new SerialtraceError(outcome.error.code, bounded(outcome.error.details) as ErrorDetails, outcome.error.problems);
    const failed = { ...outcome, error: failure };
    const runId = await this.#deps.store.write((tx) => this.#record(tx, caller, script, context, startedAt, failed));
    throw new SerialtraceError(failure.code, { ...failure.details, script: script.name, runId, logs: outcome.logs }, failure.problems);
  }

  /** Runs newest first, one page at a time. */
  async runs(caller: Caller, name: string | undefined, query: { readonly limit?: number; readonly cursor?: string } = {}): Promise<{ runs: ScriptRunView[]; nextCursor: string | null }> {
    const limit = query.limit ?? DEFAULT_RUNS_PAGE;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_RUNS_PAGE) {
      throw new SerialtraceError('VALUE_INVALID', { field: 'limit', reason: `it must be a whole number from 1 to ${MAX_RUNS_PAGE}` });
    }
    const beforeId = query.cursor ? runCursor.decode(query.cursor) : undefined;
    return this.#deps.store.read(async (tx) => {
      const scriptId = name === undefined ? undefined : (await requireScript(tx, caller, name)).id;
      const rows = await tx.scripts.listRuns({
        companyId: caller.companyId,
        ...(scriptId === undefined ? {} : { scriptId }),
        ...(beforeId === undefined ? {} : { beforeId }),
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return { runs: page.map(runView), nextCursor: rows.length > limit && last !== undefined ? runCursor.encode(last.id) : null };
    });
  }

  async getRun(caller: Caller, id: number): Promise<ScriptRunView> {
    const row = await this.#deps.store.read((tx) => tx.scripts.findRun(caller.companyId, id));
    if (row === undefined) throw new SerialtraceError('SCRIPT_RUN_NOT_FOUND', { field: 'id', id });
    return runView(row);
  }

  async #record(tx: StoreTransaction, caller: Caller, script: ScriptRow, context: unknown, startedAt: string, outcome: ScriptOutcome): Promise<number> {
    const error = outcome.ok ? null : { code: outcome.error.code, message: outcome.error.message, details: outcome.error.details };
    const status = outcome.ok ? 'succeeded' : 'failed';
    const id = await tx.scripts.insertRun({
      companyId: caller.companyId,
      scriptId: script.id,
      version: script.version,
      actor: caller.actor,
      station: caller.station ?? null,
      input: context,
      status,
      output: outcome.ok ? (outcome.result ?? null) : null,
      error,
      logs: outcome.logs,
      apiCalls: outcome.apiCalls,
      durationMs: Math.round(outcome.durationMs),
      startedAt,
      auditId: null,
    });
    await appendAudit(tx, caller, this.#deps.clock.now().toISOString(), [
      {
        action: outcome.ok ? 'script.run' : 'script.run_failed',
        entityType: 'script',
        entityId: String(script.id),
        data: {
          script: script.name,
          version: script.version,
          run: id,
          apiCalls: outcome.apiCalls,
          durationMs: Math.round(outcome.durationMs),
          ...(error === null ? {} : { error: { code: error.code, message: error.message } }),
        },
      },
    ]);
    return id;
  }

  /**
   * The APIs a script sees, bound to its run's transaction (`open` opens it on first use) and to
   * the permissions of whoever runs it. Each answers what the HTTP API answers for the same call.
   */
  #host(open: () => Promise<StoreTransaction>, caller: Caller, can: (permission: Permission) => boolean): HostApi {
    const { generation, records, labels } = this.#deps;
    const allowed = (permission: Permission) => {
      if (!can(permission)) throw new SerialtraceError('FORBIDDEN', { role: 'the caller', permission });
    };
    const options = (value: unknown): Record<string, unknown> => {
      if (value === undefined || value === null) return {};
      if (typeof value !== 'object' || Array.isArray(value)) throw new SerialtraceError('VALUE_INVALID', { field: 'options', reason: 'it must be an object' });
      const { workOrder, partNumber, metadata, context, lot, expiry } = value as Record<string, unknown>;
      return { workOrder, partNumber, metadata, context, lot, expiry };
    };
    const text = (value: unknown, field: string): string => {
      if (typeof value !== 'string' || value === '') throw new SerialtraceError('VALUE_INVALID', { field, reason: 'it must be non-empty text' });
      return value;
    };
    return {
      manufacturing: {
        generateSerial: async (series: unknown, opts: unknown) => {
          allowed('serials.generate');
          const input = { name: text(series, 'series'), options: { ...options(opts), quantity: 1 } };
          return (await generation.generateIn(await open(), caller, input.name, input.options)).serials[0];
        },
        generateSerials: async (series: unknown, quantity: unknown, opts: unknown) => {
          allowed('serials.generate');
          const input = { name: text(series, 'series'), options: { ...options(opts), quantity } };
          return (await generation.generateIn(await open(), caller, input.name, input.options)).serials;
        },
        getRecordsByWorkOrder: async (workOrder: unknown) => {
          allowed('records.read');
          const order = text(workOrder, 'workOrder');
          return records.byWorkOrderIn(await open(), caller, order);
        },
        getRecordBySerial: async (serial: unknown) => {
          allowed('records.read');
          const wanted = text(serial, 'serial');
          return records.getIn(await open(), caller, wanted);
        },
        updateRecordStatus: async (serial: unknown, status: unknown, data: unknown) => {
          allowed('records.status');
          const change = { serial: text(serial, 'serial'), status: text(status, 'status') };
          return records.changeStatusIn(await open(), caller, change.serial, change.status, {
            ...(data === undefined || data === null ? {} : { data }),
          });
        },
      },
      documents: {
        generate: async (template: unknown, data: unknown) => {
          allowed('labels.print');
          const request = (typeof data === 'object' && data !== null && !Array.isArray(data) ? data : {}) as Record<string, unknown>;
          const { serial, series, format, ...values } = request;
          const name = template === undefined || template === null ? undefined : text(template, 'template');
          const target = {
            ...(typeof serial === 'string' ? { serial } : {}),
            ...(typeof series === 'string' ? { series } : {}),
            ...(Object.keys(values).length === 0 ? {} : { values: labelValues(values) }),
          };
          const document = await labels.generateIn(await open(), caller, name, target, typeof format === 'string' ? format : 'zpl');
          return {
            template: document.template,
            format: document.format,
            contentType: document.contentType,
            size: document.bytes.byteLength,
            // ZPL is text a script may send to a printer as is; PNG and PDF travel as base64.
            ...(document.format === 'zpl' ? { text: new TextDecoder().decode(document.bytes) } : { base64: Buffer.from(document.bytes).toString('base64') }),
            encoded: document.encoded,
          };
        },
      },
    };
  }
}

export { DEFAULT_SCRIPT_LIMITS };

/** The most characters kept of each text in a failed run's error, and of items in each list or object. */
const MAX_DETAIL_CHARS = 2_000;
const MAX_DETAIL_ITEMS = 100;

/** A JSON value with long texts cut and long lists shortened, so a failed run's record stays small. */
function bounded(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.length > MAX_DETAIL_CHARS ? `${value.slice(0, MAX_DETAIL_CHARS)}…` : value;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 8) return null;
  if (Array.isArray(value)) return value.slice(0, MAX_DETAIL_ITEMS).map((item) => bounded(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value)
      .slice(0, MAX_DETAIL_ITEMS)
      .map(([key, item]) => [key, bounded(item, depth + 1)]),
  );
}

/** Values a script gives a label: text as is, numbers as text; `fields` likewise. Anything else is refused. */
function labelValues(values: Record<string, unknown>): Record<string, string> & { fields?: Record<string, string> } {
  const asText = (value: unknown, field: string): string => {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    throw new SerialtraceError('VALUE_INVALID', { field, reason: 'label values are text or numbers' });
  };
  const out: Record<string, string> & { fields?: Record<string, string> } = {};
  for (const [key, value] of Object.entries(values)) {
    if (key === 'fields' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      out.fields = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asText(v, `fields.${k}`)]));
    } else out[key] = asText(value, key);
  }
  return out;
}

function readName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > MAX_SCRIPT_NAME_LENGTH || trimmed.includes('/') || textProblem(trimmed, 'line') !== undefined) {
    throw new SerialtraceError('VALUE_INVALID', { field: 'name', reason: `1 to ${MAX_SCRIPT_NAME_LENGTH} characters, no control characters or "/"` });
  }
  return trimmed;
}

function readContext(context: unknown): unknown {
  if (context === undefined || context === null) return {};
  let text: string | undefined;
  try {
    text = JSON.stringify(context);
  } catch {
    text = undefined;
  }
  if (text === undefined) throw new SerialtraceError('VALUE_INVALID', { field: 'context', reason: 'it must be JSON' });
  if (Buffer.byteLength(text) > MAX_CONTEXT_BYTES) throw new SerialtraceError('VALUE_INVALID', { field: 'context', reason: `at most ${MAX_CONTEXT_BYTES} bytes of JSON` });
  return JSON.parse(text) as unknown;
}

async function requireScript(tx: StoreTransaction, caller: Caller, name: string): Promise<ScriptRow> {
  const row = await tx.scripts.find(caller.companyId, name);
  if (row === undefined) throw new SerialtraceError('SCRIPT_NOT_FOUND', { field: 'script', script: name });
  return row;
}

function scriptView(row: ScriptRow): ScriptView {
  return {
    name: row.name,
    description: row.description,
    version: row.version,
    source: row.source,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    updatedAt: row.updatedAt,
    updatedBy: row.updatedBy,
  };
}

function runView(row: ScriptRunRow): ScriptRunView {
  return {
    id: row.id,
    script: row.scriptName,
    version: row.version,
    actor: row.actor,
    station: row.station,
    context: row.input,
    status: row.status,
    result: row.output,
    error: row.error,
    logs: (Array.isArray(row.logs) ? row.logs : []) as ScriptLog[],
    apiCalls: row.apiCalls,
    durationMs: row.durationMs,
    startedAt: row.startedAt,
  };
}

