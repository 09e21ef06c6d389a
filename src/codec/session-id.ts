import { DEFAULTS } from '../config/defaults.js';

/**
 * Tells whether `id` may be used as a key. Anything else (not a string, empty, over 256
 * characters, spaces or control characters) is treated as an absent session, without a call.
 */
export function isValidSessionId(id: unknown, pattern: RegExp = DEFAULTS.sessionIdPattern): id is string {
  return typeof id === 'string' && pattern.test(id);
}
