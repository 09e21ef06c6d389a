/**
 * Session lifetimes as Node users expect them (issue 13), through express-session,
 * @fastify/session and koa-session, in both expiry modes, with the default configuration unless a
 * case says otherwise. Every clock here is the same one: `Date` is faked (nothing else is), so the
 * frameworks' cookie expiries and the store's clock move together, to the millisecond.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DynamoSessionStoreOptions } from 'dynamo-session-manager';
import { createTestClient, dropTablesWithPrefix, testEndpoint, uniqueBaseName } from '../support/dynamo.js';
import { FRAMEWORKS, REMEMBER_ME_MS, startLifetimeApp, type Framework, type LifetimeApp, type LifetimeAppOptions } from '../support/lifetime-apps.js';
import type { CookieClient } from '../support/http.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const admin = createTestClient();
const cleanups: (() => Promise<void>)[] = [];

type Mode = 'ttl' | 'rotation';
const MODES: readonly Mode[] = ['ttl', 'rotation'];

beforeEach(() => {
  // Mid-period of a daily rotation, away from any boundary.
  vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 11, 1, 6, 0, 0) });
});
afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(framework: Framework, mode: Mode, storeOptions: DynamoSessionStoreOptions = {}, app: LifetimeAppOptions = {}): Promise<LifetimeApp> {
  const base = uniqueBaseName(`life-${framework.slice(0, 3)}`);
  // The default configuration, but for the mode (TTL is the default; rotation is asked for) and no timer: the tests run maintenance.
  const options: DynamoSessionStoreOptions = { dynamoEndpoint: testEndpoint(), tableBaseName: base, maintenanceIntervalSeconds: 0, ...(mode === 'rotation' && storeOptions.tableRotationSeconds === undefined ? { expiry: 'rotation' } : {}), ...storeOptions };
  const started = await startLifetimeApp(framework, options, app);
  cleanups.push(async () => {
    await started.close();
    await dropTablesWithPrefix(admin, base);
  });
  return started;
}

/** Moves every clock forward, then runs the maintenance the timer would have run meanwhile. */
async function advance(app: LifetimeApp, ms: number): Promise<void> {
  vi.setSystemTime(Date.now() + ms);
  await app.core.maintain();
}

async function userOf(browser: CookieClient): Promise<unknown> {
  const response = await browser.get('/me');
  expect(response.status).toBe(200);
  return (response.json as { user: unknown }).user;
}

async function signIn(app: LifetimeApp, user: string, remember = false): Promise<CookieClient> {
  const browser = app.browser();
  expect((await browser.post('/login', { user, remember })).status).toBe(200);
  await app.settled();
  return browser;
}

const counter = (app: LifetimeApp, name: string): number => (app.core.metrics().counters as Record<string, { total: number } | undefined>)[name]?.total ?? 0;

describe.each(FRAMEWORKS)('lifetimes through %s', (framework) => {
  describe.each(MODES)('expiry: %s', (mode) => {
    it('keeps a remember-me session of 30 days beside one-hour sessions, with the default configuration', async () => {
      const app = await start(framework, mode);
      const ada = await signIn(app, 'ada', true);
      const bob = await signIn(app, 'bob');
      await advance(app, 59 * MINUTE);
      expect(await userOf(bob)).toBe('bob'); // an active one-hour session is refreshed
      await advance(app, HOUR); // bob idle for exactly his idle timeout
      expect(await userOf(bob)).toBeNull();
      await advance(app, 10 * DAY); // ada idle 10 days and an hour, across rotations
      const before = counter(app, mode === 'rotation' ? 'session.load.hit_kept' : 'session.load.hit_current');
      expect(await userOf(ada)).toBe('ada');
      expect(counter(app, mode === 'rotation' ? 'session.load.hit_kept' : 'session.load.hit_current')).toBe(before + 1);
      await app.settled();
      // A change on her return: every framework saves it, with a new 30-day expiry (koa-session,
      // without rolling or renew, keeps the expiry of the last save for a read-only request).
      expect((await ada.post('/set', { key: 'back', value: true })).status).toBe(200);
      await app.settled();
      // Back to one table: the next read of the returning session finds it where writes go.
      const current = counter(app, 'session.load.hit_current');
      expect(await userOf(ada)).toBe('ada');
      expect(counter(app, 'session.load.hit_current')).toBe(current + 1);
      await app.settled();
      await advance(app, REMEMBER_ME_MS - 1); // idle until a millisecond before the end of her lifetime
      expect(await userOf(ada)).toBe('ada');
      await app.settled();
      await advance(app, REMEMBER_ME_MS);
      expect(await userOf(ada)).toBeNull();
    });

    it('never signs out an active read-only user of a short rolling cookie, and refreshes at most once per interval', async () => {
      const app = await start(framework, mode, {}, { maxAgeMs: 5 * MINUTE, rolling: true });
      const ada = await signIn(app, 'ada');
      const writesBefore = counter(app, 'session.touch.write') + counter(app, 'session.save.put');
      // Every 10 s for 2 minutes: the refresh interval is a tenth of 5 minutes, so at most 4 refreshes.
      for (let i = 0; i < 12; i += 1) {
        await advance(app, 10 * SECOND);
        expect(await userOf(ada)).toBe('ada');
        await app.settled();
      }
      const writes = counter(app, 'session.touch.write') + counter(app, 'session.save.put') - writesBefore;
      expect(writes).toBeGreaterThanOrEqual(3);
      expect(writes).toBeLessThanOrEqual(4);
      // Then an hour of reads 4 minutes 25 s apart (under 90% of the lifetime): never signed out.
      for (let i = 0; i < 14; i += 1) {
        await advance(app, 4 * MINUTE + 25 * SECOND);
        expect(await userOf(ada)).toBe('ada');
        await app.settled();
      }
      await advance(app, 5 * MINUTE);
      expect(await userOf(ada)).toBeNull();
    });

    it('serves a session up to the millisecond before its cookie expires, never at it', async () => {
      const app = await start(framework, mode, {}, { maxAgeMs: 2 * SECOND });
      const early = await signIn(app, 'early');
      const late = await signIn(app, 'late'); // signed in at the same millisecond (Date is frozen)
      await advance(app, 2 * SECOND - 1);
      expect(await userOf(early)).toBe('early');
      vi.setSystemTime(Date.now() + 1);
      expect(await userOf(late)).toBeNull();
    });
  });
});

describe.each(MODES)('lifetime options and the Store contract (expiry: %s)', (mode) => {
  it('absoluteTimeoutSeconds: an active session is never served past it, across saves and moves', async () => {
    // Rotation every 30 minutes, so the active session also moves forward between tables.
    const app = await start('express', mode, { absoluteTimeoutSeconds: 2 * 3600, ...(mode === 'rotation' ? { tableRotationSeconds: 1800 } : {}) }, { rolling: true });
    const ada = await signIn(app, 'ada', true);
    for (let i = 0; i < 11; i += 1) {
      await advance(app, 10 * MINUTE);
      expect(await userOf(ada)).toBe('ada');
      expect((await ada.post('/set', { key: 'step', value: i })).status).toBe(200);
      await app.settled();
    }
    await advance(app, 10 * MINUTE - 1); // 1 ms before two hours since sign-in
    expect(await userOf(ada)).toBe('ada');
    await app.settled();
    vi.setSystemTime(Date.now() + 1);
    expect(await userOf(ada)).toBeNull();
  });

  if (mode === 'rotation') {
    it('a period shorter than the idle timeout no longer cuts sessions short (60 s tables, 120 s idle)', async () => {
      const app = await start('express', mode, { tableRotationSeconds: 60, maxInactiveInterval: 120 });
      const early = await signIn(app, 'early');
      const late = await signIn(app, 'late');
      await advance(app, 60 * SECOND);
      await advance(app, 60 * SECOND - 1); // two rotations later
      expect(await userOf(early)).toBe('early');
      vi.setSystemTime(Date.now() + 1);
      expect(await userOf(late)).toBeNull();
    });
  }

  it('set() follows the Store contract: a session without a cookie is refused at the call; one not loaded here replaces the stored one', async () => {
    const app = await start('express', mode);
    const id = 'contract-session-0001';
    await expect(app.core.set(id, { user: 'ada' } as never)).rejects.toMatchObject({ code: 'codec.unserializable' });
    expect(await app.core.get(id)).toBeNull(); // nothing stored, so a later valid set works
    const cookie = { originalMaxAge: null, expires: null };
    await app.core.set(id, { cookie, user: 'ada', cart: ['book'] });
    await app.core.set(id, { cookie, user: 'ada' }); // an object this process never loaded: an upsert
    expect((await app.core.get(id))?.session).toEqual({ cookie, user: 'ada' });
  });
});
