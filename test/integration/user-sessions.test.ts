// Issue 14: a user's sessions, on the run's dynalite. Listing (across a rotation, with encryption),
// revoking (with `except`, against a request in flight, against a sign-in), hostile user ids,
// hashed mode, the feature off (no index, no extra call), costs, and ready() without the index.
import { randomBytes } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand, GetItemCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SessionStore, USER_INDEX_NAME, isSessionManagerError, type DynamoSessionStoreOptions } from '../../src/index.js';
import type { SessionRecord } from '../../src/codec/codec.js';
import { buildCreateTableInput } from '../../src/dynamo/params.js';
import { controlCalls, createCountingClient, type CountingClient } from '../support/counting-client.js';
import { createTestClient, dropTablesWithPrefix, testEndpoint, uniqueBaseName } from '../support/dynamo.js';
import { createGatedClient } from '../support/gated-client.js';
import { createManualClock } from '../support/manual-clock.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 5, 10, 30);
const admin = createTestClient();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => admin.destroy());

function newBase(label: string): string {
  const base = uniqueBaseName(`us-${label}`);
  cleanups.push(() => dropTablesWithPrefix(admin, base));
  return base;
}

const userOf = (s: SessionRecord): string | undefined => (typeof s.user === 'string' ? s.user : undefined);

/** Options where `undefined` leaves out a default of {@link storeOn}. */
type TestOptions = { [K in keyof DynamoSessionStoreOptions]?: DynamoSessionStoreOptions[K] | undefined };

/** A ready core store on `base` (on the counting client when given), closed after the test. */
async function storeOn(base: string, options: TestOptions = {}, counting?: CountingClient): Promise<SessionStore> {
  const merged: TestOptions = {
    ...(counting === undefined && options.client === undefined ? { dynamoEndpoint: testEndpoint() } : {}),
    ...(counting === undefined ? {} : { client: counting.client }),
    tableBaseName: base,
    maintenanceIntervalSeconds: 0,
    userIdOf: userOf,
    revokeSecondPassMs: 0,
    ...options,
  };
  const store = new SessionStore(Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined)) as DynamoSessionStoreOptions);
  cleanups.push(async () => {
    await store.close();
    counting?.client.destroy();
  });
  await store.ready();
  return store;
}

const sid = (): string => randomBytes(18).toString('base64url');
const session = (fields: Record<string, unknown> = {}): SessionRecord => ({ cookie: { originalMaxAge: null, expires: null }, ...fields });

/** Stores a new session of `user` (or none) and returns its id. */
async function signedIn(store: SessionStore, user: string | undefined, fields: Record<string, unknown> = {}): Promise<string> {
  const id = sid();
  await store.set(id, session({ ...(user === undefined ? {} : { user }), ...fields }));
  return id;
}

/** Signs a stored session in as `user` (a change of the loaded session, as a sign-in request makes). */
async function signIn(store: SessionStore, id: string, user: string | undefined): Promise<void> {
  const loaded = await store.get(id);
  if (loaded === null) throw new Error('no session to sign in');
  const next: SessionRecord = { ...loaded.session, user };
  if (user === undefined) delete next.user;
  await store.set(id, next, { load: loaded.context });
}

async function scan(table: string): Promise<Record<string, AttributeValue>[]> {
  return (await admin.send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ?? [];
}

describe('listing', () => {
  it('lists the live sessions of one user only, newest first, with their device and times', async () => {
    const clock = createManualClock(T0);
    const store = await storeOn(newBase('list'), { now: clock });
    const a1 = await signedIn(store, 'alice', { device: { userAgent: 'phone' } });
    clock.advance(1000);
    const a2 = await signedIn(store, 'alice', { device: { userAgent: 'laptop' } });
    await signedIn(store, 'bob');
    await signedIn(store, undefined);
    const listed = await store.listUserSessions('alice');
    expect(listed.map((s) => s.id)).toEqual([a2, a1]);
    expect(listed.map((s) => s.device)).toEqual([{ userAgent: 'laptop' }, { userAgent: 'phone' }]);
    expect(listed[1]).toMatchObject({ createdAt: new Date(T0), lastSeenAt: new Date(T0), expiresAt: new Date(T0 + HOUR) });
    expect(await store.listUserSessions('carol')).toEqual([]);
  });

  it('follows sign-in, sign-out and a change of user; expired and destroyed sessions are not listed', async () => {
    const clock = createManualClock(T0);
    const base = newBase('life');
    const store = await storeOn(base, { now: clock, maxInactiveInterval: 60 });
    const id = await signedIn(store, undefined);
    expect((await scan(base))[0]).not.toHaveProperty('uid');
    await signIn(store, id, 'alice');
    expect((await scan(base))[0]?.uid).toEqual({ S: 'alice' });
    expect((await store.listUserSessions('alice')).map((s) => s.id)).toEqual([id]);
    await signIn(store, id, 'bob');
    expect(await store.listUserSessions('alice')).toEqual([]);
    expect((await store.listUserSessions('bob')).map((s) => s.id)).toEqual([id]);
    await signIn(store, id, undefined);
    expect((await scan(base))[0]).not.toHaveProperty('uid');
    expect(await store.listUserSessions('bob')).toEqual([]);
    const gone = await signedIn(store, 'carol');
    await store.destroy(gone);
    const old = await signedIn(store, 'carol');
    clock.advance(61_000);
    const fresh = await signedIn(store, 'carol');
    expect((await store.listUserSessions('carol')).map((s) => s.id)).toEqual([fresh]);
    expect(old).not.toBe(fresh);
  });

  it('lists sessions in the current and the previous table across a rotation, a moved one once', async () => {
    const clock = createManualClock(Math.floor(T0 / HOUR) * HOUR + HOUR / 2);
    const base = newBase('rot');
    const store = await storeOn(base, { now: clock, tableRotationSeconds: 3600, maxInactiveInterval: 7200 });
    const stays = await signedIn(store, 'alice');
    const moves = await signedIn(store, 'alice');
    clock.advance(HOUR);
    await store.maintain();
    const fresh = await signedIn(store, 'alice');
    // An unchanged session used in the new period moves forward (fence, then copy).
    const loaded = await store.get(moves);
    await store.touch(moves, loaded!.session, { load: loaded!.context });
    await store.flush();
    const tables = store.tables().filter((t) => t.role === 'current' || t.role === 'previous');
    expect(tables).toHaveLength(2);
    const previous = tables.find((t) => t.role === 'previous')!.name;
    const fenced = (await scan(previous)).find((i) => i.id?.S === moves);
    expect(fenced?.movedTo).toBeDefined();
    expect(fenced).not.toHaveProperty('uid'); // a fenced copy is not in the index
    const listed = await store.listUserSessions('alice');
    expect(listed.map((s) => s.id).sort()).toEqual([stays, moves, fresh].sort());
    expect(await store.revokeUserSessions('alice')).toBe(3);
    for (const id of [stays, moves, fresh]) expect(await store.get(id)).toBeNull();
    // A server whose clock is still in the old period does not find them either.
    const behind = await storeOn(base, { now: createManualClock(clock() - HOUR), tableRotationSeconds: 3600, maxInactiveInterval: 7200 });
    for (const id of [stays, moves, fresh]) expect(await behind.get(id)).toBeNull();
  });

  it('lists and revokes encrypted sessions, device facts from the decrypted data', async () => {
    const base = newBase('enc');
    const store = await storeOn(base, { encryption: { keys: [{ id: 'k1', key: randomBytes(32).toString('base64') }] } });
    const id = await signedIn(store, 'alice', { device: { ip: '203.0.113.9' } });
    expect(JSON.stringify(await scan(base))).not.toContain('203.0.113.9');
    expect(await store.listUserSessions('alice')).toMatchObject([{ id, device: { ip: '203.0.113.9' } }]);
    expect(await store.revokeUserSessions('alice')).toBe(1);
    expect(await store.get(id)).toBeNull();
  });

  it('keeps the user a session had when userIdOf throws, and lists with deviceOf', async () => {
    const base = newBase('throw');
    let fail = false;
    const store = await storeOn(base, {
      userIdOf: (s) => {
        if (fail) throw new Error('alice is not reachable');
        return userOf(s);
      },
      deviceOf: (s) => ({ agent: s.agent }),
    });
    const id = await signedIn(store, 'alice', { agent: 'curl' });
    fail = true;
    const loaded = await store.get(id);
    await store.set(id, { ...loaded!.session, cart: 3 }, { load: loaded!.context });
    fail = false;
    expect(await store.listUserSessions('alice')).toMatchObject([{ id, device: { agent: 'curl' } }]);
  });

  it('a session stored before userIdOf was set joins the index at its next refresh, not before', async () => {
    const clock = createManualClock(T0);
    const base = newBase('join');
    const counting = createCountingClient();
    const store = await storeOn(base, { now: clock }, counting); // creates the table, with the index
    const before = await storeOn(base, { now: clock, userIdOf: undefined, revokeSecondPassMs: undefined });
    const id = await signedIn(before, 'alice');
    expect((await scan(base))[0]).not.toHaveProperty('uid');
    let loaded = await store.get(id);
    counting.reset();
    await store.touch(id, loaded!.session, { load: loaded!.context }); // refresh not due: nothing written
    await store.flush();
    expect(counting.counts()).toEqual({});
    expect(await store.listUserSessions('alice')).toEqual([]);
    clock.advance(10 * 60_000);
    loaded = await store.get(id);
    counting.reset();
    await store.touch(id, loaded!.session, { load: loaded!.context }); // the refresh rewrites the item, with uid
    await store.flush();
    expect(counting.counts()).toEqual({ PutItem: 1, GetItem: 1 }); // the rewrite, and the marker read of a sign-in
    expect((await store.listUserSessions('alice')).map((s) => s.id)).toEqual([id]);
    // A store without userIdOf keeps the uid when it rewrites the session.
    loaded = await before.get(id);
    await before.set(id, { ...loaded!.session, cart: 2 }, { load: loaded!.context });
    expect((await scan(base))[0]?.uid).toEqual({ S: 'alice' });
  });

  it('takes numeric user ids as their decimal text, and refuses an empty one', async () => {
    const store = await storeOn(newBase('num'), { userIdOf: (s) => s.uid as number | undefined });
    const id = sid();
    await store.set(id, session({ uid: 42 }));
    expect((await store.listUserSessions('42')).map((s) => s.id)).toEqual([id]);
    expect((await store.listUserSessions(42 as unknown as string)).map((s) => s.id)).toEqual([id]);
    await expect(store.listUserSessions('')).rejects.toMatchObject({ code: 'user.invalidId' });
  });
});

describe('hostile user ids', () => {
  const huge = 'u'.repeat(5000);
  const ids = [
    huge,
    `${huge}x`,
    'lone \uD800 surrogate',
    'lone \uDFFF surrogate',
    '\uFFFD',
    '#revoked#alice',
    '#maintainer',
    `sha256:${'0'.repeat(64)}`,
    'hmac:abc',
    'zoë 日本語 🙂 \u0000 \n',
    ' ',
  ];

  it('each round-trips through list and revoke, and no two share sessions', async () => {
    const base = newBase('hostile');
    const store = await storeOn(base);
    const byUser = new Map<string, string>();
    for (const user of ids) byUser.set(user, await signedIn(store, user));
    for (const [user, id] of byUser) expect((await store.listUserSessions(user)).map((s) => s.id), JSON.stringify(user.slice(0, 20))).toEqual([id]);
    for (const item of await scan(base)) {
      const uid = item.uid?.S;
      if (uid !== undefined) expect(Buffer.byteLength(uid, 'utf8')).toBeLessThanOrEqual(1024);
    }
    for (const [user, id] of byUser) {
      expect(await store.revokeUserSessions(user)).toBe(1);
      expect(await store.get(id)).toBeNull();
    }
  });
});

describe('hashed mode', () => {
  const userIdKey = randomBytes(32);
  const userId = 'alice.smith@example.com';

  it('never stores the user id: not in uid, not in the marker key, nowhere with encryption on', async () => {
    const base = newBase('hmac');
    const store = await storeOn(base, { userIdKey, userIdOf: (s) => (s.passport as { user?: string } | undefined)?.user, encryption: { keys: [{ id: 'k1', key: randomBytes(32).toString('base64') }] } });
    const keep = sid();
    await store.set(keep, session({ passport: { user: userId } }));
    const other = sid();
    await store.set(other, session({ passport: { user: userId } }));
    expect((await store.listUserSessions(userId)).map((s) => s.id).sort()).toEqual([keep, other].sort());
    expect(await store.revokeUserSessions(userId, { except: keep })).toBe(1);
    const items = await scan(base);
    expect(items.map((i) => i.uid?.S).filter((u) => u !== undefined)).toEqual([expect.stringMatching(/^hmac:[A-Za-z0-9_-]{43}$/)]);
    const everything = JSON.stringify(items, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v));
    expect(everything).not.toContain('alice');
    expect(everything).toContain('#revoked#hmac:');
  });

  it('a store with the same key reads the index (as dsm does); one with another key finds nothing', async () => {
    const base = newBase('hmac2');
    const app = await storeOn(base, { userIdKey, userIdOf: userOf });
    const id = await signedIn(app, userId);
    const tool = await storeOn(base, { userIndex: true, userIdOf: undefined, userIdKey });
    expect((await tool.listUserSessions(userId)).map((s) => s.id)).toEqual([id]);
    const wrong = await storeOn(base, { userIndex: true, userIdOf: undefined, userIdKey: randomBytes(32) });
    expect(await wrong.listUserSessions(userId)).toEqual([]);
  });
});

describe('revoking', () => {
  it('ends every session but except, counts them, and writes the marker without uid', async () => {
    const clock = createManualClock(T0);
    const base = newBase('revoke');
    const store = await storeOn(base, { now: clock });
    const keep = await signedIn(store, 'alice');
    const others = [await signedIn(store, 'alice'), await signedIn(store, 'alice')];
    const bob = await signedIn(store, 'bob');
    expect(await store.revokeUserSessions('alice', { except: keep })).toBe(2);
    for (const id of others) expect(await store.get(id)).toBeNull();
    expect(await store.get(keep)).not.toBeNull();
    expect(await store.get(bob)).not.toBeNull();
    expect(store.metrics().counters['user.session_revoked']?.total).toBe(2);
    const marker = (await admin.send(new GetItemCommand({ TableName: base, Key: { id: { S: '#revoked#alice' } } }))).Item;
    expect(marker).toMatchObject({ revokedAt: { N: String(T0) } });
    expect(marker).not.toHaveProperty('uid');
    expect(JSON.stringify(marker)).not.toContain(keep); // the kept session is named by a hash only
    expect((await scan(base)).filter((i) => i.uid !== undefined).map((i) => i.id?.S).sort()).toEqual([keep, bob].sort());
    // The kept session signing in again (a new write of its user) is not ended by the marker.
    const loaded = await store.get(keep);
    await store.set(keep, { ...loaded!.session, step: 2 }, { load: loaded!.context });
    expect(await store.get(keep)).not.toBeNull();
  });

  it('a request in flight since before the revoke never brings its session back', async () => {
    const base = newBase('inflight');
    const gated = createGatedClient();
    cleanups.push(async () => gated.client.destroy());
    const server1 = await storeOn(base, { client: gated.client });
    const server2 = await storeOn(base);
    const id = await signedIn(server1, 'alice');
    const loaded = await server1.get(id);
    // The request changes its session; its write is held before it is sent.
    const gate = gated.hold((op, body) => op === 'PutItem' && (body.Item as Record<string, { S?: string }> | undefined)?.id?.S === id);
    const saving = server1.set(id, { ...loaded!.session, cart: ['book'] }, { load: loaded!.context });
    await gate.entered;
    expect(await server2.revokeUserSessions('alice')).toBe(1);
    gate.release();
    expect(await saving).toMatchObject({ action: 'dropped' });
    expect(await server1.get(id)).toBeNull();
    expect(await server2.get(id)).toBeNull();
    expect(await server2.listUserSessions('alice')).toEqual([]);
  });

  it('a sign-in the index did not show to the revoke ends at its own write (the marker), once', async () => {
    const clock = createManualClock(T0);
    const base = newBase('marker');
    const store = await storeOn(base, { now: clock });
    const id = await signedIn(store, undefined);
    const loaded = await store.get(id);
    // The revoke ran while the sign-in's write was not in the index yet (it had not happened).
    clock.advance(5000);
    expect(await store.revokeUserSessions('alice')).toBe(0);
    const result = await store.set(id, { ...loaded!.session, user: 'alice' }, { load: loaded!.context });
    expect(result).toMatchObject({ action: 'dropped' });
    expect(await store.get(id)).toBeNull();
    expect(store.metrics().counters['user.sign_in_revoked']?.total).toBe(1);
    // A session created after the revoke (beyond the clock skew) signs in and stays.
    clock.advance(11_000);
    const later = await signedIn(store, 'alice');
    expect(await store.get(later)).not.toBeNull();
    expect((await store.listUserSessions('alice')).map((s) => s.id)).toEqual([later]);
  });

  it('refuses list and revoke on a store without the index', async () => {
    const store = await storeOn(newBase('off'), { userIdOf: undefined, revokeSecondPassMs: undefined });
    await expect(store.listUserSessions('alice')).rejects.toMatchObject({ code: 'config.userIndexOff' });
    await expect(store.revokeUserSessions('alice')).rejects.toMatchObject({ code: 'config.userIndexOff' });
  });
});

describe('tables and costs', () => {
  it('creates its table with the keys-only index on uid', async () => {
    const base = newBase('gsi');
    await storeOn(base);
    const { Table } = await admin.send(new DescribeTableCommand({ TableName: base }));
    expect(Table?.GlobalSecondaryIndexes?.map((gsi) => [gsi.IndexName, gsi.KeySchema?.[0]?.AttributeName, gsi.Projection?.ProjectionType])).toEqual([[USER_INDEX_NAME, 'uid', 'KEYS_ONLY']]);
  });

  it('ready() refuses a table in use without the index, naming it and dsm add-user-index; list and revoke too', async () => {
    const base = newBase('noidx');
    await admin.send(new CreateTableCommand(buildCreateTableInput(base, { billingMode: 'PAY_PER_REQUEST' })));
    const store = new SessionStore({ dynamoEndpoint: testEndpoint(), tableBaseName: base, maintenanceIntervalSeconds: 0, userIdOf: userOf });
    cleanups.push(() => store.close());
    const error = await store.ready().then(() => undefined, (e: unknown) => e);
    expect(isSessionManagerError(error, 'backend.userIndexMissing')).toBe(true);
    expect((error as Error).message).toContain(base);
    expect((error as Error).message).toContain('dsm add-user-index');
    await expect(store.listUserSessions('alice')).rejects.toMatchObject({ code: 'backend.userIndexMissing' });
  });

  it('ready() names the previous rotation table when it lacks the index, while the current one has it', async () => {
    const clock = createManualClock(Math.floor(T0 / HOUR) * HOUR + HOUR / 2);
    const base = newBase('prev');
    const plain = await storeOn(base, { now: clock, tableRotationSeconds: 3600, userIdOf: undefined, revokeSecondPassMs: undefined });
    const previous = plain.tables().find((t) => t.role === 'current')!.name;
    clock.advance(HOUR);
    const store = new SessionStore({ dynamoEndpoint: testEndpoint(), tableBaseName: base, now: clock, tableRotationSeconds: 3600, maintenanceIntervalSeconds: 0, userIdOf: userOf });
    cleanups.push(() => store.close());
    await expect(store.ready()).rejects.toMatchObject({ code: 'backend.userIndexMissing', details: { table: previous } });
    const current = store.tables().find((t) => t.role === 'current')!.name;
    expect((await admin.send(new DescribeTableCommand({ TableName: current }))).Table?.GlobalSecondaryIndexes?.[0]?.IndexName).toBe(USER_INDEX_NAME);
  });

  it('ready() makes no control-plane call of its own (serverless: data-plane probes once per table)', async () => {
    const clock = createManualClock(Math.floor(T0 / HOUR) * HOUR + HOUR / 2);
    const base = newBase('sls');
    await storeOn(base, { now: clock, tableRotationSeconds: 3600 }); // the maintainer: creates the tables
    const counting = createCountingClient();
    const store = await storeOn(base, { now: clock, tableRotationSeconds: 3600, serverless: true, maintenanceIntervalSeconds: undefined }, counting);
    expect(controlCalls(counting)).toBe(0);
    expect(counting.counts()).toEqual({ Query: 2 }); // the current table, and the previous one the clock assumes (not there)
    counting.reset();
    await store.ready();
    expect(counting.counts()).toEqual({}); // checked once per table
    const id = await signedIn(store, 'alice');
    expect((await store.listUserSessions('alice')).map((x) => x.id)).toEqual([id]);
    expect(controlCalls(counting)).toBe(0);
  });

  it('a store that lists before anything else (dsm sessions) first learns its tables: one Query per live table, not one per kept period', async () => {
    const clock = createManualClock(Math.floor(T0 / HOUR) * HOUR + HOUR / 2);
    const base = newBase('cold');
    const options = { now: clock, expiry: 'rotation', tableRotationSeconds: 3600, maxInactiveInterval: 7200 } as const;
    const first = await storeOn(base, options);
    const a = await signedIn(first, 'alice');
    clock.advance(HOUR);
    await first.maintain();
    const b = await signedIn(first, 'alice');
    const counting = createCountingClient();
    const cold = new SessionStore({ client: counting.client, tableBaseName: base, userIndex: true, ...options });
    cleanups.push(async () => {
      await cold.close();
      counting.client.destroy();
    });
    expect((await cold.listUserSessions('alice')).map((s) => s.id).sort()).toEqual([a, b].sort());
    // Kept for the longest lifetime: a rotation store may look back many periods; it lists them once and queries the two there.
    expect(counting.counts().Query).toBe(2);
  });

  it('with the feature off: no index, and not a call more than before', async () => {
    const base = newBase('plain');
    const counting = createCountingClient();
    const store = await storeOn(base, { userIdOf: undefined, revokeSecondPassMs: undefined }, counting);
    expect((await admin.send(new DescribeTableCommand({ TableName: base }))).Table?.GlobalSecondaryIndexes).toBeUndefined();
    counting.reset();
    const id = await signedIn(store, 'alice');
    expect(counting.counts()).toEqual({ PutItem: 1 });
    counting.reset();
    await store.get(id);
    expect(counting.counts()).toEqual({ GetItem: 1 });
    expect((await scan(base))[0]).not.toHaveProperty('uid');
  });

  it('costs: a read-only request 1 GetItem, a sign-in one GetItem more, a later change none; list and revoke of 10', async () => {
    const base = newBase('cost');
    const counting = createCountingClient();
    const store = await storeOn(base, {}, counting);
    const id = await signedIn(store, undefined);
    counting.reset();
    await signIn(store, id, 'alice'); // load + write + the marker read
    expect(counting.counts()).toEqual({ GetItem: 2, PutItem: 1 });
    counting.reset();
    const loaded = await store.get(id);
    await store.touch(id, loaded!.session, { load: loaded!.context }); // a read-only request
    expect(counting.counts()).toEqual({ GetItem: 1 });
    counting.reset();
    await store.set(id, { ...loaded!.session, cart: 1 }, { load: loaded!.context }); // same user: no marker read
    expect(counting.counts()).toEqual({ PutItem: 1 });
    for (let i = 0; i < 9; i += 1) await signedIn(store, 'alice');
    counting.reset();
    expect(await store.listUserSessions('alice')).toHaveLength(10);
    expect(counting.counts()).toEqual({ Query: 1, GetItem: 10 });
    counting.reset();
    expect(await store.revokeUserSessions('alice')).toBe(10);
    // marker + (Query + 10 reads) + 10 tombstones, then the second pass: Query (the index no longer lists them).
    expect(counting.counts()).toEqual({ PutItem: 11, Query: 2, GetItem: 10 });
  });
});
