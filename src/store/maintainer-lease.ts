import { randomBytes } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Backend } from '../dynamo/backend.js';
import type { Deadline } from '../dynamo/deadline.js';
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
 * ours or run out, one conditional UpdateItem. Right after a rotation the new table holds no lease
 * until the holder renews it there; meanwhile the others read the table before (one more GetItem)
 * and leave the turn to the holder, so the lease does not change hands at every boundary. Clocks apart by less than the lease's length at
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
      if (this.#heldByOther(current, nowMs)) return 'taken';
      // A new period's table holds no lease yet: the holder of the one before keeps its turn
      // (else whichever process ticks first after the boundary would take over, and describe
      // the tables afresh: control-plane calls that grow with the fleet).
      if (current === undefined && (await this.#heldInPrevious(table, nowMs, deadline))) return 'taken';
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

  #heldByOther(item: Record<string, AttributeValue> | undefined, nowMs: number): boolean {
    const owner = item?.owner?.S;
    const until = Number(item?.until?.N ?? Number.NaN);
    return owner !== undefined && owner !== this.owner && Number.isFinite(until) && until >= nowMs;
  }

  /** Whether another process holds a lease still running in the table before `table` (none in TTL mode). */
  async #heldInPrevious(table: TableRef, nowMs: number, deadline: Deadline): Promise<boolean> {
    const plan = this.#strategy.readPlan(nowMs);
    const previous = [...plan.first, ...plan.fallback].find((t) => t.period === table.period - 1);
    if (previous === undefined) return false;
    try {
      return this.#heldByOther((await this.#backend.send('GetItem', buildLeaseGetInput(previous.name), deadline)).Item, nowMs);
    } catch (error) {
      if (isSessionManagerError(error, 'backend.tableMissing')) return false; // no table, no lease
      throw error;
    }
  }
}
