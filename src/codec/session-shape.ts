import { MAX_NESTING_DEPTH } from './item-format.js';

/**
 * Checks of a decoded session's shape, so that what the store serves can never crash the
 * framework that receives it. Pure.
 */

/** `cookie` path and domain as the `cookie` package (used by express-session and @fastify/cookie) accepts them. */
const COOKIE_PATH = /^[\u0020-\u003A\u003D-\u007E]*$/;
const COOKIE_DOMAIN = /^([.]?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)([.][a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const SAME_SITE = new Set(['lax', 'strict', 'none']);
const PRIORITY = new Set(['low', 'medium', 'high']);

type FieldRule = (value: unknown) => boolean;

const isBoolean: FieldRule = (v) => typeof v === 'boolean';
/** A lifetime in ms that still gives a valid date when added to now (express-session does): about 31,700 years either way. */
const MAX_AGE_BOUND_MS = 1e15;
const isAgeOrNull: FieldRule = (v) => v === null || (typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= MAX_AGE_BOUND_MS);
const isDateTextOrNull: FieldRule = (v) => v === null || (typeof v === 'string' && v.length <= 64 && Number.isFinite(Date.parse(v)));

/**
 * The cookie fields express-session, @fastify/session and the Koa adapter store, with the types
 * their cookie serialisers accept. Other fields are left alone.
 */
const COOKIE_FIELDS: Readonly<Record<string, FieldRule>> = {
  originalMaxAge: isAgeOrNull,
  maxAge: isAgeOrNull,
  expires: isDateTextOrNull,
  originalExpires: isDateTextOrNull,
  httpOnly: isBoolean,
  secure: (v) => typeof v === 'boolean' || v === 'auto',
  partitioned: isBoolean,
  session: isBoolean,
  path: (v) => v === null || (typeof v === 'string' && COOKIE_PATH.test(v)),
  domain: (v) => v === null || (typeof v === 'string' && COOKIE_DOMAIN.test(v)),
  sameSite: (v) => v === null || typeof v === 'boolean' || (typeof v === 'string' && SAME_SITE.has(v.toLowerCase())),
  priority: (v) => v === null || (typeof v === 'string' && PRIORITY.has(v.toLowerCase())),
};

/**
 * Why a stored cookie object cannot be served, or `undefined` when it can: every known field
 * absent or of the type its framework accepts (a stored `originalMaxAge: "abc"` would make
 * express-session throw inside the store's callback).
 */
export function cookieProblem(cookie: Record<string, unknown>): string | undefined {
  for (const [field, rule] of Object.entries(COOKIE_FIELDS)) {
    if (!Object.hasOwn(cookie, field)) continue;
    const value = cookie[field];
    if (value !== undefined && !rule(value)) return `cookie field ${field} has a value its framework cannot use`;
  }
  return undefined;
}

/**
 * Tells whether a JSON value nests objects and arrays more than `maxDepth` levels deep.
 * Iterative, so a hostile value cannot overflow the stack.
 */
export function isNestedDeeperThan(value: unknown, maxDepth: number = MAX_NESTING_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth >= maxDepth) return true;
    const children = Array.isArray(item) ? item : Object.values(item as Record<string, unknown>);
    for (const child of children) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}

/** Tells whether `value` is a plain object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
