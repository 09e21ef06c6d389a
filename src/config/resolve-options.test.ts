import { describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { resolveOptions, runtimeFacts } from './resolve-options.js';
import type { DynamoSessionStoreOptions } from './options.js';

describe('resolveOptions: defaults', () => {
  const o = resolveOptions();

  it('applies every documented default, times in milliseconds', () => {
    expect(o).toMatchObject({
      tableBaseName: 'sessions',
      maxInactiveMs: 3_600_000,
      longestLifetimeMs: 400 * 86_400_000,
      absoluteTimeoutMs: undefined,
      keptPeriods: 1,
      eventualConsistency: false,
      expiry: 'ttl',
      capacity: { billingMode: 'PAY_PER_REQUEST' },
      createTables: true,
      logSessionContents: false,
      touchAfterMs: 360_000,
      maintenanceIntervalMs: 60_000,
      createAheadMs: 300_000,
      tableActiveTimeoutMs: 300_000,
      requestTimeoutMs: 2000,
      maxRetries: 2,
      operationTimeoutMs: 4000,
      maxConflictRetries: 12,
      onBackendError: 'fail',
      transport: 'auto',
      maxItemBytes: 409_600,
      statsd: undefined,
      ignoreUris: undefined,
      ignoreHeaders: undefined,
    });
    expect(o.connection).toEqual({ kind: 'settings' });
  });

  it('turns serverless mode on by default on AWS Lambda, and only there', () => {
    expect(resolveOptions({}, runtimeFacts({ AWS_LAMBDA_FUNCTION_NAME: 'shop' }))).toMatchObject({ serverless: true, maintenanceIntervalMs: 0 });
    expect(resolveOptions({}, runtimeFacts({ AWS_LAMBDA_FUNCTION_NAME: '' })).serverless).toBe(false);
    expect(resolveOptions({ serverless: false }, runtimeFacts({ AWS_LAMBDA_FUNCTION_NAME: 'shop' })).serverless).toBe(false);
  });

  it('returns a frozen object and never writes into the input', () => {
    const input: DynamoSessionStoreOptions = { tableBaseName: 'app' };
    const resolved = resolveOptions(input);
    expect(Object.isFrozen(resolved)).toBe(true);
    expect(input).toEqual({ tableBaseName: 'app' });
  });

  it.each([
    [{ maxInactiveInterval: 600 }, { expiry: 'ttl', touchAfterMs: 60_000 }],
    [{ expiry: 'rotation' }, { rotationPeriodMs: 86_400_000, longestLifetimeMs: 30 * 86_400_000, keptPeriods: 30, clockSkewMs: 10_000 }],
    [{ expiry: 'rotation', maxInactiveInterval: 600 }, { rotationPeriodMs: 86_400_000, keptPeriods: 30 }],
    [{ expiry: 'rotation', longestLifetimeSeconds: 7200 }, { rotationPeriodMs: 3_600_000, longestLifetimeMs: 7_200_000, keptPeriods: 2 }],
    [{ maxInactiveInterval: 600, tableRotationSeconds: 86_400 }, { expiry: 'rotation', rotationPeriodMs: 86_400_000, maxInactiveMs: 600_000, keptPeriods: 30 }],
    [{ maxInactiveInterval: 7200, tableRotationSeconds: 3600 }, { longestLifetimeMs: 30 * 3_600_000, keptPeriods: 30 }],
    [{ tableRotationSeconds: 60, maxInactiveInterval: 120 }, { longestLifetimeMs: 1_800_000, keptPeriods: 30 }],
    [{ tableRotationSeconds: 8, maxInactiveInterval: 30 }, { clockSkewMs: 2000, createAheadMs: 4000, maintenanceIntervalMs: 800 }],
    [{ tableRotationSeconds: 1, maxInactiveInterval: 10 }, { maintenanceIntervalMs: 250 }],
    [{ absoluteTimeoutSeconds: 28_800 }, { absoluteTimeoutMs: 28_800_000 }],
    [{ serverless: true }, { serverless: true, maintenanceIntervalMs: 0 }],
    [{}, { serverless: false, maintenanceIntervalMs: 60_000 }],
    [{ touchAfterSeconds: 0 }, { touchAfterMs: 0 }],
    [{ maintenanceIntervalSeconds: 0 }, { maintenanceIntervalMs: 0 }],
    [{ eventualConsistency: true, requestsPerSecond: 10, sessionSize: 1 }, { capacity: { billingMode: 'PROVISIONED', readCapacityUnits: 5, writeCapacityUnits: 10, source: 'formula' } }],
    [{ requestsPerSecond: 20, sessionSize: 2 }, { capacity: { billingMode: 'PROVISIONED', readCapacityUnits: 20, writeCapacityUnits: 40, source: 'formula' } }],
    [{ readCapacity: 45, writeCapacity: 15 }, { capacity: { billingMode: 'PROVISIONED', readCapacityUnits: 45, writeCapacityUnits: 15, source: 'explicit' } }],
    [{ expiry: 'ttl' }, { expiry: 'ttl' }],
    [{ onBackendError: 'anonymous' }, { onBackendError: 'anonymous' }],
    [{ transport: 'sdk' }, { transport: 'sdk' }],
    [{ transport: 'direct' }, { transport: 'direct' }],
    [{ statsdHost: '127.0.0.1' }, { statsd: { host: '127.0.0.1', port: 8125, prefix: undefined } }],
  ] as [DynamoSessionStoreOptions, object][])('%j resolves to %j', (input, expected) => {
    expect(resolveOptions(input)).toMatchObject(expected);
  });

  it('builds connection settings, with the keys kept apart from the client', () => {
    expect(resolveOptions({ dynamoEndpoint: 'http://127.0.0.1:8000', region: 'eu-west-1', awsAccessKey: 'AKIA', awsSecretKey: 'shh' }).connection).toEqual({
      kind: 'settings',
      endpoint: 'http://127.0.0.1:8000',
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIA', secretAccessKey: 'shh' },
    });
    const client = new DynamoDBClient({ region: 'us-east-1' });
    expect(resolveOptions({ client }).connection).toEqual({ kind: 'client', client });
    client.destroy();
  });

  it('compiles the ignore rules once, whole-match, headers case-insensitive, aliases accepted', () => {
    const r = resolveOptions({ ignoreUri: '/static/.*', ignoreHeader: 'x-skip' });
    expect(r.ignoreUris?.test('/static/a.css')).toBe(true);
    expect(r.ignoreUris?.test('/x/static/a.css')).toBe(false);
    expect(r.ignoreHeaders?.test('X-Skip')).toBe(true);
  });
});

describe('resolveOptions: bad input fails at construction, naming the option', () => {
  it.each<[string, DynamoSessionStoreOptions, RegExp]>([
    ['unknown key with a suggestion', { tablename: 'x' } as never, /Unknown option `tablename`.*Did you mean `tableBaseName`/],
    ['table name characters', { tableBaseName: 'a b' }, /`tableBaseName` must be 3 to 239 characters/],
    ['table name too short', { tableBaseName: 'ab' }, /`tableBaseName`/],
    ['negative period', { tableRotationSeconds: -5 }, /Option `tableRotationSeconds` must be a whole number ≥ 1; got -5\./],
    ['fractional idle timeout', { maxInactiveInterval: 1.5 }, /`maxInactiveInterval` must be a whole number ≥ 1; got 1\.5/],
    ['string idle timeout', { maxInactiveInterval: '3600' as never }, /`maxInactiveInterval`.*got "3600"/],
    ['expiry mode', { expiry: 'scan' as never }, /`expiry` must be one of 'rotation', 'ttl'; got "scan"/],
    ['ttl with a period', { expiry: 'ttl', tableRotationSeconds: 60 }, /`expiry` and `tableRotationSeconds` exclude each other/],
    ['endpoint', { dynamoEndpoint: 'localhost:8000' }, /`dynamoEndpoint` must be an http:\/\/ or https:\/\/ URL/],
    ['one key only', { awsAccessKey: 'AKIA' }, /`awsAccessKey` and `awsSecretKey` go together/],
    ['client with endpoint', { client: { send: () => undefined } as never, dynamoEndpoint: 'http://127.0.0.1:1' }, /`client` and `dynamoEndpoint` exclude each other/],
    ['not a client', { client: {} as never }, /`client` must be a DynamoDBClient/],
    ['half the capacity figures', { requestsPerSecond: 10 }, /`requestsPerSecond` and `sessionSize` go together/],
    ['on-demand with capacity', { billingMode: 'PAY_PER_REQUEST', readCapacity: 5, writeCapacity: 5 }, /`billingMode` and `readCapacity` exclude each other/],
    ['provisioned without figures', { billingMode: 'PROVISIONED' }, /`billingMode` must be 'PROVISIONED' only with/],
    ['zero capacity', { readCapacity: 0, writeCapacity: 1 }, /`readCapacity` must be a whole number ≥ 1/],
    ['touch after the idle timeout', { maxInactiveInterval: 60, touchAfterSeconds: 60 }, /`touchAfterSeconds` must be less than maxInactiveInterval/],
    ['skew over half a period', { tableRotationSeconds: 10, maxInactiveInterval: 60, clockSkewSeconds: 5 }, /`clockSkewSeconds` must be less than half the rotation period/],
    ['longest lifetime under the idle timeout', { longestLifetimeSeconds: 60 }, /`longestLifetimeSeconds` must be at least maxInactiveInterval \(3600\); got 60/],
    ['too many kept tables', { tableRotationSeconds: 60, longestLifetimeSeconds: 86_400 }, /`longestLifetimeSeconds` must be at most 100 rotation periods .*raise tableRotationSeconds to at least 864/],
    ['too many kept tables by the idle timeout alone', { tableRotationSeconds: 8 }, /`longestLifetimeSeconds` must be at most 100 rotation periods/],
    ['serverless with a timer', { serverless: true, maintenanceIntervalSeconds: 5 }, /`serverless` and `maintenanceIntervalSeconds` exclude each other/],
    ['fractional absolute timeout', { absoluteTimeoutSeconds: 0.5 }, /`absoluteTimeoutSeconds` must be a whole number ≥ 1; got 0\.5/],
    ['invalid pattern', { ignoreUris: '(' }, /`ignoreUris` must be a valid regular expression/],
    ['pattern and alias', { ignoreUris: '/a', ignoreUri: '/b' }, /`ignoreUris` and `ignoreUri` are the same option/],
    ['statsd port', { statsdHost: 'h', statsdPort: 70_000 }, /`statsdPort` must be a whole number ≥ 1 and ≤ 65535/],
    ['statsd host and sink', { statsdHost: 'h', metricsSink: { increment() {}, timing() {}, gauge() {} } }, /`statsdHost` and `metricsSink` exclude each other/],
    ['logger', { logger: { info: () => undefined } as never }, /`logger` must be a pino-compatible logger/],
    ['clock', { now: 5 as never }, /`now` must be a function/],
    ['policy', { onBackendError: 'ignore' as never }, /`onBackendError` must be one of 'fail', 'anonymous'/],
    ['transport', { transport: 'http' as never }, /`transport` must be one of 'auto', 'direct', 'sdk'/],
    ['retries', { maxRetries: 11 }, /`maxRetries` must be a whole number ≥ 0 and ≤ 10/],
    ['secret keys', { secretKeys: ['ok', ''] }, /`secretKeys` must be an array of non-empty strings/],
  ])('%s', (_label, input, message) => {
    expect(() => resolveOptions(input)).toThrow(message);
  });

  it('never shows a secret key in its message', () => {
    try {
      resolveOptions({ awsAccessKey: 'AKIA', awsSecretKey: 42 as never });
    } catch (error) {
      expect((error as Error).message).not.toContain('42');
      expect(error).toMatchObject({ code: 'config.invalidOption', details: { option: 'awsSecretKey' } });
      return;
    }
    throw new Error('expected a throw');
  });

  it.each([null, 'x', 42])('rejects %j as the options object', (input) => {
    expect(() => resolveOptions(input as never)).toThrow(/Option `options` must be an object/);
  });
});
