export { resolveOptions } from './resolve-options.js';
export type { ResolvedOptions, StoreSettings, ConnectionOptions, CapacityOptions } from './resolve-options.js';
export { DEFAULTS, EXPIRY_MODES, BILLING_MODES, BACKEND_ERROR_POLICIES, TRANSPORTS } from './defaults.js';
export type { DynamoSessionStoreOptions, ExpiryMode, BillingMode, BackendErrorPolicy, IgnorePattern, Transport } from './options.js';
export { resolveMigrateFrom, CONNECT_DYNAMODB_DEFAULTS } from './migrate-from.js';
export type { MigrateFromOptions, ConnectDynamodbSource, ResolvedConnectDynamodbSource } from './migrate-from.js';
export { resolveUserIndex, defaultDeviceOf } from './user-index-options.js';
export type { ResolvedUserIndex } from './user-index-options.js';
