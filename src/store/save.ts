import { performance } from 'node:perf_hooks';
import { uidOfItem, type SessionRecord } from '../codec/codec.js';
import { isPlainObject } from '../codec/session-shape.js';
import { isValidSessionId } from '../codec/session-id.js';
import { sameSessionBody, sessionBodyText } from '../codec/stable-json.js';
import { buildRefreshInput } from '../dynamo/params.js';
import { isConditionFailed } from '../dynamo/backend-errors.js';
import type { Deadline } from '../dynamo/deadline.js';
import { SessionManagerError, isSessionManagerError } from '../errors.js';
import { expiresAtFor, isLifetimeCut, refreshIntervalMs } from '../expiry/lifetime.js';
import { redactId, safeLog } from '../logging/logger.js';
import { maskSession } from '../logging/session-contents.js';
import { METRIC } from '../metrics/names.js';
import type { StoreContext } from './context.js';
import { decideSave, type SaveReason } from './decide.js';
import { createdAtOf, itemBuilderFor, lastAccessedOf } from './encode.js';
import { contextOf } from './load.js';
import type { LoadContext } from './load-context.js';
import { locate, type Found } from './locate.js';
import { mergeAfterConflict } from './merge.js';
import type { RequestState } from './request-state.js';
import { endIfRevoked } from './revocation.js';
import { targetFor, writeSession, type WriteOutcome } from './write.js';
import type { LastWrite } from './write-queue.js';

/** What the caller knows about the request a save belongs to. */
export interface SaveHints {
  /** The load this session came from; absent for a new session (or one not loaded through this store). */
  readonly load?: LoadContext | undefined;
  /** The tracker's view of the request. */
  readonly request?: RequestState | undefined;
}

/** The result of a save or touch. */
export interface SaveResult {
  readonly action: 'written' | 'refreshed' | 'skipped' | 'dropped';
  readonly reason: SaveReason | 'merged' | 'destroyed';
  /** The context to use for a further save of the same session in the same request. */
  readonly context?: LoadContext;
}

/**
 * Saves (or, with `touchOnly`, refreshes) a session at the end of a request. Writes only what the
 * decision calls for: nothing for an ignored request or an unchanged session, a refresh when it is
 * due, a move to the current table for a session found in an older one, a conditional write of a
 * new or changed session (merged key by key on a conflict).
 *
 * A save whose changes could not be stored always fails (with `onBackendError: 'anonymous'` too);
 * only a refresh of an unchanged session fails quietly under `'anonymous'`.
 *
 * @throws {SessionManagerError} `codec.*`, `store.conflict`, `backend.*`, `rotation.tableNotReady`.
 */
export async function saveSession(ctx: StoreContext, id: string, session: SessionRecord, hints: SaveHints, touchOnly: boolean): Promise<SaveResult> {
  if (!isValidSessionId(id, ctx.options.sessionIdPattern)) {
    if (touchOnly) return { action: 'skipped', reason: 'unchanged' };
    throw new SessionManagerError('codec.invalidId', 'Refusing to save a session under a malformed id.');
  }
  if (!isPlainObject(session) || !isPlainObject(session.cookie)) {
    throw new SessionManagerError('codec.unserializable', 'A session must be an object with a `cookie` object (express-session, @fastify/session and the Koa adapter always give one); it was not saved.');
  }
  const request = hints.request;
  const load = hints.load ?? request?.loads.get(id);
  const now = ctx.options.now();
  // A touch never compares nor writes the body: its text is needed only for a save.
  const bodyJson = touchOnly ? undefined : sessionBodyText(session);
  const expiresAtMs = expiresAtFor(session.cookie, now, load?.createdAtMs ?? now, ctx.options);
  const writeTable = ctx.strategy.writeTable(now);
  const decision = decideSave({
    ignored: request?.ignored !== undefined,
    degraded: request?.degraded === true,
    loaded: load !== undefined || touchOnly,
    changed: bodyJson !== undefined && (load === undefined || !sameSessionBody(load.bodyJson, bodyJson)),
    inOlderTable: load !== undefined && (load.movingTo !== undefined || (writeTable !== undefined && load.table.period < writeTable.period)),
    expiryGainMs: load === undefined ? Number.POSITIVE_INFINITY : expiresAtMs - load.expiresAtMs,
    refreshIntervalMs: refreshIntervalMs(expiresAtMs - now, ctx.options),
  });
  if (decision.action !== 'skip' && isLifetimeCut(session.cookie, now, ctx.options)) noteLifetimeCut(ctx, id);
  if (decision.action === 'skip') {
    if (decision.reason === 'ignored') ctx.metrics.increment(METRIC.sessionSaveSkippedIgnored);
    else if (decision.reason === 'degraded') ctx.metrics.increment(METRIC.sessionDegraded);
    else if (touchOnly) ctx.metrics.increment(METRIC.sessionTouchSkipped);
    else ctx.metrics.increment(METRIC.sessionSaveSkippedUnchanged);
    safeLog(ctx.options.logger, 'debug', () => ({ session: redactId(id), reason: decision.reason }), 'Session not written');
    return { action: 'skipped', reason: decision.reason, ...(load === undefined ? {} : { context: load }) };
  }
  const started = performance.now();
  try {
    const deadline = ctx.backend.operationDeadline();
    await ctx.whenUsable(deadline);
    const result =
      decision.action === 'touch'
        ? await refresh(ctx, id, session, expiresAtMs, load, decision.reason, deadline)
        : await write(ctx, id, session, bodyJson ?? sessionBodyText(session), expiresAtMs, load, decision.reason, deadline);
    if (result.context !== undefined) request?.loads.set(id, result.context);
    if (result.action === 'written' || result.action === 'refreshed') {
      if (request !== undefined) request.stored = true;
      ctx.metrics.timing(METRIC.sessionSave, performance.now() - started);
    }
    return result;
  } catch (error) {
    if (!isSessionManagerError(error, 'codec.')) ctx.metrics.increment(METRIC.sessionSaveError);
    safeLog(ctx.options.logger, isSessionManagerError(error, 'codec.') ? 'warn' : 'error', () => ({ op: touchOnly ? 'touch' : 'save', session: redactId(id), code: (error as SessionManagerError).code, message: (error as Error).message }), 'Session save failed');
    if (touchOnly && ctx.options.onBackendError === 'anonymous' && isSessionManagerError(error, 'backend.')) {
      // Nothing the request changed is lost: the refresh is tried again by the next request.
      ctx.metrics.increment(METRIC.sessionDegraded);
      return { action: 'skipped', reason: 'degraded' };
    }
    throw error;
  }
}

async function write(
  ctx: StoreContext,
  id: string,
  session: SessionRecord,
  bodyJson: string,
  expiresAtMs: number,
  load: LoadContext | undefined,
  reason: SaveReason,
  deadline: Deadline,
): Promise<SaveResult> {
  return await ctx.writeQueue.run(id, async (last, remember) => {
    let written: Extract<WriteOutcome, { kind: 'written' }>;
    let stored = session;
    let outcomeReason: SaveReason | 'merged' = reason;
    // After another save of this session in this process, this one's load is out of date: start
    // from what that save wrote instead of sending a write that must fail.
    const first: WriteOutcome =
      last === undefined
        ? await writeSession(ctx, id, await itemBuilderFor(ctx, id, session, { expiresAtMs, createdAtMs: load?.createdAtMs, storedUid: load?.uid }), load, deadline)
        : { kind: 'conflict', seen: foundOf(id, last) };
    if (first.kind === 'written') {
      written = first;
    } else {
      const merged = await mergeAfterConflict(ctx, id, session, load, expiresAtMs, first.seen, deadline, last === undefined ? 0 : 1);
      if (merged.kind === 'dropped') return { action: 'dropped', reason: 'destroyed' };
      written = merged.written;
      stored = merged.session;
      outcomeReason = 'merged';
    }
    const lastAccessedMs = lastAccessedOf(written.item);
    const createdAtMs = createdAtOf(written.item);
    const uid = uidOfItem(written.item);
    remember({ table: written.table, version: written.version, stored, createdAtMs, lastAccessedMs, expiresAtMs, uid });
    ctx.metrics.increment(METRIC.sessionSavePut);
    logSaved(ctx, id, session, written.table.name, outcomeReason);
    // A sign-in (a user index key the session did not have) reads the user's revocation marker once.
    if (await endIfRevoked(ctx, id, { table: written.table, item: written.item, uidBefore: last?.uid ?? load?.uid }, deadline)) return { action: 'dropped', reason: 'destroyed' };
    // The context describes the caller's session, not a merged one: a further save of the same
    // object then sends only what changed since, not the removal of keys it never had.
    const context: LoadContext = { table: written.table, version: written.version, bodyJson, lastAccessedMs, expiresAtMs, createdAtMs, merged: outcomeReason === 'merged', ...(uid === undefined ? {} : { uid }) };
    return { action: 'written', reason: outcomeReason, context };
  });
}

/** What this process last wrote, as a copy read from the table (the merge's starting point). */
function foundOf(id: string, last: LastWrite): Found {
  return {
    table: last.table,
    record: {
      kind: 'session',
      id,
      session: last.stored,
      version: last.version,
      lastAccessedMs: last.lastAccessedMs,
      expiresAtMs: last.expiresAtMs,
      createdAtMs: last.createdAtMs,
      dataBytes: 0,
      writeId: undefined,
      movedTo: undefined,
      uid: last.uid,
    },
  };
}

/**
 * Refreshes an unchanged session: sets only its expiry where it lives, or moves it to the current
 * table. Losing a race here is fine: the winner wrote the session, refreshing it.
 */
async function refresh(
  ctx: StoreContext,
  id: string,
  session: SessionRecord,
  expiresAtMs: number,
  known: LoadContext | undefined,
  reason: SaveReason,
  deadline: Deadline,
): Promise<SaveResult> {
  // Loaded by code that kept no context (a touch of a session object rebuilt elsewhere): find it first.
  const load = known ?? (await locateContext(ctx, id, deadline));
  if (load === undefined) return { action: 'skipped', reason: 'unchanged' };
  const target = targetFor(ctx, load.table);
  if (load.movingTo !== undefined || load.table.name !== target.name || load.reseal === true) {
    // A move, or data under an old key (or in plaintext): rewritten whole, as a move does.
    const outcome = load.reseal === true && load.table.name === target.name ? reason : 'moved-forward';
    const moving = moveForward(ctx, id, session, load, expiresAtMs);
    if (!ctx.options.serverless) {
      ctx.background.add(moving.then(() => undefined));
      return { action: 'refreshed', reason: outcome, context: load };
    }
    // Serverless: no work may be left after the response, so the move happens within the request.
    return { action: 'refreshed', reason: outcome, context: (await moving) ?? load };
  }
  const now = ctx.options.now();
  try {
    await ctx.backend.send('UpdateItem', buildRefreshInput(target.name, id, load.version, now, expiresAtMs), deadline);
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
    ctx.metrics.increment(METRIC.sessionTouchSkipped);
    return { action: 'skipped', reason: 'unchanged' };
  }
  ctx.metrics.increment(METRIC.sessionTouchWrite);
  ctx.metrics.increment(METRIC.sessionSaveUpdate);
  return { action: 'refreshed', reason, context: { ...load, lastAccessedMs: now, expiresAtMs } };
}

async function locateContext(ctx: StoreContext, id: string, deadline: Deadline): Promise<LoadContext | undefined> {
  const found = await locate(ctx, id, deadline, true);
  if (found?.record.kind !== 'session') return undefined;
  return contextOf(ctx, found.table, found.record, found.stale);
}

/**
 * Moves an unchanged session found in an older table to the current one: the old copy is fenced,
 * then copied (docs/expiry.md). If another request wrote or moved the session meanwhile, there is
 * nothing left to do; if the move fails, the session's next request tries again (a fenced copy
 * without its later copy is completed). The returned promise never rejects: outside serverless
 * mode it runs after the response, and `flush()` and `close()` wait for it.
 */
function moveForward(ctx: StoreContext, id: string, session: SessionRecord, load: LoadContext, expiresAtMs: number): Promise<LoadContext | undefined> {
  const move = async (): Promise<LoadContext | undefined> => {
    const deadline = ctx.backend.operationDeadline();
    if (load.merged === true) {
      // What is stored is a merge of this request's session with others': move that, never this copy.
      const merged = await mergeAfterConflict(ctx, id, session, load, expiresAtMs, undefined, deadline);
      return merged.kind === 'merged' ? { ...load, table: merged.written.table, version: merged.written.version, movingTo: undefined } : undefined;
    }
    const build = await itemBuilderFor(ctx, id, session, { expiresAtMs, createdAtMs: load.createdAtMs, storedUid: load.uid });
    const written = await writeSession(ctx, id, build, load, deadline);
    if (written.kind !== 'written') return undefined;
    // A session stored before the user index was on joins it here: the same check as a sign-in.
    if (await endIfRevoked(ctx, id, { table: written.table, item: written.item, uidBefore: load.uid }, deadline)) return undefined;
    const uid = uidOfItem(written.item);
    return { ...load, table: written.table, version: written.version, movingTo: undefined, reseal: false, lastAccessedMs: lastAccessedOf(written.item), expiresAtMs, uid };
  };
  return move().then(
    (moved) => {
      ctx.metrics.increment(moved !== undefined ? METRIC.sessionTouchWrite : METRIC.sessionTouchSkipped);
      if (moved !== undefined) safeLog(ctx.options.logger, 'debug', () => ({ session: redactId(id), from: load.table.name }), 'Session moved forward');
      return moved;
    },
    (error: unknown) => {
      safeLog(ctx.options.logger, 'warn', () => ({ op: 'move', session: redactId(id), code: (error as SessionManagerError).code }), 'Moving a session forward failed; its next request will try again');
      return undefined;
    },
  );
}

function noteLifetimeCut(ctx: StoreContext, id: string): void {
  ctx.metrics.increment(METRIC.sessionSaveLifetimeCut);
  safeLog(
    ctx.options.logger,
    'warn',
    () => ({ session: redactId(id), longestLifetimeSeconds: ctx.options.longestLifetimeMs / 1000 }),
    "The session's cookie lives longer than longestLifetimeSeconds; it is kept that long after its last write",
  );
}

function logSaved(ctx: StoreContext, id: string, session: SessionRecord, table: string, reason: SaveReason | 'merged'): void {
  safeLog(
    ctx.options.logger,
    'debug',
    () => ({
      session: redactId(id),
      table,
      reason,
      ...(ctx.options.logSessionContents ? { contents: maskSession(session, ctx.options.secretKeyPatterns) } : {}),
    }),
    'Session saved',
  );
}
