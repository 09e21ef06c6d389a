import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expiresAtFor, isExpiredAt, isLifetimeCut, refreshIntervalMs, type LifetimeRules } from './lifetime.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const rules: LifetimeRules = { maxInactiveMs: HOUR, longestLifetimeMs: 30 * DAY, absoluteTimeoutMs: undefined, touchAfterMs: 360_000 };

describe('expiresAtFor', () => {
  it('takes a remember-me cookie’s expiry, not the idle timeout', () => {
    expect(expiresAtFor({ expires: new Date(30 * DAY) }, 0, 0, rules)).toBe(30 * DAY);
  });
  it('gives a browser-session cookie the idle timeout', () => {
    expect(expiresAtFor({ expires: null }, 1000, 0, rules)).toBe(1000 + HOUR);
    expect(expiresAtFor({}, 1000, 0, rules)).toBe(1000 + HOUR);
  });
  it('keeps the millisecond of a short cookie', () => {
    expect(expiresAtFor({ expires: new Date(2_001).toISOString() }, 1, 1, rules)).toBe(2_001);
  });
  it('cuts a lifetime to longestLifetimeMs from now, and says so', () => {
    const cookie = { expires: new Date(400 * DAY) };
    expect(expiresAtFor(cookie, 0, 0, rules)).toBe(30 * DAY);
    expect(isLifetimeCut(cookie, 0, rules)).toBe(true);
    expect(isLifetimeCut({ expires: new Date(29 * DAY) }, 0, rules)).toBe(false);
  });
  it('never goes past the absolute timeout, counted from creation', () => {
    const absolute = { ...rules, absoluteTimeoutMs: 8 * HOUR };
    expect(expiresAtFor({ expires: new Date(30 * DAY) }, 7 * HOUR, 0, absolute)).toBe(8 * HOUR);
  });
});

describe('isExpiredAt', () => {
  const stored = { lastAccessedMs: 0, expiresAtMs: 2_000, createdAtMs: 0, session: { cookie: { expires: new Date(2_000) } } };
  it('serves up to the millisecond before the expiry, never at it', () => {
    expect(isExpiredAt(stored, 1_999, rules)).toBe(false);
    expect(isExpiredAt(stored, 2_000, rules)).toBe(true);
  });
  it('does not apply the idle timeout to a session whose cookie has an expiry', () => {
    const rememberMe = { lastAccessedMs: 0, expiresAtMs: 30 * DAY, createdAtMs: 0, session: { cookie: { expires: new Date(30 * DAY) } } };
    expect(isExpiredAt(rememberMe, 10 * DAY, rules)).toBe(false);
  });
  it('applies today’s idle timeout to a browser-session cookie stored with a longer one', () => {
    const old = { lastAccessedMs: 0, expiresAtMs: 10 * HOUR, createdAtMs: 0, session: { cookie: { expires: null } } };
    expect(isExpiredAt(old, HOUR, rules)).toBe(true);
    expect(isExpiredAt(old, HOUR - 1, rules)).toBe(false);
  });
  it('applies the absolute timeout whatever the stored expiry', () => {
    const active = { lastAccessedMs: 9 * HOUR, expiresAtMs: 10 * HOUR, createdAtMs: 0, session: { cookie: { expires: new Date(10 * HOUR) } } };
    expect(isExpiredAt(active, 9 * HOUR, { ...rules, absoluteTimeoutMs: 9 * HOUR })).toBe(true);
  });
});

describe('refresh rule', () => {
  it('refreshes a short session every tenth of its lifetime, a long one every touchAfter', () => {
    expect(refreshIntervalMs(300_000, rules)).toBe(30_000);
    expect(refreshIntervalMs(30 * DAY, rules)).toBe(360_000);
  });

  // The guarantee: with requests less than 90% of the lifetime apart, a rolling session (expiry =
  // request time + lifetime, as express-session touches it) refreshed by this rule never expires.
  it('never times out a user whose requests are less than 90% of the lifetime apart', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000, max: 40 * DAY }),
        fc.integer({ min: 0, max: 3_600_000 }),
        fc.array(fc.double({ min: 0, max: 0.9, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 60 }),
        (lifetimeMs, touchAfterMs, gaps) => {
          const r: LifetimeRules = { ...rules, maxInactiveMs: lifetimeMs, longestLifetimeMs: 400 * DAY, touchAfterMs };
          let now = 0;
          let stored = { lastAccessedMs: 0, expiresAtMs: lifetimeMs, createdAtMs: 0, session: { cookie: { expires: new Date(lifetimeMs) } } };
          let writes = 0;
          let lastWriteAt = 0;
          for (const gap of gaps) {
            now += Math.floor(gap * lifetimeMs);
            if (isExpiredAt(stored, now, r)) return false;
            const expiresAtMs = expiresAtFor({ expires: new Date(now + lifetimeMs) }, now, 0, r);
            const gain = expiresAtMs - stored.expiresAtMs;
            if (gain > 0 && gain >= refreshIntervalMs(expiresAtMs - now, r)) {
              // at most one refresh per interval
              if (writes > 0 && now - lastWriteAt < refreshIntervalMs(lifetimeMs, r)) return false;
              stored = { ...stored, lastAccessedMs: now, expiresAtMs, session: { cookie: { expires: new Date(expiresAtMs) } } };
              writes += 1;
              lastWriteAt = now;
            }
          }
          return true;
        },
      ),
      { seed: 13, numRuns: 500 },
    );
  });
});
