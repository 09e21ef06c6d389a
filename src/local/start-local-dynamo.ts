import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { request } from 'node:http';
import { mkdir } from 'node:fs/promises';
import { SessionManagerError } from '../errors.js';

/** Options of {@link startLocalDynamo}. */
export interface LocalDynamoOptions {
  /** TCP port on 127.0.0.1. @default a free port chosen at start */
  port?: number;
  /** Directory for persisted data (LevelDB). In memory when unset. @default undefined */
  dataDir?: string;
  /** How long a new table stays CREATING, in milliseconds. @default 0 */
  createTableMs?: number;
  /** How long a deleted table stays DELETING, in milliseconds. @default 0 */
  deleteTableMs?: number;
  /** How long an updated table stays UPDATING, in milliseconds. @default 0 */
  updateTableMs?: number;
  /** How long to wait for the server to answer, in milliseconds. @default 15000 */
  startTimeoutMs?: number;
  /** Forward the server's own output to this process's stderr. @default false */
  verbose?: boolean;
}

/** A running embedded DynamoDB-compatible server. */
export interface LocalDynamo {
  /** `http://127.0.0.1:<port>`, to pass as `dynamoEndpoint`. */
  readonly endpoint: string;
  /** The TCP port it listens on. */
  readonly port: number;
  /** The child process id. */
  readonly pid: number;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s). Idempotent. */
  stop(): Promise<void>;
  /** Resolves when the server process has exited, whatever the reason. */
  readonly exited: Promise<number | null>;
}

const HOST = '127.0.0.1';

/**
 * Starts dynalite, an embedded DynamoDB-compatible server, as a child process listening on
 * 127.0.0.1, and resolves once it answers HTTP requests.
 *
 * dynalite is an optional peer dependency: install it with `npm install -D dynalite`.
 *
 * @param options - port, data directory and table state delays.
 * @returns the endpoint and a `stop()` function.
 * @throws {SessionManagerError} `local.startFailed` when the server does not start.
 * @example
 * ```ts
 * const local = await startLocalDynamo();
 * const store = new DynamoSessionStore({ dynamoEndpoint: local.endpoint });
 * // ...
 * await store.close();
 * await local.stop();
 * ```
 */
export async function startLocalDynamo(options: LocalDynamoOptions = {}): Promise<LocalDynamo> {
  const cli = resolveDynaliteCli();
  if (options.dataDir !== undefined) await mkdir(options.dataDir, { recursive: true });
  const attempts = options.port === undefined ? 5 : 1;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const port = options.port ?? (await findFreePort());
    try {
      return await launch(cli, port, options);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

function resolveDynaliteCli(): string {
  try {
    return createRequire(import.meta.url).resolve('dynalite/cli.js');
  } catch (cause) {
    throw new SessionManagerError(
      'local.startFailed',
      'The embedded DynamoDB-compatible server needs the package `dynalite`; install it with `npm install -D dynalite`.',
      { cause },
    );
  }
}

/** Asks the kernel for a free TCP port on 127.0.0.1. */
export async function findFreePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function launch(cli: string, port: number, options: LocalDynamoOptions): Promise<LocalDynamo> {
  const args = [
    cli,
    '--host', HOST,
    '--port', String(port),
    '--createTableMs', String(options.createTableMs ?? 0),
    '--deleteTableMs', String(options.deleteTableMs ?? 0),
    '--updateTableMs', String(options.updateTableMs ?? 0),
  ];
  if (options.dataDir !== undefined) args.push('--path', options.dataDir);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });
  let output = '';
  let listening = false;
  const collect = (chunk: Buffer): void => {
    if (output.length < 4000) output += chunk.toString();
    if (output.includes('listening at')) listening = true;
    if (options.verbose === true) process.stderr.write(chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const endpoint = `http://${HOST}:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
  let alive = true;
  void exited.then(() => {
    alive = false;
  });
  while (alive && !(listening && (await isHealthy(port)))) {
    if (Date.now() > deadline) {
      await stopChild(child, exited);
      throw new SessionManagerError('local.startFailed', `dynalite did not answer on ${endpoint} in time.`, {
        details: { output: output.slice(0, 500) },
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  if (!alive) {
    throw new SessionManagerError('local.startFailed', `dynalite exited before answering on ${endpoint}.`, {
      details: { output: output.slice(0, 500) },
    });
  }
  // If this process exits without stopping the server, take the server down with it.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));
  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    port,
    pid: child.pid ?? -1,
    exited,
    stop: () => (stopping ??= stopChild(child, exited)),
  };
}

async function isHealthy(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const req = request({ host: HOST, port, path: '/', method: 'GET', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('error', () => resolve(false));
    req.once('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
