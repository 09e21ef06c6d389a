// Issue 14 on Amazon DynamoDB Local, where index fidelity matters (dynalite ignores indexes added by
// UpdateTable): `addUserIndex` on a table made without the index, ready() before and after, items
// written before the index found once it is built; a provisioned table's index gets its units; a
// rotation store's tables carry the index, and list, revoke and the marker work there.
import { randomBytes } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionStore, USER_INDEX_NAME, type DynamoSessionStoreOptions } from '../../src/index.js';
import type { SessionRecord } from '../../src/codec/codec.js';
import { buildCreateTableInput } from '../../src/dynamo/params.js';
import { uniqueBaseName } from '../support/dynamo.js';
import { DYNAMODB_LOCAL_CREDENTIALS, startDynamoDbLocalWithClient, type DynamoDbLocal } from '../support/dynamodb-local.js';
import { createManualClock } from '../support/manual-clock.js';

const HOUR = 3_600_000;
let local: DynamoDbLocal | undefined;
let client: DynamoDBClient;
const stores: SessionStore[] = [];

beforeAll(async () => {
  ({ local, client } = await startDynamoDbLocalWithClient());
}, 60_000);

afterAll(async () => {
  for (const store of stores) await store.close();
  client?.destroy();
  await local?.stop();
}, 20_000);

const userOf = (s: SessionRecord): string | undefined => (typeof s.user === 'string' ? s.user : undefined);
const sid = (): string => randomBytes(18).toString('base64url');
const session = (user?: string): SessionRecord => ({ cookie: { originalMaxAge: null, expires: null }, ...(user === undefined ? {} : { user }) });

function storeOn(base: string, options: DynamoSessionStoreOptions = {}): SessionStore {
  const store = new SessionStore({
    dynamoEndpoint: local!.endpoint,
    awsAccessKey: DYNAMODB_LOCAL_CREDENTIALS.accessKeyId,
    awsSecretKey: DYNAMODB_LOCAL_CREDENTIALS.secretAccessKey,
    tableBaseName: base,
    maintenanceIntervalSeconds: 0,
    userIdOf: userOf,
    revokeSecondPassMs: 50,
    ...options,
  });
  stores.push(store);
  return store;
}

/** Resolves once the table's user index is ACTIVE and not backfilling (DynamoDB Local builds it in moments). */
async function untilIndexActive(table: string): Promise<void> {
  const until = Date.now() + 30_000;
  for (;;) {
    const gsi = (await client.send(new DescribeTableCommand({ TableName: table }))).Table?.GlobalSecondaryIndexes?.find((g) => g.IndexName === USER_INDEX_NAME);
    if (gsi?.IndexStatus === 'ACTIVE' && gsi.Backfilling !== true) return;
    if (Date.now() > until) throw new Error(`index of ${table} still ${String(gsi?.IndexStatus)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the user index on DynamoDB Local', () => {
  it('adds the index to a table made without it; ready() refuses before and passes after; earlier items are found', async () => {
    const base = uniqueBaseName('ddbl-add');
    await client.send(new CreateTableCommand(buildCreateTableInput(base, { billingMode: 'PAY_PER_REQUEST' })));
    const store = storeOn(base);
    await expect(store.ready()).rejects.toMatchObject({ code: 'backend.userIndexMissing', details: { table: base, status: 'MISSING' } });
    // Saves go on meanwhile: their items carry uid, and are indexed once the index is built.
    const before = [sid(), sid()];
    for (const id of before) await store.set(id, session('alice'));
    await store.set(sid(), session('bob'));
    await expect(store.listUserSessions('alice')).rejects.toMatchObject({ code: 'backend.userIndexMissing' });
    expect(await store.addUserIndex()).toEqual([{ table: base, status: 'added' }]);
    expect(await store.addUserIndex()).toEqual([{ table: base, status: 'present' }]);
    await untilIndexActive(base);
    await store.ready();
    expect((await store.listUserSessions('alice')).map((s) => s.id).sort()).toEqual([...before].sort());
    expect(await store.revokeUserSessions('alice', { except: before[0] })).toBe(1);
    expect(await store.get(before[1])).toBeNull();
    expect(await store.get(before[0]!)).not.toBeNull();
  });

  it('gives the index of a provisioned table the table\'s units, keys only', async () => {
    const base = uniqueBaseName('ddbl-prov');
    const store = storeOn(base, { readCapacity: 7, writeCapacity: 3 });
    await store.ready();
    const table = (await client.send(new DescribeTableCommand({ TableName: base }))).Table;
    const gsi = table?.GlobalSecondaryIndexes?.[0];
    expect(gsi).toMatchObject({ IndexName: USER_INDEX_NAME, Projection: { ProjectionType: 'KEYS_ONLY' }, KeySchema: [{ AttributeName: 'uid', KeyType: 'HASH' }] });
    expect(gsi?.ProvisionedThroughput).toMatchObject({ ReadCapacityUnits: 7, WriteCapacityUnits: 3 });
  });

  it('rotation: each new table has the index; list and revoke span the current and previous tables; the marker ends a late sign-in', async () => {
    const base = uniqueBaseName('ddbl-rot');
    const clock = createManualClock(Math.floor(Date.UTC(2026, 0, 5) / HOUR) * HOUR + HOUR / 2);
    const store = storeOn(base, { now: clock, tableRotationSeconds: 3600, maxInactiveInterval: 7200 });
    await store.ready();
    const old = sid();
    await store.set(old, session('alice'));
    const visitor = sid();
    await store.set(visitor, session());
    const loaded = await store.get(visitor);
    clock.advance(HOUR);
    await store.maintain();
    await store.ready();
    const fresh = sid();
    await store.set(fresh, session('alice'));
    const names = ((await client.send(new ListTablesCommand({}))).TableNames ?? []).filter((n) => n.startsWith(`${base}_`));
    expect(names).toHaveLength(2);
    for (const name of names) {
      const table = (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
      expect(table?.GlobalSecondaryIndexes?.map((g) => g.IndexName)).toEqual([USER_INDEX_NAME]);
    }
    expect((await store.listUserSessions('alice')).map((s) => s.id).sort()).toEqual([old, fresh].sort());
    expect(await store.revokeUserSessions('alice')).toBe(2);
    expect(await store.get(old)).toBeNull();
    expect(await store.get(fresh)).toBeNull();
    // The visitor created before the revoke signs in now: its own write reads the marker and ends it.
    expect(await store.set(visitor, { ...loaded!.session, user: 'alice' }, { load: loaded!.context })).toMatchObject({ action: 'dropped' });
    expect(await store.get(visitor)).toBeNull();
  });
});
