import { describe, expect, it } from 'vitest';
import { SessionManagerError } from '../errors.js';
import { describeError, type ErrorContext } from './report-error.js';

const context: ErrorContext = { command: 'dsm status', endpoint: 'http://127.0.0.1:1', tableBaseName: 'app', expiry: 'rotation', verbose: false };

describe('describeError', () => {
  it.each([
    ['cli.usage', 2],
    ['config.invalidOption', 2],
    ['config.conflictingOptions', 2],
    ['backend.unavailable', 1],
    ['backend.tableMissing', 1],
    ['cli.failed', 1],
    ['local.startFailed', 1],
  ] as const)('%s exits %d', (code, exitCode) => {
    expect(describeError(new SessionManagerError(code, 'x'), context).exitCode).toBe(exitCode);
  });

  it('prints one line for an unreachable endpoint, naming the endpoint, and no stack', () => {
    const error = new SessionManagerError('backend.unavailable', 'DynamoDB is unavailable for ListTables: ECONNREFUSED.', { cause: new Error('connect ECONNREFUSED') });
    expect(describeError(error, context).lines).toEqual(['backend.unavailable: DynamoDB is unavailable for ListTables: ECONNREFUSED. (endpoint http://127.0.0.1:1)']);
  });

  it('adds the stack and the causes under --verbose', () => {
    const error = new SessionManagerError('backend.timeout', 'late', { cause: new Error('socket hang up') });
    const lines = describeError(error, { ...context, verbose: true }).lines;
    expect(lines[0]).toBe('backend.timeout: late (endpoint http://127.0.0.1:1)');
    expect(lines).toContain('caused by:');
    expect(lines.some((line) => /^\s+at /.test(line))).toBe(true);
  });

  it('uses the hint an error carries, else one per code', () => {
    expect(describeError(new SessionManagerError('cli.failed', 'no session', { details: { hint: 'look elsewhere' } }), context).lines).toEqual([
      'cli.failed: no session',
      'hint: look elsewhere',
    ]);
    expect(describeError(new SessionManagerError('cli.usage', 'bad'), context).lines[1]).toBe('hint: Run `dsm status --help` for the options.');
    expect(describeError(new SessionManagerError('backend.tableMissing', 'gone'), context).lines[1]).toMatch(/rotation tables of base name app/);
    expect(describeError(new SessionManagerError('backend.failed', 'DynamoDB failed ListTables: Error: Region is missing'), context).lines[1]).toMatch(/--region/);
  });

  it('reports a foreign error as cli.failed on one line, with a hint to use --verbose', () => {
    const report = describeError(new TypeError('boom\nsecond line'), context);
    expect(report).toEqual({ exitCode: 1, lines: ['cli.failed: boom second line', 'hint: Run again with --verbose for the stack trace.'] });
  });
});
