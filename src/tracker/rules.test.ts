import { describe, expect, it } from 'vitest';
import { compileIgnorePattern } from '../config/ignore-rules.js';
import { matchIgnoreRules, pathOf } from './rules.js';

describe('compileIgnorePattern', () => {
  it.each([
    ['/static/.*', '/static/app.css', true],
    ['/static/.*', '/x/static/app.css', false],
    ['/static', '/static/app.css', false],
    ['/health', '/health', true],
    ['/health', '/healthz', false],
    [/\/img\/.+\.png/, '/img/a.png', true],
    [/\/img\/.+\.png/g, '/img/a.png', true],
    ['/a|/b', '/b', true],
    ['/a|/b', '/ab', false],
  ])('%s matches %s as a whole: %s', (pattern, value, expected) => {
    const re = compileIgnorePattern('ignoreUris', pattern, false);
    expect(re?.test(value)).toBe(expected);
    expect(re?.test(value)).toBe(expected); // no lastIndex state
  });

  it('makes header patterns case-insensitive', () => {
    const re = compileIgnorePattern('ignoreHeaders', 'x-health-check', true);
    expect(re?.test('X-Health-Check')).toBe(true);
    expect(re?.test('x-health-check-2')).toBe(false);
  });

  it.each([['('], [''], [42], [{}]])('rejects %s naming the option', (pattern) => {
    expect(() => compileIgnorePattern('ignoreUris', pattern, false)).toThrow(/Option `ignoreUris` must be/);
  });

  it('returns undefined when unset', () => {
    expect(compileIgnorePattern('ignoreUris', undefined, false)).toBeUndefined();
  });
});

describe('matchIgnoreRules', () => {
  const rules = {
    uri: compileIgnorePattern('ignoreUris', '/static/.*', false)!,
    header: compileIgnorePattern('ignoreHeaders', 'x-no-session', true)!,
  };
  it.each([
    ['/static/a.js', ['host'], 'uri'],
    ['/cart', ['host', 'X-No-Session'], 'header'],
    ['/cart', ['host', 'x-no-session-please'], undefined],
    ['/cart', [], undefined],
  ] as const)('%s with headers %j -> %s', (path, headerNames, expected) => {
    expect(matchIgnoreRules(rules, { path, headerNames })).toBe(expected);
  });
});

describe('pathOf', () => {
  it.each([
    ['/a?b=c', '/a'],
    ['/a', '/a'],
    ['/?x', '/'],
  ])('%s -> %s', (url, path) => expect(pathOf(url)).toBe(path));
});
