/**
 * Session lifetimes (issue 13): what each kind of session costs, in each expiry mode, with the
 * default configuration, on dynalite with a manual clock:
 * - a read-only request in the steady state (100 requests, 10 s apart): GetItems and writes per
 *   request (the refresh of an unchanged session included);
 * - a remember-me session returning after 10 days idle: sequential round trips, GetItems and
 *   writes of that first load (and of the move that follows it in rotation);
 * - the stored item's size, from which docs/benchmarks.md works out the storage each mode holds
 *   per million sessions.
 * Round trips are counted from the start and end of every call: a call that starts after every
 * call before it has ended starts a new round trip.
 */
import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoSessionStore } from 'dynamo-session-manager';
import { attributeMapBytes, createCountingClient, type CallCounts } from './measure.js';
import { createShopSession } from './session-data.js';

/** The kinds of session measured. */
export type LifetimeKind = 'remember-me' | 'one-hour';

/** One kind in one mode. */
export interface LifetimeResult {
  readonly mode: 'ttl' | 'rotation';
  readonly kind: LifetimeKind;
  readonly requests: number;
  readonly getItemPerRequest: number;
  readonly writesPerRequest: number;
  readonly readUnitsPerRequest: number;
  /** Remember-me only: the first load after 10 days idle, and the writes that follow it. */
  readonly returning?: { readonly roundTrips: number; readonly getItems: number; readonly writes: number };
  /** The stored item's size in bytes, as DynamoDB counts it. */
  readonly itemBytes: number;
}

const SECOND = 1000;
const DAY = 86_400_000;
const REMEMBER_ME_MS = 30 * DAY;
const STEADY_REQUESTS = 100;

interface CallSpan {
  start: number;
  end: number;
}

/** Counts round trips from call spans recorded by a middleware on the client. */
function spanRecorder(client: DynamoDBClient): { spans: CallSpan[]; roundTrips(): number } {
  const spans: CallSpan[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const span = { start: performance.now(), end: Number.POSITIVE_INFINITY };
      spans.push(span);
      try {
        return await next(args);
      } finally {
        span.end = performance.now();
      }
    },
    { step: 'initialize', name: 'benchCallSpans' },
  );
  return {
    spans,
    roundTrips() {
      let trips = 0;
      let lastEnd = Number.NEGATIVE_INFINITY;
      for (const span of [...spans].sort((a, b) => a.start - b.start)) {
        if (span.start >= lastEnd) trips += 1;
        lastEnd = Math.max(lastEnd, span.end);
      }
      return trips;
    },
  };
}

function cookieFor(kind: LifetimeKind, nowMs: number): Record<string, unknown> {
  return kind === 'remember-me'
    ? { originalMaxAge: REMEMBER_ME_MS, expires: new Date(nowMs + REMEMBER_ME_MS).toISOString(), httpOnly: true, path: '/' }
    : { originalMaxAge: null, expires: null, httpOnly: true, path: '/' };
}

const writesOf = (c: CallCounts): number => (c.calls.PutItem ?? 0) + (c.calls.UpdateItem ?? 0) + (c.calls.DeleteItem ?? 0);

async function measureOne(endpoint: string, mode: 'ttl' | 'rotation', kind: LifetimeKind): Promise<LifetimeResult> {
  const counting = createCountingClient(endpoint, { askForCapacity: true });
  let nowMs = Date.UTC(2026, 11, 1, 6, 0, 0);
  const store = new DynamoSessionStore({
    client: counting.client,
    tableBaseName: `bench-life-${mode}-${kind}-${Date.now()}`,
    ...(mode === 'rotation' ? { expiry: 'rotation' as const } : {}),
    maintenanceIntervalSeconds: 0,
    now: () => nowMs,
  });
  try {
    await store.ready();
    const id = `life-${kind}-${Date.now().toString(36)}-0001`;
    const body = createShopSession(1);
    await store.set(id, { cookie: cookieFor(kind, nowMs), ...body });
    counting.reset();
    // Read-only requests, 10 s apart, each touched as express-session does (the cookie's expiry moves).
    for (let i = 0; i < STEADY_REQUESTS; i += 1) {
      nowMs += 10 * SECOND;
      const loaded = await store.core.get(id);
      if (loaded === null) throw new Error(`The ${kind} session vanished in the steady state (${mode}).`);
      await store.core.touch(id, { ...loaded.session, cookie: cookieFor(kind, nowMs) }, { load: loaded.context });
      await store.flush();
    }
    const steady = counting.snapshot();
    let returning: LifetimeResult['returning'];
    if (kind === 'remember-me') {
      nowMs += 10 * DAY;
      await store.maintain();
      counting.reset();
      const recorder = spanRecorder(counting.client);
      const loaded = await store.core.get(id);
      const roundTrips = recorder.roundTrips();
      const afterLoad = counting.snapshot();
      if (loaded === null) throw new Error(`The remember-me session was not found after 10 days (${mode}).`);
      await store.core.touch(id, { ...loaded.session, cookie: cookieFor(kind, nowMs) }, { load: loaded.context });
      await store.flush();
      returning = { roundTrips, getItems: afterLoad.calls.GetItem ?? 0, writes: writesOf(counting.snapshot()) };
    }
    const table = store.tables().find((t) => t.role === 'current')?.name;
    const raw = table === undefined ? undefined : await counting.client.send(new GetItemCommand({ TableName: table, Key: { id: { S: id } } }));
    return {
      mode,
      kind,
      requests: STEADY_REQUESTS,
      getItemPerRequest: (steady.calls.GetItem ?? 0) / STEADY_REQUESTS,
      writesPerRequest: writesOf(steady) / STEADY_REQUESTS,
      readUnitsPerRequest: steady.readUnits / STEADY_REQUESTS,
      ...(returning === undefined ? {} : { returning }),
      itemBytes: raw?.Item === undefined ? 0 : attributeMapBytes(raw.Item as unknown as Record<string, Record<string, unknown>>),
    };
  } finally {
    await store.close();
    counting.client.destroy();
  }
}

/** Measures both kinds in both modes. */
export async function measureLifetimes(endpoint: string): Promise<LifetimeResult[]> {
  const results: LifetimeResult[] = [];
  for (const mode of ['ttl', 'rotation'] as const) {
    for (const kind of ['remember-me', 'one-hour'] as const) results.push(await measureOne(endpoint, mode, kind));
  }
  return results;
}

/** Days an item stays stored after the last request of its session, by the model of docs/expiry.md. */
export function heldDays(mode: 'ttl' | 'rotation', kind: LifetimeKind, ttlDeletionLagDays = 2): number {
  const lifetimeDays = kind === 'remember-me' ? 30 : 1 / 24;
  // TTL: until the expiry, then until DynamoDB deletes it (typically within a few days).
  if (mode === 'ttl') return lifetimeDays + ttlDeletionLagDays;
  // Rotation (defaults: daily tables kept 30 days): until its table is dropped, 30 to 31 days after its last write.
  return 30.5;
}

/** Renders the lifetimes section of docs/benchmarks.md. */
export function renderLifetimes(results: readonly LifetimeResult[]): string {
  if (results.length === 0) return '';
  const lines = [
    '## Session lifetimes: remember-me and one-hour sessions',
    '',
    'Default configuration in each mode (TTL: one table; rotation: daily tables kept 30 days), dynalite, a manual clock.',
    `Steady state: ${STEADY_REQUESTS} read-only requests 10 s apart, each touched as express-session does (its cookie expiry moves), so the`,
    'figures include the refresh an unchanged session gets once its expiry would move by a tenth of its lifetime (at most 6 minutes).',
    'Returning: the first load of a remember-me session after 10 days idle (round trips counted from call start and end times), and the writes that follow it (rotation moves it forward: a fence and a copy).',
    '',
    '| mode | session | GetItem per request | writes per request | read units per request | returning after 10 days: round trips, GetItems, writes | item bytes | held after the last request | GB held per million sessions abandoned per day |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const held = heldDays(r.mode, r.kind);
    const returning = r.returning === undefined ? '' : `${r.returning.roundTrips}, ${r.returning.getItems}, ${r.returning.writes}`;
    const gb = (r.itemBytes * 1e6 * held) / 1e9;
    lines.push(
      `| ${r.mode} | ${r.kind} | ${r.getItemPerRequest.toFixed(2)} | ${r.writesPerRequest.toFixed(3)} | ${r.readUnitsPerRequest.toFixed(2)} | ${returning} | ${r.itemBytes} | ${held < 1 ? `${(held * 24).toFixed(0)} h` : `${held.toFixed(1)} days`} | ${gb.toFixed(1)} |`,
    );
  }
  lines.push(
    '',
    'Held after the last request: TTL keeps an item until its expiry plus DynamoDB’s deletion delay (taken as 2 days: AWS says deletions happen "typically within a few days"); rotation keeps it until its table is dropped, 30 to 31 days after its last write with the defaults, whatever its own lifetime, and an active remember-me session also leaves one fenced copy per day it was used. GB held = item bytes × 1,000,000 sessions a day × days held. Expiry itself costs 0 capacity units in both modes (the expiry table above).',
    '',
  );
  return lines.join('\n');
}
