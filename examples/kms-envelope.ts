// Envelope encryption of sessions with AWS KMS data keys: an `encryption.adapter` for
// dynamo-session-manager. Copy it into your application (docs/security.md explains it).
import { DecryptCommand, GenerateDataKeyCommand, KMSServiceException, type KMSClient } from '@aws-sdk/client-kms';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptionAdapter } from 'dynamo-session-manager';

export interface KmsEnvelopeOptions {
  readonly client: KMSClient;
  /** The KMS key that protects the data keys (key ARN or alias ARN): stored with each session. */
  readonly keyId: string;
  /** How long one data key encrypts new writes, in ms. @default 300000 */
  readonly dataKeyMs?: number;
  /** How many writes one data key encrypts at most (AES-GCM with random nonces: far below 2^32). @default 1000000 */
  readonly dataKeyUses?: number;
}

/**
 * KMS makes a data key (GenerateDataKey); it encrypts sessions locally with AES-256-GCM for a
 * while, and its KMS-encrypted copy is stored with each ciphertext. Reading asks KMS to decrypt
 * that copy once per data key and process (cached). So KMS is called about once per
 * `dataKeyMs` per process to write, and once per data key met to read: never once per request.
 *
 * Stored ciphertext: length of the encrypted data key (2 bytes) ‖ encrypted data key ‖ nonce (12) ‖
 * ciphertext ‖ tag (16). The store's additional data (format, flags, key id, session id) is
 * authenticated by AES-GCM.
 */
export function kmsEnvelopeAdapter(options: KmsEnvelopeOptions): EncryptionAdapter {
  const { client, keyId, dataKeyMs = 300_000, dataKeyUses = 1_000_000 } = options;
  let current: { key: Buffer; encrypted: Buffer; until: number; uses: number } | undefined;
  let pending: Promise<void> | undefined;
  const dataKeys = new Map<string, Promise<Buffer | undefined>>();

  async function freshDataKey(): Promise<void> {
    const out = await client.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' }));
    if (out.Plaintext === undefined || out.CiphertextBlob === undefined) throw new Error('KMS returned no data key');
    current = { key: Buffer.from(out.Plaintext), encrypted: Buffer.from(out.CiphertextBlob), until: Date.now() + dataKeyMs, uses: 0 };
  }

  function dataKeyFor(encrypted: Buffer, storedKeyId: string): Promise<Buffer | undefined> {
    const cacheKey = `${storedKeyId} ${encrypted.toString('base64')}`;
    let found = dataKeys.get(cacheKey);
    if (found === undefined) {
      if (dataKeys.size >= 1000) dataKeys.clear();
      found = client
        .send(new DecryptCommand({ CiphertextBlob: encrypted, KeyId: storedKeyId }))
        .then((out) => (out.Plaintext === undefined ? undefined : Buffer.from(out.Plaintext)))
        .catch((error: unknown) => {
          dataKeys.delete(cacheKey);
          // A data key KMS will never decrypt: tampered, or under another KMS key. Anything else
          // (throttling, network, permissions) is an outage: the request fails, the session stays.
          if (error instanceof KMSServiceException && ['InvalidCiphertextException', 'IncorrectKeyException'].includes(error.name)) return undefined;
          throw error;
        });
      dataKeys.set(cacheKey, found);
    }
    return found;
  }

  return {
    keyId,
    async encrypt(plaintext, aad) {
      while (current === undefined || Date.now() > current.until || current.uses >= dataKeyUses) {
        pending ??= freshDataKey().finally(() => (pending = undefined));
        await pending;
      }
      current.uses += 1;
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current.key, nonce);
      cipher.setAAD(aad);
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      const length = Buffer.alloc(2);
      length.writeUInt16BE(current.encrypted.length);
      return Buffer.concat([length, current.encrypted, nonce, body, cipher.getAuthTag()]);
    },
    async decrypt(ciphertext, aad, storedKeyId) {
      const bytes = Buffer.from(ciphertext);
      const length = bytes.length >= 2 ? bytes.readUInt16BE(0) : 0;
      if (length === 0 || bytes.length < 2 + length + 12 + 16) return undefined;
      const key = await dataKeyFor(bytes.subarray(2, 2 + length), storedKeyId);
      if (key === undefined) return undefined;
      const rest = bytes.subarray(2 + length);
      const decipher = createDecipheriv('aes-256-gcm', key, rest.subarray(0, 12));
      decipher.setAAD(aad);
      decipher.setAuthTag(rest.subarray(rest.length - 16));
      try {
        return Buffer.concat([decipher.update(rest.subarray(12, rest.length - 16)), decipher.final()]);
      } catch {
        return undefined; // does not authenticate: tampered, or copied from another session
      }
    },
  };
}
