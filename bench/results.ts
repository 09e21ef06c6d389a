/** The whole run's results, and the per-request figures derived from them (pure). */
import type { FleetResult } from './fleet.js';
import type { LifetimeResult } from './lifetimes.js';
import type { UserSessionsResult } from './user-sessions.js';
import type { CellResult } from './cell.js';
import type { ExpiryResult } from './expiry.js';
import type { MachineInfo } from './machine.js';
import type { CallCounts } from './measure.js';
import type { MicroResult, RoundTrip } from './micro.js';
import type { CellCollected } from './protocol.js';

/** On-demand prices used, with the date they were checked. */
export interface PriceInfo {
  readonly region: string;
  readonly asOf: string;
  readonly usdPerMillionReadUnits: number;
  readonly usdPerMillionWriteUnits: number;
}

/** Everything one `npm run bench` measured. */
export interface BenchRun {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly settings: RunSettings;
  readonly machine: MachineInfo;
  readonly loadAverageAtEnd: readonly number[];
  readonly prices: PriceInfo;
  readonly cells: readonly CellResult[];
  readonly roundTrips: readonly RoundTrip[];
  readonly expiry: readonly ExpiryResult[];
  readonly micro: readonly MicroResult[];
  /** Session lifetimes: both kinds of session in both modes (absent in runs before it existed). */
  readonly lifetimes?: readonly LifetimeResult[];
  /** Fleets: control-plane calls per period by number of store instances (absent in runs before it existed). */
  readonly fleets?: readonly FleetResult[];
  /** User sessions: what the user index costs (absent in runs before it existed, or without Java). */
  readonly userSessions?: UserSessionsResult;
  /** Why a part was skipped (DynamoDB Local without Java), if it was. */
  readonly skipped: readonly string[];
}

/** How the run was sized. */
export interface RunSettings {
  /** Length of one measured slice of a steady-state cell, seconds. */
  readonly measureSeconds: number;
  /** Slices per steady-state cell on dynalite, and on DynamoDB Local. */
  readonly rounds: number;
  readonly localRounds: number;
  readonly warmupSeconds: number;
  readonly rotationMeasureSeconds: number;
  readonly rotationPeriodSeconds: number;
  /** Offered load of the rotation cells, as a share of the store's read-mostly throughput. */
  readonly rotationLoadShare: number;
  /** Rotation windows per store (each a fresh app, tables and boundary), pooled. Absent in runs before it was a setting: 1. */
  readonly rotationWindows?: number;
  /** Connections of the CPU-bound cells (dynalite, DynamoDB Local). */
  readonly connections: number;
  /** Connections of the round-trip-bound cells (dynalite with added latency), and the latency added per call. */
  readonly latencyConnections: number;
  readonly addedLatencyMs: number;
  readonly sessions: number;
  readonly expirySessions: number;
  readonly ttlWatchSeconds: number;
  readonly quick: boolean;
}

/** Figures per request of one cell. */
export interface PerRequest {
  readonly requests: number;
  /** Calls per request by operation (data plane and control plane). */
  readonly calls: Readonly<Record<string, number>>;
  readonly getItem: number;
  /** PutItem + UpdateItem + DeleteItem per request. */
  readonly writes: number;
  readonly readUnits: number;
  readonly writeUnits: number;
  /** On-demand dollars per million requests: read units × read price + write units × write price. */
  readonly usdPerMillion: number;
  /** CPU of the app process per request, microseconds. */
  readonly cpuMicros: number;
  /** CPU of the backend server per request, microseconds; NaN when it was not measured. */
  readonly backendCpuMicros: number;
}

const WRITE_OPS = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'];

/**
 * Divides what windows collected by the number of requests the app received in them (windows
 * start and end with the app idle, so every call counted belongs to one of those requests).
 */
export function perRequest(collected: CellCollected, prices: PriceInfo, backendCpuMicros?: number): PerRequest {
  const counts: CallCounts = collected.counts;
  const requests = collected.appRequests;
  const n = Math.max(1, requests);
  const calls: Record<string, number> = {};
  for (const [op, count] of Object.entries(counts.calls)) calls[op] = count / n;
  const readUnits = counts.readUnits / n;
  const writeUnits = counts.writeUnits / n;
  return {
    requests,
    calls,
    getItem: calls.GetItem ?? 0,
    writes: WRITE_OPS.reduce((sum, op) => sum + (calls[op] ?? 0), 0),
    readUnits,
    writeUnits,
    usdPerMillion: readUnits * prices.usdPerMillionReadUnits + writeUnits * prices.usdPerMillionWriteUnits,
    cpuMicros: (collected.cpuUserMicros + collected.cpuSystemMicros) / n,
    backendCpuMicros: backendCpuMicros === undefined ? Number.NaN : backendCpuMicros / n,
  };
}

/** The cell of a store, workload and backend, if it ran. */
export function findCell(cells: readonly CellResult[], backend: string, store: string, workload: string): CellResult | undefined {
  return cells.find((c) => c.spec.backend === backend && c.spec.store === store && c.spec.workload === workload);
}

/** Dollars of a count of read and write units at on-demand prices. */
export function usdOf(readUnits: number, writeUnits: number, prices: PriceInfo): number {
  return (readUnits * prices.usdPerMillionReadUnits + writeUnits * prices.usdPerMillionWriteUnits) / 1e6;
}
