import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoSessionStore, METRIC, USER_INDEX_NAME, type MetricsSnapshot } from 'dynamo-session-manager';
import { startLocalDynamo, type LocalDynamo } from 'dynamo-session-manager/local';
import { createDemoApp, type DemoApp } from '../../demo/app.js';
import { DEMO_DEFAULTS, demoStoreOptions, readDemoConfig, signedInName } from '../../demo/config.js';
import type { UserLookupFigures } from '../../demo/dashboard/user-lookup.js';
import { DEVICE_LIMITS, describeDevice, deviceFacts } from '../../demo/shop/device.js';
import { formatAgo, signedOutText } from '../../demo/shop/pages.js';
import type { DashboardFigures } from '../../demo/dashboard/figures.js';
import { SHOP_LIMITS, addToCart, cleanText, removeFromCart } from '../../demo/shop/cart.js';
import { DemoShopper } from '../support/browser.js';
import { CookieClient, serve, type RunningServer } from '../support/http.js';
import { createTestClient } from '../support/dynamo.js';
import { createGatedClient, type GatedClient } from '../support/gated-client.js';
import { createManualClock } from '../support/manual-clock.js';

const START_MS = Date.UTC(2026, 10, 24, 10, 0, 0);
const PERIOD_MS = DEMO_DEFAULTS.rotationSeconds * 1000;
const clock = createManualClock(START_MS);

let local: LocalDynamo;
let store: DynamoSessionStore;
let app: DemoApp;
let server: RunningServer;

beforeAll(async () => {
  local = await startLocalDynamo();
  const config = readDemoConfig({ DSM_MEMORY: '1', PORT: '0' });
  store = new DynamoSessionStore({ ...demoStoreOptions(config, local.endpoint), tableBaseName: 'demo-http', now: clock, maintenanceIntervalSeconds: 0 });
  await store.ready();
  app = createDemoApp(store, { sessionSecret: 'demo http test secret, long enough', sampleIntervalMs: 50 });
  server = await serve(app);
});

afterAll(async () => {
  await server?.close();
  app?.close();
  await store?.close();
  await local?.stop();
});

/** A counter's total now. */
function counter(name: keyof MetricsSnapshot['counters']): number {
  return store.metrics().counters[name].total;
}

/** DynamoDB data-plane writes sent so far, by the store's own call counter. */
function writes(): number {
  const byOp = store.metrics().counters[METRIC.dynamodbCalls].byTag;
  return ['PutItem', 'UpdateItem', 'DeleteItem'].reduce((sum, op) => sum + (byOp[`op:${op}`] ?? 0), 0);
}

function dynamodbCalls(): number {
  return counter(METRIC.dynamodbCalls);
}

async function figures(client = new CookieClient(server.url)): Promise<DashboardFigures> {
  const response = await client.get('/dashboard/metrics.json');
  expect(response.status).toBe(200);
  return response.json as DashboardFigures;
}

async function signedIn(name = 'Ada'): Promise<DemoShopper> {
  const shopper = new DemoShopper(server.url);
  const response = await shopper.signIn(name);
  expect(response.status).toBe(303);
  expect(shopper.sessionId).toBeDefined();
  return shopper;
}

describe('readDemoConfig', () => {
  it('defaults to port 3000, 60 s tables, two-period idle timeout, three-period remember-me and the ./.dsm-data directory', () => {
    expect(readDemoConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      rotationSeconds: 60,
      idleSeconds: 120,
      rememberSeconds: 180,
      backend: { kind: 'embedded', dataDir: './.dsm-data' },
      sessionSecret: undefined,
      tableBaseName: 'demo-sessions',
      openTelemetry: 'off',
    });
    expect(readDemoConfig({ DSM_OTEL: 'console' }).openTelemetry).toBe('console');
  });

  it.each([
    [{ DSM_MEMORY: '1', DSM_DATA_DIR: '/x' }, { kind: 'embedded', dataDir: undefined }],
    [{ DSM_DATA_DIR: '/var/dsm' }, { kind: 'embedded', dataDir: '/var/dsm' }],
    [{ DSM_ENDPOINT: 'http://localhost:8000' }, { kind: 'external', endpoint: 'http://localhost:8000', region: undefined }],
    [{ AWS_REGION: 'eu-west-1' }, { kind: 'external', endpoint: undefined, region: 'eu-west-1' }],
  ])('picks the backend from %o', (env, backend) => {
    expect(readDemoConfig(env).backend).toEqual(backend);
  });

  it.each([
    [{ PORT: '70000' }, /PORT must be a whole number from 0 to 65535; got "70000"/],
    [{ PORT: '3e3' }, /PORT must be a whole number/],
    [{ DSM_ROTATION_SECONDS: '1' }, /DSM_ROTATION_SECONDS must be a whole number from 2/],
    [{ DSM_ENDPOINT: 'localhost:8000' }, /DSM_ENDPOINT must be an http/],
    [{ DSM_MEMORY: 'yes' }, /DSM_MEMORY must be 1/],
    [{ DSM_OTEL: 'otlp' }, /DSM_OTEL must be console .* or off; got "otlp"/],
  ])('rejects %o, naming the variable', (env, message) => {
    expect(() => readDemoConfig(env)).toThrow(message);
  });

  it('builds store options: rotation period, idle timeout, remember-me as the longest lifetime, static paths ignored, the embedded endpoint', () => {
    const options = demoStoreOptions(readDemoConfig({ DSM_ROTATION_SECONDS: '5' }), 'http://127.0.0.1:1234');
    expect(options).toMatchObject({ tableRotationSeconds: 5, maxInactiveInterval: 10, longestLifetimeSeconds: 15, ignoreUris: '/static/.*', dynamoEndpoint: 'http://127.0.0.1:1234' });
    expect(demoStoreOptions(readDemoConfig({ AWS_REGION: 'eu-west-1' }), 'http://ignored')).toMatchObject({ region: 'eu-west-1' });
    expect(demoStoreOptions(readDemoConfig({ AWS_REGION: 'eu-west-1' }))).not.toHaveProperty('dynamoEndpoint');
  });
});

describe('device facts and the user', () => {
  it.each([
    ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'Firefox on Linux'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1', 'Safari on iOS'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0', 'Edge on Windows'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36', 'Chrome on macOS'],
    ['Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36', 'Chrome on Android'],
    ['curl/8.5.0', 'curl'],
    ['something else', 'Other browser'],
    ['', 'Unknown browser'],
  ])('names the device of %j: %s', (userAgent, label) => {
    expect(describeDevice({ userAgent, ip: '127.0.0.1' })).toBe(label);
  });

  it('keeps cleaned, capped facts, and counts other shapes as unknown', () => {
    expect(deviceFacts({ userAgent: ` A\u0000B\u202eC${'x'.repeat(300)}`, ip: '::ffff:127.0.0.1' })).toEqual({ userAgent: `ABC${'x'.repeat(DEVICE_LIMITS.userAgentChars - 3)}`, ip: '::ffff:127.0.0.1' });
    expect(deviceFacts({ userAgent: undefined, ip: undefined })).toEqual({ userAgent: '', ip: '' });
    expect(describeDevice(undefined)).toBe('Unknown browser');
    expect(describeDevice({ userAgent: 42 })).toBe('Unknown browser');
  });

  it('takes the signed-in name as the user, and nothing before sign-in', () => {
    expect(signedInName({ user: { name: 'Ada', signedInAtMs: 1 } })).toBe('Ada');
    expect(signedInName({ cart: [] })).toBeUndefined();
    expect(signedInName({ user: { name: '' } })).toBeUndefined();
    expect(signedInName({ user: 'Ada' })).toBeUndefined();
    expect(demoStoreOptions(readDemoConfig({}))).toMatchObject({ userIdOf: signedInName });
  });

  it.each([
    [0, 'No other device was signed in.'],
    [1, 'Signed out 1 other device.'],
    [3, 'Signed out 3 other devices.'],
  ])('says how many devices were signed out: %i', (count, text) => {
    expect(signedOutText(count)).toBe(text);
  });

  it.each([
    [0, 'just now'],
    [42_000, '42 s ago'],
    [5 * 60_000, '5 min ago'],
    [3 * 3_600_000, '3 h ago'],
  ])('says how long ago: %i ms', (agoMs, text) => {
    expect(formatAgo(START_MS - agoMs, START_MS)).toBe(text);
  });
});

describe('cart rules', () => {
  it.each([
    ['  Ada   Lovelace ', { ok: true, value: 'Ada Lovelace' }],
    ['A\u0000d\u202ea', { ok: true, value: 'A d a' }],
    ['   ', { ok: false, error: 'The name is empty.' }],
    [42, { ok: false, error: 'The name is missing.' }],
    ['😀'.repeat(SHOP_LIMITS.nameChars), { ok: true, value: '😀'.repeat(SHOP_LIMITS.nameChars) }],
    ['x'.repeat(SHOP_LIMITS.nameChars + 1), { ok: false, error: `The name is 41 characters long; at most ${SHOP_LIMITS.nameChars} are allowed.` }],
  ])('cleans %j', (raw, expected) => {
    expect(cleanText(raw, 'The name', SHOP_LIMITS.nameChars)).toEqual(expected);
  });

  it('adds, counts up to the limit, and removes one at a time', () => {
    const one = addToCart([], 'Teapot');
    expect(one).toEqual({ ok: true, lines: [{ item: 'Teapot', quantity: 1 }] });
    const two = addToCart(one.ok ? one.lines : [], 'Teapot');
    expect(two.ok && two.lines).toEqual([{ item: 'Teapot', quantity: 2 }]);
    expect(addToCart([{ item: 'Teapot', quantity: SHOP_LIMITS.lineQuantity }], 'Teapot').ok).toBe(false);
    const full = Array.from({ length: SHOP_LIMITS.cartLines }, (_, i) => ({ item: `i${i}`, quantity: 1 }));
    expect(addToCart(full, 'one more').ok).toBe(false);
    expect(removeFromCart([{ item: 'Teapot', quantity: 2 }, { item: 'Socks', quantity: 1 }], 'Teapot')).toEqual([
      { item: 'Teapot', quantity: 1 },
      { item: 'Socks', quantity: 1 },
    ]);
    expect(removeFromCart([{ item: 'Socks', quantity: 1 }], 'Socks')).toEqual([]);
  });
});

describe('the shop over HTTP', () => {
  it('shows a first visitor the sign-in form, sets no cookie and writes nothing', async () => {
    const before = writes();
    const visitor = new DemoShopper(server.url);
    const page = await visitor.view();
    expect(page.status).toBe(200);
    expect(page.body).toContain('<form method="post" action="/signin"');
    expect(page.setCookie).toEqual([]);
    expect(writes()).toBe(before);
  });

  it('offers "remember me" at sign-in: a cookie that outlives the browser, for the store\'s longest lifetime; without it, a browser-session cookie', async () => {
    const page = await new DemoShopper(server.url).view();
    const rememberSeconds = store.core.options.longestLifetimeMs / 1000;
    expect(page.body).toContain('name="remember"');
    expect(page.body).toContain(`Sessions idle for ${store.core.options.maxInactiveMs / 1000} s expire; with “remember me”, the session lasts ${rememberSeconds} s`);
    const remembered = new DemoShopper(server.url);
    const signIn = await remembered.post('/signin', { name: 'Ada', remember: '1' }, null);
    const cookie = signIn.setCookie.find((c) => c.startsWith('dsm-demo.sid='));
    const expires = Date.parse(/Expires=([^;]+)/i.exec(cookie ?? '')?.[1] ?? '');
    expect(expires - Date.now()).toBeGreaterThan((rememberSeconds - 5) * 1000);
    expect(expires - Date.now()).toBeLessThanOrEqual(rememberSeconds * 1000);
    const stored = await store.core.get(remembered.sessionId!);
    // express-session stores the time left when it saves: a few milliseconds under the maxAge.
    expect(stored?.session.cookie.originalMaxAge).toBeGreaterThan(rememberSeconds * 1000 - 5000);
    expect(stored?.session.cookie.originalMaxAge).toBeLessThanOrEqual(rememberSeconds * 1000);
    const forgotten = new DemoShopper(server.url);
    const plain = await forgotten.post('/signin', { name: 'Bob' }, null);
    expect(plain.setCookie.find((c) => c.startsWith('dsm-demo.sid='))).not.toMatch(/Expires=/i);
  });

  it('signs in with one conditional put, and the inspector masks the secrets stored with the name', async () => {
    const before = counter(METRIC.sessionSavePut);
    const shopper = await signedIn('Grace');
    expect(counter(METRIC.sessionSavePut)).toBe(before + 1);
    const page = await shopper.view();
    expect(page.body).toContain('Hello, <span class="user-name">Grace</span>');
    expect(page.body).toContain('Your cart is empty.');

    const masked = await store.inspect(shopper.sessionId as string);
    expect(masked?.session).toMatchObject({ user: { name: 'Grace' }, cart: [], csrfToken: '[masked]', paymentCardLast4: '[masked]' });
    const revealed = await store.inspect(shopper.sessionId as string, { reveal: true });
    expect((revealed?.session as { csrfToken: string }).csrfToken).toBe(shopper.csrfToken);
  });

  it('renders a hostile name as text', async () => {
    const shopper = await signedIn('<img src=x onerror=alert(1)>');
    const page = await shopper.view();
    expect(page.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page.body).not.toContain('<img src=x');
  });

  it('adds items to the cart and removes them, one write per change', async () => {
    const shopper = await signedIn('Lin');
    const before = writes();
    expect((await shopper.add('Teapot')).status).toBe(303);
    await shopper.add('Teapot');
    await shopper.add('Wool socks');
    await shopper.add('<b>bold</b>');
    await shopper.remove('Teapot');
    await shopper.remove('<b>bold</b>');
    expect(writes()).toBe(before + 6);

    const page = await shopper.view();
    expect(page.body).toMatch(/<span class="cart-item">Teapot<\/span>\s*<span class="cart-qty"[^>]*>× 1<\/span>/);
    expect(page.body).toContain('(2 items)');
    expect(page.body).not.toContain('<b>bold</b>');
    const stored = await store.inspect(shopper.sessionId as string);
    expect((stored?.session as { cart: unknown }).cart).toEqual([
      { item: 'Teapot', quantity: 1 },
      { item: 'Wool socks', quantity: 1 },
    ]);
  });

  it('writes nothing for a page view that changes nothing', async () => {
    const shopper = await signedIn('Reader');
    const before = writes();
    const skipped = counter(METRIC.sessionTouchSkipped);
    for (let i = 0; i < 3; i += 1) expect((await shopper.view()).status).toBe(200);
    expect(writes()).toBe(before);
    expect(counter(METRIC.sessionTouchSkipped)).toBe(skipped + 3);
  });

  it('refuses a form without the right token, and a form from a signed-out visitor, writing nothing', async () => {
    const shopper = await signedIn('Mallory target');
    const before = writes();
    const forged = await shopper.post('/cart/add', { item: 'Teapot' }, 'not-the-token');
    expect(forged.status).toBe(403);
    expect(forged.body).toContain('role="alert"');
    expect((await shopper.post('/signout', {}, null)).status).toBe(403);

    const visitor = new DemoShopper(server.url);
    const anonymous = await visitor.post('/cart/add', { item: 'Teapot' }, null);
    expect(anonymous.status).toBe(303);
    expect(anonymous.setCookie).toEqual([]);
    expect(writes()).toBe(before);
  });

  it('refuses over-long and empty input with 400, writing nothing', async () => {
    const shopper = await signedIn('Limits');
    const before = writes();
    expect((await shopper.add('x'.repeat(SHOP_LIMITS.itemChars + 1))).status).toBe(400);
    expect((await shopper.add('   ')).status).toBe(400);
    const visitor = new DemoShopper(server.url);
    const long = await visitor.post('/signin', { name: 'n'.repeat(SHOP_LIMITS.nameChars + 1) }, null);
    expect(long.status).toBe(400);
    expect(long.body).toContain(`at most ${SHOP_LIMITS.nameChars} are allowed`);
    expect(long.setCookie).toEqual([]);
    expect((await visitor.post('/signin', { name: 'x'.repeat(5000) }, null)).status).toBe(413);
    expect(writes()).toBe(before);
  });

  it('serves /static/ files without writing the session, and without issuing a cookie', async () => {
    const shopper = await signedIn('Static');
    clock.advance(13_000); // past the refresh threshold: without the ignore rule, a touch would write
    const before = writes();
    const ignored = counter(METRIC.requestIgnored);
    const skippedIgnored = counter(METRIC.sessionSaveSkippedIgnored);
    for (const path of ['/static/demo.css', '/static/dashboard.js', '/static/favicon.svg']) {
      const response = await shopper.client.get(path);
      expect(response.status).toBe(200);
      expect(response.setCookie).toEqual([]);
    }
    const visitor = new CookieClient(server.url);
    const css = await visitor.get('/static/demo.css');
    expect(css.setCookie).toEqual([]);
    expect((await visitor.get('/static/missing.css')).status).toBe(404);

    expect(writes()).toBe(before);
    expect(counter(METRIC.requestIgnored)).toBe(ignored + 5);
    expect(counter(METRIC.sessionSaveSkippedIgnored)).toBeGreaterThanOrEqual(skippedIgnored + 3);
  });

  it('signs out: the session is destroyed, the cookie cleared, the inspector finds nothing', async () => {
    const shopper = await signedIn('Leaving');
    const id = shopper.sessionId as string;
    const destroyed = counter(METRIC.sessionDestroy);
    const out = await shopper.signOut();
    expect(out.status).toBe(303);
    expect(out.setCookie.join()).toMatch(/dsm-demo\.sid=;.*Expires=Thu, 01 Jan 1970/);
    expect(counter(METRIC.sessionDestroy)).toBe(destroyed + 1);
    expect(await store.inspect(id)).toBeNull();
    expect((await shopper.view()).body).toContain('action="/signin"');
    expect((await figures()).recentSessions.map((s) => s.idPrefix)).not.toContain(id.slice(0, 8));
  });

  it('gives a stored session a new id when its user signs in again', async () => {
    const shopper = await signedIn('First');
    const first = shopper.sessionId as string;
    await shopper.signIn('Second');
    expect(shopper.sessionId).not.toBe(first);
    expect(await store.inspect(first)).toBeNull();
    expect(((await store.inspect(shopper.sessionId as string))?.session as { user: { name: string } }).user.name).toBe('Second');
  });

  it('sends a Content-Security-Policy that forbids inline script', async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

const LAPTOP = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const PHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const TABLET = 'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

/** A shopper on a device of its own: its own cookie jar and User-Agent. */
async function signedInOn(userAgent: string, name: string): Promise<DemoShopper> {
  const shopper = new DemoShopper(server.url, 'dsm-demo.sid', userAgent);
  expect((await shopper.signIn(name)).status).toBe(303);
  return shopper;
}

/** The devices the account card lists, as text, in page order. */
function devicesOn(body: string): string[] {
  return [...body.matchAll(/<li class="device( current)?">([\s\S]*?)<\/li>/g)].map((m) => m[2]!.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim());
}

describe('signed in on several devices', () => {
  it('lists every device of the user on the account card, this one first and marked, with where and when; never a whole session id', async () => {
    const laptop = await signedInOn(LAPTOP, 'Twin Devices');
    clock.advance(2000);
    const phone = await signedInOn(PHONE, 'Twin Devices');
    await signedInOn(LAPTOP, 'Someone Else');
    const page = await laptop.view();
    expect(page.body).toContain('<h2 id="devices-title">Signed in on</h2>');
    const devices = devicesOn(page.body);
    expect(devices).toHaveLength(2);
    expect(devices[0]).toMatch(/^Firefox on Linux this device from 127\.0\.0\.1 · signed in \d\d:\d\d:\d\d UTC · last seen /);
    expect(devices[1]).toMatch(/^Safari on iOS from 127\.0\.0\.1 · signed in \d\d:\d\d:\d\d UTC · last seen just now$/);
    for (const id of [laptop.sessionId, phone.sessionId] as string[]) expect(page.body).not.toContain(id);
    // The phone sees the same two, itself first.
    expect(devicesOn((await phone.view()).body).map((d) => d.split(' from ')[0])).toEqual(['Safari on iOS this device', 'Firefox on Linux']);
  });

  it('"Sign out other devices" ends the others and says how many; each is signed out at its next request; this one stays', async () => {
    const laptop = await signedInOn(LAPTOP, 'Many Devices');
    const phone = await signedInOn(PHONE, 'Many Devices');
    const tablet = await signedInOn(TABLET, 'Many Devices');
    await laptop.add('Teapot');
    const others = [phone.sessionId, tablet.sessionId] as string[];
    expect(devicesOn((await laptop.view()).body)).toHaveLength(3);

    const out = await laptop.signOutOthers();
    expect(out.status).toBe(303);
    expect(out.body).not.toContain(others[0]);
    const location = /Redirecting to (\S+)/.exec(out.body)?.[1];
    expect(location).toBe('/?signedOutOthers=2');
    const after = await laptop.view(location);
    expect(after.body).toContain('<p class="notice" role="status">Signed out 2 other devices.</p>');
    expect(devicesOn(after.body)).toEqual([expect.stringMatching(/^Firefox on Linux this device /)]);
    expect(after.body).toContain('Teapot'); // this session and its cart are untouched
    for (const id of others) expect(await store.inspect(id)).toBeNull();

    for (const device of [phone, tablet]) {
      const next = await device.view();
      expect(next.status).toBe(200);
      expect(next.body).toContain('action="/signin"');
      expect(next.body).not.toContain('Many Devices');
      expect((await device.add('Umbrella')).status).toBe(303); // a form from a signed-out device changes nothing
    }
    expect((await laptop.view()).body).toContain('Hello, <span class="user-name">Many Devices</span>');
    expect((await figures()).recentSessions.filter((s) => s.name === 'Many Devices').map((s) => s.idPrefix)).toEqual([laptop.sessionId!.slice(0, 8)]);
  });

  it('refuses "Sign out other devices" without the form token, ending nothing', async () => {
    const laptop = await signedInOn(LAPTOP, 'Guarded Devices');
    const phone = await signedInOn(PHONE, 'Guarded Devices');
    const forged = await laptop.post('/signout-others', {}, 'not-the-token');
    expect(forged.status).toBe(403);
    expect((await laptop.post('/signout-others', {}, null)).status).toBe(403);
    expect((await new DemoShopper(server.url).post('/signout-others', {}, null)).status).toBe(303); // signed out: back to the shop
    expect((await phone.view()).body).toContain('Hello, <span class="user-name">Guarded Devices</span>');
  });

  it('with no other device, says so', async () => {
    const alone = await signedInOn(LAPTOP, 'Only Device');
    const out = await alone.signOutOthers();
    expect(out.body).toContain('/?signedOutOthers=0');
    expect((await alone.view('/?signedOutOthers=0')).body).toContain('No other device was signed in.');
  });
});

describe('the dashboard over HTTP', () => {
  beforeEach(() => {
    // Samples are taken on a real timer; the figures must not depend on when it fires.
    clock.advance(1);
  });

  it('is a plain page with its own script and style sheet, and watching it costs no DynamoDB call', async () => {
    const shopper = await signedIn('Watcher');
    const page = await shopper.client.get('/dashboard');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script type="module" src="/static/dashboard.js"></script>');
    expect(page.body).toContain('<link rel="stylesheet" href="/static/dashboard.css">');
    expect(page.body).not.toMatch(/<script>|<style>|style="/);
    const calls = dynamodbCalls();
    for (let i = 0; i < 3; i += 1) {
      const poll = await shopper.client.get('/dashboard/metrics.json');
      expect(poll.status).toBe(200);
      expect(poll.setCookie).toEqual([]);
    }
    expect(dynamodbCalls()).toBe(calls);
  });

  it('serves the counters, sizes, tables and history in metrics.json, with session ids shortened', async () => {
    const before = await figures();
    const shopper = await signedIn('Counted');
    await shopper.add('Umbrella');
    await shopper.view();
    const after = await figures();
    expect(after.counters.saves.total).toBe(before.counters.saves.total + 2);
    expect(after.counters.saves.put).toBeGreaterThanOrEqual(before.counters.saves.put + 1); // sign-in; the store picks put or update for the change
    expect(after.counters.hitsCurrent).toBeGreaterThanOrEqual(before.counters.hitsCurrent + 2);
    // The two page views, and the cart's post: it saves before its redirect, then express-session touches (no call).
    expect(after.counters.skipped.refreshNotDue).toBe(before.counters.skipped.refreshNotDue + 3);
    expect(after.counters.requests.total).toBeGreaterThan(before.counters.requests.total);
    expect(after.counters.capacity.perRequest).toBeGreaterThan(0);
    expect(after.counters.errors.total).toBe(0);
    expect(after.sessionSize.count).toBe(before.sessionSize.count + 2);
    expect(after.sessionSize.buckets.reduce((sum, b) => sum + b.count, 0)).toBe(after.sessionSize.count);
    expect(after.snapshot.counters[METRIC.sessionSavePut].total).toBe(after.counters.saves.put);
    expect(after.dynamodbCalls.find((c) => c.operation === 'PutItem')?.calls).toBeGreaterThan(0);

    const current = after.tables.find((t) => t.role === 'current');
    expect(current?.name).toBe('demo-http_20261124_100000');
    expect(after.rotation).toMatchObject({ mode: 'rotation', periodMs: PERIOD_MS });
    expect(after.rotation.nextRotationAtMs).toBe(START_MS + PERIOD_MS);
    expect(after.history.t.length).toBeGreaterThan(0);
    expect(Object.keys(after.history.values)).toContain('hitsPrevious');

    const id = shopper.sessionId as string;
    expect(after.recentSessions[0]).toMatchObject({ idPrefix: id.slice(0, 8), name: 'Counted' });
    expect(JSON.stringify(after)).not.toContain(id);
  });

  it('returns only newer samples when asked with ?since=', async () => {
    const all = (await figures()).history;
    const last = all.t.at(-1) as number;
    clock.advance(1000);
    await new Promise((resolve) => setTimeout(resolve, 200)); // a few samples at 50 ms
    const newer = ((await new CookieClient(server.url).get(`/dashboard/metrics.json?since=${last}`)).json as DashboardFigures).history;
    expect(newer.t.length).toBeGreaterThan(0);
    expect(newer.t.every((t) => t > last)).toBe(true);
    expect(newer.t.at(-1)).toBe(clock());
    expect(newer.values.saves).toHaveLength(newer.t.length);
  });

  it('inspects a session by id or recent prefix, masking secrets and never echoing the id', async () => {
    const shopper = await signedIn('Inspected');
    const id = shopper.sessionId as string;
    const admin = new CookieClient(server.url);
    for (const input of [id, id.slice(0, 8)]) {
      const found = await admin.post('/dashboard/inspect', { id: input });
      expect(found.status).toBe(200);
      expect(found.json).toMatchObject({
        found: true,
        idPrefix: id.slice(0, 8),
        tableRole: 'current',
        table: 'demo-http_20261124_100000',
        expired: false,
        session: { user: { name: 'Inspected' }, csrfToken: '[masked]', paymentCardLast4: '[masked]' },
      });
      expect(found.body).not.toContain(id);
      expect(found.body).not.toContain(shopper.csrfToken as string);
    }
    expect((await admin.post('/dashboard/inspect', { id: 'no-such-session-id' })).status).toBe(404);
    expect((await admin.post('/dashboard/inspect', { id: '<script>' })).status).toBe(400);
    expect((await admin.post('/dashboard/inspect', { id: 'x'.repeat(300) })).status).toBe(400);
    const huge = await admin.post('/dashboard/inspect', { id: 'x'.repeat(2000) });
    expect(huge.status).toBe(413);
    expect(huge.json).toEqual({ error: 'The request is too large.' });
  });

  it('looks up a user: their live sessions with device facts, ids shortened, never whole', async () => {
    const laptop = await signedInOn(LAPTOP, 'Looked Up');
    const phone = await signedInOn(PHONE, 'Looked Up');
    const admin = new CookieClient(server.url);
    const found = await admin.post('/dashboard/user', { user: 'Looked Up' });
    expect(found.status).toBe(200);
    const figuresOf = found.json as UserLookupFigures;
    expect(figuresOf.sessions.map((s) => s.idPrefix).sort()).toEqual([laptop.sessionId, phone.sessionId].map((id) => id!.slice(0, 8)).sort());
    expect(figuresOf.sessions.map((s) => s.deviceLabel).sort()).toEqual(['Firefox on Linux', 'Safari on iOS']);
    expect(figuresOf.sessions[0]?.device).toMatchObject({ ip: '127.0.0.1' });
    for (const s of figuresOf.sessions) expect(s.expiresAtMs).toBeGreaterThan(s.lastSeenAtMs);
    for (const id of [laptop.sessionId, phone.sessionId] as string[]) expect(found.body).not.toContain(id);
    expect(found.setCookie).toEqual([]);

    expect(((await admin.post('/dashboard/user', { user: 'Nobody Here' })).json as UserLookupFigures).sessions).toEqual([]);
    for (const bad of [{ user: '   ' }, { user: 42 }, {}, { user: 'x'.repeat(201) }]) expect((await admin.post('/dashboard/user', bad)).status).toBe(400);
    expect((await admin.post('/dashboard/user', { user: 'x'.repeat(2000) })).status).toBe(413);
  });

  it('shows a rotation: the session moves forward, the old table becomes previous, then kept, then is deleted', async () => {
    const shopper = await signedIn('Rotating');
    await shopper.add('Teapot');
    const before = await figures();
    const firstTable = before.tables.find((t) => t.role === 'current')?.name as string;

    clock.advance(PERIOD_MS + 11_000); // into the next period, past the clock-skew margin
    await store.maintain();
    const refreshed = counter(METRIC.sessionTouchWrite);
    const page = await shopper.view();
    expect(page.body).toContain('Teapot');
    await store.flush(); // the move forward happens after the response
    expect(counter(METRIC.sessionTouchWrite)).toBe(refreshed + 1); // moved forward
    const rotated = await figures();
    expect(rotated.counters.rotations).toBe(before.counters.rotations + 1);
    expect(rotated.counters.hitsPrevious).toBe(before.counters.hitsPrevious + 1);
    expect(rotated.tables.find((t) => t.role === 'previous')?.name).toBe(firstTable);
    const inspected = (await new CookieClient(server.url).post('/dashboard/inspect', { id: shopper.sessionId })).json as { tableRole: string };
    expect(inspected.tableRole).toBe('current');

    // Tables are kept for the longest lifetime, the demo's remember-me of three periods: two periods more.
    for (let i = 0; i < 2; i += 1) {
      clock.advance(PERIOD_MS);
      await store.maintain();
      const kept = await figures();
      expect(kept.counters.tablesDeleted).toBe(before.counters.tablesDeleted);
      expect(kept.tables.find((t) => t.name === firstTable)?.role).toBe('kept');
      expect((await shopper.view()).body).toContain('Teapot');
      await store.flush();
    }

    clock.advance(PERIOD_MS);
    await store.maintain();
    const dropped = await figures();
    expect(dropped.counters.tablesDeleted).toBe(before.counters.tablesDeleted + 1);
    const deleted = dropped.tables.filter((t) => t.role === 'deleted');
    expect(deleted.map((t) => t.name)).toContain(firstTable);
    expect(dropped.tables.some((t) => t.name === firstTable && t.role !== 'deleted')).toBe(false);
    expect((await shopper.view()).body).toContain('Teapot'); // still alive, one table forward
  });
});

describe('npm start (demo/main.ts, through the built package)', () => {
  it('starts the embedded server, prints the URL, serves the shop and stops cleanly on SIGTERM', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', 'demo/main.ts'], {
      cwd: root,
      env: { ...process.env, PORT: '0', DSM_MEMORY: '1', DSM_ROTATION_SECONDS: '5', DSM_ENDPOINT: '', AWS_REGION: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 25_000;
      while (!/Dashboard: +http:\/\/127\.0\.0\.1:\d+\/dashboard/.test(output) && Date.now() < deadline && child.exitCode === null) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const url = /Shop: +(http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)?.[1];
      expect(url, output).toBeDefined();
      expect(output).not.toContain('NodeVersionSupportWarning');
      const dynalite = /embedded dynalite at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] as string;
      expect(dynalite).toBeDefined();

      const home = await fetch(url as string);
      expect(home.status).toBe(200);
      expect(await home.text()).toContain('Sign in');
      const metrics = (await (await fetch(`${url}dashboard/metrics.json`)).json()) as DashboardFigures;
      const current = metrics.tables.find((t) => t.role === 'current')?.name as string;
      expect(current).toMatch(/^demo-sessions_\d{8}_\d{6}$/);
      // The demo's tables carry the user index ("Signed in on").
      const client = createTestClient(dynalite);
      try {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: current }));
        expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual([USER_INDEX_NAME]);
      } finally {
        client.destroy();
      }
      expect(metrics.rotation.periodMs).toBe(5000);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await expect(fetch(dynalite)).rejects.toThrow();
    } finally {
      // On a failure, still let the demo stop its dynalite child before forcing it.
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 8000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    }
  }, 45_000);
});

describe('a form that changes the session', () => {
  let gatedStore: DynamoSessionStore;
  let gatedApp: DemoApp;
  let gatedServer: RunningServer;
  let gated: GatedClient;

  beforeAll(async () => {
    gated = createGatedClient(local.endpoint);
    const config = readDemoConfig({ DSM_MEMORY: '1', PORT: '0' });
    const { dynamoEndpoint: _endpoint, ...options } = demoStoreOptions(config, local.endpoint); // the gated client goes there instead
    gatedStore = new DynamoSessionStore({ ...options, client: gated.client, tableBaseName: 'demo-gated', now: clock, maintenanceIntervalSeconds: 0 });
    await gatedStore.ready();
    gatedApp = createDemoApp(gatedStore, { sessionSecret: 'demo gated test secret, long enough', sampleIntervalMs: 50 });
    gatedServer = await serve(gatedApp);
  });

  afterAll(async () => {
    await gatedServer?.close();
    gatedApp?.close();
    await gatedStore?.close();
    gated?.client.destroy();
  });

  it('answers its redirect only once the change is stored (a browser following it at once sees the change)', async () => {
    const shopper = new DemoShopper(gatedServer.url);
    await shopper.signIn('Grace');
    const write = gated.hold((operation) => operation === 'PutItem');
    const events: string[] = [];
    const cookie = [...shopper.client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const body = new URLSearchParams({ item: 'Kettle', _csrf: shopper.csrfToken ?? '' }).toString();
    const answered = new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${gatedServer.url}/cart/add`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' } }, (response) => {
        events.push('response headers');
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end(body);
    });
    await write.entered;
    // The write is held: express-session would have sent the 303's headers already (and a browser
    // followed it to a page without the change). Give the server every chance to answer early.
    await new Promise<void>((resolve) => setImmediate(resolve));
    await shopper.client.get('/static/favicon.svg'); // a round trip through the same server
    events.push('write released');
    write.release();
    expect(await answered).toBe(303);
    expect(events).toEqual(['write released', 'response headers']);
    expect((await shopper.view()).body).toContain('Kettle');
  });
});
