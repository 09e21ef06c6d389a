import { stableStringify } from '../codec/stable-json.js';
import type { SessionRecord } from '../codec/codec.js';

/** What one request did to a session, key by key (top-level properties; the cookie is apart). */
export interface SessionDiff {
  /** Keys set or changed, with their new values. */
  readonly set: Readonly<Record<string, unknown>>;
  /** Keys removed. */
  readonly removed: readonly string[];
}

/**
 * The keys a request changed, comparing its session with the body it loaded (JSON without the
 * cookie). A new session (nothing loaded) changed every key it has.
 */
export function diffSession(loadedBodyJson: string | undefined, session: Record<string, unknown>): SessionDiff {
  const loaded = (loadedBodyJson === undefined ? {} : JSON.parse(loadedBodyJson)) as Record<string, unknown>;
  const set: Record<string, unknown> = {};
  for (const key of Object.keys(session)) {
    if (key === 'cookie') continue;
    const now = session[key];
    if (now === undefined || typeof now === 'function') continue;
    if (!Object.hasOwn(loaded, key) || stableStringify(now) !== stableStringify(loaded[key])) set[key] = now;
  }
  const removed = Object.keys(loaded).filter((key) => !Object.hasOwn(session, key) || session[key] === undefined);
  return { set, removed };
}

/**
 * Applies a request's changes over the stored session: keys it changed or removed win, every
 * other key keeps its stored value; the cookie is the request's own.
 */
export function applyDiff(stored: SessionRecord, diff: SessionDiff, cookie: unknown): SessionRecord {
  const merged: Record<string, unknown> = { ...stored, ...diff.set };
  for (const key of diff.removed) delete merged[key];
  merged.cookie = cookie ?? stored.cookie;
  return merged as SessionRecord;
}
