import { buildSessionItem, encodeSessionData, itemSizeBytes, type Item, type SessionRecord } from '../codec/codec.js';
import { ATTR } from '../codec/item-format.js';
import { SessionManagerError } from '../errors.js';
import { METRIC } from '../metrics/names.js';
import type { StoreContext } from './context.js';
import { sealData } from './sealing.js';
import { uidForSession } from './session-user.js';
import type { ItemBuilder } from './write.js';

/** What a session item carries besides its data. */
export interface ItemFields {
  readonly expiresAtMs: number;
  readonly createdAtMs: number | undefined;
  /** The user index key of the copy the write replaces, kept when `userIdOf` cannot tell (see `uidForSession`). */
  readonly storedUid?: string | undefined;
}

/**
 * Encodes a session once (and encrypts it, when the store encrypts) and returns the builder of
 * its item at any version: the size is checked before anything is sent, and the data is not
 * encoded again when a write needs a second step.
 *
 * @throws {SessionManagerError} `codec.itemTooLarge` over the item size limit, `codec.unserializable`,
 *   `encryption.failed`.
 */
export async function itemBuilderFor(ctx: StoreContext, id: string, session: SessionRecord, fields: ItemFields): Promise<ItemBuilder> {
  const data = await sealData(ctx.options.encryption, id, encodeSessionData(session).data);
  const nowMs = ctx.options.now();
  const uid = uidForSession(ctx, id, session, fields.storedUid);
  const build: ItemBuilder = (version, writeId) =>
    buildSessionItem({ id, data, version, lastAccessedMs: nowMs, expiresAtMs: fields.expiresAtMs, createdAtMs: fields.createdAtMs ?? nowMs, writeId, uid });
  const bytes = itemSizeBytes(build(1, 'x'.repeat(12)));
  if (bytes > ctx.options.maxItemBytes) {
    ctx.metrics.increment(METRIC.sessionSaveTooLarge);
    throw new SessionManagerError(
      'codec.itemTooLarge',
      `The session is ${bytes} bytes when stored, over DynamoDB's limit of ${ctx.options.maxItemBytes}; it was not saved and the stored session is unchanged. Keep large data out of the session.`,
      { details: { bytes, limit: ctx.options.maxItemBytes } },
    );
  }
  ctx.metrics.histogram(METRIC.sessionSize, bytes);
  return build;
}

/** The `lastAccessed` of an item built by {@link itemBuilderFor}. */
export function lastAccessedOf(item: Item): number {
  return Number(item[ATTR.lastAccessed]?.N);
}

/** The `createdAt` of an item built by {@link itemBuilderFor}. */
export function createdAtOf(item: Item): number {
  return Number(item[ATTR.createdAt]?.N);
}
