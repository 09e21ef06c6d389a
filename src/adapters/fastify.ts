// dynamo-session-manager/fastify: the request tracker as a Fastify plugin, for @fastify/session.

import type { FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import type { SessionRecord } from '../codec/codec.js';
import { rejectUnknownKeys } from '../config/validate.js';
import { SessionManagerError } from '../errors.js';
import { coreOf } from '../tracker/core-of.js';
import { sessionTracker, type SessionTrackerOptions, type TrackedStore } from '../tracker/middleware.js';
import { requestScope, requestStateFor } from '../store/index.js';
import { listSessionsOfRequest, signOutOthersOfRequest, type MySession, type RequestSessionFacts } from './user-sessions.js';

export type { MySession } from './user-sessions.js';

/** Options of {@link fastifySessionTracker}. */
export interface FastifySessionTrackerOptions extends SessionTrackerOptions {
  /** The store given to @fastify/session: a `DynamoSessionStore` (or the core `SessionStore`). */
  store: TrackedStore;
}

const PLUGIN_NAME = 'dynamo-session-manager';
const KNOWN_OPTIONS = ['store', 'ignoreUris', 'ignoreHeaders', 'ignoreUri', 'ignoreHeader'] as const;
/** Options Fastify passes to every plugin it registers; not ours to validate. */
const REGISTER_OPTIONS = new Set(['prefix', 'logLevel', 'logSerializers']);

/** The part of @fastify/session's `Session` the tracker uses. */
interface FastifySessionLike {
  readonly sessionId: string;
  isSaved(): boolean;
  isModified?(): boolean;
}

type SessionHolder = { session?: unknown };

/** The property @fastify/session's onSend hook needs before it saves or sets a cookie. */
const HIDDEN = 'encryptedSessionId';

function isFastifySession(value: unknown): value is FastifySessionLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { sessionId?: unknown }).sessionId === 'string' &&
    typeof (value as { isSaved?: unknown }).isSaved === 'function'
  );
}

function trackerPlugin(fastify: FastifyInstance, options: FastifySessionTrackerOptions, done: (error?: Error) => void): void {
  let track: ReturnType<typeof sessionTracker>;
  let core: ReturnType<typeof coreOf>;
  try {
    if (fastify.hasPlugin('@fastify/session')) {
      throw new SessionManagerError(
        'config.invalidOption',
        'fastifySessionTracker must be registered before @fastify/session (its hooks run in registration order); register it right after @fastify/cookie.',
        { details: { option: 'plugin order' } },
      );
    }
    const { store, ...rest } = options;
    const trackerOptions = Object.fromEntries(Object.entries(rest).filter(([key]) => !REGISTER_OPTIONS.has(key)));
    rejectUnknownKeys(trackerOptions, KNOWN_OPTIONS, 'fastifySessionTracker');
    core = coreOf(store, 'the DynamoSessionStore given to @fastify/session (or a SessionStore)');
    track = sessionTracker(core, trackerOptions);
  } catch (error) {
    done(error as Error);
    return;
  }

  // Rules, metrics and the request state, as the Express tracker does. @fastify/session's own
  // onRequest hook runs next, inside the request scope: the store's `get` records what it loaded.
  fastify.addHook('onRequest', (request, reply, next) => {
    track(request.raw, reply.raw, () => next());
  });

  // Reading the body leaves the async context; later hooks and the handler get it back.
  const reenter = (request: FastifyRequest, _reply: FastifyReply, next: () => void): void => {
    const state = requestStateFor(request.raw);
    if (state === undefined) next();
    else requestScope.run(state, next);
  };
  fastify.addHook('preValidation', reenter);
  fastify.addHook('preHandler', reenter);

  // @fastify/session saves in its onSend hook, which runs right after this one (and before the
  // response is written): inside the request scope, so the save finds its load context. An
  // ignored or degraded request hides its session's cookie value from it until the response is
  // sent: @fastify/session then saves nothing and sets, changes or clears no cookie, while later
  // hooks still see the session.
  fastify.addHook('onSend', (request, _reply, _payload, next) => {
    const state = requestStateFor(request.raw);
    if (state === undefined) {
      next();
      return;
    }
    const session = (request as unknown as SessionHolder).session;
    if ((state.ignored !== undefined || state.degraded) && isFastifySession(session)) {
      Object.defineProperty(session, HIDDEN, { value: undefined, configurable: true, enumerable: false, writable: false });
    }
    requestScope.run(state, next);
  });

  // Once the response is sent, the hidden cookie value comes back. And with `rolling: false`,
  // @fastify/session saves only modified sessions and never tells the store that an unchanged one
  // was used: refresh it here, as express-session's `touch` does. This writes nothing unless the
  // session must move to the current table or its refresh is due.
  // In serverless mode nothing may run after the response: the refresh happens before it is sent,
  // for an unchanged session (a changed one is saved by @fastify/session right after this hook).
  if (core.options.serverless) {
    fastify.addHook('onSend', async (request) => {
      const state = requestStateFor(request.raw);
      const session = (request as unknown as SessionHolder).session;
      if (state === undefined || state.ignored !== undefined || state.degraded) return;
      if (!isFastifySession(session) || session.isModified?.() !== false) return;
      const load = state.loads.get(session.sessionId);
      // A failure is logged and counted by the store; the response still goes out.
      if (load !== undefined) await core.touch(session.sessionId, session as unknown as SessionRecord, { load, request: state }).catch(() => undefined);
    });
  }
  fastify.addHook('onResponse', (request, _reply, next) => {
    next();
    const state = requestStateFor(request.raw);
    const session = (request as unknown as SessionHolder).session;
    if (isFastifySession(session) && Object.hasOwn(session, HIDDEN)) delete (session as Partial<Record<typeof HIDDEN, unknown>>)[HIDDEN];
    if (core.options.serverless || state === undefined || state.ignored !== undefined || state.degraded) return;
    if (!isFastifySession(session) || session.isSaved()) return;
    const load = state.loads.get(session.sessionId);
    if (load === undefined) return;
    // A failure is logged and counted by the store; the response is already sent.
    core.touchAfterResponse(session.sessionId, session as unknown as SessionRecord, { load, request: state });
  });

  done();
}

// What fastify-plugin does: the hooks apply to the instance the plugin is registered on, not to
// an encapsulated child; `hasPlugin('dynamo-session-manager')` answers true.
Object.assign(trackerPlugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: PLUGIN_NAME,
  [Symbol.for('plugin-meta')]: { name: PLUGIN_NAME, fastify: '>=4' },
});

/**
 * The request tracker as a Fastify plugin, for `DynamoSessionStore` used as the store of
 * @fastify/session. Register it **before** @fastify/session, with the same store. It
 *
 * - applies the ignore rules (the store's `ignoreUris` / `ignoreHeaders`, or its own): an ignored
 *   request can read its session, but nothing is written for it and no session cookie is set;
 * - lets each save find the version its request loaded (@fastify/session rebuilds the session
 *   object `get` returned), so an unchanged session is not rewritten even though @fastify/session
 *   saves on every response by default (`rolling`), parallel requests merge instead of
 *   overwriting each other, and a destroyed session stays destroyed;
 * - refreshes a used but unchanged session when @fastify/session does not save it (`rolling: false`),
 *   so rotation keeps active sessions;
 * - counts and times requests, like the Express tracker.
 *
 * @throws {SessionManagerError} through Fastify's registration: `config.invalidOption` for a bad
 *   store or pattern or when registered after @fastify/session, `config.unknownOption` for a typo.
 * @example
 * ```ts
 * await app.register(fastifyCookie);
 * await app.register(fastifySessionTracker, { store });
 * await app.register(fastifySession, { store, secret, saveUninitialized: false, cookie: { secure: 'auto' } });
 * ```
 */
export const fastifySessionTracker: FastifyPluginCallback<FastifySessionTrackerOptions> = trackerPlugin;

/** The store, session and session id @fastify/session put on the request. */
function factsOf(request: FastifyRequest): RequestSessionFacts {
  const r = request as unknown as { sessionStore?: unknown; session?: unknown };
  return {
    store: r.sessionStore,
    session: isFastifySession(r.session) ? (r.session as unknown as SessionRecord) : undefined,
    sessionId: isFastifySession(r.session) ? r.session.sessionId : undefined,
  };
}

/**
 * The signed-in user's live sessions ("signed in on"), newest first: each with its device facts,
 * `ref` (a short handle, never the session id) and whether it is this request's (`current`).
 * Needs the store's `userIdOf` (docs/user-sessions.md).
 *
 * @param request - a Fastify request that went through @fastify/session with a `DynamoSessionStore`.
 * @throws {SessionManagerError} `user.notSignedIn`, `config.userIndexOff`, `backend.*`.
 * @example
 * ```ts
 * app.get('/account/sessions', async (request) => await listMySessions(request));
 * ```
 */
export async function listMySessions(request: FastifyRequest): Promise<MySession[]> {
  return await listSessionsOfRequest(factsOf(request));
}

/**
 * Ends every other session of the signed-in user ("sign out other devices"), keeping this
 * request's session.
 *
 * @param request - a Fastify request that went through @fastify/session with a `DynamoSessionStore`.
 * @returns how many sessions were ended.
 * @throws {SessionManagerError} `user.notSignedIn`, `config.userIndexOff`, `backend.*`.
 */
export async function signOutOtherDevices(request: FastifyRequest): Promise<number> {
  return await signOutOthersOfRequest(factsOf(request));
}
