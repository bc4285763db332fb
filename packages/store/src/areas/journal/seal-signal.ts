/**
 * Tells the followers of this process that journal events were sealed, so that they read at once
 * instead of at their next poll. Events sealed by another server are only found by polling.
 */
export class SealSignal {
  readonly #listeners = new Set<() => void>();

  listen(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  notify(): void {
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch {
        // A listener's failure is its own; the others and the writer carry on.
      }
    }
  }
}
