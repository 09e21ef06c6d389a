import { randomBytes, timingSafeEqual } from 'node:crypto';

/** A new random token for the shop's forms. */
export function createCsrfToken(): string {
  return randomBytes(18).toString('base64url');
}

/** Whether the token a form sent matches the session's, compared in constant time. */
export function isValidCsrfToken(expected: string | undefined, received: unknown): boolean {
  if (expected === undefined || typeof received !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(received);
  return a.length === b.length && timingSafeEqual(a, b);
}
