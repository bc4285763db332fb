import type { StoreTransaction } from './store-port.js';
import type { IssueLocks } from './store-types.js';

/**
 * {@link StoreTransaction.lockIssue} made of the transaction's single steps, in the order the port
 * promises (the chain head before the counter). SQLite takes this way always; PostgreSQL when its
 * one-statement path finds no counter row yet.
 */
export async function lockIssueStepByStep(
  tx: StoreTransaction,
  companyId: number,
  seriesId: number,
  period: string,
  expect: { readonly name: string; readonly version: number } | undefined,
): Promise<IssueLocks> {
  const head = await tx.lockAuditHead(companyId);
  const counter = await tx.lockCounter(seriesId, period);
  const otherGlobal = await tx.hasGlobalSeries(companyId, seriesId);
  if (expect === undefined) return { head, counter, otherGlobal, seriesCurrent: true };
  const stamp = await tx.findSeriesVersion(companyId, expect.name);
  return { head, counter, otherGlobal, seriesCurrent: stamp?.id === seriesId && stamp.version === expect.version };
}
