import { METRIC, type MetricsSnapshot, type TableInfo } from 'dynamo-session-manager';
import type { RecentSession } from '../recent-sessions.js';
import type { DeletedTable, HistorySeries } from './history.js';

/** The dashboard's counters, each a sum of the store's metrics since the process started. */
export interface CounterFigures {
  /** Sessions found in the current period's table. */
  readonly hitsCurrent: number;
  /** Sessions found in the previous period's table (they then move forward). */
  readonly hitsPrevious: number;
  /** Sessions found in the next period's table (servers' clocks apart). */
  readonly hitsNext: number;
  /** Loads that found no session. */
  readonly misses: number;
  /** Loads that found a session past its idle timeout. */
  readonly expired: number;
  /** Writes: whole items and partial updates; `refresh` counts the updates that only renewed the expiry or moved the session forward. */
  readonly saves: { readonly total: number; readonly put: number; readonly update: number; readonly refresh: number };
  /** Writes avoided: unchanged sessions, refreshes not due yet, requests the tracker ignored. */
  readonly skipped: { readonly total: number; readonly unchanged: number; readonly refreshNotDue: number; readonly ignored: number };
  /** Saves that lost a race with another request's save, and how many were merged. */
  readonly conflicts: { readonly total: number; readonly merged: number };
  /** Loads, saves and maintenance rounds that failed. */
  readonly errors: { readonly total: number; readonly load: number; readonly save: number; readonly maintenance: number };
  /** Requests seen by the tracker, and those it ignored. */
  readonly requests: { readonly total: number; readonly ignored: number };
  /** Capacity units consumed, and per tracked request (null before the first request). */
  readonly capacity: { readonly read: number; readonly write: number; readonly total: number; readonly perRequest: number | null };
  readonly destroyed: number;
  readonly rotations: number;
  readonly tablesCreated: number;
  readonly tablesDeleted: number;
}

/** Sums the store's metrics into the dashboard's counters. Pure. */
export function summarizeCounters(snapshot: MetricsSnapshot): CounterFigures {
  const c = (name: keyof MetricsSnapshot['counters']): number => snapshot.counters[name].total;
  const put = c(METRIC.sessionSavePut);
  const update = c(METRIC.sessionSaveUpdate);
  const refresh = c(METRIC.sessionTouchWrite);
  const unchanged = c(METRIC.sessionSaveSkippedUnchanged);
  const refreshNotDue = c(METRIC.sessionTouchSkipped);
  const ignored = c(METRIC.sessionSaveSkippedIgnored);
  const load = c(METRIC.sessionLoadError);
  const save = c(METRIC.sessionSaveError);
  const maintenance = c(METRIC.maintenanceError);
  const read = c(METRIC.capacityRead);
  const write = c(METRIC.capacityWrite);
  const requests = c(METRIC.requestCount);
  return {
    hitsCurrent: c(METRIC.sessionLoadHitCurrent),
    hitsPrevious: c(METRIC.sessionLoadHitPrevious),
    hitsNext: c(METRIC.sessionLoadHitNext),
    misses: c(METRIC.sessionLoadMiss),
    expired: c(METRIC.sessionLoadExpired),
    saves: { total: put + update, put, update, refresh },
    skipped: { total: unchanged + refreshNotDue + ignored, unchanged, refreshNotDue, ignored },
    conflicts: { total: c(METRIC.sessionSaveConflict), merged: c(METRIC.sessionSaveMerged) },
    errors: { total: load + save + maintenance, load, save, maintenance },
    requests: { total: requests, ignored: c(METRIC.requestIgnored) },
    capacity: { read, write, total: read + write, perRequest: requests === 0 ? null : (read + write) / requests },
    destroyed: c(METRIC.sessionDestroy),
    rotations: c(METRIC.tableRotation),
    tablesCreated: c(METRIC.tableCreated),
    tablesDeleted: c(METRIC.tableDeleted),
  };
}

/** The series the history keeps and the chart draws, in display order, with their labels. */
export const SERIES = [
  { key: 'hitsCurrent', label: 'Hits, current table' },
  { key: 'hitsPrevious', label: 'Hits, previous table' },
  { key: 'misses', label: 'Misses' },
  { key: 'expired', label: 'Expired' },
  { key: 'saves', label: 'Saves' },
  { key: 'skipped', label: 'Skipped saves' },
  { key: 'conflicts', label: 'Conflicts' },
  { key: 'errors', label: 'Errors' },
  { key: 'capacity', label: 'Capacity units' },
  { key: 'requests', label: 'Requests' },
  { key: 'rotations', label: 'Rotations' },
] as const;

/** One of {@link SERIES}. */
export type SeriesKey = (typeof SERIES)[number]['key'];

/** The cumulative value of every series now. Pure. */
export function pickSeriesValues(figures: CounterFigures): Record<SeriesKey, number> {
  return {
    hitsCurrent: figures.hitsCurrent,
    hitsPrevious: figures.hitsPrevious,
    misses: figures.misses,
    expired: figures.expired,
    saves: figures.saves.total,
    skipped: figures.skipped.total,
    conflicts: figures.conflicts.total,
    errors: figures.errors.total,
    capacity: figures.capacity.total,
    requests: figures.requests.total,
    rotations: figures.rotations,
  };
}

/** A table on the dashboard's timeline. */
export interface TimelineTable {
  /** The table name; null for a next table not created yet. */
  readonly name: string | null;
  readonly role: TableInfo['role'] | 'deleted';
  /** DynamoDB's status (ACTIVE, CREATING...), `DELETED`, or `NOT_CREATED` for a future next table. */
  readonly status: string;
  readonly periodStartMs: number | null;
  readonly periodEndMs: number | null;
  /** When the dashboard saw it gone (deleted tables). */
  readonly deletedAtMs?: number;
  /** When the store will create it (a next table not created yet). */
  readonly createdFromMs?: number;
}

/** Rotation facts for the countdown. */
export interface RotationFigures {
  readonly mode: 'rotation' | 'ttl';
  readonly periodMs: number;
  /** Null in TTL mode. */
  readonly msUntilRotation: number | null;
  readonly nextRotationAtMs: number | null;
  /** How long before its period the next table is created. */
  readonly createAheadMs: number;
}

/**
 * The tables in time order: the deleted ones the history remembers (latest `deletedToShow`),
 * those the store knows, and a placeholder for the next table before it is created. Pure.
 */
export function buildTimeline(
  tables: readonly TableInfo[],
  deleted: readonly DeletedTable[],
  rotation: RotationFigures,
  nowMs: number,
  deletedToShow = 2,
): TimelineTable[] {
  const live: TimelineTable[] = tables.map((table) => ({
    name: table.name,
    role: table.role,
    status: table.status,
    periodStartMs: table.periodStartMs ?? null,
    periodEndMs: table.periodEndMs ?? null,
  }));
  const liveNames = new Set(tables.map((table) => table.name));
  const gone: TimelineTable[] = deleted
    .filter((table) => !liveNames.has(table.name))
    .slice(-deletedToShow)
    .map((table) => ({ ...table, role: 'deleted', status: 'DELETED' }));
  const timeline = [...gone, ...live].sort((a, b) => (a.periodStartMs ?? 0) - (b.periodStartMs ?? 0));
  const current = live.find((table) => table.role === 'current');
  if (rotation.mode === 'rotation' && rotation.nextRotationAtMs !== null && !live.some((table) => table.role === 'next') && current !== undefined) {
    const startMs = rotation.nextRotationAtMs;
    timeline.push({
      name: null,
      role: 'next',
      status: 'NOT_CREATED',
      periodStartMs: startMs,
      periodEndMs: startMs + rotation.periodMs,
      createdFromMs: Math.max(nowMs, startMs - rotation.createAheadMs),
    });
  }
  return timeline;
}

/** One bucket of the session size histogram. */
export interface SizeBucket {
  /** Upper bound in bytes, inclusive; null for the last, unbounded bucket. */
  readonly upToBytes: number | null;
  readonly count: number;
}

/** The `session.size` histogram, trimmed to the buckets worth drawing. */
export interface SizeFigures {
  readonly count: number;
  readonly meanBytes: number | null;
  readonly maxBytes: number | null;
  /** From the first bucket to one past the largest used, at least `minBuckets`. */
  readonly buckets: readonly SizeBucket[];
}

/** Trims the size histogram for display. Pure. */
export function summarizeSizes(snapshot: MetricsSnapshot, minBuckets = 6): SizeFigures {
  const histogram = snapshot.histograms[METRIC.sessionSize];
  let lastUsed = -1;
  histogram.buckets.forEach((bucket, index) => {
    if (bucket.count > 0) lastUsed = index;
  });
  const shown = Math.min(histogram.buckets.length, Math.max(minBuckets, lastUsed + 2));
  return {
    count: histogram.count,
    meanBytes: histogram.count === 0 ? null : histogram.sum / histogram.count,
    maxBytes: histogram.max,
    buckets: histogram.buckets.slice(0, shown).map((bucket) => ({ upToBytes: bucket.upTo, count: bucket.count })),
  };
}

/** Every call to DynamoDB by operation, with failures and retries. Pure. */
export function summarizeCalls(snapshot: MetricsSnapshot): { operation: string; calls: number; errors: number; retries: number }[] {
  const byOp = (name: keyof MetricsSnapshot['counters']): Record<string, number> => snapshot.counters[name].byTag;
  const calls = byOp(METRIC.dynamodbCalls);
  const errors = byOp(METRIC.dynamodbError);
  const retries = byOp(METRIC.dynamodbRetry);
  const ops = new Set([...Object.keys(calls), ...Object.keys(errors)]);
  return [...ops]
    .map((tag) => ({ operation: tag.replace(/^op:/, ''), calls: calls[tag] ?? 0, errors: errors[tag] ?? 0, retries: retries[tag] ?? 0 }))
    .sort((a, b) => b.calls - a.calls || a.operation.localeCompare(b.operation));
}

/** What `/dashboard/metrics.json` serves, and what the page draws. */
export interface DashboardFigures {
  readonly nowMs: number;
  readonly startedAtMs: number;
  /** How often the page asks for new figures. */
  readonly refreshMs: number;
  readonly rotation: RotationFigures;
  readonly tables: readonly TimelineTable[];
  readonly counters: CounterFigures;
  readonly sessionSize: SizeFigures;
  readonly dynamodbCalls: ReturnType<typeof summarizeCalls>;
  readonly history: HistorySeries;
  /** Sessions signed in through this process: id prefixes only. */
  readonly recentSessions: readonly RecentSession[];
  /** The store's own metrics snapshot, unabridged. */
  readonly snapshot: MetricsSnapshot;
}

/** Everything {@link buildDashboardFigures} reads. */
export interface FigureInputs {
  readonly nowMs: number;
  readonly refreshMs: number;
  readonly snapshot: MetricsSnapshot;
  readonly tables: readonly TableInfo[];
  readonly rotation: RotationFigures;
  readonly deleted: readonly DeletedTable[];
  readonly history: HistorySeries;
  readonly recentSessions: readonly RecentSession[];
}

/** Builds the dashboard's figures from plain inputs. Pure. */
export function buildDashboardFigures(inputs: FigureInputs): DashboardFigures {
  return {
    nowMs: inputs.nowMs,
    startedAtMs: inputs.snapshot.startedAtMs,
    refreshMs: inputs.refreshMs,
    rotation: inputs.rotation,
    tables: buildTimeline(inputs.tables, inputs.deleted, inputs.rotation, inputs.nowMs),
    counters: summarizeCounters(inputs.snapshot),
    sessionSize: summarizeSizes(inputs.snapshot),
    dynamodbCalls: summarizeCalls(inputs.snapshot),
    history: inputs.history,
    recentSessions: inputs.recentSessions,
    snapshot: inputs.snapshot,
  };
}
