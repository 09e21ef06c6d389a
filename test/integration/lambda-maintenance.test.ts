/**
 * `dynamo-session-manager/lambda`: the scheduled maintenance handler of a serverless deployment
 * keeps the rotation going across periods (next table created ahead, tables past the longest
 * lifetime dropped) while request-path stores in serverless mode serve sessions without a single
 * control-plane call.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DynamoSessionStore, type DynamoSessionStoreOptions } from 'dynamo-session-manager';
import { createMaintenanceHandler, type MaintenanceHandler } from 'dynamo-session-manager/lambda';
import { controlCalls, createCountingClient } from '../support/counting-client.js';
import { createTestClient, dropTablesWithPrefix, liveTablesWithPrefix, uniqueBaseName } from '../support/dynamo.js';
import { createManualClock } from '../support/manual-clock.js';

const HOUR = 3_600_000;
const admin = createTestClient();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => admin.destroy());

describe('createMaintenanceHandler', () => {
  it('creates the next tables and drops old ones across rotations; request-path stores then make no control-plane call', async () => {
    const base = uniqueBaseName('lambda');
    cleanups.push(() => dropTablesWithPrefix(admin, base));
    // Half past an hour: the next table is due within the creation margin only later in the period.
    const clock = createManualClock(Math.floor(Date.now() / HOUR) * HOUR + HOUR / 2);
    const shared: DynamoSessionStoreOptions = { tableBaseName: base, expiry: 'rotation', tableRotationSeconds: 3600, maxInactiveInterval: 7200, longestLifetimeSeconds: 7200, now: clock };
    const maintainerClient = createCountingClient();
    const handler: MaintenanceHandler = createMaintenanceHandler({ ...shared, client: maintainerClient.client });
    cleanups.push(async () => {
      await handler.close();
      maintainerClient.client.destroy();
    });
    expect(handler.store.options.serverless).toBe(true);
    expect(maintainerClient.counts()).toEqual({}); // building the handler calls nothing

    const first = await handler({ 'detail-type': 'Scheduled Event', time: new Date(clock()).toISOString() });
    expect(first.tablesCreated).toBeGreaterThanOrEqual(1);
    expect(first.tablesDeleted).toBe(0);
    expect(first.durationMs).toBeGreaterThanOrEqual(0);
    expect(first.tables.some((t) => t.role === 'current')).toBe(true);
    const firstTables = await liveTablesWithPrefix(admin, base);
    expect(firstTables.length).toBeGreaterThanOrEqual(1);

    // A request-path store in serverless mode: a cold start, then sessions, with 0 control-plane calls.
    const counting = createCountingClient();
    const store = new DynamoSessionStore({ ...shared, client: counting.client, serverless: true });
    cleanups.push(async () => {
      await store.close();
      counting.client.destroy();
    });
    await store.ready();
    expect(counting.counts()).toEqual({});
    const cookie = { originalMaxAge: null, expires: null };
    await store.core.set('lambda-session-00000001', { cookie, n: 1 });

    // Four periods, one scheduled round late in each (as a rate() schedule does): every round
    // creates what the next period needs; tables past the longest lifetime go.
    const created: number[] = [];
    const deleted: number[] = [];
    for (let period = 1; period <= 4; period += 1) {
      clock.advance(HOUR / 2 - 60_000); // late in the period: the next table is due
      const late = await handler();
      clock.advance(60_000 + HOUR / 2); // the middle of the next period
      const round = await handler();
      created.push(late.tablesCreated + round.tablesCreated);
      deleted.push(late.tablesDeleted + round.tablesDeleted);
      // The session moves forward with each request, within the request, from data-plane calls only.
      const loaded = await store.core.get('lambda-session-00000001');
      expect(loaded?.session).toMatchObject({ n: period });
      await store.core.set('lambda-session-00000001', { ...loaded!.session, n: period + 1 }, { load: loaded!.context });
      expect(round.tables.find((t) => t.role === 'current')?.name).toMatch(new RegExp(`^${base}_`));
    }
    expect(created.every((n) => n >= 1)).toBe(true); // one new table each period
    expect(deleted.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2); // a 2-hour lifetime keeps about 3 tables of 1 hour
    const live = await liveTablesWithPrefix(admin, base);
    expect(live.length).toBeLessThanOrEqual(4);
    for (const name of firstTables) expect(live).not.toContain(name); // the first period's table is gone

    expect(controlCalls(counting)).toBe(0);
    expect(controlCalls(maintainerClient)).toBeGreaterThan(0);
  });

  it('rejects invalid options at once, naming the option', () => {
    expect(() => createMaintenanceHandler({ maintenanceIntervalSeconds: 60 })).toThrow(/maintenanceIntervalSeconds/);
    expect(() => createMaintenanceHandler({ tablename: 'x' } as DynamoSessionStoreOptions)).toThrow(/tablename/);
  });
});
