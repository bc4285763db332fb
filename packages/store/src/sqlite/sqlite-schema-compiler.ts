import { DdlCompiler } from '../schema/ddl-compiler.js';

/** SQLite's reading of the schema description: rowid keys, 0/1 booleans, clustered tables WITHOUT ROWID. */
export class SqliteSchemaCompiler extends DdlCompiler {
  constructor() {
    super({
      idColumn: (name) => `${name} INTEGER PRIMARY KEY`,
      types: { integer: 'INTEGER', text: 'TEXT', json: 'TEXT', boolean: 'INTEGER', instant: 'TEXT' },
      boolean: (value) => (value ? '1' : '0'),
      clusteredSuffix: ' WITHOUT ROWID',
      // A rowid key continues after the largest one by itself.
      afterSeedIds: () => [],
      altersConstraints: false,
      // SQLite keeps its foreign keys: each is a lookup in the process, which costs little.
      statementReferences: () => [],
    });
  }
}
