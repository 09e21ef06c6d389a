import { createHash } from 'node:crypto';

/** A log method in pino's shape: an object of fields, then a message. */
export type LogMethod = (fields: Record<string, unknown>, message?: string) => void;

/**
 * A logger: any pino-compatible object (pino, a pino child, or an object with these four
 * methods). The store logs rotations and table changes at `info`, per-request detail at
 * `debug` and faults at `warn` / `error`. It never logs credentials or whole session ids.
 */
export interface Logger {
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
}

const noop: LogMethod = () => undefined;

/** A logger that drops everything: the default. */
export const silentLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });

/**
 * A short, stable, non-reversible tag for a session id, safe to log at any level:
 * the first 8 hex characters of its SHA-256 (`id#1f2e3d4c`).
 */
export function redactId(sessionId: string): string {
  return `id#${createHash('sha256').update(sessionId).digest('hex').slice(0, 8)}`;
}

/** Calls a logger method without ever letting the logger throw into the caller. */
export function safeLog(logger: Logger, level: keyof Logger, fields: Record<string, unknown>, message: string): void {
  try {
    logger[level](fields, message);
  } catch {
    // a broken logger must not break a request
  }
}
