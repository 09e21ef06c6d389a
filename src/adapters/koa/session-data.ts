import type { SessionRecord } from '../../codec/codec.js';
import { SessionManagerError } from '../../errors.js';

/** A session as koa-session hands it to a store: its data, plus `_expire` and `_maxAge` (or `_session`). */
export type KoaSessionData = Record<string, unknown>;

/**
 * Turns koa-session's session into a stored record. koa-session's expiry fields go into the
 * record's `cookie`, where the core reads the expiry and which change detection and merges leave
 * out: a new `_expire` on every save is not a change.
 *
 * @throws {SessionManagerError} `codec.unserializable` when the session is not an object or has a
 *   key named `cookie`, which the store reserves.
 */
export function fromKoaSession(data: unknown): SessionRecord {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new SessionManagerError('codec.unserializable', 'koa-session passed a session that is not an object; it was not saved.');
  }
  const { _expire, _maxAge, _session, ...body } = data as KoaSessionData;
  if (Object.hasOwn(body, 'cookie')) {
    throw new SessionManagerError(
      'codec.unserializable',
      'A Koa session cannot have a key named `cookie`: the store keeps the session expiry under that name. Rename the key; the session was not saved.',
      { details: { key: 'cookie' } },
    );
  }
  const cookie =
    _session === true
      ? { originalMaxAge: null, expires: null, session: true }
      : {
          originalMaxAge: typeof _maxAge === 'number' && Number.isFinite(_maxAge) ? _maxAge : null,
          expires: typeof _expire === 'number' && Number.isFinite(_expire) ? new Date(_expire).toISOString() : null,
        };
  return { ...body, cookie };
}

/**
 * Turns a stored record back into what koa-session expects from `get`. The session's lifetime
 * (`_maxAge`, or `_session` for a browser-session cookie) is restored; `_expire` is not: the store
 * already refused an expired session, and the stored `_expire` is that of the last write, older
 * than the refreshes that kept the session alive since.
 */
export function toKoaSession(record: SessionRecord): KoaSessionData {
  const { cookie, ...body } = record;
  const meta = cookie as { originalMaxAge?: unknown; session?: unknown };
  if (meta.session === true) return { ...body, _session: true };
  if (typeof meta.originalMaxAge === 'number') return { ...body, _maxAge: meta.originalMaxAge };
  return body;
}
