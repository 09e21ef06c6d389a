import { describe, expect, it } from 'vitest';
import { expiresAtFor, type LifetimeRules } from './lifetime.js';
import { legacyExpiresAtMs } from './legacy-lifetime.js';

const NOW = Date.UTC(2026, 10, 24, 10, 0, 0);
const HOUR = 3_600_000;
const RULES: LifetimeRules = { maxInactiveMs: HOUR, longestLifetimeMs: 400 * 24 * HOUR, absoluteTimeoutMs: undefined, touchAfterMs: HOUR / 10 };

describe('legacyExpiresAtMs', () => {
  it("a cookie with an expiry: the store's rule read with connect-dynamodb's expires as the cookie's expiry (its touch never rewrites the cookie)", () => {
    const stale = { expires: new Date(NOW - 1000).toISOString(), originalMaxAge: HOUR };
    const expires = (NOW + 30 * 60_000) / 1000;
    expect(legacyExpiresAtMs(stale, expires, NOW, RULES)).toBe(expiresAtFor({ expires: expires * 1000 }, NOW, NOW, RULES));
    expect(legacyExpiresAtMs(stale, expires, NOW, RULES)).toBe(NOW + 30 * 60_000);
  });

  it('never later than expires', () => {
    const expires = (NOW + 10_000) / 1000;
    expect(legacyExpiresAtMs({ expires: null, originalMaxAge: null }, expires, NOW, RULES)).toBe(NOW + 10_000);
    expect(legacyExpiresAtMs({ expires: new Date(NOW + 2 * HOUR).toISOString() }, expires, NOW, RULES)).toBe(NOW + 10_000);
  });

  it('a browser-session cookie keeps the rule for cookies without expiry', () => {
    const expires = (NOW + 24 * HOUR) / 1000; // connect-dynamodb's one day
    expect(legacyExpiresAtMs({ expires: null, originalMaxAge: null }, expires, NOW, RULES)).toBe(expiresAtFor({ expires: null }, NOW, NOW, RULES));
  });

  it('no expires at all: the rule for the cookie alone', () => {
    expect(legacyExpiresAtMs({ expires: null }, undefined, NOW, RULES)).toBe(expiresAtFor({ expires: null }, NOW, NOW, RULES));
  });

  it('an expires beyond the Date range does not throw', () => {
    expect(() => legacyExpiresAtMs({ expires: 'x' }, 1e300, NOW, RULES)).not.toThrow();
  });
});
