import type { SqlDialect } from './sql-dialect.js';
import type { SqlParams, SqlQuery } from './sql-query.js';

/**
 * One transaction's connection, as the area stores use it: statements written once, run on
 * whichever engine. Each engine implements it over its driver (`SqliteSession`, `PgSession`),
 * and that is where their differences live: SQLite runs everything at once on its one writer;
 * PostgreSQL holds the statements whose answer nobody reads and sends them with the COMMIT.
 *
 * @example const rows = await db.all(LIST_SERIES, { company: 1 });
 */
export interface SqlSession {
  readonly dialect: SqlDialect;
  /** A read transaction: its snapshot is fixed and it writes nothing, so it takes no row locks. */
  readonly readOnly: boolean;
  all<Row>(query: SqlQuery<Row>, params?: SqlParams): Promise<Row[]>;
  get<Row>(query: SqlQuery<Row>, params?: SqlParams): Promise<Row | undefined>;
  /** Runs a statement and answers how many rows it changed. */
  run(query: SqlQuery<unknown>, params?: SqlParams): Promise<number>;
  /**
   * A statement whose answer nobody reads (a counter saved, an entry appended): it is sure to run
   * before the transaction commits, and its failure fails the commit. PostgreSQL sends it with the
   * next statement or the COMMIT, saving a round trip; SQLite runs it now.
   */
  later(query: SqlQuery<unknown>, params?: SqlParams): void;
  /**
   * Inserts many rows of `columns` into `table` (`tail` follows the values: `ON CONFLICT (...) DO
   * NOTHING`), answering each row's new id, or null for a row the conflict clause skipped. Rows are
   * told apart by `key` (columns the conflict is on): of rows with one key, only the first can be
   * inserted. SQLite runs one prepared statement per row; PostgreSQL one statement for the batch
   * (an array per column, unnested).
   */
  insertEach(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[], options: { readonly tail: string; readonly key: readonly string[] }): Promise<(number | null)[]>;
  /**
   * {@link insertEach} for rows that are expected to be new, answering whether each was inserted.
   * PostgreSQL sends them with the COMMIT without the conflict clause, so that the common case costs
   * no round trip of its own; when one exists after all, the commit fails with a unique violation,
   * the unit runs again (as every unit that loses a race does), and this time the rows are
   * inserted as {@link insertEach} does and each answer is known. SQLite runs {@link insertEach}.
   */
  insertNew(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[], options: { readonly tail: string; readonly key: readonly string[] }): Promise<boolean[]>;
  /**
   * Sets `columns` of many rows found by `key`, with one statement where the engine can. Each row
   * is the key's value followed by the columns' values. Nobody reads an answer: PostgreSQL holds
   * it, like {@link later}.
   */
  updateMany(table: string, key: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void>;
  /**
   * `count` ids for new rows of `table` (its `id` column), known before the rows are written so
   * that other rows can point at them first. Never the same id twice; ids of rows never written
   * are simply not used. PostgreSQL draws blocks from the table's sequence (a round trip now and
   * then, outside the transaction's locks); SQLite's one writer counts on from the largest id.
   */
  reserveIds(table: string, count: number): Promise<number[]>;
}
