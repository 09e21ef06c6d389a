import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DynamoSessionStore, type DynamoSessionStoreOptions, type Logger } from '../../src/index.js';
import { createCountingClient, type CountingClient } from '../support/counting-client.js';
import { createTestClient, dropTablesWithPrefix, uniqueBaseName, waitUntilTableGone } from '../support/dynamo.js';
import { createTestApp, type TestAppOptions } from '../support/express-app.js';
import { expressUnderTest } from '../support/express-under-test.js';
import { CookieClient, serve, type RunningServer } from '../support/http.js';

const admin = createTestClient();
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => admin.destroy());

interface LogLine {
  level: keyof Logger;
  fields: Record<string, unknown>;
  message: string | undefined;
}

function recordingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: keyof Logger) => (fields: Record<string, unknown>, message?: string) => lines.push({ level, fields, message });
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

/** Resolves when `promise` settles or after `timeoutMs`, whichever comes first. */
async function settledWithin(promise: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  await Promise.race([promise.then(() => undefined, () => undefined), timeout]);
  clearTimeout(timer);
}

async function start(options: DynamoSessionStoreOptions = {}, app: TestAppOptions = {}) {
  const counting: CountingClient = createCountingClient();
  const base = uniqueBaseName('tracker');
  const store = new DynamoSessionStore({ client: counting.client, tableBaseName: base, maintenanceIntervalSeconds: 0, ...options });
  await store.ready();
  const server: RunningServer = await serve(createTestApp(expressUnderTest(), store, app));
  cleanups.push(async () => {
    await server.close();
    await store.close();
    counting.client.destroy();
    await dropTablesWithPrefix(admin, base);
  });
  return { store, counting, browser: () => new CookieClient(server.url) };
}

describe('sessionTracker through express + express-session', () => {
  it('writes nothing and issues no cookie for an ignored path, even with saveUninitialized', async () => {
    const h = await start({ ignoreUris: '/static/.*' }, { session: { saveUninitialized: true } });
    const b = h.browser();
    h.counting.reset();
    const res = await b.get('/static/app.css');
    expect(res.status).toBe(200);
    expect(res.setCookie).toEqual([]);
    expect(h.counting.counts()).toEqual({});
    expect(h.store.metrics().counters['session.save.skipped_ignored'].total).toBe(1);
    expect(h.store.metrics().counters['request.ignored'].total).toBe(1);
  });

  it('lets an ignored request read its session but stores none of its changes', async () => {
    const h = await start({ ignoreUris: '/static/.*' });
    const b = h.browser();
    await b.get('/count');
    h.counting.reset();
    await b.get('/static/app.css'); // adds 1000 views in memory
    expect(h.counting.counts()).toEqual({ GetItem: 1 });
    expect((await b.get('/count')).json).toEqual({ views: 2 });
  });

  it('ignores requests with a matching header name, case-insensitively', async () => {
    const h = await start({ ignoreHeaders: 'x-no-session' });
    const b = h.browser();
    await b.get('/count');
    h.counting.reset();
    await b.get('/count', { 'X-No-Session': '1' });
    expect(h.counting.writes()).toBe(0);
    expect((await b.get('/peek')).json).toMatchObject({ session: { views: 1 } });
  });

  it('accepts the Tomcat spellings ignoreUri / ignoreHeader and tracker-level overrides', async () => {
    const h = await start({ ignoreUri: '/never' }, { tracker: { ignoreUris: '/static/.*' } });
    const b = h.browser();
    h.counting.reset();
    await b.get('/static/app.css');
    expect(h.counting.counts()).toEqual({});
    await b.get('/count');
    expect(h.counting.writes()).toBe(1);
  });

  it('fails at construction on an invalid pattern, naming the option', () => {
    expect(() => new DynamoSessionStore({ ignoreUris: '(' })).toThrow(/`ignoreUris`/);
    const store = new DynamoSessionStore({ dynamoEndpoint: 'http://127.0.0.1:9', maintenanceIntervalSeconds: 0 });
    cleanups.push(() => store.close());
    return import('../../src/index.js').then(({ sessionTracker }) => {
      expect(() => sessionTracker(store, { ignoreHeaders: '[' })).toThrow(/`ignoreHeaders`/);
      expect(() => sessionTracker(store, { ignoreUrls: '/x' } as never)).toThrow(/Unknown option `ignoreUrls`.*ignoreUris/);
    });
  });

  it('stores ordinary and nested changes, and writes nothing for an unchanged session', async () => {
    const h = await start();
    const b = h.browser();
    await b.post('/cart/add', { sku: 'pear' });
    h.counting.reset();
    await b.post('/cart/add', { sku: 'pear' }); // qty 1 -> 2, in place
    expect(h.counting.counts()).toEqual({ GetItem: 1, PutItem: 1 });
    h.counting.reset();
    await b.get('/peek');
    await b.post('/set', { key: 'cart', value: { items: [{ sku: 'pear', qty: 2 }] } }); // equal value
    expect(h.counting.writes()).toBe(0);
    expect(h.store.metrics().counters['session.save.skipped_unchanged'].total).toBeGreaterThanOrEqual(1);
    expect(h.store.metrics().timers['request.duration'].count).toBeGreaterThanOrEqual(4);
  });
});

describe('metrics over statsd', () => {
  let socket: Socket | undefined;
  afterEach(() => {
    socket?.close();
    socket = undefined;
  });

  it('sends timers, counters, the size histogram and capacity to a real UDP socket', async () => {
    // Each expected line: exactly this text, or a line matching this pattern.
    const expected: (string | RegExp)[] = [
      /^dsmtest\.session\.load:\d+(\.\d+)?\|ms$/,
      /^dsmtest\.session\.save:\d+(\.\d+)?\|ms$/,
      'dsmtest.session.save.put:1|c',
      'dsmtest.session.load.hit_current:1|c',
      /^dsmtest\.session\.size:\d+\|h$/,
      /^dsmtest\.dynamodb\.calls:1\|c\|#op:GetItem$/,
      /^dsmtest\.capacity\.read:(0\.5|1)\|c/,
      /^dsmtest\.capacity\.write:1\|c/,
      'dsmtest.table.created:1|c',
      /^dsmtest\.request\.duration:\d+(\.\d+)?\|ms$/,
    ];
    const lines: string[] = [];
    const missing = () => expected.filter((e) => !lines.some((line) => (typeof e === 'string' ? line === e : e.test(line))));
    let allArrived!: () => void;
    const arrived = new Promise<void>((resolve) => (allArrived = resolve));
    socket = createSocket('udp4');
    socket.on('message', (msg) => {
      lines.push(...msg.toString().split('\n').filter(Boolean));
      if (missing().length === 0) allArrived();
    });
    await new Promise<void>((resolve) => socket!.bind(0, '127.0.0.1', resolve));
    const port = (socket.address() as AddressInfo).port;
    const h = await start({ statsdHost: '127.0.0.1', statsdPort: port, statsdPrefix: 'dsmtest' });
    const b = h.browser();
    await b.get('/count');
    await b.get('/peek');
    await h.store.close(); // flushes the statsd buffer
    await settledWithin(arrived, 5000); // the packets are on their way: wait for them, at most 5 s
    expect(missing(), `received: ${JSON.stringify(lines)}`).toEqual([]);
  });

  it('keeps serving when statsd is unreachable', async () => {
    const h = await start({ statsdHost: 'statsd.invalid', statsdPort: 9 });
    const b = h.browser();
    expect((await b.get('/count')).json).toEqual({ views: 1 });
    expect((await b.get('/count')).json).toEqual({ views: 2 });
  });
});

describe('logs', () => {
  it('logs table changes at info, per-request detail at debug, never a whole session id', async () => {
    const { logger, lines } = recordingLogger();
    const h = await start({ logger, logSessionContents: true, secretKeys: ['pin'] });
    const b = h.browser();
    await b.post('/set', { key: 'password', value: 'hunter2' });
    await b.post('/set', { key: 'userPin', value: '1234' });
    await b.get('/peek');
    const id = b.sessionId()!;
    const text = JSON.stringify(lines);
    expect(text).not.toContain(id);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('"1234"');
    expect(lines.some((l) => l.level === 'info' && l.message === 'Created session table')).toBe(true);
    const saved = lines.filter((l) => l.level === 'debug' && l.message === 'Session saved');
    expect(saved.length).toBeGreaterThanOrEqual(2);
    expect(saved.at(-1)?.fields.contents).toMatchObject({ password: '[masked]', userPin: '[masked]' });
    expect(lines.some((l) => l.level === 'debug' && l.message === 'Session loaded' && Array.isArray(l.fields.keys))).toBe(true);
    for (const l of lines) if (l.level !== 'debug') expect(l.fields).not.toHaveProperty('contents');
  });

  it('logs faults at warn or error with the operation and the table', async () => {
    const { logger, lines } = recordingLogger();
    const h = await start({ logger });
    const base = h.store.tables().find((t) => t.role === 'current')!.name;
    await dropTablesWithPrefix(admin, base);
    await waitUntilTableGone(admin, base);
    await expect(h.store.get('some-session-id-000001')).rejects.toMatchObject({ code: 'backend.tableMissing' });
    const fault = lines.find((l) => l.level === 'warn' && l.message === 'Session load failed');
    expect(fault?.fields).toMatchObject({ op: 'load', code: 'backend.tableMissing' });
    expect(String(fault?.fields.message)).toContain(base);
  });
});
