import type { Item } from '../../codec/codec.js';
import { LEGACY_ATTR } from '../../codec/connect-dynamodb-item.js';
import type { Deadline } from '../../dynamo/deadline.js';
import { buildLegacyDeleteInput } from '../../dynamo/legacy-params.js';
import { isSessionManagerError } from '../../errors.js';
import type { TableRef } from '../../expiry/strategy.js';
import { METRIC } from '../../metrics/names.js';
import type { StoreContext } from '../context.js';
import type { LegacyState } from './state.js';

/**
 * The legacy half of a destroy with `migrateFrom` on: deletes the session's connect-dynamodb item
 * (as connect-dynamodb's own `destroy` does, so a connect-dynamodb server still running sees the
 * logout too).
 *
 * @returns undefined when there was no legacy item (nor a legacy table); else the tables a move
 *   in flight may still put the session into (the table its fence named, if it was fenced): the
 *   destroy leaves a tombstone there and in its write table, so the move cannot land.
 */
export async function destroyLegacyCopy(ctx: StoreContext, legacy: LegacyState, id: string, deadline: Deadline): Promise<TableRef[] | undefined> {
  let old: Item | undefined;
  try {
    old = (await ctx.backend.send('DeleteItem', buildLegacyDeleteInput(legacy.source, id), deadline)).Attributes;
  } catch (error) {
    if (isSessionManagerError(error, 'backend.tableMissing')) return undefined;
    throw error;
  }
  if (old === undefined) return undefined;
  ctx.metrics.increment(METRIC.migrateDestroyed);
  const movedTo = old[LEGACY_ATTR.movedTo]?.S;
  const target = movedTo === undefined ? undefined : ctx.strategy.refFor(movedTo, ctx.options.now());
  return target === undefined ? [] : [target];
}
