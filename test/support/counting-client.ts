import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { testEndpoint } from './dynamo.js';

/**
 * A real client that counts the DynamoDB operations it sends (GetItem, PutItem, ...), by name.
 *
 * Counting is done in the client's request handler, on the `x-amz-target` header of each HTTP
 * request, so it sees what goes over the wire whichever way the store sends it: through the
 * SDK's middleware stack or by its direct transport. (A middleware would make the store pick its
 * SDK transport, and would not see the direct one.)
 */
export interface CountingClient {
  readonly client: DynamoDBClient;
  counts(): Record<string, number>;
  reset(): void;
  /** Commands whose name is a data-plane write. */
  writes(): number;
}

/** A Node request handler that counts requests by DynamoDB operation before sending them. */
class CountingHandler extends NodeHttpHandler {
  counts: Record<string, number> = {};

  override handle(...args: Parameters<NodeHttpHandler['handle']>): ReturnType<NodeHttpHandler['handle']> {
    const target = args[0].headers['x-amz-target'] ?? args[0].headers['X-Amz-Target'] ?? 'unknown';
    const name = target.slice(target.lastIndexOf('.') + 1);
    this.counts[name] = (this.counts[name] ?? 0) + 1;
    return super.handle(...args);
  }
}

export function createCountingClient(endpoint: string = testEndpoint()): CountingClient {
  const handler = new CountingHandler({ requestTimeout: 5000, connectionTimeout: 2000, throwOnRequestTimeout: true });
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    requestHandler: handler,
  });
  return {
    client,
    counts: () => ({ ...handler.counts }),
    reset: () => {
      handler.counts = {};
    },
    writes: () => ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'].reduce((sum, op) => sum + (handler.counts[op] ?? 0), 0),
  };
}

/** DynamoDB's control-plane operations: the calls a serverless store or a non-maintainer never makes. */
export const CONTROL_PLANE = ['CreateTable', 'DescribeTable', 'DeleteTable', 'ListTables', 'UpdateTable', 'DescribeTimeToLive', 'UpdateTimeToLive'] as const;

/** How many control-plane calls the client has counted. */
export function controlCalls(client: CountingClient): number {
  return CONTROL_PLANE.reduce((sum, op) => sum + (client.counts()[op] ?? 0), 0);
}
