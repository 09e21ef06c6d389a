import { uidOfItem, type Item } from '../codec/codec.js';
import { buildRevocationItem, decodeRevocation, revocationKey, type RevocationMarker } from '../codec/revocation.js';
import { sessionRef } from '../codec/user-id.js';
import type { Deadline } from '../dynamo/deadline.js';
import { buildMarkerGetInput, buildMarkerPutInput } from '../dynamo/params.js';
import { isSessionManagerError } from '../errors.js';
import type { TableRef } from '../expiry/strategy.js';
import { redactId, safeLog } from '../logging/logger.js';
import { METRIC } from '../metrics/names.js';
import type { StoreContext } from './context.js';
import { destroySession } from './destroy.js';
import { createdAtOf } from './encode.js';

/**
 * The per-user revocation marker (docs/user-sessions.md, "How the window is closed"): a revoke
 * writes it before it reads the index, and a sign-in (a write that gives a session a user index
 * key it did not have) reads it once after its write. The index is eventually consistent: a
 * session signed in just before a revoke may not be listed by it, but its sign-in then finds the
 * marker and ends it. Ordinary requests never read it.
 */

/**
 * Whether a session created at `createdAtMs` is ended by `marker`: created before the revoke (or
 * up to `clockSkewSeconds` after it: servers' clocks differ), and not the session the revoke kept.
 */
export function isRevokedBy(marker: RevocationMarker, sessionId: string, createdAtMs: number, clockSkewMs: number): boolean {
  if (marker.exceptRef !== undefined && marker.exceptRef === sessionRef(sessionId)) return false;
  return createdAtMs <= marker.revokedAtMs + clockSkewMs;
}

/**
 * Writes the marker of the user whose index key is `uid` into every table a server may write a
 * session to now (the write table, and its neighbours near a period boundary): a sign-in reads it
 * where it wrote. It expires with the longest session lifetime.
 *
 * @throws {SessionManagerError} `backend.*` when the write table cannot be written.
 */
export async function writeRevocationMarker(ctx: StoreContext, uid: string, marker: RevocationMarker, deadline: Deadline): Promise<void> {
  const item = buildRevocationItem(uid, marker, marker.revokedAtMs + ctx.options.longestLifetimeMs);
  const tables = ctx.strategy.destroyTables(ctx.options.now());
  await Promise.all(
    tables.map(async (table, i) => {
      try {
        await ctx.backend.send('PutItem', buildMarkerPutInput(table.name, item), deadline);
      } catch (error) {
        // Only the write table must be there; a neighbour may not exist (yet, or any more).
        if (i === 0 || !isSessionManagerError(error, 'backend.tableMissing')) throw error;
      }
    }),
  );
}

/** What a write that may be a sign-in wrote: where, the item, and the index key its base had. */
export interface SignInWrite {
  readonly table: TableRef;
  readonly item: Item;
  /** The user index key of the copy the write replaced (undefined for a new session). */
  readonly uidBefore: string | undefined;
}

/**
 * After a write: when it gave the session a user index key it did not have (a sign-in, or a
 * session stored before the index was on joining it), reads the user's marker once (one strongly
 * consistent GetItem) and ends the session when a revoke covers it. Any other write reads nothing.
 *
 * @returns true when the session was ended.
 * @throws {SessionManagerError} `backend.*`.
 */
export async function endIfRevoked(ctx: StoreContext, id: string, write: SignInWrite, deadline: Deadline): Promise<boolean> {
  const uid = uidOfItem(write.item);
  if (uid === undefined || uid === write.uidBefore) return false;
  let stored: Item | undefined;
  try {
    stored = (await ctx.backend.send('GetItem', buildMarkerGetInput(write.table.name, revocationKey(uid)), deadline)).Item;
  } catch (error) {
    if (isSessionManagerError(error, 'backend.tableMissing')) return false;
    throw error;
  }
  const marker = decodeRevocation(stored, ctx.options.now());
  const createdAtMs = createdAtOf(write.item);
  if (marker === undefined || !isRevokedBy(marker, id, createdAtMs, ctx.options.clockSkewMs)) return false;
  await destroySession(ctx, id);
  ctx.metrics.increment(METRIC.userSignInRevoked);
  safeLog(ctx.options.logger, 'info', () => ({ session: redactId(id) }), 'Sign-in ended: the user\'s sessions were revoked while it signed in');
  return true;
}
