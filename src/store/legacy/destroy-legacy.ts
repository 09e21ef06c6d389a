import type { Item } from '../../codec/codec.js';
import { LEGACY_ATTR } from '../../codec/connect-dynamodb-item.js';
import type { Deadline } from '../../dynamo/deadline.js';
import { isConditionFailed } from '../../dynamo/backend-errors.js';
import { buildLegacyDestroyInput } from '../../dynamo/legacy-params.js';
import { isSessionManagerError } from '../../errors.js';
import type { TableRef } from '../../expiry/strategy.js';
import { METRIC } from '../../metrics/names.js';
import type { StoreContext } from '../context.js';
import type { LegacyState } from './state.js';

/**
 * The legacy half of a destroy with `migrateFrom` on: removes `sess` from the session's
 * connect-dynamodb item and marks it destroyed (a connect-dynamodb server still running then sees
 * the logout too). A mark rather than a delete: a retry after a lost answer still learns that the
 * session existed and where its fence pointed.
 *
 * @returns undefined when there was no legacy item (nor a legacy table); else the tables a move
 *   in flight may still put the session into (the table its fence named, if it was fenced): the
 *   destroy leaves a tombstone there and in its write table, so the move cannot land.
 */
export async function destroyLegacyCopy(ctx: StoreContext, legacy: LegacyState, id: string, deadline: Deadline): Promise<TableRef[] | undefined> {
  let old: Item | undefined;
  try {
    old = (await ctx.backend.send('UpdateItem', buildLegacyDestroyInput(legacy.source, id, ctx.options.now()), deadline)).Attributes;
  } catch (error) {
    if (isConditionFailed(error) || isSessionManagerError(error, 'backend.tableMissing')) return undefined;
    throw error;
  }
  if (old === undefined) return undefined;
  ctx.metrics.increment(METRIC.migrateDestroyed);
  const movedTo = old[LEGACY_ATTR.movedTo]?.S;
  const target = movedTo === undefined ? undefined : ctx.strategy.refFor(movedTo, ctx.options.now());
  return target === undefined ? [] : [target];
}
