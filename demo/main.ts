// The demo behind `npm start`: an Express app on an embedded DynamoDB-compatible server.
// It imports only the package's public entry points, so it exercises the exports map.
import express from 'express';
import session from 'express-session';
import { DynamoSessionStore, sessionTracker } from 'dynamo-session-manager';
import { startLocalDynamo } from 'dynamo-session-manager/local';

declare module 'express-session' {
  interface SessionData {
    views?: number;
  }
}

const port = Number(process.env.PORT ?? 3000);
const local = process.env.DSM_ENDPOINT === undefined ? await startLocalDynamo({ dataDir: process.env.DSM_MEMORY === '1' ? undefined : (process.env.DSM_DATA_DIR ?? './.dsm-data') } as never) : undefined;
const store = new DynamoSessionStore({
  dynamoEndpoint: process.env.DSM_ENDPOINT ?? local?.endpoint,
  tableBaseName: 'demo-sessions',
  tableRotationSeconds: Number(process.env.DSM_ROTATION_SECONDS ?? 60),
  maxInactiveInterval: Number(process.env.DSM_ROTATION_SECONDS ?? 60),
  ignoreUris: '/static/.*',
} as never);
await store.ready();

const app = express();
app.use(sessionTracker(store));
app.use(session({ store, secret: 'demo secret, not for production', resave: false, saveUninitialized: false }));
app.get('/', (req, res) => {
  req.session.views = (req.session.views ?? 0) + 1;
  res.type('html').send(`<h1>dynamo-session-manager</h1><p>You have visited ${req.session.views} times.</p>`);
});
const server = app.listen(port, '127.0.0.1', () => console.log(`Demo running at http://127.0.0.1:${port}/`));
const stop = async () => {
  server.close();
  await store.close();
  await local?.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
