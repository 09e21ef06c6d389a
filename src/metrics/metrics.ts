import type { Clock } from '../clock.js';
import type { CounterName, GaugeName, HistogramName, TimerName } from './names.js';
import { resolveMetricsOptions, SINK_ERROR_LOG_INTERVAL_MS, type MetricsLogger, type MetricsOptions } from './options.js';
import { MetricsRegistry } from './registry.js';
import { noopSink, type MetricsSink } from './sink.js';
import type { MetricsSnapshot } from './snapshot.js';
import { createStatsdSink } from './statsd-sink.js';

/**
 * Sinks declare tags as `string[]` (hot-shots' type) but only read them; hot-shots copies them
 * before adding its own. Handing over the caller's read-only array saves a copy per call.
 */
function asSinkTags(tags: readonly string[] | undefined): string[] | undefined {
  return tags as string[] | undefined;
}

/** How long `close()` waits for the statsd client to flush, in milliseconds. */
export const METRICS_CLOSE_TIMEOUT_MS = 2000;

/**
 * The metrics facade the store calls. Each call records into an in-process
 * {@link MetricsRegistry} (always on; read it with {@link Metrics.snapshot}) and forwards to the
 * sink: statsd when `statsdHost` is set, your own `sink`, or nothing; and to the `mirror` when
 * there is one (the store's OpenTelemetry bridge).
 *
 * A metrics failure never reaches the caller: every method returns synchronously, never throws
 * and never waits for I/O. Sink failures are counted in `snapshot().meta.sinkErrors` and logged
 * at `warn`, at most once per 10 s.
 *
 * @example
 * ```ts
 * const metrics = new Metrics({ statsdHost: '127.0.0.1', statsdPrefix: 'sessions' });
 * metrics.increment(METRIC.sessionSavePut);
 * metrics.timing(METRIC.dynamodbLatency, 7, [formatTag(METRIC_TAG.op, 'PutItem')]);
 * metrics.histogram(METRIC.sessionSize, 1234);
 * console.log(metrics.snapshot().counters['session.save.put'].total); // 1
 * await metrics.close();
 * ```
 */
export class Metrics {
  readonly #registry: MetricsRegistry;
  readonly #now: Clock;
  readonly #logger: MetricsLogger | undefined;
  readonly #ownsSink: boolean;
  readonly #statsdAddress: string | undefined;
  #sink: MetricsSink = noopSink;
  readonly #mirror: MetricsSink | undefined;
  #lastWarnAtMs: number | undefined;
  #suppressedWarnings = 0;
  #closing: Promise<void> | undefined;

  /**
   * @param options - sink or statsd address, clock, logger.
   * @throws {SessionManagerError} `config.unknownOption`, `config.invalidOption` or
   *   `config.conflictingOptions` for bad options (see {@link resolveMetricsOptions}).
   */
  constructor(options: MetricsOptions = {}) {
    const resolved = resolveMetricsOptions(options);
    this.#now = resolved.now;
    this.#logger = resolved.logger;
    this.#registry = new MetricsRegistry({ now: resolved.now });
    this.#mirror = resolved.mirror;
    this.#ownsSink = resolved.statsd !== undefined;
    this.#statsdAddress = resolved.statsd && `${resolved.statsd.host}:${resolved.statsd.port}`;
    if (resolved.sink !== undefined) {
      this.#sink = resolved.sink;
    } else if (resolved.statsd !== undefined) {
      try {
        this.#sink = createStatsdSink({
          ...resolved.statsd,
          now: resolved.now,
          onError: (error) => this.#reportFailure(error),
        });
      } catch (error) {
        // Opening a UDP socket failing is no reason to refuse sessions: record in process only.
        this.#reportFailure(error);
      }
    }
  }

  /**
   * Adds `value` to a counter.
   *
   * @param name - a counter from {@link METRIC}.
   * @param value - how much to add; fractions are kept (capacity units). @default 1
   * @param tags - `key:value` tags, such as `op:GetItem` (see {@link formatTag}).
   */
  increment(name: CounterName, value = 1, tags?: readonly string[]): void {
    try {
      if (!this.#registry.increment(name, value, tags)) return;
      this.#mirror?.increment(name, value, undefined, asSinkTags(tags));
      this.#sink.increment(name, value, undefined, asSinkTags(tags));
    } catch (error) {
      this.#reportFailure(error);
    }
  }

  /**
   * Records one duration.
   *
   * @param name - a timer from {@link METRIC}.
   * @param ms - the duration in milliseconds.
   * @param tags - `key:value` tags, such as `op:GetItem`.
   */
  timing(name: TimerName, ms: number, tags?: readonly string[]): void {
    try {
      if (!this.#registry.timing(name, ms, tags)) return;
      this.#mirror?.timing(name, ms, undefined, asSinkTags(tags));
      this.#sink.timing(name, ms, undefined, asSinkTags(tags));
    } catch (error) {
      this.#reportFailure(error);
    }
  }

  /**
   * Records one value of a histogram, such as a session's size in bytes. Sent with the sink's
   * `histogram` when it has one, else with `timing`. The registry keeps no per-tag figures for
   * histograms; tags go to the sink only.
   *
   * @param name - a histogram from {@link METRIC}.
   * @param value - the value, in the histogram's unit (bytes for `session.size`).
   * @param tags - `key:value` tags.
   */
  histogram(name: HistogramName, value: number, tags?: readonly string[]): void {
    try {
      if (!this.#registry.histogram(name, value)) return;
      this.#mirror?.histogram?.(name, value, undefined, asSinkTags(tags));
      const sink = this.#sink;
      if (sink.histogram === undefined) sink.timing(name, value, undefined, asSinkTags(tags));
      else sink.histogram(name, value, undefined, asSinkTags(tags));
    } catch (error) {
      this.#reportFailure(error);
    }
  }

  /**
   * Sets a gauge.
   *
   * @param name - a gauge from {@link METRIC}.
   * @param value - the new value.
   * @param tags - `key:value` tags.
   */
  gauge(name: GaugeName, value: number, tags?: readonly string[]): void {
    try {
      if (!this.#registry.gauge(name, value, tags)) return;
      this.#mirror?.gauge(name, value, undefined, asSinkTags(tags));
      this.#sink.gauge(name, value, undefined, asSinkTags(tags));
    } catch (error) {
      this.#reportFailure(error);
    }
  }

  /**
   * Starts timing something with the injected clock.
   *
   * @param name - a timer from {@link METRIC}.
   * @param tags - `key:value` tags.
   * @returns a function that records the time elapsed since this call and returns it, in ms.
   * @example
   * ```ts
   * const stop = metrics.startTimer(METRIC.sessionLoad);
   * const session = await load(id);
   * stop();
   * ```
   */
  startTimer(name: TimerName, tags?: readonly string[]): () => number {
    const startMs = this.#now();
    return () => {
      const ms = Math.max(0, this.#now() - startMs);
      this.timing(name, ms, tags);
      return ms;
    };
  }

  /**
   * Every figure recorded in this process since construction or {@link Metrics.reset}: the same
   * figures statsd receives. `store.metrics()` returns this.
   *
   * @returns a new plain object, safe to serialise and to keep.
   */
  snapshot(): MetricsSnapshot {
    return this.#registry.snapshot();
  }

  /** Forgets the in-process figures (not what was already sent to statsd). */
  reset(): void {
    this.#registry.reset();
  }

  /**
   * Stops forwarding to the sink and, if the package built it (`statsdHost`), flushes and closes
   * it, waiting at most {@link METRICS_CLOSE_TIMEOUT_MS}. A sink you passed in is left open: you
   * close it. Recording into the registry goes on. Idempotent; never rejects.
   *
   * @returns a promise that resolves once the sink is closed.
   */
  close(): Promise<void> {
    this.#closing ??= this.#closeSink();
    return this.#closing;
  }

  async #closeSink(): Promise<void> {
    const sink = this.#sink;
    this.#sink = noopSink;
    if (!this.#ownsSink || sink.close === undefined) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, METRICS_CLOSE_TIMEOUT_MS);
      timer.unref();
      const done = (error?: unknown): void => {
        clearTimeout(timer);
        if (error !== undefined && error !== null) this.#reportFailure(error);
        resolve();
      };
      try {
        sink.close?.(done);
      } catch (error) {
        done(error);
      }
    });
  }

  /** Counts a failure and logs it at warn, at most once per {@link SINK_ERROR_LOG_INTERVAL_MS}. */
  #reportFailure(error: unknown): void {
    try {
      this.#registry.noteSinkError();
      const logger = this.#logger;
      if (logger === undefined) return;
      const nowMs = this.#now();
      if (this.#lastWarnAtMs !== undefined && nowMs - this.#lastWarnAtMs < SINK_ERROR_LOG_INTERVAL_MS) {
        this.#suppressedWarnings += 1;
        return;
      }
      const suppressed = this.#suppressedWarnings;
      this.#lastWarnAtMs = nowMs;
      this.#suppressedWarnings = 0;
      logger.warn(
        { err: error, suppressed, ...(this.#statsdAddress === undefined ? {} : { statsd: this.#statsdAddress }) },
        'Sending metrics failed; sessions are not affected. Further failures are logged at most once per 10 s.',
      );
    } catch {
      // A failing logger or clock must not reach the store's caller either.
    }
  }
}
