import { DEFAULTS } from '../config/defaults.js';
import { SessionManagerError } from '../errors.js';
import { redactId } from '../logging/logger.js';

/**
 * Reads the session id an operator typed. A signed express-session cookie value, as copied from
 * a browser (`s:<id>.<signature>`, URL-encoded or not), is accepted too: its id part is used.
 *
 * @throws {SessionManagerError} `cli.usage` when the result is not a valid session id; the
 *   message gives its length, never the id.
 */
export function parseSessionIdArgument(raw: string, pattern: RegExp = DEFAULTS.sessionIdPattern): string {
  let id = raw.trim();
  if (/^s%3A/i.test(id)) {
    try {
      id = decodeURIComponent(id);
    } catch {
      // not URL-encoded after all
    }
  }
  if (id.startsWith('s:') && id.lastIndexOf('.') > 2) id = id.slice(2, id.lastIndexOf('.'));
  if (!pattern.test(id)) {
    throw new SessionManagerError(
      'cli.usage',
      `The session id must be 8 to 256 characters of A-Z, a-z, 0-9 and _ - + / = . : ~; got ${id.length} character${id.length === 1 ? '' : 's'}.`,
      { details: { hint: 'Give the id as stored (express-session: the cookie value without `s:` and the signature, or the whole cookie value).' } },
    );
  }
  return id;
}

/** How the CLI names a session in its output: a short prefix and the tag the store's logs use, `3f2a9c… (id#1f2e3d4c)`. */
export function describeSessionId(id: string): { readonly prefix: string; readonly logId: string } {
  return { prefix: `${id.slice(0, Math.min(6, Math.floor(id.length / 4)))}…`, logId: redactId(id) };
}
