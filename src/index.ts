// dynamo-session-manager: the public API. Re-exports only.

// The express-session store and the request tracker (the public contract).
export { DynamoSessionStore } from './adapters/express.js';
export { sessionTracker } from './tracker/middleware.js';
export type { SessionTrackerOptions, TrackedStore } from './tracker/middleware.js';

// The framework-neutral core, for other adapters and tools.
export { SessionStore } from './store/index.js';
export type { LoadContext, LoadedSession, SaveHints, SaveResult, InspectedSession, KeyUsage } from './store/index.js';

// User sessions (the user index: `userIdOf`): list a user's sessions, revoke them; the Express
// request helpers (the Fastify and Koa ones are in their subpaths).
export type { UserSession, RevokeOptions, UserIndexAdded } from './store/index.js';
export { USER_INDEX_NAME } from './codec/item-format.js';
export { listMySessions, signOutOtherDevices } from './adapters/express-user-sessions.js';
export type { MySession } from './adapters/user-sessions.js';

// Options.
export type {
  DynamoSessionStoreOptions,
  StoreSettings,
  ExpiryMode,
  BillingMode,
  BackendErrorPolicy,
  IgnorePattern,
  Transport,
  MigrateFromOptions,
  ConnectDynamodbSource,
} from './config/index.js';
export type { EncryptionOptions, EncryptionKey, EncryptionAdapter, CryptoAdapter, EncryptionWriteMode } from './encryption/types.js';
export type { Clock } from './clock.js';
export type { Logger, LogMethod } from './logging/logger.js';
export type { TableInfo, TableRole } from './expiry/strategy.js';

// Errors.
export { SessionManagerError, isSessionManagerError, ERROR_CODES } from './errors.js';
export type { ErrorCode, SessionManagerErrorOptions } from './errors.js';

// Metrics.
export { METRIC } from './metrics/names.js';
export type { MetricsSink } from './metrics/sink.js';
export type { MetricsSnapshot } from './metrics/registry.js';
export type { OpenTelemetryOptions, OpenTelemetryMeterProvider, OpenTelemetryTracerProvider } from './metrics/otel/options.js';

// Capacity and cost.
export { provisionedCapacity, estimateCost, formatUsd, US_EAST_1_STANDARD_PRICES, PRICES_AS_OF } from './capacity/index.js';
export type { ProvisionedCapacity, ProvisionedCapacityInput, CostInput, CostEstimate } from './capacity/index.js';
