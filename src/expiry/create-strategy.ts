import type { StoreSettings } from '../config/resolve-options.js';
import type { Backend, MetricsRecorder } from '../dynamo/backend.js';
import { TableRotation } from './rotation/table-rotation.js';
import type { ExpiryStrategy } from './strategy.js';
import { TtlTable } from './ttl/ttl-table.js';

/** Builds the expiry strategy the options ask for. */
export function createExpiryStrategy(o: StoreSettings, backend: Backend, metrics: MetricsRecorder): ExpiryStrategy {
  const admin = { backend, metrics, logger: o.logger, activeTimeoutMs: o.tableActiveTimeoutMs };
  if (o.expiry === 'ttl') {
    return new TtlTable({ ...admin, tableName: o.tableBaseName, createTables: o.createTables, capacity: o.capacity, userIndex: o.userIndex !== undefined, now: o.now });
  }
  return new TableRotation({
    ...admin,
    baseName: o.tableBaseName,
    periodMs: o.rotationPeriodMs,
    clockSkewMs: o.clockSkewMs,
    operationMs: o.operationTimeoutMs,
    createAheadMs: o.createAheadMs,
    keptPeriods: o.keptPeriods,
    assumeTables: true,
    createTables: o.createTables,
    capacity: o.capacity,
    userIndex: o.userIndex !== undefined,
    now: o.now,
  });
}
