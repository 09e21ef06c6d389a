import { resolveOptions, type ResolvedOptions } from '../config/resolve-options.js';
import { DEFAULTS, EXPIRY_MODES } from '../config/defaults.js';
import type { DynamoSessionStoreOptions, ExpiryMode } from '../config/options.js';
import type { EncryptionKey } from '../encryption/types.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logging/logger.js';
import { SessionManagerError, isSessionManagerError } from '../errors.js';

/**
 * Deadlines of the CLI's DynamoDB calls. A command line tool should answer fast when the
 * endpoint is wrong or down, so it waits less than a web app does and retries once.
 */
export const CLI_REQUEST_TIMEOUT_MS = 2000;
/** Deadline of one store operation (all its calls and its retry), in milliseconds. */
export const CLI_OPERATION_TIMEOUT_MS = 3000;
/** Retries of a retryable failure (throttling, a refused connection). */
export const CLI_MAX_RETRIES = 1;

/** The host a bare port or `localhost` endpoint means: dynalite and `dsm local` listen on IPv4 loopback. */
export const LOCAL_HOST = '127.0.0.1';

/** The settings every command shares, each with its flag and its environment variable. */
export const SETTINGS = {
  endpoint: { flag: '--endpoint', env: 'DSM_ENDPOINT', option: 'dynamoEndpoint' },
  region: { flag: '--region', env: 'DSM_REGION', option: 'region' },
  tableBaseName: { flag: '--table-base-name', env: 'DSM_TABLE_BASE_NAME', option: 'tableBaseName' },
  expiry: { flag: '--expiry', env: 'DSM_EXPIRY', option: 'expiry' },
  rotationSeconds: { flag: '--rotation-seconds', env: 'DSM_ROTATION_SECONDS', option: 'tableRotationSeconds' },
  maxInactiveSeconds: { flag: '--max-inactive', env: 'DSM_MAX_INACTIVE', option: 'maxInactiveInterval' },
  longestLifetimeSeconds: { flag: '--longest-lifetime', env: 'DSM_LONGEST_LIFETIME', option: 'longestLifetimeSeconds' },
  userIndex: { flag: '--user-index', env: 'DSM_USER_INDEX', option: 'userIndex' },
  userIdKey: { flag: '--user-id-key', env: 'DSM_USER_ID_KEY', option: 'userIdKey' },
} as const;

/**
 * The variable holding the encryption keys of `dsm get` and `dsm keys`: a JSON array of
 * `{ "id", "key" }` as the store's `encryption.keys` takes. Never a flag: a command line shows in
 * process listings and shell history.
 */
export const ENCRYPTION_KEYS_ENV = 'DSM_ENCRYPTION_KEYS';

/** One of the shared settings. */
export type SettingName = keyof typeof SETTINGS;

/** Where a setting's value came from. */
export type SettingSource = 'flag' | 'env' | 'default';

/** The global flags as commander parsed them: strings, validated here. */
export interface GlobalFlags {
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
  readonly tableBaseName?: string | undefined;
  readonly expiry?: string | undefined;
  readonly rotationSeconds?: string | undefined;
  readonly maxInactive?: string | undefined;
  readonly longestLifetime?: string | undefined;
  readonly userIndex?: boolean | undefined;
  readonly userIdKey?: string | undefined;
  readonly json?: boolean | undefined;
  readonly verbose?: boolean | undefined;
}

/** The settings of one invocation: flags over `DSM_*` environment variables over defaults. */
export interface CliSettings {
  /** Endpoint URL, normalised (`8000` → `http://127.0.0.1:8000`); undefined for AWS. */
  readonly endpoint: string | undefined;
  /** AWS region; undefined means the SDK's chain (us-east-1 with an endpoint). */
  readonly region: string | undefined;
  readonly tableBaseName: string;
  readonly expiry: ExpiryMode;
  /** Rotation period in seconds, when set; otherwise the idle timeout. */
  readonly rotationSeconds: number | undefined;
  /** Session idle timeout in seconds, when set; otherwise the store's default. */
  readonly maxInactiveSeconds: number | undefined;
  /** Longest session lifetime in seconds, when set; otherwise the store's default. */
  readonly longestLifetimeSeconds: number | undefined;
  /**
   * The deployment keeps the user index (the application sets `userIdOf`): `dsm maintain` creates
   * tables with it, the other commands' stores check it. The user commands (`sessions --user`,
   * `revoke --user`, `add-user-index`) use it whatever this says.
   */
  readonly userIndex: boolean;
  /** Rotation period in milliseconds, as the store resolves it. */
  readonly rotationPeriodMs: number;
  /** Rotation: how many periods before the current one tables are kept, as the store resolves it. */
  readonly keptPeriods: number;
  /** Print the result object as JSON. */
  readonly json: boolean;
  /** Log the store's work to stderr and print stacks. */
  readonly verbose: boolean;
  /** Where each shared setting came from, for error hints and `--verbose`. */
  readonly sources: Readonly<Record<SettingName, SettingSource>>;
  /** The keys from {@link ENCRYPTION_KEYS_ENV}, for reading encrypted sessions; not enumerable (never printed). */
  readonly encryptionKeys?: readonly EncryptionKey[] | undefined;
  /** The application's `userIdKey` (hashed mode of the user index), as given; not enumerable (never printed). */
  readonly userIdKey?: string | undefined;
}

/** What a command asks of the store it opens. */
export interface StoreOverrides {
  /** Whether the store may create and delete tables: only `dsm maintain` does. */
  readonly createTables: boolean;
  /**
   * Open the store with the user index whatever the settings say: the user commands need it.
   * @default the settings' `userIndex`
   */
  readonly userIndex?: boolean;
  /**
   * Serverless mode: no round of its own at start. Only `dsm maintain` sets it, so that its one
   * round is `maintain()`, with table actions alone (no lease read): the maintainer's IAM policy.
   */
  readonly serverless?: boolean;
  readonly now?: Clock;
  readonly logger?: Logger;
  /** The store sessions are taken over from: only `dsm migrate` gives one. */
  readonly migrateFrom?: DynamoSessionStoreOptions['migrateFrom'];
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Works out the shared settings from the global flags and the `DSM_*` environment variables.
 * A flag wins over its variable; an empty variable counts as unset. Pure.
 *
 * @throws {SessionManagerError} `cli.usage` for a value that does not parse, `config.*` (with a
 *   `details.hint` naming the flag and the variable) for a value the store's options reject.
 */
export function resolveSettings(flags: GlobalFlags, env: Env): CliSettings {
  const sources = {} as Record<SettingName, SettingSource>;
  const pick = (name: SettingName, flagValue: string | undefined): string | undefined => {
    if (flagValue !== undefined) {
      sources[name] = 'flag';
      return flagValue;
    }
    const fromEnv = env[SETTINGS[name].env];
    if (fromEnv !== undefined && fromEnv.trim() !== '') {
      sources[name] = 'env';
      return fromEnv.trim();
    }
    sources[name] = 'default';
    return undefined;
  };
  const rawEndpoint = pick('endpoint', flags.endpoint);
  const region = pick('region', flags.region);
  const tableBaseName = pick('tableBaseName', flags.tableBaseName) ?? DEFAULTS.tableBaseName;
  const rawExpiry = pick('expiry', flags.expiry);
  const rawRotation = pick('rotationSeconds', flags.rotationSeconds);
  const rawMaxInactive = pick('maxInactiveSeconds', flags.maxInactive);
  const rawLongest = pick('longestLifetimeSeconds', flags.longestLifetime);
  const rawUserIndex = pick('userIndex', flags.userIndex === true ? '1' : undefined);
  const rawUserIdKey = pick('userIdKey', flags.userIdKey);

  const where = (name: SettingName): string => (sources[name] === 'flag' ? SETTINGS[name].flag : SETTINGS[name].env);
  const rotationSeconds = rawRotation === undefined ? undefined : parseSeconds(rawRotation, where('rotationSeconds'));
  // As in the store: a rotation period implies rotation.
  const expiry = rawExpiry === undefined ? (rotationSeconds === undefined ? DEFAULTS.expiry : 'rotation') : parseExpiry(rawExpiry, where('expiry'));
  const longestLifetimeSeconds = rawLongest === undefined ? undefined : parseSeconds(rawLongest, where('longestLifetimeSeconds'));
  const maxInactiveSeconds = rawMaxInactive === undefined ? undefined : parseSeconds(rawMaxInactive, where('maxInactiveSeconds'));
  const endpoint = rawEndpoint === undefined ? undefined : normalizeEndpoint(rawEndpoint);
  const userIndex = rawUserIndex === undefined ? false : parseSwitch(rawUserIndex, where('userIndex'));

  const encryptionKeys = parseEncryptionKeys(env[ENCRYPTION_KEYS_ENV]);
  // A key read from the environment keeps its exact characters: only an all-blank one counts as unset.
  const userIdKey = rawUserIdKey === undefined ? undefined : sources.userIdKey === 'env' ? (env[SETTINGS.userIdKey.env] as string) : rawUserIdKey;
  const partial = { endpoint, region, tableBaseName, expiry, rotationSeconds, maxInactiveSeconds, longestLifetimeSeconds, userIndex, encryptionKeys, userIdKey };
  const resolved = validateWithStore(partial, sources);
  const settings = {
    endpoint,
    region,
    tableBaseName,
    expiry,
    rotationSeconds,
    maxInactiveSeconds,
    longestLifetimeSeconds,
    userIndex,
    rotationPeriodMs: resolved.rotationPeriodMs,
    keptPeriods: resolved.keptPeriods,
    json: flags.json === true,
    verbose: flags.verbose === true,
    sources: Object.freeze(sources),
  };
  // Keys are kept off JSON and inspection of the settings.
  Object.defineProperty(settings, 'encryptionKeys', { value: encryptionKeys, enumerable: false });
  Object.defineProperty(settings, 'userIdKey', { value: userIdKey, enumerable: false });
  return Object.freeze(settings);
}

/** The keys in {@link ENCRYPTION_KEYS_ENV}, parsed (validated by the store's options); never echoed. */
function parseEncryptionKeys(raw: string | undefined): readonly EncryptionKey[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw usage(`${ENCRYPTION_KEYS_ENV} must be a JSON array of {"id": ..., "key": ...}; it is not JSON.`, 'Example: DSM_ENCRYPTION_KEYS=\'[{"id":"k2","key":"<32 bytes in base64>"}]\'.');
  }
  if (!Array.isArray(parsed)) throw usage(`${ENCRYPTION_KEYS_ENV} must be a JSON array of {"id": ..., "key": ...}.`);
  return parsed as EncryptionKey[];
}

/**
 * Turns what a person types into an endpoint URL. Local endpoints default to 127.0.0.1: a bare
 * port (`8000`) or `:8000` means `http://127.0.0.1:8000`; `localhost` becomes 127.0.0.1, since
 * Node may resolve it to ::1 while local servers listen on IPv4; a missing scheme means `http://`.
 */
export function normalizeEndpoint(raw: string): string {
  const text = raw.trim();
  if (/^:?\d{1,5}$/.test(text)) return `http://${LOCAL_HOST}:${text.replace(':', '')}`;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  return withScheme.replace(/^(https?:\/\/)localhost(?=[:/]|$)/i, `$1${LOCAL_HOST}`).replace(/\/+$/, '');
}

function parseExpiry(raw: string, where: string): ExpiryMode {
  if ((EXPIRY_MODES as readonly string[]).includes(raw)) return raw as ExpiryMode;
  throw usage(`${where} must be one of ${EXPIRY_MODES.join(', ')}; got ${JSON.stringify(raw)}.`);
}

/** A switch set by a variable: `1`/`true`/`yes`/`on` or `0`/`false`/`no`/`off` (a flag is always on). */
function parseSwitch(raw: string, where: string): boolean {
  const value = raw.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw usage(`${where} must be 1 (on) or 0 (off); got ${JSON.stringify(raw)}.`);
}

function parseSeconds(raw: string, where: string): number {
  if (/^\d+$/.test(raw)) return Number(raw);
  throw usage(`${where} must be a whole number of seconds; got ${JSON.stringify(raw)}.`);
}

function usage(message: string, hint?: string): SessionManagerError {
  return new SessionManagerError('cli.usage', message, { details: hint === undefined ? {} : { hint } });
}

type PartialSettings = Pick<
  CliSettings,
  'endpoint' | 'region' | 'tableBaseName' | 'expiry' | 'rotationSeconds' | 'maxInactiveSeconds' | 'longestLifetimeSeconds' | 'userIndex' | 'encryptionKeys' | 'userIdKey'
>;

/** Runs the store's own validation, so the CLI accepts exactly what the store accepts. */
function validateWithStore(settings: PartialSettings, sources: Record<SettingName, SettingSource>): ResolvedOptions {
  try {
    // A key is checked even when this invocation's store does not use the index.
    return resolveOptions(storeOptionsFor(settings, { createTables: false, userIndex: settings.userIndex || settings.userIdKey !== undefined }));
  } catch (error) {
    if (!isSessionManagerError(error, 'config.')) throw error;
    const options = [error.details.option, ...(Array.isArray(error.details.options) ? error.details.options : [])];
    const names = (Object.keys(SETTINGS) as SettingName[]).filter((name) => options.includes(SETTINGS[name].option));
    if (options.includes(SETTINGS.userIdKey.option)) {
      // The store's message says what is wrong with the key (its length), never the key.
      throw new SessionManagerError(error.code, error.message, { cause: error, details: { ...error.details, hint: `The key comes from ${sources.userIdKey === 'flag' ? SETTINGS.userIdKey.flag : SETTINGS.userIdKey.env}; give the application's \`userIdKey\` as it is.` } });
    }
    if (options.some((option) => typeof option === 'string' && option.startsWith('encryption'))) {
      throw new SessionManagerError(error.code, error.message, { cause: error, details: { ...error.details, hint: `The keys come from ${ENCRYPTION_KEYS_ENV}.` } });
    }
    const hint = names
      .map((name) => {
        const { option, flag, env: variable } = SETTINGS[name];
        const from = sources[name] === 'flag' ? flag : sources[name] === 'env' ? variable : `${flag} or ${variable}`;
        return `\`${option}\` comes from ${from}`;
      })
      .join('; ');
    throw new SessionManagerError(error.code, error.message, { cause: error, details: { ...error.details, ...(hint === '' ? {} : { hint: `${hint}.` }) } });
  }
}

/**
 * The store options for the settings. The store the CLI opens never runs background
 * maintenance, answers within {@link CLI_OPERATION_TIMEOUT_MS} and retries once.
 */
export function storeOptionsFor(settings: PartialSettings, overrides: StoreOverrides): DynamoSessionStoreOptions {
  const userIndex = overrides.userIndex ?? settings.userIndex;
  return {
    tableBaseName: settings.tableBaseName,
    expiry: settings.expiry,
    ...(settings.rotationSeconds === undefined ? {} : { tableRotationSeconds: settings.rotationSeconds }),
    ...(settings.maxInactiveSeconds === undefined ? {} : { maxInactiveInterval: settings.maxInactiveSeconds }),
    ...(settings.longestLifetimeSeconds === undefined ? {} : { longestLifetimeSeconds: settings.longestLifetimeSeconds }),
    ...(settings.endpoint === undefined ? {} : { dynamoEndpoint: settings.endpoint }),
    ...(settings.region === undefined ? {} : { region: settings.region }),
    // The CLI reads sessions and never writes their data: it accepts plaintext ones too.
    ...(settings.encryptionKeys === undefined ? {} : { encryption: { keys: settings.encryptionKeys, acceptPlaintext: true } }),
    // The CLI never saves a session, so it has no `userIdOf`: the index is only read, or created with the tables.
    userIndex,
    ...(userIndex && settings.userIdKey !== undefined ? { userIdKey: settings.userIdKey } : {}),
    createTables: overrides.createTables,
    // An operator's tool, with no timer; `dsm maintain` runs serverless: its one round is on demand.
    serverless: overrides.serverless ?? false,
    closeOnSigterm: false, // main.ts owns the process's signals
    maintenanceIntervalSeconds: 0,
    requestTimeoutMs: CLI_REQUEST_TIMEOUT_MS,
    operationTimeoutMs: CLI_OPERATION_TIMEOUT_MS,
    maxRetries: CLI_MAX_RETRIES,
    ...(overrides.now === undefined ? {} : { now: overrides.now }),
    ...(overrides.logger === undefined ? {} : { logger: overrides.logger }),
    ...(overrides.migrateFrom === undefined ? {} : { migrateFrom: overrides.migrateFrom }),
  };
}
