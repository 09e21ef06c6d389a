import { randomBytes } from 'node:crypto';
import { DeleteTableCommand, DescribeTableCommand, DynamoDBClient, ListTablesCommand, waitUntilTableNotExists } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';

/** Table settings for tests that create tables themselves: on-demand billing. */
export const ON_DEMAND = { billingMode: 'PAY_PER_REQUEST' } as const;

/** The endpoint of the run's shared dynalite server. */
export function testEndpoint(): string {
  return inject('dynamoEndpoint');
}

/** A DynamoDB client for tests: fake credentials, fixed region, one attempt, short timeouts. */
export function createTestClient(endpoint: string = testEndpoint()): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    requestHandler: { requestTimeout: 5000, connectionTimeout: 2000, throwOnRequestTimeout: true },
  });
}

/** A table base name unique to one test: files and tests never share tables. */
export function uniqueBaseName(label: string): string {
  return `t-${label}-${randomBytes(4).toString('hex')}`;
}

/** Names of every table starting with `prefix`. */
export async function listTablesWithPrefix(client: DynamoDBClient, prefix: string): Promise<string[]> {
  const names: string[] = [];
  let start: string | undefined;
  do {
    const page = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start, Limit: 100 }));
    names.push(...(page.TableNames ?? []).filter((name) => name.startsWith(prefix)));
    start = page.LastEvaluatedTableName;
  } while (start !== undefined);
  return names.sort();
}

/** Deletes every table starting with `prefix`, ignoring those already going. */
export async function dropTablesWithPrefix(client: DynamoDBClient, prefix: string): Promise<void> {
  for (const name of await listTablesWithPrefix(client, prefix)) {
    await client.send(new DeleteTableCommand({ TableName: name })).catch(() => undefined);
  }
}

/**
 * Resolves once DynamoDB no longer knows the table `name`. DeleteTable answers while the table is
 * still DELETING (for 150 ms on the test server), so a test that needs the table gone awaits this.
 * Throws when it is still there after 10 s.
 */
export async function waitUntilTableGone(client: DynamoDBClient, name: string): Promise<void> {
  await waitUntilTableNotExists({ client, maxWaitTime: 10, minDelay: 0.02, maxDelay: 0.1 }, { TableName: name });
}

/** Tables starting with `prefix` that are not being deleted. */
export async function liveTablesWithPrefix(client: DynamoDBClient, prefix: string): Promise<string[]> {
  const live: string[] = [];
  for (const name of await listTablesWithPrefix(client, prefix)) {
    const status = await client
      .send(new DescribeTableCommand({ TableName: name }))
      .then((out) => out.Table?.TableStatus)
      .catch(() => 'GONE');
    if (status !== 'DELETING' && status !== 'GONE') live.push(name);
  }
  return live;
}
