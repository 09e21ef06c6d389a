// The store's OpenTelemetry metrics on a Prometheus endpoint and its spans on the console, through
// the OpenTelemetry Node SDK (npm install @opentelemetry/sdk-node @opentelemetry/exporter-prometheus).
// Run: npm run build && npx tsx examples/opentelemetry.ts
//   app on http://localhost:3000 (PORT), metrics on http://localhost:9464/metrics (METRICS_PORT)
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { NodeSDK, tracing } from '@opentelemetry/sdk-node';
import express from 'express';
import session from 'express-session';
import { DynamoSessionStore, sessionTracker } from 'dynamo-session-manager';
import { startLocalDynamo } from 'dynamo-session-manager/local';

declare module 'express-session' {
  interface SessionData {
    views?: number;
  }
}

// Start the SDK first: it registers the global MeterProvider and TracerProvider the store records through.
const sdk = new NodeSDK({
  serviceName: 'sessions-example',
  metricReader: new PrometheusExporter({ port: Number(process.env.METRICS_PORT ?? 9464) }),
  traceExporter: new tracing.ConsoleSpanExporter(),
});
sdk.start();

const local = await startLocalDynamo(); // an embedded DynamoDB-compatible server; against AWS, drop it and `dynamoEndpoint`
const store = new DynamoSessionStore({ dynamoEndpoint: local.endpoint, tableBaseName: 'example-sessions' });
await store.ready();

const app = express();
app.use(sessionTracker(store));
app.use(session({ store, secret: process.env.SESSION_SECRET ?? 'replace me with a long random secret', resave: false, saveUninitialized: false }));
app.get('/', (req, res) => {
  req.session.views = (req.session.views ?? 0) + 1;
  res.json({ views: req.session.views });
});

const server = app.listen(Number(process.env.PORT ?? 3000), () => {
  console.log(`Express listening on http://localhost:${(server.address() as { port: number }).port}; metrics on http://localhost:${process.env.METRICS_PORT ?? 9464}/metrics`);
});
process.once('SIGINT', () => {
  server.close(() => void store.close().then(() => Promise.all([local.stop(), sdk.shutdown()])));
});
