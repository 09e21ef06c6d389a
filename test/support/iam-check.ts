import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { testEndpoint } from './dynamo.js';

/**
 * Checks an IAM policy against what a store really sent: each DynamoDB request, with the action
 * IAM authorises it by and the resources it touches (the table, or the index a Query reads), and
 * whether some statement of the policy allows that action on each of those resources.
 * Actions alone would not do: Query on a table and Query on its index are two resources, and a
 * policy granting the one does not grant the other.
 */

/** One DynamoDB request as IAM sees it. */
export interface SentCall {
  /** The operation on the wire: `Query`, `TransactWriteItems`... */
  readonly operation: string;
  /** The IAM actions it needs (a transaction needs each item action it contains). */
  readonly actions: readonly string[];
  /** The resources it touches, as ARNs in the given region and account; `*` for ListTables. */
  readonly resources: readonly string[];
}

/** A client that records every request it sends, as {@link SentCall}s. */
export interface RecordingClient {
  readonly client: DynamoDBClient;
  calls(): readonly SentCall[];
}

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';

/** The ARN of a table, or of one of its indexes. */
export function arnOf(table: string, index?: string): string {
  return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${table}${index === undefined ? '' : `/index/${index}`}`;
}

const TRANSACT_ACTIONS: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem', Get: 'GetItem' };

/** What IAM checks for one request body. Pure. */
export function describeCall(operation: string, body: Record<string, unknown>): SentCall {
  if (operation === 'ListTables') return { operation, actions: ['dynamodb:ListTables'], resources: ['*'] };
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    const items = (body.TransactItems ?? []) as Record<string, { TableName: string }>[];
    const parts = items.flatMap((item) => Object.entries(item).map(([kind, part]) => ({ action: `dynamodb:${TRANSACT_ACTIONS[kind] ?? kind}`, resource: arnOf(part.TableName) })));
    // Each part is checked on its own table: recorded as one call per distinct pair.
    return { operation, actions: [...new Set(parts.map((p) => p.action))], resources: [...new Set(parts.map((p) => p.resource))] };
  }
  if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
    return { operation, actions: [`dynamodb:${operation}`], resources: Object.keys((body.RequestItems ?? {}) as object).map((table) => arnOf(table)) };
  }
  const table = body.TableName as string;
  return { operation, actions: [`dynamodb:${operation}`], resources: [arnOf(table, typeof body.IndexName === 'string' ? body.IndexName : undefined)] };
}

class RecordingHandler extends NodeHttpHandler {
  readonly sent: SentCall[] = [];

  override handle(...args: Parameters<NodeHttpHandler['handle']>): ReturnType<NodeHttpHandler['handle']> {
    const request = args[0];
    const target = request.headers['x-amz-target'] ?? request.headers['X-Amz-Target'] ?? 'unknown';
    const operation = target.slice(target.lastIndexOf('.') + 1);
    const raw: unknown = request.body;
    const text = typeof raw === 'string' ? raw : raw instanceof Uint8Array ? new TextDecoder().decode(raw) : '{}'; // not Buffer.from: it calls valueOf, which the SDK's body warns about
    this.sent.push(describeCall(operation, JSON.parse(text === '' ? '{}' : text) as Record<string, unknown>));
    return super.handle(...args);
  }
}

/** A real client that records what it sends (see {@link describeCall}). */
export function createRecordingClient(endpoint: string = testEndpoint()): RecordingClient {
  const handler = new RecordingHandler({ requestTimeout: 5000, connectionTimeout: 2000, throwOnRequestTimeout: true });
  const client = new DynamoDBClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    requestHandler: handler,
  });
  return { client, calls: () => [...handler.sent] };
}

/** An IAM policy document, as `dsm iam-policy --json` prints it. */
export interface PolicyDocument {
  readonly Statement: readonly { readonly Effect: string; readonly Action: readonly string[]; readonly Resource: string }[];
}

/** IAM's resource match: `*` any run of characters, `?` exactly one. */
export function iamMatches(pattern: string, arn: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return regex.test(arn);
}

/** The action/resource pairs of `calls` that no statement of `policy` allows, as `action on resource`. */
export function notAllowed(policy: PolicyDocument, calls: readonly SentCall[]): string[] {
  const denied = new Set<string>();
  for (const call of calls) {
    for (const action of call.actions) {
      for (const resource of call.resources) {
        const allowed = policy.Statement.some((s) => s.Effect === 'Allow' && s.Action.includes(action) && (s.Resource === '*' || (resource !== '*' && iamMatches(s.Resource, resource))));
        if (!allowed) denied.add(`${action} on ${resource}`);
      }
    }
  }
  return [...denied].sort();
}
