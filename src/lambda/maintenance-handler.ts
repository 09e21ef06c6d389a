import type { DynamoSessionStoreOptions } from '../config/options.js';
import type { TableInfo } from '../expiry/strategy.js';
import { METRIC } from '../metrics/names.js';
import { SessionStore } from '../store/index.js';

/**
 * The parts of an EventBridge scheduled event the handler reads (it needs none of them: every
 * invocation runs one full round, whatever its schedule). Any event is accepted, so the same
 * handler also serves a manual `aws lambda invoke`.
 */
export interface ScheduledEvent {
  readonly 'detail-type'?: string;
  readonly time?: string;
  readonly [key: string]: unknown;
}

/** What one maintenance round did: returned by the handler, so it shows in the invocation's result. */
export interface MaintenanceSummary {
  /** Tables created by this round (the next period's, or the first one). */
  readonly tablesCreated: number;
  /** Tables deleted by this round (older than the longest lifetime). */
  readonly tablesDeleted: number;
  /** The session tables the store knows after the round, with their roles. */
  readonly tables: readonly TableInfo[];
  /** How long the round took, in milliseconds. */
  readonly durationMs: number;
}

/**
 * The scheduled maintenance handler: an async function `(event) => summary` that Lambda calls,
 * with the store it maintains through (reused across invocations of a warm environment) and a way
 * to close it.
 */
export interface MaintenanceHandler {
  (event?: ScheduledEvent | null, context?: unknown): Promise<MaintenanceSummary>;
  /** The store the rounds run through (serverless: no timer runs between invocations). */
  readonly store: SessionStore;
  /** Closes the store (idempotent). Lambda never needs it; tests and scripts do. */
  close(): Promise<void>;
}

/**
 * Builds the handler of a scheduled Lambda function (an EventBridge rule such as `rate(5 minutes)`)
 * that maintains the session tables of a serverless deployment: each invocation runs one full
 * maintenance round (the same round as `SessionStore.maintain()` and `dsm maintain`): creates the
 * next period's table ahead of it, deletes tables past the longest lifetime; in TTL mode creates
 * the table and turns TTL on. Only this function needs the maintainer's IAM policy
 * (`dsm iam-policy --role maintainer`); the functions serving requests need item actions only.
 *
 * The store is built once, when the module is loaded (a cold start), in serverless mode whatever
 * `serverless` says: no timer is left between invocations, and the frozen environment is reused
 * by the next one. A failed round rejects, so Lambda counts the invocation as failed (and retries
 * it); the next round starts afresh.
 *
 * @param options - the same options as the request path's store (table base name, expiry,
 *   rotation, longest lifetime, client or endpoint); `serverless` is forced on and
 *   `maintenanceIntervalSeconds` must be unset or 0.
 * @returns the handler, to export as the function's handler.
 * @throws {SessionManagerError} `config.*` for invalid options, at once.
 *
 * @example
 * ```ts
 * import { createMaintenanceHandler } from 'dynamo-session-manager/lambda';
 * export const handler = createMaintenanceHandler({ tableBaseName: 'sessions', expiry: 'rotation' });
 * ```
 */
export function createMaintenanceHandler(options: DynamoSessionStoreOptions = {}): MaintenanceHandler {
  const store = new SessionStore({ ...options, serverless: true });
  const counter = (name: typeof METRIC.tableCreated | typeof METRIC.tableDeleted): number => store.metrics().counters[name].total;
  const handler = async function maintainSessionTables(): Promise<MaintenanceSummary> {
    const startedMs = performance.now();
    const created = counter(METRIC.tableCreated);
    const deleted = counter(METRIC.tableDeleted);
    await store.maintain();
    return {
      tablesCreated: counter(METRIC.tableCreated) - created,
      tablesDeleted: counter(METRIC.tableDeleted) - deleted,
      tables: store.tables(),
      durationMs: Math.round(performance.now() - startedMs),
    };
  };
  return Object.assign(handler, { store, close: () => store.close() });
}
