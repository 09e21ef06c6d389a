import { conflictingOptions, invalidOption } from './validate.js';

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
    throw invalidOption(name, `a valid regular expression (${(cause as Error).message})`, pattern);
  }
}

/** The ignore rules of the store and of the tracker, compiled. */
export interface IgnoreOptions {
  readonly ignoreUris: RegExp | undefined;
  readonly ignoreHeaders: RegExp | undefined;
}

/**
 * Resolves `ignoreUris` / `ignoreHeaders` and their Tomcat aliases `ignoreUri` / `ignoreHeader`:
 * the one validation of these options, used by the store and by the tracker alike. Giving an
 * option and its alias together is an error.
 *
 * @throws {SessionManagerError} `config.invalidOption` for an invalid pattern,
 *   `config.conflictingOptions` for an option given twice.
 */
export function resolveIgnoreOptions(o: Readonly<Record<string, unknown>>): IgnoreOptions {
  return {
    ignoreUris: resolveIgnore(o, 'ignoreUris', 'ignoreUri', false),
    ignoreHeaders: resolveIgnore(o, 'ignoreHeaders', 'ignoreHeader', true),
  };
}

function resolveIgnore(o: Readonly<Record<string, unknown>>, name: string, alias: string, caseInsensitive: boolean): RegExp | undefined {
  if (o[name] !== undefined && o[alias] !== undefined) {
    throw conflictingOptions(name, alias, `are the same option (\`${alias}\` is the Tomcat original's spelling); give one`);
  }
  const chosen = o[name] !== undefined ? name : alias;
  return compileIgnorePattern(chosen, o[chosen], caseInsensitive);
}
