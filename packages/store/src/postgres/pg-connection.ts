import type { PoolClient, QueryResult, QueryResultRow } from 'pg';
import { literal, type LiteralValue } from './pg-literal.js';

/**
 * One pooled connection inside a transaction, with the statements whose answer nobody waits for
 * held back: they go together with the COMMIT (or in one batch before the next statement that
 * needs an answer). A generation's counter, audit entry and idempotency row thus cost one round
 * trip together with the commit instead of one each. The held statements carry their values as
 * literals ({@link literal}), because a simple query that holds several statements takes no
 * parameters.
 */
export class PgConnection {
  readonly #client: PoolClient;
  #held: string[] = [];
  /**
   * The BEGIN not sent yet: it travels with the transaction's first statement, whose values are
   * then written in as literals (when they all can be), saving a round trip per transaction. The
   * held statements travel the same way with the next statement that needs an answer.
   */
  #beginPending: string | undefined;

  constructor(client: PoolClient) {
    this.#client = client;
  }

  /** Runs a parameterised statement (prepared once per connection under `name`, when given). */
  async query<R extends QueryResultRow>(text: string, values: readonly unknown[] = [], name?: string): Promise<R[]> {
    return (await this.execute<R>(text, values, name)).rows;
  }

  /** {@link query}, answering how many rows the statement changed too. */
  async execute<R extends QueryResultRow>(text: string, values: readonly unknown[] = [], name?: string): Promise<{ rows: R[]; rowCount: number }> {
    if ((this.#beginPending !== undefined || this.#held.length > 0) && values.every(isLiteral)) {
      // What waits to be sent goes with this statement, its values written in: one round trip.
      const batch = [...(this.#beginPending === undefined ? [] : [this.#beginPending]), ...this.#held, inline(text, values)].join(';\n');
      this.#beginPending = undefined;
      this.#held = [];
      const results = (await this.#send(() => this.#client.query(batch))) as unknown as QueryResult<R>[];
      const last = results[results.length - 1]!;
      return { rows: last.rows, rowCount: last.rowCount ?? 0 };
    }
    await this.#flush();
    const result = await this.#send(() => this.#client.query<R>(name === undefined ? { text, values: [...values] } : { name, text, values: [...values] }));
    return { rows: result.rows, rowCount: result.rowCount ?? 0 };
  }

  /**
   * The SQLSTATE of the first statement of this transaction that failed, if any (the unit's
   * statements and its COMMIT all go through `#send`): the error the caller finally sees may be a
   * later one (a statement in the aborted transaction), or none of the database's (the unit caught
   * the first and failed otherwise).
   */
  firstFailure: string | undefined;

  async #send<T>(query: () => Promise<T>): Promise<T> {
    try {
      return await query();
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (this.firstFailure === undefined && typeof code === 'string') this.firstFailure = code;
      throw error;
    }
  }

  /** Queues a statement that returns nothing the caller reads. */
  hold(statement: string): void {
    this.#held.push(statement);
  }

  /** Sends the pending BEGIN and the held statements, if any. */
  async #flush(): Promise<void> {
    if (this.#beginPending === undefined && this.#held.length === 0) return;
    await this.#withBegin([...this.#held]);
  }

  /** Starts a transaction: `BEGIN` and its options, sent with the first statement. */
  begin(statement = 'BEGIN'): void {
    this.#held = [];
    this.#beginPending = statement;
  }

  /** Sends the held statements and COMMIT as one simple query: one round trip, one answer. */
  async commit(): Promise<void> {
    if (this.#beginPending !== undefined && this.#held.length === 0) {
      // Nothing was sent: there is no transaction to end.
      this.#beginPending = undefined;
      return;
    }
    await this.#withBegin([...this.#held, 'COMMIT']);
  }

  async rollback(): Promise<void> {
    this.#held = [];
    if (this.#beginPending !== undefined) {
      this.#beginPending = undefined;
      return;
    }
    await this.#client.query('ROLLBACK');
  }

  async #withBegin(statements: readonly string[]): Promise<void> {
    const batch = [...(this.#beginPending === undefined ? [] : [this.#beginPending]), ...statements];
    this.#beginPending = undefined;
    this.#held = [];
    await this.#send(() => this.#client.query(batch.join(';\n')));
  }
}

export function isLiteral(value: unknown): value is LiteralValue {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'bigint' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isSafeInteger(value))
  );
}

/** The statement with `$n` replaced by its value as a literal (the store's SQL has no `$` in strings). */
export function inline(text: string, values: readonly LiteralValue[]): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const index = Number(n) - 1;
    if (index < 0 || index >= values.length) throw new Error(`no value for $${n}`);
    return `(${literal(values[index]!)})`;
  });
}
