// Koa + koa-session with sessions in DynamoDB.
// Run: npm run build && npx tsx examples/koa.ts   (PORT=3000 by default; Ctrl-C stops everything)
import Koa from 'koa';
import session from 'koa-session';
import { koaSessionStore, koaSessionTracker } from 'dynamo-session-manager/koa';
import { startLocalDynamo } from 'dynamo-session-manager/local';

// An embedded DynamoDB-compatible server (dynalite). Against AWS, drop it and `dynamoEndpoint`.
const local = await startLocalDynamo();
const store = koaSessionStore({ dynamoEndpoint: local.endpoint, tableBaseName: 'example-sessions', ignoreUris: '/health' });
await store.ready();

const app = new Koa();
app.keys = [process.env.SESSION_SECRET ?? 'replace me with a long random secret'];
app.use(koaSessionTracker(store)); // before koa-session
app.use(session({ store }, app));
app.use((ctx) => {
  if (ctx.path === '/health') {
    ctx.body = 'ok'; // matches ignoreUris: never writes a session or sets a cookie
    return;
  }
  ctx.session.views = (ctx.session.views ?? 0) + 1;
  ctx.body = { views: ctx.session.views };
});

const server = app.listen(Number(process.env.PORT ?? 3000), () => {
  console.log(`Koa listening on http://localhost:${(server.address() as { port: number }).port}`);
});
process.once('SIGINT', () => {
  server.close(() => void store.close().then(() => local.stop()));
});
