// dynamo-session-manager/koa: a koa-session external store, and the request tracker as Koa middleware.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { DynamoSessionStoreOptions } from '../config/options.js';
import { safeLog } from '../logging/logger.js';
import { coreOf, findCore } from '../tracker/core-of.js';
import { sessionTracker, type SessionTrackerOptions, type TrackedStore } from '../tracker/middleware.js';
import { SessionStore, ensureRequestState, requestStateFor, type RequestState } from '../store/index.js';
import { dropSetCookies, isCookieNamed } from '../tracker/set-cookie.js';
import { fromKoaSession, toKoaSession, type KoaSessionData } from './koa/session-data.js';
import { listSessionsOfRequest, signOutOthersOfRequest, type MySession, type RequestSessionFacts } from './user-sessions.js';

export type { MySession } from './user-sessions.js';

export type { KoaSessionData } from './koa/session-data.js';

/** The third argument of koa-session's `store.get`. */
export interface KoaStoreGetOptions {
  /** The Koa context of the request; koa-session passes it. */
  readonly ctx?: object;
  readonly rolling?: boolean;
}

/** The fourth argument of koa-session's `store.set`. */
export interface KoaStoreSetOptions {
  /** The Koa context of the request; koa-session passes it. */
  readonly ctx?: object;
  readonly rolling?: boolean;
  /** koa-session's own change detection: false for a rolling, renewed or forced save. */
  readonly changed?: boolean;
}

/** The second argument of koa-session's `store.destroy`. */
export interface KoaStoreDestroyOptions {
  readonly ctx?: object;
}

/** A koa-session external store backed by the core store. */
export interface KoaSessionStore {
  /**
   * Loads a session: `null` when missing, expired, destroyed, corrupt or under a malformed key.
   * Rejects with `backend.*` when DynamoDB fails and `onBackendError` is `'fail'`.
   */
  get(key: string, maxAge?: number | 'session', options?: KoaStoreGetOptions): Promise<KoaSessionData | null>;
  /**
   * Saves a session: written only when new or changed since this request loaded it, conditional
   * on the version it loaded (merged key by key after a concurrent write); an unchanged session
   * is refreshed only when its refresh is due. Rejects with `codec.*`, `store.conflict`, `backend.*`.
   */
  set(key: string, session: KoaSessionData, maxAge?: number | 'session', options?: KoaStoreSetOptions): Promise<void>;
  /** Destroys a session everywhere it may be stored; nothing for an ignored request. */
  destroy(key: string, options?: KoaStoreDestroyOptions): Promise<void>;
  /** Resolves once the current period's table is ACTIVE. */
  ready(): Promise<void>;
  /** The core store: metrics, tables, maintenance, inspection. */
  readonly core: SessionStore;
}

/** A koa-session store built from options: it owns its core store and closes it. */
export interface OwnedKoaSessionStore extends KoaSessionStore {
  /** Stops background work and releases what the store built. Idempotent. */
  close(): Promise<void>;
}

/**
 * A koa-session external store that keeps sessions in DynamoDB with the same guarantees as the
 * Express store: a read-only request costs one GetItem and no write, saves are conditional on the
 * version the request loaded (parallel requests merge, a destroyed session stays destroyed), and
 * bad keys and corrupt items are sessions that do not exist.
 *
 * Built from options, it owns a new core store (`ready()` before serving, `close()` at shutdown);
 * given a `DynamoSessionStore` or a `SessionStore`, it shares it.
 *
 * @throws {SessionManagerError} `config.*` for invalid options.
 * @example
 * ```ts
 * const store = koaSessionStore({ tableBaseName: 'myapp-sessions', ignoreUris: '/static/.*' });
 * await store.ready();
 * app.use(koaSessionTracker(store));
 * app.use(session({ store }, app));
 * ```
 */
export function koaSessionStore(options?: DynamoSessionStoreOptions): OwnedKoaSessionStore;
export function koaSessionStore(store: TrackedStore): KoaSessionStore;
export function koaSessionStore(storeOrOptions: DynamoSessionStoreOptions | TrackedStore = {}): KoaSessionStore | OwnedKoaSessionStore {
  const shared = findCore(storeOrOptions);
  const core = shared ?? new SessionStore(storeOrOptions as DynamoSessionStoreOptions);
  /** The request's record, through the Node request koa-session's context carries (created here without the tracker). */
  const recordOf = (ctx: object | undefined): RequestState | undefined => {
    const req = (ctx as { req?: unknown } | undefined)?.req;
    return isObject(req) ? ensureRequestState(req, performance.now()) : requestStateFor();
  };

  const store: KoaSessionStore | OwnedKoaSessionStore = {
    core,
    async get(key, _maxAge, options = {}) {
      const record = recordOf(options.ctx);
      const loaded = await core.get(key);
      if (loaded === null) return null;
      record?.loads.set(key, loaded.context);
      record?.sessions.set(key, loaded.session);
      return toKoaSession(loaded.session);
    },
    async set(key, session, _maxAge, options = {}) {
      const data = fromKoaSession(session);
      const record = isObject(options.ctx) ? recordOf(options.ctx) : undefined;
      // Without a context there is no load to compare with; then koa-session's own flag says
      // whether the data changed, and an unchanged session is only refreshed, never rewritten.
      if (record === undefined && options.changed === false) await core.touch(key, data, {});
      else await core.set(key, data, { request: record });
      if (record !== undefined) {
        record.written.add(key);
        record.sessions.set(key, data);
      }
    },
    async destroy(key, options = {}) {
      const record = isObject(options.ctx) ? recordOf(options.ctx) : requestStateFor();
      if (record?.ignored !== undefined) return;
      await core.destroy(key);
      record?.written.add(key);
      record?.loads.delete(key);
      record?.sessions.delete(key);
    },
    ready: () => core.ready(),
    ...(shared === undefined ? { close: () => core.close() } : {}),
  };
  return store;
}

/** The part of a Koa context the tracker uses. */
export interface KoaContextLike {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** koa-session's options of this request, for the name of its cookie. */
  readonly sessionOptions?: { readonly key?: string } | undefined;
}

/** A Koa middleware. */
export type KoaMiddleware = (ctx: KoaContextLike, next: () => Promise<unknown>) => Promise<void>;

/**
 * The request tracker as Koa middleware: mount it **before** koa-session. It
 *
 * - applies the ignore rules (the store's `ignoreUris` / `ignoreHeaders`, or its own): an ignored
 *   request can read its session, but nothing is written or destroyed for it and no session
 *   cookie is set, changed or cleared;
 * - after koa-session has committed, refreshes a session the request used but koa-session did
 *   not save (its default, `rolling: false`, never tells the store a session was used), so
 *   rotation keeps active sessions; the refresh writes nothing unless the session must move to
 *   the current table or its refresh is due;
 * - keeps a degraded request (`onBackendError: 'anonymous'`) from replacing the user's cookie;
 * - counts and times requests, like the Express tracker.
 *
 * @param store - the store given to koa-session (from {@link koaSessionStore}); a
 *   `DynamoSessionStore` or `SessionStore` gives rules and metrics only.
 * @param options - ignore rules overriding the store's.
 * @throws {SessionManagerError} `config.invalidOption` for an invalid pattern, `config.unknownOption` for a typo.
 * @example
 * ```ts
 * app.use(koaSessionTracker(store, { ignoreUris: '/(static|health)/.*' }));
 * app.use(session({ store }, app));
 * ```
 */
export function koaSessionTracker(store: KoaSessionStore | TrackedStore, options: SessionTrackerOptions = {}): KoaMiddleware {
  const core = coreOf(store, 'the store given to koa-session (from koaSessionStore), a DynamoSessionStore or a SessionStore');
  const track = sessionTracker(core, options);
  let warnedOrder = false;

  return async function trackKoaSession(ctx, next) {
    if (!warnedOrder && (requestStateFor(ctx.req)?.sessions.size ?? 0) > 0) {
      warnedOrder = true;
      safeLog(core.options.logger, 'warn', {}, 'koaSessionTracker runs after koa-session: mount it before, or ignore rules and refreshes do not apply');
    }
    await new Promise<void>((resolve, reject) => {
      track(ctx.req, ctx.res, () => {
        next().then(() => resolve(), reject);
      });
    });
    const state = requestStateFor(ctx.req);
    if (state === undefined) return;
    if (state.ignored !== undefined || state.degraded) {
      if (!state.stored) dropSetCookies(ctx.res, isCookieNamed(ctx.sessionOptions?.key ?? 'koa.sess'));
      return;
    }
    for (const [key, session] of state.sessions) {
      if (state.written.has(key)) continue;
      await core.touch(key, session, { request: state });
    }
  };
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** The part of a Koa context the user session helpers read (koa-session's `session` and `sessionOptions`). */
export interface KoaSessionContextLike {
  readonly req: IncomingMessage;
  readonly session?: unknown;
  readonly sessionOptions?: { readonly store?: unknown } | undefined;
}

/**
 * The key of the request's session: the one this store loaded or saved in the request, else the
 * one koa-session made for a new session (its per-request context keeps it as `externalKey`).
 */
function sessionKeyOf(ctx: KoaSessionContextLike): string | undefined {
  const state = requestStateFor(ctx.req);
  const known = [...(state?.loads.keys() ?? []), ...(state?.written ?? [])][0];
  if (known !== undefined) return known;
  const symbol = Object.getOwnPropertySymbols(ctx).find((s) => s.description === 'contextSession instance');
  const key = symbol === undefined ? undefined : (ctx as unknown as Record<symbol, { externalKey?: unknown } | undefined>)[symbol]?.externalKey;
  return typeof key === 'string' ? key : undefined;
}

function factsOf(ctx: KoaSessionContextLike): RequestSessionFacts {
  const session = ctx.session as { toJSON?: () => unknown } | null | undefined;
  return {
    store: ctx.sessionOptions?.store,
    session: typeof session?.toJSON === 'function' ? fromKoaSession(session.toJSON()) : undefined,
    sessionId: sessionKeyOf(ctx),
  };
}

/**
 * The signed-in user's live sessions ("signed in on"), newest first: each with its device facts,
 * `ref` (a short handle, never the session key) and whether it is this request's (`current`).
 * Needs the store's `userIdOf` (docs/user-sessions.md), which gets the session as stored (koa's
 * data with a `cookie`).
 *
 * @param ctx - a Koa context that went through koa-session with a `koaSessionStore`.
 * @throws {SessionManagerError} `user.notSignedIn`, `config.userIndexOff`, `backend.*`.
 * @example
 * ```ts
 * router.get('/account/sessions', async (ctx) => { ctx.body = await listMySessions(ctx); });
 * ```
 */
export async function listMySessions(ctx: KoaSessionContextLike): Promise<MySession[]> {
  return await listSessionsOfRequest(factsOf(ctx));
}

/**
 * Ends every other session of the signed-in user ("sign out other devices"), keeping this
 * request's session.
 *
 * @param ctx - a Koa context that went through koa-session with a `koaSessionStore`.
 * @returns how many sessions were ended.
 * @throws {SessionManagerError} `user.notSignedIn`, `config.userIndexOff`, `backend.*`.
 */
export async function signOutOtherDevices(ctx: KoaSessionContextLike): Promise<number> {
  return await signOutOthersOfRequest(factsOf(ctx));
}
