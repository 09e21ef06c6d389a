import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { DynamoSessionStore, SessionStore, type DynamoSessionStoreOptions, type LoadContext } from 'dynamo-session-manager';
import { koaSessionStore } from 'dynamo-session-manager/koa';
import { createTestClient, dropTablesWithPrefix, testEndpoint, uniqueBaseName } from '../support/dynamo.js';

/**
 * The store contract, run through every adapter: the express-session store (callbacks, the same
 * object @fastify/session uses), the same store's promise form, the koa-session external store,
 * and the core. Each adapter is reduced to the same three async calls; every case below must hold
 * for each. Framework behaviour (HTTP, cookies, parallel requests) is in the integration suites.
 */
interface ContractStore {
  get(id: string): Promise<Record<string, unknown> | null>;
  set(id: string, session: Record<string, unknown>): Promise<void>;
  destroy(id: string): Promise<void>;
  close(): Promise<void>;
}

const cookie = { originalMaxAge: null, expires: null, httpOnly: true, path: '/' };

const viaCallbacks = (store: DynamoSessionStore): ContractStore => ({
  get: (id) => new Promise((resolve, reject) => void store.get(id, (err, value) => (err ? reject(err as Error) : resolve((value ?? null) as Record<string, unknown> | null)))),
  set: (id, session) => new Promise((resolve, reject) => void store.set(id, session as never, (err) => (err ? reject(err as Error) : resolve()))),
  destroy: (id) => new Promise((resolve, reject) => void store.destroy(id, (err) => (err ? reject(err as Error) : resolve()))),
  close: () => store.close(),
});

const adapters: [string, (options: DynamoSessionStoreOptions) => ContractStore][] = [
  ['express-session / @fastify/session store, callbacks', (options) => viaCallbacks(new DynamoSessionStore(options))],
  [
    'express-session store, promises',
    (options) => {
      const store = new DynamoSessionStore(options);
      return {
        get: async (id) => ((await store.get(id)) ?? null) as Record<string, unknown> | null,
        set: async (id, session) => void (await store.set(id, session as never)),
        destroy: async (id) => void (await store.destroy(id)),
        close: () => store.close(),
      };
    },
  ],
  [
    'koa-session external store',
    (options) => {
      const store = koaSessionStore(options);
      // koa-session's shape: no `cookie`, the expiry in `_expire` / `_maxAge`.
      const toKoa = ({ cookie: _cookie, ...data }: Record<string, unknown>) => ({ ...data, _expire: Date.now() + 86_400_000, _maxAge: 86_400_000 });
      // koa-session passes the request's context to every call; the store keeps each load's version there.
      const contexts = new Map<string, object>();
      return {
        get: async (id) => {
          const ctx = {};
          contexts.set(id, ctx);
          return await store.get(id, 86_400_000, { ctx });
        },
        set: async (id, session) => await store.set(id, toKoa(session), 86_400_000, { ctx: contexts.get(id) ?? {}, changed: true }),
        destroy: async (id) => await store.destroy(id, {}),
        close: () => store.close(),
      };
    },
  ],
  [
    'core SessionStore',
    (options) => {
      const store = new SessionStore(options);
      // The core's callers keep what each load learnt and hand it back with the save.
      const loads = new Map<string, LoadContext>();
      return {
        get: async (id) => {
          const loaded = await store.get(id);
          if (loaded !== null) loads.set(id, loaded.context);
          return loaded?.session ?? null;
        },
        set: async (id, session) => {
          const result = await store.set(id, { cookie, ...session } as never, { load: loads.get(id) });
          if (result.context !== undefined) loads.set(id, result.context);
        },
        destroy: (id) => store.destroy(id),
        close: () => store.close(),
      };
    },
  ],
];

const admin = createTestClient();
const bases: string[] = [];
const open: ContractStore[] = [];
afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
  for (const base of bases.splice(0)) await dropTablesWithPrefix(admin, base);
});
afterAll(() => admin.destroy());

// Every adapter over both transports of the item operations: direct (the default) and the SDK's.
const cases = adapters.flatMap(([name, create]) => (['direct', 'sdk'] as const).map((transport) => [`${name}, ${transport} transport`, create, transport] as const));

describe.each(cases)('store contract: %s', (_name, create, transport) => {
  async function make(): Promise<ContractStore> {
    const base = uniqueBaseName('contract');
    bases.push(base);
    const store = create({ dynamoEndpoint: testEndpoint(), tableBaseName: base, maintenanceIntervalSeconds: 0, transport });
    open.push(store);
    return store;
  }
  const session = (data: Record<string, unknown>) => ({ cookie, ...data });

  it('answers null for a session that was never stored', async () => {
    const store = await make();
    expect(await store.get('never-stored-0000001')).toBeNull();
  });

  it('stores a session and reads it back', async () => {
    const store = await make();
    await store.set('contract-session-001', session({ user: 'ada', cart: [{ sku: 'a', qty: 2 }] }));
    expect(await store.get('contract-session-001')).toMatchObject({ user: 'ada', cart: [{ sku: 'a', qty: 2 }] });
  });

  it('replaces a session with its new state, removals included', async () => {
    const store = await make();
    await store.set('contract-session-002', session({ a: 1, b: 2 }));
    const loaded = (await store.get('contract-session-002'))!;
    delete loaded.b;
    loaded.a = 3;
    await store.set('contract-session-002', loaded);
    const stored = await store.get('contract-session-002');
    expect(stored).toMatchObject({ a: 3 });
    expect(stored).not.toHaveProperty('b');
  });

  it('destroys a session, and destroying it again succeeds', async () => {
    const store = await make();
    await store.set('contract-session-003', session({ a: 1 }));
    await store.destroy('contract-session-003');
    expect(await store.get('contract-session-003')).toBeNull();
    await store.destroy('contract-session-003');
  });

  it('treats malformed ids as absent, without an error', async () => {
    const store = await make();
    for (const id of ['', 'short', 'has spaces in it', 'x'.repeat(300)]) {
      expect(await store.get(id)).toBeNull();
      await store.destroy(id);
    }
  });

  it('refuses an oversize session with codec.itemTooLarge and keeps the stored one', async () => {
    const store = await make();
    await store.set('contract-session-004', session({ small: true }));
    const huge = randomBytes(450_000).toString('base64'); // incompressible: over 400 KB even deflated
    await expect(store.set('contract-session-004', session({ huge }))).rejects.toMatchObject({ code: 'codec.itemTooLarge' });
    expect(await store.get('contract-session-004')).toMatchObject({ small: true });
  });
});
