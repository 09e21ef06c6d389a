import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildSessionItem,
  buildTombstoneItem,
  decodeItem,
  decodeSessionData,
  encodeSessionData,
  itemSizeBytes,
  type Item,
} from './codec.js';
import { toEpochSeconds } from './item-format.js';

const cookie = { originalMaxAge: 3_600_000, expires: '2026-11-24T22:00:00.000Z', httpOnly: true, path: '/' };

describe('session data codec', () => {
  it('round-trips a small session uncompressed', () => {
    const session = { cookie, user: 'ada', cart: [{ sku: 'a', qty: 2 }] };
    const encoded = encodeSessionData(session);
    expect(encoded.compressed).toBe(false);
    expect(encoded.data[0]).toBe(1);
    expect(encoded.data[1]).toBe(0);
    expect(decodeSessionData(encoded.data)).toEqual(session);
  });

  it('deflates a large repetitive session and reads it back', () => {
    const session = { cookie, notes: 'lorem ipsum '.repeat(500) };
    const encoded = encodeSessionData(session);
    expect(encoded.compressed).toBe(true);
    expect(encoded.data.byteLength).toBeLessThan(JSON.stringify(session).length / 5);
    expect(decodeSessionData(encoded.data)).toEqual(session);
  });

  it('keeps incompressible large sessions plain', () => {
    const random = Array.from({ length: 2000 }, (_, i) => ((i * 7919) % 65536).toString(36)).join('');
    const encoded = encodeSessionData({ cookie, random });
    expect(encoded.data[1]).toBe(encoded.compressed ? 1 : 0);
    expect(decodeSessionData(encoded.data)).toEqual({ cookie, random });
  });

  it('reads the format-1 bytes written by earlier releases (golden fixture)', () => {
    const fixture = Buffer.concat([Buffer.from([1, 0]), Buffer.from('{"cookie":{"path":"/"},"views":3}')]);
    expect(decodeSessionData(fixture)).toEqual({ cookie: { path: '/' }, views: 3 });
    const deflated = Buffer.concat([Buffer.from([1, 1]), deflateRawSync(Buffer.from('{"cookie":{},"n":1}'))]);
    expect(decodeSessionData(deflated)).toEqual({ cookie: {}, n: 1 });
  });

  it('refuses sessions that are not JSON', () => {
    const cyclic: Record<string, unknown> = { cookie };
    cyclic.self = cyclic;
    expect(() => encodeSessionData(cyclic)).toThrow(expect.objectContaining({ code: 'codec.unserializable' }));
    expect(() => encodeSessionData({ cookie, n: 10n })).toThrow(expect.objectContaining({ code: 'codec.unserializable' }));
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['one byte', Buffer.from([1])],
    ['unknown format', Buffer.from([9, 0, 0x7b, 0x7d])],
    ['unknown flags', Buffer.from([1, 7, 0x7b, 0x7d])],
    ['bad deflate', Buffer.from([1, 1, 1, 2, 3, 4])],
    ['not JSON', Buffer.concat([Buffer.from([1, 0]), Buffer.from('{nope')])],
    ['JSON array', Buffer.concat([Buffer.from([1, 0]), Buffer.from('[1]')])],
    ['no cookie', Buffer.concat([Buffer.from([1, 0]), Buffer.from('{"a":1}')])],
    ['null', Buffer.concat([Buffer.from([1, 0]), Buffer.from('null')])],
  ])('reports %s as codec.corruptItem', (_label, data) => {
    expect(() => decodeSessionData(data)).toThrow(expect.objectContaining({ code: 'codec.corruptItem' }));
  });

  it('refuses a zip bomb', () => {
    const bomb = Buffer.concat([Buffer.from([1, 1]), deflateRawSync(Buffer.alloc(20 * 1024 * 1024, 0x20))]);
    expect(() => decodeSessionData(bomb)).toThrow(expect.objectContaining({ code: 'codec.corruptItem' }));
  });

  it('round-trips any JSON session (property)', () => {
    const session = fc.dictionary(
      fc.string({ minLength: 1, maxLength: 12 }).filter((k) => k !== 'cookie' && k !== '__proto__'),
      fc.jsonValue(),
      { maxKeys: 12 },
    );
    fc.assert(
      fc.property(session, (body) => {
        const value = { ...body, cookie: { path: '/' } };
        const expected = JSON.parse(JSON.stringify(value)) as unknown;
        expect(decodeSessionData(encodeSessionData(value).data)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws anything but codec.corruptItem on random bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decodeSessionData(bytes);
        } catch (error) {
          expect(error).toMatchObject({ code: 'codec.corruptItem' });
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('items', () => {
  const fields = {
    id: 'abcdefgh12345678',
    data: encodeSessionData({ cookie, a: 1 }).data,
    version: 3,
    lastAccessedMs: 1_700_000_000_123,
    expiresAtMs: 1_700_003_600_123,
  };

  it('builds and decodes a session item', () => {
    const item = buildSessionItem(fields);
    expect(item.expiresAt?.N).toBe(String(toEpochSeconds(fields.expiresAtMs)));
    const decoded = decodeItem(item);
    expect(decoded).toMatchObject({ kind: 'session', id: fields.id, version: 3, lastAccessedMs: fields.lastAccessedMs });
    if (decoded.kind === 'session') {
      expect(decoded.session).toEqual({ cookie, a: 1 });
      expect(decoded.expiresAtMs).toBe(1_700_003_600_123); // exact, while the TTL attribute is rounded up
    }
  });

  it('reads an item written before expiresAtMs by its TTL seconds', () => {
    const { expiresAtMs: _exact, ...old } = buildSessionItem(fields);
    const decoded = decodeItem(old);
    if (decoded.kind === 'session') expect(decoded.expiresAtMs).toBe(1_700_003_601_000);
    else expect.fail('not a session');
  });

  it('reports an expiresAtMs that is not a number as corrupt', () => {
    expect(() => decodeItem({ ...buildSessionItem(fields), expiresAtMs: { S: 'soon' } })).toThrow(expect.objectContaining({ code: 'codec.corruptItem' }));
  });

  it('decodes a tombstone', () => {
    expect(decodeItem(buildTombstoneItem('abcdefgh', 4, 1000, 5000))).toEqual({ kind: 'tombstone', id: 'abcdefgh', version: 4 });
  });

  it.each<[string, Item]>([
    ['no id', { data: { B: fields.data } }],
    ['numeric id', { id: { N: '1' }, data: { B: fields.data } }],
    ['no data', { id: { S: 'x' }, version: { N: '1' } }],
    ['string data, as the original probe item', { id: { S: 'test_id' }, data: { S: 'test' }, lastAccessed: { N: '1' } }],
    ['no lastAccessed', { id: { S: 'x' }, data: { B: fields.data }, expiresAt: { N: '1' } }],
    ['garbage lastAccessed', { id: { S: 'x' }, data: { B: fields.data }, lastAccessed: { N: 'abc' }, expiresAt: { N: '1' } }],
  ])('reports an item with %s as corrupt', (_label, item) => {
    expect(() => decodeItem(item)).toThrow(expect.objectContaining({ code: 'codec.corruptItem' }));
  });

  it('measures item size as DynamoDB does, numbers at their largest', () => {
    const item = buildSessionItem(fields);
    const expected = 2 + 16 + 4 + fields.data.byteLength + (7 + 21) + (12 + 21) + (9 + 21) + (11 + 21) + (9 + 21);
    expect(itemSizeBytes(item)).toBe(expected);
    expect(itemSizeBytes(buildSessionItem({ ...fields, writeId: 'w'.repeat(12) }))).toBe(expected + 7 + 12);
  });
});
