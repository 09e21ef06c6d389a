import { randomBytes } from 'node:crypto';
import { buildSessionItem, encodeSessionData, itemSizeBytes, type Item } from '../../codec/codec.js';
import { decodeLegacyItem, isLegacyExpired, legacyIdOf, legacyWriteIdOf } from '../../codec/connect-dynamodb-item.js';
import { isValidSessionId } from '../../codec/session-id.js';
import { isConditionFailed } from '../../dynamo/backend-errors.js';
import { buildLegacyFenceInput, buildLegacyScanInput } from '../../dynamo/legacy-params.js';
import { isSessionManagerError } from '../../errors.js';
import { legacyExpiresAtMs } from '../../expiry/legacy-lifetime.js';
import { METRIC } from '../../metrics/names.js';
import type { StoreContext } from '../context.js';
import { itemBuilderFor, type ItemFields } from '../encode.js';
import { targetFor, writeSession, type ItemBuilder } from '../write.js';
import type { LegacyState } from './state.js';
import { readLegacyItem } from './take-over.js';

/** One page of the legacy table. */
export interface LegacyScanPage {
  readonly items: readonly Item[];
  /** Where the next page starts; undefined after the last one. */
  readonly lastKey: Item | undefined;
}

/**
 * What copying one legacy item did (or, in a dry run, would do):
 *
 * - `copied` / `would-copy`: a live session, fenced there and put here (where no item existed);
 * - `already-moved`: fenced before (taken over by a load, or an earlier run);
 * - `present`: this store already had an item under the id (a copy or a tombstone): left as it is;
 * - `changed`: the legacy copy changed between the scan and the fence (a connect-dynamodb server
 *   still writes it): left for the load path or the next run;
 * - `gone`: destroyed by a logout (before the scan, or between the scan and the fence);
 * - `expired`, `corrupt` (cannot be served, or too large for this store), `foreign` (a key
 *   without the prefix, or not a valid session id): skipped.
 */
export type CopyOutcome = 'copied' | 'would-copy' | 'already-moved' | 'present' | 'changed' | 'gone' | 'expired' | 'corrupt' | 'foreign';

/** The result of copying one legacy item. */
export interface CopyReport {
  readonly outcome: CopyOutcome;
  /** The legacy item's size, bytes. */
  readonly legacyBytes: number;
  /** The size of the item written here (or that would be), bytes. */
  readonly storedBytes?: number;
  /** Until when a live session (copied, would copy, changed) can be taken over from connect-dynamodb: its `expires`, epoch ms. */
  readonly servableUntilMs?: number;
}

/** The tools `dsm migrate` reaches through the store's internals. */
export interface LegacyCopier {
  readonly table: string;
  /** One page of an eventually consistent Scan of the legacy table, `limit` items at most. */
  scanPage(limit: number, startKey: Item | undefined): Promise<LegacyScanPage>;
  /** Copies one scanned item into this store (or, with `dryRun`, says what it would do, writing nothing). */
  copy(item: Item, dryRun: boolean): Promise<CopyReport>;
}

/** The copier of a store with `migrateFrom` on. */
export function createLegacyCopier(ctx: StoreContext, legacy: LegacyState): LegacyCopier {
  return {
    table: legacy.source.table,
    scanPage: async (limit, startKey) => {
      const page = await ctx.backend.send('Scan', buildLegacyScanInput(legacy.source, limit, startKey), ctx.backend.operationDeadline());
      return { items: page.Items ?? [], lastKey: page.LastEvaluatedKey };
    },
    copy: (item, dryRun) => copyLegacyItem(ctx, legacy, item, dryRun),
  };
}

/**
 * Copies one legacy item the way a load takes a session over (docs/migration.md): the legacy copy
 * is fenced (on the `sess` text scanned, and only if no fence is there yet), then the session is
 * put into the current table where no item exists. Safe against loads, logouts and other runs
 * at the same time, and safe to run again: fenced items are skipped.
 */
async function copyLegacyItem(ctx: StoreContext, legacy: LegacyState, item: Item, dryRun: boolean): Promise<CopyReport> {
  const legacyBytes = itemSizeBytes(item);
  const id = legacyIdOf(legacy.source, item);
  if (id === undefined || !isValidSessionId(id, ctx.options.sessionIdPattern)) return { outcome: 'foreign', legacyBytes };
  const record = decodeLegacyItem(item);
  if (record.kind === 'corrupt') return { outcome: 'corrupt', legacyBytes };
  if (record.kind === 'destroyed') return { outcome: 'gone', legacyBytes };
  const now = ctx.options.now();
  if (isLegacyExpired(record, now)) return { outcome: 'expired', legacyBytes };
  if (record.movedTo !== undefined) return { outcome: 'already-moved', legacyBytes };
  const expiresAtMs = legacyExpiresAtMs(record.session.cookie, record.expiresSeconds, now, ctx.options);
  if (now >= expiresAtMs) return { outcome: 'expired', legacyBytes };
  const fields: ItemFields = { expiresAtMs, createdAtMs: undefined };
  const servableUntilMs = record.expiresSeconds === undefined ? expiresAtMs : record.expiresSeconds * 1000;
  if (dryRun) {
    const storedBytes = sizeOfCopy(id, record.session, fields, now);
    return storedBytes === undefined || storedBytes > ctx.options.maxItemBytes ? { outcome: 'corrupt', legacyBytes } : { outcome: 'would-copy', legacyBytes, storedBytes, servableUntilMs };
  }
  let build: ItemBuilder;
  try {
    build = await itemBuilderFor(ctx, id, record.session, fields);
  } catch (error) {
    if (isSessionManagerError(error, 'codec.')) return { outcome: 'corrupt', legacyBytes };
    throw error;
  }
  const deadline = ctx.backend.operationDeadline();
  const target = targetFor(ctx, undefined);
  const writeId = randomBytes(9).toString('base64url');
  try {
    await ctx.backend.send('UpdateItem', buildLegacyFenceInput(legacy.source, id, record.sessText, target.name, writeId), deadline);
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
    const stored = (error as { Item?: Item }).Item ?? (await readLegacyItem(ctx, legacy, id, deadline, true));
    if (legacyWriteIdOf(stored) !== writeId) {
      const seen = stored === undefined ? undefined : decodeLegacyItem(stored);
      if (seen === undefined || seen.kind === 'destroyed') return { outcome: 'gone', legacyBytes };
      return seen.kind === 'session' && seen.movedTo !== undefined ? { outcome: 'already-moved', legacyBytes } : { outcome: 'changed', legacyBytes, servableUntilMs };
    }
  }
  ctx.metrics.increment(METRIC.sessionFence);
  const written = await writeSession(ctx, id, build, { table: target, version: 0, movingTo: target }, deadline);
  if (written.kind !== 'written') return { outcome: 'present', legacyBytes };
  ctx.metrics.increment(METRIC.sessionSavePut);
  return { outcome: 'copied', legacyBytes, storedBytes: itemSizeBytes(written.item), servableUntilMs };
}

/** The size of the item a copy would write, or undefined when the session cannot be encoded. */
function sizeOfCopy(id: string, session: Record<string, unknown>, fields: ItemFields, nowMs: number): number | undefined {
  try {
    const { data } = encodeSessionData(session);
    return itemSizeBytes(
      buildSessionItem({ id, data, version: 1, lastAccessedMs: nowMs, expiresAtMs: fields.expiresAtMs, createdAtMs: nowMs, writeId: 'x'.repeat(12) }),
    );
  } catch {
    return undefined;
  }
}
