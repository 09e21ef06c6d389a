import { SessionManagerError } from '../errors.js';

/**
 * Input checks shared by the capacity functions. Each throws `config.invalidOption` with a
 * message that names the input, shows the value received and says what is allowed.
 *
 * @internal
 */

/** Renders a received value for an error message: `-5`, `NaN`, `"10"`, `undefined`. @internal */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) {
    return String(value);
  }
  return typeof value;
}

function invalid(name: string, value: unknown, allowed: string): SessionManagerError {
  return new SessionManagerError('config.invalidOption', `Option \`${name}\` must be ${allowed}; got ${showValue(value)}.`, {
    details: { option: name, value },
  });
}

/**
 * Returns `value` when it is a finite number greater than zero.
 *
 * @throws {SessionManagerError} `config.invalidOption` otherwise.
 * @internal
 */
export function requirePositive(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalid(name, value, 'a positive number');
  }
  return value;
}

/**
 * Returns `value` when it is a finite number ≥ 0.
 *
 * @throws {SessionManagerError} `config.invalidOption` otherwise.
 * @internal
 */
export function requireNonNegative(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalid(name, value, 'a number ≥ 0');
  }
  return value;
}

/**
 * Returns `value` when it is a number from 0 to 1 inclusive.
 *
 * @throws {SessionManagerError} `config.invalidOption` otherwise.
 * @internal
 */
export function requireFraction(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw invalid(name, value, 'a number from 0 to 1');
  }
  return value;
}

/**
 * Returns `value` when it is a boolean.
 *
 * @throws {SessionManagerError} `config.invalidOption` otherwise.
 * @internal
 */
export function requireBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalid(name, value, 'true or false');
  return value;
}

/**
 * Throws when `input` is not a plain object or has a key outside `allowed`, so that a typo
 * such as `requestPerSecond` fails loudly instead of being ignored.
 *
 * @throws {SessionManagerError} `config.invalidOption` when `input` is not an object,
 *   `config.unknownOption` for an unknown key.
 * @internal
 */
export function rejectUnknownKeys(what: string, input: unknown, allowed: readonly string[]): void {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new SessionManagerError('config.invalidOption', `The input of \`${what}\` must be an object; got ${showValue(input)}.`, {
      details: { function: what },
    });
  }
  for (const key of Object.keys(input)) {
    if (!allowed.includes(key)) {
      throw new SessionManagerError(
        'config.unknownOption',
        `Unknown option \`${key}\` for \`${what}\`; allowed: ${allowed.map((name) => `\`${name}\``).join(', ')}.`,
        { details: { option: key, function: what } },
      );
    }
  }
}

/**
 * Rounds up to a whole number, ignoring floating-point noise below one part in 10^12, so that
 * `10 × 1.1 = 11.000000000000002` gives 11, not 12.
 *
 * @internal
 */
export function ceilWhole(value: number): number {
  return Math.ceil(value - Math.abs(value) * 1e-12);
}
