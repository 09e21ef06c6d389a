import { RESERVED_KEY } from '../codec/item-format.js';
import { userIndexMissing } from '../dynamo/backend-errors.js';
import type { Deadline } from '../dynamo/deadline.js';
import { buildUserQueryInput } from '../dynamo/params.js';
import { addUserIndex as addIndexTo, type UserIndexStatus } from '../dynamo/table-admin.js';
import { isSessionManagerError } from '../errors.js';
import type { TableRef } from '../expiry/strategy.js';
import { safeLog } from '../logging/logger.js';
import type { StoreContext } from './context.js';

/** What `addUserIndex` did to one table. */
export interface UserIndexAdded {
  readonly table: string;
  /** `added`: DynamoDB is building it now (readable once ACTIVE); `present`: it was there already. */
  readonly status: 'added' | 'present';
}

/**
 * The tables in use: the table writes go to, the previous one, and the next one when it is there
 * (by the clock near a boundary, or known to maintenance). Sessions with a user are written only
 * to these, so these must have the index.
 */
function tablesInUse(ctx: StoreContext): TableRef[] {
  const now = ctx.options.now();
  const plan = ctx.strategy.readPlan(now);
  const tables: TableRef[] = [...plan.first, ...plan.fallback];
  for (const info of ctx.strategy.tables(now)) {
    if (info.role !== 'next' || tables.some((t) => t.name === info.name)) continue;
    const ref = ctx.strategy.refFor(info.name, now);
    if (ref !== undefined) tables.push(ref);
  }
  return tables.filter((table, i) => tables.findIndex((t) => t.name === table.name) === i);
}

/**
 * Checks, for `ready()` with the user index on, that every table in use has a readable user index.
 * No control-plane call of its own: a table maintenance described (DescribeTable) is taken as it
 * said when it said ACTIVE; any other is probed on the data plane with a one-item Query of a key
 * no user has (half a read unit). A table that is not there (the next one, not created yet) is
 * skipped. Tables found ready are remembered in `checked`: a later `ready()` (a Lambda handler may
 * call it on every invocation) checks only tables it has not seen, such as a new period's.
 *
 * @throws {SessionManagerError} `backend.userIndexMissing` naming the table (status `MISSING`, or
 *   `CREATING` while DynamoDB still builds the index: not readable yet).
 */
export async function checkUserIndex(ctx: StoreContext, checked: Set<string>): Promise<void> {
  if (ctx.options.userIndex === undefined) return;
  const deadline = ctx.backend.operationDeadline();
  await Promise.all(
    tablesInUse(ctx).map(async (table) => {
      if (checked.has(table.name)) return;
      const status = ctx.strategy.describedUserIndex(table.name) === 'ACTIVE' ? 'ACTIVE' : await probe(ctx, table, deadline);
      if (status === 'ACTIVE') {
        if (checked.size >= 64) checked.clear();
        checked.add(table.name);
      } else if (status !== 'ABSENT') {
        throw userIndexMissing(table.name, status);
      }
    }),
  );
}

/** Whether `table`'s user index answers a Query; `ABSENT` when the table itself is not there (and is not the write table). */
async function probe(ctx: StoreContext, table: TableRef, deadline: Deadline): Promise<UserIndexStatus | 'ABSENT'> {
  try {
    await ctx.backend.send('Query', buildUserQueryInput(table.name, RESERVED_KEY.probe, undefined, 1), deadline);
    return 'ACTIVE';
  } catch (error) {
    if (isSessionManagerError(error, 'backend.userIndexMissing')) return error.details.status === 'CREATING' ? 'CREATING' : 'MISSING';
    if (isSessionManagerError(error, 'backend.tableMissing') && table.role !== 'current') return 'ABSENT';
    throw error;
  }
}

/**
 * Adds the user index to every live table of the store that lacks it (`dsm add-user-index`):
 * the tables a live session can be in (rotation: every kept period up to the next one; TTL: the
 * table), one UpdateTable each. DynamoDB builds each index from the table's items (backfilling)
 * before it can be read; `ready()` says so meanwhile. Tables that are not there are skipped.
 *
 * @throws {SessionManagerError} `backend.*` (the caller needs dynamodb:DescribeTable and dynamodb:UpdateTable).
 */
export async function addUserIndexes(ctx: StoreContext): Promise<UserIndexAdded[]> {
  const out: UserIndexAdded[] = [];
  const admin = { backend: ctx.backend, metrics: ctx.metrics, logger: ctx.options.logger, activeTimeoutMs: ctx.options.tableActiveTimeoutMs };
  // One after another: DynamoDB limits how many index builds run at once.
  for (const name of ctx.strategy.candidateTables(ctx.options.now())) {
    const status = await addIndexTo(admin, name);
    if (status !== 'missing') out.push({ table: name, status });
  }
  safeLog(ctx.options.logger, 'info', { added: out.filter((t) => t.status === 'added').length, tables: out.length }, 'User index on the live tables');
  return out;
}
