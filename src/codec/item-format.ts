/**
 * The stored item. Attribute names live here and nowhere else. See docs/item-format.md.
 *
 * | attribute      | type | content                                                        |
 * |----------------|------|----------------------------------------------------------------|
 * | `id`           | S    | session id (hash key)                                           |
 * | `data`         | B    | encoded session: format byte, flags byte, JSON (maybe deflated); format 2 encrypted (src/encryption) |
 * | `version`      | N    | write counter, the condition of every update                    |
 * | `lastAccessed` | N    | epoch ms of the last write                                      |
 * | `expiresAt`    | N    | epoch **seconds**, rounded up: the TTL attribute (deletion only)  |
 * | `expiresAtMs`  | N    | epoch ms at which the session stops being served (exact)        |
 * | `deletedAt`    | N    | only on tombstones (destroyed sessions): epoch ms               |
 * | `createdAt`    | N    | epoch ms the session was first stored (kept by every rewrite)   |
 * | `movedTo`      | S    | only on fenced copies: the table the session moved on to        |
 * | `writeId`      | S    | random id of the write that made this item version              |
 * | `uid`          | S    | only on live sessions with a user (`userIdOf`): the user index key |
 */
export const ATTR = Object.freeze({
  id: 'id',
  data: 'data',
  version: 'version',
  lastAccessed: 'lastAccessed',
  expiresAt: 'expiresAt',
  expiresAtMs: 'expiresAtMs',
  deletedAt: 'deletedAt',
  createdAt: 'createdAt',
  movedTo: 'movedTo',
  writeId: 'writeId',
  uid: 'uid',
} as const);

/**
 * The sparse global secondary index of the user index (`userIdOf`): hash key `uid` (S), keys
 * only. Only live session items carry `uid`, so only they are in it.
 */
export const USER_INDEX_NAME = 'uid-index';

/** Attributes of a revocation marker (`#revoked#<uid>`), besides `id`, `expiresAt` and `expiresAtMs`. */
export const MARKER_ATTR = Object.freeze({
  /** Epoch ms of the latest revoke of the user's sessions. */
  revokedAt: 'revokedAt',
  /** The session the revoke kept (`except`): its `sessionRef` (16 hex digits of the SHA-256 of its id), never the id. */
  exceptRef: 'exceptRef',
} as const);

/**
 * Keys the store keeps for itself beside sessions. Session ids never contain `#`, so these never
 * collide with one; scans skip them.
 */
export const RESERVED_KEY = Object.freeze({
  /** The maintainer lease: which process runs table maintenance (`owner`, `until`). */
  maintainer: '#maintainer',
  /** Read only to learn whether a table is there (and, as a user index key, whether it has the index). */
  probe: '#probe',
  /**
   * Prefix of a user's revocation marker, `#revoked#<uid>`: when their sessions were last revoked,
   * read by a sign-in (see docs/user-sessions.md).
   */
  revokedPrefix: '#revoked#',
} as const);

/** Whether `id` is one of the store's own keys rather than a session id. */
export function isReservedKey(id: string): boolean {
  return id.startsWith('#');
}

/** The format of the `data` attribute written by this version. Bump it with any change, and keep reading the old ones. */
export const DATA_FORMAT_VERSION = 1;

/** Flags byte of `data`. */
export const DATA_FLAGS = Object.freeze({ plain: 0, deflated: 1 } as const);

/** A session is compressed only from this many JSON bytes on, and only when that makes it smaller. */
export const COMPRESS_FROM_BYTES = 1024;

/** Inflating more than this is refused as corrupt (a zip bomb guard). */
export const MAX_INFLATED_BYTES = 8 * 1024 * 1024;

/** Sessions nested deeper than this (objects and arrays) are refused on write and read as corrupt. */
export const MAX_NESTING_DEPTH = 100;

/** Converts epoch milliseconds to the epoch seconds of the TTL attribute. The only such conversion. */
export function toEpochSeconds(epochMs: number): number {
  return Math.ceil(epochMs / 1000);
}

/** Converts the epoch seconds of the TTL attribute back to epoch milliseconds. */
export function fromEpochSeconds(epochSeconds: number): number {
  return epochSeconds * 1000;
}
