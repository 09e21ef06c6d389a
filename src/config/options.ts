import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Clock } from '../clock.js';
import type { SessionRecord } from '../codec/codec.js';
import type { EncryptionOptions } from '../encryption/types.js';
import type { Logger } from '../logging/logger.js';
import type { MetricsSink } from '../metrics/sink.js';
import type { MigrateFromOptions } from './migrate-from.js';
import type { OpenTelemetryOptions } from '../metrics/otel/options.js';
import type { BACKEND_ERROR_POLICIES, BILLING_MODES, EXPIRY_MODES, TRANSPORTS } from './defaults.js';

/** How sessions expire: `rotation` (one table per period) or `ttl` (one table, native TTL). */
export type ExpiryMode = (typeof EXPIRY_MODES)[number];
/** DynamoDB billing mode of the tables the store creates. */
export type BillingMode = (typeof BILLING_MODES)[number];
/** What a request gets when DynamoDB fails: an error (`fail`) or a fresh unsaved session (`anonymous`). */
export type BackendErrorPolicy = (typeof BACKEND_ERROR_POLICIES)[number];
/**
 * How the store sends its item operations (GetItem, PutItem, UpdateItem, DeleteItem):
 * `direct` signs them with the client's credentials and sends them through the client's request
 * handler, without the SDK's middleware stack (about half the CPU per call); `sdk` sends them
 * with `client.send`; `auto` is `direct` unless the client carries added middleware or a
 * replaced `send`. Table operations always use `client.send`.
 */
export type Transport = (typeof TRANSPORTS)[number];
/** An ignore rule: a regular expression source string or a `RegExp`, matched against the whole value. */
export type IgnorePattern = string | RegExp;

/**
 * Options of `DynamoSessionStore`. All are optional and validated at construction: a bad value
 * throws `config.invalidOption` naming the option, an unknown key throws `config.unknownOption`.
 */
export interface DynamoSessionStoreOptions {
  /** Prefix of every table name; rotated tables are `<tableBaseName>_<yyyyMMdd_HHmmss>`. @default 'sessions' */
  tableBaseName?: string;
  /**
   * Idle timeout, in seconds, of sessions whose cookie has no expiry (browser-session cookies).
   * A session whose cookie has an expiry (`cookie.maxAge`, remember-me) lives until that expiry.
   * @default 3600
   */
  maxInactiveInterval?: number;
  /**
   * The longest a session may live after its last write, in seconds: a cookie expiry further out
   * is cut to it (counted as `session.save.lifetimeCut`). Rotation keeps each table this long.
   * @default 30 days with `expiry: 'rotation'` (30 periods when `tableRotationSeconds` is set,
   *   at most 30 days); 400 days (the longest cookie lifetime browsers accept) with `'ttl'`
   */
  longestLifetimeSeconds?: number;
  /**
   * Absolute timeout, in seconds: a session is never served longer than this after it was
   * created, however active (OWASP ASVS 5.0). Off when not set.
   */
  absoluteTimeoutSeconds?: number;
  /**
   * Length of one rotation period, in seconds; implies `expiry: 'rotation'`.
   * @default the larger of `maxInactiveInterval` and `longestLifetimeSeconds / 30` (1 day with the defaults)
   */
  tableRotationSeconds?: number;
  /** Eventually consistent reads: half the read cost, may miss a write made a moment ago. @default false */
  eventualConsistency?: boolean;
  /** Expiry strategy. @default 'ttl', or 'rotation' when `tableRotationSeconds` is set */
  expiry?: ExpiryMode;

  /** DynamoDB endpoint URL, for DynamoDB Local, dynalite or ScyllaDB Alternator. @default the AWS endpoint of `region` */
  dynamoEndpoint?: string;
  /** AWS region. @default the SDK's default chain (AWS_REGION); 'us-east-1' with a `dynamoEndpoint` */
  region?: string;
  /** Access key id; with `awsSecretKey`. @default the SDK's default credential chain */
  awsAccessKey?: string;
  /** Secret access key; with `awsAccessKey`. */
  awsSecretKey?: string;
  /** An existing client, used as is and never destroyed by the store. Excludes the four options above. */
  client?: DynamoDBClient;
  /** How item operations are sent; see {@link Transport}. @default 'auto' */
  transport?: Transport;

  /** Billing mode of created tables. @default 'PAY_PER_REQUEST', or 'PROVISIONED' when capacity options are given */
  billingMode?: BillingMode;
  /** Expected peak requests per second, cluster-wide, to size provisioned tables; with `sessionSize`. */
  requestsPerSecond?: number;
  /** Expected session size in kB, to size provisioned tables; with `requestsPerSecond`. */
  sessionSize?: number;
  /** Explicit provisioned read capacity units; with `writeCapacity`. */
  readCapacity?: number;
  /** Explicit provisioned write capacity units; with `readCapacity`. */
  writeCapacity?: number;
  /** Create and delete tables. When false the store only uses existing tables. @default true */
  createTables?: boolean;

  /** The clock, epoch milliseconds. @default Date.now */
  now?: Clock;
  /** A pino-compatible logger. @default silent */
  logger?: Logger;
  /** At debug level, log attribute names on load and names with masked values on save. @default false */
  logSessionContents?: boolean;
  /** Extra session keys whose values are masked in logs and the inspector (substring, case-insensitive). @default [] */
  secretKeys?: readonly string[];

  /** Requests whose whole path matches are never written. @default undefined */
  ignoreUris?: IgnorePattern;
  /** Requests with a header whose whole name matches (case-insensitive) are never written. @default undefined */
  ignoreHeaders?: IgnorePattern;
  /** Alias of `ignoreUris`, the Tomcat original's attribute name. */
  ignoreUri?: IgnorePattern;
  /** Alias of `ignoreHeaders`, the Tomcat original's attribute name. */
  ignoreHeader?: IgnorePattern;

  /** statsd host; metrics are sent only when set. @default undefined */
  statsdHost?: string;
  /** statsd UDP port. @default 8125 */
  statsdPort?: number;
  /** Prefix of every statsd metric. @default `dynamo.<hostname>` */
  statsdPrefix?: string;
  /** A metrics sink such as a hot-shots `StatsD` client; excludes `statsdHost`. */
  metricsSink?: MetricsSink;
  /**
   * OpenTelemetry metrics and spans, beside statsd (docs/metrics.md). Left out, they go to the
   * global providers when `@opentelemetry/api` is installed, and nothing is loaded when it is not;
   * `false` turns them off; `true`, or your own `meterProvider` / `tracerProvider`, requires the API.
   * @default undefined (used when `@opentelemetry/api` is installed)
   */
  openTelemetry?: boolean | OpenTelemetryOptions;

  /**
   * Refresh interval cap, in seconds: an unchanged session whose expiry would move is refreshed
   * once its expiry would gain this much, or a tenth of its lifetime when that is shorter.
   * @default maxInactiveInterval / 10
   */
  touchAfterSeconds?: number;
  /** How far apart servers' clocks may be, in seconds; near a period boundary reads also look at the neighbouring table. @default 10 */
  clockSkewSeconds?: number;
  /**
   * Serverless mode (AWS Lambda): no timers, no DynamoDB work after a response (an unchanged
   * session moves forward within its request), no control-plane call from the store (tables are
   * derived from the clock; a missing one is learnt from the data plane); table maintenance runs
   * elsewhere (`dynamo-session-manager/lambda`'s handler on a schedule, or `dsm maintain`).
   * @default true when `AWS_LAMBDA_FUNCTION_NAME` is set, else false
   */
  serverless?: boolean;
  /**
   * On SIGTERM, close the store within a second (background writes not done by then are dropped,
   * logged and counted), then let the signal end the process as it would have.
   * @default serverless
   */
  closeOnSigterm?: boolean;
  /** Interval of the background maintenance, in seconds; 0 turns the timer off. @default tableRotationSeconds / 10, between 0.25 and 60 */
  maintenanceIntervalSeconds?: number;
  /** How long to wait for a new table to become ACTIVE, in seconds. @default 300 */
  tableActiveTimeoutSeconds?: number;

  /** Deadline of one DynamoDB call attempt, in milliseconds. @default 2000 */
  requestTimeoutMs?: number;
  /** Retries of a failed retryable call, with jittered backoff. @default 2 */
  maxRetries?: number;
  /** Deadline of one store operation (get, set, touch, destroy) with all its calls and retries, in milliseconds. @default 4000 */
  operationTimeoutMs?: number;
  /** Re-read-and-merge rounds after a version conflict before the save fails with `store.conflict`. @default 12 */
  maxConflictRetries?: number;
  /** What a request gets when DynamoDB fails. @default 'fail' */
  onBackendError?: BackendErrorPolicy;

  /**
   * Take sessions over from another store without signing anyone out (docs/migration.md): a load
   * that finds nothing in this store's tables reads connect-dynamodb's item, serves it if it has
   * not expired, and moves it here; a destroy deletes it there too. Remove the option once the
   * old store's longest session lifetime has passed (`dsm migrate --dry-run` tells when).
   * @default undefined
   */
  migrateFrom?: MigrateFromOptions;
  /**
   * Client-side encryption of the session data (AES-256-GCM with key ids and rotation, or keys
   * managed elsewhere through an adapter); see docs/security.md. @default undefined (plaintext)
   */
  encryption?: EncryptionOptions;

  /**
   * The user a session belongs to, for the user index (docs/user-sessions.md): for example
   * `(s) => s.passport?.user`. When it returns a non-empty id (a string, or a number taken as its
   * decimal text), the stored item carries the indexed attribute `uid`; `undefined` (signed out)
   * leaves it out. A function that throws is logged, and the session keeps the user it had.
   * @default undefined (no user index)
   */
  userIdOf?: (session: SessionRecord) => string | number | undefined;
  /**
   * The user index: every table the store creates gets the `uid-index` global secondary index,
   * `ready()` checks the tables in use have it, and `listUserSessions` / `revokeUserSessions`
   * work. `true` without `userIdOf` is a store that only reads the index (`dsm`).
   * @default true when `userIdOf` is set, else false
   */
  userIndex?: boolean;
  /**
   * Hashed mode: the index holds `hmac:` and an HMAC-SHA256 of each user id under this key (at
   * least 16 bytes; a string counts its UTF-8 bytes), never the raw id. Every server, and `dsm`
   * (`DSM_USER_ID_KEY`), needs the same key. @default undefined (user ids stored as they are)
   */
  userIdKey?: string | Uint8Array;
  /**
   * The device facts `listUserSessions` shows for a session (user agent, IP...).
   * @default the session's `device` key when it is a plain object, else undefined
   */
  deviceOf?: (session: SessionRecord) => Readonly<Record<string, unknown>> | undefined;
  /**
   * Delay before a revoke's second pass over the index, in milliseconds: the index is eventually
   * consistent, and the second pass ends sessions it showed late. @default 2000
   */
  revokeSecondPassMs?: number;
}
