import type { SessionRecord } from '../codec/codec.js';
import { backoffMs, sleep, type Deadline } from '../dynamo/deadline.js';
import { SessionManagerError } from '../errors.js';
import { isExpiredAt } from '../expiry/lifetime.js';
import { redactId, safeLog } from '../logging/logger.js';
import { METRIC } from '../metrics/names.js';
import type { StoreContext } from './context.js';
import { itemBuilderFor } from './encode.js';
import type { LoadContext } from './load-context.js';
import { locate, type Found } from './locate.js';
import { applyDiff, diffSession } from './session-diff.js';
import { writeSession, type WriteBase, type WriteOutcome } from './write.js';

/** How a lost race ended: written over the stored session, or dropped because the session is gone. */
export type MergeOutcome =
  | { readonly kind: 'merged'; readonly written: Extract<WriteOutcome, { kind: 'written' }>; readonly session: SessionRecord }
  | { readonly kind: 'dropped' };

/**
 * Resolves a lost race: takes the authoritative copy (the one the failed condition found, or a fresh
 * read of every table it can be in), applies this request's changes over it and
 * writes again on its version; a bounded number of rounds with jittered backoff.
 *
 * - With the load the request made (`load`), the changes are the keys it set or removed since,
 *   so concurrent requests of one session each keep their keys (last writer wins per key).
 * - Without one (a `set()` of a session not loaded through this store), the caller's session
 *   replaces the stored one whole, as the Store contract's upsert does.
 *
 * `freeRounds` are rounds that do not count against `maxConflictRetries` (a merge that starts
 * from what this process wrote last, which costs no failed write).
 *
 * A session destroyed or expired meanwhile stays gone (`dropped`); an unreadable stored item is
 * never overwritten (`codec.corruptItem`).
 *
 * @throws {SessionManagerError} `store.conflict` after `maxConflictRetries` rounds, `codec.*`, `backend.*`.
 */
export async function mergeAfterConflict(
  ctx: StoreContext,
  id: string,
  session: SessionRecord,
  load: LoadContext | undefined,
  expiresAtMs: number,
  firstSeen: Found | undefined,
  deadline: Deadline,
  freeRounds = 0,
): Promise<MergeOutcome> {
  const diff = load === undefined ? undefined : diffSession(load.bodyJson, session);
  let seen = firstSeen;
  const rounds = ctx.options.maxConflictRetries + freeRounds;
  for (let round = 0; round < rounds; round += 1) {
    if (round > 0) {
      if (deadline.remainingMs() < 50) break;
      await sleep(Math.min(backoffMs(round - 1, 10, 1000), deadline.remainingMs() / 2), { keepAlive: true });
    }
    // The copy the failed condition found, when authoritative; else a read of every table it can be in.
    const stored = seen ?? (await locate(ctx, id, deadline, true, load?.table));
    seen = undefined;
    const base = baseOf(ctx, id, stored);
    if (base === 'dropped') {
      ctx.metrics.increment(METRIC.sessionSaveDropped);
      safeLog(ctx.options.logger, 'debug', () => ({ session: redactId(id), why: stored?.record.kind === 'tombstone' ? 'destroyed' : 'expired', table: stored?.table.name }), 'Save dropped: the session was destroyed or expired meanwhile');
      return { kind: 'dropped' };
    }
    const record = base === undefined ? undefined : (stored!.record as { session: SessionRecord; createdAtMs: number; uid?: string | undefined });
    const merged = diff === undefined || record === undefined ? session : applyDiff(record.session, diff, session.cookie);
    const build = await itemBuilderFor(ctx, id, merged, { expiresAtMs, createdAtMs: record?.createdAtMs ?? load?.createdAtMs, storedUid: record === undefined ? load?.uid : record.uid });
    const outcome = await writeSession(ctx, id, build, base, deadline);
    if (outcome.kind === 'conflict') seen = outcome.seen;
    if (outcome.kind === 'written') {
      ctx.metrics.increment(METRIC.sessionSaveMerged);
      safeLog(ctx.options.logger, 'debug', () => ({ session: redactId(id), rounds: round + 1, table: outcome.table.name }), 'Session merged after a concurrent write');
      return { kind: 'merged', written: outcome, session: merged };
    }
  }
  throw new SessionManagerError('store.conflict', `The session kept changing under concurrent requests; the save was given up after ${ctx.options.maxConflictRetries} merge rounds.`, {
    details: { rounds: ctx.options.maxConflictRetries },
    retryable: true,
  });
}

/**
 * The base of the next write from what is stored: `dropped` when the session is gone for good
 * (destroyed: a tombstone; or past its lifetime); undefined when nothing is stored anywhere it can
 * be, so the caller's session is written as new. A session the request loaded can vanish without
 * a tombstone only with its table (a server whose clock runs ahead dropped the table this one still
 * read as previous): the user's data is then written again rather than silently lost. A destroy
 * always leaves a tombstone in its write table, so this never brings back a destroyed session.
 */
function baseOf(ctx: StoreContext, id: string, stored: Found | undefined): WriteBase | 'dropped' | undefined {
  if (stored === undefined) return undefined;
  const record = stored.record;
  if (record.kind === 'tombstone') return 'dropped';
  if (record.kind === 'corrupt') {
    throw new SessionManagerError('codec.corruptItem', 'The stored item of this session is unreadable; it was left as it is and the save was refused.', {
      details: { session: redactId(id), table: stored.table.name },
    });
  }
  if (isExpiredAt(record, ctx.options.now(), ctx.options)) return 'dropped';
  const movingTo = record.movedTo === undefined ? undefined : ctx.strategy.refFor(record.movedTo, ctx.options.now());
  return { table: stored.table, version: record.version, movingTo };
}
