/**
 * A statement written once for both engines. Its text is SQL that SQLite and PostgreSQL read alike,
 * with three marks that each dialect writes its own way (see `SqlDialect.compile`):
 *
 * - `:name` is a parameter, bound from an object by name (the same name may appear twice);
 * - `IN :name[]` tests a column against a list given as one parameter;
 * - `[[ ... ]]` is a row-locking clause (`FOR UPDATE`, `FOR NO KEY UPDATE OF c`, `SKIP LOCKED`):
 *   PostgreSQL keeps it, SQLite, whose one writer holds the whole database, drops it.
 *
 * `Row` is the shape of one row the statement answers.
 *
 * @example
 * const FIND = sql<SeriesDbRow>('series_find', 'SELECT * FROM series WHERE company_id = :company AND name = :name');
 * const row = await db.get(FIND, { company: 1, name: 'Widgets' });
 */
export interface SqlQuery<Row = Record<string, unknown>> {
  /** Unique among statements: names a prepared statement on PostgreSQL and the query in errors. */
  readonly name: string;
  readonly text: string;
  /** Never set: carries the row type. */
  readonly row?: Row;
}

/** Parameters by name. */
export type SqlParams = Readonly<Record<string, unknown>>;

const named = new Map<string, string>();

/**
 * Declares a statement. Names are checked to be unique (two statements under one name would share
 * a prepared statement on PostgreSQL).
 */
export function sql<Row = Record<string, unknown>>(name: string, text: string): SqlQuery<Row> {
  const known = named.get(name);
  if (known !== undefined && known !== text) throw new Error(`two statements are named ${name}`);
  named.set(name, text);
  return { name, text };
}

/**
 * A statement put together at run time (a search with optional filters): its text and parameters
 * grow together, so a value is never written into the text.
 *
 * @example
 * const q = new SqlBuilder();
 * const where = [`r.company_id = ${q.param(1)}`];
 * if (workOrder) where.push(`r.work_order = ${q.param(workOrder)}`);
 * const { query, params } = q.build(`SELECT ... WHERE ${where.join(' AND ')}`);
 */
export class SqlBuilder {
  readonly #params: Record<string, unknown> = {};
  #next = 0;

  /** A parameter for `value`: the mark to write into the text. */
  param(value: unknown): string {
    const name = `p${++this.#next}`;
    this.#params[name] = value;
    return `:${name}`;
  }

  /** A list parameter, written as `column IN :name[]`. */
  list(values: readonly unknown[]): string {
    return `${this.param(values)}[]`;
  }

  build<Row = Record<string, unknown>>(text: string): { query: SqlQuery<Row>; params: SqlParams } {
    // Not registered: the text varies with the filters; it is compiled and cached by its text.
    return { query: { name: '', text }, params: this.#params };
  }
}
