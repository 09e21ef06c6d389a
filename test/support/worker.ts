// One app server of the many-servers test: its own process, its own store and its own clock,
// running faster than real time and offset from the others. Started with `node --import tsx`.
import { DynamoSessionStore } from '../../src/index.js';
import { createTestApp } from './express-app.js';
import { expressVersion } from './express-versions.js';
import { serve } from './http.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`worker: ${name} is not set`);
  return value;
};

const epoch = Number(env('WORKER_EPOCH_MS'));
const speed = Number(env('WORKER_SPEED'));
const offsetMs = Number(env('WORKER_OFFSET_MS'));
const clock = () => epoch + (Date.now() - epoch) * speed + offsetMs;

const store = new DynamoSessionStore({
  dynamoEndpoint: env('WORKER_ENDPOINT'),
  tableBaseName: env('WORKER_BASE'),
  tableRotationSeconds: Number(env('WORKER_PERIOD_SECONDS')),
  maxInactiveInterval: Number(env('WORKER_PERIOD_SECONDS')) * 2,
  // Tables are kept for the longest lifetime: here the shortest allowed, the idle timeout (two
  // periods: the previous table and one more), not the default 30 periods.
  longestLifetimeSeconds: Number(env('WORKER_PERIOD_SECONDS')) * 2,
  clockSkewSeconds: Number(env('WORKER_SKEW_SECONDS')),
  maintenanceIntervalSeconds: 0.2,
  now: clock,
});
await store.ready();
const app = createTestApp(expressVersion(env('WORKER_EXPRESS_MAJOR')), store);
app.get('/_metrics', (_req, res) => {
  res.json(store.metrics().counters);
});
const server = await serve(app);
process.send?.({ url: server.url });

const stop = async () => {
  await server.close();
  await store.close();
  process.exit(0);
};
process.on('disconnect', () => void stop());
process.on('SIGTERM', () => void stop());
