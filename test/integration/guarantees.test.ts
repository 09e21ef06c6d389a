// Each case of the core issue, reproduced deterministically (manual clocks, a fault proxy that
// applies a write and then drops its answer, hand-made stored items), so that each fails on the
// core as it was before the fix and passes now.
import { GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { deflateRawSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DynamoSessionStore, SessionStore, type DynamoSessionStoreOptions } from '../../src/index.js';
import { periodIndexAt, tableNameFor } from '../../src/expiry/rotation/periods.js';
import { createTestClient, dropTablesWithPrefix, testEndpoint, uniqueBaseName } from '../support/dynamo.js';
import { createTestApp } from '../support/express-app.js';
import { expressUnderTest } from '../support/express-under-test.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { CookieClient, serve } from '../support/http.js';
import { createManualClock, type ManualClock } from '../support/manual-clock.js';

const P = 3_600_000;
const T0 = Date.UTC(2026, 10, 24, 10, 0, 0);
const cookie = { originalMaxAge: null, path: '/', httpOnly: true };
const admin = createTestClient();
const cleanups: (() => Promise<void>)[] = [];
let proxy: FaultProxy;

beforeAll(async () => {
  proxy = await startFaultProxy(testEndpoint());
});
afterEach(async () => {
  proxy.clearFault();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  await proxy.close();
  admin.destroy();
});

const table = (b: string, atMs: number) => tableNameFor(b, periodIndexAt(atMs, P), P);

/** A core store on `base` with its own clock, through the fault proxy, retrying lost answers. */
function core(base: string, clock: ManualClock, options: DynamoSessionStoreOptions = {}): SessionStore {
  const store = new SessionStore({
    dynamoEndpoint: proxy.endpoint,
    tableBaseName: base,
    now: clock,
    maintenanceIntervalSeconds: 0,
    tableRotationSeconds: P / 1000,
    maxInactiveInterval: (2 * P) / 1000,
    maxRetries: 3,
    ...options,
  });
  cleanups.push(async () => {
    await store.close();
  });
  return store;
}

/** A ready core store on a fresh base, with its own manual clock starting at `startMs`. */
async function freshCore(label: string, startMs: number, options: DynamoSessionStoreOptions = {}) {
  const b = newBase(label);
  const clock = createManualClock(startMs);
  const store = core(b, clock, options);
  await store.ready();
  return { b, clock, store };
}

/** A ready express-session app on a fresh base, its server and a browser. */
async function startApp(label: string, options: DynamoSessionStoreOptions, tracker = true) {
  const b = newBase(label);
  const store = new DynamoSessionStore({ tableBaseName: b, maintenanceIntervalSeconds: 0, ...options });
  await store.ready();
  const server = await serve(createTestApp(expressUnderTest(), store, { tracker }));
  cleanups.push(async () => {
    await server.close();
    await store.close();
  });
  return { b, store, browser: new CookieClient(server.url) };
}

function newBase(label: string): string {
  const b = uniqueBaseName(label);
  cleanups.push(() => dropTablesWithPrefix(admin, b));
  return b;
}

describe('a logout is never undone', () => {
  it('by a slow request that loaded the session before a rotation, after two logouts (the second one kept the tombstone)', async () => {
    const { clock, store } = await freshCore('g-2x', T0 + 50 * 60_000);
    await store.set('two-logouts-session1', { cookie, user: 'ada' } as never);
    clock.advance(20 * 60_000); // period P+1
    await store.maintain();
    const slow = await store.get('two-logouts-session1'); // found in the previous table
    expect(slow?.context.table.role).toBe('previous');
    await store.destroy('two-logouts-session1');
    await store.destroy('two-logouts-session1'); // a second tab logs out too
    const result = await store.set('two-logouts-session1', { ...slow!.session, cart: ['late'] }, { load: slow!.context });
    expect(result.action).toBe('dropped');
    expect(await store.get('two-logouts-session1')).toBeNull();
  });

  it('when the answer of the logout write is lost after the backend applied it', async () => {
    const { clock, store } = await freshCore('g-lost', T0 + 50 * 60_000);
    await store.set('lost-logout-session1', { cookie, user: 'ada' } as never);
    clock.advance(20 * 60_000);
    await store.maintain();
    const slow = await store.get('lost-logout-session1');
    proxy.setFault({ kind: 'drop' }, { operations: ['PutItem'], times: 1 }); // the first tombstone is applied, its answer lost
    await store.destroy('lost-logout-session1');
    expect(proxy.faultedCalls()).toEqual({ PutItem: 1 });
    const result = await store.set('lost-logout-session1', { ...slow!.session, cart: ['late'] }, { load: slow!.context });
    expect(result.action).toBe('dropped');
    expect(await store.get('lost-logout-session1')).toBeNull();
  });

  it('by a move forward in flight: the fenced copy points the destroy at the later table', async () => {
    const b = newBase('g-move');
    const ahead = createManualClock(T0 + 59 * 60_000 + 57_000); // 3 s before the boundary...
    const behind = createManualClock(T0 + 59 * 60_000 + 50_000); // ...and 10 s before it
    const a = core(b, ahead, { clockSkewSeconds: 10 });
    const c = core(b, behind, { clockSkewSeconds: 10 });
    await a.ready();
    await a.set('move-race-session-01', { cookie, user: 'ada' } as never);
    ahead.advance(5_000); // A is in P+1 now
    await a.maintain();
    await c.maintain();
    const loaded = await a.get('move-race-session-01');
    expect(loaded?.context.table.role).toBe('previous');
    await a.touch('move-race-session-01', loaded!.session, { load: loaded!.context }); // moves in the background
    await c.destroy('move-race-session-01'); // C, still in P, logs the user out meanwhile
    await a.flush();
    expect(await a.get('move-race-session-01')).toBeNull();
    expect(await c.get('move-race-session-01')).toBeNull();
  });
});

describe('no update is lost at a boundary between servers whose clocks differ', () => {
  it('a write on the old table by a server still in P merges into the copy a server in P+1 moved forward', async () => {
    const b = newBase('g-skew');
    const cClock = createManualClock(T0 + 60 * 60_000 - 2_000); // 2 s before the boundary
    const aClock = createManualClock(T0 + 60 * 60_000 + 1_000); // 1 s after it
    const c = core(b, cClock, { clockSkewSeconds: 5 });
    const a = core(b, aClock, { clockSkewSeconds: 5 });
    await c.ready();
    await c.set('skewed-session-00001', { cookie, start: true } as never);
    await a.ready();
    await c.maintain();
    const onC = await c.get('skewed-session-00001');
    const onA = await a.get('skewed-session-00001');
    expect(onC?.context.table.role).toBe('current');
    expect(onA?.context.table.role).toBe('previous');
    // A writes first: the session moves into P+1 (the copy in P is fenced).
    expect((await a.set('skewed-session-00001', { ...onA!.session, fromA: 1 }, { load: onA!.context })).action).toBe('written');
    // C writes on P with the version it loaded: the fence makes it fail and merge into P+1.
    const fromC = await c.set('skewed-session-00001', { ...onC!.session, fromC: 1 }, { load: onC!.context });
    expect(fromC).toMatchObject({ action: 'written', reason: 'merged' });
    for (const store of [a, c]) expect((await store.get('skewed-session-00001'))?.session).toMatchObject({ start: true, fromA: 1, fromC: 1 });
    const old = await admin.send(new GetItemCommand({ TableName: table(b, cClock()), Key: { id: { S: 'skewed-session-00001' } }, ConsistentRead: true }));
    expect(old.Item?.movedTo?.S).toBe(table(b, aClock()));
  });
});

describe('moving a merged session forward', () => {
  it('copies what is stored (the merge), not the session of the request that merged (found by the soak test)', async () => {
    const { clock, store } = await freshCore('g-mmove', T0 + 50 * 60_000);
    await store.set('merged-move-session1', { cookie, a: 0 } as never);
    const r1 = await store.get('merged-move-session1');
    const r2 = await store.get('merged-move-session1');
    await store.set('merged-move-session1', { ...r1!.session, k1: 1 }, { load: r1!.context });
    const second = { ...r2!.session, k2: 2 };
    const merged = await store.set('merged-move-session1', second, { load: r2!.context });
    expect(merged.reason).toBe('merged');
    clock.advance(20 * 60_000); // the next period: the request's closing touch moves the session
    await store.maintain();
    await store.touch('merged-move-session1', second, { load: merged.context });
    await store.flush();
    expect((await store.get('merged-move-session1'))?.session).toMatchObject({ a: 0, k1: 1, k2: 2 });
  });
});

describe('lost answers', () => {
  it('a write applied whose answer was lost counts as done, not as a conflict (recognised by its write id)', async () => {
    const { store } = await freshCore('g-own', T0 + 10 * 60_000);
    await store.set('own-write-session-1', { cookie, n: 0 } as never);
    const loaded = await store.get('own-write-session-1');
    proxy.setFault({ kind: 'drop' }, { operations: ['PutItem'], times: 1 });
    const result = await store.set('own-write-session-1', { ...loaded!.session, n: 1 }, { load: loaded!.context });
    expect(result).toMatchObject({ action: 'written', reason: 'changed' });
    expect(store.metrics().counters['session.save.recovered']?.total).toBe(1);
    expect(store.metrics().counters['session.save.merged']?.total ?? 0).toBe(0);
    expect((await store.get('own-write-session-1'))?.session).toMatchObject({ n: 1 });
  });

  it('160 parallel writes of distinct keys to one session with 1 write answer in 3 dropped: every acknowledged key kept', async () => {
    // The saves of one session in one process run one after another: the last of 160 waits for
    // the 159 before it. The deadline is wide, so that a busy machine tests lost answers, not speed.
    const { store, browser } = await startApp('g-par', { dynamoEndpoint: proxy.endpoint, maxRetries: 3, operationTimeoutMs: 60_000 });
    await browser.get('/count');
    proxy.setFault({ kind: 'drop' }, { operations: ['PutItem', 'UpdateItem'], every: 3 });
    const results = await Promise.all(Array.from({ length: 160 }, (_, i) => browser.post('/set', { key: `k${i}`, value: i })));
    proxy.clearFault();
    const acknowledged = results.flatMap((res, i) => (res.status === 200 ? [i] : []));
    const failures = new Map<string, number>();
    for (const res of results) if (res.status !== 200) failures.set(String((res.json as { code?: string })?.code), (failures.get(String((res.json as { code?: string })?.code)) ?? 0) + 1);
    console.log(Object.fromEntries(failures));
    const stored = ((await browser.get('/peek')).json as { session: Record<string, unknown> }).session;
    const lost = acknowledged.filter((i) => stored[`k${i}`] !== i);
    console.log(`160 parallel writes, 1 write answer in 3 dropped: ${acknowledged.length} acknowledged, ${160 - acknowledged.length} failed, ${lost.length} lost; recovered ${store.metrics().counters['session.save.recovered']?.total ?? 0}, merged ${store.metrics().counters['session.save.merged']?.total ?? 0}`);
    expect(lost).toEqual([]);
    expect(acknowledged.length).toBe(160);
  }, 60_000);
});

describe('corrupt, foreign or hostile items read as absent, never a 5xx, a hang or a crash, and are never overwritten', () => {
  /** JSON text nested `levels` deep, written out without recursion. */
  const deep = (levels: number): string => `${'{"v":'.repeat(levels)}"bottom"${'}'.repeat(levels)}`;
  const data = (session: unknown): Uint8Array => {
    const json = Buffer.from(typeof session === 'string' ? session : JSON.stringify(session));
    return Buffer.concat([Buffer.from([1, 1]), deflateRawSync(json)]);
  };
  /** An item as plain JSON, binary attributes as base64: compares items read back with items written. */
  const plain = (item: Record<string, AttributeValue> | undefined): unknown =>
    item === undefined ? undefined : Object.fromEntries(Object.entries(item).map(([k, v]) => [k, v.B === undefined ? v : { B: Buffer.from(v.B).toString('base64') }]));
  const cases: [string, (id: string, nowMs: number) => Record<string, AttributeValue>][] = [
    ['a session nested 5,000 levels deep', (id, now) => ({ id: { S: id }, data: { B: data(`{"cookie":${JSON.stringify(cookie)},"deep":${deep(5000)}}`) }, version: { N: '1' }, lastAccessed: { N: String(now) }, expiresAt: { N: String(Math.ceil(now / 1000) + 3600) } })],
    ['a version stored as a string', (id, now) => ({ id: { S: id }, data: { B: data({ cookie, x: 1 }) }, version: { S: '3' }, lastAccessed: { N: String(now) }, expiresAt: { N: String(Math.ceil(now / 1000) + 3600) } })],
    ['a version above 2^53', (id, now) => ({ id: { S: id }, data: { B: data({ cookie, x: 1 }) }, version: { N: '9007199254740993' }, lastAccessed: { N: String(now) }, expiresAt: { N: String(Math.ceil(now / 1000) + 3600) } })],
    ['a cookie field of the wrong type', (id, now) => ({ id: { S: id }, data: { B: data({ cookie: { ...cookie, originalMaxAge: 'abc' }, x: 1 }) }, version: { N: '1' }, lastAccessed: { N: String(now) }, expiresAt: { N: String(Math.ceil(now / 1000) + 3600) } })],
    ['a cookie path the cookie serialiser refuses', (id, now) => ({ id: { S: id }, data: { B: data({ cookie: { ...cookie, path: '/\u0001' }, x: 1 }) }, version: { N: '1' }, lastAccessed: { N: String(now) }, expiresAt: { N: String(Math.ceil(now / 1000) + 3600) } })],
    ['an unknown data format', (id, now) => ({ id: { S: id }, data: { B: Buffer.from([9, 0, 123, 125]) }, version: { N: '1' }, lastAccessed: { N: String(now) }, expiresAt: { N: String(Math.ceil(now / 1000) + 3600) } })],
    ['a lastAccessed that is not a number', (id, now) => ({ id: { S: id }, data: { B: data({ cookie, x: 1 }) }, version: { N: '1' }, lastAccessed: { S: String(now) }, expiresAt: { N: String(Math.ceil(now / 1000) + 3600) } })],
  ];

  it.each(cases)('%s', async (_name, build) => {
    const { store, browser } = await startApp('g-bad', { dynamoEndpoint: testEndpoint() });
    await browser.get('/count');
    const id = browser.sessionId()!;
    const name = store.tables()[0]!.name;
    const item = build(id, Date.now());
    await admin.send(new PutItemCommand({ TableName: name, Item: item }));
    for (const path of ['/count', '/peek']) {
      const res = await browser.get(path);
      expect(res.status).toBe(200);
    }
    const promise = new Promise<unknown>((resolve) => {
      void store.get(id, (error, value) => resolve(error ?? value));
    });
    expect(await promise).toBeNull();
    // The corrupt item is still there, byte for byte: a new session was issued instead.
    const after = await admin.send(new GetItemCommand({ TableName: name, Key: { id: { S: id } }, ConsistentRead: true }));
    expect(plain(after.Item)).toEqual(plain(item));
    expect(browser.sessionId()).not.toBe(id);
    expect(store.metrics().counters['session.load.corrupt']?.total).toBeGreaterThanOrEqual(1);
    // A direct save under that id refuses to overwrite what it cannot read.
    await expect(store.core.set(id, { cookie, y: 1 } as never)).rejects.toMatchObject({ code: 'codec.corruptItem' });
  });
});

describe("onBackendError: 'anonymous'", () => {
  async function start(tracker: boolean) {
    const { store, browser } = await startApp('g-anon', { dynamoEndpoint: proxy.endpoint, onBackendError: 'anonymous', requestTimeoutMs: 300, operationTimeoutMs: 1000, maxRetries: 1 }, tracker);
    await browser.post('/set', { key: 'user', value: 'ada' });
    return { store, browser };
  }

  it('a save that could not be stored fails the request: never a 200 for a change that was lost', async () => {
    const { browser } = await start(true);
    proxy.setFault({ kind: 'throttle' }, { operations: ['PutItem'] });
    const res = await browser.post('/set', { key: 'cart', value: ['book'] });
    expect(res.status).toBe(500);
    proxy.clearFault();
    expect((await browser.get('/peek')).json).toMatchObject({ session: { user: 'ada' } });
    expect(((await browser.get('/peek')).json as { session: object }).session).not.toHaveProperty('cart');
  });

  it('without the tracker, a failed load fails the request and the user keeps their cookie', async () => {
    const { browser } = await start(false);
    const cookieBefore = browser.cookies.get('connect.sid');
    proxy.setFault({ kind: 'error500' }, { operations: ['GetItem'] });
    const res = await browser.post('/set', { key: 'cart', value: ['book'] });
    expect(res.status).toBe(500);
    expect(res.setCookie).toEqual([]);
    proxy.clearFault();
    expect(browser.cookies.get('connect.sid')).toBe(cookieBefore);
    expect((await browser.get('/peek')).json).toMatchObject({ session: { user: 'ada' } });
  });
});
