// Express + express-session with sessions in DynamoDB.
// Run: npm run build && npx tsx examples/express.ts   (PORT=3000 by default; Ctrl-C stops everything)
import express from 'express';
import session from 'express-session';
import { DynamoSessionStore, sessionTracker } from 'dynamo-session-manager';
import { startLocalDynamo } from 'dynamo-session-manager/local';

declare module 'express-session' {
  interface SessionData {
    views?: number;
  }
}

// An embedded DynamoDB-compatible server (dynalite). Against AWS, drop it and `dynamoEndpoint`.
const local = await startLocalDynamo();
const store = new DynamoSessionStore({ dynamoEndpoint: local.endpoint, tableBaseName: 'example-sessions', ignoreUris: '/health' });
await store.ready();

const app = express();
app.use(sessionTracker(store)); // before express-session
app.use(session({ store, secret: process.env.SESSION_SECRET ?? 'replace me with a long random secret', resave: false, saveUninitialized: false }));
app.get('/', (req, res) => {
  req.session.views = (req.session.views ?? 0) + 1;
  res.json({ views: req.session.views });
});
app.get('/health', (_req, res) => {
  res.send('ok'); // matches ignoreUris: never writes a session or sets a cookie
});

const server = app.listen(Number(process.env.PORT ?? 3000), () => {
  console.log(`Express listening on http://localhost:${(server.address() as { port: number }).port}`);
});
process.once('SIGINT', () => {
  server.close(() => void store.close().then(() => local.stop()));
});
