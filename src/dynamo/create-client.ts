import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ConnectionOptions } from '../config/resolve-options.js';

/** A client and whether the store owns it (and so destroys it on close). */
export interface ClientHandle {
  readonly client: DynamoDBClient;
  readonly owned: boolean;
}

const LOOPBACK = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/;

/**
 * Builds the DynamoDB client from the store's connection settings, or hands back the caller's
 * client untouched. The only place that builds clients.
 *
 * Built clients make one attempt per call (the store retries with its own backoff) and throw
 * on request timeouts. A loopback endpoint without credentials gets fixed local ones, since
 * local servers check no signature and the default chain would probe for real credentials.
 */
export function createClient(connection: ConnectionOptions, requestTimeoutMs: number): ClientHandle {
  if (connection.kind === 'client') return { client: connection.client, owned: false };
  const local = connection.endpoint !== undefined && LOOPBACK.test(connection.endpoint);
  const region = connection.region ?? (connection.endpoint !== undefined ? 'us-east-1' : undefined);
  const credentials = connection.credentials ?? (local ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined);
  const client = new DynamoDBClient({
    ...(connection.endpoint === undefined ? {} : { endpoint: connection.endpoint }),
    ...(region === undefined ? {} : { region }),
    ...(credentials === undefined ? {} : { credentials: { ...credentials } }),
    maxAttempts: 1,
    requestHandler: {
      requestTimeout: requestTimeoutMs,
      connectionTimeout: Math.min(requestTimeoutMs, 1000),
      throwOnRequestTimeout: true,
    },
  });
  return { client, owned: true };
}
