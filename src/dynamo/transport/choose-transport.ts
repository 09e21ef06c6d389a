import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Transport } from '../../config/options.js';

/** The transport chosen for a client, and why (for the log and `describe()`). */
export interface TransportChoice {
  readonly transport: 'direct' | 'sdk';
  readonly reason: string;
}

let baseline: ReadonlySet<string> | undefined;

/** The middleware a client has before anyone adds to it, learned once from a fresh client. */
function baselineMiddleware(): ReadonlySet<string> {
  baseline ??= new Set(new DynamoDBClient({ region: 'us-east-1' }).middlewareStack.identify());
  return baseline;
}

/**
 * Picks the transport of the item operations.
 *
 * - `direct` and `sdk` are taken as asked.
 * - `auto` is `direct` unless the client was customised in a way the direct path would skip:
 *   its `send` is not the SDK's own (a test double such as aws-sdk-client-mock, or a wrapper),
 *   its middleware stack holds middleware a fresh client does not have (tracing, custom
 *   headers, request logging), or it is not a `DynamoDBClient` at all. Then `sdk`, so that
 *   what the caller added still sees every call.
 */
export function chooseTransport(requested: Transport, client: DynamoDBClient): TransportChoice {
  if (requested === 'direct') return { transport: 'direct', reason: 'transport: direct' };
  if (requested === 'sdk') return { transport: 'sdk', reason: 'transport: sdk' };
  if (!(client instanceof DynamoDBClient)) return { transport: 'sdk', reason: 'the client is not a DynamoDBClient of this SDK' };
  if (Object.prototype.hasOwnProperty.call(client, 'send') || client.send !== DynamoDBClient.prototype.send) {
    return { transport: 'sdk', reason: "the client's send is replaced (a test double or a wrapper)" };
  }
  const known = baselineMiddleware();
  const added = client.middlewareStack.identify().filter((name) => !known.has(name));
  if (added.length > 0) return { transport: 'sdk', reason: `the client has added middleware (${added.join(', ')})` };
  return { transport: 'direct', reason: 'a plain DynamoDBClient' };
}
