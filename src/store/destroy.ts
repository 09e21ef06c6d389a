import { buildTombstoneItem, type Item } from '../codec/codec.js';
import { ATTR } from '../codec/item-format.js';
import { isValidSessionId } from '../codec/session-id.js';
import { isConditionFailed } from '../dynamo/backend-errors.js';
import type { Deadline } from '../dynamo/deadline.js';
import { buildPutTombstoneInput } from '../dynamo/params.js';
import { isSessionManagerError } from '../errors.js';
import type { TableRef } from '../expiry/strategy.js';
import { redactId, safeLog } from '../logging/logger.js';
import { METRIC } from '../metrics/names.js';
import type { StoreContext } from './context.js';
import { destroyLegacyCopy } from './legacy/destroy-legacy.js';
import { locate } from './locate.js';
import { requestScope } from './request-state.js';

/** How many fences a destroy follows beyond the tables it starts with. */
const MAX_HOPS = 3;

/**
 * Destroys a session so that it is never served or brought back (docs/expiry.md, "Where a session
 * lives"). Two steps:
 *
 * 1. a tombstone, conditional on an item being there, in every table a copy can be in (the write
 *    table, the previous one, the next one near a boundary, and the kept table a copy was found
 *    in): it replaces every copy, fenced ones included, and writes nothing for an id that is
 *    stored nowhere (no stray items);
 * 2. if any copy existed, an unconditional tombstone in the write table, the next one near a
 *    boundary and every table a replaced copy said it moved on to, unless step 1 already put one
 *    there: a move in flight (its old copy fenced, its new copy not written yet) then finds the
 *    tombstone and gives up.
 *
 * Nothing is ever written over a tombstone, a tombstone is never removed by another destroy, and
 * writing one twice is harmless, so a retry after a lost answer is safe.
 *
 * @throws {SessionManagerError} `backend.*`, `rotation.tableNotReady`.
 */
export async function destroySession(ctx: StoreContext, id: unknown): Promise<void> {
  if (!isValidSessionId(id, ctx.options.sessionIdPattern)) return;
  const deadline = ctx.backend.operationDeadline();
  await ctx.whenUsable(deadline);
  const now = ctx.options.now();
  const tombstone = buildTombstoneItem(id, 1, now, now + 2 * ctx.options.rotationPeriodMs);
  const tables = [...ctx.strategy.destroyTables(now)];
  const kept = await keptCopyTable(ctx, id, deadline, now);
  if (kept !== undefined && !tables.some((table) => table.name === kept.name)) tables.push(kept);
  const [first, legacy] = await Promise.all([
    Promise.all(tables.map((table, i) => putTombstone(ctx, table, tombstone, deadline, { ifExists: true, required: i === 0 }))),
    // With `migrateFrom`: the old store's copy goes too; a move of it in flight counts as a copy (store/legacy/).
    ctx.legacy === undefined ? undefined : destroyLegacyCopy(ctx, ctx.legacy, id, deadline),
  ]);
  const placed = new Set(tables.filter((_, i) => first[i] !== 'absent').map((table) => table.name));
  if (placed.size > 0 || legacy !== undefined) {
    let pending = [...tables.filter((table) => table.role !== 'previous'), ...movedToOf(ctx, first, now), ...(legacy ?? [])];
    for (let hop = 0; hop <= MAX_HOPS && pending.length > 0; hop += 1) {
      const next = pending.filter((table, i) => !placed.has(table.name) && pending.findIndex((t) => t.name === table.name) === i);
      for (const table of next) placed.add(table.name);
      const replaced = await Promise.all(next.map((table) => putTombstone(ctx, table, tombstone, deadline, { ifExists: false, required: false })));
      pending = movedToOf(ctx, replaced, now);
    }
  }
  ctx.metrics.increment(METRIC.sessionDestroy);
  safeLog(ctx.options.logger, 'debug', () => ({ session: redactId(id), tombstones: placed.size }), 'Session destroyed');
}

/**
 * A kept table (rotation: older than the previous one) that holds a copy of the session, which
 * the destroy must replace too: the table the request loaded the session from when it was a kept
 * one; without a load, the one a read finds (only when kept tables exist). Later copies are in the
 * tables a destroy always covers, or reached through the fences it follows.
 */
async function keptCopyTable(ctx: StoreContext, id: string, deadline: Deadline, now: number): Promise<TableRef | undefined> {
  const loaded = requestScope.getStore()?.loads.get(id)?.table;
  if (loaded !== undefined) return loaded.role === 'kept' ? loaded : undefined;
  if (ctx.strategy.readPlan(now).kept.length === 0) return undefined;
  const found = await locate(ctx, id, deadline, true);
  return found?.table.role === 'kept' ? found.table : undefined;
}

/** The tables that replaced copies say their session moved on to. */
function movedToOf(ctx: StoreContext, replaced: readonly (Item | 'absent' | undefined)[], now: number): TableRef[] {
  return replaced
    .map((old) => (typeof old === 'object' ? old[ATTR.movedTo]?.S : undefined))
    .filter((name): name is string => name !== undefined)
    .map((name) => ctx.strategy.refFor(name, now))
    .filter((table): table is TableRef => table !== undefined);
}

/**
 * Puts the tombstone into one table. Returns what it replaced (undefined when it replaced
 * nothing), or `absent` when `ifExists` found no item (nothing written). A missing table is
 * `absent` too, except for the write table (`required`).
 */
async function putTombstone(
  ctx: StoreContext,
  table: TableRef,
  tombstone: Item,
  deadline: Deadline,
  how: { readonly ifExists: boolean; readonly required: boolean },
): Promise<Item | 'absent' | undefined> {
  try {
    return (await ctx.backend.send('PutItem', buildPutTombstoneInput(table.name, tombstone, how.ifExists), deadline)).Attributes;
  } catch (error) {
    if (isConditionFailed(error)) return 'absent';
    if (!how.required && isSessionManagerError(error, 'backend.tableMissing')) return 'absent';
    throw error;
  }
}
