import type { SessionRecord } from '../codec/codec.js';
import { redactId, safeLog } from '../logging/logger.js';
import type { StoreContext } from './context.js';

/**
 * The user index key (`uid`) a write of `session` carries (docs/user-sessions.md):
 *
 * - with `userIdOf`, the key of the id it returns: a non-empty string, or a finite number taken
 *   as its decimal text; `undefined`, `null` or `''` is no user (signed out: the key goes);
 * - when `userIdOf` throws or returns anything else, the key the stored copy had (`storedUid`):
 *   logged, and the save goes on, the session staying in the index as it was;
 * - without `userIdOf` (the index off, or a store that only reads it), the key the stored copy had:
 *   a server not configured for the index never takes a session out of it.
 */
export function uidForSession(ctx: StoreContext, id: string, session: SessionRecord, storedUid: string | undefined): string | undefined {
  const userIdOf = ctx.options.userIndex?.userIdOf;
  if (userIdOf === undefined) return storedUid;
  let userId: unknown;
  try {
    userId = userIdOf(session);
  } catch (error) {
    // Neither the error's message nor the session: either may hold the user id.
    safeLog(ctx.options.logger, 'error', () => ({ session: redactId(id), error: (error as Error | undefined)?.name ?? typeof error }), 'userIdOf threw; the session keeps the user it had');
    return storedUid;
  }
  if (userId === undefined || userId === null) return undefined;
  if (typeof userId === 'number' && Number.isFinite(userId)) userId = String(userId);
  if (typeof userId !== 'string') {
    safeLog(ctx.options.logger, 'error', () => ({ session: redactId(id), type: typeof userId }), 'userIdOf returned neither a string, a number nor undefined; the session keeps the user it had');
    return storedUid;
  }
  return ctx.options.userIndex?.ids.uidOf(userId);
}
