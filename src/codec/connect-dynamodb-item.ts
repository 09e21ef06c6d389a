import type { Item, SessionRecord } from './codec.js';
import { cookieProblem, isNestedDeeperThan, isPlainObject } from './session-shape.js';

/**
 * connect-dynamodb's item, as its 3.x `set()` writes it, and the two attributes this store adds
 * when it takes a session over. Pure. See docs/migration.md.
 *
 * | attribute     | type | content                                                                 |
 * |---------------|------|-------------------------------------------------------------------------|
 * | `<hashKey>`   | S    | `<prefix><session id>` (defaults `id` and `sess:`)                       |
 * | `sess`        | S    | the session as JSON text, its `cookie` included                          |
 * | `expires`     | N    | epoch **seconds** (may have a fraction); served while `floor(now s) < expires` |
 * | `type`        | S    | `connect-session` (not read)                                             |
 * | `dsmMovedTo`  | S    | set by this store: the table the session moved on to (a fence)           |
 * | `dsmWriteId`  | S    | set by this store: the write id of that fence                            |
 * | `dsmDestroyedAt` | N | set by this store's destroy (epoch ms), which also removes `sess`: a logout |
 */
export const LEGACY_ATTR = Object.freeze({
  sess: 'sess',
  expires: 'expires',
  movedTo: 'dsmMovedTo',
  writeId: 'dsmWriteId',
  destroyedAt: 'dsmDestroyedAt',
} as const);

/** Where the legacy items are and how their keys are made. */
export interface LegacyKeyFormat {
  readonly table: string;
  readonly hashKey: string;
  readonly prefix: string;
}

/** A readable legacy session. */
export interface LegacySession {
  readonly kind: 'session';
  readonly session: SessionRecord;
  /** The `sess` text exactly as stored: the condition of the fence (the copy that was read). */
  readonly sessText: string;
  /** connect-dynamodb's expiry, epoch seconds; undefined when the item has none (connect-dynamodb then serves it). */
  readonly expiresSeconds: number | undefined;
  /** Set once this store fenced the item: the table the session moved on to. */
  readonly movedTo: string | undefined;
  readonly writeId: string | undefined;
}

/** A legacy session this store destroyed (a logout): `sess` removed, the fence kept. */
export interface LegacyDestroyed {
  readonly kind: 'destroyed';
  readonly movedTo: string | undefined;
}

/** A legacy item that cannot be served: treated as absent, never an error. */
export interface LegacyCorrupt {
  readonly kind: 'corrupt';
  readonly reason: string;
}

/** The key of session `id` in the legacy table. */
export function legacyKeyOf(format: LegacyKeyFormat, id: string): Item {
  return { [format.hashKey]: { S: `${format.prefix}${id}` } };
}

/** The session id of a legacy item's key, or undefined when the key is not a string starting with the prefix. */
export function legacyIdOf(format: LegacyKeyFormat, item: Item): string | undefined {
  const key = item[format.hashKey]?.S;
  if (typeof key !== 'string' || !key.startsWith(format.prefix)) return undefined;
  return key.slice(format.prefix.length);
}

/**
 * Decodes a legacy item: a session, a session this store destroyed, or corrupt. Whatever
 * connect-dynamodb would not serve, or would serve in a shape
 * express-session cannot use (no `cookie` object, cookie fields of the wrong type, nesting
 * deeper than the store's limit), is {@link LegacyCorrupt}. Expiry is not judged here.
 */
export function decodeLegacyItem(item: Item): LegacySession | LegacyDestroyed | LegacyCorrupt {
  if (!isPlainObject(item)) return corrupt('the item is not an object');
  if (item[LEGACY_ATTR.destroyedAt] !== undefined && item[LEGACY_ATTR.sess] === undefined) {
    const movedTo = optionalString(item, LEGACY_ATTR.movedTo);
    return { kind: 'destroyed', movedTo: movedTo ?? undefined };
  }
  const text = item[LEGACY_ATTR.sess]?.S;
  if (typeof text !== 'string') return corrupt('sess is not a string');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return corrupt('sess is not JSON');
  }
  if (!isPlainObject(parsed) || !isPlainObject(parsed.cookie)) return corrupt('sess is not a session object with a cookie');
  if (isNestedDeeperThan(parsed)) return corrupt('sess nests too deep');
  const problem = cookieProblem(parsed.cookie);
  if (problem !== undefined) return corrupt(problem);
  const expiresRaw = item[LEGACY_ATTR.expires];
  let expiresSeconds: number | undefined;
  if (expiresRaw !== undefined) {
    expiresSeconds = typeof expiresRaw?.N === 'string' && expiresRaw.N.trim() !== '' ? Number(expiresRaw.N) : Number.NaN;
    if (!Number.isFinite(expiresSeconds)) return corrupt('expires is not a number');
  }
  const movedTo = optionalString(item, LEGACY_ATTR.movedTo);
  const writeId = optionalString(item, LEGACY_ATTR.writeId);
  if (movedTo === null || writeId === null) return corrupt('a fence attribute is not a string');
  return { kind: 'session', session: parsed as SessionRecord, sessText: text, expiresSeconds, movedTo, writeId };
}

/**
 * connect-dynamodb's own expiry rule: an item is served while `floor(now in seconds) < expires`
 * (no `expires`: always).
 */
export function isLegacyExpired(record: Pick<LegacySession, 'expiresSeconds'>, nowMs: number): boolean {
  return record.expiresSeconds !== undefined && Math.floor(nowMs / 1000) >= record.expiresSeconds;
}

/** The fence write id of a raw legacy item, for recognising one's own fence after a lost answer. */
export function legacyWriteIdOf(item: Item | undefined): string | undefined {
  const value = item?.[LEGACY_ATTR.writeId]?.S;
  return typeof value === 'string' ? value : undefined;
}

function optionalString(item: Item, name: string): string | undefined | null {
  const value = item[name];
  if (value === undefined) return undefined;
  return typeof value?.S === 'string' ? value.S : null;
}

function corrupt(reason: string): LegacyCorrupt {
  return { kind: 'corrupt', reason };
}
