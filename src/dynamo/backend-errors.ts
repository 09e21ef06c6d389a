import { USER_INDEX_NAME } from '../codec/item-format.js';
import { SessionManagerError } from '../errors.js';
import { RETRYABLE_CLOCK_SKEW_ERRORS } from './transport/wire-error.js';

/** The shape of an AWS SDK v3 error, as far as we read it. */
interface SdkErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number };
}

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'LimitExceededException',
]);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);

/** Where a backend call was going, for the message and details of a translated error. */
export interface CallSite {
  readonly operation: string;
  readonly table?: string | undefined;
}

/** True when DynamoDB refused a write because its condition did not hold (an expected race, not a fault). */
export function isConditionFailed(error: unknown): boolean {
  return (error as SdkErrorLike | undefined)?.name === 'ConditionalCheckFailedException';
}

/** True when the endpoint does not implement the operation (dynalite and TTL, for example). */
export function isUnsupportedOperation(error: unknown): boolean {
  const details = (error as SessionManagerError | undefined)?.details;
  return (error as SessionManagerError | undefined)?.code === 'backend.failed' && /Unknown/i.test(String(details?.awsError));
}

/** True for `ResourceInUseException` (a table already exists, or is being created or deleted). */
export function isResourceInUse(error: unknown): boolean {
  const name = (error as SdkErrorLike | undefined)?.name;
  return name === 'ResourceInUseException' || (error as SessionManagerError | undefined)?.details?.awsError === 'ResourceInUseException';
}

/**
 * Translates an AWS SDK error into a {@link SessionManagerError}, in one place. The SDK error is
 * kept as `cause`, its name and request id go into `details`.
 *
 * - `ResourceNotFoundException` → `backend.tableMissing`, naming the table and how to create it;
 * - throttling → `backend.throttled` (retryable);
 * - refused or reset connections, 5xx answers → `backend.unavailable` (retryable);
 * - a deadline or timeout → `backend.timeout` (retryable);
 * - an item over 400 KB → `codec.itemTooLarge`;
 * - anything else → `backend.failed`.
 */
export function translateBackendError(error: unknown, site: CallSite): SessionManagerError {
  if (error instanceof SessionManagerError) return error;
  const e = (error ?? {}) as SdkErrorLike;
  const name = e.name ?? 'Error';
  const details: Record<string, unknown> = {
    operation: site.operation,
    awsError: name,
    ...(site.table === undefined ? {} : { table: site.table }),
    ...(e.$metadata?.requestId === undefined ? {} : { requestId: e.$metadata.requestId }),
    ...(e.code === undefined ? {} : { errorCode: e.code }),
  };
  const where = site.table === undefined ? site.operation : `${site.operation} on table ${site.table}`;
  if (name === 'ResourceNotFoundException') {
    return new SessionManagerError(
      'backend.tableMissing',
      `Table ${site.table ?? '(unknown)'} does not exist (${site.operation}). Create it with \`dsm maintain\`, or let the store create tables (createTables: true).`,
      { cause: error, details },
    );
  }
  if (THROTTLING.has(name)) {
    return new SessionManagerError('backend.throttled', `DynamoDB throttled ${where} (${name}); raise the table's capacity or use on-demand billing.`, {
      cause: error,
      details,
      retryable: true,
    });
  }
  if (name === 'AbortError' || (name === 'TimeoutError' && e.code !== 'ECONNRESET') || e.code === 'ETIMEDOUT') {
    return new SessionManagerError('backend.timeout', `DynamoDB did not answer ${where} in time.`, { cause: error, details, retryable: true });
  }
  if ((e.code !== undefined && NETWORK_CODES.has(e.code)) || e.$fault === 'server' || (e.$metadata?.httpStatusCode ?? 0) >= 500) {
    return new SessionManagerError('backend.unavailable', `DynamoDB is unavailable for ${where}: ${e.code ?? name}.`, {
      cause: error,
      details,
      retryable: true,
    });
  }
  if (RETRYABLE_CLOCK_SKEW_ERRORS.has(name)) {
    return new SessionManagerError('backend.failed', `DynamoDB refused ${where}: the signing clock is off from the server's (${name}).`, {
      cause: error,
      details,
      retryable: true,
    });
  }
  if (name === 'ValidationException' && site.operation === 'Query' && /specified index|backfilling|index .*not .*(exist|found)/i.test(e.message ?? '')) {
    return userIndexMissing(site.table ?? '(unknown)', /backfilling/i.test(e.message ?? '') ? 'CREATING' : 'MISSING', { cause: error, details });
  }
  if (name === 'ValidationException' && /item size/i.test(e.message ?? '')) {
    return new SessionManagerError('codec.itemTooLarge', `DynamoDB refused ${where}: the item is over its 400 KB limit.`, { cause: error, details });
  }
  return new SessionManagerError('backend.failed', `DynamoDB failed ${where}: ${name}${e.message === undefined ? '' : `: ${e.message}`}`, {
    cause: error,
    details,
  });
}

/**
 * `backend.userIndexMissing` for `table`: its user index (`uid-index`) is not there, or (`CREATING`)
 * is still being built from the table's items and cannot be read yet.
 */
export function userIndexMissing(
  table: string,
  status: 'MISSING' | 'CREATING',
  options: { cause?: unknown; details?: Record<string, unknown> } = {},
): SessionManagerError {
  const message =
    status === 'CREATING'
      ? `Table ${table} has a user index (${USER_INDEX_NAME}) that DynamoDB is still building; wait until it is ACTIVE (\`dsm add-user-index\` shows it), then try again.`
      : `Table ${table} has no user index (${USER_INDEX_NAME}), which the userIdOf / userIndex options need. Add it with \`dsm add-user-index\`.`;
  return new SessionManagerError('backend.userIndexMissing', message, {
    ...(options.cause === undefined ? {} : { cause: options.cause }),
    details: { ...options.details, table, index: USER_INDEX_NAME, status },
    retryable: status === 'CREATING',
  });
}

/**
 * The `error.type` of a failed DynamoDB call, for OpenTelemetry: the error DynamoDB answered
 * with (`ConditionalCheckFailedException`, `ProvisionedThroughputExceededException`...), as the
 * semantic conventions ask; for a call that got no answer (a timeout, a refused connection), the
 * package's error code (`backend.timeout`, `backend.unavailable`). Both sets are small and fixed.
 *
 * @param raw - what the transport threw.
 * @param translated - its translation by {@link translateBackendError}, when there is one.
 * @returns the error type.
 */
export function errorTypeOf(raw: unknown, translated: SessionManagerError | undefined): string {
  const e = (raw ?? {}) as SdkErrorLike;
  const answered = e.$metadata !== undefined || e.$fault !== undefined;
  if (answered && typeof e.name === 'string' && e.name !== '' && e.name !== 'Error') return e.name;
  return translated?.code ?? (typeof e.name === 'string' && e.name !== '' ? e.name : '_OTHER');
}
