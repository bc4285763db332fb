/** A request waiting in its company's queue, with how to answer it. */
export interface Waiting<R, A> {
  readonly request: R;
  readonly resolve: (answer: A) => void;
  readonly reject: (error: unknown) => void;
}

export interface CompanyQueuesOptions<R, A> {
  /** How many batches of one company may be served at once. */
  readonly lanes: number;
  /** How many of the waiting requests (at least one) the next batch takes. */
  readonly take: (waiting: readonly Waiting<R, A>[]) => number;
  /** Serves a batch: answers every request of it, one way or another. */
  readonly serve: (companyId: number, batch: readonly Waiting<R, A>[]) => Promise<void>;
}

/**
 * Requests of each company that are served in batches: a request that finds a lane free is
 * served at once, alone; those arriving while every lane is busy wait, and the next free lane
 * takes them together.
 *
 * @example
 * const queues = new CompanyQueues({ lanes: 1, take: (w) => w.length, serve: async (company, batch) => ... });
 * const answer = await queues.enqueue(1, request);
 */
export class CompanyQueues<R, A> {
  readonly #queues = new Map<number, { readonly waiting: Waiting<R, A>[]; running: number }>();
  readonly #options: CompanyQueuesOptions<R, A>;

  constructor(options: CompanyQueuesOptions<R, A>) {
    this.#options = options;
  }

  enqueue(companyId: number, request: R): Promise<A> {
    let queue = this.#queues.get(companyId);
    if (queue === undefined) {
      queue = { waiting: [], running: 0 };
      this.#queues.set(companyId, queue);
    }
    const answer = new Promise<A>((resolve, reject) => queue.waiting.push({ request, resolve, reject }));
    if (queue.running < this.#options.lanes) void this.#drain(companyId, queue);
    return answer;
  }

  async #drain(companyId: number, queue: { readonly waiting: Waiting<R, A>[]; running: number }): Promise<void> {
    queue.running += 1;
    try {
      while (queue.waiting.length > 0) {
        const batch = queue.waiting.splice(0, Math.max(1, this.#options.take(queue.waiting)));
        try {
          await this.#options.serve(companyId, batch);
        } catch (error) {
          // A batch that could not be served is refused, and the queue goes on.
          for (const w of batch) w.reject(error);
        }
      }
    } finally {
      queue.running -= 1;
      if (queue.running === 0 && queue.waiting.length === 0) this.#queues.delete(companyId);
    }
  }
}
