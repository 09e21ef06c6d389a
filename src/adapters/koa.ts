// dynamo-session-manager/koa: a koa-session external store, and the request tracker as Koa middleware.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DynamoSessionStoreOptions } from '../config/options.js';
import { safeLog } from '../logging/logger.js';
import { SessionStore, type LoadedSession } from '../store/index.js';
import { coreOf, findCore } from '../tracker/core-of.js';
import { sessionTracker, type SessionTrackerOptions, type TrackedStore } from '../tracker/middleware.js';
import { requestScope, requestStateOf, type RequestState } from '../store/index.js';
import { fromKoaSession, toKoaSession, type KoaSessionData } from './koa/session-data.js';

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

/** What one request loaded and wrote, by session key. */
interface KoaRequestRecord {
  readonly loaded: Map<string, LoadedSession>;
  readonly written: Set<string>;
}

/** The per-request records of each store, for the tracker's refresh of unsaved sessions. */
const requestRecords = new WeakMap<KoaSessionStore, (ctx: object) => KoaRequestRecord | undefined>();

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
  const records = new WeakMap<object, KoaRequestRecord>();
  const recordOf = (ctx: object): KoaRequestRecord => {
    let record = records.get(ctx);
    if (record === undefined) {
      record = { loaded: new Map(), written: new Set() };
      records.set(ctx, record);
    }
    return record;
  };

  const store: KoaSessionStore | OwnedKoaSessionStore = {
    core,
    async get(key, _maxAge, options = {}) {
      const loaded = await core.get(key);
      if (loaded === null) return null;
      if (isObject(options.ctx)) recordOf(options.ctx).loaded.set(key, loaded);
      return toKoaSession(loaded.session);
    },
    async set(key, session, _maxAge, options = {}) {
      const record = fromKoaSession(session);
      const ctx = isObject(options.ctx) ? options.ctx : undefined;
      const requestRecord = ctx === undefined ? undefined : recordOf(ctx);
      const hints = { load: requestRecord?.loaded.get(key)?.context, request: stateOf(ctx) };
      // Without a context there is no load to compare with; then koa-session's own flag says
      // whether the data changed, and an unchanged session is only refreshed, never rewritten.
      const result = ctx === undefined && options.changed === false ? await core.touch(key, record, hints) : await core.set(key, record, hints);
      if (requestRecord !== undefined) {
        requestRecord.written.add(key);
        if (result.context !== undefined) requestRecord.loaded.set(key, { session: record, context: result.context });
      }
    },
    async destroy(key, options = {}) {
      const ctx = isObject(options.ctx) ? options.ctx : undefined;
      if (stateOf(ctx)?.ignored !== undefined) return;
      await core.destroy(key);
      if (ctx !== undefined) {
        const record = recordOf(ctx);
        record.written.add(key);
        record.loaded.delete(key);
      }
    },
    ready: () => core.ready(),
    ...(shared === undefined ? { close: () => core.close() } : {}),
  };
  requestRecords.set(store, (ctx) => records.get(ctx));
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
  const recordsOf = requestRecords.get(store as KoaSessionStore);
  let warnedOrder = false;

  return async function trackKoaSession(ctx, next) {
    if (!warnedOrder && (recordsOf?.(ctx)?.loaded.size ?? 0) > 0) {
      warnedOrder = true;
      safeLog(core.options.logger, 'warn', {}, 'koaSessionTracker runs after koa-session: mount it before, or ignore rules and refreshes do not apply');
    }
    await new Promise<void>((resolve, reject) => {
      track(ctx.req, ctx.res, () => {
        next().then(() => resolve(), reject);
      });
    });
    const state = requestStateOf(ctx.req);
    if (state === undefined) return;
    if (state.ignored !== undefined || state.degraded) {
      if (!state.stored) dropSessionCookies(ctx);
      return;
    }
    const record = recordsOf?.(ctx);
    if (record === undefined) return;
    for (const [key, loaded] of record.loaded) {
      if (record.written.has(key)) continue;
      await core.touch(key, loaded.session, { load: loaded.context, request: state });
    }
  };
}

function stateOf(ctx: object | undefined): RequestState | undefined {
  return requestStateOf((ctx as { req?: unknown } | undefined)?.req) ?? requestScope.getStore();
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** Removes koa-session's cookie (and its signature) from the response: nothing was stored. */
function dropSessionCookies(ctx: KoaContextLike): void {
  if (ctx.res.headersSent) return;
  const header = ctx.res.getHeader('set-cookie');
  if (header === undefined) return;
  const name = ctx.sessionOptions?.key ?? 'koa.sess';
  const entries = Array.isArray(header) ? header : [String(header)];
  const kept = entries.filter((entry) => {
    const cookieName = entry.slice(0, Math.max(entry.indexOf('='), 0)).trim();
    return cookieName !== name && cookieName !== `${name}.sig`;
  });
  if (kept.length === entries.length) return;
  if (kept.length === 0) ctx.res.removeHeader('set-cookie');
  else ctx.res.setHeader('set-cookie', kept);
}
