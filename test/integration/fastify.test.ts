import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { DeleteTableCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import fastifyCookie, { Signer } from '@fastify/cookie';
import fastifySession, { type FastifySessionOptions } from '@fastify/session';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DynamoSessionStore, type DynamoSessionStoreOptions } from 'dynamo-session-manager';
import { fastifySessionTracker, type FastifySessionTrackerOptions } from 'dynamo-session-manager/fastify';
import { createCountingClient, type CountingClient } from '../support/counting-client.js';
import { createTestClient, dropTablesWithPrefix, uniqueBaseName, waitUntilTableGone } from '../support/dynamo.js';
import { CookieClient } from '../support/http.js';
import { createManualClock, type ManualClock } from '../support/manual-clock.js';
import { createGate, type Gate } from '../support/gate.js';

declare module 'fastify' {
  interface Session {
    [key: string]: unknown;
  }
}

const SECRET = 'a fastify session secret, 32 chars or more';
const COOKIE = 'sessionId';
const HOUR = 3_600_000;
const admin = createTestClient();

interface AppOptions {
  /** Register the tracker before @fastify/session; `false` leaves it out. @default {} */
  tracker?: false | Omit<FastifySessionTrackerOptions, 'store'>;
  /** @fastify/session options; by default only `secret`, `store` and an HTTP-friendly cookie. */
  session?: Partial<FastifySessionOptions>;
  /** Where `GET /held-set` waits, after its session is loaded and before it changes it. */
  gate?: Gate;
}

/**
 * The store as @fastify/session's types see it. They describe the cookie with optional properties
 * that express-session's types declare as `T | undefined`, which only `exactOptionalPropertyTypes`
 * (on in this project) tells apart; the objects are the same at run time.
 */
const asFastifyStore = (store: DynamoSessionStore): NonNullable<FastifySessionOptions["store"]> => store;

/** A Fastify app using the store through @fastify/session, with routes that use sessions the ways apps do. */
async function createApp(store: DynamoSessionStore, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(fastifyCookie);
  if (options.tracker !== false) await app.register(fastifySessionTracker, { store, ...options.tracker });
  await app.register(fastifySession, { secret: SECRET, store: asFastifyStore(store), cookie: { secure: 'auto' }, ...options.session });
  app.get('/peek', async (request) => ({ id: request.session.sessionId, session: { ...request.session, cookie: undefined } }));
  app.get('/count', async (request) => {
    const views = ((request.session.get('views') as number | undefined) ?? 0) + 1;
    request.session.set('views', views);
    return { views };
  });
  app.post('/login', async (request) => {
    await request.session.regenerate();
    request.session.set('user', (request.body as { user: string }).user);
    return { ok: true };
  });
  app.get('/me', async (request) => ({ user: request.session.get('user') ?? null }));
  app.post('/set', async (request) => {
    const { key, value } = request.body as { key: string; value: unknown };
    request.session.set(key, value);
    await request.session.save();
    return { ok: true };
  });
  app.post('/reload-set', async (request) => {
    await request.session.reload(); // a new Session object, built from a second load
    const { key, value } = request.body as { key: string; value: unknown };
    request.session.set(key, value);
    await request.session.save();
    return { ok: true };
  });
  app.post('/unset', async (request) => {
    const { key } = request.body as { key: string };
    delete (request.session as Record<string, unknown>)[key];
    return { ok: true };
  });
  app.post('/logout', async (request) => {
    await request.session.destroy();
    return { ok: true };
  });
  app.get('/held-set', async (request) => {
    const { key, value } = request.query as Record<string, string>;
    await options.gate?.pass();
    request.session.set(key ?? 'k', value);
    return { ok: true };
  });
  app.get('/static/app.css', async (request, reply) => {
    request.session.set('views', ((request.session.get('views') as number | undefined) ?? 0) + 1000); // never stored
    return reply.type('text/css').send('body{}');
  });
  app.addHook('onSend', async (request, reply) => {
    // An application hook after @fastify/session's: it must still see the session.
    void reply.header('x-session-views', String(request.session?.get('views') ?? 'none'));
  });
  app.setErrorHandler((error: { code?: string; message?: string }, _request, reply) => {
    void reply.status(500).send({ code: error.code ?? 'unknown', message: error.message });
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app;
}

interface Harness {
  store: DynamoSessionStore;
  counting: CountingClient;
  app: FastifyInstance;
  clock: ManualClock | undefined;
  base: string;
  url: string;
  browser(): CookieClient;
  /**
   * Resolves once the work the app does after its responses is done: every response received so
   * far has finished (its `onResponse` hooks and `finish` listeners ran, where the tracker starts
   * its touches), and the store's background writes (those touches included) are flushed.
   */
  settled(): Promise<void>;
}

/** Resolves once every response `server` has received so far is closed (after its `finish`). */
function watchResponses(server: FastifyInstance['server']): () => Promise<void> {
  const open = new Set<Promise<void>>();
  server.on('request', (_request, response: ServerResponse) => {
    const closed = new Promise<void>((resolve) => response.once('close', () => resolve()));
    open.add(closed);
    void closed.then(() => open.delete(closed));
  });
  return async () => {
    while (open.size > 0) await Promise.all([...open]);
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => admin.destroy());

async function start(storeOptions: DynamoSessionStoreOptions = {}, appOptions: AppOptions = {}, clock?: ManualClock): Promise<Harness> {
  const counting = createCountingClient();
  const base = uniqueBaseName('fastify');
  const store = new DynamoSessionStore({
    client: counting.client,
    tableBaseName: base,
    maintenanceIntervalSeconds: 0,
    ...(clock === undefined ? {} : { now: clock }),
    ...storeOptions,
  });
  await store.ready();
  const app = await createApp(store, appOptions);
  const responsesClosed = watchResponses(app.server);
  cleanups.push(async () => {
    await app.close();
    await store.close();
    counting.client.destroy();
    await dropTablesWithPrefix(admin, base);
  });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const settled = async () => {
    await responsesClosed();
    await store.flush();
  };
  return { store, counting, app, clock, base, url, browser: () => new CookieClient(url), settled };
}

/** The session id inside @fastify/session's signed cookie (`<id>.<signature>`). */
function sessionIdOf(browser: CookieClient): string | undefined {
  const raw = browser.cookies.get(COOKIE);
  if (raw === undefined) return undefined;
  const value = decodeURIComponent(raw);
  return value.slice(0, value.lastIndexOf('.'));
}

const sessionOf = async (b: CookieClient) => ((await b.get('/peek')).json as { session: Record<string, unknown> }).session;

describe('DynamoSessionStore through @fastify/session with fastifySessionTracker', () => {
  it('signs in, reads, changes and signs out', async () => {
    const h = await start({}, { session: { saveUninitialized: false } });
    const b = h.browser();
    expect((await b.get('/me')).json).toEqual({ user: null });
    expect(b.cookies.size).toBe(0);
    expect((await b.post('/login', { user: 'ada' })).status).toBe(200);
    const id = sessionIdOf(b)!;
    expect((await b.get('/me')).json).toEqual({ user: 'ada' });
    expect(await h.store.get(id)).toMatchObject({ user: 'ada' });
    await b.post('/set', { key: 'theme', value: 'dark' });
    expect(await sessionOf(b)).toMatchObject({ user: 'ada', theme: 'dark' });
    expect((await b.post('/logout')).status).toBe(200);
    expect(await h.store.get(id)).toBeNull();
    expect((await b.get('/me')).json).toEqual({ user: null });
  });

  it.each([
    ['@fastify/session defaults (rolling, saveUninitialized)', {}],
    ['the recommended settings (saveUninitialized: false)', { saveUninitialized: false }],
    ['rolling: false', { rolling: false, saveUninitialized: false }],
  ] as const)('serves a read-only request with exactly one GetItem and no write under %s', async (_name, session) => {
    const h = await start({}, { session });
    const b = h.browser();
    await b.get('/count');
    h.counting.reset();
    for (let i = 0; i < 5; i += 1) expect((await b.get('/peek')).json).toMatchObject({ session: { views: 1 } });
    await h.settled();
    expect(h.counting.counts()).toEqual({ GetItem: 5 });
    expect(h.store.metrics().counters['session.save.put'].total).toBe(1);
  });

  it('writes a changed session once per request, with one conditional put', async () => {
    const h = await start();
    const b = h.browser();
    await b.get('/count');
    h.counting.reset();
    expect((await b.get('/count')).json).toEqual({ views: 2 });
    expect(h.counting.counts()).toEqual({ GetItem: 1, PutItem: 1 });
    h.counting.reset();
    await b.post('/set', { key: 'theme', value: 'dark' }); // an explicit save, then @fastify/session's own
    expect(h.counting.counts()).toEqual({ GetItem: 1, PutItem: 1 });
  });

  it('without the tracker, @fastify/session’s defaults rewrite the session on every response', async () => {
    const h = await start({}, { tracker: false });
    const b = h.browser();
    await b.get('/count');
    h.counting.reset();
    for (let i = 0; i < 5; i += 1) await b.get('/peek');
    // Each save looks like a new session: a conditional put that fails, then a merged put.
    expect(h.counting.counts().PutItem).toBe(10);
    expect((await sessionOf(b)).views).toBe(1);
  });

  it('stores a session for every cookieless request with saveUninitialized (the default), none without it', async () => {
    const eager = await start();
    eager.counting.reset();
    for (let i = 0; i < 3; i += 1) await eager.browser().get('/peek');
    expect(eager.counting.counts()).toEqual({ PutItem: 3 });
    const lazy = await start({}, { session: { saveUninitialized: false } });
    lazy.counting.reset();
    const res = await lazy.browser().get('/peek');
    expect(res.setCookie).toEqual([]);
    expect(lazy.counting.counts()).toEqual({});
  });

  it('refreshes an unchanged session once its refresh is due, with one conditional update', async () => {
    const clock = createManualClock(Date.UTC(2026, 10, 24, 10, 0, 0));
    const h = await start({}, {}, clock);
    const b = h.browser();
    await b.get('/count');
    h.clock!.advance(HOUR / 10 - 1000);
    h.counting.reset();
    await b.get('/peek');
    expect(h.counting.writes()).toBe(0);
    h.clock!.advance(2000);
    await b.get('/peek');
    expect(h.counting.counts()).toEqual({ GetItem: 2, UpdateItem: 1 });
    h.counting.reset();
    await b.get('/peek');
    expect(h.counting.counts()).toEqual({ GetItem: 1 });
  });

  it('saves a reloaded session on the version the reload found, with one conditional put', async () => {
    const h = await start();
    const b = h.browser();
    await b.get('/count');
    h.counting.reset();
    await b.post('/reload-set', { key: 'theme', value: 'dark' });
    expect(h.counting.counts()).toEqual({ GetItem: 2, PutItem: 1 });
    expect(h.store.metrics().counters['session.save.conflict']?.total ?? 0).toBe(0);
    expect(await sessionOf(b)).toEqual({ views: 1, theme: 'dark' });
  });

  it('applies a removal and keeps other keys', async () => {
    const h = await start();
    const b = h.browser();
    await b.post('/set', { key: 'flash', value: 'hello' });
    await b.post('/set', { key: 'other', value: 1 });
    await b.post('/unset', { key: 'flash' });
    expect(await sessionOf(b)).toEqual({ other: 1 });
  });
});

describe('ignore rules', () => {
  it('writes nothing and issues no cookie for an ignored path, even with saveUninitialized', async () => {
    const h = await start({ ignoreUris: '/static/.*' });
    const b = h.browser();
    h.counting.reset();
    const res = await b.get('/static/app.css');
    expect(res.status).toBe(200);
    expect(res.setCookie).toEqual([]);
    expect(h.counting.counts()).toEqual({});
    expect(h.store.metrics().counters['request.ignored'].total).toBe(1);
  });

  it('lets an ignored request read its session but stores none of its changes and sends no cookie', async () => {
    const h = await start({ ignoreUris: '/static/.*' });
    const b = h.browser();
    await b.get('/count');
    h.counting.reset();
    const res = await b.get('/static/app.css'); // adds 1000 views in memory
    expect(res.setCookie).toEqual([]);
    expect(h.counting.counts()).toEqual({ GetItem: 1 });
    expect((await b.get('/count')).json).toEqual({ views: 2 });
  });

  it('leaves the session visible to later onSend hooks of an ignored request', async () => {
    const h = await start({ ignoreUris: '/static/.*' });
    const b = h.browser();
    await b.get('/count');
    const res = await fetch(`${h.url}/static/app.css`, { headers: { cookie: `${COOKIE}=${b.cookies.get(COOKIE)}` } });
    expect(res.headers.get('x-session-views')).toBe('1001');
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('ignores requests with a matching header name, case-insensitively, and takes tracker-level rules', async () => {
    const h = await start({ ignoreUri: '/never' }, { tracker: { ignoreHeaders: 'x-no-session' } });
    const b = h.browser();
    await b.get('/count');
    h.counting.reset();
    const res = await b.get('/count', { 'X-No-Session': '1' });
    expect(res.setCookie).toEqual([]);
    expect(h.counting.writes()).toBe(0);
    expect((await sessionOf(b)).views).toBe(1);
  });

  it('does not destroy a session from an ignored request', async () => {
    const h = await start({ ignoreHeaders: 'x-no-session' });
    const b = h.browser();
    await b.get('/count');
    await b.request('/logout', { method: 'POST', headers: { 'x-no-session': '1', 'content-type': 'application/json' }, body: '{}' });
    expect(await h.store.get(sessionIdOf(b)!)).toMatchObject({ views: 1 });
  });
});

describe('concurrent requests of one session', () => {
  it.each([1, 2])('keeps all 20 keys set by 20 parallel requests (round %i)', async () => {
    const h = await start();
    const b = h.browser();
    await b.get('/count');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => b.post('/set', { key: `k${i}`, value: i })));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const stored = await sessionOf(b);
    for (let i = 0; i < 20; i += 1) expect(stored[`k${i}`]).toBe(i);
    expect(stored.views).toBe(1);
    expect(h.store.metrics().counters['session.save.merged'].total).toBeGreaterThan(0);
  });

  it('applies a removal made in parallel with other changes', async () => {
    const h = await start();
    const b = h.browser();
    await b.post('/set', { key: 'flash', value: 'hello' });
    await Promise.all([b.post('/unset', { key: 'flash' }), b.post('/set', { key: 'other', value: 1 })]);
    const stored = await sessionOf(b);
    expect(stored).not.toHaveProperty('flash');
    expect(stored.other).toBe(1);
  });

  it('never brings back a session destroyed by a logout while a slower request was running', async () => {
    const gate = createGate();
    const h = await start({}, { gate });
    const b = h.browser();
    await b.get('/count');
    const id = sessionIdOf(b)!;
    const cookies = new Map(b.cookies);
    const slow = b.get('/held-set?key=late&value=1');
    await gate.entered; // the slow request has loaded the session
    expect((await b.post('/logout')).status).toBe(200);
    gate.release();
    expect((await slow).status).toBe(200);
    expect(await h.store.get(id)).toBeNull();
    b.cookies.clear();
    for (const [k, v] of cookies) b.cookies.set(k, v);
    expect(await sessionOf(b)).toEqual({});
    expect(h.store.metrics().counters['session.save.dropped'].total).toBe(1);
  });
});

describe('bad input', () => {
  it.each([
    ['garbage', 'not-a-session'],
    ['a bad signature', 'abcdefghijklmnopqrstuvwxyz012345.bad'],
    ['a signed malformed id', encodeURIComponent(new Signer(SECRET).sign('has space'))],
    ['a signed over-long id', new Signer(SECRET).sign('a'.repeat(300))],
    ['a signed unknown id', new Signer(SECRET).sign('unknown-session-id-0123456789')],
    ['an empty value', ''],
    ['percent junk', '%E0%A4%A'],
  ])('answers a cookie with %s like a new visitor, never with a 5xx', async (_name, value) => {
    const h = await start({}, { session: { saveUninitialized: false } });
    const b = h.browser();
    b.cookies.set(COOKIE, value);
    const res = await b.get('/count');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ views: 1 });
  });

  it('answers with the store’s error code when a session is too large, and keeps the stored one', async () => {
    const h = await start();
    const b = h.browser();
    await b.get('/count');
    const res = await b.post('/set', { key: 'huge', value: randomBytes(450_000).toString('base64') }); // incompressible
    expect(res.status).toBe(500);
    expect(res.json).toMatchObject({ code: 'codec.itemTooLarge' });
    expect((await sessionOf(b)).views).toBe(1);
  });
});

describe('rotation', () => {
  it.each([
    ['rolling (the default)', {}],
    ['rolling: false', { rolling: false }],
  ] as const)('keeps a session used every period alive through five rotations with %s', async (_name, session) => {
    const clock = createManualClock(Date.UTC(2026, 10, 24, 10, 1, 0));
    const h = await start({ tableRotationSeconds: 3600, maxInactiveInterval: 7200 }, { session: { saveUninitialized: false, ...session } }, clock);
    const active = h.browser();
    const idle = h.browser();
    await active.get('/count');
    await idle.get('/count');
    let idleGoneAfter: number | undefined;
    for (let period = 1; period <= 5; period += 1) {
      await h.store.core.flush(); // moves forward happen after the response; a test clock outruns them
      clock.advance(HOUR);
      await h.store.maintain();
      expect((await sessionOf(active)).views).toBe(1); // read-only: rotation alone keeps it
      await h.settled();
      if (idleGoneAfter === undefined && (await h.store.get(sessionIdOf(idle)!)) === null) idleGoneAfter = period;
    }
    expect(idleGoneAfter).toBeDefined();
    expect(idleGoneAfter).toBeLessThanOrEqual(2);
    await h.store.flush();
    const current = h.store.tables().find((t) => t.role === 'current')!.name;
    const item = await admin.send(new GetItemCommand({ TableName: current, Key: { id: { S: sessionIdOf(active)! } } }));
    expect(item.Item).toBeDefined();
    expect(h.store.metrics().counters['table.rotation'].total).toBe(5);
  });
});

describe('metrics and faults', () => {
  it('counts and times requests like the Express tracker', async () => {
    const h = await start({ ignoreUris: '/static/.*' });
    const b = h.browser();
    await b.get('/count');
    await b.get('/static/app.css');
    await h.settled();
    const m = h.store.metrics();
    expect(m.counters['request.count'].total).toBe(2);
    expect(m.counters['request.ignored'].total).toBe(1);
    expect(m.timers['request.duration'].count).toBe(2);
    expect(m.counters['session.load.hit_current'].total).toBe(1);
  });

  it('with onBackendError anonymous, serves a fresh session when DynamoDB fails and keeps the user’s cookie', async () => {
    const h = await start({ onBackendError: 'anonymous', requestTimeoutMs: 300, operationTimeoutMs: 1000 });
    const b = h.browser();
    await b.get('/count');
    const cookie = b.cookies.get(COOKIE);
    const current = h.store.tables().find((t) => t.role === 'current')!.name;
    await admin.send(new DeleteTableCommand({ TableName: current }));
    await waitUntilTableGone(admin, current);
    const res = await b.get('/count');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ views: 1 });
    expect(res.setCookie).toEqual([]);
    expect(b.cookies.get(COOKIE)).toBe(cookie);
    expect(h.store.metrics().counters['session.degraded'].total).toBeGreaterThanOrEqual(1);
  });
});

describe('registration', () => {
  it('refuses to be registered after @fastify/session, and unknown or invalid options', async () => {
    const store = new DynamoSessionStore({ dynamoEndpoint: 'http://127.0.0.1:9', maintenanceIntervalSeconds: 0 });
    cleanups.push(() => store.close());
    const late = Fastify();
    await late.register(fastifyCookie);
    await late.register(fastifySession, { secret: SECRET, store: asFastifyStore(store) });
    await expect(late.register(fastifySessionTracker, { store })).rejects.toMatchObject({ code: 'config.invalidOption', message: expect.stringContaining('before @fastify/session') });
    await expect(Fastify().register(fastifySessionTracker, { store, ignoreUrls: '/x' } as never)).rejects.toMatchObject({ code: 'config.unknownOption', message: expect.stringContaining('ignoreUris') });
    await expect(Fastify().register(fastifySessionTracker, { store, ignoreHeaders: '[' })).rejects.toMatchObject({ code: 'config.invalidOption', message: expect.stringContaining('`ignoreHeaders`') });
    await expect(Fastify().register(fastifySessionTracker, { store: {} as never })).rejects.toMatchObject({ code: 'config.invalidOption', message: expect.stringContaining('`store`') });
    const ok = Fastify();
    await ok.register(fastifySessionTracker, { store, prefix: '/ignored-by-the-tracker' } as never);
    expect(ok.hasPlugin('dynamo-session-manager')).toBe(true);
    await ok.close();
    await late.close();
  });
});
