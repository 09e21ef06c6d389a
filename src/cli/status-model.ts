import type { ExpiryMode } from '../config/options.js';
import { isUsableStatus } from '../dynamo/table-admin.js';
import { parseTableName, periodIndexAt, periodStartMs, msUntilNextPeriod, tableNameFor } from '../expiry/rotation/periods.js';
import { inUsePeriod, tableRoleAt, type RotationRole } from '../expiry/rotation/table-roles.js';

/**
 * What `dsm status` and `dsm maintain` report, and the pure functions that build it from table
 * names and descriptions. The calls themselves are in `read-status.ts`.
 */

/** A table's place in time, by the clock of the machine running the CLI (see `tableRoleAt`). */
export type StatusRole = RotationRole;

/** DynamoDB's table status, or `MISSING` when there is no such table. */
export type StatusTableState = 'ACTIVE' | 'CREATING' | 'UPDATING' | 'DELETING' | 'MISSING' | (string & {});

/** One table in a status report. */
export interface StatusTable {
  readonly name: string;
  readonly role: StatusRole;
  readonly status: StatusTableState;
  /** DynamoDB's item count (refreshed about every six hours), or null when the table is missing. */
  readonly itemCount: number | null;
  /** DynamoDB's table size in bytes (refreshed about every six hours), or null when the table is missing. */
  readonly sizeBytes: number | null;
  /** Start of the table's period, ISO 8601 UTC; null in ttl mode. */
  readonly periodStart: string | null;
  /** End of the table's period, ISO 8601 UTC; null in ttl mode. */
  readonly periodEnd: string | null;
  /** ttl mode: TTL status (`ENABLED`, `DISABLED`, `UNSUPPORTED` for servers without TTL); null in rotation mode. */
  readonly ttl: string | null;
}

/** The result of `dsm status`. */
export interface StatusReport {
  readonly mode: ExpiryMode;
  readonly tableBaseName: string;
  /** The endpoint, or null for AWS. */
  readonly endpoint: string | null;
  /** The region, or null for the SDK's default. */
  readonly region: string | null;
  /** When the report was made, ISO 8601 UTC. */
  readonly now: string;
  /** Rotation schedule; null in ttl mode. */
  readonly rotation: {
    readonly periodSeconds: number;
    readonly currentPeriodStart: string;
    readonly nextRotationAt: string;
    readonly msUntilRotation: number;
  } | null;
  /** The table a store writes to now (the latest usable table not after the current period, see `inUsePeriod`), or null. */
  readonly writeTable: string | null;
  /** Newest first. Expected tables that do not exist are listed as `MISSING`. */
  readonly tables: readonly StatusTable[];
  /** What needs an operator's attention, in plain sentences; empty when all is well. */
  readonly problems: readonly string[];
}

/** A table to describe, before its description is known. */
export interface PlannedTable {
  readonly name: string;
  readonly role: StatusRole;
  /** Period index; 0 in ttl mode. */
  readonly period: number;
  /** Whether ListTables returned it (false for an expected table that may be missing). */
  readonly listed: boolean;
}

/** What DescribeTable (and DescribeTimeToLive) said about a table. */
export interface TableFacts {
  readonly status: StatusTableState;
  readonly itemCount: number | null;
  readonly sizeBytes: number | null;
  readonly ttl?: string | null;
}

/** The role of period `period` by the clock alone (the clock's period is `current`, whatever its status). */
function roleByClock(period: number, clockPeriod: number, keptPeriods: number): StatusRole {
  return tableRoleAt(period, { clockPeriod, inUsePeriod: clockPeriod, keptPeriods });
}

/**
 * The rotated tables to describe: every listed table of `base` (other names are ignored), plus
 * the current and previous periods' tables when they were not listed. Newest first.
 */
export function planRotationTables(listed: readonly string[], base: string, periodMs: number, nowMs: number, keptPeriods = 1): PlannedTable[] {
  const current = periodIndexAt(nowMs, periodMs);
  const planned: PlannedTable[] = [];
  for (const name of new Set(listed)) {
    const startMs = parseTableName(base, name);
    if (startMs === undefined) continue;
    const period = periodIndexAt(startMs, periodMs);
    planned.push({ name, role: roleByClock(period, current, keptPeriods), period, listed: true });
  }
  for (const period of [current, current - 1]) {
    const name = tableNameFor(base, period, periodMs);
    if (!planned.some((t) => t.name === name)) planned.push({ name, role: roleByClock(period, current, keptPeriods), period, listed: false });
  }
  return planned.sort((a, b) => b.period - a.period || (a.name < b.name ? 1 : -1));
}

/** Builds the rotation report from the planned tables and their descriptions (same order). */
export function buildRotationReport(
  base: { tableBaseName: string; endpoint: string | undefined; region: string | undefined },
  planned: readonly PlannedTable[],
  facts: readonly TableFacts[],
  periodMs: number,
  nowMs: number,
): StatusReport {
  const current = periodIndexAt(nowMs, periodMs);
  const tables = planned.map((table, i): StatusTable => {
    const fact = facts[i] ?? { status: 'MISSING', itemCount: null, sizeBytes: null };
    return {
      name: table.name,
      role: table.role,
      status: fact.status,
      itemCount: fact.itemCount,
      sizeBytes: fact.sizeBytes,
      periodStart: new Date(periodStartMs(table.period, periodMs)).toISOString(),
      periodEnd: new Date(periodStartMs(table.period + 1, periodMs)).toISOString(),
      ttl: null,
    };
  });
  const inUse = inUsePeriod(
    current,
    planned.map((table, i) => [table.period, { status: facts[i]?.status ?? 'MISSING' }] as const),
  );
  const writeTable = planned.find((table) => table.period === inUse)?.name ?? null;
  return {
    mode: 'rotation',
    tableBaseName: base.tableBaseName,
    endpoint: base.endpoint ?? null,
    region: base.region ?? null,
    now: new Date(nowMs).toISOString(),
    rotation: {
      periodSeconds: periodMs / 1000,
      currentPeriodStart: new Date(periodStartMs(current, periodMs)).toISOString(),
      nextRotationAt: new Date(periodStartMs(current + 1, periodMs)).toISOString(),
      msUntilRotation: msUntilNextPeriod(nowMs, periodMs),
    },
    writeTable,
    tables,
    problems: rotationProblems(tables, writeTable),
  };
}

function rotationProblems(tables: readonly StatusTable[], writeTable: string | null): string[] {
  const problems: string[] = [];
  const current = tables.find((t) => t.role === 'current');
  if (current !== undefined && !isUsableStatus(current.status)) {
    const fallback = writeTable === null ? 'no table can take sessions' : `sessions go to ${writeTable} meanwhile`;
    problems.push(`The current table ${current.name} is ${current.status}; \`dsm maintain\` creates it (a running app does too); ${fallback}.`);
  }
  const expired = tables.filter((t) => t.role === 'expired' && t.status !== 'DELETING' && t.status !== 'MISSING');
  if (expired.length > 0) {
    problems.push(`${expired.length} expired table${expired.length === 1 ? '' : 's'} still exist${expired.length === 1 ? 's' : ''}; \`dsm maintain\` deletes ${expired.length === 1 ? 'it' : 'them'}.`);
  }
  return problems;
}

/** Builds the ttl report from the single table's description. */
export function buildTtlReport(
  base: { tableBaseName: string; endpoint: string | undefined; region: string | undefined },
  fact: TableFacts,
  nowMs: number,
): StatusReport {
  const table: StatusTable = {
    name: base.tableBaseName,
    role: 'current',
    status: fact.status,
    itemCount: fact.itemCount,
    sizeBytes: fact.sizeBytes,
    periodStart: null,
    periodEnd: null,
    ttl: fact.ttl ?? null,
  };
  const problems: string[] = [];
  if (!isUsableStatus(table.status)) {
    problems.push(`The table ${table.name} is ${table.status}; \`dsm maintain\` creates it (a running app does too).`);
  } else if (table.ttl?.startsWith('DISABLED') === true) {
    problems.push(`TTL is off on ${table.name}: DynamoDB will not delete expired sessions (they are still never served); \`dsm maintain\` turns it on (dynalite has no TTL).`);
  }
  return {
    mode: 'ttl',
    tableBaseName: base.tableBaseName,
    endpoint: base.endpoint ?? null,
    region: base.region ?? null,
    now: new Date(nowMs).toISOString(),
    rotation: null,
    writeTable: isUsableStatus(table.status) ? table.name : null,
    tables: [table],
    problems,
  };
}

/** Tables a maintenance round created or started deleting, from the reports before and after it. */
export function diffTables(before: StatusReport, after: StatusReport): { created: string[]; deleted: string[] } {
  const present = (t: StatusTable): boolean => t.status !== 'MISSING' && t.status !== 'DELETING';
  const was = new Map(before.tables.map((t) => [t.name, t]));
  const now = new Map(after.tables.map((t) => [t.name, t]));
  const created = after.tables.filter((t) => present(t) && !(was.get(t.name) !== undefined && present(was.get(t.name) as StatusTable))).map((t) => t.name);
  const deleted = before.tables.filter((t) => present(t) && !(now.get(t.name) !== undefined && present(now.get(t.name) as StatusTable))).map((t) => t.name);
  return { created, deleted };
}
