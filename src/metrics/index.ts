// The metrics module's public face: re-exports only.

// Names, kinds, units and tags of every metric.
export {
  METRIC,
  METRIC_INFO,
  METRIC_KINDS,
  METRIC_UNITS,
  METRIC_TAG,
  HISTOGRAM_BUCKETS,
  SESSION_SIZE_BUCKETS_BYTES,
  formatTag,
} from './names.js';
export type {
  MetricName,
  MetricKind,
  MetricUnit,
  MetricTagKey,
  MetricInfo,
  MetricNameOfKind,
  CounterName,
  TimerName,
  HistogramName,
  GaugeName,
} from './names.js';

// The facade the store calls, and its options.
export { Metrics, METRICS_CLOSE_TIMEOUT_MS } from './metrics.js';
export {
  resolveMetricsOptions,
  defaultStatsdPrefixFor,
  DEFAULT_STATSD_PORT,
  DEFAULT_STATSD_PREFIX_ROOT,
  SINK_ERROR_LOG_INTERVAL_MS,
} from './options.js';
export type { MetricsOptions, ResolvedMetricsOptions, MetricsLogger } from './options.js';

// Where metrics go: the sink contract and the no-op default.
export { noopSink } from './sink.js';
export type { MetricsSink } from './sink.js';

// The in-process registry behind `snapshot()` / `store.metrics()`.
export { MetricsRegistry } from './registry.js';
export type { MetricsRegistryOptions } from './registry.js';
export { TIMER_WINDOW_SIZE, TAGGED_TIMER_WINDOW_SIZE, MAX_TAGS_PER_METRIC, OVERFLOW_TAG } from './cells.js';
export type {
  MetricsSnapshot,
  MetricsMeta,
  CounterSnapshot,
  TimerSnapshot,
  TimerStats,
  HistogramSnapshot,
  HistogramBucket,
  GaugeSnapshot,
} from './snapshot.js';
