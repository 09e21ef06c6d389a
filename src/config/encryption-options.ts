import { fromCryptoAdapter } from '../encryption/crypto-adapter.js';
import { AesGcmKeyring, KEY_BYTES } from '../encryption/keyring.js';
import { KEY_ID_PATTERN } from '../encryption/sealed-format.js';
import { SessionCipher } from '../encryption/session-cipher.js';
import type { EncryptionAdapter } from '../encryption/types.js';
import { DEFAULTS, ENCRYPTION_WRITE_MODES } from './defaults.js';
import { conflictingOptions, invalidOption, readBoolean, readEnum, rejectUnknownKeys } from './validate.js';

const KNOWN = ['keys', 'adapter', 'cryptoAdapter', 'cryptoAdapterKeyId', 'acceptPlaintext', 'write'] as const;
const KEY_ID_RULE = '1 to 255 printable ASCII characters without spaces';
const KEY_RULE = `${KEY_BYTES} bytes: a Uint8Array, or ${KEY_BYTES} bytes in base64, base64url or hex (\`openssl rand -base64 32\`), never a passphrase`;

/**
 * Validates the `encryption` option and builds its cipher. Key material is decoded once, into
 * `KeyObject`s the cipher keeps private; messages name the option and never show a key.
 *
 * @returns the cipher, or undefined without the option.
 * @throws {SessionManagerError} `config.invalidOption`, `config.unknownOption`, `config.conflictingOptions`.
 */
export function resolveEncryption(value: unknown): SessionCipher | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidOption('encryption', 'an object with `keys`, `adapter` or `cryptoAdapter`', value);
  }
  rejectUnknownKeys(value, KNOWN, 'encryption');
  const o = value as Record<(typeof KNOWN)[number], unknown>;
  const keys = readKeys(o.keys);
  const adapter = readAdapter(o);
  if (keys.length === 0 && adapter === undefined) {
    throw invalidOption('encryption', 'an object with at least one of `keys` (non-empty), `adapter` or `cryptoAdapter`', value);
  }
  if (adapter !== undefined && keys.some((k) => k.id === adapter.keyId)) {
    throw conflictingOptions('encryption.keys', 'encryption.adapter', `name the same key id ${JSON.stringify(adapter.keyId)}: give the adapter's key another id`);
  }
  const write = readEnum('encryption.write', o.write, ENCRYPTION_WRITE_MODES) ?? DEFAULTS.encryptionWrite;
  const acceptPlaintext = readBoolean('encryption.acceptPlaintext', o.acceptPlaintext);
  if (write === 'plaintext' && acceptPlaintext === false) {
    throw conflictingOptions('encryption.write', 'encryption.acceptPlaintext', "exclude each other when 'plaintext' and false: a store that writes plaintext must read it");
  }
  return new SessionCipher({
    keyring: keys.length === 0 ? undefined : new AesGcmKeyring(keys),
    adapter,
    acceptPlaintext: acceptPlaintext ?? write === 'plaintext',
    write,
  });
}

function readKeys(value: unknown): { id: string; key: Uint8Array }[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalidOption('encryption.keys', 'an array of { id, key }', value);
  const seen = new Set<string>();
  return value.map((entry: unknown, index) => {
    const name = `encryption.keys[${index}]`;
    if (typeof entry !== 'object' || entry === null) throw invalidOption(name, 'an object { id, key }', entry, false);
    rejectUnknownKeys(entry, ['id', 'key'], name);
    const { id, key } = entry as { id?: unknown; key?: unknown };
    if (typeof id !== 'string' || !KEY_ID_PATTERN.test(id)) throw invalidOption(`${name}.id`, KEY_ID_RULE, id);
    if (seen.has(id)) throw invalidOption(`${name}.id`, 'unique among the keys', id);
    seen.add(id);
    return { id, key: decodeKey(`${name}.key`, key) };
  });
}

/** A key given as bytes or as base64, base64url or hex text: exactly 32 bytes. */
function decodeKey(name: string, value: unknown): Uint8Array {
  let bytes: Buffer | undefined;
  if (value instanceof Uint8Array) bytes = Buffer.from(value);
  else if (typeof value === 'string') {
    const text = value.trim();
    if (/^[0-9a-fA-F]{64}$/.test(text)) bytes = Buffer.from(text, 'hex');
    else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) bytes = Buffer.from(text, 'base64');
  }
  if (bytes?.length !== KEY_BYTES) throw invalidOption(name, KEY_RULE, value, false);
  return bytes;
}

function readAdapter(o: Record<string, unknown>): EncryptionAdapter | undefined {
  if (o.adapter !== undefined && o.cryptoAdapter !== undefined) {
    throw conflictingOptions('encryption.adapter', 'encryption.cryptoAdapter', 'exclude each other: give one');
  }
  if (o.cryptoAdapterKeyId !== undefined && o.cryptoAdapter === undefined) {
    throw conflictingOptions('encryption.cryptoAdapterKeyId', 'encryption.cryptoAdapter', 'go together: the key id names what the cryptoAdapter encrypts');
  }
  if (o.adapter !== undefined) {
    const adapter = o.adapter as Partial<EncryptionAdapter>;
    if (typeof adapter !== 'object' || adapter === null || typeof adapter.encrypt !== 'function' || typeof adapter.decrypt !== 'function') {
      throw invalidOption('encryption.adapter', 'an object with keyId, encrypt(plaintext, aad) and decrypt(ciphertext, aad, keyId)', o.adapter);
    }
    if (typeof adapter.keyId !== 'string' || !KEY_ID_PATTERN.test(adapter.keyId)) throw invalidOption('encryption.adapter.keyId', KEY_ID_RULE, adapter.keyId);
    return adapter as EncryptionAdapter;
  }
  if (o.cryptoAdapter !== undefined) {
    const crypto = o.cryptoAdapter as { encrypt?: unknown; decrypt?: unknown };
    if (typeof crypto !== 'object' || crypto === null || typeof crypto.encrypt !== 'function' || typeof crypto.decrypt !== 'function') {
      throw invalidOption('encryption.cryptoAdapter', "an object with encrypt(string) and decrypt(string), as connect-mongo's", o.cryptoAdapter);
    }
    const keyId = o.cryptoAdapterKeyId ?? DEFAULTS.cryptoAdapterKeyId;
    if (typeof keyId !== 'string' || !KEY_ID_PATTERN.test(keyId)) throw invalidOption('encryption.cryptoAdapterKeyId', KEY_ID_RULE, keyId);
    return fromCryptoAdapter(o.cryptoAdapter as never, keyId);
  }
  return undefined;
}
