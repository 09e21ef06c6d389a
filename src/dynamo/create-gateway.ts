import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Transport } from '../config/options.js';
import type { ConnectionOptions } from '../config/resolve-options.js';
import type { Logger } from '../logging/logger.js';
import type { Telemetry } from '../metrics/otel/telemetry.js';
import { Backend, type MetricsRecorder } from './backend.js';
import { createClient } from './create-client.js';
import { chooseTransport } from './transport/choose-transport.js';
import { DirectTransport } from './transport/direct-transport.js';

/** Settings of {@link createGateway}: the resolved connection and call settings of a store. */
export interface GatewayOptions {
  /** Where to connect, or the caller's own client (never destroyed by {@link Gateway.close}). */
  readonly connection: ConnectionOptions;
  /** Deadline of one request, milliseconds. */
  readonly requestTimeoutMs: number;
  /** Retries after the first attempt of a retryable failure. */
  readonly maxRetries: number;
  /** Deadline of one operation with all its retries, milliseconds. */
  readonly operationTimeoutMs: number;
  readonly metrics: MetricsRecorder;
  readonly logger: Logger;
  /** How item operations are sent; `auto` picks with `chooseTransport`. */
  readonly transport: Transport;
  /** Spans and durations of each call (OpenTelemetry). @default none */
  readonly telemetry?: Telemetry | undefined;
}

/** A DynamoDB client and the {@link Backend} that sends every call through it. */
export interface Gateway {
  readonly client: DynamoDBClient;
  readonly backend: Backend;
  /** The transport item operations use. */
  readonly transport: 'direct' | 'sdk';
  /** Why that transport was chosen (for the log and `describe()`). */
  readonly transportReason: string;
  /**
   * Destroys the client when this gateway built it; a client the caller gave is left alone.
   * Idempotent, and safe to call detached (`const close = gateway.close`).
   */
  close(): void;
}

/**
 * Builds the client (see `createClient`), picks the transport of item operations (see
 * `chooseTransport`) and the {@link Backend} over both: the one place a store and the CLI get
 * their connection to DynamoDB from.
 *
 * @param options - the resolved connection and call settings.
 * @returns the client, its backend, the transport chosen and a `close` that destroys only a client it built.
 * @example
 * const gateway = createGateway({
 *   connection: { kind: 'settings', endpoint: 'http://127.0.0.1:8000' },
 *   requestTimeoutMs: 1000, maxRetries: 2, operationTimeoutMs: 3000,
 *   metrics, logger: silentLogger, transport: 'auto',
 * });
 * try { await gateway.backend.send('ListTables', {}); } finally { gateway.close(); }
 * @internal
 */
export function createGateway(options: GatewayOptions): Gateway {
  const handle = createClient(options.connection, options.requestTimeoutMs);
  const choice = chooseTransport(options.transport, handle.client);
  const backend = new Backend({
    client: handle.client,
    requestTimeoutMs: options.requestTimeoutMs,
    maxRetries: options.maxRetries,
    operationTimeoutMs: options.operationTimeoutMs,
    metrics: options.metrics,
    logger: options.logger,
    direct: choice.transport === 'direct' ? new DirectTransport(handle.client) : undefined,
    telemetry: options.telemetry,
  });
  let closed = false;
  return {
    client: handle.client,
    backend,
    transport: choice.transport,
    transportReason: choice.reason,
    close: () => {
      if (closed) return;
      closed = true;
      if (handle.owned) handle.client.destroy();
    },
  };
}
