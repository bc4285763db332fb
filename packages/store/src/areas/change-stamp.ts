/** Who changed something and when, for rows that keep their own bookkeeping (series, templates, scripts). */
export interface ChangeStamp {
  readonly at: string;
  readonly actor: string;
  readonly reason?: string | null;
}

/** A boolean column as either engine returns it: 0/1 from SQLite, true/false from PostgreSQL. */
export type DbFlag = number | boolean;

export function flag(value: DbFlag): boolean {
  return value === true || value === 1;
}

/** A JSON column's text, or null. */
export function parseJson<T = unknown>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}
