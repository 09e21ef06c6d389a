import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PLAIN_UID_BYTES, createUserIdCodec, sessionRef, userIdBytes } from './user-id.js';

const plain = createUserIdCodec(undefined);
const key = Buffer.from('0123456789abcdef0123456789abcdef');
const hashed = createUserIdCodec(key);
const sha = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('user index keys', () => {
  it.each([
    ['an ordinary id', 'alice', 'alice'],
    ['unicode', 'zoë-日本-🙂', 'zoë-日本-🙂'],
    ['a #', '#revoked#bob', '#revoked#bob'],
    ['exactly the byte limit', 'é'.repeat(MAX_PLAIN_UID_BYTES / 2), 'é'.repeat(MAX_PLAIN_UID_BYTES / 2)],
    ['one byte over', 'a'.repeat(MAX_PLAIN_UID_BYTES + 1), sha(Buffer.from('a'.repeat(MAX_PLAIN_UID_BYTES + 1)))],
    ['a lone high surrogate', 'x\uD800', sha(Buffer.concat([Buffer.from([0xff]), Buffer.from('x\uD800', 'utf16le')]))],
    ['something that looks like a derived key', 'sha256:abc', sha(Buffer.from('sha256:abc'))],
    ['an hmac lookalike', 'hmac:abc', sha(Buffer.from('hmac:abc'))],
  ])('plain mode keeps %s or hashes it: %#', (_what, id, uid) => {
    expect(plain.uidOf(id)).toBe(uid);
  });

  it('the empty string is no user, in both modes', () => {
    expect(plain.uidOf('')).toBeUndefined();
    expect(hashed.uidOf('')).toBeUndefined();
  });

  it('hashed mode is an HMAC-SHA256 of every id, never the id', () => {
    expect(hashed.hashed).toBe(true);
    expect(hashed.uidOf('alice')).toBe(`hmac:${createHmac('sha256', key).update('alice').digest('base64url')}`);
    expect(createUserIdCodec(Buffer.from('another key that is 32 bytes!!!!')).uidOf('alice')).not.toBe(hashed.uidOf('alice'));
  });

  it('never gives two different ids the same key, lone surrogates and lookalikes included', () => {
    const ids = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.constantFrom('\uD800', '\uDFFF', '\uFFFD', 'sha256:', 'hmac:'));
    fc.assert(
      fc.property(ids, ids, (a, b) => {
        fc.pre(a !== b && a !== '' && b !== '');
        expect(plain.uidOf(a)).not.toBe(plain.uidOf(b));
        expect(hashed.uidOf(a)).not.toBe(hashed.uidOf(b));
      }),
      { seed: 14, numRuns: 1000 },
    );
  });

  it('keys fit DynamoDB: a well-formed string of at most 1024 bytes (or a digest)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), (id) => {
        const uid = plain.uidOf(id);
        if (uid === undefined) return;
        expect(Buffer.byteLength(uid, 'utf8')).toBeLessThanOrEqual(MAX_PLAIN_UID_BYTES);
        expect(/\p{Cs}/u.test(uid)).toBe(false);
      }),
      { seed: 14, numRuns: 500 },
    );
  });

  it('hashes the UTF-8 of well-formed ids and the UTF-16 of others, apart', () => {
    expect(userIdBytes('é')).toEqual(Buffer.from([0xc3, 0xa9]));
    expect(userIdBytes('\uD800')[0]).toBe(0xff);
  });

  it('a session ref is 16 hex digits of the SHA-256 of the id', () => {
    expect(sessionRef('abcdefgh')).toBe(createHash('sha256').update('abcdefgh').digest('hex').slice(0, 16));
    expect(sessionRef('abcdefgh')).toMatch(/^[0-9a-f]{16}$/);
  });
});
