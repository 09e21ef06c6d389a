import { METRIC, type MetricName } from '../names.js';

/**
 * The OpenTelemetry side of the metrics: every instrument the package records through a
 * MeterProvider, and how each statsd name of {@link METRIC} maps onto one of them. This is the
 * only place an OpenTelemetry metric or attribute name is spelt out; `docs/metrics.md` lists the
 * mapping and a unit test checks that the two agree.
 *
 * Durations are in seconds and sizes in bytes (UCUM units, as the semantic conventions ask);
 * statsd keeps milliseconds. Tables are named by their logical base name (`tableBaseName`), never
 * by a rotating physical name, so every attribute keeps a small, fixed set of values.
 */

/** Attribute keys: the semantic conventions' where they apply, `dsm.*` for the store's own. */
export const OTEL_ATTR = {
  /** The database system: always {@link DB_SYSTEM_DYNAMODB}. */
  dbSystemName: 'db.system.name',
  /** The DynamoDB operation, such as `GetItem`. */
  dbOperationName: 'db.operation.name',
  /** The table's logical base name (`tableBaseName`), never the physical name of a period. */
  dbCollectionName: 'db.collection.name',
  /** Why an operation failed: DynamoDB's error name or the package's error code. */
  errorType: 'error.type',
  /** What a load, save or refresh came to (`hit`, `miss`, `put`, `skipped_unchanged`...). */
  outcome: 'dsm.outcome',
  /** Which table a load found its session in: `current`, `previous` or `next`. */
  tableRole: 'dsm.table.role',
  /** `read` or `write` capacity units. */
  capacityKind: 'dsm.capacity.kind',
  /** A short hash of a session id (`id#` and 8 hex digits of its SHA-256), as the logs show it. */
  sessionIdHash: 'dsm.session.id_hash',
} as const;

/** `db.system.name` of DynamoDB in the semantic conventions. */
export const DB_SYSTEM_DYNAMODB = 'aws.dynamodb';

/** The instrumentation scope the package's meter and tracer are named after. */
export const OTEL_SCOPE = 'dynamo-session-manager';

/**
 * Bucket bounds of every duration histogram, in seconds. The semantic conventions advise
 * `[0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10]` for `db.client.operation.duration`; a DynamoDB
 * call takes a few milliseconds, so those bounds keep every one and add finer ones in between,
 * down to half a millisecond.
 */
export const DURATION_BUCKETS_SECONDS = [
  0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const;

/** The kinds of instrument the package creates. */
export type OtelInstrumentKind = 'counter' | 'histogram' | 'gauge';

/** One instrument: kind, UCUM unit and description. */
export interface OtelInstrument {
  readonly kind: OtelInstrumentKind;
  readonly unit: string;
  readonly description: string;
}

/** Every instrument the package records, by name. */
export const OTEL_METRIC = {
  'db.client.operation.duration': { kind: 'histogram', unit: 's', description: 'Duration of one DynamoDB call (each retry is a call of its own).' },
  'dsm.session.load.duration': { kind: 'histogram', unit: 's', description: 'Duration of a session load, from the store being asked to its answer.' },
  'dsm.session.save.duration': { kind: 'histogram', unit: 's', description: 'Duration of a session save (put or update).' },
  'dsm.request.duration': { kind: 'histogram', unit: 's', description: 'Duration of a request seen by the request tracker.' },
  'dsm.session.size': { kind: 'histogram', unit: 'By', description: 'Encoded size of a saved session item.' },
  'dsm.session.loads': { kind: 'counter', unit: '{load}', description: 'Session loads, by outcome and, for hits, by the role of the table the session was found in.' },
  'dsm.session.saves': { kind: 'counter', unit: '{save}', description: 'Session saves, by outcome.' },
  'dsm.session.conflicts': { kind: 'counter', unit: '{conflict}', description: 'Saves that lost a race with a concurrent save.' },
  'dsm.session.merges': { kind: 'counter', unit: '{merge}', description: 'Conflicting saves resolved by merging with the stored session.' },
  'dsm.session.recovered_writes': { kind: 'counter', unit: '{write}', description: 'Conditional writes whose answer was lost but which had been applied.' },
  'dsm.session.fences': { kind: 'counter', unit: '{fence}', description: 'Copies fenced in an older table before their session moved on.' },
  'dsm.session.refreshes': { kind: 'counter', unit: '{refresh}', description: 'Refreshes (touches) of unchanged sessions, by outcome.' },
  'dsm.session.destroys': { kind: 'counter', unit: '{destroy}', description: 'Sessions destroyed.' },
  'dsm.session.degraded': { kind: 'counter', unit: '{request}', description: 'Requests served an unsaved fresh session because DynamoDB failed.' },
  'dsm.tables.created': { kind: 'counter', unit: '{table}', description: 'Session tables created.' },
  'dsm.tables.deleted': { kind: 'counter', unit: '{table}', description: 'Session tables deleted.' },
  'dsm.table.rotations': { kind: 'counter', unit: '{rotation}', description: 'Period rotations completed.' },
  'dsm.maintenance.errors': { kind: 'counter', unit: '{error}', description: 'Background maintenance steps that failed.' },
  'dsm.dynamodb.throttles': { kind: 'counter', unit: '{call}', description: 'DynamoDB calls throttled.' },
  'dsm.dynamodb.retries': { kind: 'counter', unit: '{call}', description: 'DynamoDB calls retried.' },
  'dsm.dynamodb.errors': { kind: 'counter', unit: '{operation}', description: 'DynamoDB operations that failed after their retries.' },
  'dsm.dynamodb.consumed_capacity': { kind: 'counter', unit: '{capacity_unit}', description: 'Capacity units DynamoDB reported consumed, by kind.' },
  'dsm.requests': { kind: 'counter', unit: '{request}', description: 'Requests seen by the request tracker.' },
  'dsm.requests.ignored': { kind: 'counter', unit: '{request}', description: 'Requests the tracker ignored (an ignore rule matched).' },
  'dsm.tables': { kind: 'gauge', unit: '{table}', description: 'Session tables that exist, as maintenance last saw them.' },
  'dsm.session.migrations': { kind: 'counter', unit: '{session}', description: 'Sessions looked for in the store migrated from (migrateFrom), by outcome.' },
  'dsm.session.lifetime_cuts': { kind: 'counter', unit: '{save}', description: 'Saves whose cookie lives longer than longestLifetimeSeconds (cut to it).' },
  'dsm.user.sessions_revoked': { kind: 'counter', unit: '{session}', description: 'Sessions ended by revokes of a user\'s sessions, by how: found in the user index, or at sign-in by the revocation marker.' },
  'dsm.store.background_dropped': { kind: 'counter', unit: '{write}', description: 'Background writes dropped when a bounded close ran out of time.' },
} as const satisfies Record<string, OtelInstrument>;

/** The name of one instrument of {@link OTEL_METRIC}. */
export type OtelMetricName = keyof typeof OTEL_METRIC;

/** Attributes with string values, as this package records them. */
export type OtelAttributes = Readonly<Record<string, string>>;

/**
 * Where one statsd metric goes in OpenTelemetry:
 * - `record`: recorded into `metric` with `attributes` (plus `db.operation.name` from an `op`
 *   tag), and, for session operations, noted on the store operation's span: `spanAttributes`
 *   set on it, or `spanEvent` added to it;
 * - `derived`: recorded elsewhere, with more attributes than the statsd event carries (the
 *   DynamoDB gateway records `db.client.operation.duration` with `error.type` itself); `note`
 *   says how to read the statsd figure from it.
 */
export type OtelRoute =
  | {
      readonly kind: 'record';
      readonly metric: OtelMetricName;
      readonly attributes: OtelAttributes;
      readonly spanAttributes?: OtelAttributes;
      readonly spanEvent?: string;
    }
  | { readonly kind: 'derived'; readonly metric: OtelMetricName; readonly note: string };

function to(metric: OtelMetricName, attributes: OtelAttributes = {}, span: { attributes?: OtelAttributes; event?: string } = {}): OtelRoute {
  return {
    kind: 'record',
    metric,
    attributes,
    ...(span.attributes === undefined ? {} : { spanAttributes: span.attributes }),
    ...(span.event === undefined ? {} : { spanEvent: span.event }),
  };
}

/** Outcome attributes, noted on the metric and on the operation's span alike. */
function outcome(metric: OtelMetricName, value: string, extra: OtelAttributes = {}): OtelRoute {
  const attributes = { [OTEL_ATTR.outcome]: value, ...extra };
  return to(metric, attributes, { attributes });
}

function hit(role: 'current' | 'previous' | 'kept' | 'next'): OtelRoute {
  return outcome('dsm.session.loads', 'hit', { [OTEL_ATTR.tableRole]: role });
}

/** How every statsd metric maps onto OpenTelemetry. */
export const OTEL_ROUTES: Readonly<Record<MetricName, OtelRoute>> = {
  [METRIC.sessionLoad]: to('dsm.session.load.duration'),
  [METRIC.sessionSave]: to('dsm.session.save.duration'),
  [METRIC.requestDuration]: to('dsm.request.duration'),
  [METRIC.dynamodbLatency]: { kind: 'derived', metric: 'db.client.operation.duration', note: 'recorded per call by the DynamoDB gateway, with `error.type` on failed calls' },
  [METRIC.sessionSize]: to('dsm.session.size'),
  [METRIC.sessionLoadHitCurrent]: hit('current'),
  [METRIC.sessionLoadHitPrevious]: hit('previous'),
  [METRIC.sessionLoadHitNext]: hit('next'),
  [METRIC.sessionLoadHitKept]: hit('kept'),
  [METRIC.sessionLoadUndecryptable]: outcome('dsm.session.loads', 'undecryptable'),
  [METRIC.migrateRead]: outcome('dsm.session.migrations', 'read'),
  [METRIC.migrateHit]: outcome('dsm.session.migrations', 'hit'),
  [METRIC.migrateMiss]: outcome('dsm.session.migrations', 'miss'),
  [METRIC.migrateExpired]: outcome('dsm.session.migrations', 'expired'),
  [METRIC.migrateCorrupt]: outcome('dsm.session.migrations', 'corrupt'),
  [METRIC.migrateDestroyed]: outcome('dsm.session.migrations', 'destroyed'),
  [METRIC.sessionLoadMiss]: outcome('dsm.session.loads', 'miss'),
  [METRIC.sessionLoadExpired]: outcome('dsm.session.loads', 'expired'),
  [METRIC.sessionLoadCorrupt]: outcome('dsm.session.loads', 'corrupt'),
  [METRIC.sessionLoadError]: outcome('dsm.session.loads', 'error'),
  [METRIC.sessionLoadInvalidId]: outcome('dsm.session.loads', 'invalid_id'),
  [METRIC.sessionSavePut]: outcome('dsm.session.saves', 'put'),
  [METRIC.sessionSaveUpdate]: outcome('dsm.session.saves', 'update'),
  [METRIC.sessionSaveSkippedUnchanged]: outcome('dsm.session.saves', 'skipped_unchanged'),
  [METRIC.sessionSaveSkippedIgnored]: outcome('dsm.session.saves', 'skipped_ignored'),
  [METRIC.sessionSaveTooLarge]: outcome('dsm.session.saves', 'too_large'),
  [METRIC.sessionSaveError]: outcome('dsm.session.saves', 'error'),
  [METRIC.sessionSaveLifetimeCut]: to('dsm.session.lifetime_cuts'),
  [METRIC.sessionSaveDropped]: outcome('dsm.session.saves', 'dropped'),
  [METRIC.sessionSaveConflict]: to('dsm.session.conflicts', {}, { event: 'dsm.conflict' }),
  [METRIC.sessionSaveMerged]: to('dsm.session.merges', {}, { event: 'dsm.merge' }),
  [METRIC.sessionSaveRecovered]: to('dsm.session.recovered_writes', {}, { event: 'dsm.recovered_write' }),
  [METRIC.sessionFence]: to('dsm.session.fences', {}, { event: 'dsm.fence' }),
  [METRIC.sessionTouchWrite]: outcome('dsm.session.refreshes', 'write'),
  [METRIC.sessionTouchSkipped]: outcome('dsm.session.refreshes', 'skipped'),
  [METRIC.sessionDestroy]: to('dsm.session.destroys'),
  [METRIC.sessionDegraded]: to('dsm.session.degraded', {}, { event: 'dsm.degraded' }),
  [METRIC.tableCreated]: to('dsm.tables.created'),
  [METRIC.tableDeleted]: to('dsm.tables.deleted'),
  [METRIC.tableRotation]: to('dsm.table.rotations'),
  [METRIC.maintenanceError]: to('dsm.maintenance.errors'),
  [METRIC.dynamodbCalls]: { kind: 'derived', metric: 'db.client.operation.duration', note: 'the count of `db.client.operation.duration`' },
  [METRIC.dynamodbThrottled]: to('dsm.dynamodb.throttles'),
  [METRIC.dynamodbError]: to('dsm.dynamodb.errors'),
  [METRIC.dynamodbRetry]: to('dsm.dynamodb.retries'),
  [METRIC.capacityRead]: to('dsm.dynamodb.consumed_capacity', { [OTEL_ATTR.capacityKind]: 'read' }),
  [METRIC.capacityWrite]: to('dsm.dynamodb.consumed_capacity', { [OTEL_ATTR.capacityKind]: 'write' }),
  [METRIC.requestCount]: to('dsm.requests'),
  [METRIC.requestIgnored]: to('dsm.requests.ignored'),
  [METRIC.tablesCount]: to('dsm.tables'),
  [METRIC.storeBackgroundDropped]: to('dsm.store.background_dropped'),
  [METRIC.userSessionRevoked]: outcome('dsm.user.sessions_revoked', 'index'),
  [METRIC.userSignInRevoked]: outcome('dsm.user.sessions_revoked', 'sign_in'),
};

/** The names of the store operations that get a span of their own. */
export const STORE_SPAN = {
  load: 'dsm.session.load',
  save: 'dsm.session.save',
  touch: 'dsm.session.touch',
  destroy: 'dsm.session.destroy',
  maintenance: 'dsm.maintenance',
} as const;

/** A store operation with a span: a key of {@link STORE_SPAN}. */
export type StoreOperation = keyof typeof STORE_SPAN;
