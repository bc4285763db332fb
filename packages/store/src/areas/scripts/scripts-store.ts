import { columnsOf, insertText } from '../../schema/tables.js';
import { sql, SqlBuilder } from '../../sql/sql-query.js';
import type { SqlSession } from '../../sql/sql-session.js';
import { parseJson, type ChangeStamp } from '../change-stamp.js';

/** A customer script (JavaScript defining `main(context)`), stored by name per company. */
export interface ScriptRow {
  readonly id: number;
  readonly companyId: number;
  readonly name: string;
  /** The current version: 1 on creation, +1 on every save. */
  readonly version: number;
  /** The current version's source. */
  readonly source: string;
  readonly description: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

export interface ScriptVersionRow {
  readonly scriptId: number;
  readonly version: number;
  readonly source: string;
  readonly description: string;
  readonly changedAt: string;
  readonly changedBy: string;
  readonly reason: string | null;
}

export type ScriptRunStatus = 'succeeded' | 'failed';

/** One run of a script, recorded whether it succeeded or failed. */
export interface ScriptRunRow {
  readonly id: number;
  readonly companyId: number;
  readonly scriptId: number;
  /** The script's name (joined from the script, so it is the current name). */
  readonly scriptName: string;
  /** The version of the script that ran. */
  readonly version: number;
  readonly actor: string;
  readonly station: string | null;
  /** The run's input, any JSON value. */
  readonly input: unknown;
  readonly status: ScriptRunStatus;
  /** What the script returned (any JSON value); null when the run failed. */
  readonly output: unknown;
  /** `{code, message, details}` of a failed run; null when it succeeded. */
  readonly error: unknown;
  /** What the script logged, a JSON array. */
  readonly logs: unknown;
  readonly apiCalls: number;
  /** Whole milliseconds (a fraction is rounded when stored). */
  readonly durationMs: number;
  readonly startedAt: string;
  /** The journal event that recorded the run, if any. */
  readonly auditId: number | null;
}

export type NewScriptRun = Omit<ScriptRunRow, 'id' | 'scriptName'>;

export interface ScriptRunFilter {
  readonly companyId: number;
  /** Only the runs of this script. */
  readonly scriptId?: number;
  /** Only runs with a smaller id (keyset paging, newest first). */
  readonly beforeId?: number;
  readonly limit: number;
}

/**
 * Scripts with every version, and their runs.
 *
 * @example const saved = await tx.scripts.save(1, 'issue-bottles', source, 'Issues bottles', { at, actor });
 */
export interface ScriptsStore {
  list(companyId: number): Promise<ScriptRow[]>;
  find(companyId: number, name: string): Promise<ScriptRow | undefined>;
  /** Creates the script (version 1) or saves a new version (version + 1), and returns the row as it now is. */
  save(companyId: number, name: string, source: string, description: string, stamp: ChangeStamp): Promise<ScriptRow>;
  versions(scriptId: number): Promise<ScriptVersionRow[]>;
  findVersion(scriptId: number, version: number): Promise<ScriptVersionRow | undefined>;
  /** Records a run and returns its id. Works in any write transaction (a failed run's is one of its own). */
  insertRun(run: NewScriptRun): Promise<number>;
  /** Runs of a company (or of one of its scripts), newest first. */
  listRuns(filter: ScriptRunFilter): Promise<ScriptRunRow[]>;
  findRun(companyId: number, id: number): Promise<ScriptRunRow | undefined>;
}

interface ScriptDbRow {
  id: number;
  company_id: number;
  name: string;
  version: number;
  source: string;
  description: string;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

interface ScriptVersionDbRow {
  script_id: number;
  version: number;
  source: string;
  description: string;
  changed_at: string;
  changed_by: string;
  reason: string | null;
}

interface ScriptRunDbRow {
  id: number;
  company_id: number;
  script_id: number;
  script_name: string;
  version: number;
  actor: string;
  station: string | null;
  input: string;
  status: string;
  output: string | null;
  error: string | null;
  logs: string;
  api_calls: number;
  duration_ms: number;
  started_at: string;
  audit_id: number | null;
}

function scriptFromRow(row: ScriptDbRow): ScriptRow {
  return {
    id: row.id,
    companyId: row.company_id,
    name: row.name,
    version: row.version,
    source: row.source,
    description: row.description,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

function versionFromRow(row: ScriptVersionDbRow): ScriptVersionRow {
  return {
    scriptId: row.script_id,
    version: row.version,
    source: row.source,
    description: row.description,
    changedAt: row.changed_at,
    changedBy: row.changed_by,
    reason: row.reason,
  };
}

const RUN_STATUSES: readonly ScriptRunStatus[] = ['succeeded', 'failed'];

function runFromRow(row: ScriptRunDbRow): ScriptRunRow {
  if (!(RUN_STATUSES as readonly string[]).includes(row.status)) throw new Error(`unknown script run status in the database: ${row.status}`);
  return {
    id: row.id,
    companyId: row.company_id,
    scriptId: row.script_id,
    scriptName: row.script_name,
    version: row.version,
    actor: row.actor,
    station: row.station,
    input: JSON.parse(row.input) as unknown,
    status: row.status as ScriptRunStatus,
    output: parseJson(row.output),
    error: parseJson(row.error),
    logs: JSON.parse(row.logs) as unknown,
    apiCalls: row.api_calls,
    durationMs: row.duration_ms,
    startedAt: row.started_at,
    auditId: row.audit_id,
  };
}

const LIST = sql<ScriptDbRow>('scripts_list', 'SELECT * FROM scripts WHERE company_id = :company ORDER BY name');
const FIND = sql<ScriptDbRow>('script_find', 'SELECT * FROM scripts WHERE company_id = :company AND name = :name');
const SAVE = sql<ScriptDbRow>(
  'script_save',
  insertText(
    'scripts',
    ['company_id', 'name', 'version', 'source', 'description', 'created_at', 'created_by', 'updated_at', 'updated_by'],
    `ON CONFLICT (company_id, name) DO UPDATE SET source = excluded.source, description = excluded.description,
       version = scripts.version + 1, updated_at = excluded.updated_at, updated_by = excluded.updated_by
     RETURNING *`,
  ),
);
const INSERT_VERSION = sql('script_version_insert', insertText('script_versions', columnsOf('script_versions')));
const VERSIONS = sql<ScriptVersionDbRow>('script_versions_list', 'SELECT * FROM script_versions WHERE script_id = :script ORDER BY version');
const FIND_VERSION = sql<ScriptVersionDbRow>('script_version_find', 'SELECT * FROM script_versions WHERE script_id = :script AND version = :version');
const RUN_COLUMNS = columnsOf('script_runs', { except: ['id'] });
const INSERT_RUN = sql<{ id: number }>('script_run_insert', insertText('script_runs', RUN_COLUMNS, 'RETURNING id'));
const SELECT_RUN = `SELECT ${columnsOf('script_runs', { alias: 'r' }).join(', ')}, s.name AS script_name FROM script_runs r JOIN scripts s ON s.id = r.script_id`;
const FIND_RUN = sql<ScriptRunDbRow>('script_run_find', `${SELECT_RUN} WHERE r.id = :id AND r.company_id = :company`);

/** {@link ScriptsStore} written once for both engines. */
export class SqlScriptsStore implements ScriptsStore {
  constructor(private readonly db: SqlSession) {}

  async list(companyId: number): Promise<ScriptRow[]> {
    return (await this.db.all(LIST, { company: companyId })).map(scriptFromRow);
  }

  async find(companyId: number, name: string): Promise<ScriptRow | undefined> {
    const row = await this.db.get(FIND, { company: companyId, name });
    return row === undefined ? undefined : scriptFromRow(row);
  }

  async save(companyId: number, name: string, source: string, description: string, stamp: ChangeStamp): Promise<ScriptRow> {
    const row = (await this.db.get(SAVE, {
      company_id: companyId,
      name,
      version: 1,
      source,
      description,
      created_at: stamp.at,
      created_by: stamp.actor,
      updated_at: stamp.at,
      updated_by: stamp.actor,
    }))!;
    this.db.later(INSERT_VERSION, {
      script_id: row.id,
      version: row.version,
      source,
      description,
      changed_at: stamp.at,
      changed_by: stamp.actor,
      reason: stamp.reason ?? null,
    });
    return scriptFromRow(row);
  }

  async versions(scriptId: number): Promise<ScriptVersionRow[]> {
    return (await this.db.all(VERSIONS, { script: scriptId })).map(versionFromRow);
  }

  async findVersion(scriptId: number, version: number): Promise<ScriptVersionRow | undefined> {
    const row = await this.db.get(FIND_VERSION, { script: scriptId, version });
    return row === undefined ? undefined : versionFromRow(row);
  }

  async insertRun(run: NewScriptRun): Promise<number> {
    // Input and logs are always a JSON document (`null` when absent); an output or error of null is SQL NULL.
    const optionalJson = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
    const row = await this.db.get(INSERT_RUN, {
      company_id: run.companyId,
      script_id: run.scriptId,
      version: run.version,
      actor: run.actor,
      station: run.station,
      input: JSON.stringify(run.input ?? null),
      status: run.status,
      output: optionalJson(run.output),
      error: optionalJson(run.error),
      logs: JSON.stringify(run.logs ?? null),
      api_calls: run.apiCalls,
      duration_ms: Math.round(run.durationMs),
      started_at: run.startedAt,
      audit_id: run.auditId,
    });
    return row!.id;
  }

  async listRuns(filter: ScriptRunFilter): Promise<ScriptRunRow[]> {
    const q = new SqlBuilder();
    const where = [`r.company_id = ${q.param(filter.companyId)}`];
    if (filter.scriptId !== undefined) where.push(`r.script_id = ${q.param(filter.scriptId)}`);
    if (filter.beforeId !== undefined) where.push(`r.id < ${q.param(filter.beforeId)}`);
    const { query, params } = q.build<ScriptRunDbRow>(`${SELECT_RUN} WHERE ${where.join(' AND ')} ORDER BY r.id DESC LIMIT ${q.param(filter.limit)}`);
    return (await this.db.all(query, params)).map(runFromRow);
  }

  async findRun(companyId: number, id: number): Promise<ScriptRunRow | undefined> {
    const row = await this.db.get(FIND_RUN, { id, company: companyId });
    return row === undefined ? undefined : runFromRow(row);
  }
}
