import {
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type ConsumedCapacity,
  type CreateTableCommandInput,
  type CreateTableCommandOutput,
  type DeleteItemCommandInput,
  type DeleteItemCommandOutput,
  type DeleteTableCommandInput,
  type DeleteTableCommandOutput,
  type DescribeTableCommandInput,
  type DescribeTableCommandOutput,
  type DescribeTimeToLiveCommandInput,
  type DescribeTimeToLiveCommandOutput,
  type DynamoDBClient,
  type GetItemCommandInput,
  type GetItemCommandOutput,
  type ListTablesCommandInput,
  type ListTablesCommandOutput,
  type PutItemCommandInput,
  type PutItemCommandOutput,
  type QueryCommandInput,
  type QueryCommandOutput,
  type ScanCommandInput,
  type ScanCommandOutput,
  type UpdateItemCommandInput,
  type UpdateItemCommandOutput,
  type UpdateTableCommandInput,
  type UpdateTableCommandOutput,
  type UpdateTimeToLiveCommandInput,
  type UpdateTimeToLiveCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { SessionManagerError } from '../errors.js';
import { safeLog, type Logger } from '../logging/logger.js';
import { METRIC, METRIC_TAG, formatTag } from '../metrics/names.js';
import { noopTelemetry, type Telemetry } from '../metrics/otel/telemetry.js';
import { errorTypeOf, isConditionFailed, translateBackendError } from './backend-errors.js';
import { backoffMs, createDeadline, sleep, type Deadline } from './deadline.js';
import { DIRECT_OPERATIONS, type DirectTransport } from './transport/direct-transport.js';

/** The recording side of the metrics facade, as the store uses it. */
export interface MetricsRecorder {
  increment(name: string, value?: number, tags?: readonly string[]): void;
  timing(name: string, ms: number, tags?: readonly string[]): void;
  histogram(name: string, value: number, tags?: readonly string[]): void;
  gauge(name: string, value: number, tags?: readonly string[]): void;
}

const COMMANDS = {
  GetItem: GetItemCommand,
  PutItem: PutItemCommand,
  UpdateItem: UpdateItemCommand,
  DeleteItem: DeleteItemCommand,
  Scan: ScanCommand,
  Query: QueryCommand,
  CreateTable: CreateTableCommand,
  DeleteTable: DeleteTableCommand,
  DescribeTable: DescribeTableCommand,
  UpdateTable: UpdateTableCommand,
  ListTables: ListTablesCommand,
  UpdateTimeToLive: UpdateTimeToLiveCommand,
  DescribeTimeToLive: DescribeTimeToLiveCommand,
} as const;

/** The DynamoDB operations the store sends, with their input and output types. */
interface OperationTypes {
  GetItem: [GetItemCommandInput, GetItemCommandOutput];
  PutItem: [PutItemCommandInput, PutItemCommandOutput];
  UpdateItem: [UpdateItemCommandInput, UpdateItemCommandOutput];
  DeleteItem: [DeleteItemCommandInput, DeleteItemCommandOutput];
  Scan: [ScanCommandInput, ScanCommandOutput];
  Query: [QueryCommandInput, QueryCommandOutput];
  CreateTable: [CreateTableCommandInput, CreateTableCommandOutput];
  DeleteTable: [DeleteTableCommandInput, DeleteTableCommandOutput];
  DescribeTable: [DescribeTableCommandInput, DescribeTableCommandOutput];
  UpdateTable: [UpdateTableCommandInput, UpdateTableCommandOutput];
  ListTables: [ListTablesCommandInput, ListTablesCommandOutput];
  UpdateTimeToLive: [UpdateTimeToLiveCommandInput, UpdateTimeToLiveCommandOutput];
  DescribeTimeToLive: [DescribeTimeToLiveCommandInput, DescribeTimeToLiveCommandOutput];
}

/** Why an attempt was aborted: its deadline passed (the name `TimeoutError` makes it `backend.timeout`). */
function timeoutReason(): Error {
  return new DOMException('The DynamoDB call did not answer within its deadline.', 'TimeoutError');
}

/** A DynamoDB operation the store sends. */
export type Operation = keyof OperationTypes;
/** The input of an operation. */
export type InputOf<O extends Operation> = OperationTypes[O][0];
/** The output of an operation. */
export type OutputOf<O extends Operation> = OperationTypes[O][1];

/** Settings of {@link Backend}. */
export interface BackendOptions {
  readonly client: DynamoDBClient;
  readonly requestTimeoutMs: number;
  readonly maxRetries: number;
  readonly operationTimeoutMs: number;
  readonly metrics: MetricsRecorder;
  readonly logger: Logger;
  /** Sends the item operations without the SDK's middleware; undefined sends everything with `client.send`. */
  readonly direct?: DirectTransport | undefined;
  /** A span and a `db.client.operation.duration` value per call (OpenTelemetry). @default none */
  readonly telemetry?: Telemetry | undefined;
}

/**
 * The one place that sends DynamoDB calls. Every call gets a deadline (an abort signal, so it
 * holds on clients the caller built too), bounded retries of retryable failures with full-jitter
 * backoff, metrics (calls, latency, consumed capacity, throttling) and error translation.
 * A failed condition check is not translated: callers expect it and handle it.
 */
export class Backend {
  readonly #options: BackendOptions;

  constructor(options: BackendOptions) {
    this.#options = options;
  }

  /** How item operations are sent: `direct` (signed and sent without the SDK's middleware) or `sdk`. */
  get transport(): 'direct' | 'sdk' {
    return this.#options.direct === undefined ? 'sdk' : 'direct';
  }

  /** A deadline for one store operation. */
  operationDeadline(): Deadline {
    return createDeadline(this.#options.operationTimeoutMs);
  }

  /**
   * Sends one operation.
   *
   * @param operation - the DynamoDB operation.
   * @param input - its input, built by a pure function of params.ts.
   * @param deadline - the operation's deadline; all attempts and waits fit inside it.
   * @throws the SDK's `ConditionalCheckFailedException` as is; any other failure as a {@link SessionManagerError}.
   */
  async send<O extends Operation>(operation: O, input: InputOf<O>, deadline: Deadline = this.operationDeadline()): Promise<OutputOf<O>> {
    const { client, requestTimeoutMs, maxRetries, metrics, logger, direct } = this.#options;
    const telemetry = this.#options.telemetry ?? noopTelemetry;
    const table = (input as { TableName?: string }).TableName;
    const tags = [formatTag(METRIC_TAG.op, operation)];
    for (let attempt = 0; ; attempt += 1) {
      const remaining = deadline.remainingMs();
      if (remaining <= 0) {
        metrics.increment(METRIC.dynamodbError, 1, tags);
        throw new SessionManagerError('backend.timeout', `DynamoDB did not answer ${operation}${table === undefined ? '' : ` on table ${table}`} within the operation deadline.`, {
          details: { operation, table, attempts: attempt },
          retryable: true,
        });
      }
      const started = performance.now();
      metrics.increment(METRIC.dynamodbCalls, 1, tags);
      // One timer per attempt, cleared when the call settles: cheaper than AbortSignal.timeout.
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(timeoutReason()), Math.max(1, Math.ceil(Math.min(requestTimeoutMs, remaining))));
      timer.unref();
      const abortSignal = controller.signal;
      const call = telemetry.dbCall(operation, table !== undefined);
      try {
        const output = (await call.run<unknown>(() =>
          direct !== undefined && DIRECT_OPERATIONS.has(operation)
            ? direct.send(operation, input, abortSignal)
            : client.send(new (COMMANDS[operation] as unknown as new (input: InputOf<O>) => object)(input) as never, { abortSignal }),
        )) as OutputOf<O>;
        const ms = performance.now() - started;
        metrics.timing(METRIC.dynamodbLatency, ms, tags);
        call.end(ms);
        this.#recordCapacity(operation, (output as { ConsumedCapacity?: ConsumedCapacity }).ConsumedCapacity, tags);
        return output;
      } catch (raw) {
        const ms = performance.now() - started;
        metrics.timing(METRIC.dynamodbLatency, ms, tags);
        if (isConditionFailed(raw)) {
          call.end(ms, errorTypeOf(raw, undefined), true); // a lost race or an absent copy: an answer the caller handles
          // A failed condition still consumes write capacity: at least one unit.
          this.#recordCapacity(operation, (raw as { ConsumedCapacity?: ConsumedCapacity }).ConsumedCapacity, tags);
          throw raw;
        }
        const error = translateBackendError(raw, { operation, table });
        // Looking for a table that is not there yet is an answer, not a failure.
        const expected = operation === 'DescribeTable' && error.code === 'backend.tableMissing';
        call.end(ms, errorTypeOf(raw, error), expected);
        if (error.code === 'backend.throttled') metrics.increment(METRIC.dynamodbThrottled, 1, tags);
        const wait = backoffMs(attempt);
        if (!error.retryable || attempt >= maxRetries || deadline.remainingMs() <= wait) {
          if (!expected) metrics.increment(METRIC.dynamodbError, 1, tags);
          safeLog(logger, 'debug', { operation, table, code: error.code, attempts: attempt + 1 }, 'DynamoDB call failed');
          throw error;
        }
        metrics.increment(METRIC.dynamodbRetry, 1, tags);
        await sleep(wait, { keepAlive: true });
      } finally {
        clearTimeout(timer);
      }
    }
  }

  /** Adds the units a call consumed, tagged with its operation as docs/metrics.md says. */
  #recordCapacity(operation: Operation, consumed: ConsumedCapacity | undefined, tags: readonly string[]): void {
    const units = consumed?.CapacityUnits;
    if (units === undefined || units <= 0) return;
    const read = operation === 'GetItem' || operation === 'Scan' || operation === 'Query';
    this.#options.metrics.increment(read ? METRIC.capacityRead : METRIC.capacityWrite, units, tags);
  }
}
