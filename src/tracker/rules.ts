
/** Compiled ignore rules of the tracker. Both match whole values. */
export interface IgnoreRules {
  /** Matches the whole request path (no query string, mount prefix included). */
  readonly uri?: RegExp;
  /** Matches the whole name of a request header, case-insensitively. */
  readonly header?: RegExp;
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
