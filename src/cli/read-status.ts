import { describeTable, listTablesWithPrefix, type TableAdminContext } from '../dynamo/table-admin.js';
import { isUnsupportedOperation } from '../dynamo/backend-errors.js';
import { periodIndexAt, tableNameFor } from '../expiry/rotation/periods.js';
import type { CliSettings } from './settings.js';
import { buildRotationReport, buildTtlReport, planRotationTables, type StatusReport, type TableFacts } from './status-model.js';

/** How many DescribeTable calls `dsm status` keeps in flight. */
const DESCRIBE_CONCURRENCY = 4;

/**
 * Reads the tables of the settings' base name and mode: ListTables (every page) and
 * DescribeTable in rotation mode, DescribeTable and DescribeTimeToLive in ttl mode. Missing
 * tables are reported, not thrown.
 *
 * @throws {SessionManagerError} `backend.*` when DynamoDB cannot be reached or refuses a call.
 */
export async function readStatus(ctx: TableAdminContext, settings: CliSettings, nowMs: number): Promise<StatusReport> {
  const base = { tableBaseName: settings.tableBaseName, endpoint: settings.endpoint, region: settings.region };
  if (settings.expiry === 'ttl') {
    const fact = await describe(ctx, settings.tableBaseName);
    const ttl = fact.status === 'MISSING' ? null : await describeTtl(ctx, settings.tableBaseName);
    return buildTtlReport(base, { ...fact, ttl }, nowMs);
  }
  const listed = await listTablesWithPrefix(ctx, `${settings.tableBaseName}_`);
  const planned = planRotationTables(listed, settings.tableBaseName, settings.rotationPeriodMs, nowMs, settings.keptPeriods);
  const facts = await mapLimit(planned, DESCRIBE_CONCURRENCY, (table) => describe(ctx, table.name));
  return buildRotationReport(base, planned, facts, settings.rotationPeriodMs, nowMs);
}

async function describe(ctx: TableAdminContext, name: string): Promise<TableFacts> {
  const state = await describeTable(ctx, name);
  return { status: state.status, itemCount: state.itemCount ?? null, sizeBytes: state.sizeBytes ?? null };
}

async function describeTtl(ctx: TableAdminContext, name: string): Promise<string> {
  try {
    const out = await ctx.backend.send('DescribeTimeToLive', { TableName: name });
    const ttl = out.TimeToLiveDescription;
    const status = ttl?.TimeToLiveStatus ?? 'DISABLED';
    return ttl?.AttributeName === undefined ? status : `${status} on ${ttl.AttributeName}`;
  } catch (error) {
    if (isUnsupportedOperation(error)) return 'UNSUPPORTED'; // dynalite and some other local servers have no TTL
    throw error;
  }
}

async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next;
      next += 1;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * One DescribeTable of the table a store would use now, to fail within one call deadline when
 * DynamoDB cannot be reached, before a store spends a deadline on each table it looks at.
 * A missing table is fine here: the store reports it, or falls back to the previous table.
 *
 * @throws {SessionManagerError} `backend.unavailable`, `backend.timeout` or any other failure but `backend.tableMissing`.
 */
export async function checkReachable(ctx: TableAdminContext, settings: CliSettings, nowMs: number): Promise<void> {
  const name =
    settings.expiry === 'ttl'
      ? settings.tableBaseName
      : tableNameFor(settings.tableBaseName, periodIndexAt(nowMs, settings.rotationPeriodMs), settings.rotationPeriodMs);
  await describe(ctx, name);
}
