/**
 * The `data` attribute of an encrypted session: data format 2 (docs/item-format.md). Pure.
 *
 * | byte        | meaning                                                               |
 * |-------------|-----------------------------------------------------------------------|
 * | 0           | format: `2`                                                           |
 * | 1           | flags of the encrypted payload: `0` JSON, `1` deflated JSON (format 1's) |
 * | 2           | n, the length of the key id: 1 to 255                                 |
 * | 3 … 3+n-1   | the key id, printable ASCII                                           |
 * | 3+n …       | the ciphertext, as the cipher made it (built-in: nonce ‖ ciphertext ‖ tag) |
 *
 * The additional authenticated data is bytes 0 to 3+n-1 (format, flags, key id) followed by the
 * session id in UTF-8: a ciphertext copied under another id, another key id or other flags does
 * not decrypt.
 */

/** The format byte of encrypted data. Plain data is format 1 (`DATA_FORMAT_VERSION` of the codec). */
export const SEALED_DATA_FORMAT = 2;

/** Key ids: 1 to 255 printable ASCII characters, no space. */
export const KEY_ID_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Encrypted data taken apart. */
export interface SealedParts {
  /** The flags of the payload (format 1's: plain or deflated). */
  readonly flags: number;
  readonly keyId: string;
  /** Bytes 0 to 3+n-1: authenticated with the session id. */
  readonly header: Buffer;
  readonly ciphertext: Buffer;
}

/** Tells whether `data` is encrypted (format 2), from its first byte. */
export function isSealed(data: Uint8Array): boolean {
  return data[0] === SEALED_DATA_FORMAT;
}

/** The header of encrypted data: format, flags, key id. */
export function sealedHeader(flags: number, keyId: string): Buffer {
  const id = Buffer.from(keyId, 'latin1');
  const header = Buffer.allocUnsafe(3 + id.length);
  header[0] = SEALED_DATA_FORMAT;
  header[1] = flags;
  header[2] = id.length;
  id.copy(header, 3);
  return header;
}

/** The additional authenticated data of a ciphertext: its header, then the session id. */
export function additionalData(header: Uint8Array, sessionId: string): Buffer {
  return Buffer.concat([header, Buffer.from(sessionId, 'utf8')]);
}

/**
 * Takes encrypted data apart.
 *
 * @returns the parts, or a reason when the data is not well-formed format 2.
 */
export function parseSealed(data: Uint8Array): SealedParts | string {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buffer[0] !== SEALED_DATA_FORMAT) return 'the data is not in the encrypted format';
  if (buffer.length < 4) return 'the encrypted data is too short';
  const length = buffer[2] ?? 0;
  if (length === 0 || buffer.length < 3 + length) return 'the encrypted data is cut short';
  const keyId = buffer.toString('latin1', 3, 3 + length);
  if (!KEY_ID_PATTERN.test(keyId)) return 'the key id of the encrypted data is not printable ASCII';
  return { flags: buffer[1] ?? 0, keyId, header: buffer.subarray(0, 3 + length), ciphertext: buffer.subarray(3 + length) };
}
