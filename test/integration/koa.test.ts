import { randomBytes } from 'node:crypto';
import { DeleteTableCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import Koa, { type Context } from 'koa';
import session, { type CreateSessionOptions } from 'koa-session';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DynamoSessionStore, type DynamoSessionStoreOptions, type SessionTrackerOptions } from 'dynamo-session-manager';
import { koaSessionStore, koaSessionTracker, type KoaSessionStore, type OwnedKoaSessionStore } from 'dynamo-session-manager/koa';
import { createCountingClient, type CountingClient } from '../support/counting-client.js';
import { createTestClient, dropTablesWithPrefix, testEndpoint, uniqueBaseName, waitUntilTableGone } from '../support/dynamo.js';
import { CookieClient, serve, type RunningServer } from '../support/http.js';
import { createManualClock, type ManualClock } from '../support/manual-clock.js';
import { createGate, type Gate } from '../support/gate.js';

const COOKIE = 'koa.sess';
const HOUR = 3_600_000;
const admin = createTestClient();

interface AppOptions {
  /** Mount the tracker before koa-session; `false` leaves it out. @default {} */
  tracker?: false | SessionTrackerOptions;
  /** koa-session options besides `store`. */
  session?: Partial<CreateSessionOptions>;
  /** Mount the tracker after koa-session, the wrong way round. */
  trackerLast?: boolean;
  /** Where `GET /held-set` waits, after its session is loaded and before it changes it. */
  gate?: Gate;
}

async function readJson(ctx: Context): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
  return chunks.length === 0 ? {} : (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
}

/** A Koa app using the store through koa-session, with routes that use sessions the ways apps do. */
function createApp(store: KoaSessionStore, options: AppOptions = {}): Koa {
  const app = new Koa();
  app.keys = ['a koa signing key for the tests'];
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      ctx.status = 500;
      ctx.body = { code: (error as { code?: string }).code ?? 'unknown', message: (error as Error).message };
    }
  });
  const tracker = options.tracker === false ? undefined : koaSessionTracker(store, options.tracker ?? {});
  if (tracker !== undefined && options.trackerLast !== true) app.use(tracker);
  app.use(session({ store, ...options.session }, app));
  if (tracker !== undefined && options.trackerLast === true) app.use(tracker);
  app.use(async (ctx) => {
    const route = `${ctx.method} ${ctx.path}`;
    switch (route) {
      case 'GET /peek':
        ctx.body = { session: ctx.session?.toJSON() ?? null, maxAge: ctx.session?.maxAge ?? null };
        return;
      case 'GET /count':
        ctx.session!.views = ((ctx.session!.views as number | undefined) ?? 0) + 1;
        ctx.body = { views: ctx.session!.views };
        return;
      case 'POST /login':
        ctx.session!.user = (await readJson(ctx)).user;
        ctx.body = { ok: true };
        return;
      case 'GET /me':
        ctx.body = { user: ctx.session!.user ?? null };
        return;
      case 'POST /set': {
        const { key, value } = await readJson(ctx);
        ctx.session![key as string] = value;
        ctx.body = { ok: true };
        return;
      }
      case 'POST /unset':
        delete ctx.session![(await readJson(ctx)).key as string];
        ctx.body = { ok: true };
        return;
      case 'POST /logout':
        ctx.session = null;
        ctx.body = { ok: true };
        return;
      case 'POST /short':
        ctx.session!.maxAge = 'session' as never;
        ctx.session!.short = true;
        ctx.body = { ok: true };
        return;
      case 'GET /held-set': {
        const { key, value } = ctx.query as Record<string, string>;
        await options.gate?.pass();
        ctx.session![key ?? 'k'] = value;
        ctx.body = { ok: true };
        return;
      }
      case 'GET /static/app.css':
        ctx.session!.views = ((ctx.session!.views as number | undefined) ?? 0) + 1000; // never stored
        ctx.type = 'text/css';
        ctx.body = 'body{}';
        return;
      default:
        ctx.status = 404;
    }
  });
  return app;
}

interface Harness {
  store: OwnedKoaSessionStore;
  counting: CountingClient;
  server: RunningServer;
  base: string;
  browser(): CookieClient;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => admin.destroy());

async function start(storeOptions: DynamoSessionStoreOptions = {}, appOptions: AppOptions = {}, clock?: ManualClock): Promise<Harness> {
  const counting = createCountingClient();
  const base = uniqueBaseName('koa');
  const store = koaSessionStore({
    client: counting.client,
    tableBaseName: base,
    maintenanceIntervalSeconds: 0,
    ...(clock === undefined ? {} : { now: clock }),
    ...storeOptions,
  });
  await store.ready();
  const handle = createApp(store, appOptions).callback();
  const server = await serve((req, res) => void handle(req, res));
  cleanups.push(async () => {
    await server.close();
    await store.close();
    counting.client.destroy();
    await dropTablesWithPrefix(admin, base);
  });
  return { store, counting, server, base, browser: () => new CookieClient(server.url) };
}

const sessionOf = async (b: CookieClient) => ((await b.get('/peek')).json as { session: Record<string, unknown> }).session;

describe('koaSessionStore through koa-session with koaSessionTracker', () => {
  it('signs in, reads, changes and signs out', async () => {
    const h = await start();
    const b = h.browser();
    expect((await b.get('/me')).json).toEqual({ user: null });
    expect(b.cookies.size).toBe(0);
    await b.post('/login', { user: 'ada' });
    const id = b.sessionId(COOKIE)!;
    expect((await b.get('/me')).json).toEqual({ user: 'ada' });
    expect(await h.store.get(id)).toMatchObject({ user: 'ada' });
    await b.post('/set', { key: 'theme', value: 'dark' });
    expect(await sessionOf(b)).toEqual({ user: 'ada', theme: 'dark' });
    const out = await b.post('/logout');
    expect(out.setCookie.some((c) => c.startsWith(`${COOKIE}=;`))).toBe(true);
    expect(await h.store.get(id)).toBeNull();
    expect(await h.store.core.get(id)).toBeNull();
  });

  it.each([
    ['koa-session defaults (rolling: false)', {}],
    ['rolling: true', { rolling: true }],
    ['renew: true', { renew: true }],
  ] as const)('serves a read-only request with exactly one GetItem and no write under %s', async (_name, sessionOptions) => {
    const h = await start({}, { session: sessionOptions });
    const b = h.browser();
    await b.get('/count');
    h.counting.reset();
    for (let i = 0; i < 5; i += 1) expect((await sessionOf(b)).views).toBe(1);
    expect(h.counting.counts()).toEqual({ GetItem: 5 });
  });

  it('writes a new or changed session with one conditional put, and nothing for an empty new one', async () => {
    const h = await start();
    const b = h.browser();
    h.counting.reset();
    const res = await b.get('/peek');
    expect(res.setCookie).toEqual([]);
    expect(h.counting.counts()).toEqual({});
    await b.get('/count');
    expect(h.counting.counts()).toEqual({ PutItem: 1 });
    h.counting.reset();
    expect((await b.get('/count')).json).toEqual({ views: 2 });
    expect(h.counting.counts()).toEqual({ GetItem: 1, PutItem: 1 });
    h.counting.reset();
    await b.post('/set', { key: 'views', value: 2 }); // equal value
    expect(h.counting.writes()).toBe(0);
  });

  it('refreshes an unchanged session once its refresh is due, with one conditional update', async () => {
    const clock = createManualClock(Date.UTC(2026, 10, 24, 10, 0, 0));
    const h = await start({}, {}, clock);
    // A browser-session cookie (no expiry): its session lives maxInactiveInterval (an hour) after
    // its last write, and is refreshed once that gains a tenth of it.
    const b = h.browser();
    await b.post('/short');
    // koa-session's default cookie (rolling: false) expires a day after it was set: its expiry
    // never moves, so its session is never refreshed.
    const fixed = h.browser();
    await fixed.get('/count');
    clock.advance(HOUR / 10 - 1000);
    h.counting.reset();
    await b.get('/peek');
    await fixed.get('/peek');
    expect(h.counting.writes()).toBe(0);
    clock.advance(2000);
    await b.get('/peek');
    await fixed.get('/peek');
    expect(h.counting.counts()).toEqual({ GetItem: 4, UpdateItem: 1 });
    h.counting.reset();
    await b.get('/peek');
    expect(h.counting.counts()).toEqual({ GetItem: 1 });
    clock.advance(20 * HOUR);
    h.counting.reset();
    expect((await sessionOf(fixed)).views).toBe(1);
    expect(h.counting.counts()).toEqual({ GetItem: 1 });
  });

  it('keeps koa-session’s maxAge per session, and enforces it in the store', async () => {
    const clock = createManualClock(Date.now());
    const h = await start({}, { session: { maxAge: 1000 } }, clock);
    const b = h.browser();
    await b.get('/count');
    expect(await h.store.get(b.sessionId(COOKIE)!)).toEqual({ views: 1, _maxAge: 1000 });
    expect((await b.get('/peek')).json).toMatchObject({ session: { views: 1 }, maxAge: 1000 });
    await b.post('/short');
    expect(await h.store.get(b.sessionId(COOKIE)!)).toEqual({ views: 1, short: true, _session: true });
    const c = h.browser();
    await c.get('/count');
    // The browser would drop the cookie; this one sends it anyway. koa-session sets the expiry from
    // the real clock (`Date.now() + maxAge`): a minute later on the store's clock is past it however
    // long the setup took, and well inside the hour-long idle timeout, so only maxAge can expire it.
    clock.advance(60_000);
    expect(await sessionOf(c)).toEqual({});
    expect(h.store.core.metrics().counters['session.load.expired'].total).toBe(1);
  });

  it('honours koa-session’s changed flag when it has no request context: an unchanged session is refreshed, not rewritten', async () => {
    const h = await start();
    const data = { cart: ['apple'], _expire: Date.now() + 86_400_000, _maxAge: 86_400_000 };
    await h.store.set('direct-call-session-01', data, 86_400_000, { changed: true, rolling: false });
    h.counting.reset();
    await h.store.set('direct-call-session-01', data, 86_400_000, { changed: false, rolling: true });
    // Without a load to go by, the store first finds where the session lives (it may have to move), then refreshes it there.
    expect(h.counting.counts()).toEqual({ GetItem: 1, UpdateItem: 1 });
    await h.store.set('never-stored-session-1', data, 86_400_000, { changed: false, rolling: true });
    expect(await h.store.get('never-stored-session-1')).toBeNull();
  });

  it('rejects a session with the reserved key `cookie`, and a non-object, without writing', async () => {
    const h = await start();
    const b = h.browser();
    await b.get('/count');
    h.counting.reset();
    const res = await b.post('/set', { key: 'cookie', value: 'x' });
    expect(res.status).toBe(500);
    expect(res.json).toMatchObject({ code: 'codec.unserializable' });
    expect(h.counting.writes()).toBe(0);
    await expect(h.store.set('some-session-id-0001', 'nope' as never)).rejects.toMatchObject({ code: 'codec.unserializable' });
  });
});

describe('ignore rules', () => {
  it('writes nothing and issues no cookie for an ignored path', async () => {
    const h = await start({ ignoreUris: '/static/.*' });
    const b = h.browser();
    h.counting.reset();
    const res = await b.get('/static/app.css');
    expect(res.status).toBe(200);
    expect(res.setCookie).toEqual([]);
    expect(h.counting.counts()).toEqual({});
    expect(h.store.core.metrics().counters['session.save.skipped_ignored'].total).toBe(1);
    expect(h.store.core.metrics().counters['request.ignored'].total).toBe(1);
  });

  it('lets an ignored request read its session but stores none of its changes and sends no cookie', async () => {
    const h = await start({ ignoreUris: '/static/.*' }, { session: { rolling: true } });
    const b = h.browser();
    await b.get('/count');
    h.counting.reset();
    const res = await b.get('/static/app.css');
    expect(res.setCookie).toEqual([]);
    expect(h.counting.counts()).toEqual({ GetItem: 1 });
    expect((await b.get('/count')).json).toEqual({ views: 2 });
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

  it('neither destroys a session nor clears its cookie for an ignored logout', async () => {
    const h = await start({ ignoreHeaders: 'x-no-session' });
    const b = h.browser();
    await b.get('/count');
    const res = await b.request('/logout', { method: 'POST', headers: { 'x-no-session': '1' } });
    expect(res.setCookie).toEqual([]);
    expect(await h.store.get(b.sessionId(COOKIE)!)).toMatchObject({ views: 1 });
  });

  it('warns once when mounted after koa-session', async () => {
    const warnings: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: (_: unknown, message?: string) => void warnings.push(message ?? ''), error: () => undefined };
    const h = await start({ logger }, { trackerLast: true });
    const b = h.browser();
    await b.get('/count');
    await b.get('/count');
    await b.get('/count');
    expect(warnings.filter((w) => w.includes('koaSessionTracker runs after koa-session'))).toHaveLength(1);
  });

  it('fails at construction on an invalid pattern or an unknown option, naming it', async () => {
    const h = await start();
    expect(() => koaSessionTracker(h.store, { ignoreHeaders: '[' })).toThrow(/`ignoreHeaders`/);
    expect(() => koaSessionTracker(h.store, { ignoreUrls: '/x' } as never)).toThrow(/Unknown option `ignoreUrls`.*ignoreUris/);
    expect(() => koaSessionTracker({} as never)).toThrow(/`store`/);
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
    expect(h.store.core.metrics().counters['session.save.merged'].total).toBeGreaterThan(0);
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
    const id = b.sessionId(COOKIE)!;
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
    expect(h.store.core.metrics().counters['session.save.dropped'].total).toBe(1);
  });
});

describe('bad input', () => {
  it.each([
    ['garbage', 'not a session'],
    ['an over-long key', 'a'.repeat(300)],
    ['an empty value', ''],
    ['percent junk', '%E0%A4%A'],
    ['an unknown key', 'unknown-session-id-0123456789'],
  ])('answers an unsigned cookie with %s like a new visitor, never with a 5xx', async (_name, value) => {
    const h = await start({}, { session: { signed: false } });
    const b = h.browser();
    b.cookies.set(COOKIE, value);
    const res = await b.get('/count');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ views: 1 });
  });

  it('answers a cookie with a bad signature like a new visitor', async () => {
    const h = await start();
    const b = h.browser();
    await b.get('/count');
    b.cookies.set(`${COOKIE}.sig`, 'forged');
    expect((await b.get('/count')).json).toEqual({ views: 1 });
  });

  it('answers with the store’s error code when a session is too large, and keeps the stored one', async () => {
    const h = await start();
    const b = h.browser();
    await b.get('/count');
    const res = await b.post('/set', { key: 'huge', value: randomBytes(450_000).toString('base64') });
    expect(res.status).toBe(500);
    expect(res.json).toMatchObject({ code: 'codec.itemTooLarge' });
    expect((await sessionOf(b)).views).toBe(1);
  });
});

describe('rotation', () => {
  it.each([
    ['koa-session defaults (rolling: false)', {}],
    ['rolling: true', { rolling: true }],
  ] as const)('keeps a session used every period alive through five rotations with %s', async (_name, sessionOptions) => {
    const clock = createManualClock(Date.UTC(2026, 10, 24, 10, 1, 0));
    const h = await start({ tableRotationSeconds: 3600, maxInactiveInterval: 7200 }, { session: sessionOptions }, clock);
    const active = h.browser();
    // The idle timeout applies to browser-session cookies (no expiry): this one goes within two periods.
    const idle = h.browser();
    // koa-session's default cookie lives a day: this idle session outlives the five periods, found in a kept table.
    const remembered = h.browser();
    await active.get('/count');
    await idle.post('/short');
    await remembered.get('/count');
    let idleGoneAfter: number | undefined;
    for (let period = 1; period <= 5; period += 1) {
      await h.store.core.flush(); // moves forward happen after the response; a test clock outruns them
      clock.advance(HOUR);
      await h.store.core.maintain();
      expect((await sessionOf(active)).views).toBe(1); // read-only: rotation alone keeps it
      if (idleGoneAfter === undefined && (await h.store.get(idle.sessionId(COOKIE)!)) === null) idleGoneAfter = period;
    }
    expect(idleGoneAfter).toBeDefined();
    expect(idleGoneAfter).toBeLessThanOrEqual(2);
    expect(await h.store.get(remembered.sessionId(COOKIE)!)).toMatchObject({ views: 1 });
    await h.store.core.flush();
    const current = h.store.core.tables().find((t) => t.role === 'current')!.name;
    const item = await admin.send(new GetItemCommand({ TableName: current, Key: { id: { S: active.sessionId(COOKIE)! } } }));
    expect(item.Item).toBeDefined();
    expect(h.store.core.metrics().counters['table.rotation'].total).toBe(5);
  });
});

describe('metrics, faults and ownership', () => {
  it('counts and times requests like the Express tracker', async () => {
    const h = await start({ ignoreUris: '/static/.*' });
    const b = h.browser();
    await b.get('/count');
    await b.get('/static/app.css');
    const m = h.store.core.metrics();
    expect(m.counters['request.count'].total).toBe(2);
    expect(m.counters['request.ignored'].total).toBe(1);
    expect(m.timers['request.duration'].count).toBe(2);
    expect(m.counters['session.save.put'].total).toBe(1);
  });

  it('with onBackendError anonymous, serves a fresh session when DynamoDB fails and keeps the user’s cookie', async () => {
    const h = await start({ onBackendError: 'anonymous', requestTimeoutMs: 300, operationTimeoutMs: 1000 });
    const b = h.browser();
    await b.get('/count');
    const cookie = b.cookies.get(COOKIE);
    const current = h.store.core.tables().find((t) => t.role === 'current')!.name;
    await admin.send(new DeleteTableCommand({ TableName: current }));
    await waitUntilTableGone(admin, current);
    const res = await b.get('/count');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ views: 1 });
    expect(res.setCookie).toEqual([]);
    expect(b.cookies.get(COOKIE)).toBe(cookie);
    expect(h.store.core.metrics().counters['session.degraded'].total).toBeGreaterThanOrEqual(1);
  });

  it('with onBackendError fail, answers 500 with the error code', async () => {
    const h = await start({ requestTimeoutMs: 300, operationTimeoutMs: 1000 });
    const b = h.browser();
    await b.get('/count');
    const current = h.store.core.tables().find((t) => t.role === 'current')!.name;
    await admin.send(new DeleteTableCommand({ TableName: current }));
    await waitUntilTableGone(admin, current);
    const res = await b.get('/count');
    expect(res.status).toBe(500);
    expect(res.json).toMatchObject({ code: 'backend.tableMissing' });
  });

  it('built from options, owns its core and closes it once; given a store, shares it and has no close', async () => {
    const base = uniqueBaseName('koa-own');
    cleanups.push(() => dropTablesWithPrefix(admin, base));
    const owned = koaSessionStore({ dynamoEndpoint: testEndpoint(), tableBaseName: base, maintenanceIntervalSeconds: 0 });
    await owned.ready();
    await owned.set('owned-session-00001', { n: 1 });
    await owned.close();
    await owned.close();
    await expect(owned.get('owned-session-00001')).rejects.toMatchObject({ code: 'store.closed' });

    const express = new DynamoSessionStore({ dynamoEndpoint: testEndpoint(), tableBaseName: base, maintenanceIntervalSeconds: 0 });
    cleanups.push(() => express.close());
    const shared = koaSessionStore(express);
    expect(shared.core).toBe(express.core);
    expect('close' in shared).toBe(false);
    await shared.ready();
    expect(await shared.get('owned-session-00001')).toEqual({ n: 1 });
    expect(koaSessionStore(express.core).core).toBe(express.core);
  });
});
