import { SessionManagerError, isSessionManagerError } from '../../errors.js';
import type { Clock } from '../../clock.js';
import type { CapacityOptions } from '../../config/resolve-options.js';
import { safeLog } from '../../logging/logger.js';
import { METRIC } from '../../metrics/names.js';
import type { ExpiryStrategy, ReadPlan, TableInfo, TableRef, TableRole } from '../strategy.js';
import {
  asUsableState,
  deleteTable,
  describeTable,
  ensureTable,
  isUsableStatus,
  listTablesWithPrefix,
  type TableAdminContext,
  type TableState,
  type UserIndexStatus,
} from '../../dynamo/table-admin.js';
import { msUntilNextPeriod, parseTableName, periodIndexAt, periodStartMs, tableNameFor } from './periods.js';
import { inUsePeriod, tableRoleAt } from './table-roles.js';

/** How long a table of the clock's period found missing is left out before it is assumed again. */
const MISSING_RETRY_MS = 1000;

/** Settings of {@link TableRotation}. */
export interface TableRotationOptions extends TableAdminContext {
  readonly baseName: string;
  readonly periodMs: number;
  readonly clockSkewMs: number;
  /**
   * How long a store operation may take (its deadline): a table chosen at an operation's start
   * must still be right at its end, so the windows that allow for skew also allow for this.
   */
  readonly operationMs: number;
  readonly createAheadMs: number;
  /**
   * How many periods before the current one a table is kept (1: the previous one only): long
   * enough that a session idle for its longest lifetime is still in a kept table.
   */
  readonly keptPeriods: number;
  /**
   * Before (or instead of) maintenance, count a table of a period up to the clock's as there:
   * names come from the clock, and a data call that finds a table missing says so
   * ({@link markMissing}). Every process but the maintainer (and every serverless one) works so,
   * with no control-plane call.
   */
  readonly assumeTables: boolean;
  readonly createTables: boolean;
  readonly capacity: CapacityOptions;
  /** Create each table with the user index (`uid-index`). @default false */
  readonly userIndex?: boolean;
  readonly now: Clock;
}

/**
 * Expiry by table rotation: one table per period named `<base>_<yyyyMMdd_HHmmss>`. Loads read
 * the current table, then the previous one, then (a session back after a long idle time) the
 * older tables kept for the longest lifetime; near a boundary they also read the neighbouring
 * table, so servers whose clocks differ a little still find each other's sessions. The next
 * table is created ahead of its period and used only once ACTIVE; tables older than
 * `keptPeriods` periods are dropped whole, so expiry costs nothing.
 *
 * The table to use is worked out from the clock at call time; maintenance only makes sure the
 * tables exist. Requests never wait for it.
 */
export class TableRotation implements ExpiryStrategy {
  readonly mode = 'rotation' as const;
  readonly #o: TableRotationOptions;
  /** Known table states by period index. */
  readonly #known = new Map<number, TableState>();
  /** Tables a data call found missing, by period, with when to assume them again (for the clock's own period, created late). */
  readonly #missing = new Map<number, number>();
  #lastInUse: number | undefined;
  /** The period whose listing ran once it was settled (see `#survey`). */
  #surveyed: number | undefined;
  #running: Promise<void> | undefined;
  #queued: Promise<void> | undefined;

  constructor(options: TableRotationOptions) {
    this.#o = options;
  }

  /** Table names by period: every load and save names one to three tables, so each is formatted once. */
  readonly #names = new Map<number, string>();

  #name(period: number): string {
    let name = this.#names.get(period);
    if (name === undefined) {
      if (this.#names.size >= this.#o.keptPeriods + 8) this.#names.clear(); // the kept periods and a few around them are in use
      name = tableNameFor(this.#o.baseName, period, this.#o.periodMs);
      this.#names.set(period, name);
    }
    return name;
  }

  /**
   * Clock skew plus the length of one operation: how far apart two servers' views of "now" can be.
   * The operation's share is capped at a quarter of the period (the skew is too), so that with
   * very short periods (demos, tests) the windows stay within half a period.
   */
  get #marginMs(): number {
    return this.#o.clockSkewMs + Math.min(this.#o.operationMs, this.#o.periodMs / 4);
  }

  /** Whether the table of `period` is known (or, assuming tables, taken) to be usable (see `isUsableStatus`). */
  #isActive(period: number): boolean {
    const state = this.#known.get(period);
    if (state !== undefined) return isUsableStatus(state.status);
    return this.#isAssumed(period, this.#o.now());
  }

  /** Assuming tables: a period from the oldest kept one up to the clock's, not found missing lately. */
  #isAssumed(period: number, nowMs: number): boolean {
    if (!this.#o.assumeTables) return false;
    const clockPeriod = periodIndexAt(nowMs, this.#o.periodMs);
    if (period > clockPeriod || period < clockPeriod - this.#o.keptPeriods) return false;
    const retryAt = this.#missing.get(period);
    return retryAt === undefined || nowMs >= retryAt;
  }

  /** The period whose table is in use at `period` (see `inUsePeriod`). */
  #inUse(period: number): number | undefined {
    if (!this.#o.assumeTables) return inUsePeriod(period, this.#known);
    const states = new Map<number, { status: string }>(this.#known);
    for (let p = period - 1; p <= period; p += 1) if (!states.has(p) && this.#isActive(p)) states.set(p, { status: 'ACTIVE' });
    return inUsePeriod(period, states);
  }

  #ref(period: number, role: TableRole): TableRef {
    return { name: this.#name(period), period, role };
  }

  readPlan(nowMs: number): ReadPlan {
    const period = periodIndexAt(nowMs, this.#o.periodMs);
    const current = this.#inUse(period);
    if (current === undefined) return { first: [], fallback: [], kept: [] };
    this.#noteInUse(current);
    const first: TableRef[] = [this.#ref(current, 'current')];
    const fallback: TableRef[] = [];
    // Servers whose clocks run ahead may already write to the next table (or, while this server
    // has not seen its own period's table yet, to that one): read it too, whether or not this
    // server knows it is ACTIVE; a missing table is a miss.
    if (current < period) first.push(this.#ref(period, 'next'));
    else if (msUntilNextPeriod(nowMs, this.#o.periodMs) <= this.#marginMs) first.push(this.#ref(period + 1, 'next'));
    const nearStart = current === period && nowMs - periodStartMs(period, this.#o.periodMs) < this.#o.clockSkewMs;
    if (this.#isActive(current - 1)) (nearStart ? first : fallback).push(this.#ref(current - 1, 'previous'));
    const kept: TableRef[] = [];
    for (let p = current - 2; p >= current - this.#o.keptPeriods; p -= 1) {
      if (this.#isActive(p)) kept.push(this.#ref(p, 'kept'));
    }
    return { first, fallback, kept };
  }

  writeTable(nowMs: number): TableRef | undefined {
    const current = this.#inUse(periodIndexAt(nowMs, this.#o.periodMs));
    return current === undefined ? undefined : this.#ref(current, 'current');
  }

  destroyTables(nowMs: number): readonly TableRef[] {
    const period = periodIndexAt(nowMs, this.#o.periodMs);
    const current = this.#inUse(period);
    if (current === undefined) return [];
    // Every table a server whose clock is within the skew of ours may read or write: its current
    // table, its previous one, and the next one near a boundary.
    const from = periodIndexAt(nowMs - this.#marginMs, this.#o.periodMs) - 1;
    const to = Math.max(periodIndexAt(nowMs + this.#marginMs, this.#o.periodMs), period);
    const tables: TableRef[] = [this.#ref(current, 'current')];
    for (let p = Math.min(from, current - 1); p <= to; p += 1) {
      if (p !== current) tables.push(this.#ref(p, p < current ? 'previous' : 'next'));
    }
    return tables;
  }

  refFor(name: string, nowMs: number): TableRef | undefined {
    const startMs = parseTableName(this.#o.baseName, name);
    if (startMs === undefined) return undefined;
    const period = periodIndexAt(startMs, this.#o.periodMs);
    const current = this.#inUse(periodIndexAt(nowMs, this.#o.periodMs)) ?? period;
    return this.#ref(period, period === current ? 'current' : period === current - 1 ? 'previous' : period < current ? 'kept' : 'next');
  }

  candidateTables(nowMs: number): readonly string[] {
    const period = periodIndexAt(nowMs, this.#o.periodMs);
    const names: string[] = [];
    for (let p = period + 1; p >= period - this.#o.keptPeriods; p -= 1) names.push(this.#name(p));
    return names;
  }

  describedUserIndex(name: string): UserIndexStatus | undefined {
    const startMs = parseTableName(this.#o.baseName, name);
    return startMs === undefined ? undefined : this.#known.get(periodIndexAt(startMs, this.#o.periodMs))?.userIndex;
  }

  markMissing(name: string): void {
    const startMs = parseTableName(this.#o.baseName, name);
    if (startMs === undefined) return;
    const period = periodIndexAt(startMs, this.#o.periodMs);
    const nowMs = this.#o.now();
    const wasUsable = this.#isActive(period);
    // The clock's own period (or the one before it) may be created late: look again a second
    // later. An older table found missing was dropped for good.
    const clockPeriod = periodIndexAt(nowMs, this.#o.periodMs);
    this.#missing.set(period, period >= clockPeriod - 1 ? nowMs + MISSING_RETRY_MS : Number.POSITIVE_INFINITY);
    if (this.#known.has(period)) this.#known.set(period, { status: 'MISSING', capacity: undefined });
    if (wasUsable && period >= clockPeriod - 1) safeLog(this.#o.logger, 'warn', { table: name }, 'Session table missing (not created yet, or deleted by another server?)');
  }

  needsMaintenance(nowMs: number): boolean {
    if (this.#o.assumeTables) return false; // the maintainer's timer and the data plane keep up
    const period = periodIndexAt(nowMs, this.#o.periodMs);
    if (!this.#isActive(period)) return true;
    return msUntilNextPeriod(nowMs, this.#o.periodMs) <= this.#o.createAheadMs && !this.#isActive(period + 1);
  }

  async settled(): Promise<void> {
    await (this.#queued ?? this.#running)?.catch(() => undefined);
  }

  msUntilRotation(nowMs: number): number {
    return msUntilNextPeriod(nowMs, this.#o.periodMs);
  }

  tables(nowMs: number): readonly TableInfo[] {
    const period = periodIndexAt(nowMs, this.#o.periodMs);
    const at = { clockPeriod: period, inUsePeriod: this.#inUse(period) ?? period, keptPeriods: this.#o.keptPeriods };
    return [...this.#known.entries()]
      .filter(([, state]) => state.status !== 'MISSING')
      .sort(([a], [b]) => a - b)
      .map(([p, state]) => ({
        name: this.#name(p),
        role: tableRoleAt(p, at),
        status: state.status,
        periodStartMs: periodStartMs(p, this.#o.periodMs),
        periodEndMs: periodStartMs(p + 1, this.#o.periodMs),
      }));
  }

  #noteInUse(current: number): void {
    if (this.#lastInUse === current) return;
    const from = this.#lastInUse;
    this.#lastInUse = current;
    if (from === undefined) return;
    // A server that served nothing for a period or more sees several rotations at once: each counts.
    if (current > from) this.#o.metrics.increment(METRIC.tableRotation, current - from);
    safeLog(this.#o.logger, 'info', { from: this.#name(from), to: this.#name(current) }, 'Rotated current session table');
  }

  /**
   * One round of maintenance: make the current period's table ACTIVE (creating it if allowed),
   * learn whether the previous one exists, create the next one when its period is near, learn
   * which older tables are kept, and delete tables older than `keptPeriods` periods. Rounds never overlap; a call made while a round
   * runs gets the round after it. Every step runs even when an earlier one fails.
   */
  maintain(): Promise<void> {
    if (this.#queued !== undefined) return this.#queued;
    const before = this.#running ?? Promise.resolve();
    const round: Promise<void> = before
      .catch(() => undefined)
      .then(async () => {
        this.#queued = undefined;
        this.#running = round;
        await this.#round();
      })
      .finally(() => {
        if (this.#running === round) this.#running = undefined;
      });
    this.#queued = round;
    return round;
  }

  async #round(): Promise<void> {
    const nowMs = this.#o.now();
    const period = periodIndexAt(nowMs, this.#o.periodMs);
    const failures: unknown[] = [];
    const step = async (what: string, work: () => Promise<unknown>): Promise<void> => {
      try {
        await work();
      } catch (error) {
        failures.push(error);
        this.#o.metrics.increment(METRIC.maintenanceError);
        safeLog(this.#o.logger, 'error', { step: what, code: (error as SessionManagerError).code, message: (error as Error).message }, 'Table maintenance step failed');
      }
    };
    await step('current', () => this.#ensure(period));
    if (failures.some((e) => isSessionManagerError(e, 'backend.unavailable') || isSessionManagerError(e, 'backend.timeout'))) {
      // The backend is down: the other steps would each spend a whole deadline for nothing.
      throw failures[0] as Error;
    }
    await step('previous', () => this.#discover(period - 1));
    if (msUntilNextPeriod(nowMs, this.#o.periodMs) <= this.#o.createAheadMs) {
      await step('next', () => this.#ensure(period + 1));
    }
    // The listing (ListTables, and the deletes it leads to) runs once a period, once the period is
    // settled (and in every round before that): control-plane calls stay a handful per period.
    if (this.#surveyed !== period) await step('kept', () => this.#survey(nowMs, period));
    const current = this.#inUse(period);
    if (current !== undefined) this.#noteInUse(current);
    if (failures.length > 0) {
      const first = failures[0] as Error;
      throw new SessionManagerError((first as SessionManagerError).code ?? 'backend.failed', `Table maintenance failed: ${first.message}`, {
        cause: first,
        details: { failures: failures.length },
        retryable: true,
      });
    }
  }

  async #ensure(period: number): Promise<void> {
    if (isUsableStatus(this.#known.get(period)?.status ?? 'MISSING')) return;
    const { state } = await ensureTable(this.#o, this.#name(period), {
      create: this.#o.createTables,
      capacity: () => this.#capacityForNewTable(period),
      userIndex: this.#o.userIndex === true,
    });
    this.#known.set(period, state);
    if (isUsableStatus(state.status)) this.#missing.delete(period);
  }

  async #discover(period: number): Promise<void> {
    if (this.#known.has(period) && this.#known.get(period)?.status !== 'CREATING') return;
    const state = await describeTable(this.#o, this.#name(period));
    this.#known.set(period, asUsableState(state));
    if (isUsableStatus(state.status)) this.#missing.delete(period);
  }

  /** A new table copies the capacity of the table before it when that was provisioned (an operator or autoscaler may have tuned it). */
  #capacityForNewTable(period: number): CapacityOptions {
    const configured = this.#o.capacity;
    if (configured.billingMode !== 'PROVISIONED') return configured;
    for (let p = period - 1; p >= period - 2; p -= 1) {
      const known = this.#known.get(p)?.capacity;
      if (known?.billingMode === 'PROVISIONED') return known;
    }
    return configured;
  }

  /**
   * Lists the store's tables: the kept ones (older than the previous period, within
   * `keptPeriods`) become known, so that loads read them after a miss; older ones are deleted
   * (with `createTables`), once the period is more than the margin old (a lagging server may
   * still use the table before). Listed tables are taken as usable without a DescribeTable: a
   * table deleted meanwhile reads as a miss.
   */
  async #survey(nowMs: number, period: number): Promise<void> {
    const names = await listTablesWithPrefix(this.#o, `${this.#o.baseName}_`);
    const settled = nowMs - periodStartMs(period, this.#o.periodMs) >= this.#marginMs;
    const oldestKept = period - this.#o.keptPeriods;
    let own = 0;
    const listed = new Set<number>();
    for (const name of names) {
      const startMs = parseTableName(this.#o.baseName, name);
      if (startMs === undefined) continue;
      own += 1;
      const tablePeriod = periodIndexAt(startMs, this.#o.periodMs);
      listed.add(tablePeriod);
      if (tablePeriod >= period - 1) {
        if (!this.#known.has(tablePeriod)) this.#known.set(tablePeriod, await describeTable(this.#o, name));
        continue;
      }
      // Until the margin has passed, a lagging server may still count the period before as kept.
      if (tablePeriod >= oldestKept - (settled ? 0 : 1) || !this.#o.createTables) {
        if (!this.#known.has(tablePeriod)) this.#known.set(tablePeriod, { status: 'ACTIVE', capacity: undefined });
        continue;
      }
      if (await deleteTable(this.#o, name)) own -= 1;
      this.#known.delete(tablePeriod);
    }
    for (const known of [...this.#known.keys()]) {
      if (known < oldestKept - 1) this.#known.delete(known);
    }
    // A past period without a table never gets one: it is not assumed (nor read after a miss) again.
    for (let p = oldestKept - 1; p < period - 1; p += 1) {
      if (listed.has(p)) continue;
      this.#missing.set(p, Number.POSITIVE_INFINITY);
      this.#known.delete(p);
    }
    for (const missing of [...this.#missing.keys()]) {
      if (missing < oldestKept - 1) this.#missing.delete(missing);
    }
    if (settled) this.#surveyed = period;
    this.#o.metrics.gauge(METRIC.tablesCount, own);
  }
}
