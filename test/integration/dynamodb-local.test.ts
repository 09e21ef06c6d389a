import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueBaseName, ON_DEMAND } from '../support/dynamo.js';
import { startDynamoDbLocalWithClient, type DynamoDbLocal } from '../support/dynamodb-local.js';
import { buildCreateTableInput } from '../../src/dynamo/params.js';


describe('startDynamoDbLocal', () => {
  const table = uniqueBaseName('ddb-local');
  let local: DynamoDbLocal | undefined;
  let client: DynamoDBClient;

  beforeAll(async () => {
    ({ local, client } = await startDynamoDbLocalWithClient());
    await client.send(
      new CreateTableCommand(buildCreateTableInput(table, ON_DEMAND)),
    );
  }, 60_000);

  afterAll(async () => {
    client?.destroy();
    await local?.stop();
    await local?.stop();
  }, 15_000);

  it('answers on 127.0.0.1 and creates tables ACTIVE at once', async () => {
    expect(local?.endpoint).toBe(`http://127.0.0.1:${String(local?.port)}`);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    expect(Table?.TableStatus).toBe('ACTIVE');
  });

  it('enables native TTL on expiresAt', async () => {
    const updated = await client.send(
      new UpdateTimeToLiveCommand({
        TableName: table,
        TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' },
      }),
    );
    expect(updated.TimeToLiveSpecification).toEqual({ Enabled: true, AttributeName: 'expiresAt' });

    const described = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
    expect(described.TimeToLiveDescription).toMatchObject({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: 'expiresAt',
    });
  });

  it('honours a PutItem ConditionExpression', async () => {
    const put = (note: string) =>
      client.send(
        new PutItemCommand({
          TableName: table,
          Item: { id: { S: 'cond' }, note: { S: note } },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
    await put('first');
    await expect(put('second')).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });

    const { Item } = await client.send(new GetItemCommand({ TableName: table, Key: { id: { S: 'cond' } } }));
    expect(Item?.note).toEqual({ S: 'first' });
  });
});
