import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { systemClock, type Clock } from '../clock.js';
import { provisionedCapacity } from '../capacity/provisioning.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import type { MetricsSink } from '../metrics/sink.js';
import { resolveStatsdOptions, type ResolvedStatsdOptions } from '../metrics/options.js';
import type { SessionCipher } from '../encryption/session-cipher.js';
import { resolveEncryption } from './encryption-options.js';
import type { ResolvedOpenTelemetryOptions } from '../metrics/otel/options.js';
import { resolveOpenTelemetryOption } from './open-telemetry.js';
import { resolveIgnoreOptions } from './ignore-rules.js';
import { resolveMigrateFrom, type ResolvedConnectDynamodbSource } from './migrate-from.js';
import { resolveUserIndex, type ResolvedUserIndex } from './user-index-options.js';
import { BACKEND_ERROR_POLICIES, BILLING_MODES, DEFAULTS, EXPIRY_MODES, TRANSPORTS } from './defaults.js';
import type { BackendErrorPolicy, DynamoSessionStoreOptions, ExpiryMode, Transport } from './options.js';
import {
  conflictingOptions,
  invalidOption,
  readBoolean,
  readEnum,
  readFunction,
  readNumber,
  readString,
  rejectUnknownKeys,
} from './validate.js';

/** How the store reaches DynamoDB: a client given by the caller, or settings to build one. */
export type ConnectionOptions =
  | { readonly kind: 'client'; readonly client: DynamoDBClient }
  | {
      readonly kind: 'settings';
      readonly endpoint?: string;
      readonly region?: string;
      readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
    };

/** The resolved options without how the store reaches DynamoDB: what the store keeps and shows (no credentials). */
export type StoreSettings = Omit<ResolvedOptions, 'connection'>;

/** Capacity of the tables the store creates. */
export type CapacityOptions =
  | { readonly billingMode: 'PAY_PER_REQUEST' }
  | {
      readonly billingMode: 'PROVISIONED';
      readonly readCapacityUnits: number;
      readonly writeCapacityUnits: number;
      readonly source: 'explicit' | 'formula';
    };

/** The store's options with every default applied, validated and frozen. Times in milliseconds. */
export interface ResolvedOptions {
  readonly tableBaseName: string;
  /** Idle timeout of sessions whose cookie has no expiry. */
  readonly maxInactiveMs: number;
  /** The longest a session may live after its last write. */
  readonly longestLifetimeMs: number;
  /** Absolute timeout from creation, when set. */
  readonly absoluteTimeoutMs: number | undefined;
  readonly rotationPeriodMs: number;
  /** Rotation: how many periods before the current one a table is kept (1: the previous only). */
  readonly keptPeriods: number;
  readonly eventualConsistency: boolean;
  readonly expiry: ExpiryMode;
  readonly connection: ConnectionOptions;
  readonly capacity: CapacityOptions;
  readonly createTables: boolean;
  readonly now: Clock;
  readonly logger: Logger;
  readonly logSessionContents: boolean;
  readonly secretKeyPatterns: readonly string[];
  readonly ignoreUris: RegExp | undefined;
  readonly ignoreHeaders: RegExp | undefined;
  readonly statsd: ResolvedStatsdOptions | undefined;
  readonly metricsSink: MetricsSink | undefined;
  readonly openTelemetry: ResolvedOpenTelemetryOptions;
  readonly touchAfterMs: number;
  readonly clockSkewMs: number;
  /** Serverless mode: no timers, no work after a response, no control-plane call from the store. */
  readonly serverless: boolean;
  /** Close within a second on SIGTERM. */
  readonly closeOnSigterm: boolean;
  readonly maintenanceIntervalMs: number;
  readonly createAheadMs: number;
  readonly tableActiveTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxRetries: number;
  readonly operationTimeoutMs: number;
  readonly maxConflictRetries: number;
  readonly onBackendError: BackendErrorPolicy;
  readonly transport: Transport;
  readonly maxItemBytes: number;
  readonly sessionIdPattern: RegExp;
  /** The store sessions are taken over from (`migrateFrom`), or undefined. */
  readonly migrateFrom: ResolvedConnectDynamodbSource | undefined;
  /** Client-side encryption of the session data; undefined when off. Shows key ids, never keys. */
  readonly encryption: SessionCipher | undefined;
  /** The user index (`userIdOf`, `userIndex`...); undefined when off. Never shows the `userIdKey`. */
  readonly userIndex: ResolvedUserIndex | undefined;
}

const KNOWN_OPTIONS = [
  'tableBaseName', 'maxInactiveInterval', 'longestLifetimeSeconds', 'absoluteTimeoutSeconds', 'tableRotationSeconds', 'eventualConsistency', 'expiry',
  'dynamoEndpoint', 'region', 'awsAccessKey', 'awsSecretKey', 'client', 'transport',
  'billingMode', 'requestsPerSecond', 'sessionSize', 'readCapacity', 'writeCapacity', 'createTables',
  'now', 'logger', 'logSessionContents', 'secretKeys',
  'ignoreUris', 'ignoreHeaders', 'ignoreUri', 'ignoreHeader',
  'statsdHost', 'statsdPort', 'statsdPrefix', 'metricsSink', 'openTelemetry',
  'touchAfterSeconds', 'clockSkewSeconds', 'serverless', 'closeOnSigterm', 'maintenanceIntervalSeconds', 'tableActiveTimeoutSeconds',
  'requestTimeoutMs', 'maxRetries', 'operationTimeoutMs', 'maxConflictRetries', 'onBackendError',
  'migrateFrom',
  'encryption',
  'userIdOf', 'userIndex', 'userIdKey', 'deviceOf', 'revokeSecondPassMs',
] as const satisfies readonly (keyof DynamoSessionStoreOptions)[];

const TABLE_NAME_PATTERN = /^[A-Za-z0-9_.-]{3,239}$/;

/** What the store learns of where it runs, for defaults: read by the caller, so that resolving stays pure. */
export interface RuntimeFacts {
  /** Running on AWS Lambda (`AWS_LAMBDA_FUNCTION_NAME` is set). */
  readonly lambda: boolean;
}

/** The facts of the current process. */
export function runtimeFacts(env: Readonly<Record<string, string | undefined>> = process.env): RuntimeFacts {
  return { lambda: typeof env.AWS_LAMBDA_FUNCTION_NAME === 'string' && env.AWS_LAMBDA_FUNCTION_NAME !== '' };
}

/**
 * Validates the store's options and applies defaults. Pure: it never reads the environment and
 * never writes into `input`.
 *
 * @param input - the options given to the constructor.
 * @param runtime - where the store runs (Lambda turns serverless mode on by default).
 * @returns a new frozen object with every default applied.
 * @throws {SessionManagerError} `config.invalidOption`, `config.unknownOption` or `config.conflictingOptions`.
 */
export function resolveOptions(input: DynamoSessionStoreOptions = {}, runtime: RuntimeFacts = { lambda: false }): ResolvedOptions {
  if (typeof input !== 'object' || input === null) throw invalidOption('options', 'an object', input);
  rejectUnknownKeys(input, KNOWN_OPTIONS, 'DynamoSessionStore');
  const o = input as Record<keyof DynamoSessionStoreOptions, unknown>;

  const tableBaseName =
    readString('tableBaseName', o.tableBaseName, TABLE_NAME_PATTERN, '3 to 239 characters of A-Z, a-z, 0-9, _, - and .') ??
    DEFAULTS.tableBaseName;
  const maxInactiveSeconds =
    readNumber('maxInactiveInterval', o.maxInactiveInterval, { integer: true, min: 1 }) ??
    DEFAULTS.maxInactiveIntervalSeconds;
  const rotationSeconds = readNumber('tableRotationSeconds', o.tableRotationSeconds, { integer: true, min: 1 });
  const expiry = readEnum('expiry', o.expiry, EXPIRY_MODES) ?? (rotationSeconds === undefined ? DEFAULTS.expiry : 'rotation');
  if (expiry === 'ttl' && rotationSeconds !== undefined) {
    throw conflictingOptions('expiry', 'tableRotationSeconds', "exclude each other: 'ttl' mode uses one table and never rotates");
  }
  const { longestSeconds, periodSeconds, keptPeriods } = resolveLifetimes(o, expiry, maxInactiveSeconds, rotationSeconds);
  const absoluteSeconds = readNumber('absoluteTimeoutSeconds', o.absoluteTimeoutSeconds, { integer: true, min: 1 });
  const eventualConsistency = readBoolean('eventualConsistency', o.eventualConsistency) ?? DEFAULTS.eventualConsistency;

  const connection = resolveConnection(o);
  const capacity = resolveCapacity(o, eventualConsistency);
  const createTables = readBoolean('createTables', o.createTables) ?? DEFAULTS.createTables;

  const now = readFunction<Clock>('now', o.now) ?? systemClock;
  const logger = resolveLogger(o.logger);
  const logSessionContents = readBoolean('logSessionContents', o.logSessionContents) ?? DEFAULTS.logSessionContents;
  const secretKeys = resolveSecretKeys(o.secretKeys);

  const { ignoreUris, ignoreHeaders } = resolveIgnoreOptions(o);

  const statsd = resolveStatsdOptions(o);
  const metricsSink = resolveSink(o.metricsSink);
  if (statsd !== undefined && metricsSink !== undefined) {
    throw conflictingOptions('statsdHost', 'metricsSink', 'exclude each other: give a host for the built-in statsd client, or your own sink');
  }

  const periodMs = periodSeconds * 1000;
  const maxInactiveMs = maxInactiveSeconds * 1000;
  const touchAfterSeconds = readNumber('touchAfterSeconds', o.touchAfterSeconds, { min: 0 });
  if (touchAfterSeconds !== undefined && touchAfterSeconds >= maxInactiveSeconds) {
    throw invalidOption('touchAfterSeconds', `less than maxInactiveInterval (${maxInactiveSeconds})`, touchAfterSeconds);
  }
  const clockSkewSeconds = readNumber('clockSkewSeconds', o.clockSkewSeconds, { min: 0 });
  if (clockSkewSeconds !== undefined && clockSkewSeconds * 2 >= periodSeconds) {
    throw invalidOption('clockSkewSeconds', `less than half the rotation period (${periodSeconds / 2} s)`, clockSkewSeconds);
  }
  const serverless = readBoolean('serverless', o.serverless) ?? runtime.lambda;
  const maintenanceSeconds = readNumber('maintenanceIntervalSeconds', o.maintenanceIntervalSeconds, { min: 0 });
  if (serverless && maintenanceSeconds !== undefined && maintenanceSeconds > 0) {
    throw conflictingOptions('serverless', 'maintenanceIntervalSeconds', 'exclude each other: serverless mode runs no timer (schedule the maintenance handler or `dsm maintain` instead)');
  }
  const activeTimeoutSeconds =
    readNumber('tableActiveTimeoutSeconds', o.tableActiveTimeoutSeconds, { above: 0 }) ?? DEFAULTS.tableActiveTimeoutSeconds;

  const requestTimeoutMs = readNumber('requestTimeoutMs', o.requestTimeoutMs, { integer: true, min: 1 }) ?? DEFAULTS.requestTimeoutMs;
  const maxRetries = readNumber('maxRetries', o.maxRetries, { integer: true, min: 0, max: 10 }) ?? DEFAULTS.maxRetries;
  const operationTimeoutMs =
    readNumber('operationTimeoutMs', o.operationTimeoutMs, { integer: true, min: 1 }) ?? DEFAULTS.operationTimeoutMs;
  const maxConflictRetries =
    readNumber('maxConflictRetries', o.maxConflictRetries, { integer: true, min: 0, max: 100 }) ?? DEFAULTS.maxConflictRetries;
  const onBackendError = readEnum('onBackendError', o.onBackendError, BACKEND_ERROR_POLICIES) ?? DEFAULTS.onBackendError;
  const transport = readEnum('transport', o.transport, TRANSPORTS) ?? DEFAULTS.transport;
  const migrateFrom = resolveMigrateFrom(o.migrateFrom, { tableBaseName, expiry });
  const encryption = resolveEncryption(o.encryption);
  const userIndex = resolveUserIndex(o);

  return Object.freeze({
    tableBaseName,
    maxInactiveMs,
    longestLifetimeMs: longestSeconds * 1000,
    absoluteTimeoutMs: absoluteSeconds === undefined ? undefined : absoluteSeconds * 1000,
    rotationPeriodMs: periodMs,
    keptPeriods,
    eventualConsistency,
    expiry,
    connection,
    capacity,
    createTables,
    now,
    logger,
    logSessionContents,
    secretKeyPatterns: Object.freeze([...DEFAULTS.secretKeyPatterns, ...secretKeys]),
    ignoreUris,
    ignoreHeaders,
    statsd,
    metricsSink,
    openTelemetry: resolveOpenTelemetryOption(o.openTelemetry),
    touchAfterMs: (touchAfterSeconds ?? maxInactiveSeconds * DEFAULTS.touchAfterFraction) * 1000,
    clockSkewMs: (clockSkewSeconds ?? Math.min(DEFAULTS.clockSkewSeconds, periodSeconds / 4)) * 1000,
    serverless,
    closeOnSigterm: readBoolean('closeOnSigterm', o.closeOnSigterm) ?? serverless,
    maintenanceIntervalMs: serverless
      ? 0
      : (maintenanceSeconds ?? Math.min(Math.max(periodSeconds / 10, 0.25), DEFAULTS.maintenanceIntervalMaxSeconds)) * 1000,
    createAheadMs: Math.min(periodSeconds / 2, DEFAULTS.createAheadMaxSeconds) * 1000,
    tableActiveTimeoutMs: activeTimeoutSeconds * 1000,
    requestTimeoutMs,
    maxRetries,
    operationTimeoutMs,
    maxConflictRetries,
    onBackendError,
    transport,
    maxItemBytes: DEFAULTS.maxItemBytes,
    sessionIdPattern: DEFAULTS.sessionIdPattern,
    migrateFrom,
    encryption,
    userIndex,
  });
}

/**
 * The lifetime bounds and, for rotation, the period and how many periods a table is kept: long
 * enough that a session idle for its whole lifetime is still in a kept table.
 */
function resolveLifetimes(
  o: Record<string, unknown>,
  expiry: ExpiryMode,
  maxInactiveSeconds: number,
  rotationSeconds: number | undefined,
): { longestSeconds: number; periodSeconds: number; keptPeriods: number } {
  const given = readNumber('longestLifetimeSeconds', o.longestLifetimeSeconds, { integer: true, min: 1 });
  if (given !== undefined && given < maxInactiveSeconds) {
    throw invalidOption('longestLifetimeSeconds', `at least maxInactiveInterval (${maxInactiveSeconds})`, given);
  }
  if (expiry === 'ttl') {
    return { longestSeconds: given ?? Math.max(DEFAULTS.longestLifetimeTtlSeconds, maxInactiveSeconds), periodSeconds: maxInactiveSeconds, keptPeriods: 1 };
  }
  const longestSeconds =
    given ??
    Math.max(
      maxInactiveSeconds,
      rotationSeconds === undefined ? DEFAULTS.longestLifetimeRotationSeconds : Math.min(DEFAULTS.longestLifetimeRotationSeconds, rotationSeconds * DEFAULTS.keptPeriodsDefault),
    );
  const periodSeconds = rotationSeconds ?? Math.max(maxInactiveSeconds, Math.ceil(longestSeconds / DEFAULTS.keptPeriodsDefault));
  const keptPeriods = Math.max(1, Math.ceil(longestSeconds / periodSeconds));
  if (keptPeriods > DEFAULTS.keptPeriodsMax) {
    throw invalidOption(
      'longestLifetimeSeconds',
      `at most ${DEFAULTS.keptPeriodsMax} rotation periods (tableRotationSeconds ${periodSeconds}: a miss reads every kept table); raise tableRotationSeconds to at least ${Math.ceil(longestSeconds / DEFAULTS.keptPeriodsMax)} or lower longestLifetimeSeconds`,
      longestSeconds,
    );
  }
  return { longestSeconds, periodSeconds, keptPeriods };
}

function resolveConnection(o: Record<string, unknown>): ConnectionOptions {
  const endpoint = readString('dynamoEndpoint', o.dynamoEndpoint, /^https?:\/\/[^\s/]+(\/\S*)?$/, 'an http:// or https:// URL');
  const region = readString('region', o.region, /^[a-z0-9-]+$/, 'an AWS region name such as us-east-1');
  if (o.awsAccessKey !== undefined && (typeof o.awsAccessKey !== 'string' || o.awsAccessKey.length === 0)) {
    throw invalidOption('awsAccessKey', 'a non-empty string', o.awsAccessKey, false);
  }
  if (o.awsSecretKey !== undefined && (typeof o.awsSecretKey !== 'string' || o.awsSecretKey.length === 0)) {
    throw invalidOption('awsSecretKey', 'a non-empty string', o.awsSecretKey, false);
  }
  const accessKeyId = o.awsAccessKey as string | undefined;
  const secretAccessKey = o.awsSecretKey as string | undefined;
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw conflictingOptions('awsAccessKey', 'awsSecretKey', 'go together: give both, or neither to use the default credential chain');
  }
  if (o.client !== undefined) {
    const client = o.client as { send?: unknown };
    if (typeof client !== 'object' || client === null || typeof client.send !== 'function') {
      throw invalidOption('client', 'a DynamoDBClient from @aws-sdk/client-dynamodb', o.client);
    }
    for (const other of ['dynamoEndpoint', 'region', 'awsAccessKey'] as const) {
      if (o[other] !== undefined) throw conflictingOptions('client', other, 'exclude each other: configure the client you pass instead');
    }
    return Object.freeze({ kind: 'client', client: o.client as DynamoDBClient });
  }
  return Object.freeze({
    kind: 'settings',
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(region === undefined ? {} : { region }),
    ...(accessKeyId === undefined || secretAccessKey === undefined
      ? {}
      : { credentials: Object.freeze({ accessKeyId, secretAccessKey }) }),
  });
}

function resolveCapacity(o: Record<string, unknown>, eventualConsistency: boolean): CapacityOptions {
  const billingMode = readEnum('billingMode', o.billingMode, BILLING_MODES);
  const rps = readNumber('requestsPerSecond', o.requestsPerSecond, { above: 0 });
  const sessionSize = readNumber('sessionSize', o.sessionSize, { above: 0 });
  const read = readNumber('readCapacity', o.readCapacity, { integer: true, min: 1 });
  const write = readNumber('writeCapacity', o.writeCapacity, { integer: true, min: 1 });
  if ((rps === undefined) !== (sessionSize === undefined)) {
    throw conflictingOptions('requestsPerSecond', 'sessionSize', 'go together: give both to size provisioned tables');
  }
  if ((read === undefined) !== (write === undefined)) {
    throw conflictingOptions('readCapacity', 'writeCapacity', 'go together: give both for provisioned tables');
  }
  if (read !== undefined && rps !== undefined) {
    throw conflictingOptions('readCapacity', 'requestsPerSecond', 'exclude each other: give explicit capacity or the figures to compute it');
  }
  const sized = read !== undefined || rps !== undefined;
  if (billingMode === 'PAY_PER_REQUEST' && sized) {
    throw conflictingOptions('billingMode', read !== undefined ? 'readCapacity' : 'requestsPerSecond', "exclude each other: 'PAY_PER_REQUEST' tables have no provisioned capacity");
  }
  if (billingMode === 'PROVISIONED' && !sized) {
    throw invalidOption('billingMode', "'PROVISIONED' only with readCapacity + writeCapacity or requestsPerSecond + sessionSize", billingMode);
  }
  if (read !== undefined && write !== undefined) {
    return Object.freeze({ billingMode: 'PROVISIONED', readCapacityUnits: read, writeCapacityUnits: write, source: 'explicit' });
  }
  if (rps !== undefined && sessionSize !== undefined) {
    const units = provisionedCapacity({ requestsPerSecond: rps, sessionSizeKb: sessionSize, eventualConsistency });
    return Object.freeze({ billingMode: 'PROVISIONED', ...units, source: 'formula' });
  }
  return Object.freeze({ billingMode: DEFAULTS.billingMode });
}

function resolveLogger(value: unknown): Logger {
  if (value === undefined) return silentLogger;
  const logger = value as Record<string, unknown>;
  const ok =
    typeof value === 'object' && value !== null && ['debug', 'info', 'warn', 'error'].every((m) => typeof logger[m] === 'function');
  if (!ok) throw invalidOption('logger', 'a pino-compatible logger with debug, info, warn and error methods', value);
  return value as Logger;
}

function resolveSecretKeys(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((k) => typeof k === 'string' && k.length > 0)) {
    throw invalidOption('secretKeys', 'an array of non-empty strings', value);
  }
  return value.map((k: string) => k.toLowerCase());
}

function resolveSink(value: unknown): MetricsSink | undefined {
  if (value === undefined) return undefined;
  const sink = value as Record<string, unknown>;
  const ok = typeof value === 'object' && value !== null && ['increment', 'timing', 'gauge'].every((m) => typeof sink[m] === 'function');
  if (!ok) throw invalidOption('metricsSink', 'an object with increment, timing and gauge methods (a hot-shots StatsD client fits)', value);
  return value as MetricsSink;
}
