import { systemClock, type Clock } from '../clock.js';
import {
  CounterCell,
  GaugeCell,
  HistogramCell,
  TAGGED_TIMER_WINDOW_SIZE,
  TaggedTimerCell,
  TimerCell,
  cellFor,
} from './cells.js';
import {
  HISTOGRAM_BUCKETS,
  METRIC_INFO,
  type CounterName,
  type GaugeName,
  type HistogramName,
  type MetricKind,
  type MetricName,
  type TimerName,
} from './names.js';
import type { MetricsSnapshot } from './snapshot.js';

// What `snapshot()` returns, re-exported for the modules that read it (store, express adapter).
export type { MetricsSnapshot } from './snapshot.js';

/** Options of {@link MetricsRegistry}. */
export interface MetricsRegistryOptions {
  /** Clock for `startedAtMs`, `takenAtMs` and gauge times, epoch ms. @default Date.now */
  now?: Clock;
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
