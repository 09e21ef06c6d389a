import { describe, expect, it } from 'vitest';
import { isSessionManagerError } from '../../errors.js';
import { sessionBodyJson } from '../../codec/stable-json.js';
import { fromKoaSession, toKoaSession } from './session-data.js';

const EXPIRE = Date.UTC(2026, 10, 25, 10, 0, 0);

describe('fromKoaSession', () => {
  it.each([
    ['a session with a lifetime', { n: 1, _expire: EXPIRE, _maxAge: 86_400_000 }, { n: 1, cookie: { originalMaxAge: 86_400_000, expires: '2026-11-25T10:00:00.000Z' } }],
    ['a browser-session cookie', { n: 1, _session: true }, { n: 1, cookie: { originalMaxAge: null, expires: null, session: true } }],
    ['no expiry fields', { n: 1 }, { n: 1, cookie: { originalMaxAge: null, expires: null } }],
    ['non-finite expiry fields', { n: 1, _expire: Number.NaN, _maxAge: Infinity }, { n: 1, cookie: { originalMaxAge: null, expires: null } }],
    ['an empty session', {}, { cookie: { originalMaxAge: null, expires: null } }],
  ])('turns %s into a record with a cookie', (_name, input, expected) => {
    expect(fromKoaSession(input)).toEqual(expected);
  });

  it('leaves the expiry out of change detection: a new _expire is not a change', () => {
    const a = fromKoaSession({ n: 1, _expire: EXPIRE, _maxAge: 1000 });
    const b = fromKoaSession({ n: 1, _expire: EXPIRE + 60_000, _maxAge: 1000 });
    expect(sessionBodyJson(a)).toBe(sessionBodyJson(b));
  });

  it.each([
    ['null', null],
    ['a string', 'session'],
    ['an array', [1, 2]],
    ['a session with a key named cookie', { cookie: 'chocolate' }],
  ])('refuses %s with codec.unserializable', (_name, input) => {
    let caught: unknown;
    try {
      fromKoaSession(input);
    } catch (error) {
      caught = error;
    }
    expect(isSessionManagerError(caught, 'codec.unserializable')).toBe(true);
  });
});

describe('toKoaSession', () => {
  it.each([
    ['a lifetime as _maxAge, without the stale _expire', { n: 1, cookie: { originalMaxAge: 5000, expires: '2026-11-25T10:00:00.000Z' } }, { n: 1, _maxAge: 5000 }],
    ['a browser-session cookie as _session', { n: 1, cookie: { originalMaxAge: null, expires: null, session: true } }, { n: 1, _session: true }],
    ['a record without a lifetime as plain data', { n: 1, cookie: { originalMaxAge: null, expires: null } }, { n: 1 }],
  ])('restores %s', (_name, record, expected) => {
    expect(toKoaSession(record)).toEqual(expected);
  });

  it('round-trips what koa-session saves, minus _expire', () => {
    const saved = { user: 'ada', cart: [{ sku: 'x', qty: 2 }], _expire: EXPIRE, _maxAge: 3600_000 };
    const { _expire, ...rest } = saved;
    expect(toKoaSession(fromKoaSession(saved))).toEqual(rest);
  });
});
