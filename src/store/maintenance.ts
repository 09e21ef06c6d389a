import { performance } from 'node:perf_hooks';
import { sleep, type Deadline } from '../dynamo/deadline.js';
import { SessionManagerError } from '../errors.js';
import type { ExpiryStrategy } from '../expiry/strategy.js';
import { safeLog, type Logger } from '../logging/logger.js';
import { noopTelemetry, type Telemetry } from '../metrics/otel/telemetry.js';
import type { MaintainerLease } from './maintainer-lease.js';

/** Settings of {@link Maintenance}. */
export interface MaintenanceOptions {
  readonly intervalMs: number;
  readonly logger: Logger;
  readonly now: () => number;
  /** Serverless: no timer, no round from `ready()` or requests; only an explicit `runNow()`. */
  readonly serverless: boolean;
  /** Elects the one process whose timer maintains the tables. */
  readonly lease: MaintainerLease;
  /** Spans around rounds (OpenTelemetry), when configured. */
  readonly telemetry?: Telemetry;
}

/**
 * The store's side of table maintenance: the first round at start (`ready()`), the background
 * timer (unref'd, cleared by `close()`), rounds kicked by requests that find a table missing (at
 * most one a second), and the wait of a first request for a usable table.
 *
 * Rounds from the timer, `ready()` and requests make control-plane calls only in the process that
 * holds the maintainer lease (or when there is no table to hold it yet); `runNow()` (`maintain()`,
 * `dsm maintain`, the Lambda maintenance handler) always runs a full round. In serverless mode
 * nothing runs by itself.
 */
export class Maintenance {
  readonly #strategy: ExpiryStrategy;
  readonly #o: MaintenanceOptions;
  readonly #telemetry: Telemetry;
  #timer: NodeJS.Timeout | undefined;
  #ready: Promise<void> | undefined;
  #lastKickMs = Number.NEGATIVE_INFINITY;
  #stopped = false;
  /** A first round has succeeded: the tables this process assumes were seen (or are another's to keep). */
  #started = false;

  constructor(strategy: ExpiryStrategy, options: MaintenanceOptions) {
    this.#strategy = strategy;
    this.#o = options;
    this.#telemetry = options.telemetry ?? noopTelemetry;
  }

  /** One round of the strategy's maintenance, inside its span. */
  #round(): Promise<void> {
    return this.#telemetry.operation('maintenance', undefined, () => this.#strategy.maintain());
  }

  /** Starts the first round and the timer (not in serverless mode). */
  start(): void {
    if (this.#o.serverless) return;
    this.#ready = this.#firstRound();
    this.#schedule();
  }

  /**
   * Resolves once the tables are ready (the first round succeeded: this process maintained them,
   * or read the lease in the table in use); after a failure, the next call tries again. In
   * serverless mode it resolves at once, without a call: tables are assumed from the clock.
   */
  async ready(): Promise<void> {
    if (this.#o.serverless) return;
    this.#ready ??= this.#firstRound();
    await keepingProcessAlive(this.#ready);
  }

  /** Runs one full round now, lease or not. */
  async runNow(): Promise<void> {
    await keepingProcessAlive(this.#round());
  }

  /** Starts a round in the background, at most one a second (never in serverless mode). */
  kick(): void {
    const now = performance.now();
    if (now - this.#lastKickMs < 1000 || this.#stopped || this.#o.serverless) return;
    this.#lastKickMs = now;
    this.#leaseRound().catch(() => undefined); // failures are logged and counted by the strategy
  }

  /**
   * Waits, within the deadline, for a first usable table (only right after a first start): until
   * the first round has succeeded once, an operation waits for it, so a new install's first
   * request finds the table the round is creating instead of failing on its absence.
   */
  async whenUsable(deadline: Deadline): Promise<void> {
    if (!this.#o.serverless && !this.#started && this.#ready !== undefined) {
      await Promise.race([this.#ready.catch(() => undefined), sleep(deadline.remainingMs())]);
    }
    if (this.#strategy.writeTable(this.#o.now()) !== undefined) return;
    if (this.#o.serverless) {
      throw new SessionManagerError('rotation.tableNotReady', 'No session table is there; run the maintenance handler or `dsm maintain`.', { retryable: true });
    }
    const ready = this.ready();
    await Promise.race([ready.catch(() => undefined), sleep(deadline.remainingMs())]);
    if (this.#strategy.writeTable(this.#o.now()) === undefined) {
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

  /**
   * A round of the timer: the lease holder (or any process, when there is no table to hold the
   * lease) maintains; the others make no control-plane call.
   */
  async #leaseRound(): Promise<void> {
    // Without a timer this process cannot keep maintaining: it reads the lease, never holds it.
    const outcome = await this.#o.lease.acquire(this.#o.intervalMs > 0);
    if (outcome !== 'taken') await this.#round();
  }

  #firstRound(): Promise<void> {
    const started = this.#leaseRound();
    started.then(
      () => {
        this.#started = true;
      },
      (error: unknown) => {
        this.#ready = undefined;
        safeLog(this.#o.logger, 'error', { code: (error as SessionManagerError).code, message: (error as Error).message }, 'Session store could not get its tables ready');
      },
    );
    return started;
  }

  #schedule(): void {
    if (this.#o.intervalMs <= 0) return;
    const tick = (): void => {
      if (this.#stopped) return;
      this.#leaseRound().catch((error: unknown) => {
        safeLog(this.#o.logger, 'warn', { code: (error as SessionManagerError).code, message: (error as Error).message }, 'Maintenance round failed');
      });
      this.#timer = setTimeout(tick, this.#o.intervalMs);
      this.#timer.unref();
    };
    this.#timer = setTimeout(tick, this.#o.intervalMs);
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
