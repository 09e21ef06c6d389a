import { isSessionManagerError, type DynamoSessionStore, type UserSession } from 'dynamo-session-manager';
import { shortenId } from '../recent-sessions.js';
import { describeDevice } from '../shop/device.js';

/** One session of a user, as the inspector's user lookup shows it: the id shortened, never whole. */
export interface UserSessionFigures {
  /** The first characters of the session id. */
  readonly idPrefix: string;
  readonly createdAtMs: number;
  readonly lastSeenAtMs: number;
  readonly expiresAtMs: number;
  /** A short name for the browser (`Firefox on Linux`), from the device facts. */
  readonly deviceLabel: string;
  /** The device facts the shop keeps (user agent, address), as stored; null when none. */
  readonly device: Readonly<Record<string, unknown>> | null;
}

/** The user lookup's answer. */
export interface UserLookupFigures {
  /** The user's live sessions, most recently seen first. */
  readonly sessions: readonly UserSessionFigures[];
}

/** Longest user id the lookup takes, in characters (the shop's names are 40 at most). */
export const USER_INPUT_CHARS = 200;

/** The lookup's figures for what the store listed. Pure. */
export function toUserLookupFigures(sessions: readonly UserSession[]): UserLookupFigures {
  return {
    sessions: sessions.map((session) => ({
      idPrefix: shortenId(session.id),
      createdAtMs: session.createdAt.getTime(),
      lastSeenAtMs: session.lastSeenAt.getTime(),
      expiresAtMs: session.expiresAt.getTime(),
      deviceLabel: describeDevice(session.device),
      device: session.device ?? null,
    })),
  };
}

/**
 * The inspector's answer for a user id an operator typed: the user's live sessions from the
 * store's user index (one Query per live table, then one read per session), ids shortened.
 * The dashboard has no way to reveal whole ids, and this adds none.
 */
export async function lookUpUser(store: DynamoSessionStore, input: unknown): Promise<{ status: number; body: object }> {
  if (typeof input !== 'string' || input.trim() === '' || input.length > USER_INPUT_CHARS) {
    return { status: 400, body: { error: `Give a user id: the name signed in at the shop (1 to ${USER_INPUT_CHARS} characters).` } };
  }
  try {
    return { status: 200, body: toUserLookupFigures(await store.listUserSessions(input)) };
  } catch (error) {
    const code = isSessionManagerError(error) ? error.code : 'unknown';
    return { status: 503, body: { error: `The store could not list the user's sessions (${code}).` } };
  }
}
