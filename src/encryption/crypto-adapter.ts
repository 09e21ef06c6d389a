import type { CryptoAdapter, EncryptionAdapter } from './types.js';

/**
 * Wraps connect-mongo's `cryptoAdapter` (strings in, strings out, no key id, no additional data)
 * as an {@link EncryptionAdapter}. The additional data is bound inside the plaintext: the string
 * encrypted is `base64url(aad) + '.' + base64(payload)`, and decryption checks that the prefix
 * matches. With an authenticated cipher (connect-mongo's default AES-GCM) a ciphertext copied to
 * another session therefore does not decrypt; with AES-CBC nothing is authenticated.
 */
export function fromCryptoAdapter(crypto: CryptoAdapter, keyId: string): EncryptionAdapter {
  return {
    keyId,
    async encrypt(plaintext, aad) {
      const text = `${Buffer.from(aad).toString('base64url')}.${Buffer.from(plaintext).toString('base64')}`;
      const ciphertext: unknown = await crypto.encrypt(text);
      if (typeof ciphertext !== 'string') throw new TypeError('cryptoAdapter.encrypt did not resolve to a string');
      return Buffer.from(ciphertext, 'utf8');
    },
    async decrypt(ciphertext, aad) {
      let text: unknown;
      try {
        text = await crypto.decrypt(Buffer.from(ciphertext).toString('utf8'));
      } catch {
        return undefined; // connect-mongo's adapters reject for a bad tag and a bad key alike
      }
      if (typeof text !== 'string') return undefined;
      const dot = text.indexOf('.');
      if (dot < 0 || text.slice(0, dot) !== Buffer.from(aad).toString('base64url')) return undefined;
      return Buffer.from(text.slice(dot + 1), 'base64');
    },
  };
}
