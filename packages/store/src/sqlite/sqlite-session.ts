import { sqliteDialect } from '../sql/sql-dialect.js';
import type { SqlParams, SqlQuery } from '../sql/sql-query.js';
import type { SqlSession } from '../sql/sql-session.js';
import type { SqliteConnection, SqliteStatement } from './sqlite-connection.js';

/**
 * The area stores' statements on one SQLite connection. Statements are prepared once per
 * connection and kept by their text; everything runs at once (a connection runs one statement at
 * a time, synchronously, so there is nothing to gain by holding one back).
 */
export class SqliteSession implements SqlSession {
  readonly dialect = sqliteDialect;
  readonly #db: SqliteConnection;
  readonly #statements = new Map<string, SqliteStatement>();
  /** The next id {@link reserveIds} hands out per table, should the largest stored one be lower. */
  readonly #nextIds = new Map<string, number>();

  constructor(
    db: SqliteConnection,
    readonly readOnly: boolean,
  ) {
    this.#db = db;
  }

  async all<Row>(query: SqlQuery<Row>, params?: SqlParams): Promise<Row[]> {
    const [statement, values] = this.#prepare(query, params);
    return statement.all(...values) as Row[];
  }

  async get<Row>(query: SqlQuery<Row>, params?: SqlParams): Promise<Row | undefined> {
    const [statement, values] = this.#prepare(query, params);
    return statement.get(...values) as Row | undefined;
  }

  async run(query: SqlQuery<unknown>, params?: SqlParams): Promise<number> {
    const [statement, values] = this.#prepare(query, params);
    return statement.run(...values).changes;
  }

  later(query: SqlQuery<unknown>, params?: SqlParams): void {
    const [statement, values] = this.#prepare(query, params);
    statement.run(...values);
  }

  async insertEach(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[], options: { readonly tail: string }): Promise<(number | null)[]> {
    const statement = this.#statement(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ${options.tail}`);
    const ids = new Array<number | null>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const values = row.some((value) => typeof value === 'boolean') ? row.map((value) => (typeof value === 'boolean' ? (value ? 1 : 0) : value)) : row;
      const info = statement.run(...values);
      ids[i] = info.changes === 0 ? null : Number(info.lastInsertRowid);
    }
    return ids;
  }

  async insertNew(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[], options: { readonly tail: string }): Promise<boolean[]> {
    return (await this.insertEach(table, columns, rows, options)).map((id) => id !== null);
  }

  async updateMany(table: string, key: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
    const statement = this.#statement(`UPDATE ${table} SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE ${key} = ?`);
    for (const [id, ...values] of rows) statement.run(...values.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v)), id);
  }

  async reserveIds(table: string, count: number): Promise<number[]> {
    // The one writer holds the file: nobody else can take these before this transaction ends. An
    // id handed out by an earlier transaction that rolled back is not given again (harmless gap).
    const row = this.#statement(`SELECT COALESCE(MAX(id), 0) AS top FROM ${table}`).get() as { top: number };
    const first = Math.max(row.top + 1, this.#nextIds.get(table) ?? 0);
    this.#nextIds.set(table, first + count);
    return Array.from({ length: count }, (_, i) => first + i);
  }

  #prepare(query: SqlQuery<unknown>, params: SqlParams | undefined): [SqliteStatement, unknown[]] {
    const compiled = this.dialect.compile(query);
    return [this.#statement(compiled.text), this.dialect.values(compiled, params)];
  }

  #statement(text: string): SqliteStatement {
    let statement = this.#statements.get(text);
    if (statement === undefined) {
      statement = this.#db.prepare(text);
      this.#statements.set(text, statement);
    }
    return statement;
  }
}
