import { createHash } from 'node:crypto';
import type { QueryResultRow } from 'pg';
import { columnType } from '../schema/tables.js';
import type { ColumnType } from '../schema/schema-description.js';
import { postgresDialect } from '../sql/sql-dialect.js';
import type { SqlParams, SqlQuery } from '../sql/sql-query.js';
import type { SqlSession } from '../sql/sql-session.js';
import { inline, isLiteral, type PgConnection } from './pg-connection.js';
import { literal, type LiteralValue } from './pg-literal.js';

/** A column's type as a literal is cast to. */
const SCALAR_TYPES: Readonly<Record<ColumnType, string>> = {
  id: 'bigint',
  integer: 'bigint',
  text: 'text',
  json: 'text',
  boolean: 'boolean',
  instant: 'text',
};

/** The array type a column's values travel in when a batch is unnested. */
const arrayType = (type: ColumnType): string => `${SCALAR_TYPES[type]}[]`;

/**
 * The area stores' statements on one pooled PostgreSQL connection inside a transaction
 * ({@link PgConnection}): declared statements are prepared once per connection under their name,
 * and those whose answer nobody reads are held and sent with the COMMIT as literals.
 */
export class PgSession implements SqlSession {
  readonly dialect = postgresDialect;
  readonly #db: PgConnection;

  readonly #ids: IdBlocks;

  /** Whether {@link insertNew} sent rows without their conflict clause in this transaction. */
  #hopeful = false;

  constructor(
    db: PgConnection,
    readonly readOnly: boolean,
    ids: IdBlocks,
    /** A unit run again after rows expected to be new were not: they go {@link insertEach}'s way. */
    private readonly careful = false,
  ) {
    this.#db = db;
    this.#ids = ids;
  }

  /** Whether a unique violation of this transaction may come from rows {@link insertNew} hoped were new. */
  get hoped(): boolean {
    return this.#hopeful;
  }

  async all<Row>(query: SqlQuery<Row>, params?: SqlParams): Promise<Row[]> {
    const compiled = this.dialect.compile(query, { locks: !this.readOnly });
    return (await this.#db.query<QueryResultRow>(compiled.text, this.dialect.values(compiled, params), query.name || undefined)) as Row[];
  }

  async get<Row>(query: SqlQuery<Row>, params?: SqlParams): Promise<Row | undefined> {
    return (await this.all(query, params))[0];
  }

  async run(query: SqlQuery<unknown>, params?: SqlParams): Promise<number> {
    const compiled = this.dialect.compile(query, { locks: !this.readOnly });
    return (await this.#db.execute(compiled.text, this.dialect.values(compiled, params), query.name || undefined)).rowCount;
  }

  later(query: SqlQuery<unknown>, params?: SqlParams): void {
    const compiled = this.dialect.compile(query, { locks: !this.readOnly });
    this.#db.hold(inline(compiled.text, this.dialect.values(compiled, params) as LiteralValue[]));
  }

  async updateMany(table: string, key: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
    if (rows.length === 0) return;
    const all = [key, ...columns];
    // Held and sent with the next statement or the COMMIT: a VALUES list of literals, the first
    // row typed after the columns (the others follow it).
    const types = all.map((column) => SCALAR_TYPES[columnType(table, column)]);
    const values = rows.map((row, r) => `(${row.map((v, c) => (r === 0 ? `${literal(v as LiteralValue)}::${types[c]}` : literal(v as LiteralValue))).join(', ')})`);
    this.#db.hold(
      `UPDATE ${table} AS t SET ${columns.map((c) => `${c} = v.${c}`).join(', ')} FROM (VALUES ${values.join(', ')}) AS v(${all.join(', ')}) WHERE t.${key} = v.${key}`,
    );
  }

  async insertNew(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[], options: { readonly tail: string; readonly key: readonly string[] }): Promise<boolean[]> {
    if (rows.length === 0) return [];
    if (this.careful || !rows.every((row) => row.every(isLiteral))) return (await this.insertEach(table, columns, rows, options)).map((id) => id !== null);
    // Written as literals and held: a value every row shares is written once.
    const types = columns.map((column) => SCALAR_TYPES[columnType(table, column)]);
    const first = rows[0]!;
    const varying = columns.map((_, c) => rows.some((row) => row[c] !== first[c]));
    let text: string;
    if (rows.length === 1 || !varying.some(Boolean)) {
      text = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${rows.map((row) => `(${row.map((v, c) => `${literal(v)}::${types[c]}`).join(', ')})`).join(', ')}`;
    } else {
      const arrays = columns.flatMap((column, c) => (varying[c] ? [`ARRAY[${rows.map((row) => literal(row[c] as LiteralValue)).join(', ')}]::${types[c]}[]`] : []));
      const names = columns.filter((_, c) => varying[c]);
      const select = columns.map((column, c) => (varying[c] ? `v.${column}` : `${literal(first[c] as LiteralValue)}::${types[c]}`));
      text = `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${select.join(', ')} FROM unnest(${arrays.join(', ')}) AS v(${names.join(', ')})`;
    }
    this.#db.hold(text);
    this.#hopeful = true;
    return rows.map(() => true);
  }

  reserveIds(table: string, count: number): Promise<number[]> {
    return this.#ids.take(table, count, (n) => this.#db.query<{ id: string }>(`SELECT nextval(pg_get_serial_sequence('${table}', 'id')) AS id FROM generate_series(1, $1)`, [n]));
  }

  async insertEach(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[], options: { readonly tail: string; readonly key: readonly string[] }): Promise<(number | null)[]> {
    if (rows.length === 0) return [];
    // One statement for the whole batch: an array per column, unnested into rows in the order given.
    const arrays = columns.map(() => new Array<unknown>(rows.length));
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      for (let c = 0; c < columns.length; c++) arrays[c]![r] = row[c];
    }
    const casts = columns.map((column, i) => `$${i + 1}::${arrayType(columnType(table, column))}`).join(', ');
    const text = `INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${casts}) ${options.tail} RETURNING id, ${options.key.join(', ')}`;
    const name = `many_${table}_${createHash('sha1').update(text).digest('hex').slice(0, 12)}`;
    const inserted = await this.#db.query<QueryResultRow>(text, arrays, name);
    const ids = new Array<number | null>(rows.length).fill(null);
    if (inserted.length === 0) return ids;
    // Only the first row of each key can have been inserted.
    const keyIndexes = options.key.map((k) => columns.indexOf(k));
    const keyOf = (values: readonly unknown[]) => values.map(String).join('\u0000');
    const first = new Map<string, number>();
    for (let r = rows.length - 1; r >= 0; r--) first.set(keyOf(keyIndexes.map((c) => rows[r]![c])), r);
    for (const row of inserted) ids[first.get(keyOf(options.key.map((k): unknown => row[k])))!] = Number(row['id']);
    return ids;
  }
}

/**
 * Ids drawn from tables' sequences a block at a time and handed out by this process, so that
 * reserving an id costs a round trip only once per block. A sequence never gives a value twice,
 * whatever the transactions do; ids of rolled-back rows are gaps, which nothing minds.
 */
export class IdBlocks {
  readonly #free = new Map<string, number[]>();
  /** The highest id handed out per table: ids only rise, take after take. */
  readonly #highest = new Map<string, number>();

  constructor(private readonly blockSize = 64) {}

  /**
   * `count` ids, higher than any handed out before. The sealer keeps a transaction's events in id
   * order, so the ids a transaction takes, one take after another, must rise in the order it
   * appends them. Two draws may overlap and the earlier one come back last: its ids below those
   * already handed out are left unused.
   */
  async take(table: string, count: number, draw: (n: number) => Promise<{ id: string | number }[]>): Promise<number[]> {
    let free = this.#usable(table, this.#free.get(table) ?? []);
    while (free.length < count) {
      const drawn = await draw(Math.max(this.blockSize, count - free.length));
      // Another caller may have taken or drawn meanwhile: what is free now, plus what this one drew.
      free = this.#usable(table, [...(this.#free.get(table) ?? []), ...drawn.map((r) => Number(r.id))]);
    }
    const taken = free.slice(0, count);
    this.#free.set(table, free.slice(count));
    this.#highest.set(table, taken[taken.length - 1]!);
    return taken;
  }

  /** `ids` in order, without those at or below the highest handed out. */
  #usable(table: string, ids: readonly number[]): number[] {
    const highest = this.#highest.get(table) ?? 0;
    return ids.filter((id) => id > highest).sort((a, b) => a - b);
  }
}

