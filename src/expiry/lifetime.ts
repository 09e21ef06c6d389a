/**
 * When a session expires and when it is refreshed: the one place for the rules. Pure; times are
 * epoch milliseconds.
 *
 * - A session whose cookie has an expiry (`maxAge`, remember-me) lives until that expiry, as it
 *   moves with the framework (rolling, touch, `renew`); one whose cookie has none (a
 *   browser-session cookie) lives `maxInactiveMs` after its last write.
 * - No session lives more than `longestLifetimeMs` after its last write, nor, with an absolute
 *   timeout, more than `absoluteTimeoutMs` after it was created.
 * - A session is never served at or after its expiry: exact to the millisecond.
 */

/** The lifetime settings of a store. */
export interface LifetimeRules {
  /** Idle timeout of sessions whose cookie has no expiry. */
  readonly maxInactiveMs: number;
  /** The longest a session may live after its last write. */
  readonly longestLifetimeMs: number;
  /** The longest a session may live after it was created, when set. */
  readonly absoluteTimeoutMs: number | undefined;
  /** The refresh interval cap (`touchAfterSeconds`). */
  readonly touchAfterMs: number;
}

/** What the rules need of a stored session. */
export interface StoredLifetime {
  readonly lastAccessedMs: number;
  readonly expiresAtMs: number;
  readonly createdAtMs: number;
  /** The stored session: its cookie tells a browser-session cookie (no expiry) from one with an expiry. */
  readonly session: { readonly cookie?: Record<string, unknown> | undefined };
}

/** Share of a session's lifetime after which an unchanged session whose expiry moves is refreshed. */
const REFRESH_SHARE = 0.1;

/** The expiry a cookie carries, epoch ms, or undefined for a browser-session cookie (or an unreadable date). */
export function cookieExpiryMs(cookie: Record<string, unknown> | undefined): number | undefined {
  const raw = cookie?.expires;
  const ms = raw instanceof Date ? raw.getTime() : typeof raw === 'string' || typeof raw === 'number' ? new Date(raw).getTime() : Number.NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * The expiry of a session written at `nowMs`: its cookie's expiry, or `maxInactiveMs` from now for
 * a cookie without one; never more than `longestLifetimeMs` from now nor, with an absolute
 * timeout, after `createdAtMs + absoluteTimeoutMs`.
 *
 * @example
 * expiresAtFor({ expires: new Date(90_000) }, 0, 0, rules); // 90_000 (remember-me: the cookie decides)
 */
export function expiresAtFor(cookie: Record<string, unknown> | undefined, nowMs: number, createdAtMs: number, rules: LifetimeRules): number {
  const wanted = cookieExpiryMs(cookie) ?? nowMs + rules.maxInactiveMs;
  return Math.min(wanted, nowMs + rules.longestLifetimeMs, absoluteEndMs(createdAtMs, rules));
}

/** True when the cookie asks for a lifetime longer than `longestLifetimeMs` allows (it is cut). */
export function isLifetimeCut(cookie: Record<string, unknown> | undefined, nowMs: number, rules: LifetimeRules): boolean {
  const wanted = cookieExpiryMs(cookie);
  return wanted !== undefined && wanted > nowMs + rules.longestLifetimeMs;
}

/**
 * The stored cookie with the expiry the store holds: a refresh moves the stored expiry without
 * rewriting the session, and frameworks that check the cookie's own `expires` on load
 * (@fastify/session) must see the moved one. A browser-session cookie (no expiry) is returned as
 * it is, as is a cookie whose expiry is already the later one.
 */
export function cookieWithExpiry<C extends Record<string, unknown>>(cookie: C, expiresAtMs: number): C {
  const stored = cookieExpiryMs(cookie);
  if (stored === undefined || stored >= expiresAtMs) return cookie;
  return { ...cookie, expires: new Date(expiresAtMs).toISOString() };
}

/**
 * Tells whether a stored session is past its lifetime at `nowMs`: at or after its stored expiry;
 * or, by today's settings, idle past `maxInactiveMs` (browser-session cookie) or
 * `longestLifetimeMs`, or past its absolute timeout. The settings are applied at read time too,
 * so lowering them takes effect on sessions already stored.
 */
export function isExpiredAt(stored: StoredLifetime, nowMs: number, rules: LifetimeRules): boolean {
  if (nowMs >= stored.expiresAtMs || nowMs >= absoluteEndMs(stored.createdAtMs, rules)) return true;
  const idleMs = nowMs - stored.lastAccessedMs;
  return idleMs >= rules.longestLifetimeMs || (cookieExpiryMs(stored.session.cookie) === undefined && idleMs >= rules.maxInactiveMs);
}

/**
 * How much an unchanged session's expiry must gain before it is refreshed: a tenth of its
 * lifetime, at most `touchAfterMs`. A user whose requests come less than 90% of the lifetime apart
 * is never timed out, and a session is refreshed at most once per interval.
 *
 * @param lifetimeMs - how long the session would live if refreshed now (new expiry minus now).
 */
export function refreshIntervalMs(lifetimeMs: number, rules: LifetimeRules): number {
  return Math.min(rules.touchAfterMs, Math.max(0, lifetimeMs) * REFRESH_SHARE);
}

function absoluteEndMs(createdAtMs: number, rules: LifetimeRules): number {
  return rules.absoluteTimeoutMs === undefined ? Number.POSITIVE_INFINITY : createdAtMs + rules.absoluteTimeoutMs;
}
