import { performance } from 'node:perf_hooks';
import { sleep, type Deadline } from '../dynamo/deadline.js';
import { SessionManagerError } from '../errors.js';
import type { ExpiryStrategy } from '../expiry/strategy.js';
import { safeLog, type Logger } from '../logging/logger.js';
import { noopTelemetry, type Telemetry } from '../metrics/otel/telemetry.js';

/**
 * The store's side of table maintenance: the first round at start (`ready()`), the background
 * timer (unref'd, cleared by `close()`), rounds kicked by requests that find the tables behind
 * the clock (at most one a second), and the wait of a first request for a usable table.
 */
export class Maintenance {
  readonly #strategy: ExpiryStrategy;
  readonly #intervalMs: number;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #telemetry: Telemetry;
  #timer: NodeJS.Timeout | undefined;
  #ready: Promise<void> | undefined;
  #lastKickMs = Number.NEGATIVE_INFINITY;
  #stopped = false;

  constructor(strategy: ExpiryStrategy, options: { intervalMs: number; logger: Logger; now: () => number; telemetry?: Telemetry }) {
    this.#strategy = strategy;
    this.#intervalMs = options.intervalMs;
    this.#logger = options.logger;
    this.#now = options.now;
    this.#telemetry = options.telemetry ?? noopTelemetry;
  }

  /** One round of the strategy's maintenance, inside its span. */
  #round(): Promise<void> {
    return this.#telemetry.operation('maintenance', undefined, () => this.#strategy.maintain());
  }

  /** Starts the first round and the timer. */
  start(): void {
    this.#ready = this.#firstRound();
    this.#schedule();
  }

  /**
   * Resolves once the tables are ready (the first round succeeded); after a failure, the next call
   * tries again.
   */
  async ready(): Promise<void> {
    this.#ready ??= this.#firstRound();
    await keepingProcessAlive(this.#ready);
  }

  /** Runs one round now. */
  async runNow(): Promise<void> {
    await keepingProcessAlive(this.#round());
  }

  /** Starts a round in the background, at most one a second. */
  kick(): void {
    const now = performance.now();
    if (now - this.#lastKickMs < 1000 || this.#stopped) return;
    this.#lastKickMs = now;
    this.#round().catch(() => undefined); // failures are logged and counted by the strategy
  }

  /** Waits, within the deadline, for a first usable table (only right after a first start). */
  async whenUsable(deadline: Deadline): Promise<void> {
    if (this.#strategy.writeTable(this.#now()) !== undefined) return;
    const ready = this.ready();
    await Promise.race([ready.catch(() => undefined), sleep(deadline.remainingMs())]);
    if (this.#strategy.writeTable(this.#now()) === undefined) {
      await ready; // surfaces the reason (table missing, backend down) when there is one
      throw new SessionManagerError('rotation.tableNotReady', 'No session table is ACTIVE yet; the store is still creating it.', { retryable: true });
    }
  }

  /** Stops the timer and waits for the first round and any round in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#ready?.catch(() => undefined);
    await this.#strategy.settled();
  }

  #firstRound(): Promise<void> {
    const started = this.#round();
    started.catch((error: unknown) => {
      this.#ready = undefined;
      safeLog(this.#logger, 'error', { code: (error as SessionManagerError).code, message: (error as Error).message }, 'Session store could not get its tables ready');
    });
    return started;
  }

  #schedule(): void {
    if (this.#intervalMs <= 0) return;
    const tick = (): void => {
      if (this.#stopped) return;
      this.#round().catch(() => undefined);
      this.#timer = setTimeout(tick, this.#intervalMs);
      this.#timer.unref();
    };
    this.#timer = setTimeout(tick, this.#intervalMs);
    this.#timer.unref();
  }
}

/**
 * Waits for `work` while keeping the process alive. Background timers are unref'd so that they
 * never hold a process open, but a caller awaiting `ready()` at top level (before any server
 * listens) must not see the process exit under it.
 */
async function keepingProcessAlive<T>(work: Promise<T>): Promise<T> {
  const keepAlive = setInterval(() => undefined, 60_000);
  try {
    return await work;
  } finally {
    clearInterval(keepAlive);
  }
}
