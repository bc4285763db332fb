import type { ColumnSpec, ColumnType, MigrationStep, SchemaCompiler, TableSpec } from './schema-description.js';

/** What differs between engines in the DDL of the schema description. */
export interface DdlDialect {
  /** The surrogate key column, e.g. `id INTEGER PRIMARY KEY`. */
  readonly idColumn: (name: string) => string;
  readonly types: Readonly<Record<Exclude<ColumnType, 'id'>, string>>;
  readonly boolean: (value: boolean) => string;
  /** Appended to a clustered table's CREATE TABLE. */
  readonly clusteredSuffix: string;
  /** Statements after seed rows that gave an identity column its values (the table's name). */
  readonly afterSeedIds: (table: string) => string[];
  /**
   * The statements that replace per-row foreign keys by per-statement checks (see the
   * `statementReferences` step); none where the engine keeps its constraints.
   */
  readonly statementReferences: (table: string, references: ReadonlyMap<string, { table: string; column: string }>) => string[];
  /**
   * Whether a unique constraint can be dropped and added in place (PostgreSQL); otherwise the
   * table is built anew (SQLite).
   */
  readonly altersConstraints: boolean;
}

/**
 * Compiles migration steps for one engine. Both engines read the same statement shapes; only
 * the types, booleans and identity columns differ ({@link DdlDialect}).
 */
export class DdlCompiler implements SchemaCompiler {
  readonly #dialect: DdlDialect;

  constructor(dialect: DdlDialect) {
    this.#dialect = dialect;
  }

  compile(step: MigrationStep): string[] {
    switch (step.kind) {
      case 'table':
        return [this.#table(step.table)];
      case 'column':
        return [`ALTER TABLE ${step.table} ADD COLUMN ${this.#column(step.name, step.column)}`];
      case 'index': {
        const { name, table, columns, unique, where } = step.index;
        return [
          `CREATE ${unique === true ? 'UNIQUE ' : ''}INDEX ${name} ON ${table} (${columns.join(', ')})${where === undefined ? '' : ` WHERE ${where}`}`,
        ];
      }
      case 'rows': {
        const inserts = step.rows.map((row) => {
          const columns = Object.keys(row);
          return `INSERT INTO ${step.table} (${columns.join(', ')}) VALUES (${columns.map((c) => this.#literal(row[c] ?? null)).join(', ')})`;
        });
        if (step.rows.some((row) => row['id'] !== undefined)) inserts.push(...this.#dialect.afterSeedIds(step.table));
        return inserts;
      }
      case 'update':
        return [step.sql];
      case 'drop':
        return [`DROP TABLE ${step.table}`];
      case 'dropColumn':
        return [`ALTER TABLE ${step.table} DROP COLUMN ${step.name}`];
      case 'statementReferences': {
        const references = new Map<string, { table: string; column: string }>();
        for (const [column, target] of Object.entries(step.references)) {
          const match = /^(\w+)\((\w+)\)$/.exec(target);
          if (match === null) throw new Error(`a reference is written table(column), not ${target}`);
          references.set(column, { table: match[1]!, column: match[2]! });
        }
        return this.#dialect.statementReferences(step.table, references);
      }
      case 'unique': {
        const { table, drop, add, indexes } = step;
        if (this.#dialect.altersConstraints) {
          // The name PostgreSQL gives an unnamed UNIQUE (a, b) of table t: t_a_b_key.
          return [`ALTER TABLE ${table.name} DROP CONSTRAINT ${table.name}_${drop.join('_')}_key`, `ALTER TABLE ${table.name} ADD UNIQUE (${add.join(', ')})`];
        }
        const columns = Object.keys(table.columns).join(', ');
        const building = `${table.name}__new`;
        return [
          this.#table({ ...table, name: building }),
          `INSERT INTO ${building} (${columns}) SELECT ${columns} FROM ${table.name}`,
          `DROP TABLE ${table.name}`,
          `ALTER TABLE ${building} RENAME TO ${table.name}`,
          ...indexes.flatMap((index) => this.compile({ kind: 'index', index })),
        ];
      }
    }
  }

  #literal(value: string | number | boolean | null): string {
    if (value === null) return 'NULL';
    if (typeof value === 'boolean') return this.#dialect.boolean(value);
    if (typeof value === 'number') return String(value);
    return `'${value.replace(/'/g, "''")}'`;
  }

  #column(name: string, spec: ColumnSpec): string {
    if (spec.type === 'id') return this.#dialect.idColumn(name);
    let sql = `${name} ${this.#dialect.types[spec.type]}${spec.nullable === true ? '' : ' NOT NULL'}`;
    if (spec.default !== undefined) sql += ` DEFAULT ${this.#literal(spec.default)}`;
    if (spec.references !== undefined) sql += ` REFERENCES ${spec.references}`;
    return sql;
  }

  #table(table: TableSpec): string {
    const parts = Object.entries(table.columns).map(([name, spec]) => this.#column(name, spec));
    if (table.primaryKey !== undefined) parts.push(`PRIMARY KEY (${table.primaryKey.join(', ')})`);
    for (const unique of table.unique ?? []) parts.push(`UNIQUE (${unique.join(', ')})`);
    return `CREATE TABLE ${table.name} (\n  ${parts.join(',\n  ')}\n)${table.clustered === true ? this.#dialect.clusteredSuffix : ''}`;
  }
}
