/**
 * Where metrics go besides the in-process registry. It declares only the methods the package
 * calls, in hot-shots' parameter order (stat, value, sampleRate, tags), so a hot-shots `StatsD`
 * client fits as it is.
 *
 * Tags are `key:value` strings, sent DogStatsD style. A sink only reads them; the array is typed
 * mutable because that is what hot-shots declares.
 *
 * Every method must return at once: the store calls them on its hot path and never awaits them.
 * A method that throws is caught and logged; it never reaches the store's caller.
 *
 * @example
 * ```ts
 * import { StatsD } from 'hot-shots';
 * const sink: MetricsSink = new StatsD({ host: 'statsd.internal', prefix: 'sessions.' });
 * ```
 */
export interface MetricsSink {
  /** Adds `value` (default 1, may be fractional) to the counter `stat`. */
  increment(stat: string, value?: number, sampleRate?: number, tags?: string[]): void;
  /** Records one duration of `value` milliseconds for the timer `stat`. */
  timing(stat: string, value: number, sampleRate?: number, tags?: string[]): void;
  /** Sets the gauge `stat` to `value`. */
  gauge(stat: string, value: number, sampleRate?: number, tags?: string[]): void;
  /** Records one value for the histogram `stat`. Without it, histograms are sent with `timing`. */
  histogram?(stat: string, value: number, sampleRate?: number, tags?: string[]): void;
  /** Flushes and releases the sink. Called only on sinks the package created itself. */
  close?(callback?: (error?: Error) => void): void;
}

function ignore(): void {}

/** A sink that drops everything: the default when statsd is not configured. */
export const noopSink: MetricsSink = Object.freeze({
  increment: ignore,
  timing: ignore,
  gauge: ignore,
  histogram: ignore,
});
