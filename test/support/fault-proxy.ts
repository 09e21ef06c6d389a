import { randomUUID } from 'node:crypto';
import {
  Agent,
  createServer,
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * What the proxy does with a matching request.
 *
 * - `pass`: forward it to the target unchanged.
 * - `refuse`: reset the connection at once (TCP RST), no HTTP answer; the SDK fails with `code: 'ECONNRESET'`.
 * - `hang`: read the request and never answer, until the client gives up or the proxy closes.
 * - `delay`: forward it after `ms` milliseconds.
 * - `throttle`: HTTP 400 `ProvisionedThroughputExceededException`, as DynamoDB sends it.
 * - `error500`: HTTP 500 `InternalServerError`, as DynamoDB sends it.
 * - `limitExceeded`: HTTP 400 `LimitExceededException`, DynamoDB's answer when the control plane
 *   (CreateTable, DescribeTable...) is called too often.
 * - `drop`: apply, then drop the answer. The request is forwarded and the whole upstream answer
 *   read (so the target has applied a write), then the client's connection is reset without a
 *   byte of it: the client fails with `code: 'ECONNRESET'` and cannot tell whether its write
 *   happened. This is the "lost answer" of a real network.
 */
export type Fault =
  | { kind: 'pass' }
  | { kind: 'refuse' }
  | { kind: 'hang' }
  | { kind: 'delay'; ms: number }
  | { kind: 'throttle' }
  | { kind: 'limitExceeded' }
  | { kind: 'error500' }
  | { kind: 'drop' };

/** Which requests a fault applies to. */
export interface FaultOptions {
  /** DynamoDB operation names (`GetItem`, from `X-Amz-Target`). @default every operation */
  operations?: readonly string[];
  /** Fault only the next `times` matching requests, then pass. @default no limit */
  times?: number;
  /**
   * Fault only every `every`-th matching request (the `every`-th, the `2 × every`-th, ...) and
   * pass the others: `every: 3` drops 1 write in 3, deterministically. Requests passed this way
   * do not use up `times`. @default 1 (every matching request)
   */
  every?: number;
}

/** A real HTTP proxy on 127.0.0.1 between a DynamoDB client and a DynamoDB-compatible server. */
export interface FaultProxy {
  /** `http://127.0.0.1:<port>`, to give the client as its endpoint. */
  readonly endpoint: string;
  /** The TCP port the proxy listens on; it keeps it across `stopListening()`/`resumeListening()`. */
  readonly port: number;
  /** Applies `fault` to the next matching requests; replaces any earlier fault. */
  setFault(fault: Fault, options?: FaultOptions): void;
  /** Back to pass-through. Requests already hanging stay hung. */
  clearFault(): void;
  /** Requests that reached the proxy, per operation (`unknown` without `X-Amz-Target`). */
  calls(): Record<string, number>;
  /** Requests that got a fault other than `pass`, per operation. */
  faultedCalls(): Record<string, number>;
  /** Zeroes `calls()` and `faultedCalls()`. */
  resetCounts(): void;
  /**
   * Stops accepting connections and destroys the open ones, so clients get `ECONNREFUSED`
   * until `resumeListening()`. Idempotent.
   */
  stopListening(): Promise<void>;
  /** Listens again on the same port. Rejects (`EADDRINUSE`) if something took the port meanwhile. */
  resumeListening(): Promise<void>;
  /** Closes the server and destroys every socket, hung ones included. Never hangs; idempotent. */
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

const THROTTLE_BODY = JSON.stringify({
  __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
  message:
    'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
});

const LIMIT_EXCEEDED_BODY = JSON.stringify({
  __type: 'com.amazonaws.dynamodb.v20120810#LimitExceededException',
  message: 'Too many operations for a given subscriber.',
});

const INTERNAL_ERROR_BODY = JSON.stringify({
  __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
  message: 'Internal server error',
});

interface ActiveFault {
  fault: Fault;
  operations: ReadonlySet<string> | undefined;
  remaining: number | undefined;
  every: number;
  /** Matching requests seen since the fault was set. */
  matched: number;
}

/** The operation name from `X-Amz-Target: DynamoDB_20120810.GetItem`, or `unknown`. */
function operationOf(req: IncomingMessage): string {
  const target = req.headers['x-amz-target'];
  if (typeof target !== 'string' || target === '') return 'unknown';
  const dot = target.lastIndexOf('.');
  return dot === -1 ? target : target.slice(dot + 1);
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/**
 * Starts a fault-injecting HTTP proxy on 127.0.0.1 (a free port) in front of `targetEndpoint`.
 * It forwards method, path, headers and body, and pipes the answer back, unless a fault says otherwise.
 *
 * @example
 * ```ts
 * const proxy = await startFaultProxy(testEndpoint());
 * proxy.setFault({ kind: 'throttle' }, { operations: ['GetItem'], times: 1 });
 * // ... a client on proxy.endpoint gets ProvisionedThroughputExceededException once
 * proxy.setFault({ kind: 'drop' }, { operations: ['PutItem', 'UpdateItem', 'DeleteItem'], every: 3 });
 * // ... 1 write in 3 is applied but its answer lost (ECONNRESET)
 * await proxy.close();
 * ```
 */
export async function startFaultProxy(targetEndpoint: string): Promise<FaultProxy> {
  const target = new URL(targetEndpoint);
  if (target.protocol !== 'http:') throw new Error(`startFaultProxy: only http targets are supported, got ${targetEndpoint}`);
  const targetHost = target.hostname;
  const targetPort = target.port === '' ? 80 : Number(target.port);

  const upstreamAgent = new Agent({ keepAlive: true });
  const sockets = new Set<Socket>();
  const upstreamRequests = new Set<ClientRequest>();
  const timers = new Set<NodeJS.Timeout>();
  const callCounts = new Map<string, number>();
  const faultCounts = new Map<string, number>();
  let active: ActiveFault | undefined;
  let closed = false;
  let listening = false;

  /** The fault for this request, consuming one of `times`; `pass` when none applies. */
  function takeFault(operation: string): Fault {
    if (active === undefined) return { kind: 'pass' };
    if (active.operations !== undefined && !active.operations.has(operation)) return { kind: 'pass' };
    active.matched += 1;
    if (active.matched % active.every !== 0) return { kind: 'pass' };
    if (active.remaining !== undefined) {
      if (active.remaining <= 0) return { kind: 'pass' };
      active.remaining -= 1;
    }
    return active.fault;
  }

  /**
   * Sends the request on to the target; `onAnswer` gets its answer, `onError` a failed upstream call.
   * The upstream call stops when the client goes away before the answer.
   */
  function sendUpstream(req: IncomingMessage, res: ServerResponse, onAnswer: (answer: IncomingMessage) => void, onError: (error: Error) => void): void {
    const upstream = httpRequest(
      { host: targetHost, port: targetPort, method: req.method, path: req.url, headers: req.headers, agent: upstreamAgent },
      onAnswer,
    );
    upstreamRequests.add(upstream);
    upstream.once('close', () => upstreamRequests.delete(upstream));
    upstream.once('error', onError);
    res.once('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  function forward(req: IncomingMessage, res: ServerResponse): void {
    sendUpstream(
      req,
      res,
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.headers);
        answer.pipe(res);
        answer.once('error', () => res.destroy());
      },
      (error) => {
        if (res.headersSent || closed) {
          res.destroy();
          return;
        }
        sendJson(res, 502, 'ProxyUpstreamError', JSON.stringify({ __type: 'ProxyUpstreamError', message: error.message }));
      },
    );
  }

  /**
   * Forwards the request, reads the whole answer (the target has applied the request by then),
   * and resets the client's connection instead of sending it.
   */
  function forwardThenDrop(req: IncomingMessage, res: ServerResponse): void {
    const drop = (): void => {
      if (!req.socket.destroyed) req.socket.resetAndDestroy();
    };
    sendUpstream(
      req,
      res,
      (answer) => {
        answer.once('end', drop);
        answer.once('error', drop);
        answer.resume();
      },
      drop,
    );
  }

  function sendJson(res: ServerResponse, status: number, errorType: string, body: string): void {
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(body),
      'x-amzn-ErrorType': errorType,
      'x-amzn-RequestId': randomUUID(),
    });
    res.end(body);
  }

  /** Reads the whole request body, then runs `then` (unless the client has gone). */
  function afterBody(req: IncomingMessage, then: () => void): void {
    req.once('end', then);
    req.resume();
  }

  const server = createServer((req, res) => {
    const operation = operationOf(req);
    increment(callCounts, operation);
    const fault = takeFault(operation);
    if (fault.kind !== 'pass') increment(faultCounts, operation);

    switch (fault.kind) {
      case 'pass':
        forward(req, res);
        return;
      case 'refuse':
        // RST rather than FIN, so the client sees ECONNRESET whatever it was doing.
        req.socket.resetAndDestroy();
        return;
      case 'hang':
        // Read the request, never answer. The socket stays in `sockets` until the client or close() ends it.
        req.resume();
        return;
      case 'delay': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!closed) forward(req, res);
        }, fault.ms);
        timers.add(timer);
        // The response closes when the client goes away first: then nothing is forwarded.
        res.once('close', () => {
          clearTimeout(timer);
          timers.delete(timer);
        });
        return;
      }
      case 'throttle':
        afterBody(req, () => sendJson(res, 400, 'ProvisionedThroughputExceededException', THROTTLE_BODY));
        break;
      case 'limitExceeded':
        afterBody(req, () => sendJson(res, 400, 'LimitExceededException', LIMIT_EXCEEDED_BODY));
        return;
      case 'error500':
        afterBody(req, () => sendJson(res, 500, 'InternalServerError', INTERNAL_ERROR_BODY));
        return;
      case 'drop':
        forwardThenDrop(req, res);
        return;
    }
  });

  server.on('connection', (socket: Socket) => {
    if (closed) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // A reset socket may emit an error on the server side; it is expected here.
  server.on('clientError', (_error, socket) => socket.destroy());

  function destroySockets(): void {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  }

  async function closeServer(): Promise<void> {
    if (!listening) return;
    listening = false;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      destroySockets();
      server.closeAllConnections();
    });
  }

  async function listen(port: number): Promise<number> {
    return await new Promise<number>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      server.once('error', onError);
      server.listen(port, HOST, () => {
        server.off('error', onError);
        listening = true;
        resolve((server.address() as AddressInfo).port);
      });
    });
  }

  const port = await listen(0);
  let closing: Promise<void> | undefined;

  return {
    endpoint: `http://${HOST}:${port}`,
    port,
    setFault(fault, options = {}) {
      const every = options.every ?? 1;
      if (!Number.isInteger(every) || every < 1) throw new Error(`startFaultProxy: every must be a positive integer, got ${every}`);
      active = {
        fault,
        operations: options.operations === undefined ? undefined : new Set(options.operations),
        remaining: options.times,
        every,
        matched: 0,
      };
    },
    clearFault() {
      active = undefined;
    },
    calls: () => Object.fromEntries(callCounts),
    faultedCalls: () => Object.fromEntries(faultCounts),
    resetCounts() {
      callCounts.clear();
      faultCounts.clear();
    },
    stopListening: async () => {
      if (closed || !listening) return;
      await closeServer();
      // Let clients in this process read the FIN of their kept-alive sockets and drop them from their
      // pools; otherwise their next request reuses a dead socket (ECONNRESET) instead of reconnecting.
      await new Promise((resolve) => setTimeout(resolve, 20));
    },
    resumeListening: async () => {
      if (closed) throw new Error('startFaultProxy: the proxy is closed');
      if (listening) return;
      await listen(port);
    },
    close: () =>
      (closing ??= (async () => {
        closed = true;
        active = undefined;
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        for (const upstream of upstreamRequests) upstream.destroy();
        upstreamAgent.destroy();
        await closeServer();
        destroySockets();
      })()),
  };
}
