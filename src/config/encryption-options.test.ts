import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLocalEnvelopeAdapter, createStringCryptoAdapter } from '../../test/support/local-envelope-adapter.js';
import { resolveOptions } from './resolve-options.js';

const key = randomBytes(32);
const keyText = key.toString('base64');
const adapter = createLocalEnvelopeAdapter(['kms-a']);

function errorOf(encryption: unknown): { code: string; message: string } | undefined {
  try {
    resolveOptions({ encryption: encryption as never });
  } catch (error) {
    return error as { code: string; message: string };
  }
  return undefined;
}

describe('the encryption option', () => {
  it.each([
    ['base64', keyText],
    ['base64url', key.toString('base64url')],
    ['hex', key.toString('hex')],
    ['bytes', new Uint8Array(key)],
  ])('takes a 32-byte key as %s', (_form, value) => {
    const cipher = resolveOptions({ encryption: { keys: [{ id: 'k1', key: value }] } }).encryption;
    expect(cipher).toMatchObject({ keyIds: ['k1'], acceptPlaintext: false, write: 'encrypted', adapter: false });
  });

  it('is off without the option', () => {
    expect(resolveOptions({}).encryption).toBeUndefined();
  });

  it.each([
    ['not an object', 'yes', 'config.invalidOption', '`encryption`'],
    ['no keys and no adapter', {}, 'config.invalidOption', '`encryption`'],
    ['empty keys', { keys: [] }, 'config.invalidOption', '`encryption`'],
    ['a typo', { kyes: [] }, 'config.unknownOption', 'Did you mean `keys`'],
    ['keys not an array', { keys: { id: 'k1', key: keyText } }, 'config.invalidOption', '`encryption.keys`'],
    ['a short key', { keys: [{ id: 'k1', key: randomBytes(16).toString('base64') }] }, 'config.invalidOption', '`encryption.keys[0].key` must be 32 bytes'],
    ['a passphrase', { keys: [{ id: 'k1', key: 'correct horse battery staple' }] }, 'config.invalidOption', '`encryption.keys[0].key`'],
    ['a key of 33 bytes', { keys: [{ id: 'k1', key: randomBytes(33) }] }, 'config.invalidOption', '`encryption.keys[0].key`'],
    ['an id with a space', { keys: [{ id: 'my key', key: keyText }] }, 'config.invalidOption', '`encryption.keys[0].id`'],
    ['an id of 256 characters', { keys: [{ id: 'k'.repeat(256), key: keyText }] }, 'config.invalidOption', '`encryption.keys[0].id`'],
    ['a duplicate id', { keys: [{ id: 'k1', key: keyText }, { id: 'k1', key: keyText }] }, 'config.invalidOption', '`encryption.keys[1].id` must be unique'],
    ['an unknown key field', { keys: [{ id: 'k1', key: keyText, alg: 'x' }] }, 'config.unknownOption', 'encryption.keys[0]'],
    ['a bad write mode', { keys: [{ id: 'k1', key: keyText }], write: 'off' }, 'config.invalidOption', '`encryption.write`'],
    ['plaintext writes without plaintext reads', { keys: [{ id: 'k1', key: keyText }], write: 'plaintext', acceptPlaintext: false }, 'config.conflictingOptions', '`encryption.write`'],
    ['an adapter without methods', { adapter: { keyId: 'a' } }, 'config.invalidOption', '`encryption.adapter`'],
    ['an adapter with a bad key id', { adapter: { ...adapter, keyId: '' } }, 'config.invalidOption', '`encryption.adapter.keyId`'],
    ['an adapter and a cryptoAdapter', { adapter, cryptoAdapter: createStringCryptoAdapter() }, 'config.conflictingOptions', '`encryption.adapter`'],
    ['an adapter key id among the keys', { adapter, keys: [{ id: 'kms-a', key: keyText }] }, 'config.conflictingOptions', 'kms-a'],
    ['a cryptoAdapterKeyId alone', { keys: [{ id: 'k1', key: keyText }], cryptoAdapterKeyId: 'x' }, 'config.conflictingOptions', '`encryption.cryptoAdapterKeyId`'],
  ])('refuses %s, naming the option', (_case, encryption, code, text) => {
    const error = errorOf(encryption);
    expect(error?.code).toBe(code);
    expect(error?.message).toContain(text);
  });

  it('never shows a key in a message', () => {
    const bad = randomBytes(31).toString('base64');
    const error = errorOf({ keys: [{ id: 'k1', key: bad }] });
    expect(error?.message).not.toContain(bad);
    expect(error?.message).not.toContain(bad.slice(0, 12));
  });

  it('takes plaintext reads by default when writing plaintext, and adapters of both shapes', () => {
    expect(resolveOptions({ encryption: { keys: [{ id: 'k1', key: keyText }], write: 'plaintext' } }).encryption).toMatchObject({ acceptPlaintext: true, write: 'plaintext' });
    expect(resolveOptions({ encryption: { adapter, acceptPlaintext: true } }).encryption).toMatchObject({ adapter: true, keyIds: [], acceptPlaintext: true });
    expect(resolveOptions({ encryption: { cryptoAdapter: createStringCryptoAdapter() } }).encryption?.writeKeyId()).toBe('crypto-adapter');
  });
});
