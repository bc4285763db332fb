import type { SqlSession } from '../sql/sql-session.js';
import type { StoreTransaction } from '../store-port.js';
import { SqlAccessStore } from './access/access-store.js';
import { SqlCountersStore } from './counters/counters-store.js';
import { SqlEpcisStore } from './epcis/epcis-store.js';
import { SqlIdempotencyStore } from './idempotency/idempotency-store.js';
import { SqlJournalStore } from './journal/journal-store.js';
import { SqlLabelTemplatesStore } from './label-templates/label-templates-store.js';
import { SqlRecordsStore } from './records/records-store.js';
import { SqlScriptsStore } from './scripts/scripts-store.js';
import { SqlSeriesStore } from './series/series-store.js';

/**
 * A transaction's areas over one session. An area keeps what it learns about the transaction's
 * locks (the counters it holds), so each transaction gets its own, made when it begins: a few
 * small objects.
 */
export function transactionOver(db: SqlSession): StoreTransaction {
  return {
    series: new SqlSeriesStore(db),
    counters: new SqlCountersStore(db),
    records: new SqlRecordsStore(db),
    journal: new SqlJournalStore(db),
    access: new SqlAccessStore(db),
    labelTemplates: new SqlLabelTemplatesStore(db),
    scripts: new SqlScriptsStore(db),
    idempotency: new SqlIdempotencyStore(db),
    epcis: new SqlEpcisStore(db),
  };
}
