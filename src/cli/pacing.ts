/**
 * Keeping a bulk job within a capacity budget: after each step, wait until the units used so far
 * fit the budget since the start. Units are DynamoDB capacity units as consumed (fractions kept).
 */

/** Capacity units per second a job may use; undefined for no limit. */
export interface CapacityBudget {
  readonly readUnitsPerSecond?: number | undefined;
  readonly writeUnitsPerSecond?: number | undefined;
}

/** Capacity units used so far. */
export interface UnitsUsed {
  readonly readUnits: number;
  readonly writeUnits: number;
}

/**
 * How long to wait, in ms, so that `used` units spread over the time since the start fit the
 * budget: the later of the two times the reads and the writes are due, minus `elapsedMs`. Pure.
 */
export function paceDelayMs(used: UnitsUsed, budget: CapacityBudget, elapsedMs: number): number {
  const due = (units: number, perSecond: number | undefined): number => (perSecond === undefined ? 0 : (units / perSecond) * 1000);
  return Math.max(0, due(used.readUnits, budget.readUnitsPerSecond) - elapsedMs, due(used.writeUnits, budget.writeUnitsPerSecond) - elapsedMs);
}

/** Paces a job: {@link Pacer.pace} after each step. */
export interface Pacer {
  /** Waits until `used` fits the budget. */
  pace(used: UnitsUsed): Promise<void>;
  /** Milliseconds waited so far. */
  readonly waitedMs: number;
}

/** A pacer over a clock and a sleep, both injected (tests pass a manual clock). */
export function createPacer(budget: CapacityBudget, now: () => number, sleep: (ms: number) => Promise<void>): Pacer {
  const startMs = now();
  let waitedMs = 0;
  return {
    async pace(used) {
      const delayMs = paceDelayMs(used, budget, now() - startMs);
      if (delayMs <= 0) return;
      waitedMs += delayMs;
      await sleep(delayMs);
    },
    get waitedMs() {
      return waitedMs;
    },
  };
}
