import type { SessionRecord } from '../codec/codec.js';
import { sessionRef } from '../codec/user-id.js';
import { SessionManagerError } from '../errors.js';
import { findCore } from '../tracker/core-of.js';
import type { SessionStore, UserSession } from '../store/index.js';

/**
 * One of the signed-in user's sessions, as a page may show it: no session id, only `ref`, a short
 * handle that says nothing about the id (16 hex digits of its SHA-256), and whether it is the
 * session of the request.
 */
export type MySession = Omit<UserSession, 'id'> & {
  /** A short non-secret handle of the session (16 hex digits of the SHA-256 of its id). */
  readonly ref: string;
  /** True for the session of the request that asked. */
  readonly current: boolean;
};

/** What an adapter knows of the request: its store, its session, and that session's id. */
export interface RequestSessionFacts {
  readonly store: unknown;
  /** The request's session, in the shape the store saves (with its `cookie`). */
  readonly session: SessionRecord | undefined;
  /** The id of the request's session, when it has one (a new session's too). */
  readonly sessionId: string | undefined;
}

/**
 * The core store and the signed-in user of a request.
 *
 * @throws {SessionManagerError} `config.invalidOption` (no store of this package), `config.userIndexOff`,
 *   `user.notSignedIn` (no session, no `userIdOf`, or it names no user).
 */
function userOf(facts: RequestSessionFacts): { core: SessionStore; userId: string } {
  const core = findCore(facts.store);
  if (core === undefined) {
    throw new SessionManagerError('config.invalidOption', 'The request\'s session store is not a store of dynamo-session-manager (DynamoSessionStore or koaSessionStore).', { details: { option: 'store' } });
  }
  const index = core.options.userIndex;
  if (index === undefined) {
    throw new SessionManagerError('config.userIndexOff', 'The user index is off: give the store `userIdOf` to list or sign out a user\'s sessions.');
  }
  let userId: unknown;
  try {
    userId = facts.session === undefined ? undefined : index.userIdOf?.(facts.session);
  } catch {
    userId = undefined;
  }
  if (typeof userId === 'number' && Number.isFinite(userId)) userId = String(userId);
  if (typeof userId !== 'string' || userId.length === 0) {
    throw new SessionManagerError('user.notSignedIn', 'This request has no signed-in user (the store\'s userIdOf gives none for its session).');
  }
  return { core, userId };
}

/**
 * The signed-in user's live sessions, newest first, each with a `ref` and a `current` flag: never
 * a full session id.
 *
 * @throws {SessionManagerError} `user.notSignedIn`, `config.userIndexOff`, `backend.*`.
 */
export async function listSessionsOfRequest(facts: RequestSessionFacts): Promise<MySession[]> {
  const { core, userId } = userOf(facts);
  const sessions = await core.listUserSessions(userId);
  return sessions.map(({ id, ...rest }) => ({ ...rest, ref: sessionRef(id), current: id === facts.sessionId }));
}

/**
 * Ends every other session of the signed-in user, keeping the request's own.
 *
 * @returns how many sessions were ended.
 * @throws {SessionManagerError} `user.notSignedIn`, `config.userIndexOff`, `backend.*`.
 */
export async function signOutOthersOfRequest(facts: RequestSessionFacts): Promise<number> {
  const { core, userId } = userOf(facts);
  return await core.revokeUserSessions(userId, facts.sessionId === undefined ? {} : { except: facts.sessionId });
}
