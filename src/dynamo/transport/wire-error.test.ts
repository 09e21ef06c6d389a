import { describe, expect, it } from 'vitest';
import { isConditionFailed, translateBackendError } from '../backend-errors.js';
import { errorFromResponse } from './wire-error.js';

describe('errorFromResponse', () => {
  it('names the exception after the part of __type behind #, with its message and status', () => {
    const error = errorFromResponse(400, JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', message: 'Requested resource not found' }), 'REQ1');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.message).toBe('Requested resource not found');
    expect(error.$fault).toBe('client');
    expect(error.$metadata).toEqual({ httpStatusCode: 400, requestId: 'REQ1' });
    expect(translateBackendError(error, { operation: 'GetItem', table: 'x_1' }).code).toBe('backend.tableMissing');
  });

  it('reads Message with a capital M and a __type without a namespace', () => {
    const error = errorFromResponse(400, JSON.stringify({ __type: 'ThrottlingException', Message: 'Rate exceeded' }), undefined);
    expect(error.name).toBe('ThrottlingException');
    expect(error.message).toBe('Rate exceeded');
    expect(error.$metadata).toEqual({ httpStatusCode: 400 });
    expect(translateBackendError(error, { operation: 'PutItem' })).toMatchObject({ code: 'backend.throttled', retryable: true });
  });

  it('keeps the old item of a failed condition, with binaries as bytes', () => {
    const body = { __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'The conditional request failed', Item: { id: { S: 'a' }, data: { B: 'AQI=' } } };
    const error = errorFromResponse(400, JSON.stringify(body), undefined);
    expect(isConditionFailed(error)).toBe(true);
    expect(error.Item).toEqual({ id: { S: 'a' }, data: { B: new Uint8Array([1, 2]) } });
  });

  it('turns an answer that is not DynamoDB JSON into an HttpStatus error: a 5xx is a retryable server fault', () => {
    const error = errorFromResponse(502, '<html>Bad Gateway</html>', undefined);
    expect(error.name).toBe('HttpStatus502');
    expect(error.$fault).toBe('server');
    expect(error.message).toBe('DynamoDB answered HTTP 502');
    expect(translateBackendError(error, { operation: 'GetItem' })).toMatchObject({ code: 'backend.unavailable', retryable: true });
    expect(errorFromResponse(403, '', undefined)).toMatchObject({ name: 'HttpStatus403', $fault: 'client' });
    expect(errorFromResponse(400, 'null', undefined).name).toBe('HttpStatus400');
  });
});
