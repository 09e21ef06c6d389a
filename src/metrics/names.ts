/**
 * Every metric name the package emits, statsd style: dot-separated, no prefix. This is the only
 * place a metric name is spelt out; everything else refers to `METRIC.xxx`. `docs/metrics.md`
 * lists each one, and a unit test checks that the two agree.
 *
 * @example
 * ```ts
 * metrics.increment(METRIC.sessionSavePut);
 * metrics.timing(METRIC.dynamodbLatency, 7, [formatTag(METRIC_TAG.op, 'GetItem')]);
 * ```
 */
export const METRIC = {
  // Timers, in milliseconds.
  /** Timer (ms): one session load, from the store's `get` call to its answer. */
  sessionLoad: 'session.load',
  /** Timer (ms): one session save (put or update), from the store's `set` call to its answer. */
  sessionSave: 'session.save',
  /** Timer (ms): one tracked request, recorded by the request tracker. */
  requestDuration: 'request.duration',
  /** Timer (ms): one DynamoDB call, tagged `op:<Operation>`. */
  dynamodbLatency: 'dynamodb.latency',

  // Histogram, in bytes.
  /** Histogram (bytes): the encoded size of a saved session item. */
  sessionSize: 'session.size',

  // Counters: session loads.
  /** Counter: a session found in the table of the current period. */
  sessionLoadHitCurrent: 'session.load.hit_current',
  /** Counter: a session found in the table of the previous period. */
  sessionLoadHitPrevious: 'session.load.hit_previous',
  /** Counter: background writes (sessions moving forward) still running when a close's grace time ran out; dropped. */
  storeBackgroundDropped: 'store.background_dropped',
  /** Counter: a session found in a table older than the previous one (rotation keeps tables for the longest lifetime). */
  sessionLoadHitKept: 'session.load.hit_kept',
  /** Counter: a session found in the table of the next period (clock skew between servers). */
  sessionLoadHitNext: 'session.load.hit_next',
  /** Counter: no session under the requested id. */
  sessionLoadMiss: 'session.load.miss',
  /** Counter: a session found but past its expiry, treated as missing. */
  sessionLoadExpired: 'session.load.expired',
  /** Counter: a stored item that could not be decoded, treated as missing. */
  sessionLoadCorrupt: 'session.load.corrupt',
  /**
   * Counter: a stored item whose data could not be decrypted (unknown key id, failed
   * authentication, plaintext not accepted, encrypted without keys), treated as missing.
   */
  sessionLoadUndecryptable: 'session.load.undecryptable',
  /** Counter: a load that failed because the backend failed. */
  sessionLoadError: 'session.load.error',
  /** Counter: a load refused without a backend call because the id is malformed. */
  sessionLoadInvalidId: 'session.load.invalid_id',

  // Counters: session saves.
  /** Counter: a save written as a whole item (PutItem). */
  sessionSavePut: 'session.save.put',
  /** Counter: a save written as a partial update (UpdateItem). */
  sessionSaveUpdate: 'session.save.update',
  /** Counter: a save skipped because the session did not change. */
  sessionSaveSkippedUnchanged: 'session.save.skipped_unchanged',
  /** Counter: a save skipped because the request matched an ignore rule. */
  sessionSaveSkippedIgnored: 'session.save.skipped_ignored',
  /** Counter: a save that lost a race with a concurrent save (failed condition check). */
  sessionSaveConflict: 'session.save.conflict',
  /** Counter: a conflicting save resolved by merging with the stored session. */
  sessionSaveMerged: 'session.save.merged',
  /** Counter: a save dropped because another request destroyed the session meanwhile. */
  sessionSaveDropped: 'session.save.dropped',
  /** Counter: a save refused because the encoded item exceeds the size limit. */
  sessionSaveTooLarge: 'session.save.too_large',
  /** Counter: a save whose cookie lives longer than `longestLifetimeSeconds`; its lifetime was cut to it. */
  sessionSaveLifetimeCut: 'session.save.lifetime_cut',
  /** Counter: a save that failed because the backend failed. */
  sessionSaveError: 'session.save.error',
  /** Counter: a conditional write whose answer was lost but which had been applied (recognised by its write id). */
  sessionSaveRecovered: 'session.save.recovered',
  /** Counter: a copy fenced in an older table before its session moved on to a later one. */
  sessionFence: 'session.move.fence',

  // Counters: sessions taken over from another store (`migrateFrom`).
  /** Counter: a legacy item read (GetItem on the old store's table). */
  migrateRead: 'session.migrate.read',
  /** Counter: a session served from the old store and moving into this one. */
  migrateHit: 'session.migrate.hit',
  /** Counter: a load that found nothing in this store's tables nor in the old store. */
  migrateMiss: 'session.migrate.miss',
  /** Counter: a legacy session past connect-dynamodb's expiry, treated as missing. */
  migrateExpired: 'session.migrate.expired',
  /** Counter: a legacy item that cannot be served (not JSON, no cookie...), treated as missing. */
  migrateCorrupt: 'session.migrate.corrupt',
  /** Counter: a legacy copy deleted by a destroy. */
  migrateDestroyed: 'session.migrate.destroyed',

  // Counters: touch, destroy, degraded service.
  /** Counter: a touch that wrote a new expiry. */
  sessionTouchWrite: 'session.touch.write',
  /** Counter: a touch skipped because the expiry was recent enough. */
  sessionTouchSkipped: 'session.touch.skipped',
  /** Counter: a session destroyed. */
  sessionDestroy: 'session.destroy',
  /** Counter: a request served an unsaved fresh session because the backend failed. */
  sessionDegraded: 'session.degraded',

  // Counters: user sessions (the user index, `userIdOf`).
  /** Counter: a session ended by `revokeUserSessions` (sign out everywhere, sign out other devices). */
  userSessionRevoked: 'user.session_revoked',
  /** Counter: a sign-in ended right after its write because a revoke of its user covers it (the index had not shown it yet). */
  userSignInRevoked: 'user.sign_in_revoked',

  // Counters: tables and maintenance.
  /** Counter: a session table created (rotation or setup). */
  tableCreated: 'table.created',
  /** Counter: a session table deleted (rotation or cleanup). */
  tableDeleted: 'table.deleted',
  /** Counter: a period rotation completed. */
  tableRotation: 'table.rotation',
  /** Counter: a background maintenance step (rotation, cleanup) that failed. */
  maintenanceError: 'maintenance.error',

  // Counters: DynamoDB calls, tagged `op:<Operation>`.
  /** Counter: a DynamoDB call sent, tagged `op:<Operation>`. */
  dynamodbCalls: 'dynamodb.calls',
  /** Counter: a DynamoDB call throttled, tagged `op:<Operation>`. */
  dynamodbThrottled: 'dynamodb.throttled',
  /** Counter: a DynamoDB call that failed, tagged `op:<Operation>`. */
  dynamodbError: 'dynamodb.error',
  /** Counter: a DynamoDB call retried, tagged `op:<Operation>`. */
  dynamodbRetry: 'dynamodb.retry',
  /** Counter: read capacity units consumed; incremented by the units (may be fractional). */
  capacityRead: 'capacity.read',
  /** Counter: write capacity units consumed; incremented by the units (may be fractional). */
  capacityWrite: 'capacity.write',

  // Counters: requests.
  /** Counter: a request seen by the request tracker. */
  requestCount: 'request.count',
  /** Counter: a request the tracker ignored (an ignore rule matched). */
  requestIgnored: 'request.ignored',

  // Gauges.
  /** Gauge: the number of session tables that exist, as last seen by maintenance. */
  tablesCount: 'tables.count',
} as const;

/** One metric name: a value of {@link METRIC}. */
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** The kinds of metric, as statsd knows them. */
export const METRIC_KINDS = ['counter', 'timer', 'histogram', 'gauge'] as const;

/** One of {@link METRIC_KINDS}. */
export type MetricKind = (typeof METRIC_KINDS)[number];

/** The units metrics are recorded in. */
export const METRIC_UNITS = ['ms', 'bytes', 'count', 'capacity units', 'tables'] as const;

/** One of {@link METRIC_UNITS}. */
export type MetricUnit = (typeof METRIC_UNITS)[number];

/** Tag keys the package uses; a tag is sent as `key:value`. */
export const METRIC_TAG = {
  /** The DynamoDB operation, such as `GetItem` or `PutItem`. */
  op: 'op',
} as const;

/** One of the values of {@link METRIC_TAG}. */
export type MetricTagKey = (typeof METRIC_TAG)[keyof typeof METRIC_TAG];

/** What kind a metric is, its unit and the tag keys it may carry. */
export interface MetricInfo {
  readonly kind: MetricKind;
  readonly unit: MetricUnit;
  readonly tagKeys: readonly MetricTagKey[];
}

const NO_TAGS = [] as const;
const OP_TAG = [METRIC_TAG.op] as const;

/**
 * Kind, unit and tag keys of every metric in {@link METRIC}. The registry builds its cells from
 * this table, and the facade's method signatures accept only names of the matching kind.
 */
export const METRIC_INFO = {
  [METRIC.sessionLoad]: { kind: 'timer', unit: 'ms', tagKeys: NO_TAGS },
  [METRIC.sessionSave]: { kind: 'timer', unit: 'ms', tagKeys: NO_TAGS },
  [METRIC.requestDuration]: { kind: 'timer', unit: 'ms', tagKeys: NO_TAGS },
  [METRIC.dynamodbLatency]: { kind: 'timer', unit: 'ms', tagKeys: OP_TAG },
  [METRIC.sessionSize]: { kind: 'histogram', unit: 'bytes', tagKeys: NO_TAGS },
  [METRIC.sessionLoadHitCurrent]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.sessionLoadHitPrevious]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.storeBackgroundDropped]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.sessionLoadHitKept]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.sessionLoadHitNext]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.sessionLoadMiss]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.sessionLoadExpired]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.sessionLoadCorrupt]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.sessionLoadUndecryptable]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.sessionLoadError]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.sessionLoadInvalidId]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.sessionSavePut]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.sessionSaveUpdate]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.sessionSaveSkippedUnchanged]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.sessionSaveSkippedIgnored]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.sessionSaveConflict]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.sessionSaveMerged]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.sessionSaveDropped]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.sessionSaveTooLarge]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.sessionSaveLifetimeCut]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.sessionSaveError]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.sessionSaveRecovered]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.sessionFence]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.migrateRead]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.migrateHit]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.migrateMiss]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.migrateExpired]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.migrateCorrupt]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.migrateDestroyed]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.sessionTouchWrite]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.sessionTouchSkipped]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.sessionDestroy]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.sessionDegraded]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.userSessionRevoked]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.userSignInRevoked]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.tableCreated]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.tableDeleted]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.tableRotation]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.maintenanceError]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.dynamodbCalls]: { kind: 'counter', unit: 'count', tagKeys: OP_TAG },
  [METRIC.dynamodbThrottled]: { kind: 'counter', unit: 'count', tagKeys: OP_TAG },
  [METRIC.dynamodbError]: { kind: 'counter', unit: 'count', tagKeys: OP_TAG },
  [METRIC.dynamodbRetry]: { kind: 'counter', unit: 'count', tagKeys: OP_TAG },
  [METRIC.capacityRead]: { kind: 'counter', unit: 'capacity units', tagKeys: OP_TAG },
  [METRIC.capacityWrite]: { kind: 'counter', unit: 'capacity units', tagKeys: OP_TAG },
  [METRIC.requestCount]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.requestIgnored]: { kind: 'counter', unit: 'count', tagKeys: NO_TAGS },
  [METRIC.tablesCount]: { kind: 'gauge', unit: 'tables', tagKeys: NO_TAGS },
} as const satisfies Record<MetricName, MetricInfo>;

/** The names of the metrics of one kind. */
export type MetricNameOfKind<K extends MetricKind> = {
  [N in MetricName]: (typeof METRIC_INFO)[N]['kind'] extends K ? N : never;
}[MetricName];

/** A counter's name, for {@link Metrics.increment}. */
export type CounterName = MetricNameOfKind<'counter'>;
/** A timer's name (milliseconds), for {@link Metrics.timing}. */
export type TimerName = MetricNameOfKind<'timer'>;
/** A histogram's name, for {@link Metrics.histogram}. */
export type HistogramName = MetricNameOfKind<'histogram'>;
/** A gauge's name, for {@link Metrics.gauge}. */
export type GaugeName = MetricNameOfKind<'gauge'>;

/**
 * Upper bounds, in bytes, of the `session.size` histogram buckets. A value falls into the first
 * bucket whose bound it does not exceed; values above the last bound (400 KiB, DynamoDB's item
 * limit) fall into a final unbounded bucket.
 */
export const SESSION_SIZE_BUCKETS_BYTES = [
  256, 512, 1024, 2048, 4096, 8192, 16_384, 32_768, 65_536, 131_072, 262_144, 409_600,
] as const;

/** Bucket upper bounds of every histogram in {@link METRIC}, in the histogram's unit. */
export const HISTOGRAM_BUCKETS: Readonly<Record<HistogramName, readonly number[]>> = {
  [METRIC.sessionSize]: SESSION_SIZE_BUCKETS_BYTES,
};

const TAG_UNSAFE = /[,|#\n\r]/g;

/**
 * Formats one tag as `key:value`, replacing characters that would break the statsd line
 * (`,` `|` `#` and line breaks) in the value with `_`.
 *
 * @param key - a tag key from {@link METRIC_TAG}.
 * @param value - the tag's value, such as a DynamoDB operation name.
 * @returns the tag, such as `op:GetItem`.
 * @example
 * ```ts
 * formatTag(METRIC_TAG.op, 'GetItem'); // 'op:GetItem'
 * ```
 */
export function formatTag(key: MetricTagKey, value: string): string {
  return `${key}:${value.replace(TAG_UNSAFE, '_')}`;
}
