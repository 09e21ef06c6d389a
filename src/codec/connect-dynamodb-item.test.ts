import { describe, expect, it } from 'vitest';
import type { Item } from './codec.js';
import { decodeLegacyItem, isLegacyExpired, legacyIdOf, legacyKeyOf, legacyWriteIdOf } from './connect-dynamodb-item.js';

const format = { table: 'sessions', hashKey: 'id', prefix: 'sess:' };
const cookie = { originalMaxAge: 3_600_000, expires: '2026-11-24T11:00:00.000Z', httpOnly: true, path: '/' };
const sess = (value: unknown): Item => ({ id: { S: 'sess:abc' }, sess: { S: JSON.stringify(value) }, expires: { N: '1795000000.5' }, type: { S: 'connect-session' } });

describe('legacy keys', () => {
  it('prefixes the id, and reads it back only from keys with the prefix', () => {
    expect(legacyKeyOf(format, 'abc')).toEqual({ id: { S: 'sess:abc' } });
    expect(legacyKeyOf({ ...format, hashKey: 'sid', prefix: '' }, 'abc')).toEqual({ sid: { S: 'abc' } });
    expect(legacyIdOf(format, { id: { S: 'sess:abc' } })).toBe('abc');
    expect(legacyIdOf(format, { id: { S: 'other:abc' } })).toBeUndefined();
    expect(legacyIdOf(format, { id: { N: '5' } })).toBeUndefined();
  });
});

describe('decodeLegacyItem', () => {
  it("reads connect-dynamodb's item: sess as JSON text, expires in seconds with a fraction", () => {
    expect(decodeLegacyItem(sess({ cookie, user: 'u' }))).toEqual({
      kind: 'session',
      session: { cookie, user: 'u' },
      sessText: JSON.stringify({ cookie, user: 'u' }),
      expiresSeconds: 1_795_000_000.5,
      movedTo: undefined,
      writeId: undefined,
    });
  });

  it('reads the fence this store adds', () => {
    const decoded = decodeLegacyItem({ ...sess({ cookie }), dsmMovedTo: { S: 'app_20261124_100000' }, dsmWriteId: { S: 'w1' } });
    expect(decoded).toMatchObject({ kind: 'session', movedTo: 'app_20261124_100000', writeId: 'w1' });
    expect(legacyWriteIdOf({ dsmWriteId: { S: 'w1' } })).toBe('w1');
    expect(legacyWriteIdOf(undefined)).toBeUndefined();
  });

  it('a session this store destroyed (sess removed, marked) is read as destroyed, its fence kept', () => {
    expect(decodeLegacyItem({ id: { S: 'sess:a' }, dsmDestroyedAt: { N: '1' }, dsmMovedTo: { S: 't' } })).toEqual({ kind: 'destroyed', movedTo: 't' });
    expect(decodeLegacyItem({ id: { S: 'sess:a' }, dsmDestroyedAt: { N: '1' } })).toEqual({ kind: 'destroyed', movedTo: undefined });
  });

  it('an item without expires is read (connect-dynamodb serves it)', () => {
    const { expires: _expires, ...item } = sess({ cookie });
    expect(decodeLegacyItem(item)).toMatchObject({ kind: 'session', expiresSeconds: undefined });
  });

  it.each<[string, Item]>([
    ['no sess', { id: { S: 'sess:a' }, expires: { N: '1' } }],
    ['sess as a number', { id: { S: 'sess:a' }, sess: { N: '5' } }],
    ['sess not JSON', { id: { S: 'sess:a' }, sess: { S: '{"cookie":' } }],
    ['sess null', { id: { S: 'sess:a' }, sess: { S: 'null' } }],
    ['sess an array', sess([{ cookie }])],
    ['no cookie', sess({ user: 'u' })],
    ['cookie not an object', sess({ cookie: 'yes' })],
    ['a cookie field express-session cannot use', sess({ cookie: { ...cookie, originalMaxAge: 'abc' } })],
    ['expires not a number', { ...sess({ cookie }), expires: { S: 'tomorrow' } }],
    ['a fence that is not a string', { ...sess({ cookie }), dsmMovedTo: { N: '1' } }],
    ['nested too deep', sess({ cookie, deep: JSON.parse(`${'['.repeat(150)}${']'.repeat(150)}`) as unknown })],
  ])('%s: corrupt (absent, never an error)', (_label, item) => {
    expect(decodeLegacyItem(item)).toMatchObject({ kind: 'corrupt' });
  });
});

describe("isLegacyExpired: connect-dynamodb's rule, floor(now s) >= expires", () => {
  it.each([
    [1000.5, 1_000_400, false],
    [1000.5, 1_000_999, false],
    [1000, 999_999, false],
    [1000, 1_000_000, true],
    [undefined, Number.MAX_SAFE_INTEGER, false],
  ])('expires %s at %i ms: %s', (expiresSeconds, nowMs, expired) => {
    expect(isLegacyExpired({ expiresSeconds }, nowMs)).toBe(expired);
  });
});
