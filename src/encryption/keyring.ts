import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

/** AES-256-GCM nonce length, bytes: random per write. */
export const NONCE_BYTES = 12;
/** AES-256-GCM tag length, bytes. */
export const TAG_BYTES = 16;
/** Key length, bytes (AES-256). */
export const KEY_BYTES = 32;

/**
 * The built-in cipher: AES-256-GCM through node:crypto with a set of keys by id. The first key
 * encrypts; every key decrypts. Each encryption draws a fresh random 96-bit nonce. Key material is
 * held as `KeyObject`s in private fields: it is never enumerable, serialised or shown by
 * `util.inspect`.
 */
export class AesGcmKeyring {
  readonly #keys: ReadonlyMap<string, KeyObject>;
  /** The id of the key that encrypts. */
  readonly primaryId: string;
  /** Every key id, the encrypting one first. */
  readonly ids: readonly string[];

  /** @param keys - ids and 32-byte keys, the encrypting one first (checked by the caller). */
  constructor(keys: readonly { readonly id: string; readonly key: Uint8Array }[]) {
    const first = keys[0];
    if (first === undefined) throw new TypeError('AesGcmKeyring needs at least one key');
    this.#keys = new Map(keys.map(({ id, key }) => [id, createSecretKey(key)]));
    this.primaryId = first.id;
    this.ids = Object.freeze(keys.map(({ id }) => id));
  }

  /** Whether a key with this id is held. */
  has(keyId: string): boolean {
    return this.#keys.has(keyId);
  }

  /** Encrypts with the primary key: nonce ‖ ciphertext ‖ tag. */
  encrypt(plaintext: Uint8Array, aad: Uint8Array): Buffer {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#keys.get(this.primaryId)!, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad);
    const body = cipher.update(plaintext);
    const final = cipher.final();
    return Buffer.concat([nonce, body, final, cipher.getAuthTag()]);
  }

  /**
   * Decrypts what {@link encrypt} made under key `keyId`.
   *
   * @returns the plaintext, or undefined when the key is unknown, the data is too short or it does
   *   not authenticate (tampered, truncated, made under another key, or for another session).
   */
  decrypt(keyId: string, sealed: Uint8Array, aad: Uint8Array): Buffer | undefined {
    const key = this.#keys.get(keyId);
    if (key === undefined || sealed.byteLength < NONCE_BYTES + TAG_BYTES) return undefined;
    const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    try {
      const body = decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES));
      return Buffer.concat([body, decipher.final()]);
    } catch {
      return undefined;
    }
  }
}
