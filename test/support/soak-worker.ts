// One app server of the soak test (test/integration/soak.test.ts): its own process, its own
// store and its own virtual clock: `WORKER_VIRTUAL_START_MS` at real time `WORKER_REAL_START_MS`,
// running `WORKER_SPEED` times faster than real time, offset by `WORKER_OFFSET_MS` from the others. Started with
// `node --import tsx`; tells its parent its URL over IPC once the store is ready.
import { DynamoSessionStore } from '../../src/index.js';
import { createTestApp } from './express-app.js';
import { expressVersion } from './express-versions.js';
import { serve } from './http.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`soak worker: ${name} is not set`);
  return value;
};

const realStart = Number(env('WORKER_REAL_START_MS'));
const virtualStart = Number(env('WORKER_VIRTUAL_START_MS'));
const speed = Number(env('WORKER_SPEED'));
const offsetMs = Number(env('WORKER_OFFSET_MS'));
const clock = () => virtualStart + (Date.now() - realStart) * speed + offsetMs;

process.on('unhandledRejection', (reason) => {
  process.stderr.write(`soak worker: unhandled rejection: ${String(reason)}\n`);
});

const store = new DynamoSessionStore({
  dynamoEndpoint: env('WORKER_ENDPOINT'),
  tableBaseName: env('WORKER_BASE'),
  tableRotationSeconds: Number(env('WORKER_PERIOD_SECONDS')),
  maxInactiveInterval: Number(env('WORKER_MAX_INACTIVE_SECONDS')),
  clockSkewSeconds: Number(env('WORKER_SKEW_SECONDS')),
  maintenanceIntervalSeconds: Number(env('WORKER_MAINTENANCE_SECONDS')),
  now: clock,
});
await store.ready();
const app = createTestApp(expressVersion(env('WORKER_EXPRESS_MAJOR')), store);
app.get('/_metrics', (_req, res) => {
  res.json(store.metrics().counters);
});
// POST /logout, telling which session it destroyed: a logout that did not find the browser's
// session destroys a fresh one instead, and the test must know.
app.post('/soak/logout', (req, res, next) => {
  const destroyed = req.sessionID;
  req.session.destroy((err) => (err ? next(err) : res.json({ ok: true, destroyed })));
});
const server = await serve(app);
process.send?.({ url: server.url });

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.close();
  await store.close();
  process.exit(0);
};
process.on('disconnect', () => void stop());
process.on('SIGTERM', () => void stop());
