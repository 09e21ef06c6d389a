/**
 * Writes the store does after the response (an unchanged session moving forward to the current
 * table), tracked so that `flush()` and `close()` can wait for them.
 */
export class BackgroundWrites {
  readonly #pending = new Set<Promise<void>>();

  /** Tracks `work` until it settles; it must handle its own failures. */
  add(work: Promise<void>): void {
    const tracked = work.finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }

  /** Resolves once every write started so far, and any they started, is done. */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }
}
