import Database from 'better-sqlite3';

/**
 * The part of better-sqlite3 the store uses. Nothing outside this folder imports the driver, so
 * the rest of the code reads as SQL and rows, and a test can see every call the store makes.
 */
export interface SqliteStatement {
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
}

export interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  /** `PRAGMA name` or `PRAGMA name = value`, returning the first column of the first row. */
  pragma(statement: string): unknown;
  readonly inTransaction: boolean;
  close(): void;
}

export interface SqliteOpenOptions {
  /** How long a writer waits for another process's write lock before giving up. */
  readonly busyTimeoutMs: number;
  /** Opens an existing file for reading only: a statement that would write fails. */
  readonly readonly?: boolean;
}

export function openBetterSqlite(path: string, options: SqliteOpenOptions): SqliteConnection {
  const db = new Database(path, { timeout: options.busyTimeoutMs, readonly: options.readonly ?? false });
  return {
    prepare: (sql) => db.prepare(sql),
    exec: (sql) => {
      db.exec(sql);
    },
    pragma: (statement) => db.pragma(statement, { simple: true }),
    get inTransaction() {
      return db.inTransaction;
    },
    close: () => {
      db.close();
    },
  };
}

/** Whether an error from the driver means another connection held the lock too long. */
export function isBusyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED');
}
