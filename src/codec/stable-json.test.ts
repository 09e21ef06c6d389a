import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidSessionId } from './session-id.js';
import { sameSessionBody, sessionBodyJson, sessionBodyText, stableStringify } from './stable-json.js';

describe('stableStringify', () => {
  it('sorts keys at every level', () => {
    expect(stableStringify({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
  });

  it('follows JSON.stringify for dates, undefined, functions and non-finite numbers', () => {
    const date = new Date(0);
    expect(stableStringify({ d: date, u: undefined, f: () => 1, n: Number.NaN, arr: [undefined, () => 1] })).toBe(
      '{"arr":[null,null],"d":"1970-01-01T00:00:00.000Z","n":null}',
    );
  });

  it('equals JSON.stringify of the key-sorted value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(JSON.parse(stableStringify(value))).toEqual(JSON.parse(JSON.stringify(value) ?? 'null'));
      }),
    );
  });

  it('does not depend on key order (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse());
        expect(stableStringify(reversed)).toBe(stableStringify(record));
      }),
    );
  });
});

describe('sessionBodyJson', () => {
  it('leaves the cookie out', () => {
    expect(sessionBodyJson({ cookie: { expires: 1 }, user: 'a' })).toBe('{"user":"a"}');
    expect(sessionBodyJson({ cookie: { expires: 2 }, user: 'a' })).toBe(sessionBodyJson({ user: 'a', cookie: {} }));
  });

  it('sees a change deep inside a nested object', () => {
    const session = { cookie: {}, cart: { items: [{ sku: 'a', qty: 1 }] } };
    const before = sessionBodyJson(session);
    session.cart.items[0]!.qty = 2;
    expect(sessionBodyJson(session)).not.toBe(before);
  });
});

describe('isValidSessionId', () => {
  it.each([
    ['bAxL7W0zVbVHyMvR3kWq4xwT4u3m5c1E', true],
    ['8f14e45f-ceea-467f-a0e6-fd1b6e0e0b8a', true],
    ['abcdefgh', true],
    ['abc', false],
    ['', false],
    ['a'.repeat(257), false],
    ['has space in it', false],
    ['new\nline-in-id', false],
    ['ünïcödé-ïd-x', false],
    [42, false],
    [null, false],
    [undefined, false],
    [{ toString: () => 'abcdefghij' }, false],
  ])('%j -> %s', (id, valid) => expect(isValidSessionId(id)).toBe(valid));

  it('accepts only strings of the allowed alphabet and length (property)', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const valid = isValidSessionId(value);
        if (valid) {
          expect(typeof value).toBe('string');
          expect((value as string).length).toBeGreaterThanOrEqual(8);
          expect((value as string).length).toBeLessThanOrEqual(256);
        }
      }),
      { numRuns: 500 },
    );
    fc.assert(fc.property(fc.string({ minLength: 8, maxLength: 64 }), (s) => {
      expect(isValidSessionId(s)).toBe(/^[A-Za-z0-9_\-+/=.:~]+$/.test(s));
    }));
  });
});

describe('sessionBodyText and sameSessionBody', () => {
  it('leave the cookie out and keep the session’s own key order', () => {
    expect(sessionBodyText({ cookie: { expires: 1 }, b: 1, a: 2 })).toBe('{"b":1,"a":2}');
  });

  it('refuse a session JSON cannot hold with codec.unserializable, as the codec does', () => {
    const cyclic: Record<string, unknown> = { cookie: {} };
    cyclic.self = cyclic;
    expect(() => sessionBodyText(cyclic)).toThrow(expect.objectContaining({ code: 'codec.unserializable' }));
    expect(() => sessionBodyText({ cookie: {}, n: 10n })).toThrow(expect.objectContaining({ code: 'codec.unserializable' }));
  });

  it('an untouched session parsed from its JSON gives the same text back (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (body) => {
        const text = sessionBodyText({ cookie: {}, ...body });
        const reparsed = JSON.parse(JSON.stringify({ cookie: {}, ...body })) as object;
        expect(sessionBodyText(reparsed)).toBe(text);
      }),
    );
  });

  it('key order alone is no change; any value change is one (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }), fc.jsonValue(), (body, other) => {
        const reversed = Object.fromEntries(Object.entries(body).reverse());
        expect(sameSessionBody(sessionBodyText(body), sessionBodyText(reversed))).toBe(true);
        const key = Object.keys(body)[0] as string;
        const changed = { ...body, [key]: other };
        expect(sameSessionBody(sessionBodyText(body), sessionBodyText(changed))).toBe(stableStringify(body[key]) === stableStringify(other));
      }),
    );
  });
});
