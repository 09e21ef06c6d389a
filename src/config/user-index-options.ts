import type { SessionRecord } from '../codec/codec.js';
import { isPlainObject } from '../codec/session-shape.js';
import { MIN_USER_ID_KEY_BYTES, createUserIdCodec, type UserIdCodec } from '../codec/user-id.js';
import { SessionManagerError } from '../errors.js';
import { DEFAULTS } from './defaults.js';
import { invalidOption, readBoolean, readFunction, readNumber } from './validate.js';

/** What the user index options resolve to: undefined when the index is off. */
export interface ResolvedUserIndex {
  /** The user of a session, as the app says (`userIdOf`); undefined in a store that only reads the index (`dsm`). */
  readonly userIdOf: ((session: SessionRecord) => unknown) | undefined;
  /** The device facts listed for a session. */
  readonly deviceOf: (session: SessionRecord) => Readonly<Record<string, unknown>> | undefined;
  /** Delay of a revoke's second pass over the index. */
  readonly revokeSecondPassMs: number;
  /** Derives index keys from user ids (hashed mode keeps its key private: never shown). */
  readonly ids: UserIdCodec;
}

/** The session's `device` key when it is a plain object: the default `deviceOf`. */
export function defaultDeviceOf(session: SessionRecord): Readonly<Record<string, unknown>> | undefined {
  const device = session[DEFAULTS.deviceKey];
  return isPlainObject(device) ? device : undefined;
}

/** The options of the user index, as given (a part of `DynamoSessionStoreOptions`). */
interface UserIndexInput {
  readonly userIdOf?: unknown;
  readonly userIndex?: unknown;
  readonly userIdKey?: unknown;
  readonly deviceOf?: unknown;
  readonly revokeSecondPassMs?: unknown;
}

/**
 * Validates `userIdOf`, `userIndex`, `userIdKey`, `deviceOf` and `revokeSecondPassMs`. The index is
 * on when `userIndex` is true, or left out with `userIdOf` set; the other three need it on.
 *
 * @returns the resolved options, or undefined when the index is off.
 * @throws {SessionManagerError} `config.invalidOption` naming the option.
 */
export function resolveUserIndex(o: UserIndexInput): ResolvedUserIndex | undefined {
  const userIdOf = readFunction<(session: SessionRecord) => unknown>('userIdOf', o.userIdOf);
  const userIndex = readBoolean('userIndex', o.userIndex);
  if (userIndex === false && userIdOf !== undefined) {
    throw invalidOption('userIndex', 'true or left out when `userIdOf` is set (the index is what makes `userIdOf` useful)', false);
  }
  const deviceOf = readFunction<ResolvedUserIndex['deviceOf']>('deviceOf', o.deviceOf);
  const revokeSecondPassMs = readNumber('revokeSecondPassMs', o.revokeSecondPassMs, { integer: true, min: 0, max: 60_000 });
  const key = readKey(o.userIdKey);
  const on = userIndex ?? userIdOf !== undefined;
  if (!on) {
    for (const [name, value] of [['userIdKey', key], ['deviceOf', deviceOf], ['revokeSecondPassMs', revokeSecondPassMs]] as const) {
      if (value !== undefined) throw invalidOption(name, 'left out unless the user index is on (`userIdOf`, or `userIndex: true`)', name === 'userIdKey' ? 'a key' : value);
    }
    return undefined;
  }
  return Object.freeze({
    userIdOf,
    deviceOf: deviceOf ?? defaultDeviceOf,
    revokeSecondPassMs: revokeSecondPassMs ?? DEFAULTS.revokeSecondPassMs,
    ids: createUserIdCodec(key),
  });
}

/** The HMAC key of hashed mode; its value is never shown in a message. */
function readKey(value: unknown): Uint8Array | undefined {
  if (value === undefined) return undefined;
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value instanceof Uint8Array ? value : undefined;
  if (bytes === undefined || bytes.byteLength < MIN_USER_ID_KEY_BYTES) {
    const got = bytes === undefined ? `a ${value === null ? 'null' : typeof value}` : `a key of ${bytes.byteLength} bytes`;
    throw new SessionManagerError('config.invalidOption', `Option \`userIdKey\` must be a string or Uint8Array of at least ${MIN_USER_ID_KEY_BYTES} bytes (an HMAC-SHA256 key; 32 random bytes are best); got ${got}.`, {
      details: { option: 'userIdKey' },
    });
  }
  return Uint8Array.from(bytes);
}
