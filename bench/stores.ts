/**
 * The stores under test, each built the way its README recommends, on a client the benchmark
 * counts. express-session options are the same for all: `resave: false, saveUninitialized: false`.
 */
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RequestHandler } from 'express';
import session, { type Store } from 'express-session';
import connectDynamoDb from 'connect-dynamodb';
import { DynamoSessionStore, sessionTracker, type MetricsSnapshot } from 'dynamo-session-manager';

/** Every store the benchmark drives, in report order. */
export const STORE_KINDS = ['none', 'memory', 'connect-dynamodb', 'rotation-strong', 'rotation-eventual', 'ttl', 'rotation-sdk'] as const;

/** One of {@link STORE_KINDS}. */
export type StoreKind = (typeof STORE_KINDS)[number];

/** How each store is named in the report. */
export const STORE_LABELS: Readonly<Record<StoreKind, string>> = {
  none: 'no session',
  memory: 'express-session MemoryStore',
  'connect-dynamodb': 'connect-dynamodb 3.0.5',
  'rotation-strong': 'DynamoSessionStore, rotation, strong reads',
  'rotation-eventual': 'DynamoSessionStore, rotation, eventual reads',
  ttl: 'DynamoSessionStore, TTL, strong reads',
  'rotation-sdk': 'DynamoSessionStore, rotation, strong reads, SDK transport',
};

/** Whether a store expires sessions by table rotation (and so has period boundaries to keep clear of). */
export function isRotationStore(kind: StoreKind): kind is 'rotation-strong' | 'rotation-eventual' | 'rotation-sdk' {
  return kind === 'rotation-strong' || kind === 'rotation-eventual' || kind === 'rotation-sdk';
}

/** Whether a store talks to DynamoDB. */
export function usesDynamoDb(kind: StoreKind): boolean {
  return kind !== 'none' && kind !== 'memory';
}

/** What a store needs to be built. */
export interface StoreContext {
  /** The counted client; required for DynamoDB stores. */
  readonly client?: DynamoDBClient | undefined;
  /** A table (or table base) name unique to the cell. */
  readonly tableName: string;
  /** Milliseconds added to `Date.now()` for the store's clock (rotation placement). @default 0 */
  readonly clockShiftMs?: number | undefined;
  /** Rotation period in seconds (rotation stores). @default the store's default (maxInactiveInterval) */
  readonly rotationSeconds?: number | undefined;
  /** Clock skew allowance in seconds (rotation stores). @default the store's default */
  readonly clockSkewSeconds?: number | undefined;
}

/** A built store, with what the app mounts and how to stop it. */
export interface BuiltStore {
  readonly kind: StoreKind;
  /** The express-session store; undefined for `none`. */
  readonly store: Store | undefined;
  /** Middleware mounted before express-session (our tracker); undefined for the others. */
  readonly tracker: RequestHandler | undefined;
  /** The store's own metrics (our store only), to cross-check the counting client. */
  metrics(): MetricsSnapshot | undefined;
  close(): Promise<void>;
}

/** Session idle timeout and cookie lifetime for every store, in seconds. */
export const SESSION_MAX_AGE_SECONDS = 3600;

/** Builds one store; resolves once it can serve requests (tables ACTIVE). */
export async function buildStore(kind: StoreKind, ctx: StoreContext): Promise<BuiltStore> {
  switch (kind) {
    case 'none':
      return { kind, store: undefined, tracker: undefined, metrics: () => undefined, close: async () => undefined };
    case 'memory':
      return { kind, store: new session.MemoryStore(), tracker: undefined, metrics: () => undefined, close: async () => undefined };
    case 'connect-dynamodb':
      return await buildConnectDynamoDb(ctx);
    case 'rotation-strong':
    case 'rotation-eventual':
    case 'ttl':
    case 'rotation-sdk':
      return await buildDynamoSessionStore(kind, ctx);
  }
}

async function buildConnectDynamoDb(ctx: StoreContext): Promise<BuiltStore> {
  const client = requireClient(ctx);
  const DynamoDBStore = connectDynamoDb(session);
  const store = new DynamoDBStore({ client, table: ctx.tableName });
  await store.initialize();
  await waitActive(client, ctx.tableName);
  return { kind: 'connect-dynamodb', store, tracker: undefined, metrics: () => undefined, close: async () => undefined };
}

async function buildDynamoSessionStore(kind: 'rotation-strong' | 'rotation-eventual' | 'ttl' | 'rotation-sdk', ctx: StoreContext): Promise<BuiltStore> {
  const client = requireClient(ctx);
  const shift = ctx.clockShiftMs ?? 0;
  const store = new DynamoSessionStore({
    tableBaseName: ctx.tableName,
    client,
    // A short rotation period (the rotation cell) keeps at most 100 periods of tables: the
    // lifetimes are bounded to that (the sessions' one-hour cookies are cut to it).
    ...(isRotationStore(kind) && ctx.rotationSeconds !== undefined
      ? { maxInactiveInterval: Math.min(SESSION_MAX_AGE_SECONDS, 100 * ctx.rotationSeconds), longestLifetimeSeconds: Math.min(SESSION_MAX_AGE_SECONDS, 100 * ctx.rotationSeconds) }
      : { maxInactiveInterval: SESSION_MAX_AGE_SECONDS }),
    eventualConsistency: kind === 'rotation-eventual',
    expiry: kind === 'ttl' ? 'ttl' : 'rotation',
    // The default transport (auto: direct on this plain client), or the SDK's for comparison.
    ...(kind === 'rotation-sdk' ? { transport: 'sdk' as const } : {}),
    ...(shift === 0 ? {} : { now: () => Date.now() + shift }),
    ...(isRotationStore(kind) && ctx.rotationSeconds !== undefined ? { tableRotationSeconds: ctx.rotationSeconds } : {}),
    ...(isRotationStore(kind) && ctx.clockSkewSeconds !== undefined ? { clockSkewSeconds: ctx.clockSkewSeconds } : {}),
  });
  await store.ready();
  return { kind, store, tracker: sessionTracker(store), metrics: () => store.metrics(), close: () => store.close() };
}

function requireClient(ctx: StoreContext): DynamoDBClient {
  if (ctx.client === undefined) throw new Error('This store needs a DynamoDB client.');
  return ctx.client;
}

/** Polls DescribeTable until the table is ACTIVE (dynalite answers CreateTable with CREATING). */
export async function waitActive(client: DynamoDBClient, tableName: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName })).catch(() => undefined);
    if (out?.Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`Table ${tableName} is not ACTIVE after ${timeoutMs} ms.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
