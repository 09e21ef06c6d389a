/**
 * Counting DynamoDB calls and consumed capacity the same way for every store.
 *
 * Every store under test is given a `DynamoDBClient` built here. Its request handler (the
 * SDK's Node handler, wrapped) sees every HTTP request to DynamoDB, whichever way the store sends
 * it: through the SDK's middleware stack (connect-dynamodb, our store with `transport: 'sdk'`)
 * or by our store's direct transport. There it:
 * - counts every call by operation (from `x-amz-target`: GetItem, PutItem, ..., control plane);
 * - adds up the `ConsumedCapacity.CapacityUnits` the server reports, as read or write units
 *   (the answer is read whole, then handed on as a fresh stream);
 * - for a failed conditional write, whose error carries no consumed capacity, derives the write
 *   units from the size of the item sent (DynamoDB bills a failed condition like the write),
 *   and counts those separately as `derivedWriteUnits`;
 * - optionally waits `addedLatencyMs` before sending each call: a network round trip to
 *   DynamoDB that a local server lacks (a timer, so it costs no CPU).
 *
 * With `askForCapacity`, a middleware also adds `ReturnConsumedCapacity: 'TOTAL'` to every
 * data-plane call that does not ask for it (connect-dynamodb never does; our store always does).
 * Asking is free and changes nothing in what the call consumes: it only makes DynamoDB report
 * the units. That middleware is given only to the clients of stores that need it, so that our
 * store, given a plain client, picks the transport it would pick in production.
 */
import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** Operations that consume read units. */
const READ_OPERATIONS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
/** Operations that consume write units. */
const WRITE_OPERATIONS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/** What the counter saw since its last reset. */
export interface CallCounts {
  /** Calls by operation name, failed ones included. */
  readonly calls: Record<string, number>;
  /** Failed calls by operation name (a failed condition check included). */
  readonly errors: Record<string, number>;
  /** Read units reported by the server. */
  readonly readUnits: number;
  /** Write units reported by the server, plus `derivedWriteUnits`. */
  readonly writeUnits: number;
  /** Write units derived from item sizes (failed conditional writes only). */
  readonly derivedWriteUnits: number;
  /** Every call's HTTP round-trip time in ms, for data-plane calls only (capped sample). */
  readonly roundTripsMs: readonly number[];
}

/** A client whose calls are counted. */
export interface CountingClient {
  readonly client: DynamoDBClient;
  snapshot(): CallCounts;
  reset(): void;
  /** Calls sent and not answered yet. */
  inFlight(): number;
}

/** Options of {@link createCountingClient}. */
export interface CountingOptions {
  /** Milliseconds waited before each call is sent. @default 0 */
  readonly addedLatencyMs?: number;
  /** Add `ReturnConsumedCapacity: 'TOTAL'` to data-plane calls that lack it (a middleware). @default false */
  readonly askForCapacity?: boolean;
}

/** Fake credentials and a region: local servers check no signature, but the SDK must sign. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

const MAX_ROUND_TRIPS = 50_000;

type HandleArgs = Parameters<NodeHttpHandler['handle']>;
type HandleResult = Awaited<ReturnType<NodeHttpHandler['handle']>>;

/**
 * A client for a local endpoint, configured the same for every store: fixed fake credentials,
 * us-east-1, a 5 s request timeout that throws, the SDK's default keep-alive agent.
 */
export function createCountingClient(endpoint: string, options: CountingOptions = {}): CountingClient {
  const addedLatencyMs = options.addedLatencyMs ?? 0;
  let counts = emptyCounts();
  let pending = 0;

  class CountingHandler extends NodeHttpHandler {
    override async handle(...args: HandleArgs): Promise<HandleResult> {
      const request = args[0];
      const target = request.headers['x-amz-target'] ?? request.headers['X-Amz-Target'] ?? '';
      const operation = target.slice(target.lastIndexOf('.') + 1) || 'Unknown';
      const dataPlane = READ_OPERATIONS.has(operation) || WRITE_OPERATIONS.has(operation);
      const mine = counts;
      mine.calls[operation] = (mine.calls[operation] ?? 0) + 1;
      pending += 1;
      try {
        if (addedLatencyMs > 0) await new Promise((resolve) => setTimeout(resolve, addedLatencyMs));
        const started = performance.now();
        const result = await super.handle(...args);
        if (!dataPlane) return result;
        const text = await readAll(result.response.body as Readable);
        if (mine.roundTripsMs.length < MAX_ROUND_TRIPS) mine.roundTripsMs.push(performance.now() - started);
        result.response.body = streamOf(Buffer.from(text, 'utf8'));
        const answer = parseJson(text);
        if (result.response.statusCode >= 300) {
          mine.errors[operation] = (mine.errors[operation] ?? 0) + 1;
          const type = typeof answer?.__type === 'string' ? answer.__type : '';
          if (type.endsWith('ConditionalCheckFailedException')) {
            const reported = answer?.ConsumedCapacity as ConsumedCapacityLike | undefined;
            if (reported?.CapacityUnits !== undefined) addUnits(mine, operation, reported);
            else {
              const derived = writeUnitsForInput(parseJson(typeof request.body === 'string' ? request.body : '') ?? {});
              mine.writeUnits += derived;
              mine.derivedWriteUnits += derived;
            }
          }
        } else addUnits(mine, operation, answer?.ConsumedCapacity as ConsumedCapacityLike | ConsumedCapacityLike[] | undefined);
        return result;
      } catch (error) {
        mine.errors[operation] = (mine.errors[operation] ?? 0) + 1;
        throw error;
      } finally {
        pending -= 1;
      }
    }
  }

  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { ...LOCAL_CREDENTIALS },
    maxAttempts: 3,
    requestHandler: new CountingHandler({ requestTimeout: 5000, connectionTimeout: 1000, throwOnRequestTimeout: true }),
  });
  if (options.askForCapacity === true) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? '').replace(/Command$/, '');
        const input = args.input as Record<string, unknown>;
        if ((READ_OPERATIONS.has(operation) || WRITE_OPERATIONS.has(operation)) && input.ReturnConsumedCapacity === undefined) {
          args = { ...args, input: { ...input, ReturnConsumedCapacity: 'TOTAL' } };
        }
        return await next(args);
      },
      { step: 'initialize', name: 'benchAskForCapacity', priority: 'high' },
    );
  }
  return {
    client,
    snapshot: () => ({ ...counts, calls: { ...counts.calls }, errors: { ...counts.errors }, roundTripsMs: [...counts.roundTripsMs] }),
    reset: () => {
      counts = emptyCounts();
    },
    inFlight: () => pending,
  };
}

interface ConsumedCapacityLike {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads an answer whole, with listeners: async iteration would destroy the response at its end,
 * and with it the keep-alive socket, so every call would open a new connection.
 */
async function readAll(body: Readable): Promise<string> {
  return await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    body.on('data', (chunk: Buffer | string) => chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
    body.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    body.once('error', reject);
  });
}

/** A fresh stream holding `bytes`, for the SDK to read in place of the answer already read. */
function streamOf(bytes: Buffer): Readable {
  const stream = new Readable({ read() {} });
  stream.push(bytes);
  stream.push(null);
  return stream;
}

interface MutableCounts {
  calls: Record<string, number>;
  errors: Record<string, number>;
  readUnits: number;
  writeUnits: number;
  derivedWriteUnits: number;
  roundTripsMs: number[];
}

function emptyCounts(): MutableCounts {
  return { calls: {}, errors: {}, readUnits: 0, writeUnits: 0, derivedWriteUnits: 0, roundTripsMs: [] };
}

function addUnits(counts: MutableCounts, operation: string, consumed: ConsumedCapacityLike | ConsumedCapacityLike[] | undefined): void {
  const list = consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed];
  for (const entry of list) {
    const read = entry.ReadCapacityUnits ?? (READ_OPERATIONS.has(operation) ? entry.CapacityUnits : 0) ?? 0;
    const write = entry.WriteCapacityUnits ?? (WRITE_OPERATIONS.has(operation) ? entry.CapacityUnits : 0) ?? 0;
    counts.readUnits += read;
    counts.writeUnits += write;
  }
}

/** Write units of a PutItem from the size of its item: 1 per started KB, at least 1. */
export function writeUnitsForInput(input: Record<string, unknown>): number {
  const item = input.Item as Record<string, Record<string, unknown>> | undefined;
  if (item === undefined) return 1;
  return Math.max(1, Math.ceil(attributeMapBytes(item) / 1024));
}

/** DynamoDB's size of an item in attribute-value form: names plus values, numbers counted at 21 bytes. */
export function attributeMapBytes(item: Record<string, Record<string, unknown>>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    bytes += Buffer.byteLength(name, 'utf8');
    if (typeof value.S === 'string') bytes += Buffer.byteLength(value.S, 'utf8');
    else if (value.B instanceof Uint8Array) bytes += value.B.byteLength;
    else if (typeof value.B === 'string') bytes += Buffer.byteLength(value.B, 'base64'); // the wire form
    else if (value.N !== undefined) bytes += 21;
    else bytes += 1;
  }
  return bytes;
}
