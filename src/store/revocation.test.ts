import { describe, expect, it } from 'vitest';
import { buildRevocationItem, decodeRevocation, revocationKey } from '../codec/revocation.js';
import { sessionRef } from '../codec/user-id.js';
import { isRevokedBy } from './revocation.js';

const SKEW = 10_000;

describe('isRevokedBy', () => {
  const marker = { revokedAtMs: 100_000, exceptRef: sessionRef('kept-session-id') };
  it.each([
    ['created long before the revoke', 'other-session-id', 1_000, true],
    ['created at the revoke', 'other-session-id', 100_000, true],
    ['created within the clock skew after it', 'other-session-id', 100_000 + SKEW, true],
    ['created after the skew', 'other-session-id', 100_001 + SKEW, false],
    ['the session the revoke kept', 'kept-session-id', 1_000, false],
  ])('a session %s: %s', (_what, id, createdAtMs, revoked) => {
    expect(isRevokedBy(marker, id, createdAtMs, SKEW)).toBe(revoked);
  });

  it('without except, every session created before is revoked', () => {
    expect(isRevokedBy({ revokedAtMs: 5, exceptRef: undefined }, 'kept-session-id', 5, 0)).toBe(true);
  });
});

describe('revocation markers', () => {
  it('round-trip, keyed #revoked#<uid>, with no uid attribute and a TTL', () => {
    const item = buildRevocationItem('alice', { revokedAtMs: 1000, exceptRef: 'abc' }, 5000);
    expect(item.id).toEqual({ S: revocationKey('alice') });
    expect(revocationKey('alice')).toBe('#revoked#alice');
    expect(item).not.toHaveProperty('uid');
    expect(item.expiresAt).toEqual({ N: '5' });
    expect(decodeRevocation(item, 4999)).toEqual({ revokedAtMs: 1000, exceptRef: 'abc' });
  });

  it('an expired, foreign or missing marker is none', () => {
    expect(decodeRevocation(buildRevocationItem('a', { revokedAtMs: 1, exceptRef: undefined }, 10), 10)).toBeUndefined();
    expect(decodeRevocation({ id: { S: '#revoked#a' }, revokedAt: { S: 'x' } }, 0)).toBeUndefined();
    expect(decodeRevocation(undefined, 0)).toBeUndefined();
  });
});
