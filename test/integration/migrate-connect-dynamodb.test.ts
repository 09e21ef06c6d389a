// Switching from connect-dynamodb without signing anyone out (migrateFrom, docs/migration.md):
// the real connect-dynamodb package writes the sessions, the same Express app restarted on this
// store serves them, and the races of a take-over (two servers, a logout) are replayed
// deterministically by holding one request at a gate.
import { createHmac, randomBytes } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, GetItemCommand, PutItemCommand, waitUntilTableExists, type AttributeValue } from '@aws-sdk/client-dynamodb';
import connectDynamoDb from 'connect-dynamodb';
import express, { type ErrorRequestHandler } from 'express';
import session, { type Store } from 'express-session';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { SessionRecord } from '../../src/codec/codec.js';
import { DynamoSessionStore, SessionStore, sessionTracker, type DynamoSessionStoreOptions } from '../../src/index.js';
import { createTestClient, dropTablesWithPrefix, testEndpoint, uniqueBaseName } from '../support/dynamo.js';
import { createCountingClient } from '../support/counting-client.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import { createGatedClient } from '../support/gated-client.js';
import { CookieClient, serve, type RunningServer } from '../support/http.js';

declare module 'express-session' {
  interface SessionData {
    user?: string;
  }
}

const SECRET = 'the same cookie secret before and after the switch';
const USERS = 50;
const admin = createTestClient();
const cleanups: (() => Promise<void>)[] = [];
const DynamoDBStore = connectDynamoDb(session);

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => admin.destroy());

/**
 * A legacy table, created as connect-dynamodb creates it (hash key `id`, 5/5 provisioned) and
 * ACTIVE, and a base name for this store's tables; both dropped after the test.
 */
async function names(label: string): Promise<{ legacyTable: string; base: string }> {
  const legacyTable = uniqueBaseName(`cd-${label}`);
  const base = uniqueBaseName(`mig-${label}`);
  cleanups.push(async () => {
    await admin.send(new DeleteTableCommand({ TableName: legacyTable })).catch(() => undefined);
    await dropTablesWithPrefix(admin, base);
  });
  await admin.send(
    new CreateTableCommand({
      TableName: legacyTable,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
    }),
  );
  await waitUntilTableExists({ client: admin, maxWaitTime: 10, minDelay: 0.02, maxDelay: 0.1 }, { TableName: legacyTable });
  return { legacyTable, base };
}

/** connect-dynamodb 3.x as its README sets it up, on the test server. */
function legacyStore(table: string): Store {
  return new DynamoDBStore({ table, client: createTestClient() }) as unknown as Store;
}

/** The app: the same code before and after the switch, only the store differs. */
function loginApp(store: Store): express.Express {
  const app = express();
  if (store instanceof DynamoSessionStore) app.use(sessionTracker(store));
  app.use(session({ store, secret: SECRET, resave: false, saveUninitialized: false, cookie: { maxAge: 3_600_000 } }));
  app.post('/login', (req, res) => {
    req.session.user = String(req.query.user);
    res.json({ ok: true });
  });
  app.get('/me', (req, res) => {
    res.json({ user: req.session.user ?? null });
  });
  app.post('/logout', (req, res, next) => {
    req.session.destroy((err) => (err ? next(err) : res.json({ ok: true })));
  });
  const onError: ErrorRequestHandler = (err: { code?: string }, _req, res, _next) => {
    res.status(500).json({ code: err.code ?? 'unknown' });
  };
  app.use(onError);
  return app;
}

async function start(app: express.Express): Promise<RunningServer> {
  const server = await serve(app);
  cleanups.push(() => server.close());
  return server;
}

/** Options of this store on the test server (or on `extra.client`), taking sessions over from `legacyTable`. */
function storeOptions(base: string, legacyTable: string, extra: DynamoSessionStoreOptions = {}): DynamoSessionStoreOptions {
  return {
    ...(extra.client === undefined ? { dynamoEndpoint: testEndpoint() } : {}),
    tableBaseName: base,
    maintenanceIntervalSeconds: 0,
    migrateFrom: { connectDynamodb: { table: legacyTable } },
    ...extra,
  };
}

/** This store on `base`, taking sessions over from `legacyTable`, ready. */
async function newStore(base: string, legacyTable: string, extra: DynamoSessionStoreOptions = {}): Promise<DynamoSessionStore> {
  const store = new DynamoSessionStore(storeOptions(base, legacyTable, extra));
  cleanups.push(() => store.close());
  await store.ready();
  return store;
}

/** The core store alone (for races), ready. */
async function newCore(base: string, legacyTable: string, extra: DynamoSessionStoreOptions = {}): Promise<SessionStore> {
  const store = new SessionStore(storeOptions(base, legacyTable, { requestTimeoutMs: 10_000, operationTimeoutMs: 20_000, ...extra }));
  cleanups.push(() => store.close());
  await store.ready();
  return store;
}

/** Signs `users` in on the connect-dynamodb app; returns each browser with its user name. */
async function signInOnConnectDynamodb(legacyTable: string, users: number): Promise<{ client: CookieClient; user: string }[]> {
  const server = await start(loginApp(legacyStore(legacyTable)));
  const browsers = Array.from({ length: users }, (_, i) => ({ client: new CookieClient(server.url), user: `user-${i}` }));
  for (const { client, user } of browsers) {
    expect((await client.post(`/login?user=${user}`)).status).toBe(200);
    expect((await client.get('/me')).json).toEqual({ user });
  }
  await server.close();
  return browsers.map(({ client, user }) => ({ client, user }));
}

/** Points each browser at another server, keeping its cookies. */
function moveBrowsers(browsers: { client: CookieClient; user: string }[], url: string): { client: CookieClient; user: string }[] {
  return browsers.map(({ client, user }) => {
    const moved = new CookieClient(url);
    for (const [name, value] of client.cookies) moved.cookies.set(name, value);
    return { client: moved, user };
  });
}

async function legacyItem(table: string, id: string): Promise<Record<string, AttributeValue> | undefined> {
  return (await admin.send(new GetItemCommand({ TableName: table, Key: { id: { S: `sess:${id}` } }, ConsistentRead: true }))).Item;
}

/** What this store holds for `id` in `table`: live, fenced, tombstone or nothing. */
async function storedKind(table: string, id: string): Promise<'live' | 'fenced' | 'tombstone' | 'none'> {
  const item = (await admin.send(new GetItemCommand({ TableName: table, Key: { id: { S: id } }, ConsistentRead: true }))).Item;
  if (item === undefined) return 'none';
  if (item.data === undefined) return 'tombstone';
  return item.movedTo === undefined ? 'live' : 'fenced';
}

/** A legacy session written by connect-dynamodb itself, through its own `set`. */
async function legacySet(table: string, id: string, sess: Record<string, unknown>): Promise<void> {
  const store = legacyStore(table) as unknown as { set(id: string, sess: unknown, cb: (err?: unknown) => void): void };
  await new Promise<void>((resolve, reject) => store.set(id, sess, (err) => (err ? reject(err as Error) : resolve())));
}

/** A counter's total in a store's metrics. */
function count(store: { metrics(): { counters: Record<string, { total: number } | undefined> } }, name: string): number {
  return store.metrics().counters[name]?.total ?? 0;
}

const newId = (): string => randomBytes(24).toString('base64url');
const hourCookie = (): Record<string, unknown> => ({ originalMaxAge: 3_600_000, maxAge: 3_600_000, expires: new Date(Date.now() + 3_600_000).toISOString(), httpOnly: true, path: '/' });

/** express-session's signed cookie value for `id` (cookie-signature's scheme). */
function signedCookie(id: string): string {
  const signature = createHmac('sha256', SECRET).update(id).digest('base64').replace(/=+$/, '');
  return encodeURIComponent(`s:${id}.${signature}`);
}

describe('switching an Express app from connect-dynamodb', () => {
  it(`keeps all ${USERS} users signed in, moves each session here on its first request, and then needs connect-dynamodb no more`, { timeout: 90_000 }, async () => {
    const { legacyTable, base } = await names('fifty');
    const signedIn = await signInOnConnectDynamodb(legacyTable, USERS);

    const store = await newStore(base, legacyTable);
    const server = await start(loginApp(store));
    const browsers = moveBrowsers(signedIn, server.url);
    const answers = await Promise.all(browsers.map(({ client }) => client.get('/me')));
    expect(answers.map((a) => a.status)).toEqual(browsers.map(() => 200));
    expect(answers.map((a) => a.json)).toEqual(browsers.map(({ user }) => ({ user })));
    await store.flush(); // the moves of unchanged sessions run after the response
    expect(count(store, 'session.migrate.hit')).toBe(USERS);
    expect(count(store, 'session.move.fence')).toBe(USERS);

    // Every session now lives here (live copy in the current table), its legacy copy fenced.
    const current = store.tables().find((t) => t.role === 'current')!.name;
    for (const { client } of browsers) {
      const id = client.sessionId()!;
      expect(await storedKind(current, id)).toBe('live');
      expect((await legacyItem(legacyTable, id))?.dsmMovedTo?.S).toBe(current);
    }

    // With the option off (the documented last step), everyone is still signed in.
    await server.close();
    const after = new DynamoSessionStore({ dynamoEndpoint: testEndpoint(), tableBaseName: base, maintenanceIntervalSeconds: 0 });
    cleanups.push(() => after.close());
    await after.ready();
    const plain = await start(loginApp(after));
    const again = await Promise.all(moveBrowsers(browsers, plain.url).map(({ client }) => client.get('/me')));
    expect(again.map((a) => a.json)).toEqual(browsers.map(({ user }) => ({ user })));
  });

  it('a logout after the switch sticks: on this server, on a fresh one, and on a connect-dynamodb server still running', async () => {
    const { legacyTable, base } = await names('logout');
    const [alice, bob] = await signInOnConnectDynamodb(legacyTable, 2);
    const store = await newStore(base, legacyTable);
    const server = await start(loginApp(store));
    const [a, b] = moveBrowsers([alice!, bob!], server.url);

    // Alice is served once (her session moves here), then logs out.
    expect((await a!.client.get('/me')).json).toEqual({ user: 'user-0' });
    await store.flush();
    const aliceId = a!.client.sessionId()!;
    expect((await a!.client.post('/logout')).status).toBe(200);
    // Bob's first request after the switch is his logout.
    const bobId = b!.client.sessionId()!;
    expect((await b!.client.post('/logout')).status).toBe(200);
    await store.flush();

    for (const [browser, id] of [[a!, aliceId], [b!, bobId]] as const) {
      const probe = new CookieClient(server.url);
      probe.cookies.set('connect.sid', signedCookie(id));
      expect((await probe.get('/me')).json).toEqual({ user: null });
      expect(await legacyItem(legacyTable, id)).toMatchObject({ dsmDestroyedAt: expect.anything() });
      expect((await legacyItem(legacyTable, id))?.sess).toBeUndefined();
      expect(browser.client.sessionId()).toBe(id);
    }
    const fresh = await newStore(base, legacyTable);
    const legacyServer = await start(loginApp(legacyStore(legacyTable)));
    for (const url of [(await start(loginApp(fresh))).url, legacyServer.url]) {
      for (const id of [aliceId, bobId]) {
        const probe = new CookieClient(url);
        probe.cookies.set('connect.sid', signedCookie(id));
        expect((await probe.get('/me')).json).toEqual({ user: null });
      }
    }
    const current = store.tables().find((t) => t.role === 'current')!.name;
    expect(await storedKind(current, aliceId)).toBe('tombstone');
    expect(await storedKind(current, bobId)).toBe('tombstone');
  });

  it('expired legacy sessions are not served', async () => {
    const { legacyTable, base } = await names('expired');
    const id = newId();
    // connect-dynamodb itself computes `expires` = now + cookie.maxAge: one second ago.
    await legacySet(legacyTable, id, { cookie: { ...hourCookie(), maxAge: -1000, expires: new Date(Date.now() - 1000).toISOString() }, user: 'late' });
    expect(Number((await legacyItem(legacyTable, id))?.expires?.N)).toBeLessThan(Date.now() / 1000);
    const live = newId();
    await legacySet(legacyTable, live, { cookie: hourCookie(), user: 'on time' });

    const store = await newStore(base, legacyTable);
    expect(await store.core.get(id)).toBeNull();
    expect((await store.core.get(live))?.session.user).toBe('on time');
    const server = await start(loginApp(store));
    const probe = new CookieClient(server.url);
    probe.cookies.set('connect.sid', signedCookie(id));
    expect(await probe.get('/me')).toMatchObject({ status: 200, json: { user: null } });
    expect(count(store, 'session.migrate.expired')).toBe(2);
    expect((await legacyItem(legacyTable, id))?.dsmMovedTo).toBeUndefined(); // nothing written for it
  });

  it('a corrupt legacy item is absent, not an error', async () => {
    const { legacyTable, base } = await names('corrupt');
    await legacySet(legacyTable, newId(), { cookie: hourCookie() }); // creates the table, as connect-dynamodb does
    const expires = { N: String(Math.floor(Date.now() / 1000) + 3600) };
    const bad: Record<string, Record<string, AttributeValue>> = {
      'not JSON': { sess: { S: '{"cookie":' }, expires },
      'no cookie': { sess: { S: '{"user":"x"}' }, expires },
      'an array': { sess: { S: '[1,2]' }, expires },
      'sess as a number': { sess: { N: '5' }, expires },
      'no sess': { expires },
      'expires as text': { sess: { S: JSON.stringify({ cookie: hourCookie(), user: 'x' }) }, expires: { S: 'tomorrow' } },
      'a cookie field of the wrong type': { sess: { S: JSON.stringify({ cookie: { ...hourCookie(), originalMaxAge: 'abc' }, user: 'x' }) }, expires },
      'a fence that is not a string': { sess: { S: JSON.stringify({ cookie: hourCookie(), user: 'x' }) }, expires, dsmMovedTo: { N: '1' } },
    };
    const ids = new Map<string, string>();
    for (const [label, item] of Object.entries(bad)) {
      const id = newId();
      ids.set(label, id);
      await admin.send(new PutItemCommand({ TableName: legacyTable, Item: { id: { S: `sess:${id}` }, ...item } }));
    }
    const store = await newStore(base, legacyTable);
    const server = await start(loginApp(store));
    for (const [label, id] of ids) {
      expect(await store.core.get(id), label).toBeNull();
      const probe = new CookieClient(server.url);
      probe.cookies.set('connect.sid', signedCookie(id));
      expect(await probe.get('/me'), label).toMatchObject({ status: 200, json: { user: null } });
    }
    expect(count(store, 'session.migrate.corrupt')).toBe(2 * ids.size);
  });

  it('reads the legacy table in the same round trip while most loads miss here, and only after a miss once most sessions have moved', async () => {
    const { legacyTable, base } = await names('mode');
    const id = newId();
    await legacySet(legacyTable, id, { cookie: hourCookie(), user: 'u' });
    const store = await newCore(base, legacyTable);
    const loaded = await store.get(id);
    await store.touch(id, loaded!.session, { load: loaded!.context });
    await store.flush();
    // Parallel while fewer than half of the recent loads (a weight of 1/32 each) were answered
    // here: from none, 1 - (31/32)^n passes one half after n = 22 hits.
    const reads = (): number => count(store, 'session.migrate.read');
    const before = reads();
    for (let i = 0; i < 22; i += 1) expect((await store.get(id))?.session.user).toBe('u');
    expect(reads() - before).toBe(22);
    const later = reads();
    for (let i = 0; i < 10; i += 1) expect((await store.get(id))?.session.user).toBe('u');
    expect(reads() - later).toBe(0);
    // An unknown id still falls back on the legacy table, after the miss.
    expect(await store.get(newId())).toBeNull();
    expect(reads() - later).toBe(1);
  });

  it('a legacy table that does not exist is a miss, logged once, not an error', async () => {
    const base = (await names('missing')).base;
    const warnings: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (_f: object, m?: string) => void warnings.push(m ?? '') };
    const store = await newCore(base, uniqueBaseName('cd-never'), { logger });
    expect(await store.get(newId())).toBeNull();
    expect(await store.get(newId())).toBeNull();
    await store.destroy(newId());
    expect(warnings.filter((m) => m.includes('migrateFrom'))).toHaveLength(1);
  });
});

describe('what a load costs while migrateFrom is on (DynamoDB calls, as sent over the wire)', () => {
  it('a miss costs one more GetItem (on the legacy table), a take-over one fence, a destroy one UpdateItem; a hit here nothing more once most sessions moved', async () => {
    const { legacyTable, base } = await names('cost');
    const moved = newId();
    const waiting = newId();
    await legacySet(legacyTable, moved, { cookie: hourCookie(), user: 'moved' });
    await legacySet(legacyTable, waiting, { cookie: hourCookie(), user: 'waiting' });
    const counting = createCountingClient();
    cleanups.push(async () => counting.client.destroy());
    const { migrateFrom: _on, ...withoutMigration } = storeOptions(base, legacyTable, { client: counting.client });
    const off = new SessionStore(withoutMigration);
    cleanups.push(() => off.close());
    await off.ready();
    const on = await newCore(base, legacyTable, { client: counting.client });
    const callsOf = async (work: () => Promise<unknown>): Promise<Record<string, number>> => {
      counting.reset();
      await work();
      return counting.counts();
    };

    // Right after the switch (parallel mode): the legacy read goes with the first read.
    const missOff = await callsOf(() => off.get(newId()));
    expect(await callsOf(() => on.get(newId()))).toEqual({ ...missOff, GetItem: missOff.GetItem! + 1 });
    const loaded = await on.get(moved);
    counting.reset();
    await on.touch(moved, loaded!.session, { load: loaded!.context });
    await on.flush();
    expect(counting.counts()).toEqual({ PutItem: 1 }); // the take-over's put, after the response
    expect(await callsOf(() => on.get(waiting))).toEqual({ GetItem: missOff.GetItem! + 1, UpdateItem: 1 }); // the fence
    const hitOff = await callsOf(() => off.get(moved));
    expect(await callsOf(() => on.get(moved))).toEqual({ GetItem: hitOff.GetItem! + 1 }); // parallel: one more read, same round trip

    // Once most loads are answered here (22 in a row from none), the legacy table is read only after a miss.
    for (let i = 0; i < 22; i += 1) await on.get(moved);
    expect(await callsOf(() => on.get(moved))).toEqual(hitOff);
    expect(await callsOf(() => on.get(newId()))).toEqual({ GetItem: missOff.GetItem! + 1 });

    // A destroy: the legacy copy is destroyed too (a conditional UpdateItem, which writes nothing for an id stored nowhere).
    const destroyOff = await callsOf(() => off.destroy(newId()));
    expect(await callsOf(() => on.destroy(newId()))).toEqual({ ...destroyOff, UpdateItem: 1 });
  });
});

describe('races of a take-over, replayed with a held request', () => {
  const fenceOn = (table: string) => (op: string, body: Record<string, unknown>) => op === 'UpdateItem' && body.TableName === table;
  const putInto = (base: string) => (op: string, body: Record<string, unknown>) => op === 'PutItem' && String(body.TableName).startsWith(base);

  it('two servers taking the same session over at once serve the same session and leave one copy', async () => {
    const { legacyTable, base } = await names('two');
    const id = newId();
    await legacySet(legacyTable, id, { cookie: hourCookie(), user: 'u', cart: ['a'] });
    const gated = createGatedClient();
    cleanups.push(async () => gated.client.destroy());
    const a = await newCore(base, legacyTable, { client: gated.client });
    const b = await newCore(base, legacyTable);

    const held = gated.hold(fenceOn(legacyTable));
    const loadA = a.get(id);
    await held.entered; // A read the legacy item and is about to fence it
    const loadedB = await b.get(id); // B fences it first
    held.release(); // A's fence fails: it follows B's fence
    const loadedA = await loadA;
    expect(loadedA?.session).toEqual(loadedB?.session);
    expect(count(a, 'session.move.fence')).toBe(0);
    expect(count(b, 'session.move.fence')).toBe(1);

    // Both requests change different keys: both changes are kept, in one live copy.
    await Promise.all([
      a.set(id, { ...loadedA!.session, fromA: 1 } as SessionRecord, { load: loadedA!.context }),
      b.set(id, { ...loadedB!.session, fromB: 2 } as SessionRecord, { load: loadedB!.context }),
    ]);
    const current = b.tables().find((t) => t.role === 'current')!.name;
    expect(await storedKind(current, id)).toBe('live');
    const c = await newCore(base, legacyTable);
    expect((await c.get(id))?.session).toMatchObject({ user: 'u', cart: ['a'], fromA: 1, fromB: 2 });
  });

  it('a logout while a take-over is between its fence and its put: the put cannot land, the session stays gone', async () => {
    const { legacyTable, base } = await names('fence-then-logout');
    const id = newId();
    await legacySet(legacyTable, id, { cookie: hourCookie(), user: 'u' });
    const gated = createGatedClient();
    cleanups.push(async () => gated.client.destroy());
    const a = await newCore(base, legacyTable, { client: gated.client });
    const b = await newCore(base, legacyTable);

    const loaded = await a.get(id); // fenced there, served
    const held = gated.hold(putInto(base));
    const save = a.set(id, { ...loaded!.session, cart: ['late'] } as SessionRecord, { load: loaded!.context });
    await held.entered; // A's put is on its way
    await b.destroy(id); // the logout, on another server
    held.release();
    expect(await save).toMatchObject({ action: 'dropped' });
    expect(await (await newCore(base, legacyTable)).get(id)).toBeNull();
    expect((await legacyItem(legacyTable, id))?.sess).toBeUndefined();
    expect(await storedKind(b.tables().find((t) => t.role === 'current')!.name, id)).toBe('tombstone');
  });

  it('a logout whose write to the connect-dynamodb table was applied but its answer lost, during a take-over: the retry still stops the move', async () => {
    const { legacyTable, base } = await names('lost-logout');
    const id = newId();
    await legacySet(legacyTable, id, { cookie: hourCookie(), user: 'u' });
    const proxy = await startFaultProxy(testEndpoint());
    cleanups.push(() => proxy.close());
    const a = await newCore(base, legacyTable);
    const b = await newCore(base, legacyTable, { dynamoEndpoint: proxy.endpoint, maxRetries: 3 });

    const loaded = await a.get(id); // fenced there, served; the put comes with the save
    proxy.setFault({ kind: 'drop' }, { operations: ['UpdateItem', 'DeleteItem'], times: 1 });
    await b.destroy(id); // its write to connect-dynamodb's table is applied, the answer lost, the write retried
    expect(Object.values(proxy.faultedCalls()).reduce((sum, n) => sum + n, 0)).toBe(1);
    expect(await a.set(id, { ...loaded!.session, cart: ['late'] } as SessionRecord, { load: loaded!.context })).toMatchObject({ action: 'dropped' });
    expect(await (await newCore(base, legacyTable)).get(id)).toBeNull();
  });

  it('a logout while a take-over is about to fence: the fence fails and the load serves nothing', async () => {
    const { legacyTable, base } = await names('logout-then-fence');
    const id = newId();
    await legacySet(legacyTable, id, { cookie: hourCookie(), user: 'u' });
    const gated = createGatedClient();
    cleanups.push(async () => gated.client.destroy());
    const a = await newCore(base, legacyTable, { client: gated.client });
    const b = await newCore(base, legacyTable);

    const held = gated.hold(fenceOn(legacyTable));
    const load = a.get(id);
    await held.entered;
    await b.destroy(id);
    held.release();
    expect(await load).toBeNull();
    expect(await (await newCore(base, legacyTable)).get(id)).toBeNull();
  });

  it('an unchanged session moved in the background after a logout elsewhere: the move cannot land', async () => {
    const { legacyTable, base } = await names('touch-then-logout');
    const id = newId();
    await legacySet(legacyTable, id, { cookie: hourCookie(), user: 'u' });
    const gated = createGatedClient();
    cleanups.push(async () => gated.client.destroy());
    const a = await newCore(base, legacyTable, { client: gated.client });
    const b = await newCore(base, legacyTable);

    const loaded = await a.get(id);
    const held = gated.hold(putInto(base));
    await a.touch(id, loaded!.session, { load: loaded!.context }); // answers at once; the move runs behind
    await held.entered;
    await b.destroy(id);
    held.release();
    await a.flush();
    expect(await (await newCore(base, legacyTable)).get(id)).toBeNull();
    expect(await a.get(id)).toBeNull();
  });
});
