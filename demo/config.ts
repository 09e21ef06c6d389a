import type { DynamoSessionStoreOptions } from 'dynamo-session-manager';

/** Where the demo keeps its sessions. */
export type DemoBackend =
  /** dynalite started by the demo; `dataDir` undefined means in memory. */
  | { readonly kind: 'embedded'; readonly dataDir: string | undefined }
  /** A DynamoDB the user points at: an endpoint (DynamoDB Local, Alternator...) or AWS in a region. */
  | { readonly kind: 'external'; readonly endpoint: string | undefined; readonly region: string | undefined };

/** The demo's settings, read from the environment once by {@link readDemoConfig}. */
export interface DemoConfig {
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  /** The demo listens on loopback only. */
  readonly host: '127.0.0.1';
  /** Length of one table period, in seconds. */
  readonly rotationSeconds: number;
  /** Idle timeout of a session, in seconds: two periods, so a session idle for a whole period is still found in the previous table. */
  readonly idleSeconds: number;
  /** How long "remember me" at sign-in keeps a session (its cookie's `maxAge`), in seconds: three periods. */
  readonly rememberSeconds: number;
  readonly backend: DemoBackend;
  /** Signs the session cookie; undefined means a random secret per process. */
  readonly sessionSecret: string | undefined;
  /** Prefix of the demo's tables. */
  readonly tableBaseName: string;
  /** `console`: an OpenTelemetry SDK prints the store's spans and metrics on the console. */
  readonly openTelemetry: 'off' | 'console';
}

/** Defaults of the demo (not of the library: its rotation is an hour). */
export const DEMO_DEFAULTS = Object.freeze({
  port: 3000,
  rotationSeconds: 60,
  dataDir: './.dsm-data',
  tableBaseName: 'demo-sessions',
});

/** The environment variables the demo reads. */
export type DemoEnv = Readonly<Record<string, string | undefined>>;

/**
 * Reads the demo's settings from environment variables. Pure: pass `process.env`.
 *
 * - `PORT` (default 3000; 0 for any free port), always on 127.0.0.1;
 * - `DSM_ROTATION_SECONDS` (default 60): the table period;
 * - `DSM_DATA_DIR` (default `./.dsm-data`) or `DSM_MEMORY=1`: where the embedded server keeps data;
 * - `DSM_ENDPOINT` and/or `AWS_REGION`: use that DynamoDB instead of the embedded server;
 * - `DSM_SESSION_SECRET`: cookie signing secret (default: random per start);
 * - `DSM_OTEL=console`: print the store's OpenTelemetry spans and metrics on the console.
 *
 * @throws {Error} naming the variable, the value and what is allowed.
 */
export function readDemoConfig(env: DemoEnv): DemoConfig {
  const port = readInteger(env, 'PORT', DEMO_DEFAULTS.port, 0, 65_535);
  const rotationSeconds = readInteger(env, 'DSM_ROTATION_SECONDS', DEMO_DEFAULTS.rotationSeconds, 2, 86_400);
  const endpoint = nonEmpty(env.DSM_ENDPOINT);
  const region = nonEmpty(env.AWS_REGION);
  if (endpoint !== undefined && !/^https?:\/\/\S+$/.test(endpoint)) {
    throw new Error(`DSM_ENDPOINT must be an http:// or https:// URL; got ${JSON.stringify(endpoint)}.`);
  }
  const memory = nonEmpty(env.DSM_MEMORY);
  if (memory !== undefined && memory !== '0' && memory !== '1') {
    throw new Error(`DSM_MEMORY must be 1 (keep data in memory) or 0; got ${JSON.stringify(memory)}.`);
  }
  const otel = nonEmpty(env.DSM_OTEL) ?? 'off';
  if (otel !== 'off' && otel !== 'console') {
    throw new Error(`DSM_OTEL must be console (print OpenTelemetry spans and metrics) or off; got ${JSON.stringify(otel)}.`);
  }
  const backend: DemoBackend =
    endpoint !== undefined || region !== undefined
      ? { kind: 'external', endpoint, region }
      : { kind: 'embedded', dataDir: memory === '1' ? undefined : (nonEmpty(env.DSM_DATA_DIR) ?? DEMO_DEFAULTS.dataDir) };
  return Object.freeze({
    port,
    host: '127.0.0.1',
    rotationSeconds,
    idleSeconds: rotationSeconds * 2,
    rememberSeconds: rotationSeconds * 3,
    backend,
    sessionSecret: nonEmpty(env.DSM_SESSION_SECRET),
    tableBaseName: DEMO_DEFAULTS.tableBaseName,
    openTelemetry: otel,
  });
}

/**
 * The store options the demo uses for `config`, given the endpoint of the embedded server
 * when there is one. Tests build their store with the same function.
 */
export function demoStoreOptions(config: DemoConfig, embeddedEndpoint?: string): DynamoSessionStoreOptions {
  const connection: DynamoSessionStoreOptions =
    config.backend.kind === 'embedded'
      ? embeddedEndpoint === undefined
        ? {}
        : { dynamoEndpoint: embeddedEndpoint }
      : {
          ...(config.backend.endpoint === undefined ? {} : { dynamoEndpoint: config.backend.endpoint }),
          ...(config.backend.region === undefined ? {} : { region: config.backend.region }),
        };
  return {
    ...connection,
    tableBaseName: config.tableBaseName,
    tableRotationSeconds: config.rotationSeconds,
    maxInactiveInterval: config.idleSeconds,
    // A session lives the idle timeout, or with "remember me" its cookie's `maxAge`: the longest
    // lifetime, so tables are kept three periods (not the 30 kept by default), and the dashboard
    // shows a table dropped within four periods.
    longestLifetimeSeconds: Math.max(config.idleSeconds, config.rememberSeconds),
    // Static assets are served after the session middleware on purpose: their requests read
    // the session but the tracker makes sure they never write it.
    ignoreUris: '/static/.*',
    // The user index: the signed-in name is the user, so the shop lists where a name is signed in
    // and signs out its other devices. Every table the demo creates gets the index. The device
    // facts are the session's `device` key, which the store's default `deviceOf` reads.
    userIdOf: signedInName,
  };
}

/** The user of a shop session: its signed-in name, or undefined before sign-in. */
export function signedInName(session: Readonly<Record<string, unknown>>): string | undefined {
  const user = session.user;
  if (typeof user !== 'object' || user === null) return undefined;
  const name = (user as { name?: unknown }).name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function readInteger(env: DemoEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(raw)}.`);
  }
  return value;
}
