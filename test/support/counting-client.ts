import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTestClient } from './dynamo.js';

/** A real client that counts the commands it sends, by name (GetItem, PutItem, ...). */
export interface CountingClient {
  readonly client: DynamoDBClient;
  counts(): Record<string, number>;
  reset(): void;
  /** Commands whose name is a data-plane write. */
  writes(): number;
}

export function createCountingClient(endpoint?: string): CountingClient {
  const client = createTestClient(endpoint);
  let counts: Record<string, number> = {};
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      counts[name] = (counts[name] ?? 0) + 1;
      return await next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  return {
    client,
    counts: () => ({ ...counts }),
    reset: () => {
      counts = {};
    },
    writes: () => ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'].reduce((sum, op) => sum + (counts[op] ?? 0), 0),
  };
}
