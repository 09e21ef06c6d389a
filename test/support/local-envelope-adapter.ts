import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptionAdapter } from '../../src/index.js';

/**
 * An in-process stand-in for a key service, implementing the adapter contract the way the AWS KMS
 * example of docs/security.md does (envelope encryption): each write gets a fresh data key that
 * encrypts the payload with AES-256-GCM and the additional data; the data key is stored wrapped
 * under a master key held by the "service". KMS is not reachable from the tests; this exercises
 * the same contract: an unknown master key or a ciphertext that does not authenticate resolves
 * `undefined`, an outage rejects.
 */
export interface LocalEnvelopeAdapter extends EncryptionAdapter {
  /** The id of the master key `encrypt` uses; change it to rotate. */
  keyId: string;
  /** While set, every call rejects, as a key service that cannot be reached. */
  down: boolean;
  /** Calls made to the "service" (wraps and unwraps of data keys). */
  readonly calls: { wrap: number; unwrap: number };
}

function gcmSeal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  return Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

function gcmOpen(key: Uint8Array, sealed: Buffer, aad: Uint8Array): Buffer | undefined {
  if (sealed.length < 28) return undefined;
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]);
  } catch {
    return undefined;
  }
}

/** An adapter whose "service" holds one master key per id in `masterKeyIds`; the first encrypts. */
export function createLocalEnvelopeAdapter(masterKeyIds: readonly string[]): LocalEnvelopeAdapter {
  const masters = new Map(masterKeyIds.map((id) => [id, randomBytes(32)]));
  const calls = { wrap: 0, unwrap: 0 };
  const adapter: LocalEnvelopeAdapter = {
    keyId: masterKeyIds[0] ?? 'none',
    down: false,
    calls,
    async encrypt(plaintext, aad) {
      if (adapter.down) throw new Error('key service unreachable');
      const master = masters.get(adapter.keyId);
      if (master === undefined) throw new Error(`no master key ${adapter.keyId}`);
      const dataKey = randomBytes(32);
      calls.wrap += 1;
      const wrapped = gcmSeal(master, dataKey, Buffer.from(adapter.keyId));
      const length = Buffer.alloc(2);
      length.writeUInt16BE(wrapped.length);
      return Buffer.concat([length, wrapped, gcmSeal(dataKey, plaintext, aad)]);
    },
    async decrypt(ciphertext, aad, keyId) {
      if (adapter.down) throw new Error('key service unreachable');
      const master = masters.get(keyId);
      const bytes = Buffer.from(ciphertext);
      if (master === undefined || bytes.length < 2) return undefined;
      const length = bytes.readUInt16BE(0);
      calls.unwrap += 1;
      const dataKey = gcmOpen(master, bytes.subarray(2, 2 + length), Buffer.from(keyId));
      return dataKey === undefined ? undefined : gcmOpen(dataKey, bytes.subarray(2 + length), aad);
    },
  };
  return adapter;
}

/**
 * An adapter of connect-mongo's `cryptoAdapter` shape (strings in and out), written as
 * connect-mongo 6's `createWebCryptoAdapter` works with its defaults: AES-GCM, a 12-byte random
 * IV prefixed, base64; here with a raw 32-byte key instead of PBKDF2.
 */
export function createStringCryptoAdapter(key: Uint8Array = randomBytes(32)): { encrypt(s: string): Promise<string>; decrypt(s: string): Promise<string> } {
  return {
    async encrypt(plaintext) {
      return gcmSeal(key, Buffer.from(plaintext, 'utf8'), Buffer.alloc(0)).toString('base64');
    },
    async decrypt(ciphertext) {
      const opened = gcmOpen(key, Buffer.from(ciphertext, 'base64'), Buffer.alloc(0));
      if (opened === undefined) throw new Error('Unsupported state or unable to authenticate data');
      return opened.toString('utf8');
    },
  };
}
