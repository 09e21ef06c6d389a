import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { testEndpoint } from './dynamo.js';
import { createGate, type Gate } from './gate.js';

/** What a held request is matched on: its DynamoDB operation and its JSON body. */
export type RequestMatcher = (operation: string, body: Record<string, unknown>) => boolean;

/**
 * A real client whose requests the test can hold at a gate, one at a time: `hold(match)` returns a
 * gate that the next matching request waits at (`entered` resolves when it gets there), until the
 * test calls `release()`. It holds the request before it is sent, in the client's request handler,
 * so it works for the store's direct transport and the SDK's alike.
 */
export interface GatedClient {
  readonly client: DynamoDBClient;
  hold(match: RequestMatcher): Gate;
}

class GatedHandler extends NodeHttpHandler {
  readonly holds: { match: RequestMatcher; gate: Gate }[] = [];

  override async handle(...args: Parameters<NodeHttpHandler['handle']>): ReturnType<NodeHttpHandler['handle']> {
    const [request] = args;
    const target = request.headers['x-amz-target'] ?? request.headers['X-Amz-Target'] ?? '';
    const operation = target.slice(target.lastIndexOf('.') + 1);
    const body = typeof request.body === 'string' ? (JSON.parse(request.body) as Record<string, unknown>) : {};
    const index = this.holds.findIndex((hold) => hold.match(operation, body));
    if (index !== -1) {
      const [hold] = this.holds.splice(index, 1);
      await hold?.gate.pass();
    }
    return await super.handle(...args);
  }
}

export function createGatedClient(endpoint: string = testEndpoint()): GatedClient {
  const handler = new GatedHandler({ requestTimeout: 10_000, connectionTimeout: 2000, throwOnRequestTimeout: true });
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    requestHandler: handler,
  });
  return {
    client,
    hold: (match) => {
      const gate = createGate();
      handler.holds.push({ match, gate });
      return gate;
    },
  };
}
