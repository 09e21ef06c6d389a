/**
 * Issue 17: an Express app behind a real Lambda adapter (serverless-http) in a child process that
 * Lambda-like freezes with SIGSTOP between invocations and thaws with SIGCONT, while the table
 * rotation goes on (a 2 s period) and the scheduled maintenance handler runs (here, from the
 * parent while the child is frozen). Nothing is lost, nothing times out, no DynamoDB work is left
 * after a response, and the session is served right after each thaw.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { createMaintenanceHandler } from 'dynamo-session-manager/lambda';
import type { DynamoSessionStoreOptions } from 'dynamo-session-manager';
import { createTestClient, dropTablesWithPrefix, testEndpoint, uniqueBaseName } from '../support/dynamo.js';
import { CONTROL_PLANE } from '../support/counting-client.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import type { LambdaInvocation, LambdaReply } from '../support/lambda-worker.js';

const PERIOD_MS = 2000;
const TIMEOUT_MS = 3000; // Lambda's default function timeout
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An API Gateway HTTP API (payload 2.0) event for GET `path` with the browser's cookies. */
function httpApiEvent(path: string, cookies: readonly string[], n: number): Record<string, unknown> {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    ...(cookies.length === 0 ? {} : { cookies: [...cookies] }),
    headers: { host: 'abc123.execute-api.eu-west-1.amazonaws.com', 'user-agent': 'lambda-test', 'x-forwarded-proto': 'https' },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: 'lambda-test' },
      requestId: `req-${n}`,
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body: '',
    isBase64Encoded: false,
  };
}

/** Sends one invocation and resolves with the worker's reply. */
async function invoke(child: ChildProcess, invocation: LambdaInvocation): Promise<LambdaReply> {
  const replied = once(child, 'message') as Promise<[LambdaReply]>;
  child.send(invocation);
  return (await replied)[0];
}

/** Resolves a little after the next rotation boundary: the clock has to pass it; there is no event to wait for. */
function pastNextRotation(): Promise<void> {
  const msToBoundary = PERIOD_MS - (Date.now() % PERIOD_MS);
  return new Promise((resolve) => setTimeout(resolve, msToBoundary + 100));
}

const total = (calls: Record<string, number>): number => Object.values(calls).reduce((a, b) => a + b, 0);

describe('an Express app on serverless-http, frozen and thawed as Lambda does', () => {
  it('loses no write, never times out, leaves no DynamoDB work after a response, and serves the session right after each thaw, across rotations', async () => {
    const base = uniqueBaseName('lambda-app');
    const admin = createTestClient();
    cleanups.push(async () => {
      await dropTablesWithPrefix(admin, base);
      admin.destroy();
    });
    const options: DynamoSessionStoreOptions = { tableBaseName: base, expiry: 'rotation', tableRotationSeconds: PERIOD_MS / 1000, maxInactiveInterval: 30, longestLifetimeSeconds: 30, clockSkewSeconds: 0.2 };
    // The scheduled maintenance function: it runs while the request function is frozen.
    const maintenance = createMaintenanceHandler({ ...options, client: admin });
    cleanups.push(() => maintenance.close());
    await maintenance();

    const proxy = await startFaultProxy(testEndpoint()); // sees every request of the request function, and only those
    cleanups.push(() => proxy.close());
    const child = fork(new URL('../support/lambda-worker.ts', import.meta.url).pathname, [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, AWS_LAMBDA_FUNCTION_NAME: 'dsm-lambda-test', WORKER_ENDPOINT: proxy.endpoint, WORKER_STORE_OPTIONS: JSON.stringify(options) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGCONT');
        child.kill('SIGKILL');
        await exited;
      }
    });
    await once(child, 'message'); // the cold start is done (module scope: store, app, adapter)

    const paths = ['/count', '/peek', '/count', '/count', '/peek', '/count', '/peek', '/count'];
    let views = 0;
    let cookies: string[] = [];
    let rotations = 0;
    const replies: LambdaReply[] = [];
    for (const [n, path] of paths.entries()) {
      const sentMs = performance.now();
      const reply = await invoke(child, { event: httpApiEvent(path, cookies, n), timeoutMs: TIMEOUT_MS });
      const tookMs = performance.now() - sentMs;
      replies.push(reply);
      const atResponse = total(proxy.calls());
      expect(reply.error).toBeUndefined();
      expect(reply.timedOut, `invocation ${n} (${path}) timed out`).toBe(false);
      expect(tookMs).toBeLessThan(TIMEOUT_MS);
      expect(reply.response?.statusCode).toBe(200);
      // No write lost behind that 200 (express-session answers before its save has finished).
      expect(reply.saveErrors, `invocation ${n} (${path}): a save failed`).toBe(0);
      if (path === '/count') views += 1;
      // Served right after the thaw: the session, with every write before it.
      expect(JSON.parse(reply.response!.body)).toEqual({ views });
      // API Gateway v2 takes Set-Cookie from `cookies` or from the headers (serverless-http puts a single one there).
      const setCookies = [...(reply.response?.cookies ?? []), ...(reply.response?.headers?.['set-cookie'] === undefined ? [] : [reply.response.headers['set-cookie']])];
      if (setCookies.length > 0) cookies = setCookies.map((c) => c.split(';')[0]!);
      expect(cookies).toHaveLength(1);
      // No work after the response: nothing in flight when it was handed back.
      expect(reply.inFlightAtResponse, `invocation ${n}: DynamoDB requests in flight at the response`).toBe(0);
      if (n === paths.length - 1) break;

      // Frozen, as Lambda freezes an environment between invocations; the rotation goes on and
      // the scheduled maintenance runs.
      child.kill('SIGSTOP');
      await pastNextRotation();
      rotations += 1;
      const round = await maintenance();
      expect(round.tables.some((t) => t.role === 'current')).toBe(true);
      expect(total(proxy.calls())).toBe(atResponse); // nothing reached DynamoDB from the frozen function
      child.kill('SIGCONT');
    }

    expect(rotations).toBeGreaterThanOrEqual(2);
    expect(replies.every((r) => r.serverless)).toBe(true); // AWS_LAMBDA_FUNCTION_NAME turned serverless mode on
    // Nothing started between a response and the next invocation (timers, writes left behind).
    expect(replies.map((r) => r.startedBetweenInvocations)).toEqual(paths.map(() => 0));
    // Not one control-plane call from the request function, at its cold start or after.
    const calls = proxy.calls();
    expect(CONTROL_PLANE.filter((op) => (calls[op] ?? 0) > 0)).toEqual([]);
    expect(calls).toEqual(replies.at(-1)!.calls);
    // Unchanged sessions moved forward within their requests after rotations: fences (UpdateItem) and copies (PutItem).
    expect(calls.UpdateItem ?? 0).toBeGreaterThan(0);
  }, 60_000);
});
