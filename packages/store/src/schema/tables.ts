import { MIGRATIONS } from './migrations.js';
import type { ColumnSpec, ColumnType } from './schema-description.js';

/** A table as the migrations leave it: its columns in order, with their logical types. */
export interface TableShape {
  readonly name: string;
  readonly columns: readonly { readonly name: string; readonly spec: ColumnSpec }[];
}

/**
 * Every table as the migrations, applied in order, leave it: the one description the column
 * lists of statements are taken from (see `columnsOf`), so no statement counts columns by hand.
 */
export const TABLES: ReadonlyMap<string, TableShape> = (() => {
  const tables = new Map<string, { name: string; columns: Map<string, ColumnSpec> }>();
  for (const migration of MIGRATIONS) {
    for (const step of migration.steps) {
      if (step.kind === 'table' || step.kind === 'unique') {
        tables.set(step.table.name, { name: step.table.name, columns: new Map(Object.entries(step.table.columns)) });
      } else if (step.kind === 'column' || step.kind === 'dropColumn') {
        const table = tables.get(step.table);
        if (table === undefined) throw new Error(`migration ${migration.version} changes a column of ${step.table}, which no migration creates`);
        if (step.kind === 'column') table.columns.set(step.name, step.column);
        else table.columns.delete(step.name);
      } else if (step.kind === 'drop') {
        tables.delete(step.table);
      }
    }
  }
  return new Map(
    [...tables.values()].map((t) => [t.name, { name: t.name, columns: [...t.columns].map(([name, spec]) => ({ name, spec })) }]),
  );
})();

export function tableShape(name: string): TableShape {
  const table = TABLES.get(name);
  if (table === undefined) throw new Error(`no table ${name} in the schema description`);
  return table;
}

/**
 * The columns of `table` (all of them, or those `except` leaves), optionally prefixed with an
 * alias: `r.id, r.company_id, ...`. Names not in the table are refused, so a statement cannot
 * drift from the schema.
 */
export function columnsOf(table: string, options: { readonly alias?: string; readonly except?: readonly string[]; readonly only?: readonly string[] } = {}): string[] {
  const shape = tableShape(table);
  const known = new Set(shape.columns.map((c) => c.name));
  for (const name of [...(options.except ?? []), ...(options.only ?? [])]) {
    if (!known.has(name)) throw new Error(`${table} has no column ${name}`);
  }
  const names = options.only ?? shape.columns.map((c) => c.name).filter((name) => !(options.except ?? []).includes(name));
  return names.map((name) => (options.alias === undefined ? name : `${options.alias}.${name}`));
}

/** The logical type of one column. */
export function columnType(table: string, column: string): ColumnType {
  const found = tableShape(table).columns.find((c) => c.name === column);
  if (found === undefined) throw new Error(`${table} has no column ${column}`);
  return found.spec.type;
}

/**
 * `INSERT INTO table (a, b, c) VALUES (:a, :b, :c)` for `columns` (checked against the table),
 * followed by `tail`: each value is bound by its column's name.
 */
export function insertText(table: string, columns: readonly string[], tail = ''): string {
  columnsOf(table, { only: columns });
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `:${c}`).join(', ')})${tail === '' ? '' : ` ${tail}`}`;
}

/** `a = :a, b = :b` for an UPDATE's SET, checked against the table. */
export function setText(table: string, columns: readonly string[]): string {
  columnsOf(table, { only: columns });
  return columns.map((c) => `${c} = :${c}`).join(', ');
}
