import { describe, expect, it } from 'vitest';
import { isSessionManagerError } from '../errors.js';
import { resolveOptions } from './resolve-options.js';
import type { DynamoSessionStoreOptions } from './options.js';
import { defaultDeviceOf } from './user-index-options.js';

const userIdOf = (s: Record<string, unknown>): string | undefined => s.user as string | undefined;
const KEY = 'k'.repeat(16);

function failure(options: DynamoSessionStoreOptions): { code: string; message: string } {
  try {
    resolveOptions(options);
  } catch (error) {
    if (isSessionManagerError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('resolved');
}

describe('user index options', () => {
  it('is off by default, on with userIdOf or userIndex: true', () => {
    expect(resolveOptions().userIndex).toBeUndefined();
    expect(resolveOptions({ userIndex: false }).userIndex).toBeUndefined();
    expect(resolveOptions({ userIdOf })).toMatchObject({ userIndex: { userIdOf, revokeSecondPassMs: 2000, ids: { hashed: false } } });
    expect(resolveOptions({ userIndex: true })).toMatchObject({ userIndex: { userIdOf: undefined } });
    expect(resolveOptions({ userIdOf, userIdKey: KEY, revokeSecondPassMs: 0 }).userIndex).toMatchObject({ revokeSecondPassMs: 0, ids: { hashed: true } });
    expect(resolveOptions({ userIndex: true, userIdKey: new Uint8Array(32) }).userIndex?.ids.hashed).toBe(true);
  });

  it('reads device facts from the device key by default', () => {
    expect(defaultDeviceOf({ cookie: {}, device: { ip: '1.2.3.4' } })).toEqual({ ip: '1.2.3.4' });
    expect(defaultDeviceOf({ cookie: {}, device: 'phone' })).toBeUndefined();
    const deviceOf = (): Record<string, unknown> => ({ ua: 'x' });
    expect(resolveOptions({ userIdOf, deviceOf }).userIndex?.deviceOf).toBe(deviceOf);
  });

  it.each<[string, DynamoSessionStoreOptions, string]>([
    ['userIdOf not a function', { userIdOf: 'passport.user' as never }, 'Option `userIdOf` must be a function; got "passport.user".'],
    ['userIndex not a boolean', { userIndex: 'yes' as never }, 'Option `userIndex` must be true or false; got "yes".'],
    ['userIndex false with userIdOf', { userIdOf, userIndex: false }, 'Option `userIndex` must be true or left out when `userIdOf` is set'],
    ['a short key', { userIdOf, userIdKey: 'short' }, 'Option `userIdKey` must be a string or Uint8Array of at least 16 bytes (an HMAC-SHA256 key; 32 random bytes are best); got a key of 5 bytes.'],
    ['a key of the wrong type', { userIdOf, userIdKey: 42 as never }, 'got a number.'],
    ['a key without the index', { userIdKey: KEY }, 'Option `userIdKey` must be left out unless the user index is on'],
    ['deviceOf without the index', { deviceOf: () => undefined }, 'Option `deviceOf` must be left out unless the user index is on'],
    ['deviceOf not a function', { userIdOf, deviceOf: {} as never }, 'Option `deviceOf` must be a function; got an object.'],
    ['a negative second pass', { userIdOf, revokeSecondPassMs: -1 }, 'Option `revokeSecondPassMs` must be a whole number ≥ 0 and ≤ 60000; got -1.'],
    ['a second pass without the index', { revokeSecondPassMs: 100 }, 'Option `revokeSecondPassMs` must be left out unless the user index is on'],
  ])('refuses %s, naming the option', (_what, options, message) => {
    const got = failure(options);
    expect(got.code).toBe('config.invalidOption');
    expect(got.message).toContain(message);
  });

  it('never shows the key in a message', () => {
    expect(failure({ userIdOf, userIdKey: 'secret-short' }).message).not.toContain('secret');
  });

  it.each([
    ['userIdof', 'userIdOf'],
    ['userindex', 'userIndex'],
    ['userIdkey', 'userIdKey'],
    ['deviceof', 'deviceOf'],
    ['revokeSecondPassMS', 'revokeSecondPassMs'],
  ])('suggests %s -> %s', (typo, suggestion) => {
    const got = failure({ [typo]: true } as DynamoSessionStoreOptions);
    expect(got.code).toBe('config.unknownOption');
    expect(got.message).toContain(`Did you mean \`${suggestion}\`?`);
  });
});
