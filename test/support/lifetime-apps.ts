import fastifyCookie from '@fastify/cookie';
import fastifySession, { type FastifySessionOptions } from '@fastify/session';
import express from 'express';
import session from 'express-session';
import Fastify from 'fastify';
import Koa from 'koa';
import koaSession from 'koa-session';
import { DynamoSessionStore, sessionTracker, type DynamoSessionStoreOptions, type SessionStore } from 'dynamo-session-manager';
import { fastifySessionTracker } from 'dynamo-session-manager/fastify';
import { koaSessionStore, koaSessionTracker } from 'dynamo-session-manager/koa';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CookieClient, serve } from './http.js';

/** The three frameworks the store serves. */
export const FRAMEWORKS = ['express', 'fastify', 'koa'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** 30 days: the remember-me lifetime of the apps below. */
export const REMEMBER_ME_MS = 30 * 24 * 3_600_000;

/** How an app's sessions live, in each framework's own terms. */
export interface LifetimeAppOptions {
  /** The session cookie's lifetime for every session; undefined for a browser-session cookie. */
  readonly maxAgeMs?: number;
  /** Renew the cookie on every response (express-session and @fastify/session `rolling`, koa-session `rolling`). @default false (Fastify: its default, true) */
  readonly rolling?: boolean;
}

/** A running app, its store, and a way to make browsers. */
export interface LifetimeApp {
  /** The core store (the same in every framework): maintenance, metrics, direct reads. */
  readonly core: SessionStore;
  readonly url: string;
  browser(): CookieClient;
  /** Resolves once every response so far has closed and the work the store does after responses is done. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** Tracks responses until they close: adapters start after-response work in close-time hooks. */
function responseWatch(): { watch(res: ServerResponse): void; closed(): Promise<void> } {
  const open = new Set<Promise<void>>();
  return {
    watch(res) {
      const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
      open.add(closed);
      void closed.then(() => open.delete(closed));
    },
    async closed() {
      while (open.size > 0) await Promise.all([...open]);
      // Hooks run on the same 'close'/'finish' turn: let them start their work before flushing.
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

/**
 * Starts an app of `framework` on the store, with the same routes in each: `POST /login`
 * (`{ user, remember }`: remember-me sets the cookie's lifetime to 30 days, the way each framework
 * does it), `GET /me` (read-only), `POST /set` (`{ key, value }`) and `POST /logout`.
 */
export async function startLifetimeApp(framework: Framework, storeOptions: DynamoSessionStoreOptions, app: LifetimeAppOptions = {}): Promise<LifetimeApp> {
  if (framework === 'express') return await startExpress(storeOptions, app);
  if (framework === 'fastify') return await startFastify(storeOptions, app);
  return await startKoa(storeOptions, app);
}

async function startExpress(storeOptions: DynamoSessionStoreOptions, options: LifetimeAppOptions): Promise<LifetimeApp> {
  const store = new DynamoSessionStore(storeOptions);
  await store.ready();
  const app = express();
  app.use(express.json());
  app.use(sessionTracker(store));
  app.use(
    session({
      store,
      secret: 'a lifetime test secret, long enough',
      resave: false,
      saveUninitialized: false,
      rolling: options.rolling ?? false,
      cookie: options.maxAgeMs === undefined ? {} : { maxAge: options.maxAgeMs },
    }),
  );
  app.post('/login', (req, res) => {
    const { user, remember } = req.body as { user: string; remember?: boolean };
    (req.session as unknown as Record<string, unknown>).user = user;
    if (remember === true) req.session.cookie.maxAge = REMEMBER_ME_MS;
    res.json({ ok: true });
  });
  app.get('/me', (req, res) => {
    res.json({ user: (req.session as unknown as Record<string, unknown>).user ?? null });
  });
  app.post('/set', (req, res) => {
    const { key, value } = req.body as { key: string; value: unknown };
    (req.session as unknown as Record<string, unknown>)[key] = value;
    res.json({ ok: true });
  });
  app.post('/logout', (req, res, next) => {
    req.session.destroy((err) => (err ? next(err) : res.json({ ok: true })));
  });
  const responses = responseWatch();
  const server = await serve((req: IncomingMessage, res: ServerResponse) => {
    responses.watch(res);
    app(req, res);
  });
  const settled = async () => {
    await responses.closed();
    await store.flush();
  };
  return { core: store.core, url: server.url, browser: () => new CookieClient(server.url), settled, close: async () => {
    await server.close();
    await store.close();
  } };
}

async function startFastify(storeOptions: DynamoSessionStoreOptions, options: LifetimeAppOptions): Promise<LifetimeApp> {
  const store = new DynamoSessionStore(storeOptions);
  await store.ready();
  const app = Fastify();
  await app.register(fastifyCookie);
  await app.register(fastifySessionTracker, { store });
  await app.register(fastifySession, {
    secret: 'a fastify lifetime secret, 32 chars or more',
    store: store as NonNullable<FastifySessionOptions['store']>,
    saveUninitialized: false,
    rolling: options.rolling ?? true,
    cookie: { secure: 'auto', ...(options.maxAgeMs === undefined ? {} : { maxAge: options.maxAgeMs }) },
  });
  app.post('/login', async (request) => {
    const { user, remember } = request.body as { user: string; remember?: boolean };
    request.session.set('user' as never, user as never);
    if (remember === true) request.session.cookie.maxAge = REMEMBER_ME_MS;
    return { ok: true };
  });
  app.get('/me', async (request) => ({ user: request.session.get('user' as never) ?? null }));
  app.post('/set', async (request) => {
    const { key, value } = request.body as { key: string; value: unknown };
    request.session.set(key as never, value as never);
    return { ok: true };
  });
  app.post('/logout', async (request) => {
    await request.session.destroy();
    return { ok: true };
  });
  const responses = responseWatch();
  app.server.on('request', (_req: IncomingMessage, res: ServerResponse) => responses.watch(res));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const settled = async () => {
    await responses.closed();
    await store.flush();
  };
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  return { core: store.core, url, browser: () => new CookieClient(url), settled, close: async () => {
    await app.close();
    await store.close();
  } };
}

async function readJson(req: NodeJS.ReadableStream): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length === 0 ? {} : (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
}

async function startKoa(storeOptions: DynamoSessionStoreOptions, options: LifetimeAppOptions): Promise<LifetimeApp> {
  const store = koaSessionStore(storeOptions);
  await store.ready();
  const app = new Koa();
  app.keys = ['a koa lifetime signing key'];
  app.use(koaSessionTracker(store));
  // koa-session's default is a one-day cookie; 'session' is its browser-session cookie.
  app.use(koaSession({ store, maxAge: options.maxAgeMs ?? 'session', rolling: options.rolling ?? false }, app));
  app.use(async (ctx) => {
    const route = `${ctx.method} ${ctx.path}`;
    const s = ctx.session!;
    if (route === 'POST /login') {
      const { user, remember } = await readJson(ctx.req);
      s.user = user;
      if (remember === true) s.maxAge = REMEMBER_ME_MS;
      ctx.body = { ok: true };
    } else if (route === 'GET /me') {
      ctx.body = { user: s.user ?? null };
    } else if (route === 'POST /set') {
      const { key, value } = await readJson(ctx.req);
      s[key as string] = value;
      ctx.body = { ok: true };
    } else if (route === 'POST /logout') {
      ctx.session = null;
      ctx.body = { ok: true };
    } else {
      ctx.status = 404;
    }
  });
  const handle = app.callback();
  const responses = responseWatch();
  const server = await serve((req, res) => {
    responses.watch(res);
    void handle(req, res);
  });
  const settled = async () => {
    await responses.closed();
    await store.core.flush();
  };
  return { core: store.core, url: server.url, browser: () => new CookieClient(server.url), settled, close: async () => {
    await server.close();
    await store.close();
  } };
}
