import { isReservedKey } from '../codec/item-format.js';
import { sessionRef } from '../codec/user-id.js';
import type { ResolvedUserIndex } from '../config/user-index-options.js';
import { sleep } from '../dynamo/deadline.js';
import { buildUserQueryInput } from '../dynamo/params.js';
import { SessionManagerError, isSessionManagerError } from '../errors.js';
import { isExpiredAt } from '../expiry/lifetime.js';
import type { TableRef } from '../expiry/strategy.js';
import { safeLog } from '../logging/logger.js';
import { METRIC } from '../metrics/names.js';
import type { StoreContext } from './context.js';
import { destroySession } from './destroy.js';
import { locate } from './locate.js';
import { isRevokedBy, writeRevocationMarker } from './revocation.js';

/** One live session of a user, as `listUserSessions` returns it. */
export interface UserSession {
  /** The full session id: server-side only (never log it, never put it in a page). */
  readonly id: string;
  /** When the session was first stored. */
  readonly createdAt: Date;
  /** When the session was last written (its item's `lastAccessed`). */
  readonly lastSeenAt: Date;
  /** When it expires unless used again. */
  readonly expiresAt: Date;
  /** The device facts the app keeps in the session (`deviceOf`), if any. */
  readonly device: Readonly<Record<string, unknown>> | undefined;
}

/** Options of `revokeUserSessions`. */
export interface RevokeOptions {
  /** A session id to keep (the current one: "sign out other devices"). */
  readonly except?: string | undefined;
}

/** How many sessions' consistent reads run at once while listing. */
const READ_CONCURRENCY = 8;

/**
 * The user index options, or `config.userIndexOff`.
 *
 * @throws {SessionManagerError} `config.userIndexOff` when the store has no user index.
 */
export function userIndexOf(ctx: StoreContext): ResolvedUserIndex {
  const index = ctx.options.userIndex;
  if (index === undefined) {
    throw new SessionManagerError('config.userIndexOff', 'The user index is off: give the store `userIdOf` (or `userIndex: true`) to list or revoke a user\'s sessions.');
  }
  return index;
}

/**
 * The index key of a user id given to list or revoke: a non-empty string, or a finite number taken
 * as its decimal text (as `userIdOf` does).
 *
 * @throws {SessionManagerError} `user.invalidId`.
 */
export function uidOfArgument(index: ResolvedUserIndex, userId: unknown): string {
  const text = typeof userId === 'number' && Number.isFinite(userId) ? String(userId) : userId;
  const uid = typeof text === 'string' ? index.ids.uidOf(text) : undefined;
  if (uid === undefined) throw new SessionManagerError('user.invalidId', `A user id must be a non-empty string (or a number); got ${typeof userId === 'string' ? 'an empty string' : `a ${typeof userId}`}.`);
  return uid;
}

/**
 * Every live session of the user whose index key is `uid`, newest `lastSeenAt` first: the index
 * names candidates in every table a live session can be in, and a consistent read of each, through
 * the load path (`locate`), keeps only sessions that are there now, live, and of this user.
 *
 * Costs one Query per live table (more pages for a user with many sessions) and one consistent
 * read per session (two when it lives in the previous table).
 */
export async function listUserSessionsByUid(ctx: StoreContext, uid: string): Promise<UserSession[]> {
  const index = userIndexOf(ctx);
  // The tables first (a store that lists before anything else, as `dsm sessions` does, would
  // otherwise query every period a session may be kept for, most of them never created).
  await ctx.whenUsable(ctx.backend.operationDeadline());
  const ids = await indexedIds(ctx, uid);
  const out: UserSession[] = [];
  await forEachLimited([...ids], READ_CONCURRENCY, async (id) => {
    const session = await readUserSession(ctx, index, uid, id);
    if (session !== undefined) out.push(session);
  });
  return out.sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime() || (a.id < b.id ? -1 : 1));
}

/**
 * Ends every session of the user whose index key is `uid`, but `options.except` (docs/user-sessions.md):
 *
 * 1. the revocation marker first (`#revoked#<uid>`: when, and which session was kept), so that a
 *    sign-in the index does not show yet finds it and ends itself;
 * 2. a pass over the index: each session listed (and created before the revoke) is destroyed
 *    through the destroy path, whose tombstones no request in flight can write over;
 * 3. after `revokeSecondPassMs`, a second pass for sessions the index showed late.
 *
 * @returns how many sessions it ended.
 */
export async function revokeUserSessionsByUid(ctx: StoreContext, uid: string, options: RevokeOptions): Promise<number> {
  const index = userIndexOf(ctx);
  const revokedAtMs = ctx.options.now();
  const marker = { revokedAtMs, exceptRef: options.except === undefined ? undefined : sessionRef(options.except) };
  const deadline = ctx.backend.operationDeadline();
  await ctx.whenUsable(deadline);
  await writeRevocationMarker(ctx, uid, marker, deadline);
  const ended = new Set<string>();
  const pass = async (): Promise<void> => {
    const sessions = await listUserSessionsByUid(ctx, uid);
    await forEachLimited(sessions, READ_CONCURRENCY, async (session) => {
      if (ended.has(session.id) || !isRevokedBy(marker, session.id, session.createdAt.getTime(), ctx.options.clockSkewMs)) return;
      await destroySession(ctx, session.id);
      ended.add(session.id);
      ctx.metrics.increment(METRIC.userSessionRevoked);
    });
  };
  await pass();
  if (index.revokeSecondPassMs > 0) await sleep(index.revokeSecondPassMs, { keepAlive: true });
  await pass();
  safeLog(ctx.options.logger, 'info', { ended: ended.size }, "Revoked a user's sessions");
  return ended.size;
}

/** The tables a live session can be in, as a load reads them (see `locate`): current, next near a boundary, previous, kept. */
function liveTables(ctx: StoreContext): TableRef[] {
  const plan = ctx.strategy.readPlan(ctx.options.now());
  const tables: TableRef[] = [];
  for (const table of [...plan.first, ...plan.fallback, ...plan.kept]) if (!tables.some((t) => t.name === table.name)) tables.push(table);
  return tables;
}

/** The session ids the index holds for `uid` in the live tables (keys only, every page). */
async function indexedIds(ctx: StoreContext, uid: string): Promise<Set<string>> {
  const ids = new Set<string>();
  await Promise.all(
    liveTables(ctx).map(async (table) => {
      let startKey: Record<string, unknown> | undefined;
      do {
        let page;
        try {
          page = await ctx.backend.send('Query', buildUserQueryInput(table.name, uid, startKey as never));
        } catch (error) {
          if (isSessionManagerError(error, 'backend.tableMissing') && table.role !== 'current') {
            ctx.strategy.markMissing(table.name);
            return;
          }
          if (isSessionManagerError(error, 'backend.userIndexMissing') && table.role === 'kept' && error.details.status === 'MISSING') {
            // A table older than the previous one, created before the index was on: no session
            // written since is in it (writes go to the tables ready() checks). Said, not silent.
            safeLog(ctx.options.logger, 'warn', { table: table.name }, 'A kept session table has no user index; skipped (add it with `dsm add-user-index`)');
            return;
          }
          throw error;
        }
        for (const item of page.Items ?? []) {
          const id = item.id?.S;
          if (typeof id === 'string' && !isReservedKey(id)) ids.add(id);
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
    }),
  );
  return ids;
}

/** The session `id` as a consistent read finds it, when it is live and still of the user `uid`. */
async function readUserSession(ctx: StoreContext, index: ResolvedUserIndex, uid: string, id: string): Promise<UserSession | undefined> {
  const found = await locate(ctx, id, ctx.backend.operationDeadline(), true);
  const record = found?.record;
  if (record?.kind !== 'session' || record.uid !== uid || isExpiredAt(record, ctx.options.now(), ctx.options)) return undefined;
  let device: Readonly<Record<string, unknown>> | undefined;
  try {
    device = index.deviceOf(record.session);
  } catch (error) {
    safeLog(ctx.options.logger, 'warn', { error: (error as Error | undefined)?.name ?? typeof error }, 'deviceOf threw; the session is listed without device facts');
  }
  return {
    id,
    createdAt: new Date(record.createdAtMs),
    lastSeenAt: new Date(record.lastAccessedMs),
    expiresAt: new Date(record.expiresAtMs),
    device,
  };
}

/** Runs `work` over `items`, at most `limit` at a time; the first failure rejects once all started ones settle. */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const lane = async (): Promise<void> => {
    while (next < items.length && failures.length === 0) {
      const item = items[next] as T;
      next += 1;
      await work(item).catch((error: unknown) => {
        failures.push(error);
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failures.length > 0) throw failures[0] as Error;
}
