import { randomBytes } from 'node:crypto';
import type { Backend } from '../dynamo/backend.js';
import { isConditionFailed } from '../dynamo/backend-errors.js';
import { buildLeaseGetInput, buildLeaseTakeInput } from '../dynamo/params.js';
import { isSessionManagerError } from '../errors.js';
import type { ExpiryStrategy, TableRef } from '../expiry/strategy.js';

/**
 * What a lease round found: `held` (ours now), `taken` (another process's), `free` (nobody's,
 * and not taken: see `acquire`), `no-table`.
 */
export type LeaseOutcome = 'held' | 'taken' | 'free' | 'no-table';

/**
 * One maintainer at a time among every process sharing the tables: a lease held in a small item
 * (`#maintainer`) of the table in use, taken by a conditional write. Only the holder's timer makes
 * control-plane calls (DescribeTable, CreateTable, ListTables, DeleteTable), so they do not grow
 * with the number of processes; the others derive table names from the clock and learn of a
 * missing table from the data plane.
 *
 * A round costs one eventually consistent GetItem (half a read unit), and, when the lease is free,
 * ours or run out, one conditional UpdateItem. Clocks apart by less than the lease's length at
 * worst let two processes maintain for a round: every maintenance step is idempotent.
 */
export class MaintainerLease {
  readonly #backend: Backend;
  readonly #strategy: ExpiryStrategy;
  readonly #now: () => number;
  readonly #durationMs: number;
  /** Random per process: never a host name or anything that says who runs it. */
  readonly owner = randomBytes(9).toString('base64url');

  constructor(options: { backend: Backend; strategy: ExpiryStrategy; now: () => number; durationMs: number }) {
    this.#backend = options.backend;
    this.#strategy = options.strategy;
    this.#now = options.now;
    this.#durationMs = options.durationMs;
  }

  /**
   * Takes or renews the lease in the table in use. `no-table` when there is no table to hold it
   * (a first start, or the tables lag behind): then maintenance must run, wherever it runs.
   *
   * With `take` false (a store without a maintenance timer: `dsm`, a script, a test) the lease is
   * only read: such a store maintains once when nobody holds it (`free`), and never holds it, so a
   * one-off command cannot leave the fleet without a maintainer until the lease runs out.
   */
  async acquire(take = true): Promise<LeaseOutcome> {
    // When the table in use by the clock is not there yet (the holder is late creating it), the
    // lease is sought in the table before it, where the holder keeps it: not every process at once.
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const outcome = await this.#acquireIn(this.#strategy.writeTable(this.#now()), take);
      if (outcome !== 'retry') return outcome;
    }
    return 'no-table';
  }

  async #acquireIn(table: TableRef | undefined, take: boolean): Promise<LeaseOutcome | 'retry'> {
    if (table === undefined) return 'no-table';
    const nowMs = this.#now();
    const deadline = this.#backend.operationDeadline();
    try {
      const current = (await this.#backend.send('GetItem', buildLeaseGetInput(table.name), deadline)).Item;
      const owner = current?.owner?.S;
      const until = Number(current?.until?.N ?? Number.NaN);
      if (owner !== undefined && owner !== this.owner && Number.isFinite(until) && until >= nowMs) return 'taken';
      if (!take) return 'free';
      await this.#backend.send('UpdateItem', buildLeaseTakeInput(table.name, this.owner, nowMs, nowMs + this.#durationMs), deadline);
      return 'held';
    } catch (error) {
      if (isConditionFailed(error)) return 'taken';
      if (isSessionManagerError(error, 'backend.tableMissing')) {
        this.#strategy.markMissing(table.name);
        return 'retry';
      }
      throw error;
    }
  }
}
