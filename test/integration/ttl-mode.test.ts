import { DeleteTableCommand, DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DynamoSessionStore, type DynamoSessionStoreOptions } from '../../src/index.js';
import { createCountingClient, type CountingClient } from '../support/counting-client.js';
import { DYNAMODB_LOCAL_CREDENTIALS, startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local.js';
import { uniqueBaseName } from '../support/dynamo.js';
import { createTestApp } from '../support/express-app.js';
import { expressUnderTest } from '../support/express-under-test.js';
import { CookieClient, serve } from '../support/http.js';
import { createManualClock } from '../support/manual-clock.js';

let local: DynamoDbLocal;
let admin: DynamoDBClient;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  local = await startDynamoDbLocal();
  admin = new DynamoDBClient({ endpoint: local.endpoint, region: 'us-east-1', credentials: DYNAMODB_LOCAL_CREDENTIALS });
}, 60_000);
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  admin.destroy();
  await local.stop();
});

async function start(options: DynamoSessionStoreOptions = {}) {
  const counting: CountingClient = createCountingClient(local.endpoint);
  const clock = createManualClock(Date.now());
  const base = uniqueBaseName('ttl');
  const store = new DynamoSessionStore({ client: counting.client, expiry: 'ttl', tableBaseName: base, now: clock, maintenanceIntervalSeconds: 0, ...options });
  await store.ready();
  const server = await serve(createTestApp(expressUnderTest(), store));
  cleanups.push(async () => {
    await server.close();
    await store.close();
    counting.client.destroy();
  });
  return { store, counting, clock, base, browser: () => new CookieClient(server.url) };
}

describe("expiry: 'ttl' on Amazon DynamoDB Local", () => {
  it('creates one table named after the base and enables TTL on expiresAt', async () => {
    const { base, store } = await start();
    const table = await admin.send(new DescribeTableCommand({ TableName: base }));
    expect(table.Table?.TableStatus).toBe('ACTIVE');
    const ttl = await admin.send(new DescribeTimeToLiveCommand({ TableName: base }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
    expect(store.core.msUntilRotation()).toBeUndefined();
    expect(store.tables()).toEqual([expect.objectContaining({ name: base, role: 'current' })]);
  });

  it('enables TTL again on a table it recreates after the table was deleted under it', async () => {
    const { base, store } = await start();
    await admin.send(new DeleteTableCommand({ TableName: base }));
    // A load meets the missing table, which makes the next maintenance round recreate it.
    await store.core.get('abcdefgh-missing-table').catch(() => undefined);
    await store.core.maintain();
    const table = await admin.send(new DescribeTableCommand({ TableName: base }));
    expect(table.Table?.TableStatus).toBe('ACTIVE');
    const ttl = await admin.send(new DescribeTimeToLiveCommand({ TableName: base }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
  });

  it('stores sessions with expiresAt in epoch seconds and touches lazily: no write until a tenth of the idle timeout has passed', async () => {
    const h = await start({ maxInactiveInterval: 1000 });
    const b = h.browser();
    await b.get('/count');
    const id = b.sessionId()!;
    const item = (await admin.send(new GetItemCommand({ TableName: h.base, Key: { id: { S: id } } }))).Item!;
    expect(Number(item.expiresAt!.N)).toBe(Math.ceil((h.clock() + 1_000_000) / 1000));
    h.counting.reset();
    for (let i = 0; i < 5; i += 1) {
      h.clock.advance(19_000);
      await b.get('/peek');
    }
    expect(h.counting.counts()).toEqual({ GetItem: 5 });
    h.clock.advance(6_000); // 101 s since the last write: over a tenth of 1000 s
    await b.get('/peek');
    expect(h.counting.counts()).toEqual({ GetItem: 6, UpdateItem: 1 });
    const refreshed = (await admin.send(new GetItemCommand({ TableName: h.base, Key: { id: { S: id } } }))).Item!;
    expect(Number(refreshed.expiresAt!.N)).toBe(Math.ceil((h.clock() + 1_000_000) / 1000));
    expect(refreshed.data).toEqual(item.data);
    expect(refreshed.version).toEqual(item.version);
  });

  it('never serves an expired session that DynamoDB has not deleted yet', async () => {
    const h = await start({ maxInactiveInterval: 60 });
    const b = h.browser();
    await b.get('/count');
    const id = b.sessionId()!;
    h.clock.advance(61_000);
    expect((await b.get('/peek')).json).toMatchObject({ session: {} });
    const stillThere = await admin.send(new GetItemCommand({ TableName: h.base, Key: { id: { S: id } } }));
    expect(stillThere.Item).toBeDefined();
    expect(h.store.metrics().counters['session.load.expired'].total).toBe(1);
  });

  it('refreshes only the expiry, and only while the session exists', async () => {
    const h = await start({ maxInactiveInterval: 100 });
    const b = h.browser();
    await b.get('/count');
    const id = b.sessionId()!;
    const loaded = await h.store.get(id);
    await h.store.destroy(id);
    h.clock.advance(50_000);
    await h.store.touch(id, loaded!);
    const item = (await admin.send(new GetItemCommand({ TableName: h.base, Key: { id: { S: id } } }))).Item;
    expect(item?.deletedAt).toBeDefined(); // the tombstone, untouched by the refresh
    expect(item?.data).toBeUndefined();
    expect(await h.store.get(id)).toBeNull();
  });

  it('keeps parallel changes and destroys with a single tombstone', async () => {
    const h = await start();
    const b = h.browser();
    await b.get('/count');
    await Promise.all(Array.from({ length: 10 }, (_, i) => b.post('/set', { key: `k${i}`, value: i })));
    const session = ((await b.get('/peek')).json as { session: Record<string, number> }).session;
    for (let i = 0; i < 10; i += 1) expect(session[`k${i}`]).toBe(i);
    h.counting.reset();
    await b.post('/logout');
    expect(h.counting.counts()).toMatchObject({ PutItem: 1 });
    expect(h.counting.counts().DeleteItem).toBeUndefined();
  });
});
