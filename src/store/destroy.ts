import { buildTombstoneItem, type Item } from '../codec/codec.js';
import { ATTR } from '../codec/item-format.js';
import { isValidSessionId } from '../codec/session-id.js';
import type { Deadline } from '../dynamo/deadline.js';
import { buildPutTombstoneInput } from '../dynamo/params.js';
import { isSessionManagerError } from '../errors.js';
import type { TableRef } from '../expiry/strategy.js';
import { redactId, safeLog } from '../logging/logger.js';
import { METRIC } from '../metrics/names.js';
import type { StoreContext } from './context.js';

/** How many fences a destroy follows beyond the tables it starts with. */
const MAX_HOPS = 3;

/**
 * Destroys a session: a tombstone in every table a copy of it can be in (the write table, the
 * previous one, the next one near a boundary), and in any later table a replaced copy says it
 * moved on to. Nothing is ever written over a tombstone, so neither a request that loaded the
 * session earlier nor a move in flight can bring it back. A tombstone is never removed by another
 * destroy, and writing one twice is harmless: a retry after a lost answer is safe.
 *
 * @throws {SessionManagerError} `backend.*`, `rotation.tableNotReady`.
 */
export async function destroySession(ctx: StoreContext, id: unknown): Promise<void> {
  if (!isValidSessionId(id, ctx.options.sessionIdPattern)) return;
  const deadline = ctx.backend.operationDeadline();
  await ctx.whenUsable(deadline);
  const now = ctx.options.now();
  const tombstone = buildTombstoneItem(id, 1, now, now + 2 * ctx.options.rotationPeriodMs);
  const done = new Set<string>();
  let tables = [...ctx.strategy.destroyTables(now)];
  for (let hop = 0; hop <= MAX_HOPS && tables.length > 0; hop += 1) {
    for (const table of tables) done.add(table.name);
    const replaced = await Promise.all(tables.map((table, i) => putTombstone(ctx, table, tombstone, deadline, hop === 0 && i === 0)));
    tables = replaced
      .map((old) => old?.[ATTR.movedTo]?.S)
      .filter((name): name is string => name !== undefined && !done.has(name))
      .map((name) => ctx.strategy.refFor(name, now))
      .filter((table): table is TableRef => table !== undefined);
  }
  ctx.metrics.increment(METRIC.sessionDestroy);
  safeLog(ctx.options.logger, 'debug', () => ({ session: redactId(id) }), 'Session destroyed');
}

/** Puts the tombstone into one table; returns what it replaced. Only the write table must exist. */
async function putTombstone(ctx: StoreContext, table: TableRef, tombstone: Item, deadline: Deadline, required: boolean): Promise<Item | undefined> {
  try {
    return (await ctx.backend.send('PutItem', buildPutTombstoneInput(table.name, tombstone), deadline)).Attributes;
  } catch (error) {
    if (!required && isSessionManagerError(error, 'backend.tableMissing')) return undefined;
    throw error;
  }
}
