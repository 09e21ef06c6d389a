/**
 * Every error code this package raises, `area.camelCase`. A released code keeps its meaning;
 * codes are retired, never reused. `docs/errors.md` has one heading per code.
 */
export const ERROR_CODES = [
  'config.invalidOption',
  'config.unknownOption',
  'config.conflictingOptions',
  'config.userIndexOff',
  'codec.itemTooLarge',
  'codec.corruptItem',
  'codec.unserializable',
  'codec.invalidId',
  'encryption.undecryptable',
  'encryption.failed',
  'backend.tableMissing',
  'backend.throttled',
  'backend.unavailable',
  'backend.timeout',
  'backend.failed',
  'backend.userIndexMissing',
  'rotation.tableNotReady',
  'store.conflict',
  'store.closed',
  'user.invalidId',
  'user.notSignedIn',
  'local.startFailed',
  'cli.usage',
  'cli.failed',
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

const BRAND = Symbol.for('dynamo-session-manager.error');

/** Options of {@link SessionManagerError}. */
export interface SessionManagerErrorOptions {
  /** The underlying error, such as the AWS SDK's exception. */
  cause?: unknown;
  /** Machine-readable context: table name, option name, request id. Never secrets. */
  details?: Record<string, unknown>;
  /** Whether trying again later may succeed. @default false */
  retryable?: boolean;
}

/**
 * The one error class of dynamo-session-manager. `code` says what happened, `details` gives
 * context, `cause` keeps the original error. Messages never carry whole session ids, session
 * data or credentials.
 */
export class SessionManagerError extends Error {
  /** A stable code such as `backend.throttled`. */
  readonly code: ErrorCode;
  /** Context for this code: option, table, request id. */
  readonly details: Record<string, unknown>;
  /** True when the same call may succeed later (throttling, an unreachable backend). */
  readonly retryable: boolean;
  readonly [BRAND] = true;

  constructor(code: ErrorCode, message: string, options: SessionManagerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SessionManagerError';
    this.code = code;
    this.details = options.details ?? {};
    this.retryable = options.retryable ?? false;
  }
}

/**
 * Tells whether `error` is a {@link SessionManagerError}, optionally of a code or code prefix
 * (`'backend.'`). Works across copies of the package (ESM and CJS both loaded).
 *
 * @example
 * ```ts
 * if (isSessionManagerError(err, 'backend.')) retryLater();
 * ```
 */
export function isSessionManagerError(error: unknown, codeOrPrefix?: string): error is SessionManagerError {
  if (typeof error !== 'object' || error === null) return false;
  const branded = error instanceof SessionManagerError || (error as Record<symbol, unknown>)[BRAND] === true;
  if (!branded) return false;
  if (codeOrPrefix === undefined) return true;
  const code = (error as SessionManagerError).code;
  return codeOrPrefix.endsWith('.') ? code.startsWith(codeOrPrefix) : code === codeOrPrefix;
}
