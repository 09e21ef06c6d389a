/**
 * When a session expires: the one place for the rule. Pure; times are epoch milliseconds.
 */

/** What the rule needs of a stored session. */
export interface StoredLifetime {
  readonly lastAccessedMs: number;
  readonly expiresAtMs: number;
}

/**
 * Tells whether a stored session is past its lifetime at `nowMs`: past its stored expiry, or idle
 * for longer than `maxInactiveMs` since its last write.
 */
export function isExpiredAt(stored: StoredLifetime, nowMs: number, maxInactiveMs: number): boolean {
  return nowMs >= stored.expiresAtMs || nowMs - stored.lastAccessedMs > maxInactiveMs;
}

/**
 * The expiry of a session written at `nowMs`: its idle timeout from now, or its cookie's expiry
 * when that comes first.
 */
export function expiresAtFor(cookie: Record<string, unknown> | undefined, nowMs: number, maxInactiveMs: number): number {
  const idle = nowMs + maxInactiveMs;
  const raw = cookie?.expires;
  const cookieExpires = raw instanceof Date ? raw.getTime() : typeof raw === 'string' || typeof raw === 'number' ? new Date(raw).getTime() : Number.NaN;
  return Number.isFinite(cookieExpires) ? Math.min(idle, cookieExpires) : idle;
}
