import { CreateTableCommand, GetItemCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DynamoSessionStore, type DynamoSessionStoreOptions } from '../../src/index.js';
import { tableNameFor, periodIndexAt } from '../../src/expiry/rotation/periods.js';
import { createCountingClient, type CountingClient } from '../support/counting-client.js';
import { createTestClient, dropTablesWithPrefix, listTablesWithPrefix, liveTablesWithPrefix, uniqueBaseName, ON_DEMAND } from '../support/dynamo.js';
import { createManualClock, type ManualClock } from '../support/manual-clock.js';
import { buildCreateTableInput } from '../../src/dynamo/params.js';


const P = 3_600_000;
const T0 = Date.UTC(2026, 10, 24, 10, 0, 0);
/** Every store here rotates hourly (TTL is the default expiry, and its own period would be a day). */
const ROTATION = { tableRotationSeconds: P / 1000 } as const;
/**
 * Tables are kept for the longest lifetime (30 periods by default); tests of how fast old tables
 * go keep them one period (the previous table only), as before lifetimes were configurable.
 */
const KEEP_PREVIOUS_ONLY = { longestLifetimeSeconds: P / 1000 } as const;
const admin = createTestClient();
const cookie = { originalMaxAge: null, path: '/', httpOnly: true };

/** Resolves once DescribeTable says the table `name` is ACTIVE; throws when it is not after 10 s. */
async function waitUntilActive(name: string): Promise<void> {
  await waitUntilTableExists({ client: admin, maxWaitTime: 10, minDelay: 0.02, maxDelay: 0.1 }, { TableName: name });
}

const stores: DynamoSessionStore[] = [];
const clients: CountingClient[] = [];
const bases: string[] = [];

function newStore(base: string, clock: ManualClock, options: DynamoSessionStoreOptions = {}): { store: DynamoSessionStore; counting: CountingClient } {
  const counting = createCountingClient();
  const store = new DynamoSessionStore({ client: counting.client, tableBaseName: base, now: clock, maintenanceIntervalSeconds: 0, ...ROTATION, ...options });
  stores.push(store);
  clients.push(counting);
  return { store, counting };
}

function base(label: string): string {
  const name = uniqueBaseName(label);
  bases.push(name);
  return name;
}

const table = (b: string, atMs: number) => tableNameFor(b, periodIndexAt(atMs, P), P);

/** A request that reads the session: a load, then the touch of the unchanged session with what the load learnt. */
async function readOnly(store: DynamoSessionStore, id: string): Promise<Record<string, unknown> | null> {
  const loaded = await store.core.get(id);
  if (loaded !== null) await store.core.touch(id, loaded.session, { load: loaded.context });
  await store.flush();
  return loaded?.session ?? null;
}

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const c of clients.splice(0)) c.client.destroy();
  for (const b of bases.splice(0)) await dropTablesWithPrefix(admin, b);
});
afterAll(() => admin.destroy());

describe('table rotation', () => {
  it('keeps a session used every period alive through five rotations and drops an idle one within two periods', async () => {
    const b = base('rot');
    const clock = createManualClock(T0 + 60_000);
    // Kept for two periods, the shortest the 2-hour idle timeout allows: at most three live tables
    // (current, previous, one kept) once the period's margin has passed.
    const { store } = newStore(b, clock, { tableRotationSeconds: 3600, maxInactiveInterval: 7200, longestLifetimeSeconds: 7200 });
    await store.ready();
    await store.set('active-session-0001', { cookie, user: 'ada' } as never);
    await store.set('idle-session-000001', { cookie, user: 'bob' } as never);
    let idleGoneAfter: number | undefined;
    for (let period = 1; period <= 5; period += 1) {
      clock.advance(P);
      await store.maintain();
      expect(await readOnly(store, 'active-session-0001')).toMatchObject({ user: 'ada' });
      if (idleGoneAfter === undefined && (await store.get('idle-session-000001')) === null) idleGoneAfter = period;
      const tables = await liveTablesWithPrefix(admin, `${b}_`);
      expect(tables.length).toBeLessThanOrEqual(3);
      expect(tables).toContain(table(b, clock()));
    }
    expect(idleGoneAfter).toBeDefined();
    expect(idleGoneAfter).toBeLessThanOrEqual(2);
    expect(store.metrics().counters['table.rotation'].total).toBe(5);
    expect(store.metrics().counters['table.deleted'].total).toBeGreaterThanOrEqual(3);
  });

  it('moves a session found in the previous table into the current one, once', async () => {
    const b = base('move');
    const clock = createManualClock(T0 + 50 * 60_000);
    const { store, counting } = newStore(b, clock);
    await store.ready();
    await store.set('moving-session-0001', { cookie, n: 1 } as never);
    clock.advance(20 * 60_000);
    await store.maintain();
    counting.reset();
    expect(await readOnly(store, 'moving-session-0001')).toMatchObject({ n: 1 });
    await store.flush(); // the move forward does not hold up the response
    // The move fences the old copy (UpdateItem), then copies the session into the current table (PutItem).
    expect(counting.counts()).toEqual({ GetItem: 2, UpdateItem: 1, PutItem: 1 });
    const fenced = await admin.send(new GetItemCommand({ TableName: table(b, clock() - 20 * 60_000), Key: { id: { S: 'moving-session-0001' } } }));
    expect(fenced.Item?.movedTo?.S).toBe(table(b, clock()));
    const moved = await admin.send(new GetItemCommand({ TableName: table(b, clock()), Key: { id: { S: 'moving-session-0001' } } }));
    expect(moved.Item?.data?.B).toBeDefined();
    // Right after a rotation, most loads find their session in the previous table, so both are read at once.
    counting.reset();
    expect(await readOnly(store, 'moving-session-0001')).toMatchObject({ n: 1 });
    expect(counting.counts()).toEqual({ GetItem: 2 });
    // Once most recent loads find their session in the current table, it is read alone.
    for (let i = 0; i < 25; i += 1) await readOnly(store, 'moving-session-0001');
    counting.reset();
    expect(await readOnly(store, 'moving-session-0001')).toMatchObject({ n: 1 });
    expect(counting.counts()).toEqual({ GetItem: 1 });
    expect(store.metrics().counters['session.load.hit_previous'].total).toBe(1);
  });

  it('creates the next table ahead of its period and switches at the boundary without waiting', async () => {
    const b = base('ahead');
    const clock = createManualClock(T0 + 30 * 60_000);
    const { store, counting } = newStore(b, clock);
    await store.ready();
    clock.set(T0 + P - 4 * 60_000); // inside the 5-minute create-ahead window
    await store.maintain();
    const next = tableNameFor(b, periodIndexAt(T0, P) + 1, P);
    expect(await listTablesWithPrefix(admin, `${b}_`)).toContain(next);
    clock.set(T0 + P + 1000);
    counting.reset();
    await store.set('after-boundary-0001', { cookie } as never);
    expect(counting.counts()).toEqual({ PutItem: 1 });
    const item = await admin.send(new GetItemCommand({ TableName: next, Key: { id: { S: 'after-boundary-0001' } } }));
    expect(item.Item).toBeDefined();
  });

  it('catches up when the clock jumps several periods at once', async () => {
    const b = base('jump');
    const clock = createManualClock(T0);
    const { store } = newStore(b, clock, KEEP_PREVIOUS_ONLY);
    await store.ready();
    await store.set('old-session-000001', { cookie } as never);
    clock.advance(7 * P + 60_000);
    await store.maintain();
    expect(await liveTablesWithPrefix(admin, `${b}_`)).toEqual([table(b, clock())]);
    expect(await store.get('old-session-000001')).toBeNull();
    await store.set('new-session-000001', { cookie } as never);
    expect(await store.get('new-session-000001')).not.toBeNull();
  });

  it('knows the previous table right after a restart in the next period: a deploy loses no session', async () => {
    const b = base('restart');
    const clock = createManualClock(T0 + 50 * 60_000);
    const first = newStore(b, clock).store;
    await first.ready();
    await first.set('survives-deploy-001', { cookie, cart: ['a'] } as never);
    await first.close();
    clock.advance(20 * 60_000); // next period
    const second = newStore(b, clock).store;
    await second.ready();
    expect(await second.get('survives-deploy-001')).toMatchObject({ cart: ['a'] });
  });

  it('shares tables between two stores', async () => {
    const b = base('shared');
    const clock = createManualClock(T0 + 60_000);
    const one = newStore(b, clock).store;
    const two = newStore(b, clock).store;
    await Promise.all([one.ready(), two.ready()]);
    await one.set('shared-session-0001', { cookie, by: 'one' } as never);
    const seen = (await two.get('shared-session-0001')) as Record<string, unknown>;
    expect(seen).toMatchObject({ by: 'one' });
    seen.by = 'two';
    await two.set('shared-session-0001', seen as never);
    expect(await one.get('shared-session-0001')).toMatchObject({ by: 'two' });
  });

  it('deletes only tables whose names match the pattern exactly', async () => {
    const b = base('owner');
    const clock = createManualClock(T0);
    const old = tableNameFor(b, periodIndexAt(T0, P) - 3, P);
    const foreign = [`${b}-beta_20261124_060000`, `${old}_copy`, `${b}_2026112_0600000`, `${b}_20261324_060000`];
    for (const name of [old, ...foreign]) {
      await admin.send(
        new CreateTableCommand(buildCreateTableInput(name, ON_DEMAND)),
      );
    }
    for (const name of [old, ...foreign]) await waitUntilActive(name);
    clock.advance(60_000);
    const { store } = newStore(b, clock, KEEP_PREVIOUS_ONLY);
    await store.ready();
    const left = await liveTablesWithPrefix(admin, b);
    expect(left).not.toContain(old);
    for (const name of foreign) expect(left).toContain(name);
  });

  it('destroys a session in every table it may be in, and a late writer does not bring it back', async () => {
    const b = base('destroy');
    const clock = createManualClock(T0 + 59 * 60_000);
    const { store } = newStore(b, clock);
    await store.ready();
    await store.set('destroyed-session-01', { cookie, n: 1 } as never);
    clock.advance(2 * 60_000);
    await store.maintain();
    const loaded = (await store.get('destroyed-session-01')) as Record<string, unknown>;
    expect(loaded).toMatchObject({ n: 1 });
    await store.destroy('destroyed-session-01');
    loaded.n = 2;
    await store.set('destroyed-session-01', loaded as never);
    expect(await store.get('destroyed-session-01')).toBeNull();
    expect(store.metrics().counters['session.save.dropped'].total).toBe(1);
  });

  it('with createTables false, fails clearly when tables are missing and never creates any', async () => {
    const b = base('nocreate');
    const clock = createManualClock(T0);
    const { store } = newStore(b, clock, { createTables: false });
    await expect(store.ready()).rejects.toMatchObject({ code: 'backend.tableMissing', message: expect.stringContaining(table(b, T0)) });
    expect(await listTablesWithPrefix(admin, b)).toEqual([]);
  });

  it('uses tables another process created when createTables is false', async () => {
    const b = base('existing');
    const clock = createManualClock(T0);
    const creator = newStore(b, clock).store;
    await creator.ready();
    const { store } = newStore(b, clock, { createTables: false });
    await store.ready();
    await store.set('existing-tables-0001', { cookie } as never);
    expect(await creator.get('existing-tables-0001')).not.toBeNull();
  });

  it('provisions new tables from requestsPerSecond and sessionSize, and copies a changed capacity forward', async () => {
    const b = base('prov');
    const clock = createManualClock(T0 + 30 * 60_000);
    const { store } = newStore(b, clock, { requestsPerSecond: 20, sessionSize: 2 });
    await store.ready();
    const describe = async (name: string) =>
      (await admin.send(new (await import('@aws-sdk/client-dynamodb')).DescribeTableCommand({ TableName: name }))).Table?.ProvisionedThroughput;
    expect(await describe(table(b, clock()))).toMatchObject({ ReadCapacityUnits: 20, WriteCapacityUnits: 40 });
    const { UpdateTableCommand } = await import('@aws-sdk/client-dynamodb');
    await admin.send(new UpdateTableCommand({ TableName: table(b, clock()), ProvisionedThroughput: { ReadCapacityUnits: 45, WriteCapacityUnits: 15 } }));
    await waitUntilActive(table(b, clock()));
    clock.set(T0 + 58 * 60_000);
    const restarted = newStore(b, clock, { requestsPerSecond: 20, sessionSize: 2 }).store;
    await restarted.ready();
    expect(await describe(tableNameFor(b, periodIndexAt(clock(), P) + 1, P))).toMatchObject({ ReadCapacityUnits: 45, WriteCapacityUnits: 15 });
  });
});
