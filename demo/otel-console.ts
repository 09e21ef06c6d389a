// `DSM_OTEL=console npm start`: the OpenTelemetry Node SDK prints the store's spans as they end
// and its metrics every 10 s on the console. Loaded only when asked for.
import { metrics, NodeSDK, tracing } from '@opentelemetry/sdk-node';

/** How often the console metric exporter prints, in milliseconds. */
const EXPORT_INTERVAL_MS = 10_000;

/**
 * Starts the OpenTelemetry Node SDK with console exporters, registering the global providers the
 * store records through. Call it before building the store.
 *
 * @returns a function that flushes and stops the SDK.
 */
export function startConsoleTelemetry(): () => Promise<void> {
  const sdk = new NodeSDK({
    serviceName: 'dynamo-session-manager-demo',
    traceExporter: new tracing.ConsoleSpanExporter(),
    metricReader: new metrics.PeriodicExportingMetricReader({ exporter: new metrics.ConsoleMetricExporter(), exportIntervalMillis: EXPORT_INTERVAL_MS }),
  });
  sdk.start();
  return () => sdk.shutdown();
}
