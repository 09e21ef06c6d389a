/**
 * The app server of one benchmark cell, run as a child process so that the load generator and
 * the application do not share an event loop. It builds one store on a counted client, serves
 * the benchmark app on 127.0.0.1 (a port the kernel picks) and answers the parent over IPC.
 * This file is the process boundary: the only place in the child that touches `process`.
 */
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import type { MetricsSnapshot } from 'dynamo-session-manager';
import { createBenchApp, type AppErrors } from './app.js';
import { createCountingClient, type CountingClient } from './measure.js';
import { CELL_CONFIG_ENV, type CellConfig, type ChildMessage, type CounterDelta, type ParentMessage } from './protocol.js';
import { buildStore, usesDynamoDb } from './stores.js';

function send(message: ChildMessage): void {
  process.send?.(message);
}

function counterDeltas(before: MetricsSnapshot | undefined, after: MetricsSnapshot | undefined): Record<string, CounterDelta> | undefined {
  if (after === undefined) return undefined;
  const out: Record<string, CounterDelta> = {};
  for (const [name, counter] of Object.entries(after.counters)) {
    const base = before?.counters[name as keyof MetricsSnapshot['counters']];
    const byTag: Record<string, number> = {};
    for (const [tag, value] of Object.entries(counter.byTag)) byTag[tag] = value - (base?.byTag[tag] ?? 0);
    const total = counter.total - (base?.total ?? 0);
    if (total !== 0) out[name] = { total, byTag };
  }
  return out;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env[CELL_CONFIG_ENV] ?? '{}') as CellConfig;
  let counting: CountingClient | undefined;
  if (usesDynamoDb(config.kind)) {
    if (config.endpoint === undefined) throw new Error(`Store ${config.kind} needs an endpoint.`);
    counting = createCountingClient(config.endpoint, { addedLatencyMs: config.addedLatencyMs ?? 0, askForCapacity: config.kind === 'connect-dynamodb' });
  }
  const built = await buildStore(config.kind, {
    client: counting?.client,
    tableName: config.tableName,
    clockShiftMs: config.clockShiftMs,
    rotationSeconds: config.rotationSeconds,
    clockSkewSeconds: config.clockSkewSeconds,
  });
  const appErrors: AppErrors = { answered: 0, afterResponse: 0, first: undefined };
  const app = createBenchApp(built, appErrors);
  // Requests that arrived since the last reset, and requests still being served: windows start and end idle,
  // so every DynamoDB call counted in a window belongs to a request counted in it.
  let arrived = 0;
  let inFlight = 0;
  const server = createServer((req, res) => {
    arrived += 1;
    inFlight += 1;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      inFlight -= 1;
    };
    res.once('finish', finish);
    res.once('close', finish);
    app(req, res);
  });
  // Idle: no request being served and no DynamoDB call pending (a request whose client hung up is over for
  // HTTP while its calls may still run) for 30 ms in a row, so a store between two calls is not taken for idle.
  const whenIdle = async (): Promise<void> => {
    const deadline = Date.now() + 10_000;
    let idleSince: number | undefined;
    while (Date.now() < deadline) {
      const busy = inFlight > 0 || (counting?.inFlight() ?? 0) > 0;
      if (busy) idleSince = undefined;
      else if (idleSince === undefined) idleSince = Date.now();
      else if (Date.now() - idleSince >= 30) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  let cpuBase = process.cpuUsage();
  let metricsBase = built.metrics();
  process.on('message', (raw: ParentMessage) => {
    void (async () => {
      switch (raw.type) {
        case 'reset':
          await whenIdle();
          arrived = 0;
          counting?.reset();
          Object.assign(appErrors, { answered: 0, afterResponse: 0, first: undefined });
          metricsBase = built.metrics();
          cpuBase = process.cpuUsage();
          send({ type: 'reset-done' });
          return;
        case 'collect': {
          await whenIdle();
          const cpu = process.cpuUsage(cpuBase);
          const storeCounters = counterDeltas(metricsBase, built.metrics());
          send({
            type: 'collected',
            data: {
              counts: counting?.snapshot() ?? { calls: {}, errors: {}, readUnits: 0, writeUnits: 0, derivedWriteUnits: 0, roundTripsMs: [] },
              cpuUserMicros: cpu.user,
              cpuSystemMicros: cpu.system,
              rssBytes: process.memoryUsage().rss,
              appErrors: { ...appErrors },
              appRequests: arrived,
              ...(storeCounters === undefined ? {} : { storeCounters }),
            },
          });
          return;
        }
        case 'stop':
          server.closeAllConnections();
          await new Promise((resolve) => server.close(resolve));
          await built.close().catch(() => undefined);
          counting?.client.destroy();
          send({ type: 'stopped' });
          process.disconnect?.();
          return;
      }
    })();
  });
  send({ type: 'ready', port: (server.address() as AddressInfo).port });
}

main().catch((error: unknown) => {
  send({ type: 'failed', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  process.exitCode = 1;
  process.disconnect?.();
});
