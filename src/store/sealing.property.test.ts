// Property: an encrypted item that was tampered with in any way (a flipped bit anywhere in its
// data, data cut short, data copied to another session's id, the key id replaced by an unknown
// one, a key removed from the store) is never served: opening and decoding it throws
// SessionManagerError `encryption.undecryptable` or `codec.corruptItem` (the store then treats it
// as absent and counts it), never another error. Untampered items always decode to the session.
//
// Seeded: FC_SEED=<n> replays a run (fast-check prints the seed and path of a failure), FC_RUNS=<n>
// changes the number of runs.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildSessionItem, decodeItem, encodeSessionData, type Item } from '../codec/codec.js';
import { ATTR } from '../codec/item-format.js';
import { resolveEncryption } from '../config/encryption-options.js';
import { isSessionManagerError } from '../errors.js';
import { openItem, sealData } from './sealing.js';

const SEED = process.env.FC_SEED === undefined ? 20261124 : Number(process.env.FC_SEED);
const RUNS = process.env.FC_RUNS === undefined ? 500 : Number(process.env.FC_RUNS);
const NOW = Date.UTC(2026, 10, 24, 10, 0, 0);
const K1 = randomBytes(32);
const K2 = randomBytes(32);
const writer = resolveEncryption({ keys: [{ id: 'k2', key: K2 }, { id: 'k1', key: K1 }] })!;
const readers = {
  both: writer,
  withoutK2: resolveEncryption({ keys: [{ id: 'k1', key: K1 }] })!,
  none: undefined,
};

const sessionId = fc.stringMatching(/^[A-Za-z0-9_-]{8,40}$/);
const session = fc.record({
  cookie: fc.constant({ originalMaxAge: 3_600_000, path: '/', httpOnly: true }),
  email: fc.emailAddress(),
  cart: fc.array(fc.record({ sku: fc.string({ maxLength: 12 }), qty: fc.nat(99) }), { maxLength: 60 }),
});

function itemFor(id: string, data: Uint8Array): Item {
  return buildSessionItem({ id, data, version: 3, lastAccessedMs: NOW, expiresAtMs: NOW + 3_600_000 });
}

/** What the store's read does with an item stored under key `id`: the session, or the error code. */
async function read(reader: keyof typeof readers, id: string, item: Item): Promise<unknown> {
  try {
    const opened = await openItem(readers[reader], id, item);
    const record = decodeItem(opened.item);
    return record.kind === 'session' ? record.session : record.kind;
  } catch (error) {
    if (isSessionManagerError(error, 'encryption.undecryptable') || isSessionManagerError(error, 'codec.corruptItem')) return error.code;
    throw error;
  }
}

const tampering = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('other id' as const), suffix: fc.stringMatching(/^[A-Za-z0-9]{1,4}$/) }),
  fc.record({ kind: fc.constant('unknown key id' as const), keyId: fc.stringMatching(/^[a-z0-9]{1,8}$/).filter((k) => k !== 'k1' && k !== 'k2') }),
  fc.record({ kind: fc.constant('key removed' as const) }),
);

type Tampering = typeof tampering extends fc.Arbitrary<infer T> ? T : never;

/** Applies one tampering; returns the id the item is then read under and the reader. */
function tamper(t: Tampering, id: string, data: Buffer): { id: string; data: Buffer; reader: keyof typeof readers } {
  const copy = Buffer.from(data);
  switch (t.kind) {
    case 'flip':
      copy[t.at % copy.length] = (copy[t.at % copy.length] ?? 0) ^ (1 << t.bit);
      return { id, data: copy, reader: 'both' };
    case 'truncate':
      return { id, data: copy.subarray(0, t.at % copy.length), reader: 'both' };
    case 'other id':
      return { id: `${id}${t.suffix}`, data: copy, reader: 'both' };
    case 'unknown key id': {
      const header = Buffer.from([copy[0] ?? 0, copy[1] ?? 0, t.keyId.length]);
      return { id, data: Buffer.concat([header, Buffer.from(t.keyId, 'latin1'), copy.subarray(3 + (copy[2] ?? 0))]), reader: 'both' };
    }
    case 'key removed':
      return { id, data: copy, reader: 'withoutK2' };
  }
}

describe('encrypted items that were tampered with', () => {
  it('are never served: always undecryptable or corrupt, never another error', async () => {
    await fc.assert(
      fc.asyncProperty(sessionId, session, tampering, async (id, value, t) => {
        const sealed = Buffer.from(await sealData(writer, id, encodeSessionData(value).data));
        expect(await read('both', id, itemFor(id, sealed))).toEqual(value);
        const tampered = tamper(t, id, sealed);
        const outcome = await read(tampered.reader, tampered.id, { ...itemFor(tampered.id, sealed), [ATTR.data]: { B: tampered.data } });
        expect(['encryption.undecryptable', 'codec.corruptItem']).toContain(outcome);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('encrypted items read by a store without keys, and plaintext ones by a store that refuses them, are undecryptable', async () => {
    await fc.assert(
      fc.asyncProperty(sessionId, session, async (id, value) => {
        const plain = encodeSessionData(value).data;
        const sealed = await sealData(writer, id, plain);
        expect(await read('none', id, itemFor(id, sealed))).toBe('encryption.undecryptable');
        expect(await read('both', id, itemFor(id, plain))).toBe('encryption.undecryptable');
        expect(await read('none', id, itemFor(id, plain))).toEqual(value);
      }),
      { seed: SEED + 1, numRuns: Math.ceil(RUNS / 5) },
    );
  });
});
