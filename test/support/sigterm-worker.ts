// A process whose store has a session moving forward in the background, held up by a proxy for
// far longer than a second, when it gets SIGTERM. Started with `node --import tsx`; tells the
// parent over IPC when the move is in flight; the store's warnings go to stdout.
import { DynamoSessionStore } from '../../src/index.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`sigterm-worker: ${name} is not set`);
  return value;
};

const periodMs = 3_600_000;
let nowMs = Math.floor(Date.now() / periodMs) * periodMs + periodMs / 2;
const store = new DynamoSessionStore({
  dynamoEndpoint: env('WORKER_ENDPOINT'),
  tableBaseName: env('WORKER_BASE'),
  tableRotationSeconds: periodMs / 1000,
  maxInactiveInterval: (2 * periodMs) / 1000,
  maintenanceIntervalSeconds: 0,
  closeOnSigterm: true,
  // What the store says when it closes: the parent reads the warning about dropped writes.
  logger: {
    debug: () => undefined,
    info: () => undefined,
    error: () => undefined,
    warn: (fields: unknown, message?: string) => process.stdout.write(`${message ?? ''} ${JSON.stringify(fields)}\n`),
  },
  // The proxy holds writes for a minute: the move must not be retried or timed out first.
  requestTimeoutMs: 120_000,
  operationTimeoutMs: 120_000,
  now: () => nowMs,
});
await store.ready();
const id = 'sigterm-session-0001';
const cookie = { originalMaxAge: null, expires: null };
await store.core.set(id, { cookie, n: 1 });
nowMs += periodMs; // the next period: the session is in the previous table now
await store.maintain();
const loaded = await store.core.get(id);
if (loaded === null) throw new Error('sigterm-worker: the session was not found');
// An unchanged session found in the previous table moves forward after the response: fence
// (an UpdateItem, held up by the proxy), then copy.
await store.core.touch(id, loaded.session, { load: loaded.context });
process.send?.({ ready: true });
setInterval(() => undefined, 60_000); // stays alive until a signal ends it
