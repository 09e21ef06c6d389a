// Fastify + @fastify/session with sessions in DynamoDB.
// Run: npm run build && npx tsx examples/fastify.ts   (PORT=3000 by default; Ctrl-C stops everything)
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import Fastify from 'fastify';
import { DynamoSessionStore } from 'dynamo-session-manager';
import { fastifySessionTracker } from 'dynamo-session-manager/fastify';
import { startLocalDynamo } from 'dynamo-session-manager/local';

declare module 'fastify' {
  interface Session {
    views?: number;
  }
}

// An embedded DynamoDB-compatible server (dynalite). Against AWS, drop it and `dynamoEndpoint`.
const local = await startLocalDynamo();
const store = new DynamoSessionStore({ dynamoEndpoint: local.endpoint, tableBaseName: 'example-sessions', ignoreUris: '/health' });
await store.ready();

const app = Fastify();
await app.register(fastifyCookie);
await app.register(fastifySessionTracker, { store }); // before @fastify/session
await app.register(fastifySession, {
  store,
  secret: process.env.SESSION_SECRET ?? 'replace me with a long random secret, 32+ chars',
  saveUninitialized: false, // no item for visitors whose session holds nothing
  cookie: { secure: 'auto' }, // Secure over HTTPS only
});
app.get('/', async (request) => {
  const views = (request.session.get('views') ?? 0) + 1;
  request.session.set('views', views);
  return { views };
});
app.get('/health', async () => 'ok'); // matches ignoreUris: never writes a session or sets a cookie
app.addHook('onClose', async () => {
  await store.close();
  await local.stop();
});

const address = await app.listen({ port: Number(process.env.PORT ?? 3000) });
console.log(`Fastify listening on ${address}`);
process.once('SIGINT', () => void app.close());
