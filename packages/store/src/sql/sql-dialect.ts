import type { SqlParams, SqlQuery } from './sql-query.js';

/** A statement as one engine runs it: its text, and its parameter values in placeholder order. */
export interface CompiledQuery {
  readonly text: string;
  /** The parameter each placeholder takes, in order, and whether it is a list. */
  readonly slots: readonly { readonly name: string; readonly list: boolean }[];
}

/**
 * What really differs between the engines in the statements the store writes once: how a
 * parameter and a list of values are written, whether row-locking clauses mean anything, how a
 * value is bound, and the case-insensitive LIKE. Everything else is SQL both read alike (upserts
 * with ON CONFLICT, RETURNING, JSON kept as text, text compared byte by byte).
 *
 * @example sqliteDialect.compile(sql('x', 'SELECT 1 FROM t WHERE id IN :ids[] [[FOR UPDATE]]')).text
 * // 'SELECT 1 FROM t WHERE id IN (SELECT value FROM json_each(?)) '
 */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /** Whether rows can be locked (PostgreSQL); SQLite's one writer holds the whole database instead. */
  readonly locksRows: boolean;
  /** `LIKE` that ignores ASCII case: SQLite's own LIKE, PostgreSQL's ILIKE. */
  readonly caseInsensitiveLike: 'LIKE' | 'ILIKE';
  /**
   * The statement as this engine runs it. `locks: false` drops row-locking clauses even where
   * rows are locked: a read-only transaction may not take them.
   */
  compile(query: SqlQuery<unknown>, options?: { readonly locks?: boolean }): CompiledQuery;
  /** A column the planner must not look up by index (SQLite's unary `+`), for a query that walks in id order. */
  unindexed(column: string): string;
  /** The values to bind, in placeholder order. */
  values(compiled: CompiledQuery, params: SqlParams | undefined): unknown[];
}

const TOKEN = /\[\[([\s\S]*?)\]\]|IN\s+:([A-Za-z_][A-Za-z0-9_]*)\[\]|(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)/g;

interface DialectRules {
  readonly name: SqlDialect['name'];
  readonly locksRows: boolean;
  readonly caseInsensitiveLike: SqlDialect['caseInsensitiveLike'];
  /** The placeholder of the n-th distinct parameter (1-based), given the slots so far. */
  placeholder(index: number): string;
  list(placeholder: string): string;
  /** Whether a name used twice takes one placeholder ($1 twice) or one each (? twice). */
  readonly reusesPlaceholders: boolean;
  bind(value: unknown, list: boolean): unknown;
}

function dialect(rules: DialectRules & { readonly unindexed: (column: string) => string }): SqlDialect {
  const caches = { true: new WeakMap<object, CompiledQuery>(), false: new WeakMap<object, CompiledQuery>() };
  const byText = { true: new Map<string, CompiledQuery>(), false: new Map<string, CompiledQuery>() };
  const compileText = (text: string, locks: boolean): CompiledQuery => {
    const slots: { name: string; list: boolean }[] = [];
    const positions = new Map<string, string>();
    const place = (name: string, list: boolean): string => {
      if (rules.reusesPlaceholders) {
        const known = positions.get(name);
        if (known !== undefined) return known;
      }
      slots.push({ name, list });
      const placeholder = rules.placeholder(slots.length);
      positions.set(name, placeholder);
      return placeholder;
    };
    const out = text.replace(TOKEN, (_match, lock: string | undefined, listName: string | undefined, name: string | undefined) => {
      if (lock !== undefined) return locks ? lock : '';
      if (listName !== undefined) return rules.list(place(listName, true));
      return place(name!, false);
    });
    return { text: out, slots };
  };
  return {
    name: rules.name,
    locksRows: rules.locksRows,
    caseInsensitiveLike: rules.caseInsensitiveLike,
    unindexed: rules.unindexed,
    compile(query, options = {}) {
      const locks = rules.locksRows && options.locks !== false;
      const key = locks ? 'true' : 'false';
      if (query.name === '') {
        // A statement built at run time: its text is the key (filters give a handful of shapes).
        const texts = byText[key];
        let compiled = texts.get(query.text);
        if (compiled === undefined) {
          compiled = compileText(query.text, locks);
          if (texts.size > 1000) texts.clear();
          texts.set(query.text, compiled);
        }
        return compiled;
      }
      const cache = caches[key];
      let compiled = cache.get(query);
      if (compiled === undefined) {
        compiled = compileText(query.text, locks);
        cache.set(query, compiled);
      }
      return compiled;
    },
    values(compiled, params) {
      const values = new Array<unknown>(compiled.slots.length);
      for (let i = 0; i < compiled.slots.length; i++) {
        const slot = compiled.slots[i]!;
        const value = params?.[slot.name];
        if (value === undefined && !(params !== undefined && slot.name in params)) throw new Error(`no value for the parameter :${slot.name}`);
        values[i] = rules.bind(value ?? null, slot.list);
      }
      return values;
    },
  };
}

/** SQLite: `?` placeholders, a list as a JSON array read by json_each, booleans as 0 and 1. */
export const sqliteDialect: SqlDialect = dialect({
  name: 'sqlite',
  locksRows: false,
  caseInsensitiveLike: 'LIKE',
  placeholder: () => '?',
  list: (placeholder) => `IN (SELECT value FROM json_each(${placeholder}))`,
  reusesPlaceholders: false,
  bind: (value, list) => (list ? JSON.stringify(value) : typeof value === 'boolean' ? (value ? 1 : 0) : value),
  // Without it, SQLite would find the company's rows by an index and sort them all before a LIMIT.
  unindexed: (column) => `+${column}`,
});

/** PostgreSQL: `$n` placeholders, a list as an array, row locks kept. */
export const postgresDialect: SqlDialect = dialect({
  name: 'postgres',
  locksRows: true,
  caseInsensitiveLike: 'ILIKE',
  placeholder: (index) => `$${index}`,
  list: (placeholder) => `= ANY(${placeholder})`,
  reusesPlaceholders: true,
  bind: (value) => value,
  unindexed: (column) => column,
});
