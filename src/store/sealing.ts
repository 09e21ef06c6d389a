import type { Item } from '../codec/codec.js';
import { ATTR, DATA_FORMAT_VERSION } from '../codec/item-format.js';
import { isSealed, parseSealed } from '../encryption/sealed-format.js';
import { undecryptable, type OpenedData, type SessionCipher } from '../encryption/session-cipher.js';

/**
 * Encryption of the `data` attribute, between the codec (format 1: JSON, deflated when large) and
 * DynamoDB (format 2 when the store encrypts). Compression comes first, so what is encrypted is the
 * codec's payload; decryption gives format 1 back, so the codec reads encrypted and plaintext
 * sessions alike. Without a cipher nothing here allocates or awaits anything.
 */

/**
 * The data to store for a session: encrypted under the cipher's write key, or the codec's format-1
 * data itself when the store has no cipher or writes plaintext.
 *
 * @throws {SessionManagerError} `encryption.failed` when an adapter fails.
 */
export function sealData(cipher: SessionCipher | undefined, id: string, data: Uint8Array): Uint8Array | Promise<Uint8Array> {
  if (cipher === undefined || cipher.write === 'plaintext') return data;
  return cipher.seal(data[1] ?? 0, data.subarray(2), id);
}

/** An item whose data was decrypted (format 1 again), with what protected it. */
export interface OpenedItem {
  readonly item: Item;
  /** The key that protected the data; undefined for plaintext (or an item without data). */
  readonly keyId: string | undefined;
  /** The size of the stored `data` attribute, when it was encrypted. */
  readonly storedBytes: number | undefined;
}

/**
 * Decrypts the `data` attribute of an item read under key `id` (the additional data binds it to
 * that id), for the codec to decode. Plaintext data passes through when the cipher accepts it.
 *
 * @throws {SessionManagerError} `encryption.undecryptable` for encrypted data the store cannot
 *   open, and plaintext it does not accept; `encryption.failed` when an adapter fails.
 */
export function openItem(cipher: SessionCipher | undefined, id: string, item: Item): OpenedItem | Promise<OpenedItem> {
  const data = item[ATTR.data]?.B;
  if (!(data instanceof Uint8Array) || !isSealed(data)) {
    if (cipher !== undefined && !cipher.acceptPlaintext && data instanceof Uint8Array && data[0] === DATA_FORMAT_VERSION) {
      throw undecryptable('it is stored in plaintext and `encryption.acceptPlaintext` is off');
    }
    return { item, keyId: undefined, storedBytes: undefined };
  }
  if (cipher === undefined) {
    const parts = parseSealed(data);
    throw undecryptable('it is encrypted and the store has no `encryption` option', typeof parts === 'string' ? undefined : parts.keyId);
  }
  const opened = cipher.open(data, id);
  return opened instanceof Promise ? opened.then((value) => withPlainData(item, value, data.byteLength)) : withPlainData(item, opened, data.byteLength);
}

function withPlainData(item: Item, opened: OpenedData, storedBytes: number): OpenedItem {
  const data = Buffer.concat([Buffer.from([DATA_FORMAT_VERSION, opened.flags]), opened.payload]);
  return { item: { ...item, [ATTR.data]: { B: data } }, keyId: opened.keyId, storedBytes };
}
