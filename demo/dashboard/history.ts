import type { TableInfo } from 'dynamo-session-manager';
import { SERIES, type SeriesKey } from './figures.js';

/** A table the store no longer knows because it was dropped. */
export interface DeletedTable {
  readonly name: string;
  readonly periodStartMs: number | null;
  readonly periodEndMs: number | null;
  /** When the history first saw it missing, epoch ms. */
  readonly deletedAtMs: number;
}

/** The recorded time series, column by column: `t[i]` is the time of `values[key][i]`. */
export interface HistorySeries {
  /** Intended spacing of the samples, in milliseconds. */
  readonly intervalMs: number;
  /** Most samples kept. */
  readonly capacity: number;
  readonly t: readonly number[];
  /** Cumulative counter values; the chart draws their differences. */
  readonly values: Readonly<Record<SeriesKey, readonly number[]>>;
}

/** Options of {@link MetricsHistory}. */
export interface MetricsHistoryOptions {
  /** Intended spacing of the samples, in milliseconds. @default 1000 */
  intervalMs?: number;
  /** Most samples kept; older ones are dropped. @default 300 (5 minutes at 1 s) */
  capacity?: number;
  /** Most deleted tables remembered. @default 6 */
  deletedToKeep?: number;
}

/**
 * A bounded time series of the dashboard's counters, and a memory of the tables the store has
 * dropped (the store forgets a table once it is deleted; the timeline still shows it). Memory is
 * fixed: `capacity` samples of {@link SERIES} and `deletedToKeep` table names.
 */
export class MetricsHistory {
  readonly intervalMs: number;
  readonly capacity: number;
  readonly #deletedToKeep: number;
  readonly #t: number[] = [];
  readonly #values = Object.fromEntries(SERIES.map(({ key }) => [key, [] as number[]])) as Record<SeriesKey, number[]>;
  #lastTables = new Map<string, TableInfo>();
  readonly #deleted: DeletedTable[] = [];

  constructor(options: MetricsHistoryOptions = {}) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.capacity = options.capacity ?? 300;
    this.#deletedToKeep = options.deletedToKeep ?? 6;
  }

  /** Appends one sample, dropping the oldest beyond `capacity`. */
  record(atMs: number, values: Readonly<Record<SeriesKey, number>>): void {
    this.#t.push(atMs);
    for (const { key } of SERIES) this.#values[key].push(values[key]);
    if (this.#t.length > this.capacity) {
      this.#t.shift();
      for (const { key } of SERIES) this.#values[key].shift();
    }
  }

  /** Compares the store's tables with the last call: any table gone since is remembered as deleted. */
  noteTables(tables: readonly TableInfo[], atMs: number): void {
    const now = new Map(tables.map((table) => [table.name, table]));
    for (const [name, table] of this.#lastTables) {
      if (now.has(name)) continue;
      this.#deleted.push({ name, periodStartMs: table.periodStartMs ?? null, periodEndMs: table.periodEndMs ?? null, deletedAtMs: atMs });
      if (this.#deleted.length > this.#deletedToKeep) this.#deleted.shift();
    }
    this.#lastTables = now;
  }

  /** Deleted tables, oldest first. */
  deleted(): readonly DeletedTable[] {
    return [...this.#deleted];
  }

  /** The samples taken after `sinceMs` (all of them when undefined). */
  series(sinceMs?: number): HistorySeries {
    let from = 0;
    if (sinceMs !== undefined) while (from < this.#t.length && (this.#t[from] ?? 0) <= sinceMs) from += 1;
    return {
      intervalMs: this.intervalMs,
      capacity: this.capacity,
      t: this.#t.slice(from),
      values: Object.fromEntries(SERIES.map(({ key }) => [key, this.#values[key].slice(from)])) as Record<SeriesKey, number[]>,
    };
  }
}

/**
 * Calls `sample` now and then every `intervalMs`, on an unref'd timer (it never keeps the
 * process alive). A sample that throws is skipped. Returns the function that stops it.
 */
export function sampleEvery(intervalMs: number, sample: () => void): () => void {
  const run = (): void => {
    try {
      sample();
    } catch {
      // a failed sample leaves a gap in the chart, nothing more
    }
  };
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
