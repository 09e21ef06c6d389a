import { DeleteTableCommand, DescribeTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DynamoSessionStore, type DynamoSessionStoreOptions } from '../../src/index.js';
import { createTestClient, dropTablesWithPrefix, testEndpoint, uniqueBaseName, waitUntilTableGone } from '../support/dynamo.js';
import { createTestApp } from '../support/express-app.js';
import { expressUnderTest } from '../support/express-under-test.js';
import { startFaultProxy, type Fault, type FaultProxy } from '../support/fault-proxy.js';
import { CookieClient, serve } from '../support/http.js';
import { createManualClock } from '../support/manual-clock.js';
import { timed } from '../support/timing.js';

const admin = createTestClient();
const cleanups: (() => Promise<void>)[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
let proxy: FaultProxy;

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  proxy = await startFaultProxy(testEndpoint());
});
afterEach(async () => {
  proxy.clearFault();
  await proxy.resumeListening().catch(() => undefined);
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  expect(unhandled).toEqual([]);
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await proxy.close();
  admin.destroy();
});

async function start(options: DynamoSessionStoreOptions = {}) {
  const base = uniqueBaseName('fault');
  const connection = options.client === undefined ? { dynamoEndpoint: proxy.endpoint } : {};
  const store = new DynamoSessionStore({ ...connection, tableBaseName: base, maintenanceIntervalSeconds: 0, ...options });
  await store.ready();
  const server = await serve(createTestApp(expressUnderTest(), store));
  cleanups.push(async () => {
    await server.close();
    await store.close();
    await dropTablesWithPrefix(admin, base);
  });
  const browser = new CookieClient(server.url);
  await browser.post('/set', { key: 'user', value: 'ada' });
  return { store, browser, base };
}

const faults: [string, Fault | 'down'][] = [
  ['unreachable (connection refused)', 'down'],
  ['resetting connections', { kind: 'refuse' }],
  ['hanging', { kind: 'hang' }],
  ['throttling', { kind: 'throttle' }],
  ['answering 500', { kind: 'error500' }],
];

function inject(fault: Fault | 'down'): Promise<void> {
  if (fault === 'down') return proxy.stopListening();
  proxy.setFault(fault);
  return Promise.resolve();
}

describe.each(['direct', 'sdk'] as const)('backend faults, %s transport', (transport) => {
  it.each(faults)('with DynamoDB %s, a request gets a 5xx within the deadline, and recovers with nothing lost', async (_label, fault) => {
    const { browser, store } = await start({ transport, requestTimeoutMs: 300, operationTimeoutMs: 1000 });
    expect(store.core.transport).toBe(transport);
    await inject(fault);
    const { value: failed, ms } = await timed(browser.get('/count'));
    expect(failed.status).toBe(500);
    expect((failed.json as { code: string }).code).toMatch(/^backend\./);
    expect(ms).toBeLessThan(2500);
    proxy.clearFault();
    await proxy.resumeListening();
    const after = await browser.get('/peek');
    expect(after.status).toBe(200);
    expect(after.json).toMatchObject({ session: { user: 'ada' } });
    expect(store.metrics().counters['session.load.error'].total).toBeGreaterThanOrEqual(1);
  });

  it("with onBackendError 'anonymous', the request goes on with a fresh unsaved session and keeps its cookie", async () => {
    const { browser, store } = await start({ transport, onBackendError: 'anonymous', requestTimeoutMs: 300, operationTimeoutMs: 1000 });
    const cookie = browser.cookies.get('connect.sid');
    proxy.setFault({ kind: 'error500' });
    const degraded = await browser.get('/count');
    expect(degraded.status).toBe(200);
    expect(degraded.json).toEqual({ views: 1 });
    expect(degraded.setCookie).toEqual([]);
    expect(browser.cookies.get('connect.sid')).toBe(cookie);
    proxy.clearFault();
    expect((await browser.get('/peek')).json).toMatchObject({ session: { user: 'ada' } });
    expect(store.metrics().counters['session.degraded'].total).toBeGreaterThanOrEqual(1);
  });

  it('counts throttled calls and retries them with backoff', async () => {
    const { browser, store } = await start({ transport, requestTimeoutMs: 500, operationTimeoutMs: 3000, maxRetries: 3 });
    proxy.setFault({ kind: 'throttle' }, { times: 2, operations: ['GetItem'] });
    const res = await browser.get('/peek');
    expect(res.status).toBe(200);
    expect(store.metrics().counters['dynamodb.throttled'].total).toBe(2);
    expect(store.metrics().counters['dynamodb.retry'].total).toBe(2);
  });

  it('holds the deadline on a client the caller built, with its own retries and no timeouts', async () => {
    const client = new DynamoDBClient({ endpoint: proxy.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    cleanups.push(async () => client.destroy());
    const { store } = await start({ transport, client, operationTimeoutMs: 800, requestTimeoutMs: 400 });
    proxy.setFault({ kind: 'hang' });
    const { value, ms } = await timed(store.get('abcdefgh-0123456789')!.catch((error: unknown) => error));
    expect(value).toMatchObject({ code: 'backend.timeout' });
    expect(ms).toBeLessThan(1500);
  });

  it('answers within 10 seconds with the default deadlines when DynamoDB hangs', async () => {
    const { browser } = await start({ transport });
    proxy.setFault({ kind: 'hang' });
    const { value, ms } = await timed(browser.get('/count'));
    expect(value.status).toBe(500);
    expect(ms).toBeLessThan(10_000);
  }, 20_000);
});

describe('slow deletes', () => {
  it('clears more sessions than one operation deadline has time to delete: each delete has its own', async () => {
    const { store } = await start({ operationTimeoutMs: 300 });
    const sess = { cookie: { originalMaxAge: null, path: '/' }, a: 1 } as never;
    for (let i = 0; i < 12; i += 1) await store.set(`clear-slow-session-${String(i).padStart(4, '0')}`, sess);
    proxy.setFault({ kind: 'delay', ms: 50 }, { operations: ['DeleteItem'] }); // 13 deletes: 650 ms in all
    await store.clear();
    proxy.clearFault();
    await expect(store.length()).resolves.toBe(0);
  });
});

/** Hourly rotation, which the tests of a table going missing at a period boundary name (TTL is the default expiry). */
const HOURLY = { tableRotationSeconds: 3600 } as const;

describe('tables going missing', () => {
  it('treats a previous table deleted by another server as a miss, not an error', async () => {
    const clock = createManualClock(Date.UTC(2026, 10, 24, 10, 50, 0));
    const { store, base } = await start({ ...HOURLY, now: clock });
    await store.set('in-previous-table-01', { cookie: { originalMaxAge: null } } as never);
    clock.advance(20 * 60_000);
    await store.maintain();
    await admin.send(new DeleteTableCommand({ TableName: `${base}_20261124_100000` }));
    await waitUntilTableGone(admin, `${base}_20261124_100000`);
    expect(await store.get('in-previous-table-01')).toBeNull();
    expect(await store.get('in-previous-table-01')).toBeNull();
  });

  it.each([
    ['rotation', { expiry: 'rotation' }],
    ['ttl', { expiry: 'ttl' }],
  ] as const)('recreates a current table deleted under it, and meanwhile answers with an error, never a crash (expiry: %s)', async (_mode, mode) => {
    const { store, browser } = await start({ ...mode, requestTimeoutMs: 300, operationTimeoutMs: 1000 });
    const current = store.tables().find((t) => t.role === 'current')!.name;
    await admin.send(new DeleteTableCommand({ TableName: current }));
    await waitUntilTableGone(admin, current);
    expect((await browser.get('/count')).status).toBe(500);
    await store.maintain();
    // Recreated under the same name, ACTIVE, and still the store's current table.
    expect((await admin.send(new DescribeTableCommand({ TableName: current }))).Table?.TableStatus).toBe('ACTIVE');
    expect(store.tables().find((t) => t.role === 'current')?.name).toBe(current);
    const freshServer = await serve(createTestApp(expressUnderTest(), store));
    cleanups.push(() => freshServer.close());
    const fresh = new CookieClient(freshServer.url);
    expect((await fresh.get('/count')).json).toEqual({ views: 1 });
    // The new session is stored in the recreated table.
    const stored = await admin.send(new GetItemCommand({ TableName: current, Key: { id: { S: fresh.sessionId()! } } }));
    expect(stored.Item).toBeDefined();
  });

  it('keeps writing to the old table while the new period’s table is still CREATING, and finds the session after the switch', async () => {
    const clock = createManualClock(Date.UTC(2026, 10, 24, 10, 50, 0));
    const { store, base } = await start({ ...HOURLY, now: clock });
    clock.set(Date.UTC(2026, 10, 24, 11, 0, 30)); // no maintenance ran since 10:50: the 11:00 table does not exist yet
    await store.set('written-at-boundary', { cookie: { originalMaxAge: null }, n: 1 } as never);
    const old = await admin.send(new GetItemCommand({ TableName: `${base}_20261124_100000`, Key: { id: { S: 'written-at-boundary' } } }));
    expect(old.Item).toBeDefined();
    await store.maintain(); // the request path already kicked it off; this waits for the table to be ACTIVE
    expect(store.tables().find((t) => t.role === 'current')?.name).toBe(`${base}_20261124_110000`);
    expect(await store.get('written-at-boundary')).toMatchObject({ n: 1 });
  });
});
