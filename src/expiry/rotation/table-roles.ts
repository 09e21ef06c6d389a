/**
 * Which rotated table plays which role: the one table in use at a time, and the place of every
 * other table relative to it. Pure functions over period indexes (see `periods.ts`) and table
 * statuses; the rotation and `dsm status` both call them, so the two never disagree.
 */
import { isUsableStatus } from '../../dynamo/table-admin.js';
import type { TableInfo } from '../strategy.js';

/** A table's place in time: `current`, `previous`, `kept` or `next`, or, further off, `expired` or `future`. */
export type RotationRole = TableInfo['role'];

/**
 * The period whose table is in use when the clock is in period `clockPeriod`: the latest period
 * not after it whose table is usable ({@link isUsableStatus}: `ACTIVE` or `UPDATING`). Until the
 * clock period's table is usable, the one before it stays in use, so a late or failed creation
 * never leaves the store without a table while an older one still works.
 *
 * @param clockPeriod - the period index of "now".
 * @param tables - known tables as `[period, { status }]` pairs (a `Map<number, TableState>` fits);
 *   tables that are missing may be left out or given as `MISSING`.
 * @returns the period index in use, or undefined when no table up to `clockPeriod` is usable.
 * @example
 * inUsePeriod(10, new Map([[9, { status: 'ACTIVE' }], [10, { status: 'CREATING' }]])); // 9
 * @internal
 */
export function inUsePeriod(
  clockPeriod: number,
  tables: Iterable<readonly [period: number, state: { readonly status: string }]>,
): number | undefined {
  let best: number | undefined;
  for (const [period, state] of tables) {
    if (period <= clockPeriod && (best === undefined || period > best) && isUsableStatus(state.status)) best = period;
  }
  return best;
}

/**
 * The role of the table of period `period`:
 *
 * - `current`: the table in use (`inUsePeriod`);
 * - `previous`: the one just before it;
 * - `kept`: an older one within `keptPeriods` of the one in use (kept for the longest lifetime);
 * - `next`: the one after the clock's period (created ahead of its period);
 * - `expired`: any older one (deleted by maintenance);
 * - `future`: any other newer one (the clock's own period while an older table is still in use,
 *   or periods further ahead).
 *
 * @param period - the table's period index.
 * @param at - `clockPeriod`, the period index of "now"; `inUsePeriod`, the period of the table in
 *   use, or `clockPeriod` when none is (or when, like `dsm status` planning its tables, the roles
 *   are wanted by the clock alone); `keptPeriods`, how many periods tables are kept (default 1).
 * @returns the table's role.
 * @example
 * tableRoleAt(9, { clockPeriod: 10, inUsePeriod: 10 }); // 'previous'
 * @internal
 */
export function tableRoleAt(
  period: number,
  at: { readonly clockPeriod: number; readonly inUsePeriod: number; readonly keptPeriods?: number },
): RotationRole {
  if (period === at.inUsePeriod) return 'current';
  if (period === at.inUsePeriod - 1) return 'previous';
  if (period === at.clockPeriod + 1) return 'next';
  if (period < at.inUsePeriod) return period >= at.inUsePeriod - (at.keptPeriods ?? 1) ? 'kept' : 'expired';
  return 'future';
}
