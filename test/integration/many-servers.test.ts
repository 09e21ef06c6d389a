import { fork, type ChildProcess } from 'node:child_process';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestClient, dropTablesWithPrefix, listTablesWithPrefix, liveTablesWithPrefix, testEndpoint, uniqueBaseName } from '../support/dynamo.js';
import { EXPRESS_VERSIONS } from '../support/express-versions.js';
import { CookieClient } from '../support/http.js';

const admin = createTestClient();
const children: ChildProcess[] = [];
const base = uniqueBaseName('many');

afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))));
  await dropTablesWithPrefix(admin, base);
  admin.destroy();
});

/** Virtual time runs 30 times faster than real time: a 120 s period lasts 4 real seconds. */
const SPEED = 30;
const PERIOD_SECONDS = 120;
const PERIOD_REAL_MS = (PERIOD_SECONDS * 1000) / SPEED;
const OFFSETS_MS = [-2500, 0, 2500, 1000]; // clocks up to 5 virtual seconds apart
/**
 * The workers' idle timeout and longest lifetime are two periods, so tables are kept two periods
 * before the current one (the previous one and one more): an idle session's table goes in its
 * fourth period, and at most four tables live at once (kept, previous, current, and the next one
 * created ahead, or the one a lagging server may still keep at a period's start).
 */
const KEPT_PERIODS = 2;

/** Servers alternate between the Express majors: one fleet, apps on Express 5 and Express 4 side by side. */
async function startWorker(epoch: number, offsetMs: number, index: number): Promise<string> {
  const child = fork(new URL('../support/worker.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      WORKER_EPOCH_MS: String(epoch),
      WORKER_SPEED: String(SPEED),
      WORKER_OFFSET_MS: String(offsetMs),
      WORKER_ENDPOINT: testEndpoint(),
      WORKER_BASE: base,
      WORKER_PERIOD_SECONDS: String(PERIOD_SECONDS),
      WORKER_SKEW_SECONDS: '10',
      WORKER_EXPRESS_MAJOR: String(EXPRESS_VERSIONS[index % EXPRESS_VERSIONS.length]!.major),
    },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  children.push(child);
  return await new Promise((resolve, reject) => {
    child.once('message', (message: { url: string }) => resolve(message.url));
    child.once('exit', (code) => reject(new Error(`worker exited with ${String(code)}`)));
  });
}

/** A browser whose requests a load balancer spreads over every server at random. */
class BalancedBrowser {
  readonly #clients: CookieClient[];
  readonly cookies = new Map<string, string>();
  constructor(urls: string[]) {
    this.#clients = urls.map((url) => new CookieClient(url));
  }
  async get(path: string) {
    const client = this.#clients[Math.floor(Math.random() * this.#clients.length)]!;
    client.cookies.clear();
    for (const [k, v] of this.cookies) client.cookies.set(k, v);
    const res = await client.get(path);
    for (const [k, v] of client.cookies) this.cookies.set(k, v);
    return res;
  }
}

function sessionIdOf(cookie: string): string {
  const decoded = decodeURIComponent(cookie);
  return decoded.slice(2, decoded.lastIndexOf('.'));
}

/** Whether any of the base's tables holds the session, looked at directly (a look through the app would refresh it). */
async function isStoredAnywhere(id: string): Promise<boolean> {
  for (const table of await listTablesWithPrefix(admin, `${base}_`)) {
    const item = await admin.send(new GetItemCommand({ TableName: table, Key: { id: { S: id } }, ConsistentRead: true })).catch(() => undefined);
    if (item?.Item !== undefined) return true;
  }
  return false;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('many servers sharing one set of tables', () => {
  it('keeps active sessions through five rotations, drops idle ones, and never keeps more than four live tables', async () => {
    const epoch = Date.now();
    const urls = await Promise.all(OFFSETS_MS.map((offset, index) => startWorker(epoch, offset, index))); // all start (and race to create) at once
    const active = new BalancedBrowser(urls);
    const idle = new BalancedBrowser(urls);
    expect((await active.get('/count')).json).toEqual({ views: 1 });
    expect((await idle.get('/count')).json).toEqual({ views: 1 });
    const idleId = sessionIdOf(idle.cookies.get('connect.sid')!);
    expect(await isStoredAnywhere(idleId)).toBe(true);

    let views = 1;
    let idleGoneAtMs: number | undefined;
    let maxLive = 0;
    let maxListed = 0;
    const started = Date.now();
    // Four requests a period for 5.5 periods, paced from the start: on a loaded machine the loop
    // takes longer, but every request is made (a window of wall-clock time would make fewer).
    const requests = 22;
    for (let i = 1; i <= requests; i += 1) {
      await sleep(Math.max(0, started + (i * PERIOD_REAL_MS) / 4 - Date.now()));
      const res = await active.get('/count');
      views += 1;
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ views });
      if (idleGoneAtMs === undefined && !(await isStoredAnywhere(idleId))) idleGoneAtMs = Date.now() - started;
      maxLive = Math.max(maxLive, (await liveTablesWithPrefix(admin, `${base}_`)).length);
      maxListed = Math.max(maxListed, (await listTablesWithPrefix(admin, `${base}_`)).length);
    }
    expect(views).toBe(requests + 1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(5.5 * PERIOD_REAL_MS);
    expect(idleGoneAtMs).toBeDefined();
    expect((await idle.get('/peek')).json).toMatchObject({ session: {} });
    expect(idleGoneAtMs!).toBeLessThanOrEqual((KEPT_PERIODS + 1) * PERIOD_REAL_MS + PERIOD_REAL_MS / 2);
    expect(maxLive).toBeLessThanOrEqual(KEPT_PERIODS + 2);
    expect(maxListed).toBeLessThanOrEqual(KEPT_PERIODS + 3);

    // Every server serves the session once more, so each has seen the table in use now.
    for (const url of urls) {
      const client = new CookieClient(url);
      for (const [k, v] of active.cookies) client.cookies.set(k, v);
      expect((await client.get('/peek')).status).toBe(200);
    }
    const counters = await Promise.all(urls.map(async (url) => (await (await fetch(`${url}/_metrics`)).json()) as Record<string, { total: number }>));
    const total = (name: string) => counters.reduce((sum, c) => sum + (c[name]?.total ?? 0), 0);
    expect(total('maintenance.error')).toBe(0);
    expect(total('session.load.error')).toBe(0);
    expect(total('session.save.error')).toBe(0);
    expect(total('table.rotation')).toBeGreaterThanOrEqual(5 * OFFSETS_MS.length);
  }, 90_000);
});
