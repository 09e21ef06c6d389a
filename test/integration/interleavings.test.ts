/**
 * Interleavings: a randomised, seeded, replayable concurrency test of the session store.
 *
 * THE MODEL. 2 or 3 simulated servers, each a `SessionStore` on the shared dynalite with a
 * DynamoDB client of its own, all on one `tableBaseName` (unique per run). Each server's clock is
 * one global manual clock plus a fixed offset (-4 s / 0 / +4 s, within `clockSkewSeconds` = 10);
 * `tableRotationSeconds` 60, `maxInactiveInterval` 120, no maintenance timer. 2-4 sessions are
 * created before the run. A run is a generated program of 8-28 steps:
 *
 * - save:     a request on a server: `get(id)`, then `set(id, { ...session, k<n>: n }, { load: context })`
 *             (a new key per step, so every acknowledged write can be looked for at the end);
 * - touch:    `get(id)`, then `touch(id, session, { load: context })`;
 * - destroy:  `destroy(id)`, a logout;
 * - maintain: `maintain()` on a server;
 * - tick:     the global clock moves forward 1-20 s; edge: it moves to a few seconds around the
 *             next period boundary, so that servers straddle it. Before any server's clock comes
 *             within 30 s of a boundary (the store's create-ahead window), every store runs
 *             `maintain()`, so the next table is ACTIVE when the boundary is crossed: rotations
 *             happen mid-run, with requests in flight.
 *
 * A request that finds no session does nothing (a real one would start a new session under a new
 * id). The global clock stays within 110 s of the start and at most 4 s into the third period (so
 * the fastest server is under `clockSkewSeconds` into it): no session expires and no table is
 * dropped during a run. A session nobody wrote for a whole period may still become unreachable, by
 * design (its table is no longer read); the invariants allow exactly that and nothing more.
 *
 * INTERLEAVING is controlled at DynamoDB-call granularity. Every client's request handler
 * (`ControlledHandler`) awaits a fast-check scheduler point before an item call (GetItem, PutItem,
 * UpdateItem, DeleteItem) is sent and after its answer arrives, and a launcher awaits one before
 * each step. A driver releases one point at a time, the one fast-check's scheduler picks, and only
 * when everything is quiescent (no HTTP in flight, every running operation waiting at a point), so
 * a seed always gives the same order of calls at the server. Table operations are not scheduled.
 * FAULTS are drawn from a seeded PRNG, in call order: the answer of a write is LOST after the
 * server applied it (the handler throws ECONNRESET, as a dropped connection does), or a call is
 * THROTTLED before it is sent (HTTP 400 ProvisionedThroughputExceededException). The store sees
 * them as in production, and retries them (`maxRetries` 2).
 *
 * INVARIANTS, checked during the run and at its end (final reads through every server, faults off):
 *
 * - I1 a logout sticks: once a `destroy(id)` has resolved, no `get(id)` that starts later, on any
 *   server, returns a session (even when a request that loaded it before the destroy writes after);
 * - I2 no acknowledged write lost: for an id never destroyed, every server that loads it at the end
 *   sees every key whose `set` resolved `'written'`; and no `set` resolves `'dropped'` (which the
 *   adapters report as a success) while the session is guaranteed alive (see I3);
 * - I3 no active session lost: an id never destroyed is guaranteed alive when one of its writes is
 *   recent (not expired on any clock) and lives in the current or previous table of every server
 *   (with 60 s periods and a 120 s idle timeout, a session left alone for a whole period may go
 *   with its table, by design). Every load of a session guaranteed alive finds it, during the run
 *   and on every server at the end;
 * - I4 operations fail only with `SessionManagerError`s (store.conflict, backend.*), and none hangs
 *   (each has a wall-clock timeout; the driver also reports an operation that makes no progress).
 *
 * REPLAYING. A failure prints its seed and path (and the program, the calls and the faults); run
 *
 *   INTERLEAVINGS_SEED=<seed> INTERLEAVINGS_PATH=<path> npx vitest run test/integration/interleavings.test.ts
 *
 * More runs: INTERLEAVINGS_RUNS=500 (default 30, a random seed each time, printed on failure).
 * INTERLEAVINGS_SHRINK=1 shrinks a failure to a smaller program (slow: one run per attempt).
 * INTERLEAVINGS_TRANSPORT=auto|direct|sdk picks the stores' transport (default auto, i.e. direct:
 * the wrapped handler serves both). INTERLEAVINGS_VERBOSE=1 prints every run's outcome.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import fc, { type Arbitrary, type Scheduler } from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { SessionStore, isSessionManagerError, type LoadedSession } from 'dynamo-session-manager';
import { createTestClient, dropTablesWithPrefix, testEndpoint, uniqueBaseName } from '../support/dynamo.js';
import { createManualClock, type ManualClock } from '../support/manual-clock.js';

// ------------------------------------------------------------------ settings

const PERIOD_MS = 60_000;
const MAX_INACTIVE_MS = 120_000;
const SKEW_S = 10;
/** The store creates the next table once its period is this close: min(period / 2, 300 s). */
const CREATE_AHEAD_MS = 30_000;
/** A period start: the runs begin in the period P0 that starts here. */
const P0 = Date.UTC(2026, 10, 24, 10, 0, 0);
const OFFSETS_MS: Record<number, readonly number[]> = { 2: [-4000, 4000], 3: [-4000, 0, 4000] };
const MIN_OFFSET = -4000;
const MAX_OFFSET = 4000;
/** The clock never passes this: a server at +4 s is then 8 s into P2, under clockSkewSeconds, so P0 is never dropped. */
const CLOCK_CEILING = P0 + 2 * PERIOD_MS + 4000;
/** Nor more than this after the start: with 8 s of skew, no session written at the start expires (120 s). */
const CLOCK_SPAN_MS = 110_000;

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);
const ITEM_OPERATIONS = new Set(['GetItem', ...WRITES]);
/** A timer of at most this long, started by an operation, means it sleeps (a retry backoff) rather than waits on another. */
const SHORT_TIMER_MS = 2000;
/** An operation running this long (wall clock) is a hang. */
const OPERATION_WALL_MS = 10_000;
/** No state change for this long while something is busy is a hang. */
const NO_PROGRESS_MS = 8_000;
const MAX_DECISIONS = 5_000;

const RUNS = positiveInt(process.env.INTERLEAVINGS_RUNS) ?? 30;
const SEED = process.env.INTERLEAVINGS_SEED === undefined || process.env.INTERLEAVINGS_SEED === '' ? undefined : Number(process.env.INTERLEAVINGS_SEED);
const PATH = process.env.INTERLEAVINGS_PATH === '' ? undefined : process.env.INTERLEAVINGS_PATH;
const SHRINK = process.env.INTERLEAVINGS_SHRINK === '1';
const VERBOSE = process.env.INTERLEAVINGS_VERBOSE === '1';
const TRANSPORT = (process.env.INTERLEAVINGS_TRANSPORT ?? 'auto') as 'auto' | 'direct' | 'sdk';

const cookie = () => ({ originalMaxAge: null, expires: null });

function positiveInt(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got ${text}`);
  return n;
}

/** A small seeded PRNG (mulberry32): the faults of a run, drawn in call order. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const periodOf = (ms: number) => Math.floor(ms / PERIOD_MS);
const nextBoundaryAfter = (ms: number) => (periodOf(ms) + 1) * PERIOD_MS;
/** `P1` for the table of period P0 + 1, from `<base>_yyyyMMdd_HHmmss`. */
function tableTag(name: string | undefined): string {
  const m = /_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})$/.exec(name ?? '');
  if (m === null) return '?';
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return `P${periodOf(Date.UTC(y, mo - 1, d, h, mi, s)) - periodOf(P0)}`;
}
/** `+35.0s` for a global clock value, relative to P0. */
const at = (ms: number) => `P0+${((ms - P0) / 1000).toFixed(1)}s`;

// ------------------------------------------------------------------ the program

type Step =
  | { kind: 'save' | 'touch' | 'destroy'; server: number; id: number }
  | { kind: 'maintain'; server: number }
  | { kind: 'tick'; ms: number }
  | { kind: 'edge'; ms: number };

interface Program {
  servers: number;
  ids: number;
  /** Seconds into P0 when the run starts. */
  startS: number;
  lossRate: number;
  throttleRate: number;
  faultSeed: number;
  steps: Step[];
}

function stepArb(servers: number, ids: number): Arbitrary<Step> {
  const server = fc.nat(servers - 1);
  const id = fc.nat(ids - 1);
  const request = (kind: 'save' | 'touch' | 'destroy') => fc.record({ kind: fc.constant(kind), server, id });
  return fc.oneof(
    { weight: 8, arbitrary: request('save') },
    { weight: 3, arbitrary: request('touch') },
    { weight: 1, arbitrary: request('destroy') },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('maintain' as const), server }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 20 }).map((s) => s * 1000) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('edge' as const), ms: fc.integer({ min: -6, max: 6 }).map((s) => s * 1000) }) },
  );
}

const programArb: Arbitrary<Program> = fc
  .record({ servers: fc.constantFrom(2, 3), ids: fc.integer({ min: 2, max: 4 }) })
  .chain(({ servers, ids }) =>
    fc.record({
      servers: fc.constant(servers),
      ids: fc.constant(ids),
      startS: fc.integer({ min: 5, max: 25 }),
      lossRate: fc.constantFrom(0, 0.1, 0.2, 0.35),
      throttleRate: fc.constantFrom(0, 0.05, 0.1),
      faultSeed: fc.integer(),
      steps: fc.array(stepArb(servers, ids), { minLength: 8, maxLength: 28 }),
    }),
  );

// ------------------------------------------------------------------ control of the interleaving

/** One thing that runs: the launcher, or one operation (with the background work it starts). */
interface Actor {
  readonly label: string;
  readonly startedAt: number;
  /** Scheduler points it waits at. */
  pending: number;
  settled: boolean;
  /** Short timers it started that have not fired nor been cleared: it is sleeping, a retry backoff say. */
  timers: number;
}

type Fate = 'ok' | 'lose' | 'throttle';

/**
 * The run's scheduler state: the actors, the HTTP calls in flight, the seeded faults, and the
 * driver that releases one scheduler point at a time once everything is quiescent.
 */
class Control {
  readonly als = new AsyncLocalStorage<Actor>();
  readonly actors: Actor[] = [];
  readonly faults: string[] = [];
  /** Scheduling and faults apply only while true: setup and the final reads go straight through. */
  active = false;
  httpInFlight = 0;
  #progress = 0;
  #calls = 0;
  readonly #random: () => number;

  constructor(
    readonly s: Scheduler,
    readonly lossRate: number,
    readonly throttleRate: number,
    faultSeed: number,
  ) {
    this.#random = prng(faultSeed);
  }

  /** Waits until the scheduler releases this point. */
  async point(actor: Actor, label: string): Promise<void> {
    actor.pending += 1;
    this.#progress += 1;
    try {
      await this.s.schedule(Promise.resolve(), label);
    } finally {
      actor.pending -= 1;
      this.#progress += 1;
    }
  }

  /** The fate of the next item call: two draws per call, whatever the rates, so the stream stays aligned. */
  fate(operation: string): { fate: Fate; call: number } {
    const call = (this.#calls += 1);
    const throttle = this.#random() < this.throttleRate;
    const lose = this.#random() < this.lossRate;
    if (throttle) return { fate: 'throttle', call };
    if (lose && WRITES.has(operation)) return { fate: 'lose', call };
    return { fate: 'ok', call };
  }

  /** Counts an HTTP call in flight (scheduled or not) while `work` runs. */
  async inFlight<T>(work: () => Promise<T>): Promise<T> {
    this.httpInFlight += 1;
    this.#progress += 1;
    try {
      return await work();
    } finally {
      this.httpInFlight -= 1;
      this.#progress += 1;
    }
  }

  /** Runs `work` as an actor: its DynamoDB calls (and the background work it starts) are attributed to it. */
  spawn<T>(label: string, work: () => Promise<T>): Promise<T> {
    const actor: Actor = { label, startedAt: performance.now(), pending: 0, settled: false, timers: 0 };
    this.actors.push(actor);
    return this.als.run(actor, async () => {
      try {
        return await work();
      } finally {
        actor.settled = true;
        this.#progress += 1;
      }
    });
  }

  /**
   * Tracks the short timers actors start (`setTimeout` of up to SHORT_TIMER_MS: retry backoffs,
   * merge backoffs), so that a sleeping operation is told from one blocked on another operation
   * (the store may queue the saves of one session in-process). Returns the undo.
   */
  trackTimers(): () => void {
    const originalSet = globalThis.setTimeout;
    const originalClear = globalThis.clearTimeout;
    const finishers = new Map<unknown, () => void>();
    const tracked = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): NodeJS.Timeout => {
      const actor = this.als.getStore();
      if (!this.active || actor === undefined || typeof callback !== 'function' || (ms ?? 0) > SHORT_TIMER_MS) return originalSet(callback, ms, ...args);
      actor.timers += 1;
      this.#progress += 1;
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        actor.timers -= 1;
        this.#progress += 1;
        finishers.delete(timer);
      };
      const timer = originalSet((...callArgs: unknown[]) => {
        finish();
        callback(...callArgs);
      }, ms);
      finishers.set(timer, finish);
      return timer;
    };
    globalThis.setTimeout = Object.assign(tracked, originalSet) as unknown as typeof setTimeout;
    globalThis.clearTimeout = ((timer: NodeJS.Timeout | string | number | undefined) => {
      finishers.get(timer)?.();
      originalClear(timer);
    }) as typeof clearTimeout;
    return () => {
      globalThis.setTimeout = originalSet;
      globalThis.clearTimeout = originalClear;
    };
  }

  /** What keeps the system from being quiescent, or undefined. An unfinished actor with no point, no call and no timer waits on another one. */
  #busy(): string | undefined {
    if (this.httpInFlight > 0) return `${this.httpInFlight} HTTP call(s) in flight`;
    for (const actor of this.actors) if (actor.timers > 0) return `${actor.label} sleeps`;
    return undefined;
  }

  #checkWallClock(now: number): void {
    for (const actor of this.actors) {
      if (!actor.settled && now - actor.startedAt > OPERATION_WALL_MS) {
        throw new Error(`I4 violated: ${actor.label} has not finished after ${OPERATION_WALL_MS} ms (hang)`);
      }
    }
  }

  /**
   * Resolves once nothing runs: no HTTP in flight, no actor sleeping, and nothing changed over two
   * turns of the event loop (microtask chains, stream events, are done by then). Unfinished actors
   * then wait at a scheduler point, or on another actor.
   */
  async #quiescent(): Promise<void> {
    let quietChecks = 0;
    let lastProgress = this.#progress;
    let since = performance.now();
    for (let spin = 0; ; spin += 1) {
      await new Promise<void>((resolve) => (spin < 50 ? setImmediate(resolve) : setTimeout(resolve, 1)));
      const now = performance.now();
      this.#checkWallClock(now);
      const busy = this.#busy();
      if (busy === undefined && this.#progress === lastProgress) {
        quietChecks += 1;
        if (quietChecks >= 2) return;
        continue;
      }
      quietChecks = 0;
      if (this.#progress !== lastProgress) {
        lastProgress = this.#progress;
        since = now;
      } else if (now - since > NO_PROGRESS_MS) {
        throw new Error(`I4 violated: no progress for ${NO_PROGRESS_MS} ms: ${busy ?? '?'} (hang)`);
      }
    }
  }

  /** Releases scheduler points one by one, each once the system is quiescent, until every actor has finished. */
  async drive(): Promise<number> {
    for (let decisions = 0; ; decisions += 1) {
      await this.#quiescent();
      if (this.s.count() === 0) {
        const stuck = this.actors.filter((a) => !a.settled).map((a) => a.label);
        if (stuck.length === 0) return decisions;
        // Nothing to release, yet not done: wait for anything to happen (a long timer?), else it is a hang.
        const progress = this.#progress;
        const since = performance.now();
        while (this.#progress === progress && this.s.count() === 0) {
          if (performance.now() - since > NO_PROGRESS_MS) {
            throw new Error(`I4 violated: ${stuck.join(', ')} wait on something that is neither a DynamoDB call nor the scheduler (hang)`);
          }
          await new Promise((resolve) => setTimeout(resolve, 5));
          this.#checkWallClock(performance.now());
        }
        decisions -= 1;
        continue;
      }
      if (decisions >= MAX_DECISIONS) throw new Error(`more than ${MAX_DECISIONS} scheduling decisions: a livelock?`);
      await this.s.waitNext(1);
    }
  }

  note(line: string): void {
    this.faults.push(line);
  }
}

type HandleArgs = Parameters<NodeHttpHandler['handle']>;
type HandleResult = Awaited<ReturnType<NodeHttpHandler['handle']>>;

const THROTTLE_BODY = JSON.stringify({
  __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
  message: 'throttled',
});

function headerOf(headers: Record<string, string>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

async function collect(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/**
 * The request handler of one server's client: a real `NodeHttpHandler`, with a scheduler point
 * before each item call is sent and after its answer arrives, and the seeded faults. Both
 * transports of the store send through the client's request handler, so both are controlled.
 */
class ControlledHandler extends NodeHttpHandler {
  readonly #control: Control;
  readonly #server: number;

  constructor(control: Control, server: number) {
    super({ requestTimeout: 15_000, connectionTimeout: 2000, throwOnRequestTimeout: true });
    this.#control = control;
    this.#server = server;
  }

  override async handle(request: HandleArgs[0], options?: HandleArgs[1]): Promise<HandleResult> {
    const control = this.#control;
    const target = headerOf(request.headers, 'x-amz-target') ?? '';
    const operation = target.slice(target.lastIndexOf('.') + 1);
    const actor = control.als.getStore();
    if (!control.active || actor === undefined || !ITEM_OPERATIONS.has(operation)) {
      return await control.inFlight(() => super.handle(request, options));
    }
    let table: string | undefined;
    try {
      table = (JSON.parse(String(request.body)) as { TableName?: string }).TableName;
    } catch {
      table = undefined;
    }
    const label = `${actor.label} s${this.#server} ${operation} ${tableTag(table)}`;
    await control.point(actor, `${label} send`);
    const { fate, call } = control.fate(operation);
    if (fate === 'throttle') {
      control.note(`call ${call}: ${label} THROTTLED`);
      const body = Buffer.from(THROTTLE_BODY);
      return {
        response: {
          statusCode: 400,
          reason: 'Bad Request',
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'content-length': String(body.length),
            'x-amzn-errortype': 'ProvisionedThroughputExceededException',
            'x-amzn-requestid': `throttled-${call}`,
          },
          body: Readable.from([body], { objectMode: false }),
        },
      } as HandleResult;
    }
    const { response, body } = await control.inFlight(async () => {
      const out = await super.handle(request, options);
      return { response: out.response, body: await collect(out.response.body) };
    });
    if (fate === 'lose') {
      control.note(`call ${call}: ${label} applied (HTTP ${response.statusCode}), answer LOST`);
      await control.point(actor, `${label} answer LOST`);
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    }
    await control.point(actor, `${label} answer ${response.statusCode}`);
    return { response: { ...response, body: Readable.from([body], { objectMode: false }) } } as HandleResult;
  }
}

// ------------------------------------------------------------------ one run

interface OpRecord {
  readonly step: number;
  readonly kind: Step['kind'];
  readonly server?: number;
  readonly id?: number;
  /** Order of events in the run: starts and ends of operations. */
  startSeq: number;
  endSeq?: number;
  startG: number;
  endG?: number;
  /** For a save: the key it adds. */
  key?: string;
  loaded?: 'session' | 'null';
  /** The global clock when the load answered. */
  loadedG?: number;
  outcome?: string;
  /** A write the store says it made: a set resolved 'written', a touch refreshed in place, the initial creation. */
  wrote?: boolean;
}

function describeOp(op: OpRecord): string {
  const who = op.server === undefined ? '' : ` s${op.server}`;
  const id = op.id === undefined ? '' : ` id${op.id}`;
  const key = op.key === undefined ? '' : ` +${op.key}`;
  const time = op.endG === undefined || op.endG === op.startG ? at(op.startG) : `${at(op.startG)}..${at(op.endG)}`;
  const loaded = op.loaded === undefined ? '' : ` loaded=${op.loaded}`;
  return `#${op.step} ${op.kind}${who}${id}${key} [seq ${op.startSeq}..${op.endSeq ?? '?'}] @${time}${loaded} -> ${op.outcome ?? 'unfinished'}`;
}

const admin = createTestClient();
afterAll(() => admin.destroy());

let runNumber = 0;
/** Outcomes of the operations over all runs (`written/merged`, `error store.conflict`...), for the summary. */
const outcomes = new Map<string, number>();

async function runProgram(program: Program, s: Scheduler): Promise<void> {
  runNumber += 1;
  const base = uniqueBaseName('ilv');
  const control = new Control(s, program.lossRate, program.throttleRate, program.faultSeed);
  const g0 = P0 + program.startS * 1000;
  const clock: ManualClock = createManualClock(g0);
  const ceiling = Math.min(CLOCK_CEILING, g0 + CLOCK_SPAN_MS);
  const offsets = OFFSETS_MS[program.servers]!;
  const clients = offsets.map((_, server) => {
    const client = new DynamoDBClient({
      endpoint: testEndpoint(),
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
      requestHandler: new ControlledHandler(control, server),
    });
    return client;
  });
  const stores = offsets.map(
    (offset, server) =>
      new SessionStore({
        client: clients[server]!,
        transport: TRANSPORT,
        tableBaseName: base,
        now: () => clock() + offset,
        tableRotationSeconds: PERIOD_MS / 1000,
        maxInactiveInterval: MAX_INACTIVE_MS / 1000,
        clockSkewSeconds: SKEW_S,
        maintenanceIntervalSeconds: 0,
        maxRetries: 2,
        requestTimeoutMs: 15_000,
        operationTimeoutMs: 20_000,
      }),
  );
  const ids = Array.from({ length: program.ids }, (_, i) => `ilv-${base.slice(-8)}-session-${i}`);
  const ops: OpRecord[] = [];
  const violations: string[] = [];
  const prepared = new Set<number>();
  let seq = 0;
  let decisions = 0;
  let untrack = (): void => undefined;
  const finalReads: string[] = [];

  /** Moves the global clock to `target` (capped), first letting every store create the next table when a server nears a boundary. */
  async function moveClockTo(wanted: number): Promise<void> {
    const target = Math.min(wanted, ceiling);
    if (target <= clock()) return;
    for (let boundary = nextBoundaryAfter(clock() + MAX_OFFSET); boundary <= target + MAX_OFFSET + CREATE_AHEAD_MS; boundary += PERIOD_MS) {
      if (prepared.has(boundary) || target + MAX_OFFSET < boundary - CREATE_AHEAD_MS) continue;
      // Every server inside the create-ahead window, none across the boundary yet.
      const mid = Math.max(clock(), boundary - CREATE_AHEAD_MS - MIN_OFFSET);
      if (mid + MAX_OFFSET >= boundary) throw new Error(`model error: the clock reached ${at(mid)} without preparing ${at(boundary)}`);
      clock.set(mid);
      for (const store of stores) await store.maintain();
      prepared.add(boundary);
    }
    clock.set(Math.max(target, clock()));
  }

  /**
   * Whether id is guaranteed to be loadable at global time `g` by the design: one of its writes that
   * ended before `beforeSeq` is recent enough on every clock (not expired) and lives in a table that
   * every server reads (its current or previous one). A session nobody wrote in the period before
   * the current one of some server may be gone by design (tables rotate every 60 s, sessions idle
   * up to 120 s), so it is not guaranteed.
   */
  function guaranteedAlive(id: number, g: number, beforeSeq: number): boolean {
    if (ops.some((op) => op.kind === 'destroy' && op.id === id)) return false;
    return ops.some((op) => {
      if (op.id !== id || op.wrote !== true || op.endSeq === undefined || op.endSeq >= beforeSeq) return false;
      const writerClock = op.startG + offsets[op.server!]!;
      return g + MAX_OFFSET - writerClock <= MAX_INACTIVE_MS - 1000 && periodOf(writerClock) >= periodOf(g + MAX_OFFSET) - 1;
    });
  }

  const destroyResolvedSeq = (id: number): number | undefined =>
    ops.filter((op) => op.kind === 'destroy' && op.id === id && op.outcome === 'ok').reduce<number | undefined>((min, op) => (min === undefined || op.endSeq! < min ? op.endSeq! : min), undefined);

  function checkError(op: OpRecord, error: unknown): void {
    if (isSessionManagerError(error)) {
      op.outcome = `error ${error.code}`;
      return;
    }
    op.outcome = `error (not a SessionManagerError) ${String(error)}`;
    violations.push(`I4 violated: #${op.step} ${op.kind} threw ${(error as Error)?.stack ?? String(error)}`);
  }

  async function operation(index: number, step: Step & { server: number }): Promise<void> {
    const store = stores[step.server]!;
    const op: OpRecord = { step: index, kind: step.kind, server: step.server, startSeq: (seq += 1), startG: clock() };
    if ('id' in step) Object.assign(op, { id: step.id });
    ops.push(op);
    try {
      if (step.kind === 'maintain') {
        await store.maintain();
        op.outcome = 'ok';
      } else if (step.kind === 'destroy') {
        await store.destroy(ids[step.id]!);
        op.outcome = 'ok';
      } else if (step.kind === 'save' || step.kind === 'touch') {
        const id = ids[step.id]!;
        const loaded: LoadedSession | null = await store.get(id);
        op.loaded = loaded === null ? 'null' : 'session';
        op.loadedG = clock();
        const destroyedAt = destroyResolvedSeq(step.id);
        if (loaded !== null && destroyedAt !== undefined && destroyedAt < op.startSeq) {
          violations.push(`I1 violated: #${index} ${step.kind} on s${step.server} loaded id${step.id} after a destroy of it resolved (seq ${destroyedAt}): ${JSON.stringify(loaded.session)}`);
        }
        if (loaded === null && guaranteedAlive(step.id, op.loadedG, op.startSeq)) {
          violations.push(`I3 violated: #${index} ${step.kind} on s${step.server} found no id${step.id} @${at(op.loadedG)}, which was never destroyed and was written recently`);
        }
        if (loaded === null) {
          op.outcome = 'miss';
        } else if (step.kind === 'save') {
          const key = `k${index}`;
          op.key = key;
          const result = await store.set(id, { ...loaded.session, [key]: index }, { load: loaded.context });
          op.outcome = `${result.action}/${result.reason}`;
          op.wrote = result.action === 'written';
          if (result.action === 'dropped' && guaranteedAlive(step.id, clock(), op.startSeq)) {
            violations.push(`I2 violated: #${index} save on s${step.server} was dropped (${result.reason}) although id${step.id} was never destroyed and was written recently`);
          }
        } else {
          const result = await store.touch(id, loaded.session, { load: loaded.context });
          op.outcome = `${result.action}/${result.reason}`;
          op.wrote = result.action === 'refreshed' && result.reason !== 'moved-forward';
        }
      }
    } catch (error) {
      checkError(op, error);
    } finally {
      op.endSeq = seq += 1;
      op.endG = clock();
    }
  }

  async function launcher(): Promise<void> {
    const self = control.als.getStore()!;
    for (const [index, step] of program.steps.entries()) {
      const what = 'server' in step ? `${step.kind} s${step.server}${'id' in step ? ` id${step.id}` : ''}` : `${step.kind} ${step.ms / 1000}s`;
      await control.point(self, `launch #${index} ${what}`);
      if (step.kind === 'tick') {
        const before = clock();
        await moveClockTo(clock() + step.ms);
        ops.push({ step: index, kind: step.kind, startSeq: (seq += 1), endSeq: seq, startG: before, endG: clock(), outcome: `clock ${at(clock())}` });
      } else if (step.kind === 'edge') {
        const before = clock();
        await moveClockTo(nextBoundaryAfter(clock()) + step.ms);
        ops.push({ step: index, kind: step.kind, startSeq: (seq += 1), endSeq: seq, startG: before, endG: clock(), outcome: `clock ${at(clock())}` });
      } else {
        void control.spawn(`#${index} ${what}`, () => operation(index, step));
      }
    }
  }

  const narrative = (): string =>
    [
      `run ${runNumber}: ${program.servers} servers (offsets ${offsets.map((o) => `${o / 1000}s`).join(' ')}), ${program.ids} ids, start ${at(g0)}, loss ${program.lossRate}, throttle ${program.throttleRate}, ${decisions} scheduling decisions, base ${base}`,
      'operations (seq = order of starts and ends; @ = global clock):',
      ...ops.map((op) => `  ${describeOp(op)}`),
      'faults:',
      ...(control.faults.length === 0 ? ['  none'] : control.faults.map((f) => `  ${f}`)),
      'final reads:',
      ...finalReads.map((line) => `  ${line}`),
      'scheduler points, in the order they were released (the DynamoDB calls as the server saw them):',
      ...s
        .report()
        .filter((item) => item.status !== 'pending')
        .map((item, n) => `  ${n + 1}. ${item.label}`),
    ].join('\n');

  try {
    // Setup, unscheduled and fault-free: the tables, then the sessions.
    await Promise.all(stores.map((store) => store.ready()));
    await moveClockTo(g0); // (no-op: the start is before any create-ahead window)
    for (const [i, id] of ids.entries()) {
      const server = i % program.servers;
      await stores[server]!.set(id, { cookie: cookie(), born: i });
      ops.push({ step: -1, kind: 'save', server, id: i, key: 'born', startSeq: (seq += 1), endSeq: (seq += 1), startG: clock(), endG: clock(), outcome: 'created', wrote: true });
    }

    // The scheduled part.
    control.active = true;
    untrack = control.trackTimers();
    void control.spawn('launcher', launcher).catch((error: unknown) => {
      violations.push(`model error in the launcher: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    });
    decisions = await control.drive();
    control.active = false;
    untrack();

    // Final state, through every server.
    for (const store of stores) await store.flush();
    const gFinal = clock();
    for (const [i, id] of ids.entries()) {
      const mine = ops.filter((op) => op.id === i);
      const destroys = mine.filter((op) => op.kind === 'destroy');
      const destroyedAt = destroyResolvedSeq(i);
      const keys = mine.filter((op) => op.wrote === true && op.key !== undefined);
      const alive = guaranteedAlive(i, gFinal, Number.POSITIVE_INFINITY);
      for (const [server, store] of stores.entries()) {
        const found = await store.get(id);
        finalReads.push(`id${i} on s${server} @${at(gFinal)}: ${found === null ? 'null' : JSON.stringify({ ...found.session, cookie: undefined })}`);
        if (destroyedAt !== undefined) {
          if (found !== null) violations.push(`I1 violated: id${i} was destroyed (seq ${destroyedAt}) but s${server} loads it at the end: ${JSON.stringify(found.session)}`);
          continue;
        }
        if (destroys.length > 0) continue; // a destroy failed: it may or may not have happened
        if (found === null) {
          if (alive) violations.push(`I3 violated: id${i} was never destroyed and was written recently, but s${server} does not find it`);
          continue;
        }
        const session = found.session as Record<string, unknown>;
        const missing = keys.filter((op) => session[op.key!] !== (op.key === 'born' ? i : op.step)).map((op) => `${op.key} (#${op.step} s${op.server} ${op.outcome})`);
        if (missing.length > 0) violations.push(`I2 violated: id${i} on s${server} lacks acknowledged ${missing.join(', ')}`);
      }
    }
  } catch (error) {
    violations.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
  } finally {
    control.active = false;
    untrack();
    // After a failure, calls may still wait at scheduler points: release them all, in any order, so the stores can close.
    for (let n = 0; n < MAX_DECISIONS && s.count() > 0; n += 1) await s.waitNext(1);
    await Promise.race([Promise.all(stores.map((store) => store.close().catch(() => undefined))), new Promise((resolve) => setTimeout(resolve, 5000))]);
    for (const client of clients) client.destroy();
    await dropTablesWithPrefix(admin, `${base}_`).catch(() => undefined);
  }
  for (const op of ops) if (op.step >= 0 && op.kind !== 'tick' && op.kind !== 'edge') outcomes.set(`${op.kind} ${op.outcome ?? 'unfinished'}`, (outcomes.get(`${op.kind} ${op.outcome ?? 'unfinished'}`) ?? 0) + 1);
  if (VERBOSE) console.log(`${narrative()}\n=> ${violations.length === 0 ? 'ok' : violations.join('\n')}\n`);
  if (violations.length > 0) throw new Error(`${violations.join('\n')}\n\n${narrative()}`);
}

// ------------------------------------------------------------------ the test

describe('interleavings of requests on several servers (fast-check scheduler, dynalite)', () => {
  it(`keeps logouts, acknowledged writes and active sessions over ${RUNS} seeded runs`, { timeout: Math.max(120_000, RUNS * 6_000) }, async () => {
    const started = performance.now();
    const details = await fc.check(
      fc.asyncProperty(programArb, fc.scheduler(), async (program, s) => {
        await runProgram(program, s);
      }),
      {
        numRuns: RUNS,
        ...(SEED === undefined ? {} : { seed: SEED }),
        ...(PATH === undefined ? {} : { path: PATH }),
        endOnFailure: !SHRINK,
      },
    );
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const summary = [...outcomes].sort(([a], [b]) => a.localeCompare(b)).map(([what, n]) => `${what}: ${n}`).join(', ');
    if (details.failed) {
      const replay = `INTERLEAVINGS_SEED=${details.seed} INTERLEAVINGS_PATH=${details.counterexamplePath ?? ''} npx vitest run test/integration/interleavings.test.ts`;
      const error = details.errorInstance;
      const message = [
        `Interleavings failed after ${details.numRuns} run(s), ${details.numShrinks} shrink(s), ${seconds} s: seed ${details.seed}, path ${details.counterexamplePath ?? ''}`,
        `replay: ${replay}`,
        '',
        error instanceof Error ? error.message : String(error),
      ].join('\n');
      console.error(`${message.split('\n\nrun ')[0]}\n(the program, the faults and the order of the calls follow in the failure message)`);
      expect.fail(message);
    }
    console.log(`interleavings: ${details.numRuns} runs passed in ${seconds} s (seed ${details.seed}); outcomes: ${summary}`);
  });
});
