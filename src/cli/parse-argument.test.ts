import { InvalidArgumentError } from '@commander-js/extra-typings';
import { describe, expect, it } from 'vitest';
import { parseFraction, parsePort, parsePositiveNumber } from './parse-argument.js';

describe('option parsers', () => {
  it.each([
    ['100', 100],
    ['2.5', 2.5],
    ['.5', 0.5],
    ['1e3', 1000],
  ])('parsePositiveNumber(%s) = %d', (text, n) => {
    expect(parsePositiveNumber(text)).toBe(n);
  });

  it.each(['0', '-5', 'abc', '', '10x', 'Infinity', 'NaN'])('parsePositiveNumber rejects %j', (text) => {
    expect(() => parsePositiveNumber(text)).toThrow(InvalidArgumentError);
  });

  it('parseFraction takes 0 to 1', () => {
    expect([parseFraction('0'), parseFraction('0.9'), parseFraction('1')]).toEqual([0, 0.9, 1]);
    for (const bad of ['1.1', '-0.1', 'most']) expect(() => parseFraction(bad)).toThrow(InvalidArgumentError);
  });

  it('parsePort takes 0 to 65535', () => {
    expect([parsePort('0'), parsePort('8000'), parsePort('65535')]).toEqual([0, 8000, 65535]);
    for (const bad of ['65536', '-1', '80.5', 'http']) expect(() => parsePort(bad)).toThrow(InvalidArgumentError);
  });
});
