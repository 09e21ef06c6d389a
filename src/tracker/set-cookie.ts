import type { ServerResponse } from 'node:http';

/** One `Set-Cookie` entry, as the filter sees it. */
export interface SetCookieEntry {
  /** The cookie's name. */
  readonly name: string;
  /** The whole entry, URI-decoded where it decodes. */
  readonly decoded: string;
}

/**
 * Removes the `Set-Cookie` entries `drop` picks from a response whose headers are not sent yet:
 * the one place where the tracker keeps a session cookie from being issued, changed or cleared
 * for a request whose session was not stored (ignored or degraded).
 */
export function dropSetCookies(res: ServerResponse, drop: (entry: SetCookieEntry) => boolean): void {
  if (res.headersSent) return;
  const header = res.getHeader('set-cookie');
  if (header === undefined) return;
  const entries = Array.isArray(header) ? header : [String(header)];
  const kept = entries.filter((entry) => !drop({ name: entry.slice(0, Math.max(entry.indexOf('='), 0)).trim(), decoded: safeDecode(entry) }));
  if (kept.length === entries.length) return;
  if (kept.length === 0) res.removeHeader('set-cookie');
  else res.setHeader('set-cookie', kept);
}

/** Drops the entries that carry session id `sessionId` (express-session: whatever the cookie's name). */
export function carriesSessionId(sessionId: string | undefined): (entry: SetCookieEntry) => boolean {
  return (entry) => sessionId !== undefined && entry.decoded.includes(sessionId);
}

/** Drops the cookie `name` and its signature `name.sig` (koa-session). */
export function isCookieNamed(name: string): (entry: SetCookieEntry) => boolean {
  return (entry) => entry.name === name || entry.name === `${name}.sig`;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
