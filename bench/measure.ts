/**
 * Counting DynamoDB calls and consumed capacity the same way for every store.
 *
 * Every store under test is given a `DynamoDBClient` built here. A middleware on that client:
 * - counts every call by operation (GetItem, PutItem, ..., and control-plane calls);
 * - adds `ReturnConsumedCapacity: 'TOTAL'` to every data-plane call that does not already ask
 *   for it (connect-dynamodb never does; our store always does). Asking is free and changes
 *   nothing in what the call consumes: it only makes DynamoDB report the units;
 * - adds up the `ConsumedCapacity.CapacityUnits` the server reports, as read or write units;
 * - for a failed conditional write, whose error carries no consumed capacity, derives the write
 *   units from the size of the item sent (DynamoDB bills a failed condition like the write),
 *   and counts those separately as `derivedWriteUnits`;
 * - optionally waits `addedLatencyMs` before sending each call: a network round trip to
 *   DynamoDB that a local server lacks (a timer, so it costs no CPU).
 */
import { DynamoDBClient, type ConsumedCapacity } from '@aws-sdk/client-dynamodb';

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
  /** Every call's round-trip time in ms, for data-plane calls only (capped sample). */
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

/** Fake credentials and a region: local servers check no signature, but the SDK must sign. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

const MAX_ROUND_TRIPS = 50_000;

/**
 * A client for a local endpoint, configured the same for every store: fixed fake credentials,
 * us-east-1, a 5 s request timeout that throws, the SDK's default keep-alive agent.
 */
export function createCountingClient(endpoint: string, addedLatencyMs = 0): CountingClient {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { ...LOCAL_CREDENTIALS },
    maxAttempts: 3,
    requestHandler: { requestTimeout: 5000, connectionTimeout: 1000, throwOnRequestTimeout: true },
  });
  let counts = emptyCounts();
  let pending = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
      const dataPlane = READ_OPERATIONS.has(operation) || WRITE_OPERATIONS.has(operation);
      const input = args.input as Record<string, unknown>;
      if (dataPlane && input.ReturnConsumedCapacity === undefined) {
        args = { ...args, input: { ...input, ReturnConsumedCapacity: 'TOTAL' } };
      }
      const mine = counts;
      mine.calls[operation] = (mine.calls[operation] ?? 0) + 1;
      const started = performance.now();
      pending += 1;
      try {
        if (addedLatencyMs > 0) await new Promise((resolve) => setTimeout(resolve, addedLatencyMs));
        const result = await next(args);
        if (dataPlane) {
          if (mine.roundTripsMs.length < MAX_ROUND_TRIPS) mine.roundTripsMs.push(performance.now() - started);
          addUnits(mine, operation, (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity);
        }
        return result;
      } catch (error) {
        mine.errors[operation] = (mine.errors[operation] ?? 0) + 1;
        if (dataPlane && isConditionFailed(error)) {
          const reported = (error as { ConsumedCapacity?: ConsumedCapacity }).ConsumedCapacity;
          if (reported?.CapacityUnits !== undefined) addUnits(mine, operation, reported);
          else {
            const derived = writeUnitsForInput(input);
            mine.writeUnits += derived;
            mine.derivedWriteUnits += derived;
          }
        }
        throw error;
      } finally {
        pending -= 1;
      }
    },
    { step: 'initialize', name: 'benchCountCalls', priority: 'high' },
  );
  return {
    client,
    snapshot: () => ({ ...counts, calls: { ...counts.calls }, errors: { ...counts.errors }, roundTripsMs: [...counts.roundTripsMs] }),
    reset: () => {
      counts = emptyCounts();
    },
    inFlight: () => pending,
  };
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

function addUnits(counts: MutableCounts, operation: string, consumed: ConsumedCapacity | ConsumedCapacity[] | undefined): void {
  const list = consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed];
  for (const entry of list) {
    const read = entry.ReadCapacityUnits ?? (READ_OPERATIONS.has(operation) ? entry.CapacityUnits : 0) ?? 0;
    const write = entry.WriteCapacityUnits ?? (WRITE_OPERATIONS.has(operation) ? entry.CapacityUnits : 0) ?? 0;
    counts.readUnits += read;
    counts.writeUnits += write;
  }
}

function isConditionFailed(error: unknown): boolean {
  return (error as { name?: string }).name === 'ConditionalCheckFailedException';
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
    else if (value.N !== undefined) bytes += 21;
    else bytes += 1;
  }
  return bytes;
}
