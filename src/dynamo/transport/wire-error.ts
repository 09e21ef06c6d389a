import { attributeMapFromWire } from './attribute-wire.js';

/**
 * An error answered by DynamoDB over the wire, in the shape of the AWS SDK v3's service
 * exceptions (name, message, `$fault`, `$metadata`), so one translator serves both transports.
 */
export interface WireServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { readonly httpStatusCode: number; readonly requestId?: string | undefined };
  /** The old item, on a failed condition with `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`. */
  readonly Item?: Record<string, unknown> | undefined;
}

/**
 * Builds the error of a non-2xx answer: the exception name is the part of `__type` after `#`
 * (`com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException`), the message is
 * `message` or `Message`. An answer that is not DynamoDB's JSON (a proxy's HTML page) gets the
 * name `HttpStatus<code>`; 5xx answers are server faults, so they are retried.
 */
export function errorFromResponse(statusCode: number, bodyText: string, requestId: string | undefined): WireServiceError {
  let body: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  const type = typeof body?.__type === 'string' ? body.__type : undefined;
  const name = type === undefined ? `HttpStatus${statusCode}` : type.slice(type.lastIndexOf('#') + 1);
  const rawMessage = body?.message ?? body?.Message;
  const message = typeof rawMessage === 'string' ? rawMessage : `DynamoDB answered HTTP ${statusCode}`;
  const error = new Error(message) as Error & Record<string, unknown>;
  error.name = name;
  error.$fault = statusCode >= 500 ? 'server' : 'client';
  error.$metadata = { httpStatusCode: statusCode, ...(requestId === undefined ? {} : { requestId }) };
  const item = attributeMapFromWire(body?.Item);
  if (item !== undefined) error.Item = item;
  return error as unknown as WireServiceError;
}

/** Errors that can only mean a signing clock off from the server's: retried once the clock is re-synchronised. */
export const RETRYABLE_CLOCK_SKEW_ERRORS: ReadonlySet<string> = new Set(['RequestTimeTooSkewed', 'RequestExpired', 'RequestInTheFuture']);

/**
 * Errors after which the direct transport re-synchronises its signing clock with the server's
 * `Date`: the retryable ones, and signature errors, which a skewed clock can cause too but a
 * wrong secret key also does, so they are not retried.
 */
export const CLOCK_SKEW_ERRORS: ReadonlySet<string> = new Set([...RETRYABLE_CLOCK_SKEW_ERRORS, 'InvalidSignatureException', 'SignatureDoesNotMatch']);
