import type { HistogramSnapshot, TimerStats } from './snapshot.js';
import type { MetricUnit } from './names.js';

// The mutable cells the registry records into, one per metric (and per tag), and the bounds on
// their memory. Each record is O(1); summaries are computed when a snapshot is taken.

/** How many recent values each timer keeps for its percentiles. */
export const TIMER_WINDOW_SIZE = 1024;
/** How many recent values each per-tag timer keeps for its percentiles. */
export const TAGGED_TIMER_WINDOW_SIZE = 256;
/** How many distinct tags one metric keeps sub-totals for; later ones add to {@link OVERFLOW_TAG}. */
export const MAX_TAGS_PER_METRIC = 32;
/** The sub-total that collects tags beyond {@link MAX_TAGS_PER_METRIC}. */
export const OVERFLOW_TAG = '_overflow';

/**
 * Finds the sub-total of `tag` in `cells`, creating it unless the metric already has
 * {@link MAX_TAGS_PER_METRIC} tags, in which case the overflow cell is used.
 */
export function cellFor<T>(cells: Map<string, T>, tag: string, create: () => T): T {
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

/**
 * The value of rank `fraction` (0..1] among `sorted`, by the nearest-rank method.
 * @internal
 */
export function nearestRank(sorted: ArrayLike<number>, fraction: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length, Math.max(1, Math.ceil(fraction * sorted.length))) - 1;
  return sorted[index] ?? null;
}

/** One timer (or one tag of it): running totals and a ring of the most recent values. @internal */
export class TimerCell {
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

/** A timer with a {@link TimerCell} for all values and one per tag. @internal */
export class TaggedTimerCell {
  readonly all = new TimerCell(TIMER_WINDOW_SIZE);
  readonly byTag = new Map<string, TimerCell>();
}

/** A counter's total and its sub-total per tag. @internal */
export class CounterCell {
  total = 0;
  readonly byTag = new Map<string, { total: number }>();
}

/** A histogram: totals and one count per fixed bucket (values ≤ each bound, then the rest). @internal */
export class HistogramCell {
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

/** A gauge's latest value, when it was set, and the latest value per tag. @internal */
export class GaugeCell {
  value: number | null = null;
  updatedAtMs: number | null = null;
  readonly byTag = new Map<string, { value: number }>();
}
