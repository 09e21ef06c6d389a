import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attributeMapFromWire, toWire } from './attribute-wire.js';

const bytes = fc.uint8Array({ maxLength: 64 }).map((b) => new Uint8Array(b));
const attribute: fc.Arbitrary<Record<string, unknown>> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string().map((S) => ({ S })),
    fc.integer().map((n) => ({ N: String(n) })),
    bytes.map((B) => ({ B })),
    fc.array(bytes, { minLength: 1, maxLength: 3 }).map((BS) => ({ BS })),
    fc.boolean().map((BOOL) => ({ BOOL })),
    fc.constant({ NULL: true }),
    fc.array(fc.string(), { minLength: 1, maxLength: 3 }).map((SS) => ({ SS })),
    fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), tie('value')).map((M) => ({ M })),
    fc.array(tie('value'), { maxLength: 3 }).map((L) => ({ L })),
  ),
})).value as fc.Arbitrary<Record<string, unknown>>;

describe('DynamoDB wire form of attribute values', () => {
  it('writes binaries as base64 and leaves everything else as it is', () => {
    const item = { id: { S: 'abc' }, data: { B: new Uint8Array([1, 2, 255]) }, version: { N: '3' }, tags: { BS: [new Uint8Array([0])] } };
    expect(toWire({ TableName: 't', Item: item, ConsistentRead: true })).toEqual({
      TableName: 't',
      Item: { id: { S: 'abc' }, data: { B: 'AQL/' }, version: { N: '3' }, tags: { BS: ['AA=='] } },
      ConsistentRead: true,
    });
  });

  it('reads base64 binaries back as Uint8Array, inside maps and lists too', () => {
    const read = attributeMapFromWire({ data: { B: 'AQL/' }, nested: { M: { inner: { B: 'AA==' } } }, list: { L: [{ B: 'AQ==' }, { S: 'x' }] } });
    expect(read?.data).toEqual({ B: new Uint8Array([1, 2, 255]) });
    expect((read?.data as { B: unknown }).B).toBeInstanceOf(Uint8Array);
    expect(read?.nested).toEqual({ M: { inner: { B: new Uint8Array([0]) } } });
    expect(read?.list).toEqual({ L: [{ B: new Uint8Array([1]) }, { S: 'x' }] });
  });

  it('round-trips any attribute map through JSON unchanged', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), attribute, { maxKeys: 6 }), (item) => {
        const onTheWire: unknown = JSON.parse(JSON.stringify(toWire(item)));
        expect(attributeMapFromWire(onTheWire)).toEqual(item);
      }),
    );
  });

  it('answers undefined for something that is not a map, and keeps malformed members as they are', () => {
    expect(attributeMapFromWire(undefined)).toBeUndefined();
    expect(attributeMapFromWire('text')).toBeUndefined();
    expect(attributeMapFromWire([1, 2])).toBeUndefined();
    expect(attributeMapFromWire({ odd: 7, weird: { X: 1 } })).toEqual({ odd: 7, weird: { X: 1 } });
  });

  it('writes a Uint8Array view of a larger buffer as its own bytes only', () => {
    const backing = new Uint8Array([9, 9, 1, 2, 9]);
    expect(toWire({ B: backing.subarray(2, 4) })).toEqual({ B: Buffer.from([1, 2]).toString('base64') });
  });
});
