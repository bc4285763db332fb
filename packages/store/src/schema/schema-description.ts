/**
 * The schema as data: each migration is a list of steps that every storage engine compiles into
 * its own DDL, so SQLite and PostgreSQL are migrated from one description.
 */
export type ColumnType =
  /** surrogate key, assigned by the database */
  | 'id'
  | 'integer'
  | 'text'
  /** JSON document kept as text */
  | 'json'
  | 'boolean'
  /** ISO-8601 instant in UTC, kept as text so that it sorts and compares as written */
  | 'instant';

export interface ColumnSpec {
  readonly type: ColumnType;
  readonly nullable?: boolean;
  readonly default?: string | number | boolean;
  /** `table(column)` */
  readonly references?: string;
}

export interface TableSpec {
  readonly name: string;
  readonly columns: Readonly<Record<string, ColumnSpec>>;
  /** Composite primary key; omit when a column has type `id`. */
  readonly primaryKey?: readonly string[];
  readonly unique?: readonly (readonly string[])[];
  /** The table is clustered on its primary key (SQLite WITHOUT ROWID; ignored where it means nothing). */
  readonly clustered?: boolean;
}

export interface IndexSpec {
  readonly name: string;
  readonly table: string;
  readonly columns: readonly string[];
  readonly unique?: boolean;
  /** A partial index's condition, in SQL both engines read alike. */
  readonly where?: string;
}

export type MigrationStep =
  | { readonly kind: 'table'; readonly table: TableSpec }
  | { readonly kind: 'index'; readonly index: IndexSpec }
  /** A column added to an existing table; existing rows take its default. */
  | { readonly kind: 'column'; readonly table: string; readonly name: string; readonly column: ColumnSpec }
  | { readonly kind: 'rows'; readonly table: string; readonly rows: readonly Readonly<Record<string, string | number | boolean | null>>[] }
  /** Existing rows brought in line with a new rule: one statement that both engines read alike. */
  | { readonly kind: 'update'; readonly sql: string }
  /** A table that is no more (its rows moved elsewhere by an earlier step). */
  | { readonly kind: 'drop'; readonly table: string }
  /** A column that is no more (not indexed, not a key). */
  | { readonly kind: 'dropColumn'; readonly table: string; readonly name: string }
  /**
   * The foreign keys of `table`'s columns (`references`, as the table declares them) checked once
   * per statement instead of once per row. PostgreSQL checks a foreign key with a lookup per
   * inserted row, run by a trigger, which cost more than the rest of issuing a batch of serials.
   * PostgreSQL therefore drops those constraints and checks the new rows of each statement that
   * inserts or updates the table with one query, and refuses to delete a referenced row by a
   * trigger on the referenced table. SQLite keeps its constraints (in-process lookups).
   */
  | { readonly kind: 'statementReferences'; readonly table: string; readonly references: Readonly<Record<string, string>> }
  /**
   * A unique constraint of an existing table is replaced: `drop` goes, `add` comes. PostgreSQL
   * alters the table in place. SQLite cannot drop a constraint, so it builds the table anew from
   * `table` (its whole definition after the change, `add` among its uniques), copies every row with
   * its id, and creates `indexes` again; the store runs migrations with foreign keys off, and
   * checks them before it commits.
   */
  | {
      readonly kind: 'unique';
      readonly table: TableSpec;
      readonly drop: readonly string[];
      readonly add: readonly string[];
      readonly indexes: readonly IndexSpec[];
    };

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly steps: readonly MigrationStep[];
}

/** Turns steps into statements for one engine. */
export interface SchemaCompiler {
  compile(step: MigrationStep): string[];
}
