import { SerialtraceError } from '@serialtrace/core';
import pg from 'pg';
import { PgStore, type PgStoreOptions } from '../postgres/pg-store.js';
import { TABLES } from '../schema/tables.js';
import { openBetterSqlite } from '../sqlite/sqlite-connection.js';
import { SqliteStore } from '../sqlite/sqlite-store.js';

export interface CopyReport {
  /** Rows copied per table, in the order they were copied. */
  readonly tables: readonly { readonly name: string; readonly rows: number }[];
}

/** Rows sent per INSERT: well below PostgreSQL's 65,535 parameters for the widest table. */
const CHUNK = 1000;

/** Every table of the schema as the migrations leave it, in creation order (parents first). */
function schemaTables(): { name: string; columns: [string, { type: string }][] }[] {
  return [...TABLES.values()].map((table) => ({ name: table.name, columns: table.columns.map((c) => [c.name, c.spec] as [string, { type: string }]) }));
}

/**
 * Copies an embedded SQLite database, whole, into a new PostgreSQL database or schema: the way
 * from one machine to several servers. Everything moves with its ids, so records, history and
 * journal events keep pointing at each other, and the journal's positions and the audit chain
 * (with each company's kept head) verify as before; counters and
 * leases move too, so no value is issued again. The target must be empty (freshly migrated), and
 * the copy is one transaction: it lands whole or not at all. Stop every process writing to the
 * file first; the file is read as it was when the copy began.
 */
export async function copySqliteToPostgres(sourcePath: string, target: PgStoreOptions): Promise<CopyReport> {
  // Opening the file brings it to the latest schema, which the target gets too.
  await SqliteStore.open({ path: sourcePath }).close();
  const store = PgStore.open(target);
  try {
    await store.ping();
  } finally {
    await store.close();
  }

  const source = openBetterSqlite(sourcePath, { busyTimeoutMs: 30_000, readonly: true });
  const schema = target.schema ?? 'public';
  const client = new pg.Client({ connectionString: target.url, options: `-c search_path="${schema.replace(/"/g, '""')}"` });
  try {
    await client.connect();
  } catch (error) {
    source.close();
    throw Object.assign(new SerialtraceError('STORE_UNAVAILABLE', { reason: 'the target database cannot be reached' }), { cause: error });
  }
  try {
    source.exec('BEGIN');
    await client.query('BEGIN');
    await refuseUnlessEmpty(client);
    // The target's seed company is replaced by the source's companies, ids and all.
    await client.query('DELETE FROM companies');
    const tables: { name: string; rows: number }[] = [];
    for (const table of schemaTables()) {
      const names = table.columns.map(([name]) => name);
      const insert = async (chunk: readonly Record<string, unknown>[]) => {
        const values: unknown[] = [];
        const tuples = chunk.map((row) => {
          const placeholders = table.columns.map(([name, spec]) => {
            const value = row[name];
            values.push(spec.type === 'boolean' && value !== null ? value === 1 || value === true : value);
            return `$${values.length}`;
          });
          return `(${placeholders.join(', ')})`;
        });
        await client.query(`INSERT INTO ${table.name} (${names.join(', ')}) VALUES ${tuples.join(', ')}`, values);
      };
      // Streamed a chunk at a time: a database of millions of records is never in memory whole.
      let count = 0;
      let chunk: Record<string, unknown>[] = [];
      for (const row of source.prepare(`SELECT ${names.join(', ')} FROM ${table.name}`).iterate() as Iterable<Record<string, unknown>>) {
        chunk.push(row);
        count += 1;
        if (chunk.length === CHUNK) {
          await insert(chunk);
          chunk = [];
        }
      }
      if (chunk.length > 0) await insert(chunk);
      tables.push({ name: table.name, rows: count });
      if (table.columns.some(([, spec]) => spec.type === 'id')) {
        await client.query(`SELECT setval(pg_get_serial_sequence('${table.name}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM ${table.name}))`);
      }
    }
    await client.query('COMMIT');
    return { tables };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    if (source.inTransaction) source.exec('ROLLBACK');
    source.close();
    await client.end();
  }
}

async function refuseUnlessEmpty(client: pg.Client): Promise<void> {
  const holding: string[] = [];
  for (const table of schemaTables()) {
    if (table.name === 'companies') continue;
    const result = await client.query<{ found: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${table.name}) AS found`);
    if (result.rows[0]?.found === true) holding.push(table.name);
  }
  const companies = await client.query<{ n: string }>('SELECT COUNT(*) AS n FROM companies');
  if (Number(companies.rows[0]?.n ?? 0) > 1) holding.unshift('companies');
  if (holding.length > 0) throw new SerialtraceError('COPY_TARGET_NOT_EMPTY', { tables: holding.join(', ') });
}
