import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoSessionStore, METRIC } from 'dynamo-session-manager';
import { startLocalDynamo, type LocalDynamo } from 'dynamo-session-manager/local';
import { createDemoApp, type DemoApp } from '../../demo/app.js';
import { demoStoreOptions, readDemoConfig } from '../../demo/config.js';
import { DemoShopper, launchChromium } from '../support/browser.js';
import { serve, type RunningServer } from '../support/http.js';

/** Short periods, so the test sees tables rotate and get dropped within seconds. */
const ROTATION_SECONDS = 3;
/** `DSM_UPDATE_SCREENSHOT=1` refreshes docs/dashboard.png; otherwise screenshots go to a temporary folder. */
const UPDATE_DOCS = process.env.DSM_UPDATE_SCREENSHOT === '1';
const TMP_SHOT_DIR = join(tmpdir(), 'dsm-dashboard-shots');
const SHOT_DIR = UPDATE_DOCS ? fileURLToPath(new URL('../../docs/', import.meta.url)) : TMP_SHOT_DIR;
const COOKIE_NAME = 'dsm-demo.sid';
const ITEMS = ['Teapot', 'Wool socks', 'Umbrella', 'Notebook', 'Coffee beans', 'Lamp', 'Kettle', 'Scarf'];

let local: LocalDynamo | undefined;
let store: DynamoSessionStore | undefined;
let app: DemoApp | undefined;
let server: RunningServer | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  local = await startLocalDynamo();
  const config = readDemoConfig({ DSM_ROTATION_SECONDS: String(ROTATION_SECONDS), DSM_MEMORY: '1' });
  store = new DynamoSessionStore(demoStoreOptions(config, local.endpoint)); // this file's own dynalite: the demo's table names
  await store.ready();
  app = createDemoApp(store, { sessionSecret: 'browser test secret, long enough', sampleIntervalMs: 250, refreshMs: 500 });
  server = await serve(app);
  browser = await launchChromium();
});

afterAll(async () => {
  // Every step runs even when one fails.
  await browser?.close().catch(() => undefined);
  await server?.close().catch(() => undefined);
  app?.close();
  await store?.close().catch(() => undefined);
  await local?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A number the dashboard shows, such as `1,024`. */
async function shown(page: Page, id: string): Promise<number> {
  return Number((await page.locator(`#${id}`).innerText()).replace(/[^\d.]/g, '') || 'NaN');
}

/** Clicks a form button and waits for the page the form leads to. */
async function submit(page: Page, button: Locator): Promise<void> {
  await Promise.all([page.waitForEvent('load'), button.click()]);
}

/**
 * Background traffic while the test watches the dashboard: a few shoppers adding, removing and
 * browsing (static files included), and a reader that keeps the browser's own session alive
 * across rotations. `stop()` ends it and reports the first failure.
 */
function startTraffic(baseUrl: string, browserSessionCookie: string): { stop(): Promise<void> } {
  let running = true;
  const keeper = new DemoShopper(baseUrl, COOKIE_NAME);
  keeper.client.cookies.set(COOKIE_NAME, browserSessionCookie);
  const loops: Promise<void>[] = [
    (async () => {
      while (running) {
        await keeper.view();
        await sleep(600);
      }
    })(),
    ...['Lin', 'Grace', 'Edsger'].map(async (name, n) => {
      const shopper = new DemoShopper(baseUrl, COOKIE_NAME);
      await shopper.signIn(name);
      for (let i = 0; running; i += 1) {
        await shopper.view();
        if ((i + n) % 2 === 0) await shopper.add(ITEMS[(i * (n + 1)) % ITEMS.length] as string);
        if ((i + n) % 5 === 4) await shopper.remove(ITEMS[((i - 1) * (n + 1)) % ITEMS.length] as string);
        await shopper.client.get('/static/demo.css');
        await sleep(250 + 200 * n);
      }
    }),
  ];
  return {
    async stop() {
      running = false;
      const failed = (await Promise.allSettled(loops)).find((result) => result.status === 'rejected');
      if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
    },
  };
}

describe('the demo in chromium', () => {
  it('signs in, fills a cart, and sees the dashboard count, rotate tables and mask secrets', async () => {
    const url = (server as RunningServer).url;
    const context = await (browser as Browser).newContext({ viewport: { width: 1280, height: 900 } });
    const shop = await context.newPage();
    // Script errors, and console errors such as a Content-Security-Policy refusal, fail the test.
    const pageErrors: string[] = [];
    const watch = (page: Page): void => {
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') pageErrors.push(message.text());
      });
    };
    watch(shop);

    // Sign in and fill the cart, as a user would.
    await shop.goto(url);
    await shop.getByLabel('Your name').fill('Ada');
    await submit(shop, shop.getByRole('button', { name: 'Sign in' }));
    expect(await shop.getByRole('heading', { level: 1 }).innerText()).toBe('Hello, Ada');
    for (const item of ['Teapot', 'Teapot', 'Umbrella']) await submit(shop, shop.getByRole('button', { name: `+ ${item}` }));
    await submit(shop, shop.getByRole('button', { name: 'Remove one Teapot' }));
    await shop.getByLabel('Another item').fill('Tea <cosy>');
    await submit(shop, shop.getByRole('button', { name: 'Add', exact: true }));
    expect(await shop.locator('.cart-line').allInnerTexts()).toEqual([
      expect.stringMatching(/^Teapot\s+× 1/),
      expect.stringMatching(/^Umbrella\s+× 1/),
      expect.stringMatching(/^Tea <cosy>\s+× 1/),
    ]);

    // The dashboard fills itself in and follows what the shop does, without a reload.
    const dash = await context.newPage();
    watch(dash);
    await dash.goto(`${url}/dashboard`);
    await dash.locator('#status-text[data-state="live"]').waitFor();
    const saves = await shown(dash, 'c-saves');
    expect(saves).toBeGreaterThanOrEqual(6); // sign-in, three adds, a removal, a typed item
    expect(await shown(dash, 'c-hitsCurrent')).toBeGreaterThanOrEqual(5);
    await submit(shop, shop.getByRole('button', { name: '+ Notebook' }));
    await expect.poll(() => shown(dash, 'c-saves'), { timeout: 5000 }).toBeGreaterThan(saves);
    await expect.poll(() => shown(dash, 'c-requests'), { timeout: 5000 }).toBeGreaterThan(0);

    // Tables rotate: the first current table becomes previous, then is dropped, on the page.
    const firstCurrent = await dash.locator('.tl-current .tl-name').innerText();
    expect(firstCurrent).toMatch(/^demo-sessions_\d{8}_\d{6}$/);
    const cookie = (await context.cookies()).find((c) => c.name === COOKIE_NAME)?.value as string;
    const traffic = startTraffic(url, cookie);
    try {
      await expect.poll(() => dash.locator('#rotations').innerText(), { timeout: 10_000 }).toMatch(/^[1-9]\d* rotations?$/);
      await expect.poll(() => dash.locator('.tl-deleted .tl-name').allInnerTexts(), { timeout: 15_000 }).toContain(firstCurrent);
      await expect.poll(() => shown(dash, 'c-hitsPrevious'), { timeout: 10_000 }).toBeGreaterThan(0);
      if (UPDATE_DOCS) await sleep(12_000); // a fuller chart for the README
    } finally {
      await traffic.stop();
    }
    const metrics = (store as DynamoSessionStore).metrics();
    expect(metrics.counters[METRIC.tableRotation].total).toBeGreaterThanOrEqual(2);
    expect(metrics.counters[METRIC.tableDeleted].total).toBeGreaterThanOrEqual(1);
    expect(await dash.locator('.tl-current .tl-name').innerText()).not.toBe(firstCurrent);
    expect(await dash.locator('.rotation-line').count()).toBeGreaterThan(0);
    expect(await dash.locator('#why-dropped').innerText()).toMatch(/^[1-9]\d* tables?$/);

    // The browser's session moved forward with the tables: the cart is still there.
    await shop.reload();
    expect(await shop.locator('.cart-item').allInnerTexts()).toEqual(['Teapot', 'Umbrella', 'Tea <cosy>', 'Notebook']);

    // The inspector shows the session with its secrets masked.
    await dash.locator('#recent-list button[data-prefix]', { hasText: 'Ada' }).click();
    await dash.locator('#inspect-result pre').waitFor();
    const inspected = await dash.locator('#inspect-result pre').innerText();
    expect(inspected).toContain('"csrfToken": "[masked]"');
    expect(inspected).toContain('"paymentCardLast4": "[masked]"');
    expect(inspected).toContain('"name": "Ada"');
    expect(inspected).toContain('"item": "Tea <cosy>"');
    expect(await dash.locator('#inspect-result dl').innerText()).toMatch(/demo-sessions_\d{8}_\d{6} \((current|previous)\)/);

    // The inspector looks up the user: Ada's one session, on this browser, its id shortened.
    await dash.locator('#recent-list button.user-button', { hasText: 'Ada' }).click();
    const row = dash.locator('#user-sessions tbody tr');
    await expect.poll(() => row.count(), { timeout: 5000 }).toBe(1);
    const sessionId = decodeURIComponent(cookie).slice(2, decodeURIComponent(cookie).lastIndexOf('.'));
    expect(await row.first().getAttribute('data-prefix')).toBe(sessionId.slice(0, 8));
    expect(await row.first().innerText()).toMatch(new RegExp(`^${sessionId.slice(0, 8)}…\\s+Headless Chrome on Linux · from 127\\.0\\.0\\.1\\s+\\d`));
    expect(await dash.locator('#user-result h3').innerText()).toBe('Ada: 1 live session');
    expect(await dash.locator('#user-result').innerText()).not.toContain(sessionId);

    await mkdir(SHOT_DIR, { recursive: true });
    await dash.locator('#inspect-result').scrollIntoViewIfNeeded();
    await dash.screenshot({ path: join(SHOT_DIR, 'dashboard.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 90_000);

  it('signs in as the same user in two browsers, lists both under "Signed in on", and signs the other one out', async () => {
    const url = (server as RunningServer).url;
    const pageErrors: string[] = [];
    const open = async (userAgent: string): Promise<{ context: BrowserContext; page: Page }> => {
      const context = await (browser as Browser).newContext({ viewport: { width: 1024, height: 900 }, userAgent });
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(url);
      await page.getByLabel('Your name').fill('Grace Hopper');
      await submit(page, page.getByRole('button', { name: 'Sign in' }));
      return { context, page };
    };
    const laptop = await open('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0');
    const phone = await open('Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1');
    try {
      await laptop.page.reload();
      const devices = laptop.page.locator('.signed-in-on li');
      expect(await devices.allInnerTexts()).toEqual([
        expect.stringMatching(/^Firefox on Linux\s+this device\s+from 127\.0\.0\.1 · signed in \d\d:\d\d:\d\d UTC · last seen /),
        expect.stringMatching(/^Safari on iOS\s+from 127\.0\.0\.1 · signed in /),
      ]);

      // The dashboard finds both sessions of the user.
      const dash = await laptop.context.newPage();
      await dash.goto(`${url}/dashboard`);
      await dash.getByLabel('User id (the name signed in at the shop)').fill('Grace Hopper');
      await dash.getByRole('button', { name: 'Look up' }).click();
      await expect.poll(() => dash.locator('#user-sessions tbody tr').count(), { timeout: 5000 }).toBe(2);
      expect((await dash.locator('#user-sessions tbody tr td:nth-child(2)').allInnerTexts()).sort()).toEqual(['Firefox on Linux · from 127.0.0.1', 'Safari on iOS · from 127.0.0.1']);

      await mkdir(TMP_SHOT_DIR, { recursive: true });
      await laptop.page.screenshot({ path: join(TMP_SHOT_DIR, 'shop-devices.png'), fullPage: true });
      await dash.locator('#user-result').scrollIntoViewIfNeeded();
      await dash.screenshot({ path: join(TMP_SHOT_DIR, 'dashboard-user.png') });
      await submit(laptop.page, laptop.page.getByRole('button', { name: 'Sign out other devices' }));
      expect(await laptop.page.getByRole('status').innerText()).toBe('Signed out 1 other device.');
      expect(await devices.count()).toBe(1);
      await phone.page.reload();
      expect(await phone.page.getByRole('heading', { level: 1 }).innerText()).toBe('Sign in');

      await dash.getByRole('button', { name: 'Look up' }).click();
      await expect.poll(() => dash.locator('#user-sessions tbody tr').count(), { timeout: 5000 }).toBe(1);
      expect(pageErrors).toEqual([]);
    } finally {
      await laptop.context.close();
      await phone.context.close();
    }
  }, 30_000);

  it('fits a phone-sized screen without sideways scrolling', async () => {
    const url = (server as RunningServer).url;
    const context = await (browser as Browser).newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
    const page = await context.newPage();
    for (const path of ['/', '/dashboard']) {
      await page.goto(`${url}${path}`);
      if (path === '/dashboard') await page.locator('#status-text[data-state="live"]').waitFor();
      // A string, evaluated in the page (the tests' type-check has no DOM types).
      const widths = (await page.evaluate('({ scroll: document.documentElement.scrollWidth, view: window.innerWidth })')) as { scroll: number; view: number };
      expect(widths.scroll, path).toBeLessThanOrEqual(widths.view);
    }
    await mkdir(TMP_SHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(TMP_SHOT_DIR, 'dashboard-phone.png'), fullPage: true });
    await context.close();
  }, 30_000);
});
