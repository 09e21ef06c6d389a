import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { FetchHttpHandler } from '@smithy/fetch-http-handler';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SessionStore } from 'dynamo-session-manager';
import { translateBackendError } from '../../src/dynamo/backend-errors.js';
import { DirectTransport } from '../../src/dynamo/transport/direct-transport.js';
import { createCountingClient } from '../support/counting-client.js';
import { createTestClient, dropTablesWithPrefix, testEndpoint, uniqueBaseName } from '../support/dynamo.js';
import { sigV4Problem, type ReceivedRequest } from '../support/sigv4.js';

/**
 * The direct transport of item operations: requests signed and shaped as the SDK would send
 * them, answers and errors read back in the SDK's shapes, the client's own request handler and
 * settings honoured, and the automatic choice between it and `client.send`.
 */

const admin = createTestClient();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => admin.destroy());

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token-example' };

/** A real HTTP server that records every request and answers with `answer`. */
async function startRecorder(answer: (req: ReceivedRequest, res: ServerResponse) => void) {
  const received: ReceivedRequest[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(',') : String(value);
      const recorded = { method: req.method ?? '', path: req.url ?? '', headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(recorded);
      answer(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  cleanups.push(() => server.closeAllConnections());
  return { endpoint, received };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function clientFor(endpoint: string, options: Partial<ConstructorParameters<typeof DynamoDBClient>[0]> = {}): DynamoDBClient {
  const client = new DynamoDBClient({ endpoint, region: 'eu-west-1', credentials: CREDENTIALS, maxAttempts: 1, ...options });
  cleanups.push(() => client.destroy());
  return client;
}

describe('direct transport: the request on the wire', () => {
  it('is signed with SigV4 as AWS checks it, session token included, like the SDK’s own request', async () => {
    const recorder = await startRecorder((_req, res) => json(res, 200, {}));
    const client = clientFor(recorder.endpoint);
    const input = { TableName: 'sessions_20261124_000000', Key: { id: { S: 'abcdefgh12345678' } }, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' as const };
    await new DirectTransport(client).send('GetItem', input, AbortSignal.timeout(2000));
    await client.send(new GetItemCommand(input));
    const [direct, sdk] = recorder.received as [ReceivedRequest, ReceivedRequest];
    // The verifier is checked on the SDK's request, then applied to ours.
    expect(sigV4Problem(sdk, CREDENTIALS.secretAccessKey)).toBeUndefined();
    expect(sigV4Problem(direct, CREDENTIALS.secretAccessKey)).toBeUndefined();
    expect(sigV4Problem(direct, 'another secret')).toMatch(/is not the expected/);
    expect(direct.headers['x-amz-security-token']).toBe(CREDENTIALS.sessionToken);
    expect(direct.headers.authorization).toContain('/eu-west-1/dynamodb/aws4_request');
    for (const name of ['content-type', 'x-amz-target', 'host']) expect(direct.headers[name]).toBe(sdk.headers[name]);
    expect(direct.method).toBe('POST');
    expect(direct.path).toBe(sdk.path);
    expect(JSON.parse(direct.body)).toEqual(JSON.parse(sdk.body));
  });

  it('writes binary attributes as the SDK does, and reads them back as bytes', async () => {
    const item = { id: { S: 'abcdefgh12345678' }, data: { B: new Uint8Array([1, 0, 123, 34, 255]) }, version: { N: '2' } };
    const recorder = await startRecorder((req, res) => json(res, 200, req.headers['x-amz-target']?.endsWith('GetItem') === true ? { Item: JSON.parse(req.body).Key } : {}));
    const client = clientFor(recorder.endpoint);
    await new DirectTransport(client).send('PutItem', { TableName: 'table_x', Item: item }, AbortSignal.timeout(2000));
    await client.send(new PutItemCommand({ TableName: 'table_x', Item: item }));
    const [direct, sdk] = recorder.received as [ReceivedRequest, ReceivedRequest];
    expect(JSON.parse(direct.body)).toEqual(JSON.parse(sdk.body));
    const out = await new DirectTransport(client).send('GetItem', { TableName: 'table_x', Key: { k: { B: new Uint8Array([9, 8]) } } }, AbortSignal.timeout(2000));
    expect(out.Item).toEqual({ k: { B: new Uint8Array([9, 8]) } });
  });

  it('after a clock-skew answer, signs the next request with the server’s clock', async () => {
    const serverNow = Date.now() + 3_600_000;
    let first = true;
    const recorder = await startRecorder((_req, res) => {
      if (first) {
        first = false;
        json(res, 400, { __type: 'com.amazon.coral.service#RequestTimeTooSkewed', message: 'Signature expired' }, { date: new Date(serverNow).toUTCString() });
      } else json(res, 200, {});
    });
    const transport = new DirectTransport(clientFor(recorder.endpoint));
    const failure = await transport.send('GetItem', { TableName: 'table_x', Key: { id: { S: 'k' } } }, AbortSignal.timeout(2000)).catch((error: unknown) => error);
    expect(translateBackendError(failure, { operation: 'GetItem' })).toMatchObject({ code: 'backend.failed', retryable: true });
    await transport.send('GetItem', { TableName: 'table_x', Key: { id: { S: 'k' } } }, AbortSignal.timeout(2000));
    const amzDate = (recorder.received[1] as ReceivedRequest).headers['x-amz-date'] ?? '';
    const signedAt = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    expect(Math.abs(signedAt - serverNow)).toBeLessThan(5000);
  });

  it('goes through the client’s own request handler, and is aborted by the signal', async () => {
    const recorder = await startRecorder(() => undefined); // never answers
    const client = clientFor(recorder.endpoint, { requestHandler: { requestTimeout: 30_000 } });
    const started = Date.now();
    const failure = await new DirectTransport(client).send('GetItem', { TableName: 'table_x', Key: { id: { S: 'k' } } }, AbortSignal.timeout(200)).catch((error: unknown) => error);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(translateBackendError(failure, { operation: 'GetItem' }).code).toBe('backend.timeout');
  });
});

describe('direct transport against dynalite', () => {
  async function store(options: ConstructorParameters<typeof SessionStore>[0]) {
    const s = new SessionStore({ maintenanceIntervalSeconds: 0, ...options });
    cleanups.push(() => s.close());
    await s.ready();
    return s;
  }

  it('is what auto picks for a plain client; the calls go through its request handler', async () => {
    const base = uniqueBaseName('transport');
    cleanups.push(() => dropTablesWithPrefix(admin, base));
    const counting = createCountingClient();
    cleanups.push(() => counting.client.destroy());
    const s = await store({ client: counting.client, tableBaseName: base });
    expect(s.transport).toBe('direct');
    counting.reset();
    await s.set('abcdefgh12345678', { cookie: { originalMaxAge: null }, user: 'ada' } as never);
    expect(await s.get('abcdefgh12345678')).toMatchObject({ session: { user: 'ada' } });
    expect(counting.counts()).toEqual({ GetItem: 1, PutItem: 1 });
  });

  it('auto falls back to the SDK for a client with added middleware, which then sees every item call', async () => {
    const base = uniqueBaseName('transport');
    cleanups.push(() => dropTablesWithPrefix(admin, base));
    const client = createTestClient();
    cleanups.push(() => client.destroy());
    const seen: string[] = [];
    client.middlewareStack.add(
      (next, context) => (args) => {
        seen.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'appTracing' },
    );
    const s = await store({ client, tableBaseName: base });
    expect(s.transport).toBe('sdk');
    seen.length = 0;
    await s.set('abcdefgh12345678', { cookie: { originalMaxAge: null }, user: 'ada' } as never);
    await s.get('abcdefgh12345678');
    expect(seen).toEqual(['PutItemCommand', 'GetItemCommand']);
  });

  it('stores the same items as the SDK transport: each reads what the other wrote, byte for byte', async () => {
    const base = uniqueBaseName('transport');
    cleanups.push(() => dropTablesWithPrefix(admin, base));
    const direct = await store({ dynamoEndpoint: testEndpoint(), tableBaseName: base, transport: 'direct' });
    const sdk = await store({ dynamoEndpoint: testEndpoint(), tableBaseName: base, transport: 'sdk' });
    const big = { cookie: { originalMaxAge: null }, cart: Array.from({ length: 200 }, (_, i) => ({ sku: `sku-${i}`, note: 'ünïcødé ✓ "quoted"' })) };
    await direct.set('direct-written-0001', big as never);
    await sdk.set('sdk-written-00000001', big as never);
    expect((await sdk.get('direct-written-0001'))?.session).toEqual(big);
    expect((await direct.get('sdk-written-00000001'))?.session).toEqual(big);
    const table = direct.tables().find((t) => t.role === 'current')?.name ?? '';
    const raw = async (id: string) => (await admin.send(new GetItemCommand({ TableName: table, Key: { id: { S: id } }, ConsistentRead: true }))).Item;
    const [a, b] = [await raw('direct-written-0001'), await raw('sdk-written-00000001')];
    expect(a?.data?.B).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(a?.data?.B ?? new Uint8Array()).equals(Buffer.from(b?.data?.B ?? new Uint8Array()))).toBe(true);
  });

  it('works through a fetch-based request handler too, whose answers are web streams', async () => {
    const base = uniqueBaseName('transport');
    cleanups.push(() => dropTablesWithPrefix(admin, base));
    const client = new DynamoDBClient({
      endpoint: testEndpoint(),
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
      requestHandler: new FetchHttpHandler({ requestTimeout: 5000 }),
    });
    cleanups.push(() => client.destroy());
    const s = await store({ client, tableBaseName: base });
    expect(s.transport).toBe('direct');
    await s.set('fetch-handler-0001', { cookie: { originalMaxAge: null }, user: 'ada', blob: 'x'.repeat(3000) } as never);
    expect((await s.get('fetch-handler-0001'))?.session).toMatchObject({ user: 'ada', blob: 'x'.repeat(3000) });
  });

  it('translates DynamoDB’s errors as the SDK transport does: a missing table is backend.tableMissing', async () => {
    const transport = new DirectTransport(admin);
    const failure = await transport.send('GetItem', { TableName: 'no-such-table-here', Key: { id: { S: 'k' } } }, AbortSignal.timeout(2000)).catch((error: unknown) => error);
    const viaSdk = await admin.send(new GetItemCommand({ TableName: 'no-such-table-here', Key: { id: { S: 'k' } } })).catch((error: unknown) => error);
    expect((failure as Error).name).toBe((viaSdk as Error).name);
    expect(translateBackendError(failure, { operation: 'GetItem', table: 'no-such-table-here' }).code).toBe('backend.tableMissing');
  });
});
