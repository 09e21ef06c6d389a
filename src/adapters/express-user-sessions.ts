import type { Request } from 'express';
import type { SessionRecord } from '../codec/codec.js';
import { listSessionsOfRequest, signOutOthersOfRequest, type MySession, type RequestSessionFacts } from './user-sessions.js';

/** The store, session and session id express-session put on the request. */
function factsOf(req: Request): RequestSessionFacts {
  const r = req as Request & { sessionStore?: unknown; session?: unknown; sessionID?: unknown };
  return {
    store: r.sessionStore,
    session: typeof r.session === 'object' && r.session !== null ? (r.session as unknown as SessionRecord) : undefined,
    sessionId: typeof r.sessionID === 'string' ? r.sessionID : undefined,
  };
}

/**
 * The signed-in user's live sessions ("signed in on"), newest first, for a page of their devices:
 * each with its device facts (`deviceOf`), `ref` (a short handle, never the session id) and
 * whether it is this request's (`current`). Needs the store's `userIdOf` (docs/user-sessions.md).
 *
 * @param req - an Express request that went through express-session with a `DynamoSessionStore`.
 * @throws {SessionManagerError} `user.notSignedIn` when the request has no signed-in user,
 *   `config.userIndexOff`, `backend.*`.
 * @example
 * ```ts
 * app.get('/account/sessions', async (req, res) => res.json(await listMySessions(req)));
 * ```
 */
export async function listMySessions(req: Request): Promise<MySession[]> {
  return await listSessionsOfRequest(factsOf(req));
}

/**
 * Ends every other session of the signed-in user ("sign out other devices"), keeping this
 * request's session, as `revokeUserSessions` does (a session signing in meanwhile is ended too).
 *
 * @param req - an Express request that went through express-session with a `DynamoSessionStore`.
 * @returns how many sessions were ended.
 * @throws {SessionManagerError} `user.notSignedIn`, `config.userIndexOff`, `backend.*`.
 * @example
 * ```ts
 * app.post('/account/sign-out-others', async (req, res) => res.json({ ended: await signOutOtherDevices(req) }));
 * ```
 */
export async function signOutOtherDevices(req: Request): Promise<number> {
  return await signOutOthersOfRequest(factsOf(req));
}
