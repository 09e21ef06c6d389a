import { SessionManagerError } from '../errors.js';
import type { AesGcmKeyring } from './keyring.js';
import { KEY_ID_PATTERN, additionalData, parseSealed, sealedHeader } from './sealed-format.js';
import type { EncryptionAdapter, EncryptionWriteMode } from './types.js';

/** Encrypted data opened: the payload and flags of format 1, and the key that protected it. */
export interface OpenedData {
  readonly flags: number;
  readonly payload: Buffer;
  readonly keyId: string;
}

/** The parts a {@link SessionCipher} is built from, validated by the options. */
export interface SessionCipherParts {
  readonly keyring: AesGcmKeyring | undefined;
  readonly adapter: EncryptionAdapter | undefined;
  readonly acceptPlaintext: boolean;
  readonly write: EncryptionWriteMode;
}

/**
 * Encrypts and decrypts the payload of the `data` attribute (format 2, see `sealed-format.ts`),
 * bound to the session id. The built-in keyring works synchronously; an adapter asynchronously.
 * Public fields say how it is set up; keys and adapter stay private, so the store's options can be
 * shown and serialised.
 */
export class SessionCipher {
  /** Ids of the built-in keys, the encrypting one first. */
  readonly keyIds: readonly string[];
  /** Whether an adapter (or a cryptoAdapter) encrypts. */
  readonly adapter: boolean;
  /** Whether sessions stored in plaintext are read. */
  readonly acceptPlaintext: boolean;
  /** What writes store. */
  readonly write: EncryptionWriteMode;
  readonly #keyring: AesGcmKeyring | undefined;
  readonly #adapter: EncryptionAdapter | undefined;

  constructor(parts: SessionCipherParts) {
    this.#keyring = parts.keyring;
    this.#adapter = parts.adapter;
    this.keyIds = parts.keyring?.ids ?? [];
    this.adapter = parts.adapter !== undefined;
    this.acceptPlaintext = parts.acceptPlaintext;
    this.write = parts.write;
    Object.freeze(this);
  }

  /** The key id writes use now; undefined when they store plaintext. */
  writeKeyId(): string | undefined {
    if (this.write === 'plaintext') return undefined;
    return this.#adapter?.keyId ?? this.#keyring?.primaryId;
  }

  /**
   * Whether data stored under `keyId` (undefined: plaintext) is not what a write stores now, so
   * that its next write, a refresh included, should rewrite it.
   */
  isStale(keyId: string | undefined): boolean {
    return keyId !== this.writeKeyId();
  }

  /**
   * Encrypts a format-1 payload for session `sessionId`.
   *
   * @throws {SessionManagerError} `encryption.failed` when the adapter fails or names a bad key id.
   */
  seal(flags: number, payload: Uint8Array, sessionId: string): Buffer | Promise<Buffer> {
    const adapter = this.#adapter;
    if (adapter === undefined) {
      const keyring = this.#keyring!;
      const header = sealedHeader(flags, keyring.primaryId);
      return Buffer.concat([header, keyring.encrypt(payload, additionalData(header, sessionId))]);
    }
    const keyId = adapter.keyId;
    if (typeof keyId !== 'string' || !KEY_ID_PATTERN.test(keyId) || this.#keyring?.has(keyId) === true) {
      throw failed('the adapter names a key id that is not 1 to 255 printable ASCII characters, or that is one of `keys`');
    }
    const header = sealedHeader(flags, keyId);
    return (async () => {
      let ciphertext: unknown;
      try {
        ciphertext = await adapter.encrypt(payload, additionalData(header, sessionId));
      } catch (cause) {
        throw failed('the adapter failed to encrypt', cause);
      }
      if (!(ciphertext instanceof Uint8Array)) throw failed('the adapter did not resolve to a Uint8Array');
      return Buffer.concat([header, ciphertext]);
    })();
  }

  /**
   * Decrypts format-2 data of session `sessionId`.
   *
   * @throws {SessionManagerError} `encryption.undecryptable` when the data is malformed, its key
   *   is unknown or it does not authenticate; `encryption.failed` when the adapter fails.
   */
  open(data: Uint8Array, sessionId: string): OpenedData | Promise<OpenedData> {
    const parts = parseSealed(data);
    if (typeof parts === 'string') throw undecryptable(parts);
    const { flags, keyId, header, ciphertext } = parts;
    const aad = additionalData(header, sessionId);
    if (this.#keyring?.has(keyId) === true) {
      const payload = this.#keyring.decrypt(keyId, ciphertext, aad);
      if (payload === undefined) throw undecryptable('it does not authenticate under its key (tampered, cut short, or copied from another session)', keyId);
      return { flags, payload, keyId };
    }
    const adapter = this.#adapter;
    if (adapter === undefined) throw undecryptable('its key id is not among the keys given', keyId);
    return (async () => {
      let payload: unknown;
      try {
        payload = await adapter.decrypt(ciphertext, aad, keyId);
      } catch (cause) {
        throw failed('the adapter failed to decrypt', cause);
      }
      if (payload === undefined || payload === null) throw undecryptable('the adapter could not decrypt it (unknown key, tampered, or copied from another session)', keyId);
      if (!(payload instanceof Uint8Array)) throw failed('the adapter did not resolve to a Uint8Array');
      return { flags, payload: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), keyId };
    })();
  }
}

/** `encryption.undecryptable`: stored data that cannot be decrypted with what the store was given. */
export function undecryptable(reason: string, keyId?: string): SessionManagerError {
  return new SessionManagerError('encryption.undecryptable', `The stored session cannot be decrypted: ${reason}.`, {
    details: { reason, ...(keyId === undefined ? {} : { keyId }) },
  });
}

function failed(reason: string, cause?: unknown): SessionManagerError {
  return new SessionManagerError('encryption.failed', `Session encryption failed: ${reason}.`, {
    details: { reason },
    retryable: true,
    ...(cause === undefined ? {} : { cause }),
  });
}
