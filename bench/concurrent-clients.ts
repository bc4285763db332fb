import { percentile, type Measurement } from './stats.js';

/** What `clients` concurrent request loops achieved over one or more windows (serials per second of wall time). */
export type ClientsMeasurement = Measurement;

/** Raw counts of windows, to be merged before they are summarised. */
export interface ClientsWindow {
  readonly latenciesMs: number[];
  serials: number;
  seconds: number;
}

/**
 * Runs `clients` closed loops (each sends its next request when the last one is answered) for
 * `seconds`, adding to `into`. `once(client, n)` makes the n-th request of a client and returns
 * how many serials it issued. Requests still running at the deadline are waited for and counted,
 * and so is the time they take, so throughput is serials over the whole wall time.
 */
export async function runClients(
  clients: number,
  seconds: number,
  once: (client: number, n: number) => Promise<number>,
  into: ClientsWindow = { latenciesMs: [], serials: 0, seconds: 0 },
): Promise<ClientsWindow> {
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const loop = async (client: number) => {
    for (let n = 0; performance.now() < deadline; n++) {
      const t0 = performance.now();
      const issued = await once(client, n);
      into.latenciesMs.push(performance.now() - t0);
      into.serials += issued;
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, client) => loop(client)));
  into.seconds += (performance.now() - start) / 1000;
  return into;
}

export function summarise(window: ClientsWindow): ClientsMeasurement {
  const sorted = [...window.latenciesMs].sort((a, b) => a - b);
  return {
    serialsPerSecond: window.serials / window.seconds,
    requests: sorted.length,
    serials: window.serials,
    seconds: window.seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
  };
}
