import { randomBytes } from 'node:crypto';
import { PutItemCommand, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DynamoSessionStore, type DynamoSessionStoreOptions } from '../../src/index.js';
import { createCountingClient, type CountingClient } from '../support/counting-client.js';
import { createTestClient, dropTablesWithPrefix, listTablesWithPrefix, uniqueBaseName } from '../support/dynamo.js';
import { createTestApp } from '../support/express-app.js';
import { expressUnderTest } from '../support/express-under-test.js';
import { CookieClient, serve, type RunningServer } from '../support/http.js';
import { createManualClock, type ManualClock } from '../support/manual-clock.js';

const HOUR = 3_600_000;
const admin = createTestClient();

/**
 * Every test runs in both expiry modes: hourly rotation (the default these tests were written
 * for, when rotation was the default with a period of maxInactiveInterval) and TTL, the default
 * now. `table` names the table a session written at the start clock goes to.
 */
const MODES = [
  { mode: 'rotation', options: { tableRotationSeconds: 3600 }, table: (base: string) => `${base}_20261124_100000` },
  { mode: 'ttl', options: {}, table: (base: string) => base },
] as const;

interface Harness {
  store: DynamoSessionStore;
  counting: CountingClient;
  server: RunningServer;
  clock: ManualClock;
  base: string;
  browser(): CookieClient;
}

const open: Harness[] = [];

async function startStore(options: DynamoSessionStoreOptions, clock = createManualClock(Date.UTC(2026, 10, 24, 10, 0, 0))): Promise<Harness> {
  const counting = createCountingClient();
  const base = options.tableBaseName ?? uniqueBaseName('express');
  const store = new DynamoSessionStore({ client: counting.client, tableBaseName: base, now: clock, maintenanceIntervalSeconds: 0, ...options });
  await store.ready();
  const server = await serve(createTestApp(expressUnderTest(), store));
  const harness = { store, counting, server, clock, base, browser: () => new CookieClient(server.url) };
  open.push(harness);
  return harness;
}

afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.server.close();
    await h.store.close();
    h.counting.client.destroy();
    await dropTablesWithPrefix(admin, h.base);
  }
});
afterAll(() => admin.destroy());

describe('the Express under test', () => {
  it('is the installed major its vitest project names (5 in integration, 4 in integration-express4)', () => {
    const on = expressUnderTest();
    expect(on.version.split('.')[0]).toBe(String(on.major));
    // `app.del` was removed in Express 5: the app really is of that major.
    expect(typeof (on.express() as unknown as Record<string, unknown>)['del']).toBe(on.major === 4 ? 'function' : 'undefined');
  });
});

describe.each(MODES)('DynamoSessionStore through express-session (expiry: $mode)', ({ options: modeOptions, table }) => {
  const start = (options: DynamoSessionStoreOptions = {}): Promise<Harness> => startStore({ ...modeOptions, ...options });

  it('creates the current table on ready and stores a new session with one conditional put', async () => {
    const h = await start();
    const tables = await listTablesWithPrefix(admin, h.base);
    expect(tables).toEqual([table(h.base)]);
    const b = h.browser();
    h.counting.reset();
    expect((await b.get('/count')).json).toEqual({ views: 1 });
    expect(h.counting.counts()).toEqual({ PutItem: 1 });
    expect(b.sessionId()).toBeDefined();
    expect((await b.get('/count')).json).toEqual({ views: 2 });
  });

  it('serves a read-only request with exactly one GetItem and no write', async () => {
    const h = await start();
    const b = h.browser();
    await b.get('/count');
    h.counting.reset();
    for (let i = 0; i < 5; i += 1) expect((await b.get('/peek')).json).toMatchObject({ session: { views: 1 } });
    expect(h.counting.counts()).toEqual({ GetItem: 5 });
  });

  it('refreshes an unchanged session once a tenth of the idle timeout has passed, with a conditional update', async () => {
    const h = await start();
    const b = h.browser();
    await b.get('/count');
    h.clock.advance(HOUR / 10 - 1000);
    h.counting.reset();
    await b.get('/peek');
    expect(h.counting.writes()).toBe(0);
    h.clock.advance(2000);
    await b.get('/peek');
    expect(h.counting.counts()).toEqual({ GetItem: 2, UpdateItem: 1 });
    h.counting.reset();
    await b.get('/peek');
    expect(h.counting.counts()).toEqual({ GetItem: 1 });
  });

  it('stores nested changes and skips equal re-sets', async () => {
    const h = await start();
    const b = h.browser();
    await b.post('/cart/add', { sku: 'apple' });
    await b.post('/cart/add', { sku: 'apple' });
    expect((await b.get('/peek')).json).toMatchObject({ session: { cart: { items: [{ sku: 'apple', qty: 2 }] } } });
    await b.post('/set', { key: 'user', value: { name: 'ada' } });
    h.counting.reset();
    await b.post('/set', { key: 'user', value: { name: 'ada' } });
    expect(h.counting.writes()).toBe(0);
  });

  it('never serves a session idle for longer than maxInactiveInterval', async () => {
    const h = await start({ maxInactiveInterval: 600, touchAfterSeconds: 60 });
    const b = h.browser();
    await b.get('/count');
    h.clock.advance(601_000);
    expect((await b.get('/peek')).json).toMatchObject({ session: {} });
    expect(h.store.metrics().counters['session.load.expired'].total).toBe(1);
  });

  it('treats unknown, malformed and over-long ids as absent without calling DynamoDB', async () => {
    const h = await start();
    h.counting.reset();
    for (const id of ['short', 'a'.repeat(300), 'has space', '']) {
      expect(await h.store.get(id)).toBeNull();
      await h.store.destroy(id);
    }
    expect(await h.store.get(42 as unknown as string)).toBeNull();
    expect(h.counting.counts()).toEqual({});
    expect(await h.store.get('unknown-session-id-0123456789')).toBeNull();
    expect(h.counting.counts()).toEqual({ GetItem: 1 });
    await h.store.touch('unknown-session-id-0123456789', { cookie: { originalMaxAge: null } } as never);
    const scan = await admin.send(new ScanCommand({ TableName: table(h.base) }));
    expect(scan.Count).toBe(0);
  });

  it('treats a corrupt or foreign item as absent and keeps serving', async () => {
    const h = await start();
    const tableName = table(h.base);
    await admin.send(new PutItemCommand({ TableName: tableName, Item: { id: { S: 'corrupt-item-000001' }, data: { B: Buffer.from([1, 0, 0x7b]) }, version: { N: '1' }, lastAccessed: { N: '1' }, expiresAt: { N: '99999999999' } } }));
    await admin.send(new PutItemCommand({ TableName: tableName, Item: { id: { S: 'test_id_probe_item' }, data: { S: 'test' }, lastAccessed: { N: '1' } } }));
    expect(await h.store.get('corrupt-item-000001')).toBeNull();
    expect(await h.store.get('test_id_probe_item')).toBeNull();
    expect(h.store.metrics().counters['session.load.corrupt'].total).toBe(2);
  });

  it('refuses an oversize session with a clear error and leaves the stored one untouched', async () => {
    const h = await start();
    const b = h.browser();
    await b.get('/count');
    const id = b.sessionId()!;
    const before = await admin.send(new GetItemCommand({ TableName: table(h.base), Key: { id: { S: id } } }));
    const random = randomBytes(450_000).toString('base64'); // incompressible: stays over 400 KB deflated
    const res = await b.post('/set', { key: 'huge', value: random });
    expect(res.status).toBe(500);
    expect(res.json).toMatchObject({ code: 'codec.itemTooLarge' });
    const after = await admin.send(new GetItemCommand({ TableName: table(h.base), Key: { id: { S: id } } }));
    expect(after.Item).toEqual(before.Item);
    expect((await b.get('/count')).json).toEqual({ views: 2 });
    const viaCallback = await new Promise((resolve) => {
      void h.store.set(id, { cookie: { originalMaxAge: null }, huge: random } as never, (err) => resolve(err));
    });
    expect(viaCallback).toMatchObject({ code: 'codec.itemTooLarge' });
    expect(h.store.metrics().counters['session.save.too_large'].total).toBe(2);
  });

  it('compresses a large compressible session and reads it back', async () => {
    const h = await start();
    const b = h.browser();
    await b.post('/big', { bytes: 300_000 });
    const item = await admin.send(new GetItemCommand({ TableName: table(h.base), Key: { id: { S: b.sessionId()! } } }));
    expect(item.Item?.data?.B?.byteLength).toBeLessThan(5_000);
    expect(((await b.get('/peek')).json as { session: { blob: string } }).session.blob).toHaveLength(300_000);
  });

  it('destroys a session on logout and never brings it back', async () => {
    const h = await start();
    const b = h.browser();
    await b.get('/count');
    const id = b.sessionId()!;
    await b.post('/logout');
    expect(await h.store.get(id)).toBeNull();
    const fresh = await b.get('/peek');
    expect(fresh.json).toMatchObject({ session: {} });
  });

  it('keeps the caller’s client open on close, and close is idempotent', async () => {
    const h = await start();
    await h.store.close();
    await h.store.close();
    await expect(h.counting.client.send(new ScanCommand({ TableName: table(h.base) }))).resolves.toBeDefined();
    await expect(h.store.get('abcdefgh12345678')).rejects.toMatchObject({ code: 'store.closed' });
  });

  it('answers with a promise when no callback is given, and through the callback otherwise', async () => {
    const h = await start();
    const sess = { cookie: { originalMaxAge: null, path: '/' }, a: 1 } as never;
    await expect(h.store.set('promise-style-id-0001', sess)).resolves.toBeUndefined();
    await expect(h.store.get('promise-style-id-0001')).resolves.toMatchObject({ a: 1 });
    const viaCallback = await new Promise((resolve, reject) => {
      const returned = h.store.get('promise-style-id-0001', (err, value) => (err ? reject(err as Error) : resolve(value)));
      expect(returned).toBeUndefined();
    });
    expect(viaCallback).toMatchObject({ a: 1 });
    await expect(h.store.length()).resolves.toBe(1);
    await expect(h.store.all()).resolves.toHaveProperty('promise-style-id-0001');
    await h.store.clear();
    await expect(h.store.length()).resolves.toBe(0);
    await h.store.clear();
  });

  it('stores one session object saved under another id as a session of its own', async () => {
    const h = await start();
    const sess = { cookie: { originalMaxAge: null, path: '/' }, a: 1 } as never;
    await h.store.set('copied-session-id-0001', sess);
    await h.store.set('copied-session-id-0002', sess); // the object now carries the first id's load context
    await expect(h.store.get('copied-session-id-0002')).resolves.toMatchObject({ a: 1 });
    await expect(h.store.length()).resolves.toBe(2);
  });
});
