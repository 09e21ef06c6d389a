import { describe, expect, it } from 'vitest';
import { sessionBodyJson } from '../codec/stable-json.js';
import { applyDiff, diffSession } from './session-diff.js';

const cookie = { path: '/' };

describe('diffSession / applyDiff', () => {
  it('finds keys set, changed and removed, ignoring the cookie and equal re-sets', () => {
    const loaded = { cookie, a: 1, b: { x: [1, 2] }, c: 'keep', gone: true };
    const now = { cookie: { path: '/x' }, a: 2, b: { x: [1, 2] }, c: 'keep', added: 'new' };
    expect(diffSession(sessionBodyJson(loaded), now)).toEqual({ set: { a: 2, added: 'new' }, removed: ['gone'] });
  });

  it('sees nested changes', () => {
    const loaded = { cookie, cart: { items: [{ sku: 'a', qty: 1 }] } };
    const now = { cookie, cart: { items: [{ sku: 'a', qty: 2 }] } };
    expect(diffSession(sessionBodyJson(loaded), now).set).toEqual({ cart: now.cart });
  });

  it('treats every key of a new session as set', () => {
    expect(diffSession(undefined, { cookie, a: 1, b: 2 })).toEqual({ set: { a: 1, b: 2 }, removed: [] });
  });

  it('merges two requests that changed different keys without losing either', () => {
    const loaded = { cookie, count: 0 };
    const stored = { cookie, count: 0, k1: 'from request 1' };
    const mine = diffSession(sessionBodyJson(loaded), { cookie, count: 0, k2: 'from request 2' });
    expect(applyDiff(stored, mine, cookie)).toEqual({ cookie, count: 0, k1: 'from request 1', k2: 'from request 2' });
  });

  it('lets the later writer win on the same key and applies removals', () => {
    const loaded = { cookie, user: 'a', flash: 'hi' };
    const stored = { cookie, user: 'b', flash: 'hi', other: 1 };
    const mine = diffSession(sessionBodyJson(loaded), { cookie, user: 'c' });
    expect(applyDiff(stored, mine, { path: '/new' })).toEqual({ cookie: { path: '/new' }, user: 'c', other: 1 });
  });
});
