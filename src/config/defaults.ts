import { SESSION_ID_PATTERN } from '../codec/session-id.js';
import type { EncryptionWriteMode } from '../encryption/types.js';
import { DEFAULT_STATSD_PORT } from '../metrics/options.js';

/** Every default of the store's options, in one place. Durations carry their unit. */
export const DEFAULTS = Object.freeze({
  tableBaseName: 'sessions',
  maxInactiveIntervalSeconds: 3600,
  eventualConsistency: false,
  expiry: 'ttl',
  /** Longest lifetime after the last write in rotation mode: 30 days (30 periods when the period is given). */
  longestLifetimeRotationSeconds: 30 * 86_400,
  /** Longest lifetime after the last write in TTL mode: 400 days, the cap browsers put on cookie lifetimes (RFC 6265bis). */
  longestLifetimeTtlSeconds: 400 * 86_400,
  /** Default rotation period: at least this share of the longest lifetime (so at most 30 tables are kept). */
  keptPeriodsDefault: 30,
  /** Most periods rotation may keep: a miss reads every kept table. */
  keptPeriodsMax: 100,
  billingMode: 'PAY_PER_REQUEST',
  createTables: true,
  /** Share of the idle timeout after which an unchanged session is refreshed. */
  touchAfterFraction: 0.1,
  /** How far apart the clocks of two servers may be. */
  clockSkewSeconds: 10,
  /** Upper bound of how early the next period's table is created. */
  createAheadMaxSeconds: 300,
  /** Upper bound of the interval between two background maintenance rounds. */
  maintenanceIntervalMaxSeconds: 60,
  tableActiveTimeoutSeconds: 300,
  requestTimeoutMs: 2000,
  maxRetries: 2,
  operationTimeoutMs: 4000,
  maxConflictRetries: 12,
  onBackendError: 'fail',
  transport: 'auto',
  /** Defined beside the statsd rules it belongs to (`resolveStatsdOptions` applies it); listed here for reference. */
  statsdPort: DEFAULT_STATSD_PORT,
  logSessionContents: false,
  /** DynamoDB's item size limit, 400 KB. */
  maxItemBytes: 409_600,
  /** Session ids: printable, no spaces, 8 to 256 characters. */
  sessionIdPattern: SESSION_ID_PATTERN,
  /** What an encrypting store writes, and the key id of a connect-mongo-shaped `cryptoAdapter`. */
  encryptionWrite: 'encrypted',
  cryptoAdapterKeyId: 'crypto-adapter',
  /** Delay of a revoke's second pass over the user index (which is eventually consistent). */
  revokeSecondPassMs: 2000,
  /** The session key `listUserSessions` reads the device facts from, unless `deviceOf` is given. */
  deviceKey: 'device',
  secretKeyPatterns: ['password', 'passwd', 'secret', 'token', 'key', 'auth', 'card', 'cvv', 'ssn'],
} as const);

/** The allowed values of `expiry`. */
export const EXPIRY_MODES = ['rotation', 'ttl'] as const;
/** The allowed values of `billingMode`. */
export const BILLING_MODES = ['PAY_PER_REQUEST', 'PROVISIONED'] as const;
/** The allowed values of `onBackendError`. */
export const BACKEND_ERROR_POLICIES = ['fail', 'anonymous'] as const;
/** The allowed values of `transport`. */
export const TRANSPORTS = ['auto', 'direct', 'sdk'] as const;
/** The allowed values of `encryption.write`. */
export const ENCRYPTION_WRITE_MODES = ['encrypted', 'plaintext'] as const satisfies readonly EncryptionWriteMode[];
