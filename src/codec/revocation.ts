import type { Item } from './codec.js';
import { ATTR, MARKER_ATTR, RESERVED_KEY, toEpochSeconds } from './item-format.js';

/**
 * A user's revocation marker (`#revoked#<uid>`): when their sessions were last revoked, and which
 * session that revoke kept. A sign-in reads it once (docs/user-sessions.md). It never carries `uid`,
 * so it is never in the user index.
 */
export interface RevocationMarker {
  /** Epoch ms of the revoke. */
  readonly revokedAtMs: number;
  /** `sessionRef` of the session the revoke kept (`except`), if any. */
  readonly exceptRef: string | undefined;
}

/** The key of the revocation marker of the user whose index key is `uid`. */
export function revocationKey(uid: string): string {
  return RESERVED_KEY.revokedPrefix + uid;
}

/** Builds a revocation marker item, removed by TTL (and its table) after `expiresAtMs`. */
export function buildRevocationItem(uid: string, marker: RevocationMarker, expiresAtMs: number): Item {
  return {
    [ATTR.id]: { S: revocationKey(uid) },
    [MARKER_ATTR.revokedAt]: { N: String(marker.revokedAtMs) },
    ...(marker.exceptRef === undefined ? {} : { [MARKER_ATTR.exceptRef]: { S: marker.exceptRef } }),
    [ATTR.expiresAt]: { N: String(toEpochSeconds(expiresAtMs)) },
    [ATTR.expiresAtMs]: { N: String(expiresAtMs) },
  };
}

/**
 * Reads a revocation marker item; undefined for no item, or one that is not a marker (a foreign
 * or damaged item is ignored: the revoke's index passes still end the sessions they find).
 */
export function decodeRevocation(item: Item | undefined, nowMs: number): RevocationMarker | undefined {
  if (item === undefined) return undefined;
  const revokedAtMs = Number(item[MARKER_ATTR.revokedAt]?.N);
  if (!Number.isSafeInteger(revokedAtMs)) return undefined;
  const expiresAtMs = Number(item[ATTR.expiresAtMs]?.N);
  if (Number.isFinite(expiresAtMs) && expiresAtMs <= nowMs) return undefined;
  const except = item[MARKER_ATTR.exceptRef]?.S;
  return { revokedAtMs, exceptRef: typeof except === 'string' ? except : undefined };
}
