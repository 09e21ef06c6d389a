import type { Attributes, Meter, MeterProvider, Span, Tracer, TracerProvider } from '@opentelemetry/api';
import { isSessionManagerError } from '../../errors.js';
import { redactId } from '../../logging/logger.js';
import type { OpenTelemetryApi } from './api.js';
import { createInstruments, type Instruments } from './instruments.js';
import { OpenTelemetryMetricsSink } from './metric-bridge.js';
import { DB_SYSTEM_DYNAMODB, OTEL_ATTR, OTEL_SCOPE, STORE_SPAN, type StoreOperation } from './names.js';
import type { ResolvedOpenTelemetryOptions } from './options.js';
import type { DbCallTelemetry, Telemetry } from './telemetry.js';

/** What a failed store operation is recorded as: the package's error code, or the error's class name. */
export function operationErrorType(error: unknown): string {
  if (isSessionManagerError(error)) return error.code;
  const name = (error as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' && name !== '' ? name : '_OTHER';
}

interface CallShape {
  readonly name: string;
  readonly attributes: Attributes;
}

/**
 * Telemetry through `@opentelemetry/api`: spans from the given TracerProvider or the global one,
 * metrics into the given MeterProvider or the global one. Every method is synchronous up to the
 * work it wraps and never throws (the API's contract).
 *
 * @internal
 */
export class OpenTelemetryTelemetry implements Telemetry {
  readonly active = true;
  readonly metricsSink: OpenTelemetryMetricsSink;
  readonly #api: OpenTelemetryApi;
  readonly #tracer: Tracer;
  /** Set when spans go to a TracerProvider given in the options, which is always live. */
  readonly #ownTracerProvider: boolean;
  /** The API's no-op TracerProvider: the global proxy delegates to it until an SDK registers one. */
  readonly #noopTracerProvider: TracerProvider;
  /** Whether spans are started: see {@link OpenTelemetryTelemetry.refresh}. */
  #tracingLive: boolean;
  readonly #tableBaseName: string;
  readonly #ownMeterProvider: boolean;
  #meterProvider: MeterProvider;
  /** Undefined while the meter is the API's no-op one (no SDK registered): nothing to record. */
  #instruments: Instruments | undefined;
  readonly #calls = new Map<string, CallShape>();

  constructor(api: OpenTelemetryApi, options: Exclude<ResolvedOpenTelemetryOptions, { mode: 'off' }>, tableBaseName: string) {
    this.#api = api;
    this.#tableBaseName = tableBaseName;
    this.#tracer = (options.tracerProvider?.getTracer(OTEL_SCOPE) as Tracer | undefined) ?? api.trace.getTracer(OTEL_SCOPE);
    this.#ownTracerProvider = options.tracerProvider !== undefined;
    this.#noopTracerProvider = new api.ProxyTracerProvider().getDelegate();
    this.#tracingLive = this.#tracingProviderLive();
    this.#ownMeterProvider = options.meterProvider !== undefined;
    this.#meterProvider = (options.meterProvider as MeterProvider | undefined) ?? api.metrics.getMeterProvider();
    this.#instruments = this.#instrumentsOn(this.#meterProvider);
    this.metricsSink = new OpenTelemetryMetricsSink(api, this.#instruments, () => this.#tracingLive);
  }

  /**
   * Takes the global providers as they are now: the store takes them when it is built and again
   * in `ready()`, so an SDK started in between is used. (A span is never started through the
   * API's no-op TracerProvider: that keeps its cost per request to a few hundred nanoseconds.)
   */
  refresh(): void {
    this.#tracingLive = this.#tracingProviderLive();
    if (this.#ownMeterProvider) return;
    const provider = this.#api.metrics.getMeterProvider();
    if (provider === this.#meterProvider) return;
    this.#meterProvider = provider;
    this.#instruments = this.#instrumentsOn(provider);
    this.metricsSink.use(this.#instruments);
  }

  #instrumentsOn(provider: MeterProvider): Instruments | undefined {
    const meter = provider.getMeter(OTEL_SCOPE) as Meter;
    return meter === this.#api.createNoopMeter() ? undefined : createInstruments(meter);
  }

  /** Whether spans can be recorded: a TracerProvider was given, or an SDK registered the global one. */
  #tracingProviderLive(): boolean {
    if (this.#ownTracerProvider) return true;
    const global = this.#api.trace.getTracerProvider() as TracerProvider & { getDelegate?: () => TracerProvider };
    return global.getDelegate === undefined || global.getDelegate() !== this.#noopTracerProvider;
  }

  operation<T>(operation: StoreOperation, sessionId: unknown, work: () => Promise<T>): Promise<T> {
    if (!this.#tracingLive) return work();
    const api = this.#api;
    // Maintenance runs on a timer, or is kicked by a request it does not belong to: a trace of its own.
    const span = this.#tracer.startSpan(STORE_SPAN[operation], operation === 'maintenance' ? { root: true } : undefined);
    if (typeof sessionId === 'string' && span.isRecording()) span.setAttribute(OTEL_ATTR.sessionIdHash, redactId(sessionId));
    return api.context.with(api.trace.setSpan(api.context.active(), span), () => this.#settle(span, work));
  }

  async #settle<T>(span: Span, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const type = operationErrorType(error);
      span.setAttribute(OTEL_ATTR.errorType, type);
      span.setStatus({ code: this.#api.SpanStatusCode.ERROR, message: type });
      throw error;
    } finally {
      span.end();
    }
  }

  dbCall(operation: string, hasTable: boolean): DbCallTelemetry {
    const shape = this.#shapeOf(operation, hasTable);
    const record = this.#instruments?.get('db.client.operation.duration');
    if (!this.#tracingLive) {
      return {
        run: (send) => send(),
        end: (durationMs, errorType) =>
          record?.(durationMs / 1000, errorType === undefined ? shape.attributes : { ...shape.attributes, [OTEL_ATTR.errorType]: errorType }),
      };
    }
    const span = this.#tracer.startSpan(shape.name, { kind: this.#api.SpanKind.CLIENT, attributes: shape.attributes });
    const api = this.#api;
    return {
      run: (send) => api.context.with(api.trace.setSpan(api.context.active(), span), send),
      end: (durationMs, errorType, expected = false) => {
        if (errorType === undefined) {
          record?.(durationMs / 1000, shape.attributes);
        } else {
          record?.(durationMs / 1000, { ...shape.attributes, [OTEL_ATTR.errorType]: errorType });
          span.setAttribute(OTEL_ATTR.errorType, errorType);
          if (!expected) span.setStatus({ code: api.SpanStatusCode.ERROR, message: errorType });
        }
        span.end();
      },
    };
  }

  /** Span name and attributes of a call, built once per operation: `GetItem <tableBaseName>`. */
  #shapeOf(operation: string, hasTable: boolean): CallShape {
    const key = hasTable ? operation : `${operation}/`;
    let shape = this.#calls.get(key);
    if (shape === undefined) {
      const attributes: Attributes = { [OTEL_ATTR.dbSystemName]: DB_SYSTEM_DYNAMODB, [OTEL_ATTR.dbOperationName]: operation };
      if (hasTable) attributes[OTEL_ATTR.dbCollectionName] = this.#tableBaseName;
      shape = { name: hasTable ? `${operation} ${this.#tableBaseName}` : operation, attributes: Object.freeze(attributes) };
      this.#calls.set(key, shape);
    }
    return shape;
  }
}
