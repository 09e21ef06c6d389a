import { createClient } from '../dynamo/create-client.js';
import { resolveOptions } from '../config/resolve-options.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import { Backend, type MetricsRecorder } from '../dynamo/backend.js';
import type { TableAdminContext } from '../dynamo/table-admin.js';
import { storeOptionsFor, type CliSettings } from './settings.js';

/** A connection for read-only table administration (ListTables, DescribeTable), outside a store. */
export interface AdminHandle {
  /** What the table helpers of `expiry/table-admin.ts` need; its backend sends every call. */
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
 * Opens a {@link Backend} on the settings' connection, with the CLI's deadlines, for the calls a
 * store does not make on a command's behalf (`dsm status` lists and describes tables itself).
 */
export function openAdmin(settings: CliSettings, logger: Logger = silentLogger): AdminHandle {
  const options = resolveOptions(storeOptionsFor(settings, { createTables: false, logger }));
  const handle = createClient(options.connection, options.requestTimeoutMs);
  const backend = new Backend({
    client: handle.client,
    requestTimeoutMs: options.requestTimeoutMs,
    maxRetries: options.maxRetries,
    operationTimeoutMs: options.operationTimeoutMs,
    metrics: noMetrics,
    logger,
  });
  let closed = false;
  return {
    context: { backend, metrics: noMetrics, logger, activeTimeoutMs: options.tableActiveTimeoutMs },
    close: () => {
      if (closed) return;
      closed = true;
      if (handle.owned) handle.client.destroy();
    },
  };
}
