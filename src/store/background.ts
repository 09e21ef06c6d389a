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

  /**
   * Like {@link flush}, but gives up after `withinMs`: resolves with how many writes were still
   * running then (they are left to fail or finish on their own; nothing waits for them).
   */
  async flushWithin(withinMs: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), withinMs);
    });
    try {
      const outcome = await Promise.race([this.flush().then(() => 'done' as const), expired]);
      return outcome === 'done' ? 0 : this.#pending.size;
    } finally {
      clearTimeout(timer);
    }
  }
}
