import { describe, expect, it } from 'vitest';
import { isSessionManagerError } from '../errors.js';
import { provisionedCapacity, readUnitsPerRead, writeUnitsPerWrite, type ProvisionedCapacityInput } from './provisioning.js';

describe('provisionedCapacity: the original formula', () => {
  it.each([
    // [requestsPerSecond, sessionSizeKb, eventual, read, write, note]
    [10, 1, false, 10, 10, 'original defaults'],
    [10, 1, true, 5, 10, 'original defaults, eventual'],
    [20, 2, false, 20, 40, 'original rotator test'],
    [1, 1, true, 1, 1, 'halved 0.5 rounds up to 1, not down to 0'],
    [3, 1, true, 2, 3, 'halved 1.5 rounds up'],
    [10, 4, false, 10, 40, 'exactly 4 KB is one read unit'],
    [10, 4.1, false, 20, 50, 'just over 4 KB is two read units'],
    [10, 0.5, false, 10, 10, 'under 1 KB still costs one write unit'],
    [0.5, 1, false, 1, 1, 'never below 1'],
    [2.5, 2, false, 3, 5, 'fractional rps rounds up'],
    [100, 10, true, 150, 1000, '10 KB: 3 read units halved'],
  ])('rps %d, %d KB, eventual %s -> %d read / %d write (%s)', (requestsPerSecond, sessionSizeKb, eventualConsistency, read, write) => {
    expect(provisionedCapacity({ requestsPerSecond, sessionSizeKb, eventualConsistency })).toEqual({
      readCapacityUnits: read,
      writeCapacityUnits: write,
    });
  });

  it.each([
    [10, 1, false, 0, 10],
    [10, 1, false, 0.1, 11],
    [10, 1, false, 1, 20],
    [10, 1, true, 0.5, 8],
    [20, 2, false, 0.25, 25],
    [1, 1, true, 0.3, 1],
  ])(
    'rps %d, %d KB, eventual %s, previousTableReadFraction %d -> %d read units',
    (requestsPerSecond, sessionSizeKb, eventualConsistency, previousTableReadFraction, read) => {
      const result = provisionedCapacity({ requestsPerSecond, sessionSizeKb, eventualConsistency, previousTableReadFraction });
      expect(result.readCapacityUnits).toBe(read);
      expect(Number.isInteger(result.writeCapacityUnits)).toBe(true);
    },
  );

  it('does not let floating-point noise add a unit (10 × 1.1 is 11, not 12)', () => {
    expect(provisionedCapacity({ requestsPerSecond: 10, sessionSizeKb: 1, eventualConsistency: false, previousTableReadFraction: 0.1 }))
      .toEqual({ readCapacityUnits: 11, writeCapacityUnits: 10 });
  });
});

describe('provisionedCapacity: validation', () => {
  const base: ProvisionedCapacityInput = { requestsPerSecond: 10, sessionSizeKb: 1, eventualConsistency: false };

  it.each([
    ['requestsPerSecond', -5, 'Option `requestsPerSecond` must be a positive number; got -5.'],
    ['requestsPerSecond', 0, 'Option `requestsPerSecond` must be a positive number; got 0.'],
    ['requestsPerSecond', Number.NaN, 'Option `requestsPerSecond` must be a positive number; got NaN.'],
    ['requestsPerSecond', Number.POSITIVE_INFINITY, 'Option `requestsPerSecond` must be a positive number; got Infinity.'],
    ['requestsPerSecond', '10', 'Option `requestsPerSecond` must be a positive number; got "10".'],
    ['sessionSizeKb', 0, 'Option `sessionSizeKb` must be a positive number; got 0.'],
    ['sessionSizeKb', undefined, 'Option `sessionSizeKb` must be a positive number; got undefined.'],
    ['eventualConsistency', 'yes', 'Option `eventualConsistency` must be true or false; got "yes".'],
    ['previousTableReadFraction', 1.5, 'Option `previousTableReadFraction` must be a number from 0 to 1; got 1.5.'],
    ['previousTableReadFraction', -0.1, 'Option `previousTableReadFraction` must be a number from 0 to 1; got -0.1.'],
  ])('rejects %s = %s', (option, value, message) => {
    const input = { ...base, [option]: value } as unknown as ProvisionedCapacityInput;
    let caught: unknown;
    try {
      provisionedCapacity(input);
    } catch (error) {
      caught = error;
    }
    expect(isSessionManagerError(caught, 'config.invalidOption')).toBe(true);
    expect((caught as Error).message).toBe(message);
    expect((caught as { details: Record<string, unknown> }).details['option']).toBe(option);
  });

  it('rejects an unknown key, naming it', () => {
    const input = { ...base, requestPerSecond: 10 } as unknown as ProvisionedCapacityInput;
    expect(() => provisionedCapacity(input)).toThrow(/Unknown option `requestPerSecond`/);
    try {
      provisionedCapacity(input);
    } catch (error) {
      expect(isSessionManagerError(error, 'config.unknownOption')).toBe(true);
    }
  });

  it('does not change the caller’s object', () => {
    const input = Object.freeze({ ...base });
    expect(() => provisionedCapacity(input)).not.toThrow();
  });
});

describe('readUnitsPerRead and writeUnitsPerWrite: DynamoDB rounding', () => {
  it.each([
    [0, false, 1],
    [0, true, 0.5],
    [1, false, 1],
    [4096, false, 1],
    [4096, true, 0.5],
    [4097, false, 2],
    [4097, true, 1],
    [8192, true, 1],
    [9000, false, 3],
    [9000, true, 1.5],
  ])('readUnitsPerRead(%d, %s) = %d', (bytes, eventual, units) => {
    expect(readUnitsPerRead(bytes, eventual)).toBe(units);
  });

  it.each([
    [0, 1],
    [1, 1],
    [1024, 1],
    [1025, 2],
    [2048, 2],
    [2049, 3],
    [400 * 1024, 400],
  ])('writeUnitsPerWrite(%d) = %d', (bytes, units) => {
    expect(writeUnitsPerWrite(bytes)).toBe(units);
  });

  it.each([
    ['readUnitsPerRead', () => readUnitsPerRead(-1, false)],
    ['writeUnitsPerWrite', () => writeUnitsPerWrite(Number.NaN)],
  ])('%s rejects a bad size, naming `itemBytes`', (_name, call) => {
    expect(call).toThrow(/Option `itemBytes` must be a number ≥ 0; got (-1|NaN)\./);
  });
});
