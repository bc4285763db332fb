import type { ColumnSpec, MigrationStep, SchemaCompiler, TableSpec } from '../schema/schema-description.js';

function quoteLiteral(value: string | number | boolean | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') return String(value);
  return `'${value.replace(/'/g, "''")}'`;
}

function columnSql(name: string, spec: ColumnSpec): string {
  if (spec.type === 'id') return `${name} INTEGER PRIMARY KEY`;
  const type = { integer: 'INTEGER', text: 'TEXT', json: 'TEXT', boolean: 'INTEGER', instant: 'TEXT' }[spec.type];
  let sql = `${name} ${type}${spec.nullable === true ? '' : ' NOT NULL'}`;
  if (spec.default !== undefined) sql += ` DEFAULT ${quoteLiteral(spec.default)}`;
  if (spec.references !== undefined) sql += ` REFERENCES ${spec.references}`;
  return sql;
}

function tableSql(table: TableSpec): string {
  const parts = Object.entries(table.columns).map(([name, spec]) => columnSql(name, spec));
  if (table.primaryKey !== undefined) parts.push(`PRIMARY KEY (${table.primaryKey.join(', ')})`);
  for (const unique of table.unique ?? []) parts.push(`UNIQUE (${unique.join(', ')})`);
  return `CREATE TABLE ${table.name} (\n  ${parts.join(',\n  ')}\n)${table.clustered === true ? ' WITHOUT ROWID' : ''}`;
}

/** SQLite's reading of the schema description. */
export class SqliteSchemaCompiler implements SchemaCompiler {
  compile(step: MigrationStep): string[] {
    switch (step.kind) {
      case 'table':
        return [tableSql(step.table)];
      case 'column':
        return [`ALTER TABLE ${step.table} ADD COLUMN ${columnSql(step.name, step.column)}`];
      case 'index': {
        const { name, table, columns, unique, where } = step.index;
        return [
          `CREATE ${unique === true ? 'UNIQUE ' : ''}INDEX ${name} ON ${table} (${columns.join(', ')})${where === undefined ? '' : ` WHERE ${where}`}`,
        ];
      }
      case 'rows':
        return step.rows.map((row) => {
          const columns = Object.keys(row);
          return `INSERT INTO ${step.table} (${columns.join(', ')}) VALUES (${columns.map((c) => quoteLiteral(row[c] ?? null)).join(', ')})`;
        });
    }
  }
}
