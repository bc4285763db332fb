/** Latency percentiles over a sorted list of durations in milliseconds. */
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

export interface Contender {
  readonly name: string;
  /** One request of `batch` serials. */
  readonly once: () => unknown;
}

/**
 * Measures several contenders doing the same work, in alternating slices of `slice` requests, so
 * that whatever the disk or the machine does meanwhile (writeback, another process) falls on all
 * of them alike rather than on whichever ran second. Runs until every contender has had
 * `minSeconds` and `minRequests`.
 */
export async function measureInterleaved(
  batch: number,
  contenders: readonly Contender[],
  options: { minSeconds: number; minRequests: number; slice: number },
): Promise<Map<string, Measurement>> {
  const latencies = contenders.map(() => [] as number[]);
  const busyMs = contenders.map(() => 0);
  const done = () =>
    contenders.every((_, i) => busyMs[i]! >= options.minSeconds * 1000 && latencies[i]!.length >= options.minRequests);
  while (!done()) {
    for (const [i, contender] of contenders.entries()) {
      for (let n = 0; n < options.slice; n++) {
        const t0 = performance.now();
        await contender.once();
        const elapsed = performance.now() - t0;
        latencies[i]!.push(elapsed);
        busyMs[i]! += elapsed;
      }
    }
  }
  const results = new Map<string, Measurement>();
  for (const [i, contender] of contenders.entries()) {
    const sorted = [...latencies[i]!].sort((a, b) => a - b);
    const seconds = busyMs[i]! / 1000;
    results.set(contender.name, {
      serialsPerSecond: (sorted.length * batch) / seconds,
      requests: sorted.length,
      serials: sorted.length * batch,
      seconds,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
    });
  }
  return results;
}

/** Calls of `once` per second, one after another, over at least `seconds`. */
export async function callsPerSecond(seconds: number, once: () => unknown): Promise<number> {
  let calls = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    await once();
    calls++;
  }
  return calls / ((performance.now() - start) / 1000);
}
