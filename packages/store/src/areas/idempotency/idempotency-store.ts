import { columnsOf, insertText } from '../../schema/tables.js';
import { sql } from '../../sql/sql-query.js';
import type { SqlSession } from '../../sql/sql-session.js';

/** A request's first answer, kept under the key its client gave, to answer a retry the same. */
export interface IdempotencyRow {
  readonly key: string;
  readonly requestHash: string;
  readonly response: string;
  readonly createdAt: string;
}

/**
 * Idempotency keys: a retried request with the same key gets the first answer back, byte for byte.
 *
 * @example const first = await tx.idempotency.find(1, 'WO-12345-batch-1');
 */
export interface IdempotencyStore {
  find(companyId: number, key: string): Promise<IdempotencyRow | undefined>;
  insert(companyId: number, row: IdempotencyRow): Promise<void>;
}

const FIND = sql<{ key: string; request_hash: string; response: string; created_at: string }>(
  'idempotency_find',
  'SELECT key, request_hash, response, created_at FROM idempotency_keys WHERE company_id = :company AND key = :key',
);
const INSERT = sql('idempotency_insert', insertText('idempotency_keys', columnsOf('idempotency_keys')));

/** {@link IdempotencyStore} written once for both engines. */
export class SqlIdempotencyStore implements IdempotencyStore {
  constructor(private readonly db: SqlSession) {}

  async find(companyId: number, key: string): Promise<IdempotencyRow | undefined> {
    const row = await this.db.get(FIND, { company: companyId, key });
    return row === undefined ? undefined : { key: row.key, requestHash: row.request_hash, response: row.response, createdAt: row.created_at };
  }

  async insert(companyId: number, row: IdempotencyRow): Promise<void> {
    this.db.later(INSERT, { company_id: companyId, key: row.key, request_hash: row.requestHash, response: row.response, created_at: row.createdAt });
  }
}
