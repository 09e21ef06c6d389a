import { performance } from 'node:perf_hooks';
import type { StoredSession } from '../codec/codec.js';
import { isValidSessionId } from '../codec/session-id.js';
import { sessionBodyText } from '../codec/stable-json.js';
import { isSessionManagerError, type SessionManagerError } from '../errors.js';
import { cookieWithExpiry, isExpiredAt } from '../expiry/lifetime.js';
import type { TableRef } from '../expiry/strategy.js';
import { redactId, safeLog } from '../logging/logger.js';
import { METRIC } from '../metrics/names.js';
import type { StoreContext } from './context.js';
import type { LoadContext, LoadedSession } from './load-context.js';
import { startLegacyLoad } from './legacy/take-over.js';
import { locate, type Found } from './locate.js';
import { requestScope } from './request-state.js';
import { uidForSession } from './session-user.js';

/**
 * Loads a session. A missing, expired, destroyed or unreadable session, or a malformed id, is
 * `null`; a malformed id costs no DynamoDB call.
 *
 * When DynamoDB fails: with `onBackendError: 'fail'` the error is thrown. With `'anonymous'` and
 * a request the tracker saw, the load is `null` and the request is marked degraded (nothing it does
 * is stored, and the user's cookie is kept); without the tracker there is no way to keep the
 * framework from replacing the user's cookie with a new session's, so the error is thrown.
 *
 * An encryption adapter that fails (`encryption.failed`) is handled as DynamoDB failing.
 *
 * @throws {SessionManagerError} `backend.*`, `rotation.tableNotReady`, `encryption.failed`.
 */
export async function loadSession(ctx: StoreContext, id: unknown): Promise<LoadedSession | null> {
  if (!isValidSessionId(id, ctx.options.sessionIdPattern)) {
    ctx.metrics.increment(METRIC.sessionLoadInvalidId);
    return null;
  }
  const started = performance.now();
  try {
    const deadline = ctx.backend.operationDeadline();
    await ctx.whenUsable(deadline);
    const consistent = !ctx.options.eventualConsistency;
    // With `migrateFrom`, a load that finds nothing here falls back on the old store (store/legacy/).
    const legacy = ctx.legacy === undefined ? undefined : startLegacyLoad(ctx, ctx.legacy, id, deadline, consistent);
    const here = await locate(ctx, id, deadline, consistent);
    const found = legacy === undefined ? here : await legacy.finish(here);
    const loaded = toLoaded(ctx, id, found);
    if (loaded !== null) requestScope.getStore()?.loads.set(id, loaded.context);
    ctx.metrics.timing(METRIC.sessionLoad, performance.now() - started);
    return loaded;
  } catch (error) {
    ctx.metrics.increment(METRIC.sessionLoadError);
    safeLog(ctx.options.logger, 'warn', () => ({ op: 'load', session: redactId(id), code: (error as SessionManagerError).code, message: (error as Error).message }), 'Session load failed');
    const scope = requestScope.getStore();
    if (ctx.options.onBackendError === 'anonymous' && (isSessionManagerError(error, 'backend.') || isSessionManagerError(error, 'encryption.failed')) && scope !== undefined) {
      scope.degraded = true;
      ctx.metrics.increment(METRIC.sessionDegraded);
      return null;
    }
    throw error;
  }
}

function toLoaded(ctx: StoreContext, id: string, found: Found | undefined): LoadedSession | null {
  const record = found?.record;
  if (found === undefined || record === undefined || record.kind !== 'session') {
    ctx.metrics.increment(METRIC.sessionLoadMiss);
    safeLog(ctx.options.logger, 'debug', () => ({ session: redactId(id) }), 'Session not found');
    return null;
  }
  if (isExpiredAt(record, ctx.options.now(), ctx.options)) {
    ctx.metrics.increment(METRIC.sessionLoadExpired);
    safeLog(ctx.options.logger, 'debug', () => ({ session: redactId(id), table: found.table.name }), 'Session expired');
    return null;
  }
  const context = contextOf(ctx, found.table, record, found.stale);
  if (context === undefined) {
    ctx.metrics.increment(METRIC.sessionLoadCorrupt);
    return null;
  }
  ctx.metrics.increment(
    found.table.role === 'current'
      ? METRIC.sessionLoadHitCurrent
      : found.table.role === 'previous'
        ? METRIC.sessionLoadHitPrevious
        : found.table.role === 'kept'
          ? METRIC.sessionLoadHitKept
          : METRIC.sessionLoadHitNext,
  );
  if (ctx.options.logSessionContents) {
    safeLog(ctx.options.logger, 'debug', () => ({ session: redactId(id), table: found.table.name, keys: Object.keys(record.session) }), 'Session loaded');
  }
  return { session: { ...record.session, cookie: cookieWithExpiry(record.session.cookie, record.expiresAtMs) }, context };
}

/**
 * What a load learns from a stored copy: the base of the request's next write. Undefined when the
 * session's body cannot be turned back into JSON (it is then treated as unreadable). `stale`: the
 * copy's data is not stored as this store writes it (docs/security.md, key rotation).
 */
export function contextOf(ctx: StoreContext, table: TableRef, record: StoredSession, stale = false): LoadContext | undefined {
  let bodyJson: string;
  try {
    bodyJson = sessionBodyText(record.session);
  } catch {
    return undefined;
  }
  // A session stored before the user index was on (or under another user) joins it at its next refresh.
  const uidDiffers = ctx.options.userIndex?.userIdOf !== undefined && uidForSession(ctx, record.id, record.session, record.uid) !== record.uid;
  return {
    table,
    version: record.version,
    bodyJson,
    lastAccessedMs: record.lastAccessedMs,
    expiresAtMs: record.expiresAtMs,
    createdAtMs: record.createdAtMs,
    movingTo: record.movedTo === undefined ? undefined : ctx.strategy.refFor(record.movedTo, ctx.options.now()),
    ...(record.uid === undefined ? {} : { uid: record.uid }),
    ...(stale || uidDiffers ? { reseal: true } : {}),
  };
}
