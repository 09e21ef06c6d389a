/** Messages between the benchmark (parent) and the app server it forks for each cell (child). */
import type { CallCounts } from './measure.js';
import type { StoreKind } from './stores.js';

/** What the child builds, passed in the environment variable {@link CELL_CONFIG_ENV} as JSON. */
export interface CellConfig {
  readonly kind: StoreKind;
  /** The DynamoDB-compatible endpoint; absent for stores that do not use DynamoDB. */
  readonly endpoint?: string;
  readonly tableName: string;
  /** Milliseconds added before every DynamoDB call (a modelled network round trip). @default 0 */
  readonly addedLatencyMs?: number;
  readonly clockShiftMs?: number;
  readonly rotationSeconds?: number;
  readonly clockSkewSeconds?: number;
}

/** The environment variable carrying the {@link CellConfig}. */
export const CELL_CONFIG_ENV = 'BENCH_CELL_CONFIG';

/** A counter's change over the measured window, from the store's own metrics. */
export interface CounterDelta {
  readonly total: number;
  readonly byTag: Record<string, number>;
}

/** What the child reports after a measured window. */
export interface CellCollected {
  readonly counts: CallCounts;
  /** CPU time of the app process over the window, microseconds. */
  readonly cpuUserMicros: number;
  readonly cpuSystemMicros: number;
  /** Resident memory of the app process at the end, bytes. */
  readonly rssBytes: number;
  /** Requests the app received in the window (all of them finished before collecting). */
  readonly appRequests: number;
  /** Errors in the app: answered with a 500, or after the answer (a failed touch or save), and the first message. */
  readonly appErrors: { readonly answered: number; readonly afterResponse: number; readonly first: string | undefined };
  /** Our store only: its own counters over the window (calls, capacity, saves), to cross-check. */
  readonly storeCounters?: Record<string, CounterDelta>;
}

/** Parent to child. */
export type ParentMessage = { type: 'reset' } | { type: 'collect' } | { type: 'stop' };

/** Child to parent. */
export type ChildMessage =
  | { type: 'ready'; port: number }
  | { type: 'failed'; message: string }
  | { type: 'reset-done' }
  | { type: 'collected'; data: CellCollected }
  | { type: 'stopped' };
