/** Session ids: printable, no spaces, 8 to 256 characters (`DEFAULTS.sessionIdPattern` is this pattern). */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_\-+/=.:~]{8,256}$/;

/**
 * Tells whether `id` may be used as a key. Anything else (not a string, empty, over 256
 * characters, spaces or control characters) is treated as an absent session, without a call.
 */
export function isValidSessionId(id: unknown, pattern: RegExp = SESSION_ID_PATTERN): id is string {
  return typeof id === 'string' && pattern.test(id);
}
