import { SessionManagerError } from '../errors.js';

/** Renders a received value for an error message, short and without secrets. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return value.length > 60 ? `"${value.slice(0, 57)}..."` : JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (value instanceof RegExp) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** Throws `config.invalidOption` for `name`: "Option `name` must be <rule>; got <value>." */
export function invalidOption(name: string, rule: string, value: unknown, shown = true): SessionManagerError {
  const got = shown ? describeValue(value) : `a ${typeof value}`;
  return new SessionManagerError('config.invalidOption', `Option \`${name}\` must be ${rule}; got ${got}.`, {
    details: { option: name },
  });
}

/** Throws `config.conflictingOptions` naming both options. */
export function conflictingOptions(a: string, b: string, why: string): SessionManagerError {
  return new SessionManagerError('config.conflictingOptions', `Options \`${a}\` and \`${b}\` ${why}.`, {
    details: { options: [a, b] },
  });
}

export function readString(name: string, value: unknown, pattern?: RegExp, rule?: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || (pattern !== undefined && !pattern.test(value))) {
    throw invalidOption(name, rule ?? 'a non-empty string', value);
  }
  return value;
}

export function readBoolean(name: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw invalidOption(name, 'true or false', value);
  return value;
}

export interface NumberRule {
  integer?: boolean;
  min?: number;
  max?: number;
  /** The minimum is exclusive. */
  above?: number;
}

export function readNumber(name: string, value: unknown, rule: NumberRule): number | undefined {
  if (value === undefined) return undefined;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (rule.integer !== true || Number.isInteger(value)) &&
    (rule.min === undefined || value >= rule.min) &&
    (rule.above === undefined || value > rule.above) &&
    (rule.max === undefined || value <= rule.max);
  if (!ok) throw invalidOption(name, describeRule(rule), value);
  return value;
}

function describeRule(rule: NumberRule): string {
  const kind = rule.integer === true ? 'a whole number' : 'a number';
  const bounds: string[] = [];
  if (rule.min !== undefined) bounds.push(`≥ ${rule.min}`);
  if (rule.above !== undefined) bounds.push(`> ${rule.above}`);
  if (rule.max !== undefined) bounds.push(`≤ ${rule.max}`);
  return bounds.length === 0 ? kind : `${kind} ${bounds.join(' and ')}`;
}

export function readEnum<T extends string>(name: string, value: unknown, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalidOption(name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  }
  return value as T;
}

export function readFunction<T extends (...args: never[]) => unknown>(name: string, value: unknown): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw invalidOption(name, 'a function', value);
  return value as T;
}

/** Rejects keys not in `known`, suggesting the closest known key. */
export function rejectUnknownKeys(input: object, known: readonly string[], what: string): void {
  for (const key of Object.keys(input)) {
    if (known.includes(key)) continue;
    const suggestion = closest(key, known);
    const hint = suggestion === undefined ? '' : ` Did you mean \`${suggestion}\`?`;
    throw new SessionManagerError('config.unknownOption', `Unknown option \`${key}\` for ${what}.${hint}`, {
      details: { option: key, ...(suggestion === undefined ? {} : { suggestion }) },
    });
  }
}

function closest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(key.length / 2)) + 1;
  for (const candidate of known) {
    const distance = candidate.toLowerCase() === lower ? 0 : levenshtein(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) {
      row[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}
