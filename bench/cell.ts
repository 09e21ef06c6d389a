/**
 * One cell of the table: one store under one workload. Forks the app server, signs the sessions
 * in (not measured), warms the process up with the same workload (not measured), then measures
 * a window with autocannon and collects the app's DynamoDB calls, capacity units and CPU.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { CellCollected, CellConfig, ChildMessage, ParentMessage } from './protocol.js';
import { CELL_CONFIG_ENV } from './protocol.js';
import { percentile } from './stats.js';
import type { StoreKind } from './stores.js';
import { createRequestPlan, WORKLOAD_SPECS, type WorkloadName } from './workloads.js';

/** Where a cell runs. */
export type BackendName = 'dynalite' | 'dynamodb-local';

/** What to run. */
export interface CellSpec {
  readonly backend: BackendName;
  readonly endpoint: string;
  readonly store: StoreKind;
  readonly workload: WorkloadName;
  readonly warmupSeconds: number;
  readonly measureSeconds: number;
  readonly connections: number;
  readonly sessions: number;
  /** Unique per cell: the table (or table base) name. */
  readonly tableName: string;
  /** Rotation workload: the rotation period, seconds. */
  readonly rotationSeconds?: number;
}

/** Latency figures, milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  readonly maxMs: number;
}

/** The rotation workload's extra figures. */
export interface RotationFigures {
  /** Where the boundary fell, ms after the measured window started. */
  readonly boundaryAtMs: number;
  /** The window counted as "during the rotation", relative to the boundary, ms. */
  readonly windowFromMs: number;
  readonly windowToMs: number;
  readonly inside: LatencySummary;
  readonly outside: LatencySummary;
  /** Requests per 250 ms bucket and their p99, relative to the boundary, for the chart. */
  readonly timeline: readonly { readonly atMs: number; readonly requests: number; readonly p99Ms: number }[];
}

/** What one cell measured. */
export interface CellResult {
  readonly spec: CellSpec;
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly latency: LatencySummary;
  /** Connection errors and timeouts, plus non-2xx answers (a lost session answers 410). */
  readonly errors: number;
  readonly non2xx: number;
  readonly collected: CellCollected;
  readonly rotation?: RotationFigures;
}

const APP_SERVER = fileURLToPath(new URL('./app-server.ts', import.meta.url));

/** Rotation workload: the window around the boundary that counts as "during the rotation". */
export const ROTATION_WINDOW_BEFORE_MS = 1000;
export const ROTATION_WINDOW_AFTER_MS = 3000;
/** Rotation workload: clock skew allowance, so the doubled reads near the boundary stay short. */
export const ROTATION_CLOCK_SKEW_SECONDS = 1;
/** Rotation workload: time allowed from fork to the measured window's start, ms. */
const ROTATION_SETUP_ALLOWANCE_MS = 6000;

/** Runs one cell. */
export async function runCell(spec: CellSpec): Promise<CellResult> {
  const workload = WORKLOAD_SPECS[spec.workload];
  const rotation = workload.rotation ? planRotation(spec) : undefined;
  const config: CellConfig = {
    kind: spec.store,
    endpoint: spec.endpoint,
    tableName: spec.tableName,
    ...(rotation === undefined
      ? steadyClock(spec)
      : { clockShiftMs: rotation.shiftMs, rotationSeconds: rotation.periodSeconds, clockSkewSeconds: ROTATION_CLOCK_SKEW_SECONDS }),
  };
  const child = fork(APP_SERVER, [], { env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', [CELL_CONFIG_ENV]: JSON.stringify(config) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const channel = createChannel(child);
  try {
    const ready = await channel.next();
    if (ready.type === 'failed') throw new Error(`App server for ${spec.store} failed to start: ${ready.message}`);
    if (ready.type !== 'ready') throw new Error(`Unexpected message ${ready.type}`);
    const url = `http://127.0.0.1:${ready.port}`;
    const cookies = await signIn(url, spec.sessions, spec.store === 'none');
    await load(url, cookies, workload.writeFraction, spec.connections, spec.warmupSeconds, 7);
    if (rotation !== undefined) {
      const wait = rotation.measureFromMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    await channel.request({ type: 'reset' }, 'reset-done');
    const startedMs = Date.now();
    const measured = await load(url, cookies, workload.writeFraction, spec.connections, spec.measureSeconds, 42);
    const collected = await channel.request({ type: 'collect' }, 'collected');
    if (collected.type !== 'collected') throw new Error('no collection');
    const latencies = measured.samples.map((s) => s.latencyMs);
    return {
      spec,
      startedAt: new Date(startedMs).toISOString(),
      durationSeconds: measured.durationSeconds,
      requests: measured.samples.length,
      requestsPerSecond: measured.samples.length / measured.durationSeconds,
      latency: summarize(latencies),
      errors: measured.errors + measured.non2xx,
      non2xx: measured.non2xx,
      collected: collected.data,
      ...(rotation === undefined ? {} : { rotation: rotationFigures(measured.samples, rotation.boundaryRealMs, startedMs) }),
    };
  } finally {
    await channel.request({ type: 'stop' }, 'stopped', 10_000).catch(() => undefined);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }
}

/** Steady cells of rotation stores run mid-period: the clock is offset so no boundary falls in them. */
function steadyClock(spec: CellSpec): Pick<CellConfig, 'clockShiftMs'> {
  if (spec.store !== 'rotation-strong' && spec.store !== 'rotation-eventual') return {};
  const periodMs = 3600 * 1000; // the store's default period (maxInactiveInterval)
  const now = Date.now();
  const intoPeriod = now % periodMs;
  return { clockShiftMs: periodMs / 2 - intoPeriod };
}

interface RotationPlan {
  readonly periodSeconds: number;
  readonly shiftMs: number;
  /** Real epoch ms of the boundary the window straddles. */
  readonly boundaryRealMs: number;
  /** Real epoch ms the measured window should start at. */
  readonly measureFromMs: number;
}

/** Offsets the store's clock so that a period boundary falls in the middle of the measured window. */
function planRotation(spec: CellSpec): RotationPlan {
  const periodSeconds = spec.rotationSeconds ?? 20;
  const periodMs = periodSeconds * 1000;
  // The sessions must be created in the period just before the boundary, and the window must not reach another boundary.
  if (ROTATION_SETUP_ALLOWANCE_MS + (spec.measureSeconds * 1000) / 2 >= periodMs) {
    throw new Error(`A ${spec.measureSeconds} s rotation window needs a period over ${(ROTATION_SETUP_ALLOWANCE_MS / 1000 + spec.measureSeconds / 2).toFixed(0)} s.`);
  }
  const measureFromMs = Date.now() + ROTATION_SETUP_ALLOWANCE_MS;
  const boundaryRealMs = measureFromMs + (spec.measureSeconds * 1000) / 2;
  const virtualBoundary = Math.ceil(boundaryRealMs / periodMs) * periodMs;
  return { periodSeconds, shiftMs: virtualBoundary - boundaryRealMs, boundaryRealMs, measureFromMs };
}

function summarize(latencies: readonly number[]): LatencySummary {
  let sum = 0;
  let max = 0;
  for (const value of latencies) {
    sum += value;
    if (value > max) max = value;
  }
  return {
    count: latencies.length,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    meanMs: latencies.length === 0 ? Number.NaN : sum / latencies.length,
    maxMs: max,
  };
}

interface Sample {
  /** Real epoch ms the response completed. */
  readonly endMs: number;
  readonly latencyMs: number;
}

function rotationFigures(samples: readonly Sample[], boundaryRealMs: number, startedMs: number): RotationFigures {
  const from = boundaryRealMs - ROTATION_WINDOW_BEFORE_MS;
  const to = boundaryRealMs + ROTATION_WINDOW_AFTER_MS;
  const inside: number[] = [];
  const outside: number[] = [];
  const buckets = new Map<number, number[]>();
  for (const sample of samples) {
    const start = sample.endMs - sample.latencyMs;
    (sample.endMs >= from && start < to ? inside : outside).push(sample.latencyMs);
    const bucket = Math.floor((sample.endMs - boundaryRealMs) / 250) * 250;
    let list = buckets.get(bucket);
    if (list === undefined) buckets.set(bucket, (list = []));
    list.push(sample.latencyMs);
  }
  const timeline = [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([atMs, list]) => ({ atMs, requests: list.length, p99Ms: percentile(list, 0.99) }));
  return {
    boundaryAtMs: boundaryRealMs - startedMs,
    windowFromMs: -ROTATION_WINDOW_BEFORE_MS,
    windowToMs: ROTATION_WINDOW_AFTER_MS,
    inside: summarize(inside),
    outside: summarize(outside),
    timeline,
  };
}

/** Creates the sessions: one sign-in per user, 16 at a time. Returns the `Cookie` header values. */
async function signIn(url: string, sessions: number, noStore: boolean): Promise<string[]> {
  const cookies = new Array<string>(sessions);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < sessions) {
      const user = next;
      next += 1;
      const response = await fetch(`${url}/login?u=${user}`, { method: 'POST' });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`Sign-in of user ${user} failed with HTTP ${response.status}.`);
      const cookie = response.headers.getSetCookie().find((c) => c.startsWith('connect.sid='));
      if (cookie === undefined && !noStore) throw new Error(`Sign-in of user ${user} set no session cookie.`);
      cookies[user] = cookie?.split(';')[0] ?? `connect.sid=none-${user}`;
    }
  };
  await Promise.all(Array.from({ length: 16 }, () => worker()));
  return cookies;
}

interface LoadResult {
  readonly samples: Sample[];
  readonly durationSeconds: number;
  readonly errors: number;
  readonly non2xx: number;
}

/** Drives the app with autocannon for `seconds`, recording every response's latency. */
async function load(url: string, cookies: readonly string[], writeFraction: number, connections: number, seconds: number, seed: number): Promise<LoadResult> {
  const nextRequest = createRequestPlan(cookies, writeFraction, seed);
  const samples: Sample[] = [];
  const started = performance.now();
  return await new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration: seconds,
        timeout: 10,
        requests: [{ setupRequest: (request) => ({ ...request, ...nextRequest() }) }],
      },
      (error, result) => {
        if (error !== null && error !== undefined) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        resolve({ samples, durationSeconds: (performance.now() - started) / 1000, errors: result.errors + result.timeouts, non2xx: result.non2xx });
      },
    );
    instance.on('response', (_client, _statusCode, _bytes, responseTime) => {
      samples.push({ endMs: Date.now(), latencyMs: responseTime });
    });
  });
}

interface Channel {
  next(): Promise<ChildMessage>;
  request(message: ParentMessage, expect: ChildMessage['type'], timeoutMs?: number): Promise<ChildMessage>;
}

function createChannel(child: ChildProcess): Channel {
  const queue: ChildMessage[] = [];
  const waiters: ((message: ChildMessage) => void)[] = [];
  child.on('message', (message: ChildMessage) => {
    const waiter = waiters.shift();
    if (waiter !== undefined) waiter(message);
    else queue.push(message);
  });
  const exited = new Promise<ChildMessage>((resolve) => {
    child.once('exit', (code, signal) => resolve({ type: 'failed', message: `app server exited (code ${String(code)}, signal ${String(signal)})` }));
  });
  const next = (): Promise<ChildMessage> => {
    const queued = queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return Promise.race([new Promise<ChildMessage>((resolve) => waiters.push(resolve)), exited]);
  };
  return {
    next,
    async request(message, expect, timeoutMs = 30_000) {
      if (!child.connected) throw new Error('app server is gone');
      child.send(message);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`app server did not answer ${message.type} in time`)), timeoutMs);
      });
      try {
        const answer = await Promise.race([next(), timeout]);
        if (answer.type !== expect) throw new Error(`app server answered ${answer.type} to ${message.type}`);
        return answer;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
