import { describe, expect, it } from 'vitest';
import { ceilWhole, showValue } from './validate.js';

describe('ceilWhole', () => {
  it.each([
    [0, 0],
    [1, 1],
    [1.0000001, 2],
    [10 * 1.1, 11],
    [0.1 + 0.2, 1],
    [2.5, 3],
    [1e9 + 0.5, 1e9 + 1],
  ])('ceilWhole(%d) = %d', (value, expected) => expect(ceilWhole(value)).toBe(expected));
});

describe('showValue', () => {
  it.each([
    [-5, '-5'],
    [Number.NaN, 'NaN'],
    ['10', '"10"'],
    [true, 'true'],
    [undefined, 'undefined'],
    [null, 'null'],
    [{ a: 1 }, 'object'],
  ])('showValue(%s) = %s', (value, shown) => expect(showValue(value)).toBe(shown));
});
