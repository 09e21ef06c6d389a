import { performance } from 'node:perf_hooks';

/**
 * A point in real (monotonic) time after which an operation gives up. Deadlines never use the
 * store's injected clock, which tests may freeze or move.
 */
export interface Deadline {
  /** Milliseconds left, never below 0. */
  remainingMs(): number;
  /** True once the deadline has passed. */
  expired(): boolean;
}

/** A deadline `ms` milliseconds from now. */
export function createDeadline(ms: number): Deadline {
  const at = performance.now() + ms;
  return {
    remainingMs: () => Math.max(0, at - performance.now()),
    expired: () => performance.now() >= at,
  };
}

/**
 * Waits `ms` milliseconds. Waits inside an operation someone awaits keep the process alive
 * (`keepAlive`); background waits (table polling in maintenance) do not.
 */
export async function sleep(ms: number, options: { keepAlive?: boolean } = {}): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (options.keepAlive !== true) timer.unref();
  });
}

/**
 * Full-jitter exponential backoff: a random wait in [0, min(capMs, baseMs * 2^attempt)].
 *
 * @param attempt - 0 for the first retry.
 * @param random - a source of [0, 1) numbers, for tests.
 */
export function backoffMs(attempt: number, baseMs = 25, capMs = 1000, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}
