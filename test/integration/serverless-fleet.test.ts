/**
 * Issue 17's core: serverless mode (no timer, no control-plane call from the store, no work after
 * the response, a missing table learnt from the data plane), one maintainer among many processes
 * (a lease), control-plane throttling, and closing within a second on SIGTERM.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DynamoSessionStore, type DynamoSessionStoreOptions } from 'dynamo-session-manager';
import { controlCalls, createCountingClient, type CountingClient } from '../support/counting-client.js';
import { createTestClient, dropTablesWithPrefix, listTablesWithPrefix, testEndpoint, uniqueBaseName } from '../support/dynamo.js';
import { createTestApp } from '../support/express-app.js';
import { expressUnderTest } from '../support/express-under-test.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import { CookieClient, serve } from '../support/http.js';
import { createManualClock, type ManualClock } from '../support/manual-clock.js';

const HOUR = 3_600_000;
const admin = createTestClient();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => admin.destroy());

function track(base: string): void {
  cleanups.push(() => dropTablesWithPrefix(admin, base));
}

/** A store on its own counting client; closed after the test. */
function storeOn(counting: CountingClient, options: DynamoSessionStoreOptions): DynamoSessionStore {
  const store = new DynamoSessionStore({ client: counting.client, ...options });
  cleanups.push(async () => {
    await store.close();
    counting.client.destroy();
  });
  return store;
}

/** The maintainer of a rotation deployment: what the scheduled handler or `dsm maintain` runs. */
async function maintainer(base: string, clock: ManualClock): Promise<DynamoSessionStore> {
  const store = storeOn(createCountingClient(), { tableBaseName: base, tableRotationSeconds: 3600, maxInactiveInterval: 7200, serverless: false, maintenanceIntervalSeconds: 0, now: clock });
  await store.maintain();
  return store;
}

describe('serverless mode', () => {
  it('makes no control-plane call, at a cold start or after, and does all its work before the response, across a rotation', async () => {
    const base = uniqueBaseName('sls');
    track(base);
    const clock = createManualClock(Math.floor(Date.now() / HOUR) * HOUR + HOUR / 2);
    const ops = await maintainer(base, clock);
    const counting = createCountingClient();
    const store = storeOn(counting, { tableBaseName: base, tableRotationSeconds: 3600, maxInactiveInterval: 7200, serverless: true, now: clock });
    await store.ready();
    expect(counting.counts()).toEqual({}); // a cold start: not a single call
    const server = await serve(createTestApp(expressUnderTest(), store));
    cleanups.push(() => server.close());
    const browser = new CookieClient(server.url);
    expect((await browser.get('/count')).json).toEqual({ views: 1 });
    // Across a rotation (the maintainer creates the new table): the first request moves the
    // session within the request; nothing is left running when the response is back.
    clock.advance(HOUR);
    await ops.maintain();
    const before = counting.counts();
    expect((await browser.get('/peek')).status).toBe(200);
    const afterResponse = counting.counts();
    expect(afterResponse.UpdateItem ?? 0).toBe((before.UpdateItem ?? 0) + 1); // the fence
    expect(afterResponse.PutItem ?? 0).toBe((before.PutItem ?? 0) + 1); // the copy
    await store.flush();
    expect(counting.counts()).toEqual(afterResponse);
    expect((await browser.get('/count')).json).toEqual({ views: 2 });
    expect(store.metrics().counters['session.load.hit_current'].total).toBeGreaterThanOrEqual(1);
    expect(controlCalls(counting)).toBe(0);
  });

  it('learns of a table the maintainer has not created yet from the data plane, and keeps serving from the one before', async () => {
    const base = uniqueBaseName('sls-late');
    track(base);
    const clock = createManualClock(Math.floor(Date.now() / HOUR) * HOUR + HOUR / 2);
    await maintainer(base, clock);
    const counting = createCountingClient();
    const store = storeOn(counting, { tableBaseName: base, tableRotationSeconds: 3600, maxInactiveInterval: 7200, serverless: true, now: clock });
    const server = await serve(createTestApp(expressUnderTest(), store));
    cleanups.push(() => server.close());
    const browser = new CookieClient(server.url);
    expect((await browser.get('/count')).json).toEqual({ views: 1 });
    clock.advance(HOUR); // a new period, and the maintainer is late: its table does not exist
    expect((await browser.get('/count')).json).toEqual({ views: 2 });
    const fresh = new CookieClient(server.url);
    expect((await fresh.get('/count')).json).toEqual({ views: 1 }); // a new session goes to the table still there
    expect((await fresh.get('/count')).json).toEqual({ views: 2 });
    expect(controlCalls(counting)).toBe(0);
    expect(await listTablesWithPrefix(admin, base)).toHaveLength(1);
  });

  it('keeps loading and saving in the latest table there is when the maintainer is more than one period late', async () => {
    // A Lambda cold start that took long, or a maintenance schedule that failed for a while: neither
    // the clock's period nor the one before has a table. express-session answers 200 before its
    // save has finished (it sends the status first), so a save that failed here was a write lost
    // behind a success; the save error counter says so where the response cannot.
    const base = uniqueBaseName('sls-later');
    track(base);
    const clock = createManualClock(Math.floor(Date.now() / HOUR) * HOUR + HOUR / 2);
    const ops = await maintainer(base, clock);
    const counting = createCountingClient();
    const store = storeOn(counting, { tableBaseName: base, tableRotationSeconds: 3600, maxInactiveInterval: 3 * 3600, longestLifetimeSeconds: 4 * 3600, serverless: true, now: clock });
    const server = await serve(createTestApp(expressUnderTest(), store));
    cleanups.push(() => server.close());
    const saveErrors = (): number => store.metrics().counters['session.save.error']?.total ?? 0;
    const browser = new CookieClient(server.url);
    expect((await browser.get('/count')).json).toEqual({ views: 1 });
    clock.advance(2 * HOUR); // two periods on: only the table of two periods ago is there
    const fresh = new CookieClient(server.url);
    expect((await fresh.get('/count')).json).toEqual({ views: 1 }); // a new session, the first request after the cold start
    expect(saveErrors()).toBe(0);
    expect((await fresh.get('/peek')).json).toMatchObject({ session: { views: 1 } });
    expect((await browser.get('/count')).json).toEqual({ views: 2 });
    expect((await browser.get('/count')).json).toEqual({ views: 3 });
    expect(await listTablesWithPrefix(admin, base)).toHaveLength(1);
    // The maintainer catches up; once the store looks again, sessions move on to the new table.
    await ops.maintain();
    clock.advance(2000);
    expect((await fresh.get('/count')).json).toEqual({ views: 2 });
    expect((await browser.get('/count')).json).toEqual({ views: 4 });
    const hitsInCurrent = (): number => store.metrics().counters['session.load.hit_current']?.total ?? 0;
    const hitsBefore = hitsInCurrent();
    expect((await fresh.get('/peek')).json).toMatchObject({ session: { views: 2 } });
    expect((await browser.get('/peek')).json).toMatchObject({ session: { views: 4 } });
    expect(hitsInCurrent()).toBe(hitsBefore + 2); // both now in the new table
    expect(await listTablesWithPrefix(admin, base)).toHaveLength(2);
    expect(saveErrors()).toBe(0);
    expect(controlCalls(counting)).toBe(0);
  });
});

describe('one maintainer among many processes', () => {
  /** Runs `n` stores with timers sharing one rotation for `periods` periods of 2 s; control-plane calls of all of them. */
  async function fleet(n: number, periods: number): Promise<{ control: number; perStore: number[] }> {
    const base = uniqueBaseName(`fleet${n}`);
    track(base);
    const options: DynamoSessionStoreOptions = { tableBaseName: base, tableRotationSeconds: 2, maxInactiveInterval: 4, longestLifetimeSeconds: 4, clockSkewSeconds: 0.2, maintenanceIntervalSeconds: 0.2 };
    const first = createCountingClient();
    const clients = [first];
    await storeOn(first, options).ready(); // the deployment's first process creates the table
    for (let i = 1; i < n; i += 1) clients.push(createCountingClient());
    await Promise.all(clients.slice(1).map((c) => storeOn(c, options).ready()));
    for (const c of clients) c.reset();
    await new Promise((resolve) => setTimeout(resolve, periods * 2000)); // the timers run: there is no event to wait for
    const perStore = clients.map(controlCalls);
    return { control: perStore.reduce((a, b) => a + b, 0), perStore };
  }

  it('makes as many control-plane calls per period with 12 processes as with one', async () => {
    const one = await fleet(1, 3);
    const twelve = await fleet(12, 3);
    expect(one.control).toBeGreaterThan(0); // the one process maintains: create, describe, list, delete
    // Leadership may change hands at a period boundary (the lease lives in the table in use), and
    // a new holder describes the tables once: a few calls, never one per process per round.
    expect(twelve.control).toBeLessThanOrEqual(one.control * 2 + 6);
    expect(twelve.perStore.filter((calls) => calls > 0).length).toBeLessThanOrEqual(5); // at most a holder or two per period
  }, 30_000);

  it('keeps the lease with its holder across rotations: one process makes every control-plane call', async () => {
    // A new period's table holds no lease: the holder of the table before keeps its turn, rather
    // than whichever process ticks first after the boundary (which would describe the tables afresh).
    const many = await fleet(24, 4);
    expect(many.control).toBeGreaterThan(0);
    expect(many.perStore.filter((calls) => calls > 0)).toHaveLength(1);
  }, 30_000);
});

describe('control-plane throttling', () => {
  it('backs off and retries CreateTable and DescribeTable answered with LimitExceededException', async () => {
    const proxy = await startFaultProxy(testEndpoint());
    cleanups.push(() => proxy.close());
    const base = uniqueBaseName('limit');
    track(base);
    proxy.setFault({ kind: 'limitExceeded' }, { operations: ['CreateTable', 'DescribeTable'], times: 2 });
    const store = new DynamoSessionStore({ dynamoEndpoint: proxy.endpoint, tableBaseName: base, maintenanceIntervalSeconds: 0, maxRetries: 3 });
    cleanups.push(() => store.close());
    await store.ready();
    expect(await listTablesWithPrefix(admin, base)).toEqual([base]);
    expect(store.metrics().counters['dynamodb.throttled']?.total ?? 0).toBeGreaterThanOrEqual(2);
  });
});

describe('SIGTERM', () => {
  it('closes within a second, dropping a move forward still held up, then ends as SIGTERM would', async () => {
    const proxy = await startFaultProxy(testEndpoint());
    cleanups.push(() => proxy.close());
    const base = uniqueBaseName('sigterm');
    track(base);
    proxy.setFault({ kind: 'delay', ms: 60_000 }, { operations: ['UpdateItem'] });
    const child = fork(new URL('../support/sigterm-worker.ts', import.meta.url).pathname, [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, WORKER_ENDPOINT: proxy.endpoint, WORKER_BASE: base },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await once(child, 'message');
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const sentAt = performance.now();
    child.kill('SIGTERM');
    const [code, signal] = await exited;
    const tookMs = performance.now() - sentAt;
    expect(signal).toBe('SIGTERM');
    expect(code).toBeNull();
    expect(output).toContain('background writes dropped');
    expect(output).toContain('"dropped":1');
    // The held-up write would have taken a minute; the store gave up after its second of grace.
    expect(tookMs).toBeLessThan(10_000);
  }, 30_000);
});
