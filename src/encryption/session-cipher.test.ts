import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { resolveEncryption } from '../config/encryption-options.js';
import { isSessionManagerError } from '../errors.js';
import { createLocalEnvelopeAdapter, createStringCryptoAdapter } from '../../test/support/local-envelope-adapter.js';
import { parseSealed } from './sealed-format.js';
import type { SessionCipher } from './session-cipher.js';

const K1 = randomBytes(32);
const K2 = randomBytes(32);
const payload = Buffer.from('{"cookie":{},"email":"ann@example.com"}');
const ID = 'session-id-0001-abcdefgh';

function cipher(options: Record<string, unknown>): SessionCipher {
  const built = resolveEncryption(options);
  if (built === undefined) throw new Error('no cipher');
  return built;
}

async function codeOf(action: () => unknown): Promise<string> {
  try {
    await action();
  } catch (error) {
    return isSessionManagerError(error) ? error.code : `foreign: ${String(error)}`;
  }
  return 'none';
}

describe('the built-in cipher (AES-256-GCM)', () => {
  const c = cipher({ keys: [{ id: 'k2', key: K2 }, { id: 'k1', key: K1 }] });

  it('encrypts under the first key, stores its id in clear, and decrypts', () => {
    const sealed = c.seal(1, payload, ID) as Buffer;
    const parts = parseSealed(sealed);
    expect(parts).toMatchObject({ flags: 1, keyId: 'k2' });
    expect(sealed.includes(Buffer.from('ann@example.com'))).toBe(false);
    // nonce 12 + tag 16 over the payload, after format, flags, length and 'k2'
    expect(sealed.length).toBe(3 + 2 + 12 + payload.length + 16);
    expect(c.open(sealed, ID)).toEqual({ flags: 1, payload, keyId: 'k2' });
  });

  it('draws a fresh nonce per write: the same session encrypts differently each time', () => {
    const a = c.seal(0, payload, ID) as Buffer;
    const b = c.seal(0, payload, ID) as Buffer;
    expect(a.equals(b)).toBe(false);
    expect(a.subarray(5, 17).equals(b.subarray(5, 17))).toBe(false);
  });

  it('every key decrypts: what the old key encrypted opens after a rotation', () => {
    const old = cipher({ keys: [{ id: 'k1', key: K1 }] }).seal(0, payload, ID) as Buffer;
    expect(c.open(old, ID)).toMatchObject({ keyId: 'k1', payload });
  });

  it('binds the ciphertext to its session id, flags and key id', async () => {
    const sealed = c.seal(0, payload, ID) as Buffer;
    expect(await codeOf(() => c.open(sealed, `${ID}x`))).toBe('encryption.undecryptable');
    const flags = Buffer.from(sealed);
    flags[1] = 1;
    expect(await codeOf(() => c.open(flags, ID))).toBe('encryption.undecryptable');
    // the same bytes relabelled as k1's: k1 does not authenticate them
    const relabelled = Buffer.from(sealed);
    relabelled.write('k1', 3, 'latin1');
    expect(await codeOf(() => c.open(relabelled, ID))).toBe('encryption.undecryptable');
  });

  it('a key removed makes what it encrypted undecryptable, naming the key id', () => {
    const old = cipher({ keys: [{ id: 'k0', key: randomBytes(32) }] }).seal(0, payload, ID) as Buffer;
    let caught: unknown;
    try {
      void c.open(old, ID);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'encryption.undecryptable', details: { keyId: 'k0' } });
  });

  it('tells which stored forms its next write replaces', () => {
    expect(c.isStale('k2')).toBe(false);
    expect(c.isStale('k1')).toBe(true);
    expect(c.isStale(undefined)).toBe(true);
    const off = cipher({ keys: [{ id: 'k2', key: K2 }], write: 'plaintext' });
    expect(off.isStale(undefined)).toBe(false);
    expect(off.isStale('k2')).toBe(true);
    expect(off.acceptPlaintext).toBe(true);
  });

  it('shows key ids and settings, never key material', () => {
    const shown = `${JSON.stringify(c)} ${inspect(c, { depth: 10, showHidden: true })}`;
    expect(shown).toContain('k2');
    for (const key of [K1, K2]) {
      expect(shown).not.toContain(key.toString('hex'));
      expect(shown).not.toContain(key.toString('base64'));
    }
  });
});

describe('an adapter (keys managed elsewhere)', () => {
  it('encrypts and decrypts asynchronously under its key id, bound to the session id', async () => {
    const adapter = createLocalEnvelopeAdapter(['kms-a', 'kms-b']);
    const c = cipher({ adapter });
    const sealed = await c.seal(0, payload, ID);
    expect(parseSealed(sealed)).toMatchObject({ keyId: 'kms-a' });
    expect(await c.open(sealed, ID)).toEqual({ flags: 0, payload, keyId: 'kms-a' });
    expect(await codeOf(() => c.open(sealed, `${ID}x`))).toBe('encryption.undecryptable');
    adapter.keyId = 'kms-b';
    expect(c.isStale('kms-a')).toBe(true);
    expect(parseSealed(await c.seal(0, payload, ID))).toMatchObject({ keyId: 'kms-b' });
    expect(await c.open(sealed, ID)).toMatchObject({ keyId: 'kms-a' });
  });

  it('an outage is encryption.failed (retryable), not an absent session', async () => {
    const adapter = createLocalEnvelopeAdapter(['kms-a']);
    const c = cipher({ adapter });
    const sealed = await c.seal(0, payload, ID);
    adapter.down = true;
    expect(await codeOf(() => c.open(sealed, ID))).toBe('encryption.failed');
    expect(await codeOf(() => c.seal(0, payload, ID))).toBe('encryption.failed');
  });

  it('with keys beside it: the adapter encrypts, the keys still decrypt what they encrypted', async () => {
    const adapter = createLocalEnvelopeAdapter(['kms-a']);
    const old = cipher({ keys: [{ id: 'k1', key: K1 }] }).seal(0, payload, ID) as Buffer;
    const c = cipher({ adapter, keys: [{ id: 'k1', key: K1 }] });
    expect(c.open(old, ID)).toMatchObject({ keyId: 'k1' });
    expect(c.isStale('k1')).toBe(true);
    expect(parseSealed(await c.seal(0, payload, ID))).toMatchObject({ keyId: 'kms-a' });
  });

  it("accepts connect-mongo's cryptoAdapter shape, binding the session id inside the plaintext", async () => {
    const c = cipher({ cryptoAdapter: createStringCryptoAdapter(), cryptoAdapterKeyId: 'mongo-1' });
    const sealed = await c.seal(1, payload, ID);
    expect(parseSealed(sealed)).toMatchObject({ keyId: 'mongo-1', flags: 1 });
    expect(await c.open(sealed, ID)).toEqual({ flags: 1, payload, keyId: 'mongo-1' });
    expect(await codeOf(() => c.open(sealed, `${ID}x`))).toBe('encryption.undecryptable');
    const other = cipher({ cryptoAdapter: createStringCryptoAdapter(), cryptoAdapterKeyId: 'mongo-1' });
    expect(await codeOf(() => other.open(sealed, ID))).toBe('encryption.undecryptable');
    expect(parseSealed(await cipher({ cryptoAdapter: createStringCryptoAdapter() }).seal(0, payload, ID))).toMatchObject({ keyId: 'crypto-adapter' });
  });
});

describe('docs/security.md', () => {
  it('shows examples/kms-envelope.ts (type-checked by npm test) verbatim', () => {
    const doc = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8');
    const example = readFileSync(new URL('../../examples/kms-envelope.ts', import.meta.url), 'utf8');
    expect(doc).toContain(`\`\`\`ts\n${example}\`\`\``);
  });
});
