import type { StoreSettings } from '../config/resolve-options.js';
import type { Backend } from '../dynamo/backend.js';
import type { Deadline } from '../dynamo/deadline.js';
import type { ExpiryStrategy } from '../expiry/strategy.js';
import type { Metrics } from '../metrics/metrics.js';
import type { BackgroundWrites } from './background.js';
import type { LegacyState } from './legacy/state.js';
import type { PreviousTableReads } from './read-mode.js';
import type { WriteQueue } from './write-queue.js';

/**
 * What every store operation works with: passed as the first argument of each operation module
 * (load, save, merge, destroy, scan), built once by the `SessionStore` facade.
 */
export interface StoreContext {
  readonly options: StoreSettings;
  readonly backend: Backend;
  readonly metrics: Metrics;
  readonly strategy: ExpiryStrategy;
  /** Writes that run after the response (sessions moving forward). */
  readonly background: BackgroundWrites;
  /** The saves of each session in this process, one after another. */
  readonly writeQueue: WriteQueue;
  /**
   * Tables a data call reached in this process: tables are assumed from the clock, and a session
   * is fenced towards a table only once it is known to be there.
   */
  readonly seenTables: Set<string>;
  /** Whether loads read the previous table together with the current one. */
  readonly previousReads: PreviousTableReads;
  /** The store sessions are taken over from (`migrateFrom`), or undefined. */
  readonly legacy: LegacyState | undefined;
  /** Starts a maintenance round in the background when requests find the tables behind the clock. */
  kickMaintenance(): void;
  /** Waits, within the deadline, for a first usable table (only right after a first start). */
  whenUsable(deadline: Deadline): Promise<void>;
}
