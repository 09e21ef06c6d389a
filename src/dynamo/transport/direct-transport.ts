import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SignatureV4 } from '@smithy/signature-v4';
import { attributeMapFromWire, toWire } from './attribute-wire.js';
import { readBodyText } from './read-body.js';
import { CLOCK_SKEW_ERRORS, errorFromResponse } from './wire-error.js';

/** The item operations the direct transport sends; table operations always go through the SDK. */
export const DIRECT_OPERATIONS: ReadonlySet<string> = new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem']);

/** The parts of a resolved `DynamoDBClient` configuration the direct transport uses. */
interface ClientConfig {
  readonly credentials: () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;
  readonly region: () => Promise<string>;
  readonly endpoint?: () => Promise<{ protocol: string; hostname: string; port?: number; path: string }>;
  readonly endpointProvider: (params: Record<string, unknown>, context?: Record<string, unknown>) => { url: URL };
  readonly useFipsEndpoint?: () => Promise<boolean>;
  readonly useDualstackEndpoint?: () => Promise<boolean>;
  readonly requestHandler: {
    handle(request: unknown, options?: { abortSignal?: AbortSignal }): Promise<{ response: { statusCode: number; headers: Record<string, string>; body?: unknown } }>;
  };
  readonly sha256: ConstructorParameters<typeof SignatureV4>[0]['sha256'];
  readonly systemClockOffset?: number;
}

/** Where and how to send, resolved once from the client. */
interface Target {
  readonly protocol: string;
  readonly hostname: string;
  readonly port: number | undefined;
  readonly path: string;
  readonly host: string;
  readonly signer: SignatureV4;
}

const USER_AGENT = 'dynamo-session-manager';

/**
 * Sends DynamoDB's item operations without the SDK's middleware stack, on the SDK's own parts:
 * the client's credentials provider, region and endpoint, the SDK's SigV4 signer, and the
 * client's request handler (so its agent, proxy, TLS and timeout settings hold). The request is
 * the JSON the SDK would send (`x-amz-target: DynamoDB_20120810.<Operation>`), and the answer
 * or error comes back in the SDK's shapes: outputs with `Uint8Array` binaries, errors with
 * `name`, `$fault` and `$metadata`.
 *
 * It exists for speed: the SDK's stack costs about half a millisecond of CPU per call, more
 * than a whole session request otherwise costs. Retries and deadlines are the caller's.
 */
export class DirectTransport {
  readonly #config: ClientConfig;
  #target: Promise<Target> | undefined;
  #clockOffsetMs: number;

  constructor(client: DynamoDBClient) {
    this.#config = client.config as unknown as ClientConfig;
    this.#clockOffsetMs = this.#config.systemClockOffset ?? 0;
  }

  /**
   * Sends one item operation.
   *
   * @param operation - one of {@link DIRECT_OPERATIONS}.
   * @param input - the SDK-shaped input (binaries as `Uint8Array`).
   * @param abortSignal - aborts the HTTP request.
   * @returns the SDK-shaped output.
   * @throws an SDK-shaped service error for a DynamoDB error answer; the request handler's error for a network failure.
   */
  async send(operation: string, input: object, abortSignal: AbortSignal): Promise<Record<string, unknown>> {
    const target = await this.#resolveTarget();
    const body = JSON.stringify(toWire(input));
    const headers: Record<string, string> = {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDB_20120810.${operation}`,
      host: target.host,
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': USER_AGENT,
    };
    const traceId = process.env._X_AMZN_TRACE_ID;
    if (traceId !== undefined && process.env.AWS_LAMBDA_FUNCTION_NAME !== undefined) headers['x-amzn-trace-id'] = traceId;
    const signed = await target.signer.sign(
      { method: 'POST', protocol: target.protocol, hostname: target.hostname, ...(target.port === undefined ? {} : { port: target.port }), path: target.path, query: {}, headers, body },
      { signingDate: new Date(Date.now() + this.#clockOffsetMs) },
    );
    const { response } = await this.#config.requestHandler.handle(signed, { abortSignal });
    const text = await readBodyText(response.body);
    if (response.statusCode >= 200 && response.statusCode < 300) return parseOutput(text);
    const error = errorFromResponse(response.statusCode, text, headerOf(response.headers, 'x-amzn-requestid'));
    if (CLOCK_SKEW_ERRORS.has(error.name)) this.#resync(headerOf(response.headers, 'date'));
    throw error;
  }

  /** Moves the signing clock to the server's, after a skew error; the next attempt signs with it. */
  #resync(serverDate: string | undefined): void {
    const server = serverDate === undefined ? Number.NaN : Date.parse(serverDate);
    if (Number.isFinite(server)) this.#clockOffsetMs = server - Date.now();
  }

  async #resolveTarget(): Promise<Target> {
    this.#target ??= this.#buildTarget().catch((error: unknown) => {
      this.#target = undefined; // a failed resolution (no region yet, say) is tried again next call
      throw error;
    });
    return await this.#target;
  }

  async #buildTarget(): Promise<Target> {
    const config = this.#config;
    const region = await config.region();
    let protocol: string;
    let hostname: string;
    let port: number | undefined;
    let path: string;
    if (config.endpoint !== undefined) {
      const endpoint = await config.endpoint();
      ({ protocol, hostname, path } = endpoint);
      port = endpoint.port;
    } else {
      const { url } = config.endpointProvider({
        Region: region,
        UseFIPS: (await config.useFipsEndpoint?.()) ?? false,
        UseDualStack: (await config.useDualstackEndpoint?.()) ?? false,
      });
      protocol = url.protocol;
      hostname = url.hostname;
      port = url.port === '' ? undefined : Number(url.port);
      path = url.pathname;
    }
    const host = port === undefined ? hostname : `${hostname}:${port}`;
    const signer = new SignatureV4({ credentials: config.credentials, region, service: 'dynamodb', sha256: config.sha256, uriEscapePath: true });
    return { protocol, hostname, port, path: path === '' ? '/' : path, host, signer };
  }
}

function headerOf(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  const direct = headers[name];
  if (direct !== undefined) return direct;
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name) return headers[key];
  return undefined;
}

function parseOutput(text: string): Record<string, unknown> {
  const output = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
  if (output.Item !== undefined) output.Item = attributeMapFromWire(output.Item);
  if (output.Attributes !== undefined) output.Attributes = attributeMapFromWire(output.Attributes);
  return output;
}
