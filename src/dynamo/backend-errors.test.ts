import { describe, expect, it } from 'vitest';
import { SessionManagerError } from '../errors.js';
import { isConditionFailed, translateBackendError } from './backend-errors.js';

const site = { operation: 'GetItem', table: 'sessions_20260101_000000' };

describe('translateBackendError: the user index', () => {
  it.each([
    ['The table does not have the specified index: uid-index', 'MISSING', false],
    ['Cannot read from backfilling global secondary index: uid-index', 'CREATING', true],
  ] as const)('a Query answered %s is backend.userIndexMissing (%s), naming the table and dsm add-user-index', (message, status, retryable) => {
    const error = translateBackendError(Object.assign(new Error(message), { name: 'ValidationException', message }), { operation: 'Query', table: 't1' });
    expect(error.code).toBe('backend.userIndexMissing');
    expect(error.details).toMatchObject({ table: 't1', index: 'uid-index', status });
    expect(error.retryable).toBe(retryable);
    expect(error.message).toContain('t1');
    expect(error.message).toContain('dsm add-user-index');
  });

  it('other validation errors of a Query stay backend.failed', () => {
    const error = translateBackendError(Object.assign(new Error('x'), { name: 'ValidationException', message: 'ExclusiveStartKey is invalid' }), { operation: 'Query', table: 't1' });
    expect(error.code).toBe('backend.failed');
  });
});

describe('translateBackendError', () => {
  it.each([
    [{ name: 'ResourceNotFoundException', message: 'Requested resource not found' }, 'backend.tableMissing', false],
    [{ name: 'ProvisionedThroughputExceededException', $fault: 'client' }, 'backend.throttled', true],
    [{ name: 'ThrottlingException' }, 'backend.throttled', true],
    [{ name: 'Error', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' }, 'backend.unavailable', true],
    [{ name: 'TimeoutError', code: 'ECONNRESET', message: 'socket hang up' }, 'backend.unavailable', true],
    [{ name: 'TimeoutError', code: 'ETIMEDOUT' }, 'backend.timeout', true],
    [{ name: 'AbortError', message: 'Request aborted' }, 'backend.timeout', true],
    [{ name: 'InternalServerError', $fault: 'server', $metadata: { httpStatusCode: 500 } }, 'backend.unavailable', true],
    [{ name: 'ValidationException', message: 'Item size has exceeded the maximum allowed size' }, 'codec.itemTooLarge', false],
    [{ name: 'ValidationException', message: 'One or more parameter values were invalid' }, 'backend.failed', false],
    [{ name: 'AccessDeniedException' }, 'backend.failed', false],
    [{ name: 'RequestTimeTooSkewed', $fault: 'client' }, 'backend.failed', true],
    [{ name: 'HttpStatus502', $fault: 'server', $metadata: { httpStatusCode: 502 } }, 'backend.unavailable', true],
  ] as [Record<string, unknown> & { name: string }, string, boolean][])('%j -> %s (retryable %s)', (raw, code, retryable) => {
    const error = translateBackendError(Object.assign(new Error(raw.name), raw), site);
    expect(error).toBeInstanceOf(SessionManagerError);
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.details).toMatchObject({ operation: 'GetItem', table: site.table });
    expect(error.cause).toBeDefined();
  });

  it('names the missing table and the command that creates it', () => {
    const error = translateBackendError(Object.assign(new Error('x'), { name: 'ResourceNotFoundException' }), site);
    expect(error.message).toContain(site.table);
    expect(error.message).toContain('dsm maintain');
  });

  it('keeps the request id', () => {
    const raw = Object.assign(new Error('x'), { name: 'ThrottlingException', $metadata: { requestId: 'REQ123' } });
    expect(translateBackendError(raw, site).details.requestId).toBe('REQ123');
  });

  it('passes our own errors through', () => {
    const ours = new SessionManagerError('store.closed', 'closed');
    expect(translateBackendError(ours, site)).toBe(ours);
  });

  it('recognises a failed condition', () => {
    expect(isConditionFailed(Object.assign(new Error('x'), { name: 'ConditionalCheckFailedException' }))).toBe(true);
    expect(isConditionFailed(new Error('x'))).toBe(false);
    expect(isConditionFailed(undefined)).toBe(false);
  });
});
