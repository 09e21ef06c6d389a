import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, SessionManagerError, isSessionManagerError } from './errors.js';

describe('SessionManagerError', () => {
  it('has a code, details, retryable and cause', () => {
    const cause = new Error('sdk');
    const error = new SessionManagerError('backend.throttled', 'throttled', { cause, details: { table: 't' }, retryable: true });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'SessionManagerError', code: 'backend.throttled', details: { table: 't' }, retryable: true, cause });
  });

  it.each([
    [new SessionManagerError('backend.throttled', 'x'), undefined, true],
    [new SessionManagerError('backend.throttled', 'x'), 'backend.', true],
    [new SessionManagerError('backend.throttled', 'x'), 'backend.throttled', true],
    [new SessionManagerError('backend.throttled', 'x'), 'codec.', false],
    [new SessionManagerError('backend.throttled', 'x'), 'backend.throttle', false],
    [Object.assign(new Error('copy'), { code: 'backend.throttled', [Symbol.for('dynamo-session-manager.error')]: true }), 'backend.', true],
    [Object.assign(new Error('lookalike'), { code: 'backend.throttled' }), 'backend.', false],
    [null, undefined, false],
    ['backend.throttled', undefined, false],
  ])('isSessionManagerError(%o, %s) = %s', (error, prefix, expected) => {
    expect(isSessionManagerError(error, prefix)).toBe(expected);
  });
});

describe('docs/errors.md', () => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  const headings = [...doc.matchAll(/^## (\S+)$/gm)].map((m) => m[1]);

  it('has one heading per code, in the order of ERROR_CODES, each with a cause and a remedy', () => {
    expect(headings).toEqual([...ERROR_CODES]);
    for (const code of ERROR_CODES) {
      const section = doc.split(`## ${code}\n`)[1]?.split('\n## ')[0] ?? '';
      expect(section, code).toMatch(/\*\*Cause:\*\*/);
      expect(section, code).toMatch(/\*\*Remedy:\*\*/);
    }
  });
});
