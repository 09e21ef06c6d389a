import { expiresAtFor, type LifetimeRules } from './lifetime.js';

/**
 * The expiry of a session taken over from connect-dynamodb, epoch ms: this store's rule for its
 * cookie ({@link expiresAtFor}), never later than connect-dynamodb's own `expires`. Pure.
 *
 * connect-dynamodb's `touch` moves `expires` on without rewriting the cookie it keeps in `sess`,
 * so a cookie that has an expiry is read with `expires` as that expiry (the browser's cookie was
 * sent with it); a cookie without one (a browser-session cookie) keeps the rule for such cookies.
 *
 * @param cookie - the cookie stored in `sess`.
 * @param expiresSeconds - connect-dynamodb's `expires`, epoch seconds; undefined when the item has none.
 * @param rules - the store's lifetime settings.
 */
export function legacyExpiresAtMs(cookie: Record<string, unknown>, expiresSeconds: number | undefined, nowMs: number, rules: LifetimeRules): number {
  // connect-dynamodb keeps no creation time: the take-over counts as the creation.
  if (expiresSeconds === undefined) return expiresAtFor(cookie, nowMs, nowMs, rules);
  const legacyMs = expiresSeconds * 1000;
  const hasExpiry = cookie.expires !== undefined && cookie.expires !== null;
  return Math.min(legacyMs, expiresAtFor(hasExpiry ? { ...cookie, expires: legacyMs } : cookie, nowMs, nowMs, rules));
}
