import { createHash, createHmac } from 'node:crypto';

/**
 * The user index key (`uid`) of a user id: what the store writes in the indexed attribute, and
 * queries the index for. Pure and deterministic: every server (and `dsm`) derives the same key
 * from the same id (and, in hashed mode, the same key material).
 *
 * - plain mode: the id itself, unless it is over {@link MAX_PLAIN_UID_BYTES} UTF-8 bytes, is not
 *   well-formed Unicode (a lone surrogate), or starts like a derived key (`sha256:`, `hmac:`):
 *   then `sha256:<hex>` of its bytes, so that no two ids share a key;
 * - hashed mode (`userIdKey`): `hmac:<base64url>` of HMAC-SHA256 under the key, for every id:
 *   the index never holds a raw user id.
 *
 * Bytes hashed: the UTF-8 of a well-formed id; for an id with a lone surrogate (which UTF-8 cannot
 * hold: it would become U+FFFD and collide), a 0xFF byte (never in UTF-8) and its UTF-16LE code units.
 */
export interface UserIdCodec {
  /** True in hashed mode. */
  readonly hashed: boolean;
  /**
   * The index key of `userId`, or undefined for the empty string (no user).
   *
   * @example
   * createUserIdCodec(undefined).uidOf('alice'); // 'alice'
   */
  uidOf(userId: string): string | undefined;
}

/** Longest user id stored as it is, in UTF-8 bytes; longer ones are stored as `sha256:<hex>`. */
export const MAX_PLAIN_UID_BYTES = 1024;

/** Prefixes of derived keys: a plain id that starts so is hashed too, so it cannot pass for another id's key. */
export const DERIVED_UID_PREFIXES = Object.freeze({ sha256: 'sha256:', hmac: 'hmac:' } as const);

/** Shortest HMAC key accepted (`userIdKey`), in bytes. */
export const MIN_USER_ID_KEY_BYTES = 16;

const LONE_SURROGATE = /\p{Cs}/u;

/** The bytes a user id is hashed from (see {@link UserIdCodec}). */
export function userIdBytes(userId: string): Buffer {
  if (!LONE_SURROGATE.test(userId)) return Buffer.from(userId, 'utf8');
  return Buffer.concat([Buffer.from([0xff]), Buffer.from(userId, 'utf16le')]);
}

/**
 * Builds the codec of user index keys.
 *
 * @param key - the HMAC key (hashed mode), or undefined (plain mode). The codec keeps it private.
 */
export function createUserIdCodec(key: Uint8Array | undefined): UserIdCodec {
  const secret = key === undefined ? undefined : Buffer.from(key);
  return Object.freeze({
    hashed: secret !== undefined,
    uidOf(userId: string): string | undefined {
      if (userId.length === 0) return undefined;
      if (secret !== undefined) return DERIVED_UID_PREFIXES.hmac + createHmac('sha256', secret).update(userIdBytes(userId)).digest('base64url');
      const plain =
        !LONE_SURROGATE.test(userId) &&
        Buffer.byteLength(userId, 'utf8') <= MAX_PLAIN_UID_BYTES &&
        !userId.startsWith(DERIVED_UID_PREFIXES.sha256) &&
        !userId.startsWith(DERIVED_UID_PREFIXES.hmac);
      return plain ? userId : DERIVED_UID_PREFIXES.sha256 + createHash('sha256').update(userIdBytes(userId)).digest('hex');
    },
  });
}

/**
 * A short reference to a session id that says nothing about it: the first 16 hex digits of its
 * SHA-256 (the revocation marker keeps the session a revoke spared so, and the
 * adapters' helpers show it as `ref`).
 */
export function sessionRef(sessionId: string): string {
  return createHash('sha256').update(sessionId, 'utf8').digest('hex').slice(0, 16);
}
