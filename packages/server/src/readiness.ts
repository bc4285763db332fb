import type { Store } from '@serialtrace/store';

/** How long a database that answered is taken to be answering still. */
export const PING_CACHE_MS = 1000;

/**
 * `store.ping()` as readiness probes call it: a success is trusted for {@link PING_CACHE_MS}, and
 * probes that arrive while a ping is under way wait for that one, so any number of load
 * balancers cost the database one round trip a second at most. A failure is not remembered: the
 * next probe asks again, and the server is ready as soon as the database is back.
 *
 * @example
 * const ping = cachedPing(services.store);
 * await ping(); // rejects with STORE_UNAVAILABLE while the database does not answer
 */
export function cachedPing(store: Pick<Store, 'ping'>, maxAgeMs = PING_CACHE_MS, now: () => number = () => performance.now()): () => Promise<void> {
  let answeredAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<void> | undefined;
  return () => {
    if (now() - answeredAt < maxAgeMs) return Promise.resolve();
    pending ??= store.ping().then(
      () => {
        answeredAt = now();
        pending = undefined;
      },
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };
}
