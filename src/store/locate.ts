import { decodeItem, type Item, type StoredSession, type Tombstone } from '../codec/codec.js';
import { buildGetInput } from '../dynamo/params.js';
import type { Deadline } from '../dynamo/deadline.js';
import { SessionManagerError, isSessionManagerError } from '../errors.js';
import type { TableRef } from '../expiry/strategy.js';
import { redactId, safeLog } from '../logging/logger.js';
import { METRIC } from '../metrics/names.js';
import { openItem } from './sealing.js';
import type { StoreContext } from './context.js';

/** A stored item that cannot be read: treated as absent, never served, never overwritten. */
export interface Unreadable {
  readonly kind: 'corrupt';
  readonly id: string;
  /** Why, when its data cannot be decrypted (`encryption.undecryptable`). */
  readonly undecryptable?: SessionManagerError | undefined;
}

/** One copy of a session, as read from one table. */
export interface Found {
  readonly table: TableRef;
  readonly record: StoredSession | Tombstone | Unreadable;
  /**
   * Set when the copy's data is not stored as this store writes it (plaintext while it encrypts,
   * an older key, encrypted while it writes plaintext): its next write, a refresh included,
   * rewrites it.
   */
  readonly stale?: boolean;
  /** The key that protected the copy's data; absent for plaintext. */
  readonly keyId?: string;
}

/** How many fences a read follows (a move is one hop; a chain longer than this is not made by the store). */
const MAX_HOPS = 3;

/**
 * Finds the authoritative copy of session `id` (see docs/expiry.md, "Where a session lives"):
 * reads the tables of the read plan, picks with {@link chooseCopy}, and follows a fenced copy to
 * the table it moved on to. A fenced copy whose move was cut short (nothing in the later table) is
 * returned as it is: its data is the session, and the next write completes the move.
 *
 * `anchor` is a table where the caller knows a copy was (the table its request loaded the session
 * from): it is read too. Every later copy is reachable from it through fences, so a session that
 * moved on beyond this server's read plan meanwhile (a server whose clock runs ahead, a request
 * that took long) is still found, never taken for gone.
 *
 * @returns the copy, a tombstone (destroyed), an unreadable item, or undefined when nothing is stored.
 */
export async function locate(ctx: StoreContext, id: string, deadline: Deadline, consistent: boolean, anchor?: TableRef): Promise<Found | undefined> {
  const tried = new Set<string>();
  for (;;) {
    const current = ctx.strategy.writeTable(ctx.options.now());
    if (current !== undefined) tried.add(current.name);
    try {
      return await locateOnce(ctx, id, deadline, consistent, anchor);
    } catch (error) {
      // Tables are assumed from the clock: the current one may not be there yet (created late, or
      // a maintainer more than a period late). It is now marked missing, so the plan falls back to
      // an older table: read again (with no table left that was not tried, the table is gone:
      // that is an error, not a miss).
      const next = isSessionManagerError(error, 'backend.tableMissing') ? ctx.strategy.writeTable(ctx.options.now()) : undefined;
      if (next === undefined || tried.has(next.name)) throw error;
    }
  }
}

async function locateOnce(ctx: StoreContext, id: string, deadline: Deadline, consistent: boolean, anchor: TableRef | undefined): Promise<Found | undefined> {
  const now = ctx.options.now();
  const planned = ctx.strategy.readPlan(now);
  const extra = anchor === undefined || [...planned.first, ...planned.fallback, ...planned.kept].some((table) => table.name === anchor.name) ? undefined : ctx.strategy.refFor(anchor.name, now);
  const plan = extra === undefined ? planned : { ...planned, first: [...planned.first, extra] };
  if (ctx.strategy.needsMaintenance(now)) ctx.kickMaintenance();
  const current = plan.first.find((table) => table.role === 'current');
  let found: Found | undefined;
  if (current === undefined || (plan.fallback.length === 0 && plan.kept.length === 0)) {
    found = await readCopies(ctx, plan.first, id, deadline, consistent);
  } else {
    // A previous table exists: read it at once or only on a miss, as recent loads suggest. The
    // kept tables are read only after a miss in both: at most two round trips.
    if (plan.fallback.length > 0 && ctx.previousReads.together(current.period)) {
      found = await readCopies(ctx, [...plan.first, ...plan.fallback], id, deadline, consistent);
      if (found === undefined && plan.kept.length > 0) found = await readCopies(ctx, plan.kept, id, deadline, consistent);
    } else {
      found = await readCopies(ctx, plan.first, id, deadline, consistent);
      if (found === undefined) found = await readCopies(ctx, [...plan.fallback, ...plan.kept], id, deadline, consistent);
    }
    if (plan.fallback.length > 0) ctx.previousReads.record(current.period, found?.table.role === 'current');
  }
  return await followFences(ctx, id, found, deadline, consistent);
}

/** Follows `movedTo` from a fenced copy to the copy it points to, when that exists. */
async function followFences(ctx: StoreContext, id: string, found: Found | undefined, deadline: Deadline, consistent: boolean): Promise<Found | undefined> {
  let at = found;
  for (let hop = 0; hop < MAX_HOPS && at?.record.kind === 'session' && at.record.movedTo !== undefined; hop += 1) {
    const target = ctx.strategy.refFor(at.record.movedTo, ctx.options.now());
    if (target === undefined) return at;
    const next = await readCopy(ctx, target, id, deadline, consistent);
    if (next === undefined) return at; // the move was cut short: this copy is still the session
    at = next;
  }
  return at;
}

/** Reads several tables at once and picks the authoritative copy among what they hold. */
export async function readCopies(ctx: StoreContext, tables: readonly TableRef[], id: string, deadline: Deadline, consistent: boolean): Promise<Found | undefined> {
  const hits = await Promise.all(tables.map((table) => readCopy(ctx, table, id, deadline, consistent)));
  return chooseCopy(hits.filter((hit): hit is Found => hit !== undefined));
}

/**
 * The authoritative copy among copies of one session read from several tables. Pure.
 *
 * 1. A tombstone anywhere wins: the session was destroyed (a destroy fences every table a copy
 *    can be in, and nothing is ever written over a tombstone).
 * 2. Else the unfenced copy in the latest table: a copy reaches a later table only after the copy
 *    it came from was fenced, so the latest unfenced copy is the one writers write to.
 * 3. Else the fenced copy in the latest table (its move may have been cut short; the caller follows it).
 * 4. An unreadable item counts only when nothing else was found.
 */
export function chooseCopy(hits: readonly Found[]): Found | undefined {
  let best: Found | undefined;
  let rank = -1;
  for (const hit of hits) {
    const r = rankOf(hit);
    if (r > rank || (r === rank && best !== undefined && isLater(hit, best))) {
      best = hit;
      rank = r;
    }
  }
  return best;
}

function rankOf(found: Found): number {
  const record = found.record;
  if (record.kind === 'tombstone') return 4;
  if (record.kind === 'corrupt') return 1;
  return record.movedTo === undefined ? 3 : 2;
}

function isLater(a: Found, b: Found): boolean {
  if (a.table.period !== b.table.period) return a.table.period > b.table.period;
  return a.record.kind !== 'corrupt' && b.record.kind !== 'corrupt' && a.record.version > b.record.version;
}

/**
 * Reads one table's copy of `id`. A missing table other than the current one is a miss (it may
 * not exist yet, or another server already dropped it); an unreadable item is logged and counted.
 */
export async function readCopy(ctx: StoreContext, table: TableRef, id: string, deadline: Deadline, consistent: boolean): Promise<Found | undefined> {
  const item = await readItem(ctx, table, id, deadline, consistent);
  return item === undefined ? undefined : await decodeFound(ctx, table, id, item);
}

/** The raw item of `id` in `table`, or undefined (also for a missing table other than the current one). */
export async function readItem(ctx: StoreContext, table: TableRef, id: string, deadline: Deadline, consistent: boolean): Promise<Item | undefined> {
  try {
    const item = (await ctx.backend.send('GetItem', buildGetInput(table.name, id, consistent), deadline)).Item;
    noteSeen(ctx, table.name);
    return item;
  } catch (error) {
    if (isSessionManagerError(error, 'backend.tableMissing')) {
      ctx.strategy.markMissing(table.name);
      if (table.role !== 'current') return undefined;
      ctx.kickMaintenance();
    }
    throw error;
  }
}

/** Records that a data call reached `name` (see `StoreContext.seenTables`). */
export function noteSeen(ctx: StoreContext, name: string): void {
  if (ctx.seenTables.has(name)) return;
  if (ctx.seenTables.size >= 64) ctx.seenTables.clear();
  ctx.seenTables.add(name);
}

/**
 * Decodes an item read from `table` under key `id`, decrypting its data when it is encrypted; an
 * item that cannot be decoded or decrypted is {@link Unreadable} (logged and counted).
 *
 * @throws {SessionManagerError} `encryption.failed` when an encryption adapter fails (the key
 *   service is down): the operation fails as a backend failure does, and the session is kept.
 */
export async function decodeFound(ctx: StoreContext, table: TableRef, id: string, item: Item): Promise<Found> {
  try {
    const opened = await openItem(ctx.options.encryption, id, item);
    const record = decodeItem(opened.item);
    if (record.id !== id) throw new SessionManagerError('codec.corruptItem', 'Stored item is not a readable session: its id differs from its key.', { details: { reason: 'id mismatch' } });
    if (record.kind === 'tombstone' || ctx.options.encryption === undefined) return { table, record };
    return {
      table,
      record: opened.storedBytes === undefined ? record : { ...record, dataBytes: opened.storedBytes },
      ...(ctx.options.encryption.isStale(opened.keyId) ? { stale: true } : {}),
      ...(opened.keyId === undefined ? {} : { keyId: opened.keyId }),
    };
  } catch (error) {
    if (isSessionManagerError(error, 'encryption.failed')) throw error;
    const undecryptable = isSessionManagerError(error, 'encryption.undecryptable') ? error : undefined;
    ctx.metrics.increment(undecryptable === undefined ? METRIC.sessionLoadCorrupt : METRIC.sessionLoadUndecryptable);
    safeLog(
      ctx.options.logger,
      'warn',
      () => ({ session: redactId(id), table: table.name, reason: (error as SessionManagerError).details?.reason ?? (error as Error).message, ...(undecryptable?.details.keyId === undefined ? {} : { keyId: undecryptable.details.keyId }) }),
      undecryptable === undefined ? 'Ignoring a corrupt session item' : 'Ignoring a session item that cannot be decrypted',
    );
    return { table, record: { kind: 'corrupt', id, undecryptable } };
  }
}
