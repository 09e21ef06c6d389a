/**
 * The store's own CPU per request, without DynamoDB, the SDK or HTTP: the codec, change
 * detection, the save decision, and the whole store path (get, then touch or set) on a client
 * stub that answers at once. Hand-rolled timing of the process's CPU time: warm up, then many
 * batches; the figure is the median of the batch means. The same is done for connect-dynamodb's path, for scale, and the
 * median GetItem round trip through the SDK on an idle local server is measured to compare with.
 */
import session from 'express-session';
import connectDynamoDb from 'connect-dynamodb';
import { DynamoSessionStore } from 'dynamo-session-manager';
import { buildSessionItem, decodeItem, encodeSessionData, itemSizeBytes, type Item } from '../src/codec/codec.js';
import { sessionBodyText } from '../src/codec/stable-json.js';
import { resolveEncryption } from '../src/config/encryption-options.js';
import { decideSave } from '../src/store/decide.js';
import { openItem, sealData } from '../src/store/sealing.js';
import { CreateTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { DynamoSessionStoreOptions } from 'dynamo-session-manager';
import { createCountingClient } from './measure.js';
import { changeShopSession, createShopSession } from './session-data.js';
import { median, percentile } from './stats.js';
import { waitActive } from './stores.js';

/** One measured operation. */
export interface MicroResult {
  readonly name: string;
  readonly what: string;
  /** Median of the batch means, microseconds per operation. */
  readonly microsPerOp: number;
  readonly batches: number;
  readonly opsPerBatch: number;
  /** Store rows: DynamoDB calls per operation, by operation (what the stub client received). */
  readonly callsPerOp?: Readonly<Record<string, number>>;
  /** Store rows: size of the session item the stub serves and the store writes, bytes (as DynamoDB counts it). */
  readonly itemBytes?: number;
}

/** The round trip the CPU figures are compared with. */
export interface RoundTrip {
  readonly backend: string;
  readonly calls: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

let sink = 0;

/**
 * Runs `count` operations and returns the process's CPU time (user + system) per operation, in
 * µs: unlike wall time, it does not count the time other processes of a shared machine hold
 * the CPU. Nothing else runs in this process meanwhile, and a stubbed operation waits on no I/O.
 */
async function runBatch(op: () => unknown, count: number): Promise<number> {
  const started = process.cpuUsage();
  for (let i = 0; i < count; i += 1) {
    const value = op();
    if (value instanceof Promise) sink += (await value) === undefined ? 0 : 1;
    else sink += value === undefined ? 0 : 1;
  }
  const used = process.cpuUsage(started);
  return (used.user + used.system) / count;
}

/** Times a synchronous or asynchronous operation; returns µs per operation (median of batch means). */
async function time(name: string, what: string, op: () => unknown, opsPerBatch: number, batches: number): Promise<MicroResult> {
  return (await timeInterleaved([{ name, what, op }], opsPerBatch, batches))[0]!;
}

/**
 * Times several operations batch by batch in turn (A, B, C, A, B, C...), so that a busy machine
 * slows each of them alike and their differences hold; µs per operation, median of batch means.
 */
async function timeInterleaved(
  ops: readonly { name: string; what: string; op: () => unknown }[],
  opsPerBatch: number,
  batches: number,
): Promise<MicroResult[]> {
  for (const { op } of ops) await runBatch(op, opsPerBatch * 3); // warm-up: let the JIT settle
  const means = ops.map(() => [] as number[]);
  for (let b = 0; b < batches; b += 1) {
    for (const [index, { op }] of ops.entries()) means[index]!.push(await runBatch(op, opsPerBatch));
  }
  return ops.map(({ name, what }, index) => ({ name, what, microsPerOp: median(means[index]!), batches, opsPerBatch }));
}

function sessionRecord(index: number): Record<string, unknown> & { cookie: Record<string, unknown> } {
  return {
    cookie: { originalMaxAge: 3_600_000, expires: new Date(Date.now() + 3_600_000).toISOString(), httpOnly: true, path: '/' },
    shop: createShopSession(index),
  };
}

/** A client stand-in that answers every call at once with a canned output (no SDK, no network); counts item calls. */
function createStubClient(getItemOutput: () => Record<string, unknown>, calls: Record<string, number> = {}): { send(command: object): Promise<unknown> } {
  return {
    send: async (command: object) => {
      const op = command.constructor.name.replace(/Command$/, '');
      if (op.endsWith('Item')) calls[op] = (calls[op] ?? 0) + 1;
      switch (command.constructor.name) {
        case 'DescribeTableCommand':
          return { Table: { TableStatus: 'ACTIVE', BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' } } };
        case 'ListTablesCommand':
          return { TableNames: [] };
        case 'GetItemCommand':
          return getItemOutput();
        case 'UpdateItemCommand':
          return { Attributes: { expires: { N: String(Math.floor(Date.now() / 1000) + 3600) } }, ConsumedCapacity: { CapacityUnits: 1 } };
        default:
          return { ConsumedCapacity: { CapacityUnits: 1 } };
      }
    },
  };
}

/** Runs every micro-benchmark. `scale` shortens them for development runs (0.2 = five times fewer). */
export async function runMicroBenchmarks(scale = 1): Promise<MicroResult[]> {
  const batches = Math.max(5, Math.round(30 * scale));
  const n = (base: number): number => Math.max(50, Math.round(base * scale));
  const record = sessionRecord(7);
  const { data } = encodeSessionData(record);
  const now = Date.now();
  const item: Item = buildSessionItem({ id: 'micro-session-0001', data, version: 3, lastAccessedMs: now, expiresAtMs: now + 3_600_000 });
  const results: MicroResult[] = [];

  results.push(await time('decode', 'decodeItem: item → session (inflate + JSON.parse + checks)', () => decodeItem(item), n(2000), batches));
  results.push(await time('body-json', 'sessionBodyText: JSON of the session without its cookie (change detection: once at load, once per save; the key-sorted comparison runs only when the text differs)', () => sessionBodyText(record), n(2000), batches));
  results.push(
    await time(
      'decide',
      'decideSave: the pure save decision',
      () =>
        decideSave({ ignored: false, degraded: false, loaded: true, changed: false, inOlderTable: false, expiryGainMs: 1000, refreshIntervalMs: 360_000 }),
      n(200_000),
      batches,
    ),
  );
  results.push(await time('encode', 'encodeSessionData + buildSessionItem + itemSizeBytes: session → item (JSON + deflate), changed requests only', () => {
    const encoded = encodeSessionData(record);
    return itemSizeBytes(buildSessionItem({ id: 'micro-session-0001', data: encoded.data, version: 4, lastAccessedMs: now, expiresAtMs: now + 3_600_000 }));
  }, n(2000), batches));

  // The whole store path on a stub client: what the store itself costs per request.
  const storeOn = (options: DynamoSessionStoreOptions): DynamoSessionStore =>
    new DynamoSessionStore({
      tableBaseName: 'micro',
      client: createStubClient(() => ({ Item: item, ConsumedCapacity: { CapacityUnits: 1 } })) as never,
      maintenanceIntervalSeconds: 0,
      ...options,
    });
  const sid = 'micro-session-0001';
  // Through the core with what the load learnt, as a request does (express-session hands the
  // store the request, whose record carries the load; outside a request there is none).
  const readOnly = async (store: DynamoSessionStore): Promise<unknown> => {
    const loaded = await store.core.get(sid);
    if (loaded === null) throw new Error('stub get returned nothing');
    await store.core.touch(sid, loaded.session, { load: loaded.context });
    return loaded;
  };
  const ourStore = storeOn({ openTelemetry: false });
  await ourStore.ready();
  results.push(...(await measureOpenTelemetry(ourStore, storeOn, readOnly, n(1000), batches)));
  let sequence = 0;
  results.push(
    await time('store-changed', 'DynamoSessionStore: get + set of a changed session (a writing request), stub client', async () => {
      const loaded = await ourStore.core.get(sid);
      if (loaded === null) throw new Error('stub get returned nothing');
      changeShopSession((loaded.session as unknown as { shop: ReturnType<typeof createShopSession> }).shop, (sequence += 1));
      await ourStore.core.set(sid, loaded.session, { load: loaded.context });
      return loaded;
    }, n(1000), batches),
  );
  await ourStore.close();
  // Without and with encryption (built-in AES-256-GCM: the stub serves the same session, encrypted),
  // with the calls per request and the item's size.
  const cipher = resolveEncryption({ keys: [{ id: 'bench-key-1', key: Buffer.alloc(32, 7) }] })!;
  const encryptedItem: Item = buildSessionItem({ id: sid, data: await sealData(cipher, sid, data), version: 3, lastAccessedMs: now, expiresAtMs: now + 3_600_000 });
  results.push(await time('seal', 'sealData: AES-256-GCM encryption of the encoded session (random nonce, key id, session id as additional data), changed requests only', () => sealData(cipher, sid, data), n(2000), batches));
  results.push(await time('open', 'openItem: decryption of a stored session before decodeItem', () => openItem(cipher, sid, encryptedItem), n(2000), batches));
  for (const [suffix, label, served, encryption] of [
    ['-calls', ', calls and item size', item, undefined],
    ['-encrypted', ', encryption on (AES-256-GCM)', encryptedItem, { keys: [{ id: 'bench-key-1', key: Buffer.alloc(32, 7) }] }],
  ] as const) {
    const calls: Record<string, number> = {};
    const ourStore = new DynamoSessionStore({
      tableBaseName: 'micro',
      client: createStubClient(() => ({ Item: served, ConsumedCapacity: { CapacityUnits: 1 } }), calls) as never,
      maintenanceIntervalSeconds: 0,
      openTelemetry: false,
      ...(encryption === undefined ? {} : { encryption }),
    });
    await ourStore.ready();
    const perOp = async (run: () => Promise<MicroResult>): Promise<MicroResult> => {
      for (const op of Object.keys(calls)) delete calls[op];
      const result = await run();
      const ops = result.opsPerBatch * (result.batches + 3);
      return { ...result, itemBytes: itemSizeBytes(served), callsPerOp: Object.fromEntries(Object.entries(calls).map(([op, count]) => [op, count / ops])) };
    };
    results.push(
      // Through the core with what the load learnt, as a request does (express-session hands the
      // store the request, whose record carries the load; outside a request there is none).
      await perOp(() => time(`store-read-only${suffix}`, `DynamoSessionStore: get + touch of an unchanged session (a read-only request), stub client${label}`, async () => {
        const loaded = await ourStore.core.get(sid);
        if (loaded === null) throw new Error('stub get returned nothing');
        await ourStore.core.touch(sid, loaded.session, { load: loaded.context });
        return loaded;
      }, n(1000), batches)),
    );
    let sequence = 0;
    results.push(
      await perOp(() => time(`store-changed${suffix}`, `DynamoSessionStore: get + set of a changed session (a writing request), stub client${label}`, async () => {
        const loaded = await ourStore.core.get(sid);
        if (loaded === null) throw new Error('stub get returned nothing');
        changeShopSession((loaded.session as unknown as { shop: ReturnType<typeof createShopSession> }).shop, (sequence += 1));
        await ourStore.core.set(sid, loaded.session, { load: loaded.context });
        return loaded;
      }, n(1000), batches)),
    );
    await ourStore.close();
  }

  // connect-dynamodb's path on the same stub, for scale.
  const DynamoDBStore = connectDynamoDb(session);
  const peerItem = { id: { S: `sess:${sid}` }, expires: { N: String(Math.floor(now / 1000) + 3600) }, type: { S: 'connect-session' }, sess: { S: JSON.stringify(record) } };
  const peer = new DynamoDBStore({ client: createStubClient(() => ({ Item: peerItem })) as never, table: 'micro', initialized: true });
  const peerGet = (): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => peer.get(sid, (error, value) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(value as Record<string, unknown>))));
  results.push(
    await time('peer-read-only', 'connect-dynamodb: get + touch of an unchanged session, same stub client', async () => {
      const loaded = await peerGet();
      await new Promise<void>((resolve) => peer.touch(sid, loaded as never, () => resolve()));
      return loaded;
    }, n(1000), batches),
  );
  if (sink === -1) console.log(sink); // keeps the results observable, so no work is optimised away
  return results;
}

/** A span exporter that drops what it is given: the SDK's whole path, without an exporter's I/O. */
const discardingExporter: SpanExporter = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: () => Promise.resolve(),
};

/**
 * The read-only request without OpenTelemetry (`openTelemetry: false`, the base row), then with
 * it: the API installed but no SDK registered (what every store pays once `@opentelemetry/api` is
 * in node_modules), and the SDK recording: a MeterProvider with a reader and a TracerProvider
 * sampling every span into a batch processor, with the AsyncLocalStorage context manager, as the
 * Node SDK sets them up. The context manager turns on Node's promise hooks for the whole process,
 * a cost every request of an instrumented application pays with or without this store, so the
 * SDK row is compared with the base row run with the context manager on too. Each pair runs
 * interleaved, so their difference holds on a busy machine.
 */
async function measureOpenTelemetry(
  base: DynamoSessionStore,
  storeOn: (options: DynamoSessionStoreOptions) => DynamoSessionStore,
  readOnly: (store: DynamoSessionStore) => Promise<unknown>,
  opsPerBatch: number,
  batches: number,
): Promise<MicroResult[]> {
  const noSdk = storeOn({});
  await noSdk.ready();
  const results = await timeInterleaved(
    [
      { name: 'store-read-only', what: 'DynamoSessionStore: get + touch of an unchanged session (a read-only request), stub client', op: () => readOnly(base) },
      { name: 'store-read-only-otel-api', what: 'The same with @opentelemetry/api installed and no SDK registered (no-op providers)', op: () => readOnly(noSdk) },
    ],
    opsPerBatch,
    batches,
  );
  await noSdk.close();

  const reader = new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE), exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(discardingExporter)] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const withSdk = storeOn({ openTelemetry: { meterProvider, tracerProvider } });
  try {
    await withSdk.ready();
    results.push(
      ...(await timeInterleaved(
        [
          { name: 'store-read-only-context', what: 'The base row again with an AsyncLocalStorage context manager registered (`openTelemetry: false`)', op: () => readOnly(base) },
          {
            name: 'store-read-only-otel-sdk',
            what: 'The same with the OpenTelemetry SDK recording: 3 spans (load, touch, GetItem) and every metric of the request',
            op: () => readOnly(withSdk),
          },
        ],
        opsPerBatch,
        batches,
      )),
    );
  } finally {
    await withSdk.close();
    await Promise.all([meterProvider.shutdown(), tracerProvider.shutdown()]);
    context.disable();
  }
  return results;
}

/** The median round trip of a 1.5 KB GetItem through the SDK on an idle server, one call at a time. */
export async function measureRoundTrip(endpoint: string, backend: string, calls: number): Promise<RoundTrip> {
  const counting = createCountingClient(endpoint);
  const { client } = counting;
  try {
    const table = `roundtrip-${Date.now()}`;
    await client.send(
      new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await waitActive(client, table);
    const { data } = encodeSessionData(sessionRecord(1));
    const item = buildSessionItem({ id: 'roundtrip-0001', data, version: 1, lastAccessedMs: Date.now(), expiresAtMs: Date.now() + 3_600_000 });
    await client.send(new PutItemCommand({ TableName: table, Item: item }));
    for (let i = 0; i < Math.min(200, calls); i += 1) await client.send(new GetItemCommand({ TableName: table, Key: { id: { S: 'roundtrip-0001' } }, ConsistentRead: true }));
    counting.reset();
    for (let i = 0; i < calls; i += 1) await client.send(new GetItemCommand({ TableName: table, Key: { id: { S: 'roundtrip-0001' } }, ConsistentRead: true }));
    const trips = counting.snapshot().roundTripsMs;
    return { backend, calls: trips.length, p50Ms: median(trips), p99Ms: percentile(trips, 0.99) };
  } finally {
    client.destroy();
  }
}
