// Express + express-session on AWS Lambda (API Gateway HTTP API), with sessions in DynamoDB, and
// the scheduled function that maintains the session tables. One file, two handlers: deploy it
// as two functions (docs/deployment.md has the whole setup):
//   - `handler`: the web function, behind API Gateway; IAM: `dsm iam-policy --role request`;
//   - `maintain`: on an EventBridge schedule, rate(2 minutes) (the next table is created in the last
//     five minutes of a period, so a round must fall in that window); IAM: `dsm iam-policy --role maintainer`.
// Needs: npm install dynamo-session-manager express express-session serverless-http
import express from 'express';
import session from 'express-session';
import serverless from 'serverless-http';
import { DynamoSessionStore, sessionTracker, type DynamoSessionStoreOptions } from 'dynamo-session-manager';
import { createMaintenanceHandler } from 'dynamo-session-manager/lambda';

declare module 'express-session' {
  interface SessionData {
    views?: number;
  }
}

// The same table settings for both functions: they must agree on the table names.
const tables: DynamoSessionStoreOptions = {
  tableBaseName: process.env.SESSION_TABLE ?? 'sessions',
  expiry: 'rotation',
  tableRotationSeconds: 86_400,
};

// Module scope runs once per cold start. Under Lambda (AWS_LAMBDA_FUNCTION_NAME is set) the store
// is in serverless mode by itself: no timer, no control-plane call (a cold start costs nothing
// until the first request's GetItem), and every write done before the response is handed back.
const store = new DynamoSessionStore(tables);

const app = express();
app.set('trust proxy', true); // API Gateway terminates TLS: the secure cookie needs X-Forwarded-Proto
app.use(sessionTracker(store)); // before express-session
app.use(
  session({
    store,
    secret: process.env.SESSION_SECRET ?? 'replace me with a long random secret',
    resave: false,
    saveUninitialized: false,
    cookie: { secure: true, httpOnly: true, sameSite: 'lax' },
  }),
);
app.get('/', (req, res) => {
  req.session.views = (req.session.views ?? 0) + 1;
  res.json({ views: req.session.views });
});

/** The web function's handler (API Gateway HTTP API, payload 2.0, or REST API). */
export const handler = serverless(app);

/**
 * The maintenance function's handler: one full table maintenance round per scheduled invocation
 * (creates the next period's table ahead of it, deletes tables past the longest lifetime), and a
 * summary of what it did as the result.
 */
export const maintain = createMaintenanceHandler(tables);
