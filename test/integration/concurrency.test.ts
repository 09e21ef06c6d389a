import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DynamoSessionStore, type DynamoSessionStoreOptions } from '../../src/index.js';
import { createTestClient, dropTablesWithPrefix, uniqueBaseName } from '../support/dynamo.js';
import { createTestApp } from '../support/express-app.js';
import { expressUnderTest } from '../support/express-under-test.js';
import { CookieClient, serve } from '../support/http.js';
import { createGate, type Gate } from '../support/gate.js';

const admin = createTestClient();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => admin.destroy());

async function start(options: DynamoSessionStoreOptions = {}, gate?: Gate) {
  const base = uniqueBaseName('conc');
  const store = new DynamoSessionStore({ dynamoEndpoint: (await import('../support/dynamo.js')).testEndpoint(), tableBaseName: base, maintenanceIntervalSeconds: 0, ...options });
  await store.ready();
  const app = createTestApp(expressUnderTest(), store);
  // Waits at `gate`, after its session is loaded and before it changes it.
  app.get('/held-set', (req, res, next) => {
    const { key, value } = req.query as Record<string, string>;
    (gate?.pass() ?? Promise.resolve()).then(() => {
      req.session[key ?? 'k'] = value;
      res.json({ ok: true });
    }, next);
  });
  const server = await serve(app);
  cleanups.push(async () => {
    await server.close();
    await store.close();
    await dropTablesWithPrefix(admin, base);
  });
  const browser = new CookieClient(server.url);
  await browser.get('/count'); // the session exists, with a cookie
  return { store, browser, url: server.url };
}

const session = async (b: CookieClient) => ((await b.get('/peek')).json as { session: Record<string, unknown> }).session;

describe('concurrent requests of one session', () => {
  it.each([1, 2, 3])('keeps all 20 keys set by 20 parallel requests (round %i)', async () => {
    const { browser, store } = await start();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => browser.post('/set', { key: `k${i}`, value: i })));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const stored = await session(browser);
    for (let i = 0; i < 20; i += 1) expect(stored[`k${i}`]).toBe(i);
    expect(stored.views).toBe(1);
    expect(store.metrics().counters['session.save.merged'].total).toBeGreaterThan(0);
  });

  it('lets the last writer win on the same key and keeps every other key', async () => {
    const { browser } = await start();
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        Promise.all([browser.post('/set', { key: 'shared', value: i }), browser.post('/set', { key: `own${i}`, value: true })]),
      ),
    );
    const stored = await session(browser);
    expect(typeof stored.shared).toBe('number');
    for (let i = 0; i < 10; i += 1) expect(stored[`own${i}`]).toBe(true);
  });

  it('applies a removal made in parallel with other changes', async () => {
    const { browser } = await start();
    await browser.post('/set', { key: 'flash', value: 'hello' });
    await Promise.all([browser.post('/unset', { key: 'flash' }), browser.post('/set', { key: 'other', value: 1 })]);
    const stored = await session(browser);
    expect(stored).not.toHaveProperty('flash');
    expect(stored.other).toBe(1);
  });

  it('never brings back a session destroyed by a logout while a slower request was running', async () => {
    const gate = createGate();
    const { browser, store } = await start({}, gate);
    const id = browser.sessionId()!;
    const slow = browser.get('/held-set?key=late&value=1');
    await gate.entered; // the slow request has loaded the session
    const cookies = new Map(browser.cookies);
    expect((await browser.post('/logout')).status).toBe(200);
    gate.release();
    expect((await slow).status).toBe(200);
    expect(await store.get(id)).toBeNull();
    browser.cookies.clear();
    for (const [k, v] of cookies) browser.cookies.set(k, v);
    expect(await session(browser)).toEqual({});
    expect(store.metrics().counters['session.save.dropped'].total).toBe(1);
  });

  it('reports a conflict it cannot resolve through the callback and a counter', async () => {
    const { browser, store } = await start({ maxConflictRetries: 0 });
    const id = (await session(browser)) && browser.sessionId()!;
    // Two requests (as on two servers) load the same version the way express-session does (get,
    // then createSession with the request); the first saves, the second's save conflicts.
    const load = async () => store.createSession({ sessionID: id } as never, (await store.get(id))!) as unknown as Record<string, unknown>;
    const first = await load();
    const second = await load();
    first.a = 1;
    await store.set(id, first as never);
    second.b = 2;
    const error = await new Promise<unknown>((resolve) => {
      void store.set(id, second as never, (err) => resolve(err));
    });
    expect(error).toMatchObject({ code: 'store.conflict' });
    expect(store.metrics().counters['session.save.conflict'].total).toBe(1);
  });
});
