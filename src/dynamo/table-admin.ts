import type { ListTablesCommandOutput, TableDescription } from '@aws-sdk/client-dynamodb';
import { SessionManagerError, isSessionManagerError } from '../errors.js';
import { safeLog, type Logger } from '../logging/logger.js';
import { METRIC } from '../metrics/names.js';
import type { Backend, MetricsRecorder } from './backend.js';
import { isResourceInUse } from './backend-errors.js';
import { createDeadline, sleep } from './deadline.js';
import { buildAddUserIndexInput, buildCreateTableInput } from './params.js';
import { USER_INDEX_NAME } from '../codec/item-format.js';
import type { CapacityOptions } from '../config/resolve-options.js';

/** Status of a table as far as the store knows. */
export type TableStatus = 'ACTIVE' | 'CREATING' | 'UPDATING' | 'DELETING' | 'MISSING';

/**
 * Whether a table in `status` can take reads and writes: `ACTIVE`, and `UPDATING` too (a table
 * whose capacity, TTL or indexes are changing still serves every item operation). The one place
 * that says so: table creation, rotation, and `dsm status` all ask this function.
 *
 * @param status - DynamoDB's `TableStatus`, or `MISSING` when there is no such table.
 * @returns true for `ACTIVE` and `UPDATING`, false for anything else.
 * @example
 * isUsableStatus('UPDATING'); // true
 * @internal
 */
export function isUsableStatus(status: string): boolean {
  return status === 'ACTIVE' || status === 'UPDATING';
}

/**
 * The state as the store keeps it: a usable table (see {@link isUsableStatus}) is `ACTIVE`, any
 * other state is returned unchanged.
 *
 * @param state - what {@link describeTable} returned.
 * @returns `state`, with `status: 'ACTIVE'` when the table is usable.
 * @internal
 */
export function asUsableState(state: TableState): TableState {
  return isUsableStatus(state.status) && state.status !== 'ACTIVE' ? { ...state, status: 'ACTIVE' } : state;
}

/**
 * The state of a table's user index (`uid-index`): `ACTIVE` (readable), `CREATING` (being added,
 * or backfilling: not readable yet), `MISSING`.
 */
export type UserIndexStatus = 'ACTIVE' | 'CREATING' | 'MISSING';

/** What DescribeTable told about a table. */
export interface TableState {
  readonly status: TableStatus;
  readonly capacity: CapacityOptions | undefined;
  /** Its user index; undefined when not described (a table listed, or assumed from the clock). */
  readonly userIndex?: UserIndexStatus | undefined;
  /** DynamoDB's approximate item count (refreshed about every six hours); undefined when missing. */
  readonly itemCount?: number | undefined;
  /** DynamoDB's approximate table size in bytes; undefined when missing. */
  readonly sizeBytes?: number | undefined;
}

/** Settings shared by the table helpers. */
export interface TableAdminContext {
  readonly backend: Backend;
  readonly metrics: MetricsRecorder;
  readonly logger: Logger;
  readonly activeTimeoutMs: number;
}

/** Describes a table; a missing table is `MISSING`, not an error. */
export async function describeTable(ctx: TableAdminContext, name: string): Promise<TableState> {
  try {
    const out = await ctx.backend.send('DescribeTable', { TableName: name });
    return {
      status: (out.Table?.TableStatus as TableStatus | undefined) ?? 'MISSING',
      capacity: capacityOf(out.Table),
      userIndex: userIndexStatusOf(out.Table),
      itemCount: out.Table?.ItemCount,
      sizeBytes: out.Table?.TableSizeBytes,
    };
  } catch (error) {
    if (isSessionManagerError(error, 'backend.tableMissing')) return { status: 'MISSING', capacity: undefined };
    throw error;
  }
}

/**
 * The state of the user index in a DescribeTable answer: `ACTIVE` once DynamoDB serves it
 * (status `ACTIVE`, or `UPDATING` while its capacity changes, and not backfilling).
 */
export function userIndexStatusOf(table: TableDescription | undefined): UserIndexStatus {
  const index = table?.GlobalSecondaryIndexes?.find((gsi) => gsi.IndexName === USER_INDEX_NAME);
  if (index === undefined) return 'MISSING';
  if (index.IndexStatus === 'DELETING') return 'MISSING';
  const readable = (index.IndexStatus === undefined || index.IndexStatus === 'ACTIVE' || index.IndexStatus === 'UPDATING') && index.Backfilling !== true;
  return readable ? 'ACTIVE' : 'CREATING';
}

/** The capacity a table was created with or was changed to (by an operator or an autoscaler). */
export function capacityOf(table: TableDescription | undefined): CapacityOptions | undefined {
  if (table === undefined) return undefined;
  const mode = table.BillingModeSummary?.BillingMode;
  const read = table.ProvisionedThroughput?.ReadCapacityUnits;
  const write = table.ProvisionedThroughput?.WriteCapacityUnits;
  if (mode === 'PAY_PER_REQUEST' || read === undefined || write === undefined || read === 0 || write === 0) {
    return { billingMode: 'PAY_PER_REQUEST' };
  }
  return { billingMode: 'PROVISIONED', readCapacityUnits: read, writeCapacityUnits: write, source: 'explicit' };
}

/**
 * Makes sure a table exists and is ACTIVE: creates it when missing (another process creating it
 * at the same moment is fine), waits while it is CREATING or, under a name we want, DELETING.
 * Never blocks the event loop: it polls with timers.
 *
 * @returns the table's state once ACTIVE, and whether this call created it.
 * @throws {SessionManagerError} `backend.tableMissing` when missing and `create` is false,
 *   `rotation.tableNotReady` when it is not ACTIVE within the timeout.
 */
export async function ensureTable(
  ctx: TableAdminContext,
  name: string,
  options: { create: boolean; capacity: () => CapacityOptions; userIndex?: boolean },
): Promise<{ state: TableState; created: boolean }> {
  const deadline = createDeadline(ctx.activeTimeoutMs);
  let created = false;
  let delayMs = 50;
  for (;;) {
    const state = await describeTable(ctx, name);
    if (isUsableStatus(state.status)) {
      if (options.userIndex === true && state.userIndex === 'MISSING') {
        // Never silent: ready() refuses such a table in use, and `dsm add-user-index` adds the index.
        safeLog(ctx.logger, 'error', { table: name, index: USER_INDEX_NAME }, 'Session table has no user index; run `dsm add-user-index`');
      }
      return { state: asUsableState(state), created };
    }
    if (state.status === 'MISSING') {
      if (!options.create) {
        throw new SessionManagerError(
          'backend.tableMissing',
          `Table ${name} does not exist and createTables is false. Create it with \`dsm maintain\` or allow the store to create tables.`,
          { details: { table: name } },
        );
      }
      const capacity = options.capacity();
      try {
        await ctx.backend.send('CreateTable', buildCreateTableInput(name, capacity, options.userIndex === true));
        created = true;
        ctx.metrics.increment(METRIC.tableCreated);
        safeLog(ctx.logger, 'info', { table: name, billingMode: capacity.billingMode, ...capacityFields(capacity) }, 'Created session table');
      } catch (error) {
        if (!isResourceInUse(error)) throw error;
        // Another process created it (or it is being deleted): wait for it like our own.
      }
    }
    if (deadline.expired()) {
      throw new SessionManagerError('rotation.tableNotReady', `Table ${name} is still ${state.status} after ${Math.round(ctx.activeTimeoutMs / 1000)} s.`, {
        details: { table: name, status: state.status },
        retryable: true,
      });
    }
    await sleep(Math.min(delayMs, deadline.remainingMs()));
    delayMs = Math.min(delayMs * 2, 1000);
  }
}

function capacityFields(capacity: CapacityOptions): Record<string, number> {
  return capacity.billingMode === 'PROVISIONED'
    ? { readCapacityUnits: capacity.readCapacityUnits, writeCapacityUnits: capacity.writeCapacityUnits }
    : {};
}

/**
 * Adds the user index to a table that lacks it (UpdateTable); DynamoDB then builds it from the
 * items already there (backfilling) before it can be read.
 *
 * @returns `present` when the table already has it (in any state), `added` when this call started
 *   building it, `missing` when there is no such table.
 */
export async function addUserIndex(ctx: TableAdminContext, name: string): Promise<'added' | 'present' | 'missing'> {
  const state = await describeTable(ctx, name);
  if (state.status === 'MISSING') return 'missing';
  if (state.userIndex !== 'MISSING') return 'present';
  try {
    await ctx.backend.send('UpdateTable', buildAddUserIndexInput(name, state.capacity ?? { billingMode: 'PAY_PER_REQUEST' }));
  } catch (error) {
    // Another process may have added it meanwhile; a table busy with another change fails as it is.
    if ((isResourceInUse(error) || /already exists/i.test((error as Error).message)) && (await describeTable(ctx, name)).userIndex !== 'MISSING') return 'present';
    throw error;
  }
  safeLog(ctx.logger, 'info', { table: name, index: USER_INDEX_NAME }, 'Adding the user index to the session table');
  return 'added';
}

/**
 * Deletes a table. A table already being deleted, still being created, or already gone is not
 * an error: another process is handling it, or the next round will.
 *
 * @returns true when this call started the deletion.
 */
export async function deleteTable(ctx: TableAdminContext, name: string): Promise<boolean> {
  try {
    await ctx.backend.send('DeleteTable', { TableName: name });
    ctx.metrics.increment(METRIC.tableDeleted);
    safeLog(ctx.logger, 'info', { table: name }, 'Deleted expired session table');
    return true;
  } catch (error) {
    if (isResourceInUse(error) || isSessionManagerError(error, 'backend.tableMissing')) return false;
    throw error;
  }
}

/**
 * Names of every table starting with `prefix`, paging through ListTables from the prefix on and
 * stopping once past it.
 *
 * @param pageSize - names per ListTables page (DynamoDB allows up to 100).
 */
export async function listTablesWithPrefix(ctx: TableAdminContext, prefix: string, pageSize = 100): Promise<string[]> {
  const names: string[] = [];
  let start: string | undefined = prefix;
  for (;;) {
    const page: ListTablesCommandOutput = await ctx.backend.send('ListTables', { ExclusiveStartTableName: start, Limit: pageSize });
    const tableNames: string[] = page.TableNames ?? [];
    for (const name of tableNames) if (name.startsWith(prefix)) names.push(name);
    const last: string | undefined = page.LastEvaluatedTableName;
    const passedPrefix = tableNames.length > 0 && !(tableNames[tableNames.length - 1] ?? '').startsWith(prefix) && (tableNames[tableNames.length - 1] ?? '') > prefix;
    if (last === undefined || passedPrefix) return names;
    start = last;
  }
}
