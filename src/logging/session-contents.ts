/** The text that replaces a masked value. */
export const MASK = '[masked]';

/** True when `key` looks secret: it contains one of `patterns`, case-insensitively. */
export function isSecretKey(key: string, patterns: readonly string[]): boolean {
  const lower = key.toLowerCase();
  return patterns.some((pattern) => lower.includes(pattern));
}

/**
 * A copy of a session fit for logs and the inspector: values under keys that look secret
 * (password, secret, token, key, auth, card, ... and the configured extras) are masked, at any
 * depth. Long strings are cut at 200 characters.
 */
export function maskSession(value: unknown, patterns: readonly string[], depth = 0): unknown {
  if (depth > 20) return '[too deep]';
  if (typeof value === 'string') return value.length > 200 ? `${value.slice(0, 200)}…` : value;
  if (Array.isArray(value)) return value.map((item) => maskSession(item, patterns, depth + 1));
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date) return value.toISOString();
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = isSecretKey(key, patterns) ? MASK : maskSession(item, patterns, depth + 1);
  }
  return out;
}
