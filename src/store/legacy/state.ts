import type { ResolvedConnectDynamodbSource } from '../../config/migrate-from.js';
import { PreviousTableReads } from '../read-mode.js';

/**
 * What a store taking sessions over from connect-dynamodb (`migrateFrom`) keeps: where the legacy
 * items are, and whether loads read the legacy table together with this store's tables.
 *
 * The read mode is the rule of {@link PreviousTableReads}, applied to the legacy table: while
 * fewer than half of the recent loads find their session in this store's tables (right after the
 * switch, nearly none do), the legacy item is read at once, in parallel with the first read: one
 * round trip for a session still in the old store, one more read unit for a session already here.
 * Once most sessions have moved, the legacy table is read only after a miss. The average starts
 * at 0 (parallel) when the store starts.
 */
export class LegacyState {
  readonly source: ResolvedConnectDynamodbSource;
  readonly #reads = new PreviousTableReads();
  #warnedMissing = false;

  constructor(source: ResolvedConnectDynamodbSource) {
    this.source = source;
  }

  /** True when a load should read the legacy table together with this store's tables. */
  readTogether(): boolean {
    return this.#reads.together(0);
  }

  /** Records whether a load found its session (or a tombstone) in this store's tables. */
  record(foundHere: boolean): void {
    this.#reads.record(0, foundHere);
  }

  /** The share of recent loads answered by this store's tables, 0 to 1. */
  get hereShare(): number {
    return this.#reads.currentShare;
  }

  /** True the first time only: the missing legacy table is logged once per store. */
  firstMissing(): boolean {
    const first = !this.#warnedMissing;
    this.#warnedMissing = true;
    return first;
  }
}
