// OpenTelemetry beside statsd: the public face of metrics/otel. Re-exports only.

export { createTelemetry } from './create-telemetry.js';
export { noopTelemetry } from './telemetry.js';
export type { Telemetry, DbCallTelemetry } from './telemetry.js';
export type { OpenTelemetryOptions, OpenTelemetryMeterProvider, OpenTelemetryTracerProvider, ResolvedOpenTelemetryOptions } from './options.js';
export {
  OTEL_ATTR,
  OTEL_METRIC,
  OTEL_ROUTES,
  OTEL_SCOPE,
  STORE_SPAN,
  DB_SYSTEM_DYNAMODB,
  DURATION_BUCKETS_SECONDS,
} from './names.js';
export type { OtelMetricName, OtelRoute, OtelInstrument, OtelInstrumentKind, StoreOperation } from './names.js';
