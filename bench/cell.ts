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
import { SESSION_MAX_AGE_SECONDS, isRotationStore, type StoreKind } from './stores.js';
import { createRequestPlan, WORKLOAD_SPECS, type WorkloadName } from './workloads.js';

/**
 * Where a cell runs: dynalite as it is (a round trip well under a millisecond), dynalite with a
 * modelled network round trip added to every call, or DynamoDB Local.
 */
export type BackendName = 'dynalite' | 'dynalite-latency' | 'dynamodb-local';

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
  /** Milliseconds added before every DynamoDB call. @default 0 */
  readonly addedLatencyMs?: number;
  /** Rotation workload: the rotation period, seconds. */
  readonly rotationSeconds?: number;
  /** Offered load, requests per second over all connections; unset = as fast as the app answers. */
  readonly rate?: number;
  /** After the window, send each session one read-only and one changing request, one at a time, and count their calls. */
  readonly probe?: boolean;
}

/** What one request of a kind costs, from sequential requests (one per session). */
export interface ProbeFigures {
  readonly requests: number;
  readonly failed: number;
  readonly collected: CellCollected;
  /** Each request's latency as the client saw it, one request at a time. */
  readonly latency: LatencySummary;
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
  /** How many rotation windows (each a fresh cell and boundary) were pooled into `inside` and `outside`. @default 1 */
  readonly windows?: number;
  /** Requests per 250 ms bucket (first window) and their p99, relative to the boundary, for the chart. */
  readonly timeline: readonly { readonly atMs: number; readonly requests: number; readonly p99Ms: number }[];
  /**
   * One at a time, no other load: the first read-only request of sessions that were not used since
   * before the boundary (each moves its session forward), then a second one of each (steady state).
   */
  readonly probe?: { readonly firstAfter: ProbeFigures; readonly steady: ProbeFigures };
}

/** What one cell measured. */
export interface CellResult {
  readonly spec: CellSpec;
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly requests: number;
  readonly requestsPerSecond: number;
  /** Requests per second of each measured slice, in round order. */
  readonly sliceRequestsPerSecond: readonly number[];
  readonly latency: LatencySummary;
  /** Connection errors and timeouts, plus non-2xx answers (a lost session answers 410). */
  readonly errors: number;
  readonly non2xx: number;
  readonly collected: CellCollected;
  /** CPU the backend server used over the measured slices, microseconds (when it could be read). */
  readonly backendCpuMicros?: number;
  readonly rotation?: RotationFigures;
  /** Calls and units of one read-only request and of one changing request (when `probe` was set). */
  readonly probes?: { readonly readOnly: ProbeFigures; readonly changed: ProbeFigures };
}

const APP_SERVER = fileURLToPath(new URL('./app-server.ts', import.meta.url));

/** Rotation workload: the window around the boundary that counts as "during the rotation". */
export const ROTATION_WINDOW_BEFORE_MS = 1000;
export const ROTATION_WINDOW_AFTER_MS = 3000;
/** Rotation workload: clock skew allowance, so the doubled reads near the boundary stay short. */
export const ROTATION_CLOCK_SKEW_SECONDS = 1;
/** Rotation workload: time allowed from fork to the measured window's start, ms. */
const ROTATION_SETUP_ALLOWANCE_MS = 6000;

/** A cell's app server, signed in and warmed up, ready for measured slices. */
export interface OpenCell {
  readonly spec: CellSpec;
  readonly url: string;
  readonly cookies: readonly string[];
  /** Sessions signed in but never sent load (rotation workload only). */
  readonly spareCookies: readonly string[];
  readonly channel: Channel;
  readonly rotation: RotationPlan | undefined;
  close(): Promise<void>;
}

/** One measured window of a cell. */
interface Slice {
  readonly startedMs: number;
  readonly measured: LoadResult;
  readonly collected: CellCollected;
  /** CPU the backend server used during the slice, microseconds, when it can be read. */
  readonly backendCpuMicros: number | undefined;
}

/** Reads the backend server's CPU time so far, microseconds (undefined when it cannot be read). */
export type CpuProbe = () => number | undefined;

/** Forks the app server of a cell, signs its sessions in and warms it up (nothing measured). */
export async function openCell(spec: CellSpec): Promise<OpenCell> {
  const workload = WORKLOAD_SPECS[spec.workload];
  const rotation = workload.rotation ? planRotation(spec) : undefined;
  const config: CellConfig = {
    kind: spec.store,
    endpoint: spec.endpoint,
    tableName: spec.tableName,
    ...(spec.addedLatencyMs === undefined ? {} : { addedLatencyMs: spec.addedLatencyMs }),
    ...(rotation === undefined
      ? steadyClock(spec)
      : { clockShiftMs: rotation.shiftMs, rotationSeconds: rotation.periodSeconds, clockSkewSeconds: ROTATION_CLOCK_SKEW_SECONDS }),
  };
  const child = fork(APP_SERVER, [], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', [CELL_CONFIG_ENV]: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [...process.execArgv, ...(process.env.BENCH_PROFILE_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`])],
  });
  const channel = createChannel(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async (): Promise<void> => {
    await channel.request({ type: 'stop' }, 'stopped', 10_000).catch(() => undefined);
    // It exits by itself once stopped; a child that does not within 3 s is ended.
    const timer = setTimeout(() => child.kill('SIGTERM'), 3000);
    await exited;
    clearTimeout(timer);
  };
  try {
    const ready = await channel.next();
    if (ready.type === 'failed') throw new Error(`App server for ${spec.store} failed to start: ${ready.message}`);
    if (ready.type !== 'ready') throw new Error(`Unexpected message ${ready.type}`);
    const url = `http://127.0.0.1:${ready.port}`;
    // The rotation workload signs in a second set of sessions that the load never touches: after the
    // window, each of them is still in the previous table, so its next request is a first request after a rotation.
    const signedIn = await signIn(url, rotation === undefined ? spec.sessions : 2 * spec.sessions, spec.store === 'none');
    const cookies = signedIn.slice(0, spec.sessions);
    const spareCookies = signedIn.slice(spec.sessions);
    await load(url, cookies, workload.writeFraction, spec.connections, spec.warmupSeconds, 7, spec.rate);
    return { spec, url, cookies, spareCookies, channel, rotation, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Measures one window of `seconds` on an open cell. */
async function measureSlice(cell: OpenCell, seconds: number, seed: number, backendCpu: CpuProbe): Promise<Slice> {
  await cell.channel.request({ type: 'reset' }, 'reset-done');
  const cpuBefore = backendCpu();
  const startedMs = Date.now();
  const measured = await load(cell.url, cell.cookies, WORKLOAD_SPECS[cell.spec.workload].writeFraction, cell.spec.connections, seconds, seed, cell.spec.rate);
  const collected = await cell.channel.request({ type: 'collect' }, 'collected');
  const cpuAfter = backendCpu();
  if (collected.type !== 'collected') throw new Error('no collection');
  const backendCpuMicros = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
  return { startedMs, measured, collected: collected.data, backendCpuMicros };
}

/**
 * Runs the steady-state cells of one workload: opens every store's app, then measures `rounds`
 * slices of each, in an order that alternates round by round (A B C, C B A, ...), so that the
 * shared machine's drift falls on every store alike. Then the probes, then closes them all.
 */
export async function runRounds(
  specs: readonly CellSpec[],
  rounds: number,
  backendCpu: CpuProbe,
  onCell?: (cell: CellResult) => void,
): Promise<CellResult[]> {
  const open: OpenCell[] = [];
  try {
    for (const spec of specs) open.push(await openCell(spec));
    const slices = new Map<OpenCell, Slice[]>(open.map((cell) => [cell, []]));
    for (let round = 0; round < rounds; round += 1) {
      const order = round % 2 === 0 ? open : [...open].reverse();
      for (const cell of order) slices.get(cell)?.push(await measureSlice(cell, cell.spec.measureSeconds, 42 + round, backendCpu));
    }
    const results: CellResult[] = [];
    for (const cell of open) {
      const probes =
        cell.spec.probe === true
          ? { readOnly: await probe(cell.channel, cell.url, cell.cookies, 'GET', '/account'), changed: await probe(cell.channel, cell.url, cell.cookies, 'POST', '/cart') }
          : undefined;
      const result = combineSlices(cell.spec, slices.get(cell) ?? [], probes);
      results.push(result);
      onCell?.(result);
    }
    return results;
  } finally {
    await Promise.all(open.map((cell) => cell.close()));
  }
}

/** Runs one rotation cell: a single window with a period boundary in its middle, at the spec's fixed rate. */
export async function runRotationCell(spec: CellSpec, backendCpu: CpuProbe, windows = 1): Promise<CellResult> {
  const slices: Slice[] = [];
  const inside: number[] = [];
  const outside: number[] = [];
  let figures: RotationFigures | undefined;
  for (let w = 0; w < windows; w += 1) {
    // A fresh cell (new tables, a new boundary) per window; the windows' requests are pooled.
    const cell = await openCell(spec);
    try {
      const plan = cell.rotation;
      if (plan === undefined) throw new Error('runRotationCell needs the rotation workload.');
      const wait = plan.measureFromMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const slice = await measureSlice(cell, spec.measureSeconds, 42 + w, backendCpu);
      slices.push(slice);
      const split = splitAtBoundary(slice.measured.samples, plan.boundaryRealMs);
      inside.push(...split.inside);
      outside.push(...split.outside);
      figures ??= rotationFigures(slice.measured.samples, plan.boundaryRealMs, slice.startedMs);
      if (w < windows - 1) continue;
      if (Date.now() < plan.boundaryRealMs + 2000) throw new Error('The rotation probe must start well after the boundary.');
      const firstAfter = await probe(cell.channel, cell.url, cell.spareCookies, 'GET', '/account');
      const steady = await probe(cell.channel, cell.url, cell.spareCookies, 'GET', '/account');
      const result = combineSlices(spec, slices, undefined);
      return { ...result, rotation: { ...figures, inside: summarize(inside), outside: summarize(outside), windows, probe: { firstAfter, steady } } };
    } finally {
      await cell.close();
    }
  }
  throw new Error('runRotationCell needs at least one window.');
}

/** The latencies of requests overlapping the window around the boundary, and of the others. */
function splitAtBoundary(samples: readonly Sample[], boundaryRealMs: number): { inside: number[]; outside: number[] } {
  const from = boundaryRealMs - ROTATION_WINDOW_BEFORE_MS;
  const to = boundaryRealMs + ROTATION_WINDOW_AFTER_MS;
  const inside: number[] = [];
  const outside: number[] = [];
  for (const sample of samples) (sample.endMs >= from && sample.endMs - sample.latencyMs < to ? inside : outside).push(sample.latencyMs);
  return { inside, outside };
}

/**
 * Requests that went wrong in a cell: connection errors, timeouts and non-2xx answers (an error
 * the app answered with a 500 is among those), plus errors the app met after it had answered.
 */
export function totalErrors(cell: CellResult): number {
  return cell.errors + cell.collected.appErrors.afterResponse;
}

function combineSlices(spec: CellSpec, slices: readonly Slice[], probes: CellResult['probes']): CellResult {
  const latencies = slices.flatMap((slice) => slice.measured.samples.map((sample) => sample.latencyMs));
  const durationSeconds = slices.reduce((sum, slice) => sum + slice.measured.durationSeconds, 0);
  const errors = slices.reduce((sum, slice) => sum + slice.measured.errors + slice.measured.non2xx, 0);
  const non2xx = slices.reduce((sum, slice) => sum + slice.measured.non2xx, 0);
  return {
    spec,
    startedAt: new Date(slices[0]?.startedMs ?? Date.now()).toISOString(),
    durationSeconds,
    requests: latencies.length,
    requestsPerSecond: latencies.length / Math.max(1e-9, durationSeconds),
    sliceRequestsPerSecond: slices.map((slice) => slice.measured.samples.length / slice.measured.durationSeconds),
    latency: summarize(latencies),
    errors,
    non2xx,
    collected: sumCollected(slices.map((slice) => slice.collected)),
    ...(slices.every((slice) => slice.backendCpuMicros !== undefined)
      ? { backendCpuMicros: slices.reduce((sum, slice) => sum + (slice.backendCpuMicros ?? 0), 0) }
      : {}),
    ...(probes === undefined ? {} : { probes }),
  };
}

/** Adds up what several windows collected. */
export function sumCollected(list: readonly CellCollected[]): CellCollected {
  const calls: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const storeCounters: Record<string, { total: number; byTag: Record<string, number> }> = {};
  let readUnits = 0;
  let writeUnits = 0;
  let derivedWriteUnits = 0;
  let cpuUserMicros = 0;
  let cpuSystemMicros = 0;
  let appRequests = 0;
  const appErrors = { answered: 0, afterResponse: 0, first: undefined as string | undefined };
  for (const c of list) {
    for (const [op, n] of Object.entries(c.counts.calls)) calls[op] = (calls[op] ?? 0) + n;
    for (const [op, n] of Object.entries(c.counts.errors)) errors[op] = (errors[op] ?? 0) + n;
    readUnits += c.counts.readUnits;
    writeUnits += c.counts.writeUnits;
    derivedWriteUnits += c.counts.derivedWriteUnits;
    cpuUserMicros += c.cpuUserMicros;
    cpuSystemMicros += c.cpuSystemMicros;
    appRequests += c.appRequests;
    appErrors.answered += c.appErrors.answered;
    appErrors.afterResponse += c.appErrors.afterResponse;
    appErrors.first ??= c.appErrors.first;
    for (const [name, delta] of Object.entries(c.storeCounters ?? {})) {
      const into = (storeCounters[name] ??= { total: 0, byTag: {} });
      into.total += delta.total;
      for (const [tag, value] of Object.entries(delta.byTag)) into.byTag[tag] = (into.byTag[tag] ?? 0) + value;
    }
  }
  return {
    counts: { calls, errors, readUnits, writeUnits, derivedWriteUnits, roundTripsMs: [] },
    cpuUserMicros,
    cpuSystemMicros,
    rssBytes: Math.max(0, ...list.map((c) => c.rssBytes)),
    appRequests,
    appErrors,
    ...(list.some((c) => c.storeCounters !== undefined) ? { storeCounters } : {}),
  };
}

/** Steady cells of rotation stores run mid-period: the clock is offset so no boundary falls in them. */
function steadyClock(spec: CellSpec): Pick<CellConfig, 'clockShiftMs'> {
  if (!isRotationStore(spec.store)) return {};
  const periodMs = SESSION_MAX_AGE_SECONDS * 1000; // the store's default period (maxInactiveInterval)
  const now = Date.now();
  const intoPeriod = now % periodMs;
  return { clockShiftMs: periodMs / 2 - intoPeriod };
}

export interface RotationPlan {
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
  const { inside, outside } = splitAtBoundary(samples, boundaryRealMs);
  const buckets = new Map<number, number[]>();
  for (const sample of samples) {
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

/** Sends each session one request of a kind, one at a time, and collects what they cost. */
async function probe(channel: Channel, url: string, cookies: readonly string[], method: 'GET' | 'POST', path: string): Promise<ProbeFigures> {
  await channel.request({ type: 'reset' }, 'reset-done');
  let failed = 0;
  const latencies: number[] = [];
  for (const [index, cookie] of cookies.entries()) {
    const started = performance.now();
    const response = await fetch(`${url}${path}${method === 'POST' ? `?n=${1_000_000 + index}` : ''}`, { method, headers: { cookie } });
    await response.arrayBuffer();
    latencies.push(performance.now() - started);
    if (!response.ok) failed += 1;
  }
  const collected = await channel.request({ type: 'collect' }, 'collected');
  if (collected.type !== 'collected') throw new Error('no collection');
  return { requests: cookies.length, failed, collected: collected.data, latency: summarize(latencies) };
}

interface LoadResult {
  readonly samples: Sample[];
  readonly durationSeconds: number;
  readonly errors: number;
  readonly non2xx: number;
}

/** Drives the app with autocannon for `seconds`, recording every response's latency. */
async function load(
  url: string,
  cookies: readonly string[],
  writeFraction: number,
  connections: number,
  seconds: number,
  seed: number,
  rate: number | undefined,
): Promise<LoadResult> {
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
        ...(rate === undefined ? {} : { overallRate: rate }),
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

export interface Channel {
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
