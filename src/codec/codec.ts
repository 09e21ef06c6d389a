import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { SessionManagerError } from '../errors.js';
import { cookieProblem, isNestedDeeperThan, isPlainObject } from './session-shape.js';
import {
  ATTR,
  MAX_NESTING_DEPTH,
  COMPRESS_FROM_BYTES,
  DATA_FLAGS,
  DATA_FORMAT_VERSION,
  MAX_INFLATED_BYTES,
  fromEpochSeconds,
  toEpochSeconds,
} from './item-format.js';

/** A DynamoDB item in the low-level attribute-value form. */
export type Item = Record<string, AttributeValue>;

/** A session as stored: a plain object with a `cookie` object, as express-session keeps it. */
export type SessionRecord = Record<string, unknown> & { cookie: Record<string, unknown> };

/** A session item read back. */
export interface StoredSession {
  readonly kind: 'session';
  readonly id: string;
  readonly session: SessionRecord;
  readonly version: number;
  readonly lastAccessedMs: number;
  readonly expiresAtMs: number;
  /** When the session was first stored, epoch ms (the last write's time for items written before this was kept). */
  readonly createdAtMs: number;
  /** Size of the `data` attribute in bytes. */
  readonly dataBytes: number;
  /** The id of the write that made this version, when it has one. */
  readonly writeId: string | undefined;
  /** Set on a fenced copy: the table the session moved on to. This copy is no longer written. */
  readonly movedTo: string | undefined;
  /** The user index key (`uid`) the item carries, when it has a user (`userIdOf`). */
  readonly uid?: string | undefined;
}

/** What stays of a destroyed session until its table goes: it keeps late writers from bringing it back. */
export interface Tombstone {
  readonly kind: 'tombstone';
  readonly id: string;
  readonly version: number;
}

/** The encoded `data` attribute. */
export interface EncodedData {
  readonly data: Uint8Array;
  readonly compressed: boolean;
}

/**
 * Encodes a session for the `data` attribute: a format byte, a flags byte, then the session's
 * JSON, deflated when it is at least 1 KB and deflating makes it smaller.
 *
 * @throws {SessionManagerError} `codec.unserializable` when the session cannot be turned into JSON.
 */
export function encodeSessionData(session: object): EncodedData {
  if (isNestedDeeperThan(session)) {
    throw new SessionManagerError('codec.unserializable', `The session nests objects more than ${MAX_NESTING_DEPTH} levels deep; it was not saved.`, {
      details: { maxDepth: MAX_NESTING_DEPTH },
    });
  }
  const json = sessionJson(session);
  const raw = Buffer.from(json, 'utf8');
  if (raw.length >= COMPRESS_FROM_BYTES) {
    const deflated = deflateRawSync(raw);
    if (deflated.length < raw.length) {
      return { data: withHeader(DATA_FLAGS.deflated, deflated), compressed: true };
    }
  }
  return { data: withHeader(DATA_FLAGS.plain, raw), compressed: false };
}

/**
 * `JSON.stringify` of a session or part of one, for the codec and change detection alike.
 *
 * @throws {SessionManagerError} `codec.unserializable` for a value JSON cannot hold (a BigInt, a cycle).
 */
export function sessionJson(value: object): string {
  try {
    return JSON.stringify(value);
  } catch (cause) {
    throw new SessionManagerError('codec.unserializable', `The session cannot be stored as JSON: ${(cause as Error).message}.`, {
      cause,
    });
  }
}

function withHeader(flags: number, payload: Buffer): Uint8Array {
  const out = Buffer.allocUnsafe(payload.length + 2);
  out[0] = DATA_FORMAT_VERSION;
  out[1] = flags;
  payload.copy(out, 2);
  return out;
}

/**
 * Decodes the `data` attribute.
 *
 * @throws {SessionManagerError} `codec.corruptItem` for an unknown format, bad compression, bad
 *   JSON, or JSON that is not a session object with a `cookie`.
 */
export function decodeSessionData(data: Uint8Array): SessionRecord {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buffer.length < 2) throw corrupt('the data attribute is too short');
  const format = buffer[0];
  const flags = buffer[1];
  if (format !== DATA_FORMAT_VERSION) throw corrupt(`unknown data format ${String(format)}`);
  let json: string;
  try {
    const payload = buffer.subarray(2);
    if (flags === DATA_FLAGS.plain) json = payload.toString('utf8');
    else if (flags === DATA_FLAGS.deflated) json = inflateRawSync(payload, { maxOutputLength: MAX_INFLATED_BYTES }).toString('utf8');
    else throw corrupt(`unknown data flags ${String(flags)}`);
  } catch (cause) {
    if (cause instanceof SessionManagerError) throw cause;
    throw corrupt('the data attribute does not inflate', cause);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (cause) {
    throw corrupt('the data attribute is not JSON', cause);
  }
  if (!isPlainObject(parsed) || !isPlainObject(parsed.cookie)) throw corrupt('the data attribute is not a session object with a cookie');
  if (isNestedDeeperThan(parsed)) throw corrupt(`the session nests more than ${MAX_NESTING_DEPTH} levels deep`);
  const problem = cookieProblem(parsed.cookie);
  if (problem !== undefined) throw corrupt(problem);
  return parsed as SessionRecord;
}

function corrupt(reason: string, cause?: unknown): SessionManagerError {
  return new SessionManagerError('codec.corruptItem', `Stored item is not a readable session: ${reason}.`, {
    details: { reason },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The fields of a session item to write. */
export interface SessionItemFields {
  readonly id: string;
  readonly data: Uint8Array;
  readonly version: number;
  readonly lastAccessedMs: number;
  readonly expiresAtMs: number;
  /** When the session was first stored, epoch ms. @default lastAccessedMs */
  readonly createdAtMs?: number;
  /** The id of this write, to recognise it after its answer was lost. */
  readonly writeId?: string;
  /** The user index key, for a session with a user (`userIdOf`); absent otherwise. */
  readonly uid?: string | undefined;
}

/** Builds a full session item. Every session item has `data`. */
export function buildSessionItem(fields: SessionItemFields): Item {
  return {
    [ATTR.id]: { S: fields.id },
    [ATTR.data]: { B: fields.data },
    [ATTR.version]: { N: String(fields.version) },
    [ATTR.lastAccessed]: { N: String(fields.lastAccessedMs) },
    [ATTR.expiresAt]: { N: String(toEpochSeconds(fields.expiresAtMs)) },
    [ATTR.expiresAtMs]: { N: String(fields.expiresAtMs) },
    [ATTR.createdAt]: { N: String(fields.createdAtMs ?? fields.lastAccessedMs) },
    ...(fields.writeId === undefined ? {} : { [ATTR.writeId]: { S: fields.writeId } }),
    ...(fields.uid === undefined ? {} : { [ATTR.uid]: { S: fields.uid } }),
  };
}

/** Builds a tombstone: no `data`, a `deletedAt`, and an `expiresAt` so TTL removes it too. */
export function buildTombstoneItem(id: string, version: number, nowMs: number, expiresAtMs: number): Item {
  return {
    [ATTR.id]: { S: id },
    [ATTR.version]: { N: String(version) },
    [ATTR.deletedAt]: { N: String(nowMs) },
    [ATTR.lastAccessed]: { N: String(nowMs) },
    [ATTR.expiresAt]: { N: String(toEpochSeconds(expiresAtMs)) },
  };
}

/**
 * Decodes an item read from a table.
 *
 * @throws {SessionManagerError} `codec.corruptItem` for a foreign or damaged item.
 */
export function decodeItem(item: Item): StoredSession | Tombstone {
  if (!isPlainObject(item)) throw corrupt('the item is not an object');
  const id = item[ATTR.id]?.S;
  if (typeof id !== 'string') throw corrupt('the item has no string id');
  const version = readNumber(item, ATTR.version);
  if (version === undefined || !Number.isSafeInteger(version) || version < 0) throw corrupt('the version is not a whole number');
  if (item[ATTR.deletedAt] !== undefined && item[ATTR.data] === undefined) return { kind: 'tombstone', id, version };
  const data = item[ATTR.data]?.B;
  if (!(data instanceof Uint8Array)) throw corrupt('the item has no binary data attribute');
  const lastAccessedMs = readNumber(item, ATTR.lastAccessed);
  const expiresAtSeconds = readNumber(item, ATTR.expiresAt);
  if (lastAccessedMs === undefined || expiresAtSeconds === undefined) throw corrupt('the item lacks lastAccessed or expiresAt');
  // Items written before `expiresAtMs` existed carry only the TTL's seconds (rounded up).
  const expiresAtMs = item[ATTR.expiresAtMs] === undefined ? fromEpochSeconds(expiresAtSeconds) : readNumber(item, ATTR.expiresAtMs);
  if (expiresAtMs === undefined) throw corrupt('expiresAtMs is not a number');
  const createdAt = item[ATTR.createdAt];
  const createdAtMs = createdAt === undefined ? lastAccessedMs : readNumber(item, ATTR.createdAt);
  if (createdAtMs === undefined) throw corrupt('createdAt is not a number');
  const writeId = readOptionalString(item, ATTR.writeId);
  const movedTo = readOptionalString(item, ATTR.movedTo);
  const uid = readOptionalString(item, ATTR.uid);
  return {
    kind: 'session',
    id,
    session: decodeSessionData(data),
    version,
    lastAccessedMs,
    expiresAtMs,
    createdAtMs,
    dataBytes: data.byteLength,
    writeId,
    movedTo,
    ...(uid === undefined ? {} : { uid }),
  };
}

function readNumber(item: Item, name: string): number | undefined {
  const raw = item[name]?.N;
  if (typeof raw !== 'string') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER ? value : undefined;
}

function readOptionalString(item: Item, name: string): string | undefined {
  const value = item[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || typeof value.S !== 'string') throw corrupt(`${name} is not a string`);
  return value.S;
}

/** The user index key (`uid`) of a raw item, or undefined. */
export function uidOfItem(item: Item | undefined): string | undefined {
  const value = item?.[ATTR.uid]?.S;
  return typeof value === 'string' ? value : undefined;
}

/** The write id of a raw item, without decoding the rest: recognises one's own write after a lost answer. */
export function writeIdOf(item: Item | undefined): string | undefined {
  const value = item?.[ATTR.writeId]?.S;
  return typeof value === 'string' ? value : undefined;
}

/**
 * DynamoDB's size of an item: the UTF-8 bytes of every attribute name plus its value; numbers
 * are counted at their largest (21 bytes).
 */
export function itemSizeBytes(item: Item): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    bytes += Buffer.byteLength(name, 'utf8');
    if (value.S !== undefined) bytes += Buffer.byteLength(value.S, 'utf8');
    else if (value.B !== undefined) bytes += value.B.byteLength;
    else if (value.N !== undefined) bytes += 21;
    else bytes += 1;
  }
  return bytes;
}
