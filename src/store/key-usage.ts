import { decodeItem, encodeSessionData, type Item } from '../codec/codec.js';
import { ATTR } from '../codec/item-format.js';
import { isSealed, parseSealed } from '../encryption/sealed-format.js';
import { isExpiredAt } from '../expiry/lifetime.js';
import type { StoreContext } from './context.js';
import { chooseCopy, type Found } from './locate.js';
import { scanLiveItems } from './scan.js';

/** How many live sessions each key protects: the progress of a key rotation. */
export interface KeyUsage {
  /** Live sessions by the id of the key that protects them, keys this store does not hold included. */
  readonly byKey: Readonly<Record<string, number>>;
  /** Live sessions stored in plaintext. */
  readonly plaintext: number;
  /** Sessions whose authoritative copy cannot be read at all (damaged items). */
  readonly unreadable: number;
  /** The key id writes use now; undefined when the store writes plaintext. */
  readonly writeKeyId: string | undefined;
  /** The ids of the built-in keys this store holds, the encrypting one first. */
  readonly keyIds: readonly string[];
}

/** What protects a copy: a key id, plaintext, or nothing readable. */
type Protection = { readonly keyId: string } | 'plaintext' | 'unreadable';

let placeholder: Uint8Array | undefined;

/**
 * Counts the live sessions by the key that protects them, from a scan of the live tables. Nothing
 * is decrypted (the key id is stored in clear), so it needs no key: a store without the keys
 * counts as well. Each session is counted once, by its authoritative copy; destroyed and expired
 * sessions are not counted. Scans: expensive, for tools.
 */
export async function keyUsage(ctx: StoreContext): Promise<KeyUsage> {
  await ctx.whenUsable(ctx.backend.operationDeadline());
  const copies = new Map<string, Found[]>();
  const protection = new WeakMap<Found, Protection>();
  await scanLiveItems(ctx, async (table, id, item) => {
    const [found, protectedBy] = attributesOf(table, id, item);
    protection.set(found, protectedBy);
    const list = copies.get(id);
    if (list === undefined) copies.set(id, [found]);
    else list.push(found);
  });
  const byKey: Record<string, number> = {};
  let plaintext = 0;
  let unreadable = 0;
  const now = ctx.options.now();
  for (const list of copies.values()) {
    const chosen = chooseCopy(list);
    const by = chosen === undefined ? undefined : protection.get(chosen);
    if (chosen?.record.kind === 'corrupt' || by === 'unreadable') unreadable += 1;
    else if (chosen?.record.kind !== 'session' || isExpiredAt(chosen.record, now, ctx.options)) continue;
    else if (by === 'plaintext') plaintext += 1;
    else if (by !== undefined) byKey[by.keyId] = (byKey[by.keyId] ?? 0) + 1;
  }
  const cipher = ctx.options.encryption;
  return { byKey, plaintext, unreadable, writeKeyId: cipher?.writeKeyId(), keyIds: cipher?.keyIds ?? [] };
}

/**
 * A copy's attributes, decoded by the codec with its data set aside (replaced by an empty
 * session), and what protects its data, read from the data's header.
 */
function attributesOf(table: Found['table'], id: string, item: Item): [Found, Protection] {
  const data = item[ATTR.data]?.B;
  let protectedBy: Protection = 'plaintext';
  if (data instanceof Uint8Array && isSealed(data)) {
    const parts = parseSealed(data);
    protectedBy = typeof parts === 'string' ? 'unreadable' : { keyId: parts.keyId };
  }
  placeholder ??= encodeSessionData({ cookie: {} }).data;
  try {
    const record = decodeItem(data === undefined ? item : { ...item, [ATTR.data]: { B: placeholder } });
    return [{ table, record }, protectedBy];
  } catch {
    return [{ table, record: { kind: 'corrupt', id } }, 'unreadable'];
  }
}
