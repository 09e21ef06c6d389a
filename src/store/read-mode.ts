/**
 * Whether a load reads the previous table together with the current one, learnt from recent
 * loads.
 *
 * Right after a rotation nearly every returning session is still in the previous table, so
 * reading the current table first and the previous one only on a miss costs those requests two
 * sequential round trips. While fewer than half of the recent loads find their session in the
 * current table, both are read at once: one round trip, the same read units for a session still
 * in the previous table (and for a session found nowhere), one more for a session already moved.
 * As sessions move forward the share of current-table hits grows past one half and loads go back
 * to the current table first. The share is an exponentially weighted average, restarted at 0 when
 * the current table changes.
 */
export class PreviousTableReads {
  readonly #weight: number;
  readonly #threshold: number;
  #period: number | undefined;
  #currentShare = 0;

  /**
   * @param weight - weight of the newest load in the average (1/32: about the last 32 loads count).
   * @param threshold - share of current-table hits below which both tables are read at once.
   */
  constructor(weight = 1 / 32, threshold = 0.5) {
    this.#weight = weight;
    this.#threshold = threshold;
  }

  /** True when a load should read the previous table together with the current one (period `current`). */
  together(current: number): boolean {
    this.#restartOn(current);
    return this.#currentShare < this.#threshold;
  }

  /** Records where a load in period `current` found its session. */
  record(current: number, foundInCurrent: boolean): void {
    this.#restartOn(current);
    this.#currentShare += this.#weight * ((foundInCurrent ? 1 : 0) - this.#currentShare);
  }

  /** The share of recent loads that found their session in the current table, 0 to 1. */
  get currentShare(): number {
    return this.#currentShare;
  }

  #restartOn(current: number): void {
    if (current === this.#period) return;
    this.#period = current;
    this.#currentShare = 0;
  }
}
