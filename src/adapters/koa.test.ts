import Koa from 'koa';
import session, { type CreateSessionOptions } from 'koa-session';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import { SessionStore } from '../store/index.js';
import { koaSessionStore, koaSessionTracker, type KoaSessionData, type KoaSessionStore, type OwnedKoaSessionStore } from './koa.js';

// No server behind this endpoint: these tests never reach DynamoDB.
const options = { dynamoEndpoint: 'http://127.0.0.1:9', maintenanceIntervalSeconds: 0 };

describe('koaSessionStore', () => {
  const owned = koaSessionStore(options);
  const core = new SessionStore(options);
  afterAll(async () => {
    await owned.close();
    await core.close();
  });

  it('owns a core built from options, and only then has close()', () => {
    expect(owned.core).toBeInstanceOf(SessionStore);
    expect(typeof owned.close).toBe('function');
    const shared = koaSessionStore(core);
    expect(shared.core).toBe(core);
    expect(koaSessionStore({ core }).core).toBe(core);
    expect('close' in shared).toBe(false);
  });

  it('fails on invalid options with the option named', () => {
    expect(() => koaSessionStore({ tableRotationSeconds: -5 })).toThrow(/`tableRotationSeconds`/);
  });

  it('answers a malformed key with null, without a call', async () => {
    await expect(owned.get('has space', 1000, { rolling: false, ctx: {} })).resolves.toBeNull();
    await expect(owned.get(42 as never)).resolves.toBeNull();
  });

  it('rejects, never throws, a session it cannot store', async () => {
    const saving = owned.set('valid-session-key-01', { cookie: 1 });
    expect(saving).toBeInstanceOf(Promise);
    await expect(saving).rejects.toMatchObject({ code: 'codec.unserializable' });
  });

  it('has the types of its contract', () => {
    expectTypeOf(koaSessionStore(options)).toEqualTypeOf<OwnedKoaSessionStore>();
    expectTypeOf(koaSessionStore(core)).toEqualTypeOf<KoaSessionStore>();
    expectTypeOf(koaSessionStore()).toEqualTypeOf<OwnedKoaSessionStore>();
    expectTypeOf(owned.get).returns.toEqualTypeOf<Promise<KoaSessionData | null>>();
    expectTypeOf(owned.set).returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf<KoaSessionStore>().not.toHaveProperty('close');
    // What koa-session and Koa expect.
    expectTypeOf<KoaSessionStore>().toMatchTypeOf<NonNullable<CreateSessionOptions['store']>>();
    const app = new Koa();
    app.use(koaSessionTracker(owned));
    app.use(session({ store: owned }, app));
    expect(app.middleware).toHaveLength(2);
  });
});

describe('koaSessionTracker', () => {
  it('refuses what is not a store, and bad rules, naming the option', () => {
    const store = koaSessionStore(options);
    expect(() => koaSessionTracker({} as never)).toThrow(/Option `store` must be/);
    expect(() => koaSessionTracker(store, { ignoreUris: '(' })).toThrow(/`ignoreUris`/);
    expect(() => koaSessionTracker(store, { ignoreUrls: '/x' } as never)).toThrow(/Unknown option `ignoreUrls`/);
    return store.close();
  });
});
