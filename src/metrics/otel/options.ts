/**
 * What the store needs of an OpenTelemetry `MeterProvider`: `getMeter`. Any provider of
 * `@opentelemetry/sdk-metrics` (or the Node SDK's) fits. Declared here, structurally, so that the
 * package's types do not depend on `@opentelemetry/api`, an optional peer dependency.
 */
export interface OpenTelemetryMeterProvider {
  getMeter(name: string, version?: string, options?: object): unknown;
}

/** What the store needs of an OpenTelemetry `TracerProvider`: `getTracer`. */
export interface OpenTelemetryTracerProvider {
  getTracer(name: string, version?: string, options?: object): unknown;
}

/**
 * Where the store's OpenTelemetry metrics and spans go, when not to the global providers.
 *
 * @example
 * ```ts
 * import { MeterProvider } from '@opentelemetry/sdk-metrics';
 * const meterProvider = new MeterProvider();
 * const store = new DynamoSessionStore({ openTelemetry: { meterProvider } });
 * ```
 */
export interface OpenTelemetryOptions {
  /** The MeterProvider to record into. @default the global one (`metrics.getMeterProvider()`) */
  meterProvider?: OpenTelemetryMeterProvider;
  /** The TracerProvider to start spans with. @default the global one (`trace.getTracerProvider()`) */
  tracerProvider?: OpenTelemetryTracerProvider;
}

/**
 * The `openTelemetry` option, resolved:
 * - `off`: nothing is loaded or recorded (`openTelemetry: false`);
 * - `auto`: `@opentelemetry/api` is used when it is installed, silently skipped when not (the default);
 * - `required`: `@opentelemetry/api` must be installed (`true`, or providers given).
 */
export type ResolvedOpenTelemetryOptions =
  | { readonly mode: 'off' }
  | {
      readonly mode: 'auto' | 'required';
      readonly meterProvider: OpenTelemetryMeterProvider | undefined;
      readonly tracerProvider: OpenTelemetryTracerProvider | undefined;
    };
