/**
 * Expiry cost: 10,000 sessions are left to expire, then we count the capacity units each
 * strategy spends to get rid of them:
 * - rotation (dynalite): the store's clock moves two periods on and one maintenance round runs;
 *   the expired period's table is dropped whole (DeleteTable is a free control-plane call);
 * - TTL (DynamoDB Local, which deletes expired items itself as DynamoDB does): the store does
 *   nothing; we watch the item count fall to zero through an uncounted client;
 * - connect-dynamodb's scan reaper (dynalite): `reap()`, a paged Scan for expired items and one
 *   DeleteItem per item, as its `reapInterval` does.
 * Writing the sessions is not counted; only what happens after they expired is.
 */
import { ListTablesCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import session from 'express-session';
import connectDynamoDb from 'connect-dynamodb';
import { DynamoSessionStore } from 'dynamo-session-manager';
import { createCountingClient, type CallCounts } from './measure.js';
import { createShopSession } from './session-data.js';
import { waitActive } from './stores.js';

/** The strategies compared. */
export type ExpiryStrategyName = 'rotation' | 'ttl' | 'scan-reaper';

/** What one strategy spent. */
export interface ExpiryResult {
  readonly strategy: ExpiryStrategyName;
  readonly backend: 'dynalite' | 'dynamodb-local';
  readonly sessions: number;
  /** Calls, read and write units spent getting rid of the expired sessions. */
  readonly counts: CallCounts;
  /** Items still stored when we stopped watching. */
  readonly remainingItems: number;
  /** From the start of expiry work (or of watching, for TTL) until no expired item was left, ms. */
  readonly elapsedMs: number;
  /** For TTL: whether the server deleted everything within the time we watched. */
  readonly complete: boolean;
  readonly note: string;
}

const CONCURRENCY = 32;

function sessionRecord(index: number, maxAgeMs: number): Record<string, unknown> & { cookie: Record<string, unknown> } {
  return {
    cookie: { originalMaxAge: maxAgeMs, maxAge: maxAgeMs, expires: new Date(Date.now() + maxAgeMs).toISOString(), httpOnly: true, path: '/' },
    shop: createShopSession(index),
  };
}

function sessionId(index: number): string {
  return `expiry-${String(index).padStart(6, '0')}-${(index * 2654435761 >>> 0).toString(36)}`;
}

async function forEachConcurrently(count: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      await work(index);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
}

async function countItems(client: DynamoDBClient, tableName: string): Promise<number> {
  let total = 0;
  let start: Record<string, never> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, Select: 'COUNT', ...(start === undefined ? {} : { ExclusiveStartKey: start }) }));
    total += page.Count ?? 0;
    start = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (start !== undefined);
  return total;
}

async function tableExists(client: DynamoDBClient, tableName: string): Promise<boolean> {
  const names: string[] = [];
  let start: string | undefined;
  do {
    const page = await client.send(new ListTablesCommand({ ...(start === undefined ? {} : { ExclusiveStartTableName: start }) }));
    names.push(...(page.TableNames ?? []));
    start = page.LastEvaluatedTableName;
  } while (start !== undefined);
  return names.includes(tableName);
}

/** Rotation: write the sessions into one period's table, move the clock two periods on, run maintenance. */
export async function measureRotationExpiry(endpoint: string, sessions: number, observer: DynamoDBClient): Promise<ExpiryResult> {
  const counting = createCountingClient(endpoint);
  const periodSeconds = 60;
  // A frozen clock in the middle of a period: writing the sessions may take longer than what is
  // left of a real period on a loaded machine, and every session must land in one table.
  const periodMs = periodSeconds * 1000;
  const frozenMs = Math.floor(Date.now() / periodMs) * periodMs + periodMs / 2;
  let shiftMs = 0;
  const store = new DynamoSessionStore({
    tableBaseName: `expiry-rotation-${Date.now()}`,
    client: counting.client,
    maxInactiveInterval: periodSeconds,
    tableRotationSeconds: periodSeconds,
    // Every session here lives one period: tables are kept no longer than that.
    longestLifetimeSeconds: periodSeconds,
    maintenanceIntervalSeconds: 0,
    now: () => frozenMs + shiftMs,
  });
  try {
    await store.ready();
    const current = store.tables().find((t) => t.role === 'current');
    const table = current?.name;
    if (current === undefined || table === undefined || current.periodStartMs === undefined) throw new Error('The rotation store has no current table.');
    await forEachConcurrently(sessions, async (i) => {
      await store.set(sessionId(i), sessionRecord(i, periodSeconds * 1000) as never);
    });
    const stored = await countItems(observer, table);
    if (stored !== sessions) throw new Error(`Expected ${sessions} sessions in ${table}, found ${stored}.`);
    counting.reset();
    const started = performance.now();
    // Two periods later, to the middle of that period (away from the clock-skew margins): every session is past its idle timeout.
    shiftMs = current.periodStartMs + 2.5 * periodMs - frozenMs;
    await store.maintain();
    // DeleteTable answers DELETING; the table is gone a moment later. Wait for it (and count what the store does meanwhile).
    let gone = !(await tableExists(observer, table));
    while (!gone && performance.now() - started < 15_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      gone = !(await tableExists(observer, table));
    }
    const elapsedMs = performance.now() - started;
    return {
      strategy: 'rotation',
      backend: 'dynalite',
      sessions,
      counts: counting.snapshot(),
      remainingItems: gone ? 0 : await countItems(observer, table).catch(() => sessions),
      elapsedMs,
      complete: gone,
      note: `table ${gone ? 'dropped' : 'still present'} by one maintenance round`,
    };
  } finally {
    await store.close();
    counting.client.destroy();
  }
}

/** TTL: write already-expired sessions (the store's clock an hour behind), then watch DynamoDB Local delete them. */
export async function measureTtlExpiry(endpoint: string, sessions: number, observer: DynamoDBClient, watchSeconds: number): Promise<ExpiryResult> {
  const counting = createCountingClient(endpoint);
  const tableName = `expiry-ttl-${Date.now()}`;
  const maxInactiveSeconds = 60;
  const store = new DynamoSessionStore({
    tableBaseName: tableName,
    client: counting.client,
    expiry: 'ttl',
    maxInactiveInterval: maxInactiveSeconds,
    now: () => Date.now() - 3600_000, // written an hour ago: expiresAt is already past
  });
  try {
    await store.ready();
    await forEachConcurrently(sessions, async (i) => {
      await store.set(sessionId(i), sessionRecord(i, maxInactiveSeconds * 1000) as never);
    });
    counting.reset();
    const started = performance.now();
    let remaining = await countItems(observer, tableName);
    const deadline = started + watchSeconds * 1000;
    while (remaining > 0 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      remaining = await countItems(observer, tableName);
    }
    return {
      strategy: 'ttl',
      backend: 'dynamodb-local',
      sessions,
      counts: counting.snapshot(),
      remainingItems: remaining,
      elapsedMs: performance.now() - started,
      complete: remaining === 0,
      note: remaining === 0 ? 'deleted by the server (TTL), no call from the store' : `${remaining} items still stored after ${watchSeconds} s of watching`,
    };
  } finally {
    await store.close();
    counting.client.destroy();
  }
}

/** connect-dynamodb: write sessions that expire a second later, wait, then run its scan reaper once. */
export async function measureScanReaperExpiry(endpoint: string, sessions: number, observer: DynamoDBClient): Promise<ExpiryResult> {
  const counting = createCountingClient(endpoint, { askForCapacity: true });
  const tableName = `expiry-reaper-${Date.now()}`;
  const DynamoDBStore = connectDynamoDb(session);
  const store = new DynamoDBStore({ client: counting.client, table: tableName });
  try {
    await store.initialize();
    await waitActive(counting.client, tableName);
    await forEachConcurrently(sessions, async (i) => {
      await new Promise<void>((resolve, reject) => {
        store.set(sessionId(i), sessionRecord(i, 1000) as never, (error?: unknown) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()));
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 2500)); // every session is now past `expires`
    counting.reset();
    const started = performance.now();
    await reapOnce(store as unknown as Reaper, counting.client);
    const elapsedMs = performance.now() - started;
    const remaining = await countItems(observer, tableName);
    return {
      strategy: 'scan-reaper',
      backend: 'dynalite',
      sessions,
      counts: counting.snapshot(),
      remainingItems: remaining,
      elapsedMs,
      complete: remaining === 0,
      note: 'one reap(): paged Scan with a filter on expires, then one DeleteItem per expired session',
    };
  } finally {
    counting.client.destroy();
  }
}

interface Reaper {
  reap(callback: (error?: unknown) => void): void;
}

/**
 * Runs connect-dynamodb's `reap()` and resolves when it has finished: it calls back once per Scan
 * page, after that page's deletes; the last page is the one without a LastEvaluatedKey.
 */
async function reapOnce(store: Reaper, client: DynamoDBClient): Promise<void> {
  let pages = 0;
  let lastPageSeen = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'ScanCommand') {
        pages += 1;
        if ((result.output as { LastEvaluatedKey?: unknown }).LastEvaluatedKey === undefined) lastPageSeen = true;
      }
      return result;
    },
    { step: 'initialize', name: 'benchReapPages' },
  );
  let callbacks = 0;
  await new Promise<void>((resolve, reject) => {
    store.reap((error?: unknown) => {
      if (error !== undefined && error !== null) {
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      callbacks += 1;
      if (lastPageSeen && callbacks === pages) resolve();
    });
  });
  client.middlewareStack.remove('benchReapPages');
}
