import { invalidOption } from '../config/validate.js';

/** Compiled ignore rules of the tracker. Both match whole values. */
export interface IgnoreRules {
  /** Matches the whole request path (no query string, mount prefix included). */
  readonly uri?: RegExp;
  /** Matches the whole name of a request header, case-insensitively. */
  readonly header?: RegExp;
}

/**
 * Compiles an ignore pattern once into an anchored `RegExp` that must match the whole value.
 *
 * @param name - the option name, for the error message.
 * @param pattern - a regular expression source string or a `RegExp`.
 * @param caseInsensitive - add the `i` flag (header names).
 * @throws {SessionManagerError} `config.invalidOption` naming `name` when the pattern is invalid.
 */
export function compileIgnorePattern(name: string, pattern: unknown, caseInsensitive: boolean): RegExp | undefined {
  if (pattern === undefined) return undefined;
  let source: string;
  let flags = '';
  if (pattern instanceof RegExp) {
    source = pattern.source;
    flags = pattern.flags.replace(/[gy]/g, '');
  } else if (typeof pattern === 'string' && pattern.length > 0) {
    source = pattern;
  } else {
    throw invalidOption(name, 'a regular expression (a non-empty source string or a RegExp)', pattern);
  }
  if (caseInsensitive && !flags.includes('i')) flags += 'i';
  try {
    return new RegExp(`^(?:${source})$`, flags);
  } catch (cause) {
    const error = invalidOption(name, `a valid regular expression (${(cause as Error).message})`, pattern);
    throw error;
  }
}

/** The request facts the ignore rules look at. */
export interface RequestFacts {
  /** The path without the query string, mount prefix included. */
  readonly path: string;
  /** Names of the request headers as received. */
  readonly headerNames: readonly string[];
}

/**
 * Tells whether a request must not write its session, and why.
 *
 * @returns `'uri'` or `'header'` when a rule matches, else `undefined`.
 */
export function matchIgnoreRules(rules: IgnoreRules, request: RequestFacts): 'uri' | 'header' | undefined {
  if (rules.uri !== undefined && rules.uri.test(request.path)) return 'uri';
  if (rules.header !== undefined) {
    for (const name of request.headerNames) if (rules.header.test(name)) return 'header';
  }
  return undefined;
}

/** Strips the query string from a request URL. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
