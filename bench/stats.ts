/** Latency percentiles over a list of durations in milliseconds. */
export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return 0;
  const index = Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1);
  return sortedMs[Math.max(0, index)]!;
}

export interface Measurement {
  /** serials written per second */
  readonly serialsPerSecond: number;
  readonly requests: number;
  readonly serials: number;
  readonly seconds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/**
 * Runs `once` (one request of `batch` serials) until `minSeconds` have passed and at least
 * `minRequests` were made, timing each request.
 */
export async function measure(
  batch: number,
  once: () => unknown,
  options: { minSeconds: number; minRequests: number; maxRequests: number },
): Promise<Measurement> {
  const latencies: number[] = [];
  const start = performance.now();
  let elapsed = 0;
  while ((elapsed < options.minSeconds * 1000 || latencies.length < options.minRequests) && latencies.length < options.maxRequests) {
    const t0 = performance.now();
    await once();
    const t1 = performance.now();
    latencies.push(t1 - t0);
    elapsed = t1 - start;
  }
  latencies.sort((a, b) => a - b);
  const seconds = elapsed / 1000;
  return {
    serialsPerSecond: (latencies.length * batch) / seconds,
    requests: latencies.length,
    serials: latencies.length * batch,
    seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}
