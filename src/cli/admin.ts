import { resolveOptions } from '../config/resolve-options.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import type { MetricsRecorder } from '../dynamo/backend.js';
import { createGateway } from '../dynamo/create-gateway.js';
import type { TableAdminContext } from '../dynamo/table-admin.js';
import { storeOptionsFor, type CliSettings } from './settings.js';

/** A connection for read-only table administration (ListTables, DescribeTable), outside a store. */
export interface AdminHandle {
  /** What the table helpers of `dynamo/table-admin.ts` need; its backend sends every call. */
  readonly context: TableAdminContext;
  /** Destroys the client. Idempotent. */
  close(): void;
}

const noMetrics: MetricsRecorder = {
  increment: () => undefined,
  timing: () => undefined,
  histogram: () => undefined,
  gauge: () => undefined,
};

/**
 * Opens a `Backend` (through `createGateway`) on the settings' connection, with the CLI's deadlines, for the calls a
 * store does not make on a command's behalf (`dsm status` lists and describes tables itself).
 */
export function openAdmin(settings: CliSettings, logger: Logger = silentLogger): AdminHandle {
  const options = resolveOptions(storeOptionsFor(settings, { createTables: false, logger }));
  const gateway = createGateway({
    connection: options.connection,
    requestTimeoutMs: options.requestTimeoutMs,
    maxRetries: options.maxRetries,
    operationTimeoutMs: options.operationTimeoutMs,
    metrics: noMetrics,
    logger,
    // Table administration sends no item operations, and table operations always go through the SDK.
    transport: 'sdk',
  });
  return {
    context: { backend: gateway.backend, metrics: noMetrics, logger, activeTimeoutMs: options.tableActiveTimeoutMs },
    close: gateway.close,
  };
}
