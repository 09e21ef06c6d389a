import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestClient, dropTablesWithPrefix, testEndpoint, uniqueBaseName, ON_DEMAND } from '../support/dynamo.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { buildCreateTableInput } from '../../src/dynamo/params.js';
import { timed } from '../support/timing.js';


const prefix = uniqueBaseName('fault-proxy');
const table = `${prefix}-main`;
const key = { id: { S: 'k1' } };

/** Result of a promise as a value: the error if it rejects, `undefined` if it resolves. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

async function createActiveTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(
    new CreateTableCommand(buildCreateTableInput(name, ON_DEMAND)),
  );
  await vi.waitFor(
    async () => {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
      expect(Table?.TableStatus).toBe('ACTIVE');
    },
    { timeout: 5000, interval: 25 },
  );
}

describe('startFaultProxy', () => {
  const direct = createTestClient();
  let proxy: FaultProxy;
  const clients: DynamoDBClient[] = [];

  /** A client through the proxy: one attempt, and a request timeout that throws. */
  function viaProxy(requestTimeout = 5000): DynamoDBClient {
    const client = new DynamoDBClient({
      endpoint: proxy.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
      requestHandler: { requestTimeout, connectionTimeout: 2000, throwOnRequestTimeout: true },
    });
    clients.push(client);
    return client;
  }

  const getItem = (client: DynamoDBClient) => client.send(new GetItemCommand({ TableName: table, Key: key }));
  const putItem = (client: DynamoDBClient) =>
    client.send(new PutItemCommand({ TableName: table, Item: { ...key, note: { S: 'hello' } } }));

  beforeAll(async () => {
    await createActiveTable(direct, table);
    await putItem(direct);
  });

  afterAll(async () => {
    await dropTablesWithPrefix(direct, prefix);
    direct.destroy();
  });

  beforeEach(async () => {
    proxy = await startFaultProxy(testEndpoint());
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await proxy.close();
  });

  it('listens on a free port of 127.0.0.1', () => {
    expect(proxy.endpoint).toBe(`http://127.0.0.1:${proxy.port}`);
    expect(proxy.port).toBeGreaterThan(0);
  });

  it('forwards CreateTable, PutItem and GetItem and counts them per operation', async () => {
    const client = viaProxy();
    const name = `${prefix}-through`;
    await createActiveTable(client, name);
    await client.send(new PutItemCommand({ TableName: name, Item: { id: { S: 'a' }, n: { N: '42' } } }));
    const { Item } = await client.send(new GetItemCommand({ TableName: name, Key: { id: { S: 'a' } } }));

    expect(Item).toEqual({ id: { S: 'a' }, n: { N: '42' } });
    expect(proxy.calls()).toMatchObject({ CreateTable: 1, PutItem: 1, GetItem: 1 });
    expect(proxy.calls().DescribeTable).toBeGreaterThanOrEqual(1);
    expect(proxy.faultedCalls()).toEqual({});
  });

  it('passes DynamoDB errors from the target through unchanged', async () => {
    const error = await failure(
      viaProxy().send(new GetItemCommand({ TableName: `${prefix}-missing`, Key: key })),
    );
    expect(error).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } });
  });

  it('throttle answers 400 ProvisionedThroughputExceededException', async () => {
    proxy.setFault({ kind: 'throttle' });
    const error = await failure(getItem(viaProxy()));
    expect(error).toMatchObject({
      name: 'ProvisionedThroughputExceededException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, attempts: 1 },
    });
    expect((error as Error).message).toMatch(/^The level of configured provisioned throughput for the table was exceeded/);
    expect(proxy.faultedCalls()).toEqual({ GetItem: 1 });
  });

  it('error500 answers 500 InternalServerError, a server fault', async () => {
    proxy.setFault({ kind: 'error500' });
    const error = await failure(getItem(viaProxy()));
    expect(error).toMatchObject({
      name: 'InternalServerError',
      $fault: 'server',
      $metadata: { httpStatusCode: 500 },
    });
  });

  it('refuse resets the connection: ECONNRESET', async () => {
    const client = viaProxy();
    await getItem(client); // a kept-alive connection first: the reset must hit a live socket too
    proxy.setFault({ kind: 'refuse' });
    const error = await failure(getItem(client));
    expect(error).toMatchObject({ code: 'ECONNRESET' });
    expect(proxy.faultedCalls()).toEqual({ GetItem: 1 });
  });

  it('stopListening gives ECONNREFUSED on the same port until resumeListening', async () => {
    const client = viaProxy();
    await getItem(client);
    await proxy.stopListening();
    await proxy.stopListening();
    const error = await failure(getItem(client));
    expect(error).toMatchObject({ code: 'ECONNREFUSED' });
    expect((error as Error).message).toContain(`127.0.0.1:${proxy.port}`);

    await proxy.resumeListening();
    const { Item } = await getItem(client);
    expect(Item?.note).toEqual({ S: 'hello' });
    expect(proxy.calls()).toEqual({ GetItem: 2 });
  });

  it('hang never answers: the client times out after its 300 ms requestTimeout', async () => {
    proxy.setFault({ kind: 'hang' });
    const { ms, value: error } = await timed(failure(getItem(viaProxy(300))));
    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect((error as Error).message).toContain('300 ms requestTimeout');
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(2000);
    expect(proxy.calls()).toEqual({ GetItem: 1 });
  });

  it('clearFault restores pass-through but leaves hung requests hanging', async () => {
    proxy.setFault({ kind: 'hang' });
    const hung = failure(getItem(viaProxy(600)));
    await vi.waitFor(() => expect(proxy.calls().GetItem).toBe(1));
    proxy.clearFault();

    const { Item } = await getItem(viaProxy());
    expect(Item?.note).toEqual({ S: 'hello' });
    expect(await hung).toMatchObject({ name: 'TimeoutError' });
  });

  it('delay forwards the request after the given time', async () => {
    const client = viaProxy();
    await getItem(client);
    const baseline = await timed(getItem(client));
    proxy.setFault({ kind: 'delay', ms: 200 });
    const delayed = await timed(getItem(client));

    expect(delayed.value.Item?.note).toEqual({ S: 'hello' });
    expect(delayed.ms).toBeGreaterThanOrEqual(195);
    expect(delayed.ms - baseline.ms).toBeGreaterThanOrEqual(150);
    expect(proxy.faultedCalls()).toEqual({ GetItem: 1 });
  });

  it('operations limits the fault to the named operations', async () => {
    const client = viaProxy();
    proxy.setFault({ kind: 'throttle' }, { operations: ['GetItem'] });
    await putItem(client);
    const error = await failure(getItem(client));

    expect(error).toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    expect(proxy.calls()).toEqual({ PutItem: 1, GetItem: 1 });
    expect(proxy.faultedCalls()).toEqual({ GetItem: 1 });
  });

  it('times faults only the next N matching requests, then passes', async () => {
    const client = viaProxy();
    proxy.setFault({ kind: 'error500' }, { operations: ['GetItem'], times: 2 });
    await putItem(client); // does not match, so it does not use up one of the two
    const outcomes = [];
    for (let i = 0; i < 3; i += 1) outcomes.push(await failure(getItem(client)));

    expect(outcomes[0]).toMatchObject({ name: 'InternalServerError' });
    expect(outcomes[1]).toMatchObject({ name: 'InternalServerError' });
    expect(outcomes[2]).toBeUndefined();
    expect(proxy.calls()).toEqual({ PutItem: 1, GetItem: 3 });
    expect(proxy.faultedCalls()).toEqual({ GetItem: 2 });
  });

  it('drop applies a PutItem, then resets the connection: the item is stored, the client gets ECONNRESET', async () => {
    const client = viaProxy();
    const dropped = { id: { S: 'dropped-put' } };
    proxy.setFault({ kind: 'drop' }, { operations: ['PutItem'] });
    const error = await failure(client.send(new PutItemCommand({ TableName: table, Item: { ...dropped, note: { S: 'applied' } } })));

    expect(error).toMatchObject({ code: 'ECONNRESET' });
    const { Item } = await direct.send(new GetItemCommand({ TableName: table, Key: dropped, ConsistentRead: true }));
    expect(Item).toEqual({ ...dropped, note: { S: 'applied' } });
    expect(proxy.calls()).toEqual({ PutItem: 1 });
    expect(proxy.faultedCalls()).toEqual({ PutItem: 1 });
  });

  it('drop applies a conditional write exactly once: a retry of it then fails its condition', async () => {
    const client = viaProxy();
    const counter = { id: { S: 'dropped-update' } };
    await direct.send(new PutItemCommand({ TableName: table, Item: { ...counter, v: { N: '1' } } }));
    const bump = () =>
      client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: counter,
          UpdateExpression: 'SET v = :next',
          ConditionExpression: 'v = :expected',
          ExpressionAttributeValues: { ':expected': { N: '1' }, ':next': { N: '2' } },
        }),
      );
    proxy.setFault({ kind: 'drop' }, { operations: ['UpdateItem'], times: 1 });
    expect(await failure(bump())).toMatchObject({ code: 'ECONNRESET' });
    // The write happened although its answer was lost: retrying it blindly fails its own condition.
    expect(await failure(bump())).toMatchObject({ name: 'ConditionalCheckFailedException' });
    const { Item } = await direct.send(new GetItemCommand({ TableName: table, Key: counter, ConsistentRead: true }));
    expect(Item?.v).toEqual({ N: '2' });
  });

  it('drop on a kept-alive connection: the next request opens a fresh one and succeeds', async () => {
    const client = viaProxy();
    await getItem(client);
    proxy.setFault({ kind: 'drop' }, { operations: ['GetItem'], times: 1 });
    expect(await failure(getItem(client))).toMatchObject({ code: 'ECONNRESET' });
    const { Item } = await getItem(client);
    expect(Item?.note).toEqual({ S: 'hello' });
    expect(proxy.faultedCalls()).toEqual({ GetItem: 1 });
  });

  it('every: 3 drops exactly 1 write in 3, and every write is applied', async () => {
    const client = viaProxy();
    proxy.setFault({ kind: 'drop' }, { operations: ['PutItem'], every: 3 });
    const outcomes: unknown[] = [];
    for (let i = 1; i <= 7; i += 1) {
      await getItem(client); // does not match, so it does not count towards every
      outcomes.push(await failure(client.send(new PutItemCommand({ TableName: table, Item: { id: { S: `every-${i}` }, n: { N: String(i) } } }))));
    }

    expect(outcomes.map((e) => (e === undefined ? 'ok' : (e as { code?: string }).code))).toEqual(['ok', 'ok', 'ECONNRESET', 'ok', 'ok', 'ECONNRESET', 'ok']);
    for (let i = 1; i <= 7; i += 1) {
      const { Item } = await direct.send(new GetItemCommand({ TableName: table, Key: { id: { S: `every-${i}` } }, ConsistentRead: true }));
      expect(Item?.n).toEqual({ N: String(i) });
    }
    expect(proxy.calls()).toEqual({ GetItem: 7, PutItem: 7 });
    expect(proxy.faultedCalls()).toEqual({ PutItem: 2 });
  });

  it('every combines with times: only every N-th matching request counts towards times', async () => {
    const client = viaProxy();
    proxy.setFault({ kind: 'error500' }, { operations: ['GetItem'], every: 2, times: 2 });
    const outcomes: unknown[] = [];
    for (let i = 0; i < 6; i += 1) outcomes.push(await failure(getItem(client)));

    expect(outcomes.map((e) => (e === undefined ? 'ok' : (e as Error).name))).toEqual(['ok', 'InternalServerError', 'ok', 'InternalServerError', 'ok', 'ok']);
    expect(proxy.faultedCalls()).toEqual({ GetItem: 2 });
  });

  it('every must be a positive integer', () => {
    expect(() => proxy.setFault({ kind: 'drop' }, { every: 0 })).toThrow(/every must be a positive integer/);
    expect(() => proxy.setFault({ kind: 'drop' }, { every: 1.5 })).toThrow(/every must be a positive integer/);
  });

  it('resetCounts zeroes both counters', async () => {
    proxy.setFault({ kind: 'throttle' });
    await failure(getItem(viaProxy()));
    proxy.resetCounts();
    expect(proxy.calls()).toEqual({});
    expect(proxy.faultedCalls()).toEqual({});
  });

  it('close() is quick with hung sockets, destroys them and is idempotent', async () => {
    proxy.setFault({ kind: 'hang' });
    const client = viaProxy(20_000);
    const pending = [0, 1, 2].map(() => timed(failure(getItem(client))));
    await vi.waitFor(() => expect(proxy.calls().GetItem).toBe(3));

    const closing = await timed(proxy.close());
    expect(closing.ms).toBeLessThan(500);
    await proxy.close();

    const results = await Promise.all(pending);
    for (const { ms, value } of results) {
      expect(value).toMatchObject({ code: 'ECONNRESET' });
      expect(ms).toBeLessThan(5000);
    }
    expect(await failure(getItem(client))).toMatchObject({ code: 'ECONNREFUSED' });
  });
});
