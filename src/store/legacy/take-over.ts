import { randomBytes } from 'node:crypto';
import type { Item } from '../../codec/codec.js';
import { decodeLegacyItem, isLegacyExpired, legacyWriteIdOf, type LegacySession } from '../../codec/connect-dynamodb-item.js';
import { isConditionFailed } from '../../dynamo/backend-errors.js';
import type { Deadline } from '../../dynamo/deadline.js';
import { buildLegacyFenceInput, buildLegacyGetInput } from '../../dynamo/legacy-params.js';
import { SessionManagerError, isSessionManagerError } from '../../errors.js';
import { legacyExpiresAtMs } from '../../expiry/legacy-lifetime.js';
import type { TableRef } from '../../expiry/strategy.js';
import { redactId, safeLog } from '../../logging/logger.js';
import { METRIC } from '../../metrics/names.js';
import type { StoreContext } from '../context.js';
import { locate, type Found } from '../locate.js';
import { requestScope } from '../request-state.js';
import { targetFor } from '../write.js';
import type { LegacyState } from './state.js';

/** Fence attempts on a legacy copy that keeps changing (a connect-dynamodb server still writing it). */
const MAX_FENCE_ROUNDS = 3;

/** A load that may fall back on the legacy table (see {@link startLegacyLoad}). */
export interface LegacyLoad {
  /**
   * Called with what this store's tables hold for the session. Returns it when there is anything
   * (a copy, a tombstone, an unreadable item); otherwise the session taken over from the legacy
   * table, or undefined when there is none to serve.
   */
  finish(here: Found | undefined): Promise<Found | undefined>;
}

/**
 * Starts a load with `migrateFrom` on: reads the legacy item at once, in parallel with this
 * store's tables, while recent loads suggest most sessions are still there (else only after a miss).
 *
 * Taking a session over follows the model of a move (docs/expiry.md, "Where a session lives";
 * docs/migration.md): the legacy item, if it can be served and has not expired, is **fenced**
 * (`dsmMovedTo`, conditional on the `sess` text read and on no fence yet), then served as a copy
 * moving into the current table; the request's save, or the refresh of an unchanged session in
 * the background, completes the move with a put where no item exists. So:
 *
 * - two servers taking the same session over cannot both fence it: the loser follows the fence
 *   and serves the same session (the winner's copy, or the same legacy data);
 * - a destroy removes the legacy item's session (marking it destroyed) and leaves tombstones in the
 *   table a fence names, so a move in flight cannot land, and a load after it finds nothing to take over;
 * - a fenced legacy item is never served again unless its move was cut short (nothing in the
 *   table it names, which is still readable): then it is completed, like any move.
 *
 * In a request an ignore rule matched (nothing is written), the legacy session is served without
 * a fence; a later request takes it over.
 */
export function startLegacyLoad(ctx: StoreContext, legacy: LegacyState, id: string, deadline: Deadline, consistent: boolean): LegacyLoad {
  const early = legacy.readTogether() ? handled(readLegacyItem(ctx, legacy, id, deadline, consistent)) : undefined;
  return {
    async finish(here) {
      legacy.record(here !== undefined);
      if (here !== undefined) return here; // an early read still in flight is dropped; its failure too
      const item = await (early ?? readLegacyItem(ctx, legacy, id, deadline, consistent));
      return await takeOver(ctx, legacy, id, item, deadline);
    },
  };
}

/** Marks a promise as handled (a dropped early read must not be an unhandled rejection); awaiting it still throws. */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** The legacy item of `id`, or undefined (also when the legacy table does not exist: logged once). */
export async function readLegacyItem(ctx: StoreContext, legacy: LegacyState, id: string, deadline: Deadline, consistent: boolean): Promise<Item | undefined> {
  ctx.metrics.increment(METRIC.migrateRead);
  try {
    return (await ctx.backend.send('GetItem', buildLegacyGetInput(legacy.source, id, consistent), deadline)).Item;
  } catch (error) {
    if (!isSessionManagerError(error, 'backend.tableMissing')) throw error;
    if (legacy.firstMissing()) {
      safeLog(ctx.options.logger, 'warn', { table: legacy.source.table }, 'The table of migrateFrom does not exist: no session is taken over from it (remove the option once the migration is over)');
    }
    return undefined;
  }
}

async function takeOver(ctx: StoreContext, legacy: LegacyState, id: string, first: Item | undefined, deadline: Deadline): Promise<Found | undefined> {
  let item = first;
  for (let round = 0; round < MAX_FENCE_ROUNDS; round += 1) {
    const record = servable(ctx, legacy, id, item);
    if (record === undefined) return undefined;
    if (record.movedTo !== undefined) return await followLegacyFence(ctx, id, record, record.movedTo, deadline);
    const target = targetFor(ctx, undefined);
    if (requestScope.getStore()?.ignored !== undefined) return movingCopy(ctx, id, record, target);
    const writeId = randomBytes(9).toString('base64url');
    try {
      await ctx.backend.send('UpdateItem', buildLegacyFenceInput(legacy.source, id, record.sessText, target.name, writeId), deadline);
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      // Fenced by another server, destroyed by a logout, or rewritten: look again (unless the answer of our own fence was lost).
      const stored = (error as { Item?: Item }).Item ?? (await readLegacyItem(ctx, legacy, id, deadline, true));
      if (legacyWriteIdOf(stored) !== writeId) {
        item = stored;
        continue;
      }
      ctx.metrics.increment(METRIC.sessionSaveRecovered);
    }
    ctx.metrics.increment(METRIC.sessionFence);
    safeLog(ctx.options.logger, 'debug', () => ({ session: redactId(id), from: legacy.source.table, to: target.name }), 'Session taken over from connect-dynamodb');
    return movingCopy(ctx, id, record, target);
  }
  throw new SessionManagerError('store.conflict', `The connect-dynamodb copy of this session kept changing (is a connect-dynamodb server still writing to ${legacy.source.table}?); the load was given up.`, {
    details: { rounds: MAX_FENCE_ROUNDS },
    retryable: true,
  });
}

/** The legacy session when it can be served; else undefined, counted and logged. */
function servable(ctx: StoreContext, legacy: LegacyState, id: string, item: Item | undefined): LegacySession | undefined {
  if (item === undefined) {
    ctx.metrics.increment(METRIC.migrateMiss);
    return undefined;
  }
  const record = decodeLegacyItem(item);
  if (record.kind === 'destroyed') {
    ctx.metrics.increment(METRIC.migrateMiss);
    return undefined;
  }
  if (record.kind === 'corrupt') {
    ctx.metrics.increment(METRIC.migrateCorrupt);
    safeLog(ctx.options.logger, 'warn', () => ({ session: redactId(id), table: legacy.source.table, reason: record.reason }), 'Ignoring a connect-dynamodb item that cannot be served');
    return undefined;
  }
  if (isLegacyExpired(record, ctx.options.now())) {
    ctx.metrics.increment(METRIC.migrateExpired);
    safeLog(ctx.options.logger, 'debug', () => ({ session: redactId(id), table: legacy.source.table }), 'connect-dynamodb session expired');
    return undefined;
  }
  return record;
}

/**
 * A fenced legacy item: the session moved on to the table it names. Whatever is stored there (or
 * wherever it went since) is the session; when nothing is, the move was cut short and is completed
 * from the legacy data, unless that table is older than the previous period (the session would
 * have timed out there).
 */
async function followLegacyFence(ctx: StoreContext, id: string, record: LegacySession, movedTo: string, deadline: Deadline): Promise<Found | undefined> {
  const now = ctx.options.now();
  const target = ctx.strategy.refFor(movedTo, now);
  if (target === undefined) return undefined;
  const found = await locate(ctx, id, deadline, true, target);
  if (found !== undefined) return found;
  const write = ctx.strategy.writeTable(now);
  if (write !== undefined && target.period < write.period - 1) {
    ctx.metrics.increment(METRIC.migrateMiss);
    return undefined;
  }
  return movingCopy(ctx, id, record, target);
}

/**
 * The legacy session as this store's loads see a copy moving into `table`: version 0, fenced
 * towards `table`, so that the next write puts it there where no item exists (version 1).
 */
function movingCopy(ctx: StoreContext, id: string, record: LegacySession, table: TableRef): Found {
  const now = ctx.options.now();
  ctx.metrics.increment(METRIC.migrateHit);
  return {
    table,
    record: {
      kind: 'session',
      id,
      session: record.session,
      version: 0,
      lastAccessedMs: now,
      expiresAtMs: legacyExpiresAtMs(record.session.cookie, record.expiresSeconds, now, ctx.options),
      createdAtMs: now,
      dataBytes: Buffer.byteLength(record.sessText, 'utf8'),
      writeId: undefined,
      movedTo: table.name,
    },
  };
}
