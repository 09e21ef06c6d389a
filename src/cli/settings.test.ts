import { describe, expect, it } from 'vitest';
import { CLI_MAX_RETRIES, CLI_OPERATION_TIMEOUT_MS, normalizeEndpoint, resolveSettings, storeOptionsFor } from './settings.js';
import { resolveOptions } from '../config/resolve-options.js';

describe('resolveSettings', () => {
  it('applies the store defaults when nothing is set', () => {
    const s = resolveSettings({}, {});
    expect(s).toMatchObject({
      endpoint: undefined,
      region: undefined,
      tableBaseName: 'sessions',
      expiry: 'ttl',
      rotationSeconds: undefined,
      maxInactiveSeconds: undefined,
      longestLifetimeSeconds: undefined,
      json: false,
      verbose: false,
    });
    expect(Object.values(s.sources).every((source) => source === 'default')).toBe(true);
  });

  it('reads every DSM_* variable', () => {
    const s = resolveSettings(
      {},
      {
        DSM_ENDPOINT: 'http://127.0.0.1:8000',
        DSM_REGION: 'eu-west-1',
        DSM_TABLE_BASE_NAME: 'app-sessions',
        DSM_EXPIRY: 'rotation',
        DSM_ROTATION_SECONDS: '600',
        DSM_MAX_INACTIVE: '1800',
      },
    );
    expect(s).toMatchObject({
      endpoint: 'http://127.0.0.1:8000',
      region: 'eu-west-1',
      tableBaseName: 'app-sessions',
      rotationSeconds: 600,
      maxInactiveSeconds: 1800,
      rotationPeriodMs: 600_000,
    });
    expect(s.sources.tableBaseName).toBe('env');
  });

  it.each([
    ['endpoint', { endpoint: '9000' }, { DSM_ENDPOINT: '8000' }, 'http://127.0.0.1:9000'],
    ['region', { region: 'us-west-2' }, { DSM_REGION: 'eu-west-1' }, 'us-west-2'],
    ['tableBaseName', { tableBaseName: 'from-flag' }, { DSM_TABLE_BASE_NAME: 'from-env' }, 'from-flag'],
    ['expiry', { expiry: 'ttl' }, { DSM_EXPIRY: 'rotation' }, 'ttl'],
    ['maxInactiveSeconds', { maxInactive: '60' }, { DSM_MAX_INACTIVE: '120' }, 60],
  ] as const)('a flag wins over its variable: %s', (key, flags, env, expected) => {
    const s = resolveSettings(flags, env);
    expect(s[key]).toBe(expected);
    expect(s.sources[key]).toBe('flag');
  });

  it('treats an empty variable as unset', () => {
    expect(resolveSettings({}, { DSM_TABLE_BASE_NAME: '', DSM_ROTATION_SECONDS: '  ' })).toMatchObject({
      tableBaseName: 'sessions',
      rotationSeconds: undefined,
    });
  });

  it('derives the rotation period from the longest lifetime unless it is set, and rotation from a period', () => {
    expect(resolveSettings({ maxInactive: '900', expiry: 'rotation' }, {})).toMatchObject({ rotationPeriodMs: 86_400_000, keptPeriods: 30 });
    expect(resolveSettings({ expiry: 'rotation', longestLifetime: '7200' }, {})).toMatchObject({ rotationPeriodMs: 3_600_000, keptPeriods: 2 });
    expect(resolveSettings({ maxInactive: '900', rotationSeconds: '300' }, {})).toMatchObject({ expiry: 'rotation', rotationPeriodMs: 300_000, keptPeriods: 30 });
  });

  it('passes --json and --verbose through', () => {
    expect(resolveSettings({ json: true, verbose: true }, {})).toMatchObject({ json: true, verbose: true });
  });

  it.each([
    [{ rotationSeconds: 'abc' }, {}, /^--rotation-seconds must be a whole number of seconds; got "abc"\.$/],
    [{}, { DSM_MAX_INACTIVE: '1.5' }, /^DSM_MAX_INACTIVE must be a whole number of seconds; got "1.5"\.$/],
    [{}, { DSM_EXPIRY: 'never' }, /^DSM_EXPIRY must be one of rotation, ttl; got "never"\.$/],
  ])('rejects a value that does not parse, naming where it came from: %o %o', (flags, env, message) => {
    expect(() => resolveSettings(flags, env)).toThrow(expect.objectContaining({ code: 'cli.usage', message: expect.stringMatching(message) }));
  });

  it('runs the store validation and names the flag or variable in a hint', () => {
    let error: unknown;
    try {
      resolveSettings({ tableBaseName: 'a' }, {});
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'config.invalidOption', details: { option: 'tableBaseName', hint: '`tableBaseName` comes from --table-base-name.' } });
    expect(() => resolveSettings({ expiry: 'ttl' }, { DSM_ROTATION_SECONDS: '60' })).toThrow(
      expect.objectContaining({
        code: 'config.conflictingOptions',
        details: expect.objectContaining({ hint: '`expiry` comes from --expiry; `tableRotationSeconds` comes from DSM_ROTATION_SECONDS.' }),
      }),
    );
    expect(() => resolveSettings({ rotationSeconds: '0' }, {})).toThrow(expect.objectContaining({ code: 'config.invalidOption' }));
  });
});

describe('the user index settings', () => {
  const KEY = 'a user id key of 32 characters!!';

  it('--user-index or DSM_USER_INDEX turns the index on; off by default', () => {
    expect(resolveSettings({}, {}).userIndex).toBe(false);
    expect(resolveSettings({ userIndex: true }, {})).toMatchObject({ userIndex: true, sources: { userIndex: 'flag' } });
    for (const on of ['1', 'true', 'YES', 'on']) expect(resolveSettings({}, { DSM_USER_INDEX: on }).userIndex).toBe(true);
    for (const off of ['0', 'false', 'no', 'off', ' ']) expect(resolveSettings({}, { DSM_USER_INDEX: off }).userIndex).toBe(false);
    expect(() => resolveSettings({}, { DSM_USER_INDEX: 'maybe' })).toThrow(expect.objectContaining({ code: 'cli.usage', message: 'DSM_USER_INDEX must be 1 (on) or 0 (off); got "maybe".' }));
  });

  it('keeps the user id key exactly as given, off JSON and inspection; a flag wins over the variable', () => {
    const fromEnv = resolveSettings({}, { DSM_USER_ID_KEY: ` ${KEY} ` });
    expect(fromEnv.userIdKey).toBe(` ${KEY} `); // not trimmed: the HMAC depends on every character
    expect(fromEnv.sources.userIdKey).toBe('env');
    expect(JSON.stringify(fromEnv)).not.toContain(KEY);
    expect(Object.keys(fromEnv)).not.toContain('userIdKey');
    expect(resolveSettings({ userIdKey: `${KEY}-flag` }, { DSM_USER_ID_KEY: KEY }).userIdKey).toBe(`${KEY}-flag`);
    expect(resolveSettings({}, { DSM_USER_ID_KEY: '   ' }).userIdKey).toBeUndefined();
  });

  it('gives the store the index and the key only when the index is used', () => {
    const settings = resolveSettings({}, { DSM_USER_ID_KEY: KEY });
    expect(storeOptionsFor(settings, { createTables: false })).toMatchObject({ userIndex: false });
    expect(storeOptionsFor(settings, { createTables: false })).not.toHaveProperty('userIdKey');
    const user = storeOptionsFor(settings, { createTables: false, userIndex: true });
    expect(user).toMatchObject({ userIndex: true, userIdKey: KEY });
    expect(() => resolveOptions(user)).not.toThrow();
    expect(storeOptionsFor(resolveSettings({ userIndex: true }, {}), { createTables: true })).toMatchObject({ userIndex: true, createTables: true });
  });

  it('checks the key as the store does, with a hint naming where it came from and never the key', () => {
    let error: unknown;
    try {
      resolveSettings({}, { DSM_USER_ID_KEY: 'zq-k3y' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: expect.stringMatching(/^config\./), details: { hint: expect.stringContaining('DSM_USER_ID_KEY') } });
    expect((error as Error).message).toContain('userIdKey');
    expect(JSON.stringify({ message: (error as Error).message, details: (error as { details: unknown }).details })).not.toContain('zq-k3y');
  });
});

describe('normalizeEndpoint', () => {
  it.each([
    ['8000', 'http://127.0.0.1:8000'],
    [':8000', 'http://127.0.0.1:8000'],
    ['localhost:8000', 'http://127.0.0.1:8000'],
    ['http://localhost:8000/', 'http://127.0.0.1:8000'],
    ['http://localhost', 'http://127.0.0.1'],
    ['dynamo.internal:8000', 'http://dynamo.internal:8000'],
    ['https://dynamodb.eu-west-1.amazonaws.com', 'https://dynamodb.eu-west-1.amazonaws.com'],
    ['http://localhostess:1', 'http://localhostess:1'],
  ])('%s -> %s', (raw, expected) => {
    expect(normalizeEndpoint(raw)).toBe(expected);
  });
});

describe('storeOptionsFor', () => {
  it('gives the store short deadlines, one retry and no background timer', () => {
    const options = storeOptionsFor(resolveSettings({ endpoint: '8000' }, {}), { createTables: false });
    expect(options).toMatchObject({
      dynamoEndpoint: 'http://127.0.0.1:8000',
      createTables: false,
      maintenanceIntervalSeconds: 0,
      operationTimeoutMs: CLI_OPERATION_TIMEOUT_MS,
      maxRetries: CLI_MAX_RETRIES,
    });
    expect(() => resolveOptions(options)).not.toThrow();
  });

  it('sets only the settings that were given', () => {
    const options = storeOptionsFor(resolveSettings({}, {}), { createTables: true });
    expect(Object.keys(options)).not.toContain('dynamoEndpoint');
    expect(Object.keys(options)).not.toContain('tableRotationSeconds');
    expect(options.createTables).toBe(true);
  });
});
