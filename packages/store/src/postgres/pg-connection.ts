import type { PoolClient, QueryResultRow } from 'pg';

/**
 * One pooled connection inside a transaction, with the statements whose answer nobody waits for
 * held back: they travel with the next statement that needs an answer, or with the COMMIT. A
 * generation's counter, audit entry and idempotency row thus cost one round trip together with
 * the commit instead of one each. The held statements carry their values as literals
 * ({@link literal}), because a simple query that holds several statements takes no parameters.
 */
export class PgConnection {
  readonly #client: PoolClient;
  #held: string[] = [];

  constructor(client: PoolClient) {
    this.#client = client;
  }

  /** Runs a parameterised statement (prepared once per connection under `name`, when given). */
  async query<R extends QueryResultRow>(text: string, values: readonly unknown[] = [], name?: string): Promise<R[]> {
    await this.flush();
    const result = await this.#client.query<R>(name === undefined ? { text, values: [...values] } : { name, text, values: [...values] });
    return result.rows;
  }

  /** Queues a statement that returns nothing the caller reads. */
  hold(statement: string): void {
    this.#held.push(statement);
  }

  /** Sends the held statements, if any. */
  async flush(): Promise<void> {
    if (this.#held.length === 0) return;
    const batch = this.#held.join(';\n');
    this.#held = [];
    await this.#client.query(batch);
  }

  async begin(): Promise<void> {
    this.#held = [];
    await this.#client.query('BEGIN');
  }

  /** Sends the held statements and COMMIT as one simple query: one round trip, one answer. */
  async commit(): Promise<void> {
    const batch = [...this.#held, 'COMMIT'].join(';\n');
    this.#held = [];
    await this.#client.query(batch);
  }

  async rollback(): Promise<void> {
    this.#held = [];
    await this.#client.query('ROLLBACK');
  }
}
