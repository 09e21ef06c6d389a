import { InvalidArgumentError } from '@commander-js/extra-typings';

/**
 * Parsers for option values, in commander's `argParser` shape: a bad value throws
 * `InvalidArgumentError`, which commander reports as a usage error (exit 2).
 */

/** A finite number > 0: `100`, `2.5`. */
export function parsePositiveNumber(value: string): number {
  const n = toNumber(value);
  if (n === undefined || n <= 0) throw new InvalidArgumentError('Must be a number greater than 0.');
  return n;
}

/** A whole number > 0: `100`. */
export function parsePositiveInteger(value: string): number {
  const n = toNumber(value);
  if (n === undefined || n <= 0 || !Number.isInteger(n)) throw new InvalidArgumentError('Must be a whole number greater than 0.');
  return n;
}

/** A number from 0 to 1: `0.9`. */
export function parseFraction(value: string): number {
  const n = toNumber(value);
  if (n === undefined || n < 0 || n > 1) throw new InvalidArgumentError('Must be a number from 0 to 1.');
  return n;
}

/** A TCP port, 0 to 65535; 0 means any free port. */
export function parsePort(value: string): number {
  if (!/^\d{1,5}$/.test(value.trim()) || Number(value) > 65_535) throw new InvalidArgumentError('Must be a port number from 0 to 65535.');
  return Number(value);
}

function toNumber(value: string): number | undefined {
  const text = value.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * A user id as the application's `userIdOf` returns it: any non-blank text, taken exactly as
 * typed (no trimming: the index holds the id as it is).
 */
export function parseUserId(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('Must be a user id, as the application\'s userIdOf returns it; got an empty one.');
  return value;
}
