import type { MetricsSink } from '../sink.js';
import type { StoreOperation } from './names.js';

/** The telemetry of one DynamoDB call, from just before it is sent to its answer. */
export interface DbCallTelemetry {
  /** Sends the call with its span active, so that spans started by the transport are its children. */
  run<T>(send: () => Promise<T>): Promise<T>;
  /**
   * Ends the call: records `db.client.operation.duration` and ends its span. Called once.
   * @param durationMs - how long the call took, in milliseconds.
   * @param errorType - why it failed (`error.type`); undefined when it succeeded.
   * @param expected - the failure is an answer the store expects and handles (a failed condition,
   *   a table looked for and not there yet): the span keeps `error.type` but no error status.
   */
  end(durationMs: number, errorType?: string, expected?: boolean): void;
}

/**
 * What the store and its DynamoDB gateway record besides the metrics facade: spans around store
 * operations and DynamoDB calls, and the duration of each call. Without OpenTelemetry it is
 * {@link noopTelemetry}, whose methods only run the work they are given.
 */
export interface Telemetry {
  /** Whether OpenTelemetry is in use (`@opentelemetry/api` loaded). */
  readonly active: boolean;
  /** Receives every metrics call, as statsd does; undefined when OpenTelemetry is not in use. */
  readonly metricsSink: MetricsSink | undefined;
  /**
   * Runs one store operation inside its span: a child of the caller's active span (the
   * request's), or a new trace for maintenance. The session id appears only as a short hash.
   */
  operation<T>(operation: StoreOperation, sessionId: unknown, work: () => Promise<T>): Promise<T>;
  /** Starts the telemetry of one DynamoDB call (one attempt: each retry is a call). */
  dbCall(operation: string, hasTable: boolean): DbCallTelemetry;
  /** Takes the global providers again (an SDK registered since the store was built); `ready()` calls it. */
  refresh(): void;
}

const noopCall: DbCallTelemetry = Object.freeze({
  run: <T>(send: () => Promise<T>): Promise<T> => send(),
  end: (): void => undefined,
});

/** Telemetry that records nothing: the store without OpenTelemetry. */
export const noopTelemetry: Telemetry = Object.freeze({
  active: false,
  metricsSink: undefined,
  operation: <T>(_operation: StoreOperation, _sessionId: unknown, work: () => Promise<T>): Promise<T> => work(),
  dbCall: (): DbCallTelemetry => noopCall,
  refresh: (): void => undefined,
});
