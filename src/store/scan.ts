import type { Item, SessionRecord } from '../codec/codec.js';
import { isValidSessionId } from '../codec/session-id.js';
import { buildDeleteInput, buildScanInput } from '../dynamo/params.js';
import type { Deadline } from '../dynamo/deadline.js';
import { isSessionManagerError } from '../errors.js';
import { isExpiredAt } from '../expiry/lifetime.js';
import type { TableRef } from '../expiry/strategy.js';
import { maskSession } from '../logging/session-contents.js';
import type { StoreContext } from './context.js';
import { isReservedKey } from '../codec/item-format.js';
import { chooseCopy, decodeFound, locate, type Found } from './locate.js';

/** A session as the inspector shows it: values under secret-looking keys masked. */
export interface InspectedSession {
  readonly table: string;
  readonly version: number;
  readonly lastAccessedMs: number;
  readonly expiresAtMs: number;
  readonly createdAtMs: number;
  readonly dataBytes: number;
  /** The key that protects the stored data; absent when it is stored in plaintext. */
  readonly keyId?: string;
  readonly expired: boolean;
  readonly session: unknown;
}

/** Every live session, by id. Scans the live tables: expensive, for tools and tests. */
export async function allSessions(ctx: StoreContext): Promise<Map<string, SessionRecord>> {
  const copies = new Map<string, Found[]>();
  await scanLive(ctx, async (found) => {
    const list = copies.get(found.record.id);
    if (list === undefined) copies.set(found.record.id, [found]);
    else list.push(found);
  });
  const out = new Map<string, SessionRecord>();
  const now = ctx.options.now();
  for (const [id, list] of copies) {
    const record = chooseCopy(list)?.record;
    if (record?.kind === 'session' && !isExpiredAt(record, now, ctx.options)) out.set(id, record.session);
  }
  return out;
}

/** Deletes every item of the live tables, tombstones included. Scans: expensive. Clearing an empty store succeeds. */
export async function clearSessions(ctx: StoreContext): Promise<void> {
  // Each delete has a deadline of its own: one for the whole scan would cut a big clear short.
  await scanLive(ctx, async (found) => {
    await deleteFrom(ctx, found.table, found.record.id, ctx.backend.operationDeadline());
  });
}

async function deleteFrom(ctx: StoreContext, table: TableRef, id: string, deadline: Deadline): Promise<void> {
  try {
    await ctx.backend.send('DeleteItem', buildDeleteInput(table.name, id), deadline);
  } catch (error) {
    if (isSessionManagerError(error, 'backend.tableMissing') && table.role !== 'current') return;
    throw error;
  }
}

async function scanLive(ctx: StoreContext, visit: (found: Found) => Promise<void>): Promise<void> {
  await scanLiveItems(ctx, async (table, id, item) => {
    await visit(await decodeFound(ctx, table, id, item));
  });
}

/** Visits every item of the live tables as stored (not decoded). Scans: expensive. */
export async function scanLiveItems(ctx: StoreContext, visit: (table: TableRef, id: string, item: Item) => Promise<void>): Promise<void> {
  const plan = ctx.strategy.readPlan(ctx.options.now());
  for (const table of [...plan.first, ...plan.fallback, ...plan.kept]) {
    let startKey: Record<string, unknown> | undefined;
    do {
      let page;
      try {
        page = await ctx.backend.send('Scan', buildScanInput(table.name, true, startKey as never));
      } catch (error) {
        if (isSessionManagerError(error, 'backend.tableMissing') && table.role !== 'current') break;
        throw error;
      }
      for (const item of page.Items ?? []) {
        const id = item.id?.S;
        if (typeof id !== 'string' || isReservedKey(id)) continue; // the store's own keys (the maintainer lease)
        await visit(table, id, item);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
  }
}

/**
 * Reads one session for an operator (the dashboard's inspector, `dsm get`): values under keys
 * that look secret are masked unless `reveal` is set. Expired sessions are shown, marked.
 *
 * @throws {SessionManagerError} `encryption.undecryptable` when the session is stored but this
 *   store cannot decrypt it (the keys it was given do not include its key).
 */
export async function inspectSession(ctx: StoreContext, id: string, options: { reveal?: boolean } = {}): Promise<InspectedSession | null> {
  if (!isValidSessionId(id, ctx.options.sessionIdPattern)) return null;
  const deadline = ctx.backend.operationDeadline();
  await ctx.whenUsable(deadline);
  const found = await locate(ctx, id, deadline, true);
  if (found?.record.kind === 'corrupt' && found.record.undecryptable !== undefined) throw found.record.undecryptable;
  if (found?.record.kind !== 'session') return null;
  const record = found.record;
  return {
    table: found.table.name,
    version: record.version,
    lastAccessedMs: record.lastAccessedMs,
    expiresAtMs: record.expiresAtMs,
    createdAtMs: record.createdAtMs,
    dataBytes: record.dataBytes,
    ...(found.keyId === undefined ? {} : { keyId: found.keyId }),
    expired: isExpiredAt(record, ctx.options.now(), ctx.options),
    session: options.reveal === true ? record.session : maskSession(record.session, ctx.options.secretKeyPatterns),
  };
}
