// Issue 14: the request helpers (listMySessions, signOutOtherDevices) through real Express,
// Fastify and Koa apps over HTTP, on dynalite: a user signed in on three browsers lists them
// ("signed in on", the current one marked, no session id in the page) and signs out the others.
import fastifyCookie from '@fastify/cookie';
import fastifySession, { type FastifySessionOptions } from '@fastify/session';
import Fastify from 'fastify';
import Koa from 'koa';
import koaSession from 'koa-session';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import session from 'express-session';
import { DynamoSessionStore, isSessionManagerError, listMySessions, sessionTracker, signOutOtherDevices } from 'dynamo-session-manager';
import * as fastifyHelpers from 'dynamo-session-manager/fastify';
import * as koaHelpers from 'dynamo-session-manager/koa';
import { createTestClient, dropTablesWithPrefix, testEndpoint, uniqueBaseName } from '../support/dynamo.js';
import { expressUnderTest } from '../support/express-under-test.js';
import { CookieClient, serve } from '../support/http.js';

const admin = createTestClient();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => admin.destroy());

async function newStore(label: string): Promise<DynamoSessionStore> {
  const base = uniqueBaseName(`usa-${label}`);
  const store = new DynamoSessionStore({
    dynamoEndpoint: testEndpoint(),
    tableBaseName: base,
    maintenanceIntervalSeconds: 0,
    userIdOf: (s) => (typeof s.user === 'string' ? s.user : undefined),
    revokeSecondPassMs: 0,
  });
  cleanups.push(async () => {
    await store.close();
    await dropTablesWithPrefix(admin, base);
  });
  await store.ready();
  return store;
}

/** What the app answers for an error: 401 for a request without a signed-in user. */
function statusOf(error: unknown): number {
  return isSessionManagerError(error, 'user.notSignedIn') ? 401 : 500;
}

interface Listed {
  ref: string;
  current: boolean;
  device?: { agent?: string };
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

/**
 * The scenario every framework runs: three browsers sign in as alice (one also has a session of
 * bob), one lists the sessions and signs out the others.
 */
async function scenario(url: string, cookieName: string): Promise<void> {
  const [phone, laptop, tablet, other] = [0, 1, 2, 3].map(() => new CookieClient(url)) as [CookieClient, CookieClient, CookieClient, CookieClient];
  expect((await phone.get('/sessions')).status).toBe(401); // no session, no user
  for (const [browser, user, agent] of [[phone, 'alice', 'phone'], [laptop, 'alice', 'laptop'], [tablet, 'alice', 'tablet'], [other, 'bob', 'desk']] as const) {
    expect((await browser.post('/sign-in', { user, agent })).status).toBe(200);
  }
  const page = await laptop.get('/sessions');
  expect(page.status).toBe(200);
  const listed = page.json as Listed[];
  expect(listed).toHaveLength(3);
  expect(listed.filter((s) => s.current).map((s) => s.device?.agent)).toEqual(['laptop']);
  expect(listed.map((s) => s.device?.agent).sort()).toEqual(['laptop', 'phone', 'tablet']);
  for (const s of listed) {
    expect(s.ref).toMatch(/^[0-9a-f]{16}$/);
    expect(Object.keys(s).sort()).toEqual(['createdAt', 'current', 'device', 'expiresAt', 'lastSeenAt', 'ref']);
  }
  for (const browser of [phone, laptop, tablet, other]) {
    const cookie = decodeURIComponent(browser.cookies.get(cookieName) ?? '');
    const id = cookie.startsWith('s:') ? cookie.slice(2, cookie.lastIndexOf('.')) : cookie.split('.')[0]!;
    expect(id.length).toBeGreaterThanOrEqual(8);
    expect(page.body).not.toContain(id);
  }
  const signedOut = await laptop.post('/sign-out-others');
  expect(signedOut.json).toEqual({ ended: 2 });
  expect((await phone.get('/whoami')).json).toEqual({ user: null });
  expect((await tablet.get('/whoami')).json).toEqual({ user: null });
  expect((await laptop.get('/whoami')).json).toEqual({ user: 'alice' });
  expect((await other.get('/whoami')).json).toEqual({ user: 'bob' });
  expect(((await laptop.get('/sessions')).json as Listed[]).map((s) => [s.device?.agent, s.current])).toEqual([['laptop', true]]);
}

describe('request helpers', () => {
  it('Express: listMySessions and signOutOtherDevices', async () => {
    const store = await newStore('express');
    const { express } = expressUnderTest();
    const app = express();
    app.use(express.json());
    app.use(sessionTracker(store));
    app.use(session({ store, secret: 'an express session secret for the test', resave: false, saveUninitialized: false }));
    app.post('/sign-in', (req, res) => {
      const { user, agent } = req.body as { user: string; agent: string };
      req.session.user = user;
      req.session.device = { agent };
      res.json({ ok: true });
    });
    app.get('/whoami', (req, res) => {
      res.json({ user: req.session.user ?? null });
    });
    app.get('/sessions', (req, res) => {
      listMySessions(req).then((list) => res.json(list), (error: unknown) => res.status(statusOf(error)).json({ code: (error as { code?: string }).code }));
    });
    app.post('/sign-out-others', (req, res) => {
      signOutOtherDevices(req).then((ended) => res.json({ ended }), (error: unknown) => res.status(statusOf(error)).json({}));
    });
    const server = await serve(app);
    cleanups.push(() => server.close());
    await scenario(server.url, 'connect.sid');
  });

  it('Fastify: listMySessions and signOutOtherDevices from dynamo-session-manager/fastify', async () => {
    const store = await newStore('fastify');
    const app = Fastify();
    await app.register(fastifyCookie);
    await app.register(fastifyHelpers.fastifySessionTracker, { store });
    await app.register(fastifySession, { secret: 'a fastify session secret, 32 chars or more', store: store as unknown as NonNullable<FastifySessionOptions['store']>, cookie: { secure: false }, saveUninitialized: false });
    app.post('/sign-in', async (request) => {
      const { user, agent } = request.body as { user: string; agent: string };
      request.session.set('user', user);
      request.session.set('device', { agent });
      return { ok: true };
    });
    app.get('/whoami', async (request) => ({ user: request.session.get('user') ?? null }));
    app.get('/sessions', async (request, reply) => {
      try {
        return await fastifyHelpers.listMySessions(request);
      } catch (error) {
        return await reply.code(statusOf(error)).send({});
      }
    });
    app.post('/sign-out-others', async (request) => ({ ended: await fastifyHelpers.signOutOtherDevices(request) }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => app.close());
    const address = app.server.address() as { port: number };
    await scenario(`http://127.0.0.1:${address.port}`, 'sessionId');
  });

  it('Koa: listMySessions and signOutOtherDevices from dynamo-session-manager/koa', async () => {
    const core = await newStore('koa');
    const store = koaHelpers.koaSessionStore(core);
    const app = new Koa();
    app.keys = ['a koa signing key for the tests'];
    app.use(koaHelpers.koaSessionTracker(store));
    app.use(koaSession({ store, signed: false }, app));
    app.use(async (ctx) => {
      const route = `${ctx.method} ${ctx.path}`;
      if (route === 'POST /sign-in') {
        const chunks: Buffer[] = [];
        for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
        const { user, agent } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { user: string; agent: string };
        ctx.session!.user = user;
        ctx.session!.device = { agent };
        ctx.body = { ok: true };
      } else if (route === 'GET /whoami') {
        ctx.body = { user: ctx.session?.user ?? null };
      } else if (route === 'GET /sessions') {
        try {
          ctx.body = await koaHelpers.listMySessions(ctx);
        } catch (error) {
          ctx.status = statusOf(error);
          ctx.body = {};
        }
      } else if (route === 'POST /sign-out-others') {
        ctx.body = { ended: await koaHelpers.signOutOtherDevices(ctx) };
      }
    });
    const handle = app.callback();
    const server = await serve((req, res) => void handle(req, res));
    cleanups.push(() => server.close());
    await scenario(server.url, 'koa.sess');
  });

  it('sign out other devices in the request that signs in keeps that new session', async () => {
    const store = await newStore('fresh');
    const { express } = expressUnderTest();
    const app = express();
    app.use(express.json());
    app.use(session({ store, secret: 'an express session secret for the test', resave: false, saveUninitialized: false }));
    app.post('/sign-in-only-here', (req, res) => {
      req.session.user = 'alice';
      signOutOtherDevices(req).then((ended) => res.json({ ended }), (error: unknown) => res.status(statusOf(error)).json({}));
    });
    app.get('/whoami', (req, res) => {
      res.json({ user: req.session.user ?? null });
    });
    const server = await serve(app);
    cleanups.push(() => server.close());
    const old = new CookieClient(server.url);
    const fresh = new CookieClient(server.url);
    await store.set('x'.repeat(24), { cookie: { originalMaxAge: null, expires: null }, user: 'alice' } as never);
    expect((await old.get('/whoami')).json).toEqual({ user: null });
    expect((await fresh.post('/sign-in-only-here')).json).toEqual({ ended: 1 });
    expect((await fresh.get('/whoami')).json).toEqual({ user: 'alice' }); // its own first save read the marker and was kept
    expect(await store.get('x'.repeat(24))).toBeNull();
  });

  it('Koa: signing out other devices in the request that signs in a new session keeps that session (koa-session\'s own key)', async () => {
    const core = await newStore('koa-fresh');
    const store = koaHelpers.koaSessionStore(core);
    const app = new Koa();
    app.use(koaHelpers.koaSessionTracker(store));
    app.use(koaSession({ store, signed: false }, app));
    app.use(async (ctx) => {
      if (ctx.path === '/sign-in-only-here') {
        ctx.session!.user = 'alice';
        ctx.body = { ended: await koaHelpers.signOutOtherDevices(ctx) };
      } else {
        ctx.body = { user: ctx.session?.user ?? null };
      }
    });
    const handle = app.callback();
    const server = await serve((req, res) => void handle(req, res));
    cleanups.push(() => server.close());
    await core.core.set('y'.repeat(24), { cookie: { originalMaxAge: null, expires: null }, user: 'alice' });
    const fresh = new CookieClient(server.url);
    expect((await fresh.get('/sign-in-only-here')).json).toEqual({ ended: 1 });
    expect((await fresh.get('/whoami')).json).toEqual({ user: 'alice' });
    expect(await core.core.get('y'.repeat(24))).toBeNull();
  });
});
