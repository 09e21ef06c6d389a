// OpenTelemetry beside statsd, with the real SDK: metrics through @opentelemetry/sdk-metrics and
// an in-memory exporter, spans through @opentelemetry/sdk-trace-base and an in-memory span
// exporter, context through AsyncLocalStorage, sessions in the run's dynalite.
import { context, metrics, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
  type Histogram,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import express from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DynamoSessionStore, METRIC, type DynamoSessionStoreOptions } from '../../src/index.js';
import { DURATION_BUCKETS_SECONDS, OTEL_ROUTES } from '../../src/metrics/otel/index.js';
import { createTestClient, uniqueBaseName } from '../support/dynamo.js';
import { createTestApp } from '../support/express-app.js';
import { expressUnderTest } from '../support/express-under-test.js';
import { CookieClient, serve } from '../support/http.js';

/** A real SDK: a MeterProvider with an in-memory exporter and a TracerProvider with an in-memory span exporter. */
function createSdk() {
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });
  return {
    meterProvider,
    tracerProvider,
    /** The metrics recorded so far, by name (the latest export, cumulative). */
    async metrics(): Promise<Map<string, MetricData>> {
      await reader.forceFlush();
      const exported = metricExporter.getMetrics().at(-1);
      const out = new Map<string, MetricData>();
      for (const scope of exported?.scopeMetrics ?? []) for (const metric of scope.metrics) out.set(metric.descriptor.name, metric);
      return out;
    },
    spans: (): ReadableSpan[] => spanExporter.getFinishedSpans(),
    async shutdown(): Promise<void> {
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
    },
  };
}
type Sdk = ReturnType<typeof createSdk>;

function sameAttributes(a: Attributes, b: Attributes): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/** The value of the data point of `metric` with exactly `attributes` (0 when there is none). */
function pointValue(metric: MetricData | undefined, attributes: Attributes): number {
  const point = (metric?.dataPoints as DataPoint<number | Histogram>[] | undefined)?.find((p) => sameAttributes(p.attributes, attributes));
  if (point === undefined) return 0;
  return typeof point.value === 'number' ? point.value : point.value.count;
}

/** Every string in every attribute, span event and span name, for the no-secrets checks. */
function everyRecordedString(sdk: Sdk, recorded: Map<string, MetricData>): string[] {
  const out: string[] = [];
  for (const span of sdk.spans()) {
    out.push(span.name, ...Object.values(span.attributes).map(String));
    for (const event of span.events) out.push(event.name, ...Object.values(event.attributes ?? {}).map(String));
  }
  for (const metric of recorded.values()) for (const point of metric.dataPoints) out.push(...Object.values(point.attributes).map(String));
  return out;
}

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function createStore(sdk: Sdk | undefined, options: DynamoSessionStoreOptions = {}): DynamoSessionStore {
  const client = createTestClient();
  const store = new DynamoSessionStore({
    ...(options.dynamoEndpoint === undefined ? { client } : {}),
    tableBaseName: uniqueBaseName('otel'),
    maintenanceIntervalSeconds: 0,
    ...(sdk === undefined ? {} : { openTelemetry: { meterProvider: sdk.meterProvider, tracerProvider: sdk.tracerProvider } }),
    ...options,
  });
  cleanups.push(async () => {
    await store.close();
    client.destroy();
  });
  return store;
}

function startSdk(): Sdk {
  const sdk = createSdk();
  cleanups.push(() => sdk.shutdown());
  return sdk;
}

/** A request's life on the core: load, change, save; then a read-only request; then a destroy. */
async function sessionLife(store: DynamoSessionStore, id: string): Promise<void> {
  const core = store.core;
  expect(await core.get(id)).toBeNull();
  const cookie = { originalMaxAge: 3_600_000, httpOnly: true, path: '/' };
  await core.set(id, { cookie, note: 'top-secret-value-123' });
  const loaded = await core.get(id);
  if (loaded === null) throw new Error('the saved session was not found');
  await core.touch(id, loaded.session, { load: loaded.context });
  const again = await core.get(id);
  if (again === null) throw new Error('the saved session was not found');
  await core.set(id, { ...again.session, note: 'another-secret-value-456' }, { load: again.context });
  await core.destroy(id);
}

describe('OpenTelemetry metrics', () => {
  it('records every statsd event into its OpenTelemetry instrument, with the same totals', async () => {
    const sdk = startSdk();
    const store = createStore(sdk);
    await store.ready();
    await sessionLife(store, 'otel-metrics-session-0001');
    const snapshot = store.metrics();
    const recorded = await sdk.metrics();

    const counters = Object.entries(OTEL_ROUTES).filter(([name, route]) => route.kind === 'record' && name in snapshot.counters);
    expect(counters.length).toBeGreaterThan(20);
    for (const [name, route] of counters) {
      if (route.kind !== 'record') continue;
      const statsd = snapshot.counters[name as keyof typeof snapshot.counters];
      const metric = recorded.get(route.metric);
      // Tagged counters (op:GetItem...) add up over their db.operation.name values.
      const otel = (metric?.dataPoints ?? [])
        .filter((point) => Object.entries(route.attributes).every(([key, value]) => point.attributes[key] === value))
        .filter((point) => Object.keys(point.attributes).every((key) => key in route.attributes || key === 'db.operation.name'))
        .reduce((sum, point) => sum + (point.value as number), 0);
      expect({ name, otel }).toEqual({ name, otel: statsd.total });
    }
    expect(pointValue(recorded.get('dsm.session.loads'), { 'dsm.outcome': 'miss' })).toBe(1);
    expect(pointValue(recorded.get('dsm.session.loads'), { 'dsm.outcome': 'hit', 'dsm.table.role': 'current' })).toBe(2);
    expect(pointValue(recorded.get('dsm.session.saves'), { 'dsm.outcome': 'put' })).toBe(snapshot.counters[METRIC.sessionSavePut].total);
    expect(snapshot.counters[METRIC.sessionSavePut].total).toBeGreaterThan(0);
    expect(pointValue(recorded.get('dsm.session.destroys'), {})).toBe(1);
    // Histograms: seconds for durations, bytes for sizes, one value per statsd value.
    expect(pointValue(recorded.get('dsm.session.load.duration'), {})).toBe(snapshot.timers['session.load'].count);
    expect(pointValue(recorded.get('dsm.session.size'), {})).toBe(snapshot.histograms['session.size'].count);
    expect(recorded.get('dsm.session.size')?.descriptor.unit).toBe('By');
  });

  it('records db.client.operation.duration per DynamoDB call, in seconds, named by the logical table and with millisecond buckets', async () => {
    const sdk = startSdk();
    // Table rotation: the physical table names differ from the logical one, which is the name recorded.
    const store = createStore(sdk, { expiry: 'rotation' });
    await store.ready();
    await sessionLife(store, 'otel-metrics-session-0002');
    const recorded = await sdk.metrics();
    const duration = recorded.get('db.client.operation.duration');
    expect(duration?.descriptor.unit).toBe('s');
    expect(duration?.dataPointType).toBe(DataPointType.HISTOGRAM);
    const points = (duration?.dataPoints ?? []) as DataPoint<Histogram>[];
    const base = store.core.options.tableBaseName;
    // Failed calls say why: the maintainer lease is read, and the table described, before the
    // first round has created it.
    const failed = points.filter((p) => p.attributes['error.type'] !== undefined);
    for (const point of failed) expect(point.attributes['error.type']).toBe('ResourceNotFoundException');
    const getItem = points.find((p) => p.attributes['db.operation.name'] === 'GetItem' && p.attributes['error.type'] === undefined);
    expect(getItem?.attributes).toEqual({ 'db.system.name': 'aws.dynamodb', 'db.operation.name': 'GetItem', 'db.collection.name': base });
    expect(getItem?.value.buckets.boundaries).toEqual([...DURATION_BUCKETS_SECONDS]);
    expect(getItem?.value.max).toBeLessThan(5); // seconds, not milliseconds
    // One value per call: the count of the histogram is statsd's dynamodb.calls.
    const calls = points.reduce((sum, p) => sum + p.value.count, 0);
    expect(calls).toBe(store.metrics().counters[METRIC.dynamodbCalls].total);
    const seconds = points.reduce((sum, p) => sum + (p.value.sum ?? 0), 0);
    expect(seconds).toBeCloseTo(store.metrics().timers[METRIC.dynamodbLatency].sumMs / 1000, 9);
    // Never a physical, rotating table name.
    const physical = store.core.tables().map((table) => table.name);
    expect(physical.length).toBeGreaterThan(0);
    for (const value of everyRecordedString(sdk, recorded)) for (const name of physical) expect(value).not.toContain(name);
  });

  it('marks failed calls with error.type: the DynamoDB error a call got, or the package code when none came', async () => {
    const sdk = startSdk();
    const store = createStore(sdk);
    await store.ready();
    const id = 'otel-conflict-session-0003';
    const cookie = { originalMaxAge: 3_600_000, httpOnly: true, path: '/' };
    await store.core.set(id, { cookie, a: 1 });
    const first = await store.core.get(id);
    const second = await store.core.get(id);
    if (first === null || second === null) throw new Error('the saved session was not found');
    await store.core.set(id, { ...first.session, a: 2 }, { load: first.context });
    await store.core.set(id, { ...second.session, b: 3 }, { load: second.context }); // conflicts, then merges
    const recorded = await sdk.metrics();
    const points = (recorded.get('db.client.operation.duration')?.dataPoints ?? []) as DataPoint<Histogram>[];
    expect(points.some((p) => p.attributes['error.type'] === 'ConditionalCheckFailedException')).toBe(true);
    expect(pointValue(recorded.get('dsm.session.conflicts'), {})).toBe(1);
    expect(pointValue(recorded.get('dsm.session.merges'), {})).toBe(1);
    // The save that conflicted shows it: events on its span, and the failed call a child without an error status.
    const saves = sdk.spans().filter((span) => span.name === 'dsm.session.save');
    const merged = saves.find((span) => span.events.some((event) => event.name === 'dsm.conflict'));
    expect(merged?.events.map((event) => event.name)).toEqual(expect.arrayContaining(['dsm.conflict', 'dsm.merge']));
    const failedCall = sdk.spans().find((span) => span.attributes['error.type'] === 'ConditionalCheckFailedException');
    expect(failedCall?.parentSpanContext?.spanId).toBe(merged?.spanContext().spanId);
    expect(failedCall?.status.code).toBe(0); // UNSET: an expected answer

    // No answer at all: a closed port.
    const down = createStore(sdk, { dynamoEndpoint: 'http://127.0.0.1:9', awsAccessKey: 'x', awsSecretKey: 'y', maxRetries: 0, createTables: false });
    await expect(down.core.get('otel-down-session-00004')).rejects.toMatchObject({ code: 'backend.unavailable' });
    const after = ((await sdk.metrics()).get('db.client.operation.duration')?.dataPoints ?? []) as DataPoint<Histogram>[];
    expect(after.some((p) => p.attributes['error.type'] === 'backend.unavailable')).toBe(true);
    const failedLoad = sdk.spans().find((span) => span.name === 'dsm.session.load' && span.attributes['error.type'] === 'backend.unavailable');
    expect(failedLoad?.status).toEqual({ code: 2, message: 'backend.unavailable' });
  });

  it('records through the global providers, even ones registered after the store was built (taken again by ready())', async () => {
    const sdk = startSdk();
    const store = createStore(undefined);
    metrics.setGlobalMeterProvider(sdk.meterProvider);
    trace.setGlobalTracerProvider(sdk.tracerProvider);
    cleanups.push(async () => {
      metrics.disable();
      trace.disable();
    });
    await store.ready();
    await store.core.get('otel-global-session-0005');
    const recorded = await sdk.metrics();
    expect(pointValue(recorded.get('dsm.session.loads'), { 'dsm.outcome': 'miss' })).toBe(1);
    const load = sdk.spans().find((span) => span.name === 'dsm.session.load');
    expect(load?.attributes['dsm.outcome']).toBe('miss');
    expect(sdk.spans().some((span) => span.parentSpanContext?.spanId === load?.spanContext().spanId)).toBe(true);
  });

  it('records nothing with openTelemetry: false, global providers or not', async () => {
    const sdk = startSdk();
    metrics.setGlobalMeterProvider(sdk.meterProvider);
    trace.setGlobalTracerProvider(sdk.tracerProvider);
    cleanups.push(async () => {
      metrics.disable();
      trace.disable();
    });
    const store = createStore(undefined, { openTelemetry: false });
    await store.ready();
    await sessionLife(store, 'otel-off-session-000006');
    expect([...(await sdk.metrics()).keys()]).toEqual([]);
    expect(sdk.spans()).toEqual([]);
    expect(store.metrics().counters[METRIC.sessionLoadMiss].total).toBe(1); // statsd's side goes on
  });
});

describe('OpenTelemetry spans', () => {
  it.each(['direct', 'sdk'] as const)(
    'nests the DynamoDB calls in the store operation, and the operation in the request (%s transport)',
    async (transport) => {
      const sdk = startSdk();
      const store = createStore(sdk, { transport });
      await store.ready();
      const tracer = sdk.tracerProvider.getTracer('test-app') as Tracer;
      // The application's request span, as HTTP instrumentation would start it.
      const app = express();
      app.use((req, res, next) => {
        const span = tracer.startSpan(`${req.method} ${req.path}`);
        res.on('finish', () => span.end());
        context.with(trace.setSpan(context.active(), span), next);
      });
      app.use(createTestApp(expressUnderTest(), store));
      const server = await serve(app);
      cleanups.push(() => server.close());
      const browser = new CookieClient(server.url);
      await browser.post('/set', { key: 'note', value: 'top-secret-value-789' });
      await browser.get('/peek');
      await store.flush();
      const id = browser.sessionId();
      if (id === undefined) throw new Error('no session cookie');

      const spans = sdk.spans();
      const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
      const parentOf = (span: ReadableSpan | undefined): ReadableSpan | undefined => byId.get(span?.parentSpanContext?.spanId ?? '');
      const load = spans.find((span) => span.name === 'dsm.session.load' && span.attributes['dsm.outcome'] === 'hit');
      expect(load).toBeDefined();
      expect(parentOf(load)?.name).toBe('GET /peek');
      expect(load?.attributes['dsm.table.role']).toBe('current');
      expect(load?.attributes['dsm.session.id_hash']).toMatch(/^id#[0-9a-f]{8}$/);
      const save = spans.find((span) => span.name === 'dsm.session.save');
      expect(parentOf(save)?.name).toBe('POST /set');
      expect(save?.attributes['dsm.outcome']).toBe('put');

      const base = store.core.options.tableBaseName;
      const getItem = spans.find((span) => span.name === `GetItem ${base}` && parentOf(span) === load);
      expect(getItem?.kind).toBe(2); // CLIENT
      expect(getItem?.attributes).toMatchObject({ 'db.system.name': 'aws.dynamodb', 'db.operation.name': 'GetItem', 'db.collection.name': base });
      expect(spans.some((span) => span.name === `PutItem ${base}` && parentOf(span) === save)).toBe(true);

      // Maintenance runs in traces of its own.
      const maintenance = spans.filter((span) => span.name === 'dsm.maintenance');
      expect(maintenance.length).toBeGreaterThan(0);
      for (const span of maintenance) expect(span.parentSpanContext).toBeUndefined();

      // No session id and no session value anywhere.
      for (const value of everyRecordedString(sdk, await sdk.metrics())) {
        expect(value).not.toContain(id);
        expect(value).not.toContain(id.slice(0, 12));
        expect(value).not.toContain('top-secret');
      }
    },
  );
});
