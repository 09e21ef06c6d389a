import { performance } from 'node:perf_hooks';
import type { Request } from 'express';
import { Store, type SessionData } from 'express-session';
import type { SessionRecord } from '../codec/codec.js';
import type { DynamoSessionStoreOptions } from '../config/options.js';
import type { TableInfo } from '../expiry/strategy.js';
import type { MetricsSnapshot } from '../metrics/registry.js';
import {
  SessionStore,
  ensureRequestState,
  requestStateFor,
  type InspectedSession,
  type LoadContext,
  type RevokeOptions,
  type SaveHints,
  type UserIndexAdded,
  type UserSession,
} from '../store/index.js';
import { settle, type Callback } from './callback.js';

/**
 * What `get` learnt about each session object it returned, until express-session hands the object
 * to `createSession` with its request: there it moves into the request's record.
 */
const loadedBy = new WeakMap<object, { readonly id: string; readonly context: LoadContext }>();

/**
 * An express-session store that keeps sessions in DynamoDB, with expiry by table rotation (or
 * native TTL). Methods take callbacks as express-session expects, and return a promise when no
 * callback is given. It also works as the store of @fastify/session.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import session from 'express-session';
 * import { DynamoSessionStore, sessionTracker } from 'dynamo-session-manager';
 *
 * const store = new DynamoSessionStore({ tableBaseName: 'myapp-sessions', ignoreUris: '/static/.*' });
 * await store.ready();
 * const app = express();
 * app.use(sessionTracker(store));
 * app.use(session({ store, secret: process.env.SESSION_SECRET!, resave: false, saveUninitialized: false }));
 * ```
 */
export class DynamoSessionStore extends Store {
  readonly #core: SessionStore;

  /**
   * @param options - all optional; see {@link DynamoSessionStoreOptions}.
   * @throws {SessionManagerError} `config.invalidOption`, `config.unknownOption`, `config.conflictingOptions`.
   */
  constructor(options: DynamoSessionStoreOptions = {}) {
    super();
    this.#core = new SessionStore(options);
  }

  /** The framework-neutral store underneath, shared with the tracker and the other adapters. */
  get core(): SessionStore {
    return this.#core;
  }

  /** Loads a session; `null` when missing, expired, destroyed, corrupt or under a malformed id. */
  get<T extends object = SessionData>(sid: string, callback?: Callback<T | null>): Promise<T | null> | undefined {
    const work = this.#core.get(sid).then((loaded) => {
      if (loaded === null) return null;
      loadedBy.set(loaded.session, { id: sid, context: loaded.context });
      return loaded.session as unknown as T;
    });
    return settle(work, callback);
  }

  /** Saves a session: written only when new or changed, conditional on the version it was loaded at. */
  set<T extends object = SessionData>(sid: string, session: T, callback?: Callback<void>): Promise<void> | undefined {
    return settle(this.#save(sid, session, false), callback);
  }

  /** Marks a session as active: writes nothing unless it must move forward or its expiry is due for a refresh. */
  override touch<T extends object = SessionData>(sid: string, session: T, callback?: () => void): Promise<void> | undefined {
    return settle(this.#save(sid, session, true), callback as Callback<void> | undefined);
  }

  async #save(sid: string, session: object, touchOnly: boolean): Promise<void> {
    const record = session as unknown as SessionRecord;
    // The request's record has what its load learnt (and each save keeps it up to date). A session
    // saved outside any request (no record) replaces the stored one, as the Store contract says.
    const hints: SaveHints = { request: requestStateFor(session) };
    if (touchOnly) await this.#core.touch(sid, record, hints);
    else await this.#core.set(sid, record, hints);
  }

  /** Destroys a session everywhere it may be stored. */
  destroy(sid: string, callback?: Callback<void>): Promise<void> | undefined {
    const request = requestStateFor();
    if (request?.ignored !== undefined) return settle(Promise.resolve(), callback);
    return settle(this.#core.destroy(sid), callback);
  }

  /** Every live session by id. Scans the live tables: expensive. */
  override all(callback?: Callback<Record<string, SessionData>>): Promise<Record<string, SessionData>> | undefined {
    const work = this.#core.all().then((map) => Object.fromEntries(map) as unknown as Record<string, SessionData>);
    return settle(work, callback);
  }

  /** The number of live sessions. Scans: expensive. */
  override length(callback?: Callback<number>): Promise<number> | undefined {
    return settle(this.#core.length(), callback);
  }

  /** Deletes every session. Scans: expensive. */
  override clear(callback?: Callback<void>): Promise<void> | undefined {
    return settle(this.#core.clear(), callback);
  }

  /** Records what `get` learnt about this session in the request's record (created here without the tracker). */
  override createSession(req: Request, session: SessionData): ReturnType<Store['createSession']> {
    const loaded = loadedBy.get(session);
    if (loaded !== undefined) {
      loadedBy.delete(session);
      ensureRequestState(req, performance.now()).loads.set(loaded.id, loaded.context);
    }
    return super.createSession(req, session);
  }

  /** Resolves once the current period's table is ACTIVE and the previous one is known. */
  ready(): Promise<void> {
    return this.#core.ready();
  }

  /** Runs one round of table maintenance now. */
  maintain(): Promise<void> {
    return this.#core.maintain();
  }

  /** Resolves once background writes (sessions moving forward to the current table) are done. */
  flush(): Promise<void> {
    return this.#core.flush();
  }

  /** Stops background work and releases what the store built. Idempotent. */
  close(options: { readonly withinMs?: number } = {}): Promise<void> {
    return this.#core.close(options);
  }

  /** In-process metrics. */
  metrics(): MetricsSnapshot {
    return this.#core.metrics();
  }

  /** Known tables and their roles. */
  tables(): readonly TableInfo[] {
    return this.#core.tables();
  }

  /** One session for an operator, secret values masked unless `reveal`. */
  inspect(sid: string, options?: { reveal?: boolean }): Promise<InspectedSession | null> {
    return this.#core.inspect(sid, options);
  }

  /** A user's live sessions, newest first (needs `userIdOf`; see {@link SessionStore.listUserSessions}). */
  listUserSessions(userId: string): Promise<UserSession[]> {
    return this.#core.listUserSessions(userId);
  }

  /** Ends a user's sessions but `except`; how many it ended (see {@link SessionStore.revokeUserSessions}). */
  revokeUserSessions(userId: string, options?: RevokeOptions): Promise<number> {
    return this.#core.revokeUserSessions(userId, options);
  }

  /** Adds the user index to every live table that lacks it (see {@link SessionStore.addUserIndex}). */
  addUserIndex(): Promise<UserIndexAdded[]> {
    return this.#core.addUserIndex();
  }
}
