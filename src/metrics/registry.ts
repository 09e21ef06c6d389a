import { systemClock, type Clock } from '../clock.js';
import {
  HISTOGRAM_BUCKETS,
  METRIC_INFO,
  type CounterName,
  type GaugeName,
  type HistogramName,
  type MetricKind,
  type MetricName,
  type MetricUnit,
  type TimerName,
} from './names.js';

/** How many recent values each timer keeps for its percentiles. */
export const TIMER_WINDOW_SIZE = 1024;
/** How many recent values each per-tag timer keeps for its percentiles. */
export const TAGGED_TIMER_WINDOW_SIZE = 256;
/** How many distinct tags one metric keeps sub-totals for; later ones add to {@link OVERFLOW_TAG}. */
export const MAX_TAGS_PER_METRIC = 32;
/** The sub-total that collects tags beyond {@link MAX_TAGS_PER_METRIC}. */
export const OVERFLOW_TAG = '_overflow';

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

/** Options of {@link MetricsRegistry}. */
export interface MetricsRegistryOptions {
  /** Clock for `startedAtMs`, `takenAtMs` and gauge times, epoch ms. @default Date.now */
  now?: Clock;
}

/**
 * Finds the sub-total of `tag` in `cells`, creating it unless the metric already has
 * {@link MAX_TAGS_PER_METRIC} tags, in which case the overflow cell is used.
 */
function cellFor<T>(cells: Map<string, T>, tag: string, create: () => T): T {
  let cell = cells.get(tag);
  if (cell !== undefined) return cell;
  const key = cells.size < MAX_TAGS_PER_METRIC ? tag : OVERFLOW_TAG;
  cell = cells.get(key);
  if (cell === undefined) {
    cell = create();
    cells.set(key, cell);
  }
  return cell;
}

function recordOf<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [key, value] of entries) out[key] = value;
  return out;
}

function mapValues<K extends string, A, B>(cells: ReadonlyMap<K, A>, fn: (cell: A) => B): Record<K, B> {
  const out = {} as Record<K, B>;
  for (const [key, cell] of cells) out[key] = fn(cell);
  return out;
}

/**
 * The value of rank `fraction` (0..1] among `sorted`, by the nearest-rank method.
 * @internal
 */
export function nearestRank(sorted: ArrayLike<number>, fraction: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length, Math.max(1, Math.ceil(fraction * sorted.length))) - 1;
  return sorted[index] ?? null;
}

class TimerCell {
  readonly #window: Float64Array;
  #next = 0;
  #filled = 0;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  last = 0;

  constructor(windowSize: number) {
    this.#window = new Float64Array(windowSize);
  }

  record(ms: number): void {
    this.count += 1;
    this.sum += ms;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
    this.last = ms;
    this.#window[this.#next] = ms;
    this.#next = (this.#next + 1) % this.#window.length;
    if (this.#filled < this.#window.length) this.#filled += 1;
  }

  stats(): TimerStats {
    if (this.count === 0) {
      return { count: 0, sumMs: 0, minMs: null, maxMs: null, lastMs: null, meanMs: null, p50Ms: null, p99Ms: null };
    }
    const sorted = this.#window.slice(0, this.#filled).sort();
    return {
      count: this.count,
      sumMs: this.sum,
      minMs: this.min,
      maxMs: this.max,
      lastMs: this.last,
      meanMs: this.sum / this.count,
      p50Ms: nearestRank(sorted, 0.5),
      p99Ms: nearestRank(sorted, 0.99),
    };
  }
}

class TaggedTimerCell {
  readonly all = new TimerCell(TIMER_WINDOW_SIZE);
  readonly byTag = new Map<string, TimerCell>();
}

class CounterCell {
  total = 0;
  readonly byTag = new Map<string, { total: number }>();
}

class HistogramCell {
  readonly counts: number[];
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  last = 0;

  constructor(
    readonly unit: MetricUnit,
    readonly bounds: readonly number[],
  ) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  record(value: number): void {
    this.count += 1;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.last = value;
    let index = 0;
    while (index < this.bounds.length && value > (this.bounds[index] ?? Infinity)) index += 1;
    this.counts[index] = (this.counts[index] ?? 0) + 1;
  }

  snapshot(): HistogramSnapshot {
    const empty = this.count === 0;
    return {
      unit: this.unit,
      count: this.count,
      sum: this.sum,
      min: empty ? null : this.min,
      max: empty ? null : this.max,
      last: empty ? null : this.last,
      buckets: this.counts.map((count, index) => ({ upTo: this.bounds[index] ?? null, count })),
    };
  }
}

class GaugeCell {
  value: number | null = null;
  updatedAtMs: number | null = null;
  readonly byTag = new Map<string, { value: number }>();
}

function namesOfKind<N extends MetricName>(kind: MetricKind): N[] {
  return (Object.keys(METRIC_INFO) as MetricName[]).filter((name) => METRIC_INFO[name].kind === kind) as N[];
}

/**
 * The in-process record of every metric in {@link METRIC_INFO}: counter totals, timer summaries
 * with p50/p99 over the most recent {@link TIMER_WINDOW_SIZE} values, histograms with fixed
 * buckets, and gauges, each with per-tag figures. It is always on: each record costs O(1) time
 * and memory is fixed once every metric has seen its tags (at most {@link MAX_TAGS_PER_METRIC}
 * each). Names not in {@link METRIC_INFO} and non-finite values are refused and counted in
 * `meta.invalidValues`.
 *
 * @example
 * ```ts
 * const registry = new MetricsRegistry();
 * registry.increment(METRIC.capacityRead, 0.5, ['op:GetItem']);
 * registry.snapshot().counters['capacity.read'].total; // 0.5
 * ```
 */
export class MetricsRegistry {
  readonly #now: Clock;
  #startedAtMs: number;
  #counters = new Map<CounterName, CounterCell>();
  #timers = new Map<TimerName, TaggedTimerCell>();
  #histograms = new Map<HistogramName, HistogramCell>();
  #gauges = new Map<GaugeName, GaugeCell>();
  #invalidValues = 0;
  #sinkErrors = 0;

  constructor(options: MetricsRegistryOptions = {}) {
    this.#now = options.now ?? systemClock;
    this.#startedAtMs = this.#now();
    this.#createCells();
  }

  /**
   * Adds `value` to a counter and to the sub-total of each of its tags.
   *
   * @param name - a counter from {@link METRIC}.
   * @param value - any finite number; fractions are kept (capacity units).
   * @param tags - `key:value` tags, such as `op:GetItem`.
   * @returns whether it was recorded (false for an unknown name or a non-finite value).
   */
  increment(name: CounterName, value: number, tags?: readonly string[]): boolean {
    const cell = this.#counters.get(name);
    if (cell === undefined || !Number.isFinite(value)) return this.#refuse();
    cell.total += value;
    if (tags !== undefined) {
      for (const tag of tags) cellFor(cell.byTag, tag, () => ({ total: 0 })).total += value;
    }
    return true;
  }

  /**
   * Records one duration for a timer and for each of its tags.
   *
   * @param name - a timer from {@link METRIC}.
   * @param ms - the duration in milliseconds, finite and not negative.
   * @param tags - `key:value` tags, such as `op:GetItem`.
   * @returns whether it was recorded.
   */
  timing(name: TimerName, ms: number, tags?: readonly string[]): boolean {
    const cell = this.#timers.get(name);
    if (cell === undefined || !Number.isFinite(ms) || ms < 0) return this.#refuse();
    cell.all.record(ms);
    if (tags !== undefined) {
      for (const tag of tags) cellFor(cell.byTag, tag, () => new TimerCell(TAGGED_TIMER_WINDOW_SIZE)).record(ms);
    }
    return true;
  }

  /**
   * Records one value for a histogram, in the bucket whose bound it does not exceed.
   *
   * @param name - a histogram from {@link METRIC}.
   * @param value - finite and not negative, in the histogram's unit (bytes for `session.size`).
   * @returns whether it was recorded.
   */
  histogram(name: HistogramName, value: number): boolean {
    const cell = this.#histograms.get(name);
    if (cell === undefined || !Number.isFinite(value) || value < 0) return this.#refuse();
    cell.record(value);
    return true;
  }

  /**
   * Sets a gauge, and the gauge of each of its tags.
   *
   * @param name - a gauge from {@link METRIC}.
   * @param value - any finite number.
   * @param tags - `key:value` tags.
   * @returns whether it was recorded.
   */
  gauge(name: GaugeName, value: number, tags?: readonly string[]): boolean {
    const cell = this.#gauges.get(name);
    if (cell === undefined || !Number.isFinite(value)) return this.#refuse();
    cell.value = value;
    cell.updatedAtMs = this.#now();
    if (tags !== undefined) {
      for (const tag of tags) cellFor(cell.byTag, tag, () => ({ value: 0 })).value = value;
    }
    return true;
  }

  /** Counts one failure of the sink, shown as `meta.sinkErrors`. */
  noteSinkError(): void {
    this.#sinkErrors += 1;
  }

  /**
   * Copies every figure into a plain object. Sorting the timer windows makes this
   * O(window log window) per timer, so call it for a dashboard, not per request.
   *
   * @returns a new {@link MetricsSnapshot}.
   */
  snapshot(): MetricsSnapshot {
    return {
      startedAtMs: this.#startedAtMs,
      takenAtMs: this.#now(),
      counters: mapValues(this.#counters, (cell) => ({
        total: cell.total,
        byTag: recordOf([...cell.byTag].map(([tag, sub]) => [tag, sub.total] as const)),
      })),
      timers: mapValues(this.#timers, (cell) => ({
        ...cell.all.stats(),
        byTag: recordOf([...cell.byTag].map(([tag, sub]) => [tag, sub.stats()] as const)),
      })),
      histograms: mapValues(this.#histograms, (cell) => cell.snapshot()),
      gauges: mapValues(this.#gauges, (cell) => ({
        value: cell.value,
        updatedAtMs: cell.updatedAtMs,
        byTag: recordOf([...cell.byTag].map(([tag, sub]) => [tag, sub.value] as const)),
      })),
      meta: { invalidValues: this.#invalidValues, sinkErrors: this.#sinkErrors },
    };
  }

  /** Forgets every figure and restarts `startedAtMs` at the clock's current time. */
  reset(): void {
    this.#startedAtMs = this.#now();
    this.#invalidValues = 0;
    this.#sinkErrors = 0;
    this.#createCells();
  }

  #refuse(): false {
    this.#invalidValues += 1;
    return false;
  }

  #createCells(): void {
    this.#counters = new Map(namesOfKind<CounterName>('counter').map((name) => [name, new CounterCell()]));
    this.#timers = new Map(namesOfKind<TimerName>('timer').map((name) => [name, new TaggedTimerCell()]));
    this.#histograms = new Map(
      namesOfKind<HistogramName>('histogram').map((name) => [
        name,
        new HistogramCell(METRIC_INFO[name].unit, HISTOGRAM_BUCKETS[name]),
      ]),
    );
    this.#gauges = new Map(namesOfKind<GaugeName>('gauge').map((name) => [name, new GaugeCell()]));
  }
}
