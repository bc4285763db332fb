/**
 * SQL literals for the statements a transaction sends together with its COMMIT in one simple
 * query (which takes no parameters). Only the value kinds the store writes are accepted; anything
 * else is a programming error, refused rather than guessed at.
 */
export type LiteralValue = string | number | bigint | boolean | null;

const NEEDS_ESCAPING = /['\\\0]/;

/** A string literal in PostgreSQL's escape form, valid whatever `standard_conforming_strings` is. */
function stringLiteral(value: string): string {
  // Most text (serials, times, names) needs no escaping at all.
  if (!NEEDS_ESCAPING.test(value)) return `'${value}'`;
  if (value.includes('\0')) throw new Error('a NUL character cannot be stored in PostgreSQL text');
  let escaped = '';
  let backslash = false;
  for (const c of value) {
    if (c === "'") escaped += "''";
    else if (c === '\\') {
      escaped += '\\\\';
      backslash = true;
    } else escaped += c;
  }
  return backslash ? ` E'${escaped}'` : `'${escaped}'`;
}

export function literal(value: LiteralValue): string {
  if (value === null) return 'NULL';
  switch (typeof value) {
    case 'string':
      return stringLiteral(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'TRUE' : 'FALSE';
    case 'number':
      if (!Number.isSafeInteger(value)) throw new Error(`not a whole number the store writes: ${value}`);
      return String(value);
  }
}

/** `(a, b, c)` for one row of a multi-row VALUES list. */
export function rowLiteral(values: readonly LiteralValue[]): string {
  return `(${values.map(literal).join(', ')})`;
}
