import { randomBytes } from 'node:crypto';
import { writeIdOf, type Item } from '../codec/codec.js';
import { RESERVED_KEY } from '../codec/item-format.js';
import { isConditionFailed } from '../dynamo/backend-errors.js';
import type { Deadline } from '../dynamo/deadline.js';
import { buildFenceInput, buildGetInput, buildPutIfAbsentInput, buildPutIfVersionInput } from '../dynamo/params.js';
import { SessionManagerError, isSessionManagerError } from '../errors.js';
import type { TableRef } from '../expiry/strategy.js';
import { METRIC } from '../metrics/names.js';
import type { StoreContext } from './context.js';
import { decodeFound, noteSeen, type Found } from './locate.js';

/** The stored copy a write replaces: where it is and at which version. */
export interface WriteBase {
  readonly table: TableRef;
  readonly version: number;
  /** The copy is fenced for a move into this table that was cut short: complete it. */
  readonly movingTo?: TableRef | undefined;
}

/** Builds the item of a write at `version`, tagged with `writeId`. */
export type ItemBuilder = (version: number, writeId: string) => Item;

/** What a conditional write achieved. */
export type WriteOutcome =
  | { readonly kind: 'written'; readonly table: TableRef; readonly version: number; readonly item: Item }
  /**
   * The stored copy is not the base any more (another write, a move, a destroy): merge, or give up.
   * `seen` is the item found where the condition failed, when it is authoritative (an unfenced
   * copy or a tombstone): the merge can start from it without reading again.
   */
  | { readonly kind: 'conflict'; readonly seen?: Found | undefined };

/** A random id for one write: lets the writer recognise its own write when the answer was lost. */
function newWriteId(): string {
  return randomBytes(9).toString('base64url');
}

/**
 * The table a write goes to: the current write table, or a later one where the session already
 * lives (a server whose clock runs ahead moved it there).
 *
 * @throws {SessionManagerError} `rotation.tableNotReady` before any table is usable.
 */
export function targetFor(ctx: StoreContext, base: TableRef | undefined): TableRef {
  const current = ctx.strategy.writeTable(ctx.options.now());
  if (current === undefined) throw new SessionManagerError('rotation.tableNotReady', 'No session table is ACTIVE yet.', { retryable: true });
  return base !== undefined && base.period > current.period ? base : current;
}

/**
 * Writes a whole session where it must live, conditional on the copy it replaces (see
 * docs/expiry.md, "Where a session lives"):
 *
 * - no base (a new session): a put into the write table where no item exists;
 * - a base in the write table: a put over it at its version, unless it was fenced or destroyed;
 * - a base in an older table: first fence the old copy (its version moves on, so a writer still on
 *   that table fails and merges), then put into the write table where no item exists;
 * - a base fenced by a move cut short: complete the move into the table the fence names.
 *
 * Every step is a conditional write tagged with a fresh write id. When a condition fails, the
 * stored item is looked at (DynamoDB returns it; else one consistent read): if it carries this
 * write's id, the write was applied and only its answer was lost (a retry after a dropped
 * connection), so it counts as done. Otherwise the outcome is a conflict.
 */
export async function writeSession(ctx: StoreContext, id: string, build: ItemBuilder, base: WriteBase | undefined, deadline: Deadline): Promise<WriteOutcome> {
  const writeId = newWriteId();
  if (base === undefined) {
    // A new session goes to the write table, which is assumed from the clock: if it is not there
    // yet, it is now marked missing and the write goes to the table in use then (an older one, as
    // a maintainer may be more than a period late; or the next period's, when the clock has just
    // passed a boundary), until one is there or only tables already tried are left. Nothing was written.
    const tried = new Set<string>();
    for (let target = targetFor(ctx, undefined); ; ) {
      tried.add(target.name);
      try {
        return await putAbsent(ctx, target, id, build(1, writeId), writeId, 1, deadline);
      } catch (error) {
        const next = isSessionManagerError(error, 'backend.tableMissing') ? ctx.strategy.writeTable(ctx.options.now()) : undefined;
        if (next === undefined || tried.has(next.name)) throw error;
        target = next;
      }
    }
  }
  if (base.movingTo !== undefined) return await putAbsent(ctx, base.movingTo, id, build(base.version + 1, writeId), writeId, base.version + 1, deadline);
  const target = await confirmedTarget(ctx, base.table, deadline);
  if (target.name === base.table.name) {
    const version = base.version + 1;
    const item = build(version, writeId);
    const seen = await conditional(ctx, target, id, writeId, deadline, () => ctx.backend.send('PutItem', buildPutIfVersionInput(target.name, item, base.version), deadline));
    return seen === APPLIED ? { kind: 'written', table: target, version, item } : { kind: 'conflict', seen };
  }
  const fenced = await conditional(ctx, base.table, id, writeId, deadline, () =>
    ctx.backend.send('UpdateItem', buildFenceInput(base.table.name, id, base.version, target.name, writeId), deadline),
  );
  if (fenced !== APPLIED) return { kind: 'conflict', seen: fenced };
  ctx.metrics.increment(METRIC.sessionFence);
  return await putAbsent(ctx, target, id, build(base.version + 2, writeId), writeId, base.version + 2, deadline);
}

/**
 * The write table for a session whose copy is in `base`, known to be there before the session is
 * fenced towards it: a table this process has not reached yet is probed with one GetItem of a key
 * no session has; a missing one is marked so, and the write goes to the table still in use.
 */
async function confirmedTarget(ctx: StoreContext, base: TableRef, deadline: Deadline): Promise<TableRef> {
  // A table found missing leaves an older one in use: probe until one is there (or it is base's own).
  const tried = new Set<string>();
  for (let target = targetFor(ctx, base); ; target = targetFor(ctx, base)) {
    if (target.name === base.name || ctx.seenTables.has(target.name) || tried.has(target.name)) return target;
    tried.add(target.name);
    try {
      await ctx.backend.send('GetItem', buildGetInput(target.name, RESERVED_KEY.probe, false), deadline);
      noteSeen(ctx, target.name);
      return target;
    } catch (error) {
      if (!isSessionManagerError(error, 'backend.tableMissing')) throw error;
      ctx.strategy.markMissing(target.name);
    }
  }
}

async function putAbsent(ctx: StoreContext, table: TableRef, id: string, item: Item, writeId: string, version: number, deadline: Deadline): Promise<WriteOutcome> {
  let seen: typeof APPLIED | Found | undefined;
  try {
    seen = await conditional(ctx, table, id, writeId, deadline, () => ctx.backend.send('PutItem', buildPutIfAbsentInput(table.name, item), deadline));
  } catch (error) {
    if (isSessionManagerError(error, 'backend.tableMissing')) ctx.strategy.markMissing(table.name);
    throw error;
  }
  noteSeen(ctx, table.name);
  return seen === APPLIED ? { kind: 'written', table, version, item } : { kind: 'conflict', seen };
}

const APPLIED = Symbol('applied');

/**
 * Sends a conditional write. {@link APPLIED} when it was applied: it succeeded, or its condition
 * failed only because an earlier attempt of the same write (whose answer was lost) had been
 * applied. Otherwise the stored item where the condition failed, when it is authoritative.
 */
async function conditional(ctx: StoreContext, table: TableRef, id: string, writeId: string, deadline: Deadline, send: () => Promise<unknown>): Promise<typeof APPLIED | Found | undefined> {
  try {
    await send();
    return APPLIED;
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
    const stored = (error as { Item?: Item }).Item ?? (await ctx.backend.send('GetItem', buildGetInput(table.name, id, true), deadline)).Item;
    if (writeIdOf(stored) === writeId) {
      ctx.metrics.increment(METRIC.sessionSaveRecovered);
      return APPLIED;
    }
    ctx.metrics.increment(METRIC.sessionSaveConflict);
    if (stored === undefined) return undefined;
    const found = await decodeFound(ctx, table, id, stored);
    const record = found.record;
    return record.kind === 'tombstone' || (record.kind === 'session' && record.movedTo === undefined) ? found : undefined;
  }
}
