// A Lambda execution environment, as far as the store can tell: AWS_LAMBDA_FUNCTION_NAME is set
// (serverless mode by default), an Express app is wrapped by a real Lambda adapter
// (serverless-http), and invocations (API Gateway HTTP API v2 events) arrive over IPC; the parent
// freezes the process with SIGSTOP between them and thaws it with SIGCONT, as Lambda does.
// Started with `node --import tsx`. Every DynamoDB request the store sends is watched at the
// client's request handler: each reply says how many were in flight when the adapter handed the
// response back, and how many started between the previous response and this invocation.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import express from 'express';
import session from 'express-session';
import serverless from 'serverless-http';
import { DynamoSessionStore, sessionTracker } from '../../src/index.js';

declare module 'express-session' {
  interface SessionData {
    views?: number;
  }
}

/** An invocation the parent sends. */
export interface LambdaInvocation {
  readonly event: Record<string, unknown>;
  /** The function's timeout: the invocation fails if the handler takes longer. */
  readonly timeoutMs: number;
}

/** What the worker answers for each invocation. */
export interface LambdaReply {
  readonly response?: { statusCode: number; body: string; cookies?: string[]; headers?: Record<string, string> };
  readonly error?: string;
  readonly timedOut: boolean;
  /** DynamoDB requests still in flight when the adapter handed the response back. */
  readonly inFlightAtResponse: number;
  /** DynamoDB requests started after the previous response and before this invocation. */
  readonly startedBetweenInvocations: number;
  /** Every DynamoDB operation sent so far, by name. */
  readonly calls: Record<string, number>;
  /**
   * Saves that failed so far (`session.save.error`). express-session sends the status before its
   * save has finished, so a failed save still answers 200: a write lost behind a success.
   */
  readonly saveErrors: number;
  readonly serverless: boolean;
}

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`lambda-worker: ${name} is not set`);
  return value;
};

let inFlight = 0;
let between = 0;
let invoking = false;
const calls: Record<string, number> = {};

/** Counts and watches every request the store's client sends over the wire. */
class WatchingHandler extends NodeHttpHandler {
  override async handle(...args: Parameters<NodeHttpHandler['handle']>): ReturnType<NodeHttpHandler['handle']> {
    const target = args[0].headers['x-amz-target'] ?? 'unknown';
    const name = target.slice(target.lastIndexOf('.') + 1);
    calls[name] = (calls[name] ?? 0) + 1;
    if (!invoking) between += 1;
    inFlight += 1;
    try {
      return await super.handle(...args);
    } finally {
      inFlight -= 1;
    }
  }
}

// The module scope of a Lambda function: built once at the cold start, reused while warm.
const client = new DynamoDBClient({
  endpoint: env('WORKER_ENDPOINT'),
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  requestHandler: new WatchingHandler({ requestTimeout: 2000, connectionTimeout: 1000 }),
});
const store = new DynamoSessionStore({ client, ...(JSON.parse(env('WORKER_STORE_OPTIONS')) as Record<string, unknown>) });
const app = express();
app.use(sessionTracker(store));
app.use(session({ store, secret: 'lambda worker secret, long enough', resave: false, saveUninitialized: false }));
app.get('/count', (req, res) => {
  req.session.views = (req.session.views ?? 0) + 1;
  res.json({ views: req.session.views });
});
app.get('/peek', (req, res) => {
  res.json({ views: req.session.views ?? null });
});
const handler = serverless(app);

process.on('message', (message: LambdaInvocation) => {
  const startedBetweenInvocations = between;
  between = 0;
  invoking = true;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), message.timeoutMs);
  });
  const reply = (fields: Pick<LambdaReply, 'response' | 'error' | 'timedOut'>): void => {
    clearTimeout(timer);
    const inFlightAtResponse = inFlight;
    invoking = false;
    const answer: LambdaReply = { ...fields, inFlightAtResponse, startedBetweenInvocations, calls: { ...calls }, saveErrors: store.metrics().counters['session.save.error'].total, serverless: store.core.options.serverless };
    process.send?.(answer);
  };
  Promise.race([handler(message.event, { functionName: env('AWS_LAMBDA_FUNCTION_NAME') }), timeout]).then(
    (result) => reply(result === 'timeout' ? { timedOut: true } : { response: result as NonNullable<LambdaReply['response']>, timedOut: false }),
    (error: unknown) => reply({ error: String(error), timedOut: false }),
  );
});
process.send?.({ ready: true });
