import type { CounterName, GaugeName, HistogramName, MetricUnit, TimerName } from './names.js';

// The plain, JSON-serialisable figures `MetricsRegistry.snapshot()` returns (and `store.metrics()`).

/** Summary of one timer (or one tag of a timer). All durations are milliseconds. */
export interface TimerStats {
  /** Values recorded since start or reset. */
  readonly count: number;
  /** Sum of those values. */
  readonly sumMs: number;
  /** Smallest value since start or reset; `null` before the first. */
  readonly minMs: number | null;
  /** Largest value since start or reset; `null` before the first. */
  readonly maxMs: number | null;
  /** The latest value; `null` before the first. */
  readonly lastMs: number | null;
  /** `sumMs / count`; `null` before the first value. */
  readonly meanMs: number | null;
  /** Median of the most recent values (up to {@link TIMER_WINDOW_SIZE}), nearest rank. */
  readonly p50Ms: number | null;
  /** 99th percentile of the most recent values, nearest rank. */
  readonly p99Ms: number | null;
}

/** Summary of one timer, with a summary per tag (such as `op:GetItem`). */
export interface TimerSnapshot extends TimerStats {
  readonly byTag: Readonly<Record<string, TimerStats>>;
}

/** Total of one counter, with a sub-total per tag (such as `op:GetItem`). */
export interface CounterSnapshot {
  /** Sum of all increments since start or reset; may be fractional (capacity units). */
  readonly total: number;
  /** Sum of the increments that carried each tag. An untagged increment counts only in `total`. */
  readonly byTag: Readonly<Record<string, number>>;
}

/** One bucket of a histogram: values above the previous bucket's bound and up to `upTo`. */
export interface HistogramBucket {
  /** Upper bound, inclusive, in the histogram's unit; `null` for the last, unbounded bucket. */
  readonly upTo: number | null;
  /** How many values fell into this bucket (not cumulative). */
  readonly count: number;
}

/** Summary of one histogram, with fixed buckets for a dashboard. */
export interface HistogramSnapshot {
  /** Unit of `sum`, `min`, `max`, `last` and the bucket bounds. */
  readonly unit: MetricUnit;
  readonly count: number;
  readonly sum: number;
  readonly min: number | null;
  readonly max: number | null;
  readonly last: number | null;
  readonly buckets: readonly HistogramBucket[];
}

/** Latest value of one gauge, with the latest value per tag. */
export interface GaugeSnapshot {
  /** The latest value set; `null` if never set. */
  readonly value: number | null;
  /** When it was set, epoch milliseconds; `null` if never set. */
  readonly updatedAtMs: number | null;
  readonly byTag: Readonly<Record<string, number>>;
}

/** Figures about the metrics machinery itself. */
export interface MetricsMeta {
  /** Records refused: unknown name, or a value that is not finite (negative for timers and histograms). */
  readonly invalidValues: number;
  /** Sink calls that threw, plus errors the statsd client reported. */
  readonly sinkErrors: number;
}

/**
 * Every figure the registry holds, at one instant. A plain, JSON-serialisable copy: changing it
 * changes nothing in the registry, and later records do not change it. Every metric of
 * {@link METRIC_INFO} is present, with zeros or `null`s when nothing was recorded.
 */
export interface MetricsSnapshot {
  /** When recording started (construction or the last `reset()`), epoch milliseconds. */
  readonly startedAtMs: number;
  /** When this snapshot was taken, epoch milliseconds. */
  readonly takenAtMs: number;
  readonly counters: Readonly<Record<CounterName, CounterSnapshot>>;
  readonly timers: Readonly<Record<TimerName, TimerSnapshot>>;
  readonly histograms: Readonly<Record<HistogramName, HistogramSnapshot>>;
  readonly gauges: Readonly<Record<GaugeName, GaugeSnapshot>>;
  readonly meta: MetricsMeta;
}
