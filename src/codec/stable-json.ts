import { sessionJson } from './codec.js';

/**
 * JSON with object keys sorted at every level, so that two equal sessions give the same string
 * whatever order their keys were set in. Follows JSON.stringify otherwise: `toJSON` is honoured,
 * `undefined`, functions and symbols are dropped from objects and become `null` in arrays.
 */
export function stableStringify(value: unknown): string {
  return stringify(value) ?? 'null';
}

function stringify(value: unknown): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    case 'object':
      break;
    default:
      return undefined;
  }
  if (Array.isArray(value)) return `[${value.map((item) => stringify(item) ?? 'null').join(',')}]`;
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const item = stringify(record[key]);
    if (item !== undefined) parts.push(`${JSON.stringify(key)}:${item}`);
  }
  return `{${parts.join(',')}}`;
}

/** The session without its `cookie`: what change detection compares (as express-session does). */
export function sessionBodyJson(session: object): string {
  const record = session as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    if (key === 'cookie') continue;
    const item = stringify(record[key]);
    if (item !== undefined) parts.push(`${JSON.stringify(key)}:${item}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * The session without its `cookie` as JSON in the session's own key order: what a load
 * remembers for change detection. Native `JSON.stringify`, several times faster than
 * {@link sessionBodyJson}; compare two of them with {@link sameSessionBody}.
 *
 * @throws {SessionManagerError} `codec.unserializable` for a session JSON cannot hold.
 */
export function sessionBodyText(session: object): string {
  const { cookie: _cookie, ...body } = session as Record<string, unknown>;
  return sessionJson(body);
}

/**
 * Whether two {@link sessionBodyText} strings hold the same session. Equal text is the common
 * case (an untouched session serialises as it was parsed); otherwise the keys may just have been
 * set in another order, so both are compared with keys sorted: a session is never taken for
 * changed only because of key order, nor for unchanged when a value differs.
 */
export function sameSessionBody(a: string, b: string): boolean {
  return a === b || stableStringify(JSON.parse(a)) === stableStringify(JSON.parse(b));
}
