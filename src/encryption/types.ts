/** One key of the built-in cipher (AES-256-GCM). */
export interface EncryptionKey {
  /**
   * The key's id, stored in clear with every session it encrypts (it is not secret): 1 to 255
   * printable ASCII characters, unique among the keys.
   */
  readonly id: string;
  /**
   * The key: 32 bytes, as a `Uint8Array`, or as a string of 32 bytes in base64, base64url or hex
   * (`openssl rand -base64 32`). Never a passphrase.
   */
  readonly key: Uint8Array | string;
}

/**
 * Keys managed elsewhere (AWS KMS, Vault, an HSM): asynchronous encryption of bytes under a key id.
 * The store frames what `encrypt` returns with the key id and flags, and hands the same `aad`
 * back to `decrypt`. See docs/security.md for the contract and an AWS KMS envelope example.
 */
export interface EncryptionAdapter {
  /**
   * The id of the key `encrypt` uses now, stored in clear with every ciphertext: 1 to 255
   * printable ASCII characters. Read at every write, so it may change; sessions stored under
   * another id are re-encrypted at their next write.
   */
  readonly keyId: string;
  /**
   * Encrypts `plaintext` under the key named by `keyId`, authenticating `aad` with it (AEAD).
   * A rejection fails the save (`encryption.failed`).
   */
  encrypt(plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
  /**
   * Decrypts what `encrypt` made under `keyId` with this `aad`.
   *
   * @returns the plaintext; `undefined` when the ciphertext does not authenticate with this `aad`
   *   or the key id is unknown (the session is then treated as absent, and counted). Reject only
   *   for an operational failure (the key service unreachable): the load then fails as a backend
   *   failure does (`encryption.failed`, see `onBackendError`).
   */
  decrypt(ciphertext: Uint8Array, aad: Uint8Array, keyId: string): Promise<Uint8Array | undefined>;
}

/**
 * connect-mongo's `cryptoAdapter` (6.0): strings in, strings out. Accepted as is; without key
 * ids of its own, its ciphertexts are stored under `cryptoAdapterKeyId`. Any rejection of its
 * `decrypt` counts as a ciphertext that does not authenticate.
 */
export interface CryptoAdapter {
  encrypt(plaintext: string): Promise<string>;
  decrypt(ciphertext: string): Promise<string>;
}

/** What the store writes: encrypted sessions, or plaintext (switching encryption off). */
export type EncryptionWriteMode = 'encrypted' | 'plaintext';

/**
 * Client-side encryption of the session data (the `data` attribute). Give `keys` (the built-in
 * AES-256-GCM), an `adapter` or a `cryptoAdapter`; `keys` may accompany an adapter, to read what
 * they encrypted while the adapter encrypts. See docs/security.md.
 */
export interface EncryptionOptions {
  /**
   * Built-in AES-256-GCM keys: the first encrypts (unless an adapter is given), every one decrypts.
   * Rotate by putting a new key first and keeping the old ones while `dsm keys` counts sessions
   * under them.
   */
  readonly keys?: readonly EncryptionKey[];
  /** Keys managed elsewhere: encrypts every write. Excludes `cryptoAdapter`. */
  readonly adapter?: EncryptionAdapter;
  /** connect-mongo's adapter shape: encrypts every write. Excludes `adapter`. */
  readonly cryptoAdapter?: CryptoAdapter;
  /** The key id stored with `cryptoAdapter` ciphertexts. @default 'crypto-adapter' */
  readonly cryptoAdapterKeyId?: string;
  /**
   * Read sessions stored in plaintext (written before encryption was switched on) and encrypt them
   * at their next write. Off, they are treated as absent. Leave it on only while such sessions can
   * still be live: it lets anyone who can write to the table plant a session.
   * @default false, true with `write: 'plaintext'`
   */
  readonly acceptPlaintext?: boolean;
  /**
   * `'plaintext'` switches encryption off on a live table: sessions are written in plaintext (each
   * encrypted one at its next write) while the keys still decrypt those not yet rewritten.
   * @default 'encrypted'
   */
  readonly write?: EncryptionWriteMode;
}
