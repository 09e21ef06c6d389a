// Client-side encryption end to end, on the run's dynalite through a real Express app: what is
// stored, key rotation (re-encryption at the next write, `keyUsage` counts, a removed key),
// switching encryption on and off on a live table, tampered items, merges and moves on the
// plaintext, an adapter that fails, calls and capacity units unchanged, and `dsm get` / `dsm keys`.
import { randomBytes } from 'node:crypto';
import { GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DynamoSessionStore, type DynamoSessionStoreOptions, type EncryptionOptions } from '../../src/index.js';
import { run } from '../../src/cli/program.js';
import type { CounterName } from '../../src/metrics/names.js';
import { createTestClient, dropTablesWithPrefix, testEndpoint, uniqueBaseName } from '../support/dynamo.js';
import { createTestApp } from '../support/express-app.js';
import { expressUnderTest } from '../support/express-under-test.js';
import { CookieClient, serve, type RunningServer } from '../support/http.js';
import { createLocalEnvelopeAdapter } from '../support/local-envelope-adapter.js';
import { createManualClock, type ManualClock } from '../support/manual-clock.js';

const T0 = Date.UTC(2026, 10, 24, 10, 0, 5);
const K1 = { id: 'k1', key: randomBytes(32).toString('base64') };
const K2 = { id: 'k2', key: randomBytes(32).toString('base64') };
const admin = createTestClient();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => admin.destroy());

function newBase(label: string): string {
  const base = uniqueBaseName(`enc-${label}`);
  cleanups.push(() => dropTablesWithPrefix(admin, base));
  return base;
}

/** A ready store on `base` with `encryption`, its clock, closed after the test. */
async function storeOn(base: string, clock: ManualClock, encryption?: EncryptionOptions, options: DynamoSessionStoreOptions = {}): Promise<DynamoSessionStore> {
  const store = new DynamoSessionStore({
    dynamoEndpoint: testEndpoint(),
    tableBaseName: base,
    now: clock,
    maintenanceIntervalSeconds: 0,
    ...(encryption === undefined ? {} : { encryption }),
    ...options,
  });
  cleanups.push(() => store.close());
  await store.ready();
  return store;
}

/** An app on `store` and a browser for it; the browser can take another's cookies. */
async function appFor(store: DynamoSessionStore, cookies?: CookieClient): Promise<CookieClient> {
  const server: RunningServer = await serve(createTestApp(expressUnderTest(), store));
  cleanups.push(() => server.close());
  const browser = new CookieClient(server.url);
  for (const [name, value] of cookies?.cookies ?? []) browser.cookies.set(name, value);
  return browser;
}

/** The stored item of `id` in the store's current table. */
async function rawItem(store: DynamoSessionStore, id: string): Promise<Record<string, AttributeValue>> {
  const table = store.tables().find((t) => t.role === 'current')!.name;
  const out = await admin.send(new GetItemCommand({ TableName: table, Key: { id: { S: id } }, ConsistentRead: true }));
  return out.Item!;
}

/** What protects the stored data of `id`: its key id, or 'plaintext'. */
async function protectionOf(store: DynamoSessionStore, id: string): Promise<string> {
  const data = Buffer.from((await rawItem(store, id)).data!.B!);
  return data[0] === 2 ? data.toString('latin1', 3, 3 + (data[2] ?? 0)) : data[0] === 1 ? 'plaintext' : `format ${data[0]}`;
}

const counter = (store: DynamoSessionStore, name: CounterName): number => store.metrics().counters[name]?.total ?? 0;

/** Starts a session with `email` through `browser`; returns its id. */
async function startSession(browser: CookieClient, email = 'ann@example.com'): Promise<string> {
  expect((await browser.post('/set', { key: 'email', value: email })).status).toBe(200);
  return browser.sessionId()!;
}

describe('encrypted at rest', () => {
  it('stores the data encrypted under the first key, with nothing of the session in clear; the app reads it back', async () => {
    const clock = createManualClock(T0);
    const store = await storeOn(newBase('rest'), clock, { keys: [K1] });
    const browser = await appFor(store);
    const id = await startSession(browser);
    await browser.post('/set', { key: 'cart', value: Array.from({ length: 200 }, (_, i) => ({ sku: `sku-${i}`, name: 'a long product name' })) });
    const item = await rawItem(store, id);
    const data = Buffer.from(item.data!.B!);
    expect(await protectionOf(store, id)).toBe('k1');
    expect(data[1]).toBe(1); // deflated before it was encrypted
    for (const clear of ['ann@example.com', 'sku-1', 'cookie']) expect(data.includes(Buffer.from(clear))).toBe(false);
    // what the store reads without decrypting stays outside the ciphertext
    expect(item.version?.N).toBe('2');
    expect(Number(item.expiresAt?.N)).toBeGreaterThan(T0 / 1000);
    expect((await browser.get('/peek')).json).toMatchObject({ session: { email: 'ann@example.com' } });
    const inspected = await store.inspect(id, { reveal: true });
    expect(inspected).toMatchObject({ keyId: 'k1', session: { email: 'ann@example.com' }, dataBytes: data.length });
  });
});

describe('key rotation', () => {
  it('a new key first: old sessions are read, re-encrypted at their next write (a change, or a due refresh); keyUsage follows', async () => {
    const base = newBase('rotate');
    const clock = createManualClock(T0);
    const before = await storeOn(base, clock, { keys: [K1] });
    const browserA = await appFor(before);
    const browserB = await appFor(before);
    const a = await startSession(browserA, 'a@example.com');
    const b = await startSession(browserB, 'b@example.com');

    const after = await storeOn(base, clock, { keys: [K2, K1] });
    expect(await after.core.keyUsage()).toMatchObject({ byKey: { k1: 2 }, plaintext: 0, writeKeyId: 'k2', keyIds: ['k2', 'k1'] });
    const a2 = await appFor(after, browserA);
    const b2 = await appFor(after, browserB);
    // read-only, refresh not due: no write, still under k1
    expect((await a2.get('/peek')).json).toMatchObject({ id: a, session: { email: 'a@example.com' } });
    await after.flush();
    expect(await protectionOf(after, a)).toBe('k1');
    // a change: written under k2
    await a2.post('/set', { key: 'step', value: 2 });
    expect(await protectionOf(after, a)).toBe('k2');
    // an unchanged session whose refresh is due: rewritten under k2 (the cost of the refresh it replaces)
    clock.advance(400_000);
    const version = Number((await rawItem(after, b)).version!.N);
    expect((await b2.get('/peek')).json).toMatchObject({ id: b, session: { email: 'b@example.com' } });
    await after.flush();
    expect(await protectionOf(after, b)).toBe('k2');
    expect(Number((await rawItem(after, b)).version!.N)).toBe(version + 1);
    expect(await after.core.keyUsage()).toMatchObject({ byKey: { k2: 2 }, plaintext: 0, unreadable: 0 });
  });

  it('a key removed too early: its sessions are absent (counted, logged), the app answers 200 with a new session, and the item is left as it was', async () => {
    const base = newBase('removed');
    const clock = createManualClock(T0);
    const old = await storeOn(base, clock, { keys: [K1] });
    const browser = await appFor(old);
    const id = await startSession(browser);
    const stored = await rawItem(old, id);
    const warnings: Record<string, unknown>[] = [];
    const logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (fields: Record<string, unknown>) => warnings.push(fields) };
    const store = await storeOn(base, clock, { keys: [K2] }, { logger });
    const later = await appFor(store, browser);
    const answer = await later.get('/peek');
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ session: {} });
    expect((answer.json as { id: string }).id).not.toBe(id);
    expect((answer.json as { session: Record<string, unknown> }).session.email).toBeUndefined();
    expect(counter(store, 'session.load.undecryptable')).toBe(1);
    expect(counter(store, 'session.load.corrupt')).toBe(0);
    expect(warnings).toContainEqual(expect.objectContaining({ keyId: 'k1' }));
    expect(JSON.stringify(warnings)).not.toContain(id);
    expect(await rawItem(store, id)).toEqual(stored);
    await expect(store.core.set(id, { cookie: { originalMaxAge: null }, email: 'mallory@example.com' })).rejects.toMatchObject({ code: 'codec.corruptItem' });
    await expect(store.inspect(id)).rejects.toMatchObject({ code: 'encryption.undecryptable', details: { keyId: 'k1' } });
    expect(await rawItem(store, id)).toEqual(stored);
    expect(await store.core.keyUsage()).toMatchObject({ byKey: { k1: 1 }, writeKeyId: 'k2' });
  });
});

describe('switching on and off on a live table', () => {
  it('on: plaintext sessions are read while acceptPlaintext says so, and encrypted at their next write; refused otherwise', async () => {
    const base = newBase('on');
    const clock = createManualClock(T0);
    const plain = await storeOn(base, clock);
    const browser = await appFor(plain);
    const other = await appFor(plain);
    const id = await startSession(browser);
    const otherId = await startSession(other, 'bob@example.com');
    expect(await protectionOf(plain, id)).toBe('plaintext');

    const switching = await storeOn(base, clock, { keys: [K1], acceptPlaintext: true });
    expect(await switching.core.keyUsage()).toMatchObject({ plaintext: 2, byKey: {} });
    const b2 = await appFor(switching, browser);
    expect((await b2.get('/peek')).json).toMatchObject({ id, session: { email: 'ann@example.com' } });
    await b2.post('/set', { key: 'step', value: 1 });
    expect(await protectionOf(switching, id)).toBe('k1');
    expect((await b2.get('/peek')).json).toMatchObject({ id, session: { email: 'ann@example.com', step: 1 } });

    const strict = await storeOn(base, clock, { keys: [K1] });
    const o2 = await appFor(strict, other);
    const answer = await o2.get('/peek');
    expect(answer.status).toBe(200);
    expect((answer.json as { id: string }).id).not.toBe(otherId);
    expect(counter(strict, 'session.load.undecryptable')).toBe(1);
    expect(await protectionOf(strict, otherId)).toBe('plaintext');
  });

  it("off: write: 'plaintext' reads encrypted sessions with the keys and stores each in plaintext at its next write", async () => {
    const base = newBase('off');
    const clock = createManualClock(T0);
    const encrypting = await storeOn(base, clock, { keys: [K1] });
    const browser = await appFor(encrypting);
    const id = await startSession(browser);
    const switching = await storeOn(base, clock, { keys: [K1], write: 'plaintext' });
    const b2 = await appFor(switching, browser);
    expect((await b2.get('/peek')).json).toMatchObject({ id, session: { email: 'ann@example.com' } });
    expect(await protectionOf(switching, id)).toBe('k1');
    await b2.post('/set', { key: 'step', value: 1 });
    expect(await protectionOf(switching, id)).toBe('plaintext');
    const plain = await storeOn(base, clock);
    const b3 = await appFor(plain, browser);
    expect((await b3.get('/peek')).json).toMatchObject({ id, session: { email: 'ann@example.com', step: 1 } });
    expect(await switching.core.keyUsage()).toMatchObject({ plaintext: 1, byKey: {}, writeKeyId: undefined });
  });
});

describe('tampering and the plaintext operations', () => {
  it("a ciphertext copied onto another session's item is not served: absent, counted, 200", async () => {
    const clock = createManualClock(T0);
    const store = await storeOn(newBase('swap'), clock, { keys: [K1] });
    const alice = await appFor(store);
    const mallory = await appFor(store);
    const aliceId = await startSession(alice, 'alice@example.com');
    const malloryId = await startSession(mallory, 'mallory@example.com');
    const table = store.tables().find((t) => t.role === 'current')!.name;
    const aliceItem = await rawItem(store, aliceId);
    await admin.send(new PutItemCommand({ TableName: table, Item: { ...(await rawItem(store, malloryId)), data: aliceItem.data! } }));
    const answer = await mallory.get('/peek');
    expect(answer.status).toBe(200);
    expect(JSON.stringify(answer.json)).not.toContain('alice@example.com');
    expect(counter(store, 'session.load.undecryptable')).toBe(1);
    expect((await alice.get('/peek')).json).toMatchObject({ session: { email: 'alice@example.com' } });
  });

  it('concurrent requests merge key by key, and a session moves to the next table re-encrypted, on the plaintext', async () => {
    const base = newBase('merge');
    const clock = createManualClock(T0);
    const store = await storeOn(base, clock, { keys: [K2, K1] }, { tableRotationSeconds: 600 });
    const core = store.core;
    const id = 'merge-session-0001-abcdefghij';
    await core.set(id, { cookie: { originalMaxAge: null }, a: 0, b: 0 });
    const first = (await core.get(id))!;
    const second = (await core.get(id))!;
    await core.set(id, { ...first.session, a: 1 }, { load: first.context });
    expect(await core.set(id, { ...second.session, b: 2 }, { load: second.context })).toMatchObject({ reason: 'merged' });
    expect((await core.get(id))?.session).toMatchObject({ a: 1, b: 2 });
    expect(await protectionOf(store, id)).toBe('k2');
    // the next period: an unchanged session moves forward (fence + copy), decrypted and encrypted again
    clock.advance(600_000);
    await store.maintain();
    const loaded = (await core.get(id))!;
    expect(loaded.context.table.role).toBe('previous');
    await core.touch(id, loaded.session, { load: loaded.context });
    await store.flush();
    expect(await protectionOf(store, id)).toBe('k2');
    expect((await core.get(id))?.session).toMatchObject({ a: 1, b: 2 });
  });
});

describe('keys managed elsewhere', () => {
  it('an adapter encrypts and decrypts; when it fails, the request fails (encryption.failed) and the session is kept', async () => {
    const clock = createManualClock(T0);
    const adapter = createLocalEnvelopeAdapter(['kms-1']);
    const store = await storeOn(newBase('adapter'), clock, { adapter });
    const browser = await appFor(store);
    const id = await startSession(browser);
    expect(await protectionOf(store, id)).toBe('kms-1');
    expect((await browser.get('/peek')).json).toMatchObject({ id, session: { email: 'ann@example.com' } });
    adapter.down = true;
    const failed = await browser.get('/peek');
    expect(failed.status).toBe(500);
    expect(failed.json).toMatchObject({ code: 'encryption.failed' });
    expect(counter(store, 'session.load.undecryptable')).toBe(0);
    adapter.down = false;
    expect((await browser.get('/peek')).json).toMatchObject({ id, session: { email: 'ann@example.com' } });
  });
});

describe('costs', () => {
  it('the same requests make the same DynamoDB calls and consume the same read units with encryption on and off, and at most one write unit more per write', async () => {
    const figures = async (encryption?: EncryptionOptions) => {
      const store = await storeOn(newBase('cost'), createManualClock(T0), encryption);
      const browser = await appFor(store);
      await startSession(browser);
      for (let i = 0; i < 5; i += 1) await browser.get('/peek');
      await browser.post('/set', { key: 'cart', value: Array.from({ length: 30 }, (_, i) => ({ sku: `sku-${i}`, qty: i })) });
      await browser.get('/peek');
      const m = store.metrics().counters;
      return { calls: m['dynamodb.calls']?.byTag, read: m['capacity.read']?.total, write: m['capacity.write']?.total };
    };
    const off = await figures();
    const on = await figures({ keys: [K1] });
    expect(on.calls).toEqual(off.calls);
    expect(on.read).toBe(off.read);
    // An item grows by the key id and 29 bytes: a write within those bytes of a 1 KB step (here
    // the cart's) takes one unit more, never more than that.
    const writes = (off.calls?.['op:PutItem'] ?? 0) + (off.calls?.['op:UpdateItem'] ?? 0);
    expect(on.write).toBeGreaterThanOrEqual(off.write ?? 0);
    expect(on.write).toBeLessThanOrEqual((off.write ?? 0) + writes);
    // the maintainer lease read at start: GetItem; a new session: PutItem; 5 read-only requests:
    // GetItem each, no write; a change: GetItem + PutItem; then GetItem
    expect(off.calls).toMatchObject({ 'op:GetItem': 8, 'op:PutItem': 2 });
    expect(off.calls?.['op:UpdateItem']).toBeUndefined();
    expect(off.read).toBeGreaterThan(0);
    expect(off.write).toBeGreaterThan(0);
  });
});

describe('dsm with encryption keys', () => {
  it('dsm get decrypts with DSM_ENCRYPTION_KEYS, refuses without them; dsm keys counts sessions by key without any key', async () => {
    const base = newBase('cli');
    const store = await storeOn(base, createManualClock(Date.now()), { keys: [K2, K1] });
    const browser = await appFor(store);
    const id = await startSession(browser);
    const dsm = async (argv: string[], extra: Record<string, string> = {}) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await run(argv, {
        stdout: (t) => out.push(t),
        stderr: (t) => err.push(t),
        env: { DSM_ENDPOINT: testEndpoint(), DSM_TABLE_BASE_NAME: base, ...extra },
        waitForStop: () => new Promise(() => undefined),
      });
      return { code, stdout: out.join(''), stderr: err.join('') };
    };
    const keys = JSON.stringify([K2, K1]);
    const got = await dsm(['get', '--json', '--reveal', id], { DSM_ENCRYPTION_KEYS: keys });
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ keyId: 'k2', session: { email: 'ann@example.com' } });
    const refused = await dsm(['get', id]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^encryption\.undecryptable: .*\nhint: .*DSM_ENCRYPTION_KEYS/);
    const text = await dsm(['keys'], { DSM_ENCRYPTION_KEYS: keys });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/k2\s+1\s+encrypts new writes/);
    expect(text.stdout).toContain('No live session is protected by k1');
    const counted = await dsm(['keys', '--json']);
    expect(JSON.parse(counted.stdout)).toEqual({ keys: [{ id: 'k2', sessions: 1, given: false, encrypts: false }], plaintext: 0, unreadable: 0, removable: [] });
    const bad = await dsm(['keys'], { DSM_ENCRYPTION_KEYS: '[{"id":"k1","key":"c2hvcnQ="}]' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('encryption.keys[0].key');
    expect(bad.stderr).not.toContain('c2hvcnQ=');
    expect(bad.stderr).toContain('DSM_ENCRYPTION_KEYS');
  });
});
