/**
 * Who is asking, for which company, from where and why: every use case takes one, and every audit
 * entry it writes carries it.
 *
 * @example { companyId: 1, actor: 'cli:alice', station: 'ST-04', reason: 'night shift restart' }
 */
export interface Caller {
  readonly companyId: number;
  /** `cli:<os user>`, `user:<name>`, `key:<id>`, `script:<name>`. */
  readonly actor: string;
  readonly station?: string | null;
  readonly line?: string | null;
  readonly plant?: string | null;
  readonly reason?: string | null;
  /**
   * The caller is a system administrator (a user flag, never a key's). Only they may change a
   * system administrator; absent means no.
   */
  readonly systemAdmin?: boolean;
}

/** The company every fresh install has. */
export const DEFAULT_COMPANY_ID = 1;
