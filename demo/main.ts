// The demo behind `npm start`: the process boundary. It reads the environment, starts the
// embedded DynamoDB-compatible server unless told to use another DynamoDB, listens on
// 127.0.0.1, prints where to look, and shuts everything down on Ctrl+C or SIGTERM.
// It imports only the package's public entry points, so running it exercises the exports map.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DynamoSessionStore, isSessionManagerError, type Logger, type LogMethod } from 'dynamo-session-manager';
import { startLocalDynamo, type LocalDynamo } from 'dynamo-session-manager/local';
import { createDemoApp, type DemoApp } from './app.js';
import { demoStoreOptions, readDemoConfig, type DemoConfig } from './config.js';

/** Prints the store's info, warn and error lines (table created, rotated, dropped) with the time. */
function createConsoleLogger(): Logger {
  const line =
    (level: string): LogMethod =>
    (fields, message) => {
      const detail = Object.entries(fields)
        .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
        .join(' ');
      console.log(`${new Date().toISOString().slice(11, 19)} ${level.padEnd(5)} ${message ?? ''}${detail === '' ? '' : `  ${detail}`}`);
    };
  return { debug: () => undefined, info: line('info'), warn: line('warn'), error: line('error') };
}

function describeBackend(config: DemoConfig, local: LocalDynamo | undefined): string {
  if (config.backend.kind === 'external') {
    const where = config.backend.endpoint ?? `AWS (${config.backend.region ?? 'default region'})`;
    return `${where}, because DSM_ENDPOINT or AWS_REGION is set`;
  }
  const data = config.backend.dataDir === undefined ? 'data in memory' : `data in ${config.backend.dataDir}`;
  return `embedded dynalite at ${local?.endpoint ?? '?'} (${data})`;
}

async function main(): Promise<void> {
  // The AWS SDK warns at the first client that Node.js 20 support ends in 2027. It is true and
  // unrelated to the demo, and as the first line a new user sees it reads like a failure.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let config: DemoConfig;
  try {
    config = readDemoConfig(process.env);
  } catch (error) {
    console.error(`demo: ${(error as Error).message}`);
    process.exitCode = 2;
    return;
  }

  let local: LocalDynamo | undefined;
  if (config.backend.kind === 'embedded') {
    try {
      local = await startLocalDynamo(config.backend.dataDir === undefined ? {} : { dataDir: config.backend.dataDir });
    } catch (error) {
      console.error(`demo: the embedded DynamoDB-compatible server did not start: ${(error as Error).message}`);
      process.exitCode = 1;
      return;
    }
  }
  const stopTelemetry = config.openTelemetry === 'console' ? (await import('./otel-console.js')).startConsoleTelemetry() : undefined;
  const store = new DynamoSessionStore({ ...demoStoreOptions(config, local?.endpoint), logger: createConsoleLogger() });
  let app: DemoApp | undefined;
  let server: ReturnType<DemoApp['listen']> | undefined;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      // Every step runs even when one fails.
      app?.close();
      if (server !== undefined) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server?.close(() => resolve()));
      }
      await store.close().catch((error: unknown) => console.error(`demo: closing the store failed: ${(error as Error).message}`));
      await local?.stop();
      await stopTelemetry?.().catch((error: unknown) => console.error(`demo: stopping OpenTelemetry failed: ${(error as Error).message}`));
    })());
  const onSignal = (): void => {
    void stop().then(() => console.log('Stopped.'));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    await store.ready();
  } catch (error) {
    console.error(`demo: the session store could not get its tables ready: ${(error as Error).message}`);
    if (isSessionManagerError(error, 'backend.userIndexMissing') && config.backend.kind === 'embedded' && config.backend.dataDir !== undefined) {
      // dynalite ignores an index added to an existing table, so `dsm add-user-index` cannot help here.
      console.error(
        `demo: the tables in ${config.backend.dataDir} were made by an earlier version of the demo, without the user index ("Signed in on"). ` +
          `Delete ${config.backend.dataDir}, or start with DSM_MEMORY=1, or wait ${config.rememberSeconds * 2} s for them to expire.`,
      );
    }
    process.exitCode = 1;
    await stop();
    return;
  }

  if (stopping !== undefined) return; // Ctrl+C while the tables were being made ready

  app = createDemoApp(store, { sessionSecret: config.sessionSecret ?? randomBytes(32).toString('hex') });
  const listening = app.listen(config.port, config.host);
  server = listening;
  await new Promise<void>((resolve, reject) => {
    listening.once('listening', resolve);
    listening.once('error', reject);
  }).catch(async (error: unknown) => {
    console.error(`demo: cannot listen on ${config.host}:${config.port}: ${(error as Error).message}. Set PORT to another port.`);
    process.exitCode = 1;
    server = undefined;
    await stop();
  });
  if (server === undefined) return;

  const { port } = listening.address() as AddressInfo;
  const url = `http://${config.host}:${port}/`;
  console.log(`
dynamo-session-manager demo

  Shop:       ${url}
  Dashboard:  ${url}dashboard
  DynamoDB:   ${describeBackend(config, local)}
  Tables:     ${config.tableBaseName}_<period>, one every ${config.rotationSeconds} s (DSM_ROTATION_SECONDS); sessions idle ${config.idleSeconds} s expire, ${config.rememberSeconds} s with "remember me"${
    config.openTelemetry === 'console' ? '\n  Telemetry:  OpenTelemetry spans and metrics on this console (DSM_OTEL=console)' : ''
  }

Press Ctrl+C to stop.
`);
}

await main();
