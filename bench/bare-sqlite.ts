import Database from 'better-sqlite3';

/**
 * The baseline: the least a durable serial issue can cost on SQLite. One transaction per request
 * increments a counter row and inserts the serials into a table with a unique index, with the
 * same durability as the product (WAL, synchronous=FULL, BEGIN IMMEDIATE), and nothing else.
 */
export class BareSqlite {
  readonly #db: Database.Database;
  readonly #bump: Database.Statement;
  readonly #insert: Database.Statement;

  constructor(path: string) {
    this.#db = new Database(path, { timeout: 30_000 });
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    // The same record rows as the product (columns and unique index), without series lookups,
    // rendering, idempotency or the audit chain.
    this.#db.exec(`
      CREATE TABLE counters (series_id INTEGER NOT NULL, period TEXT NOT NULL, value TEXT NOT NULL, updated_at TEXT NOT NULL,
        PRIMARY KEY (series_id, period)) WITHOUT ROWID;
      CREATE TABLE records (id INTEGER PRIMARY KEY, company_id INTEGER NOT NULL, series_id INTEGER NOT NULL, serial TEXT NOT NULL,
        sequence TEXT NOT NULL, period TEXT NOT NULL, status TEXT NOT NULL, work_order TEXT, part_number TEXT, context TEXT,
        metadata TEXT, generated_at TEXT NOT NULL, generated_by TEXT NOT NULL, station TEXT, updated_at TEXT NOT NULL, audit_seq INTEGER);
      CREATE UNIQUE INDEX records_company_serial ON records (company_id, serial, series_id);
      INSERT INTO counters VALUES (1, '*', '0', '');
    `);
    this.#bump = this.#db.prepare(
      "UPDATE counters SET value = CAST(value AS INTEGER) + ?, updated_at = ? WHERE series_id = 1 AND period = '*' RETURNING value",
    );
    this.#insert = this.#db.prepare(
      `INSERT INTO records (company_id, series_id, serial, sequence, period, status, generated_at, generated_by, station, updated_at)
       VALUES (1, 1, ?, ?, '*', 'generated', ?, 'bench', 'BENCH-1', ?)`,
    );
  }

  /** Issues `count` serials in one durable transaction and returns them. */
  issue(count: number): string[] {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const at = new Date().toISOString();
      const value = Number((this.#bump.get(count, at) as { value: string }).value);
      const serials: string[] = [];
      for (let v = value - count + 1; v <= value; v++) {
        const serial = `SN-${String(v).padStart(8, '0')}`;
        this.#insert.run(serial, String(v), at, at);
        serials.push(serial);
      }
      this.#db.exec('COMMIT');
      return serials;
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  close(): void {
    this.#db.close();
  }
}
