import { GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoSessionStore } from '../../src/index.js';
import { createTestClient, dropTablesWithPrefix, testEndpoint, uniqueBaseName } from '../support/dynamo.js';
import { createTestApp } from '../support/express-app.js';
import { expressUnderTest } from '../support/express-under-test.js';
import { CookieClient, serve, type RunningServer } from '../support/http.js';

const admin = createTestClient();
const base = uniqueBaseName('hostile');
let store: DynamoSessionStore;
let server: RunningServer;
let victim: CookieClient;
let victimId: string;
let table: string;

beforeAll(async () => {
  store = new DynamoSessionStore({ dynamoEndpoint: testEndpoint(), tableBaseName: base, maintenanceIntervalSeconds: 0 });
  await store.ready();
  server = await serve(createTestApp(expressUnderTest(), store));
  victim = new CookieClient(server.url);
  await victim.post('/set', { key: 'secret', value: 'victim data' });
  victimId = victim.sessionId()!;
  table = store.tables().find((t) => t.role === 'current')!.name;
});

afterAll(async () => {
  await server.close();
  await store.close();
  await dropTablesWithPrefix(admin, base);
  admin.destroy();
});

const victimItem = async () => (await admin.send(new GetItemCommand({ TableName: table, Key: { id: { S: victimId } }, ConsistentRead: true }))).Item;

/** Cookie values an attacker might send for connect.sid. */
const cookieValue = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.stringMatching(/^s%3A[A-Za-z0-9_-]{0,40}\.[A-Za-z0-9+/]{0,43}$/),
  fc.constantFrom('s%3Atest_id.abc', '%E0%A4%A', '%00%00', 'a'.repeat(5000), 's:' + 'x'.repeat(3000), '__proto__', 'constructor'),
);

const key = fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,20}$/).filter((k) => k !== 'cookie' && k !== 'constructor');

describe('hostile input', () => {
  it('survives thousands of random cookies, headers and payloads: no 5xx, no item under a foreign id, no stored session changed', async () => {
    const before = await victimItem();
    const issued = new Set<string>([victimId]);
    const statuses = new Map<number, number>();
    const requests = fc.sample(
      fc.record({
        cookie: cookieValue,
        path: fc.constantFrom('/peek', '/count', '/set', '/logout', '/static/app.css', '/cart/add'),
        header: fc.tuple(fc.stringMatching(/^x-[a-z-]{1,20}$/), fc.string({ maxLength: 50 }).map((v) => v.replace(/[^\x20-\x7e]/g, ''))),
        body: fc.record({ key, value: fc.jsonValue({ maxDepth: 3 }), sku: fc.string({ maxLength: 30 }) }),
      }),
      { numRuns: 2000, seed: 20261124 },
    );
    let index = 0;
    const worker = async () => {
      while (index < requests.length) {
        const r = requests[index++]!;
        const client = new CookieClient(server.url);
        const cookieHeader = `connect.sid=${r.cookie.replace(/[;\r\n]/g, '')}`;
        let res;
        try {
          res = await client.request(r.path, {
            method: r.path === '/peek' || r.path === '/count' || r.path.startsWith('/static') ? 'GET' : 'POST',
            headers: { cookie: cookieHeader, [r.header[0]]: r.header[1], 'content-type': 'application/json' },
            ...(r.path === '/peek' || r.path === '/count' || r.path.startsWith('/static') ? {} : { body: JSON.stringify(r.body) }),
          });
        } catch (error) {
          if (error instanceof TypeError && /header|cookie|ByteString/i.test(String(error.message) + String((error as { cause?: unknown }).cause))) continue; // fetch itself refused the header
          throw error;
        }
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(res.status, `${r.path} with cookie ${JSON.stringify(r.cookie).slice(0, 60)}`).toBeLessThan(500);
        const id = client.sessionId();
        if (id !== undefined) issued.add(id);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(1500);

    const scan = await admin.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
    for (const item of scan.Items ?? []) expect(issued.has(item.id!.S!)).toBe(true);
    expect(await victimItem()).toEqual(before);
    expect((await victim.get('/peek')).json).toMatchObject({ session: { secret: 'victim data' } });
  }, 120_000);

  it('handles random ids given to the store directly without calls, throws or stray items', async () => {
    const before = (await admin.send(new ScanCommand({ TableName: table, Select: 'COUNT' }))).Count;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 300 }), fc.anything()), async (id) => {
        expect(await store.get(id as string)).toBeNull();
        await store.destroy(id as string);
        await store.touch(id as string, { cookie: { originalMaxAge: null } } as never);
      }),
      { numRuns: 300 },
    );
    expect((await admin.send(new ScanCommand({ TableName: table, Select: 'COUNT' }))).Count).toBe(before);
  });
});
