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

/** Log fields, or a function that builds them only when the entry will be written. */
export type LogFields = Record<string, unknown> | (() => Record<string, unknown>);

/**
 * Calls a logger method without ever letting the logger throw into the caller. Fields given as a
 * function are built only when the level is on: not for the default silent logger, nor for a
 * pino logger whose `isLevelEnabled(level)` is false. So per-request debug entries (with their
 * hashed session ids) cost nothing unless someone reads them.
 */
export function safeLog(logger: Logger, level: keyof Logger, fields: LogFields, message: string): void {
  try {
    const method = logger[level];
    if (method === noop || (logger as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled?.(level) === false) return;
    method.call(logger, typeof fields === 'function' ? fields() : fields, message);
  } catch {
    // a broken logger must not break a request
  }
}
