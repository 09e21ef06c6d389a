import type {
  CreateTableCommandInput,
  DeleteItemCommandInput,
  GetItemCommandInput,
  PutItemCommandInput,
  ScanCommandInput,
  UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { ATTR, RESERVED_KEY, toEpochSeconds } from '../codec/item-format.js';
import type { Item } from '../codec/codec.js';
import type { CapacityOptions } from '../config/resolve-options.js';

/**
 * Pure builders of every DynamoDB input the store sends. Nothing here touches a client; the
 * backend sends what these return. Every data-plane call asks for its consumed capacity.
 */

const keyOf = (id: string): Item => ({ [ATTR.id]: { S: id } });

/** GetItem of one session. */
export function buildGetInput(table: string, id: string, consistentRead: boolean): GetItemCommandInput {
  return { TableName: table, Key: keyOf(id), ConsistentRead: consistentRead, ReturnConsumedCapacity: 'TOTAL' };
}

/** PutItem of a session that must not exist yet in `table` (a new session, or one moving forward). */
export function buildPutIfAbsentInput(table: string, item: Item): PutItemCommandInput {
  return {
    TableName: table,
    Item: item,
    ConditionExpression: 'attribute_not_exists(#id)',
    ExpressionAttributeNames: { '#id': ATTR.id },
    ReturnConsumedCapacity: 'TOTAL',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/**
 * PutItem replacing a session whose stored version must still be `expectedVersion` (optimistic
 * locking), and which must still be a live, unfenced copy: a tombstone or a copy fenced by a move
 * to a later table fails the condition.
 */
export function buildPutIfVersionInput(table: string, item: Item, expectedVersion: number): PutItemCommandInput {
  return {
    TableName: table,
    Item: item,
    ConditionExpression: '#v = :expected AND attribute_exists(#data) AND attribute_not_exists(#moved)',
    ExpressionAttributeNames: { '#v': ATTR.version, '#data': ATTR.data, '#moved': ATTR.movedTo },
    ExpressionAttributeValues: { ':expected': { N: String(expectedVersion) } },
    ReturnConsumedCapacity: 'TOTAL',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/**
 * UpdateItem that fences a copy before the session moves on to a later table: the copy at
 * `expectedVersion` gets `movedTo` and a higher version, so a writer still on this table fails its
 * condition (and merges into the later table) instead of writing where nobody reads. The data stays,
 * so a move cut short (a crash between fence and copy) can be completed by the next request.
 */
export function buildFenceInput(table: string, id: string, expectedVersion: number, movedTo: string, writeId: string): UpdateItemCommandInput {
  return {
    TableName: table,
    Key: keyOf(id),
    UpdateExpression: 'SET #moved = :to, #v = :next, #w = :w',
    ConditionExpression: '#v = :expected AND attribute_exists(#data) AND attribute_not_exists(#moved)',
    ExpressionAttributeNames: { '#moved': ATTR.movedTo, '#v': ATTR.version, '#w': ATTR.writeId, '#data': ATTR.data },
    ExpressionAttributeValues: {
      ':to': { S: movedTo },
      ':next': { N: String(expectedVersion + 1) },
      ':w': { S: writeId },
      ':expected': { N: String(expectedVersion) },
    },
    ReturnConsumedCapacity: 'TOTAL',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/**
 * UpdateItem that refreshes only `lastAccessed` and the expiry (`expiresAt`, `expiresAtMs`), on the condition that the session
 * still lives here, unfenced (at `expectedVersion` when given). It never creates an item.
 */
export function buildRefreshInput(
  table: string,
  id: string,
  expectedVersion: number | undefined,
  lastAccessedMs: number,
  expiresAtMs: number,
): UpdateItemCommandInput {
  const versioned = expectedVersion !== undefined;
  return {
    TableName: table,
    Key: keyOf(id),
    UpdateExpression: 'SET #la = :la, #exp = :exp, #expMs = :expMs',
    ConditionExpression: versioned ? 'attribute_exists(#data) AND attribute_not_exists(#moved) AND #v = :expected' : 'attribute_exists(#data) AND attribute_not_exists(#moved)',
    ExpressionAttributeNames: {
      '#la': ATTR.lastAccessed,
      '#exp': ATTR.expiresAt,
      '#expMs': ATTR.expiresAtMs,
      '#data': ATTR.data,
      '#moved': ATTR.movedTo,
      ...(versioned ? { '#v': ATTR.version } : {}),
    },
    ExpressionAttributeValues: {
      ':la': { N: String(lastAccessedMs) },
      ':exp': { N: String(toEpochSeconds(expiresAtMs)) },
      ':expMs': { N: String(expiresAtMs) },
      ...(versioned ? { ':expected': { N: String(expectedVersion) } } : {}),
    },
    ReturnConsumedCapacity: 'TOTAL',
  };
}

/** DeleteItem of a session, returning what was there (`clear()` only: a destroy writes a tombstone). */
export function buildDeleteInput(table: string, id: string): DeleteItemCommandInput {
  return { TableName: table, Key: keyOf(id), ReturnValues: 'ALL_OLD', ReturnConsumedCapacity: 'TOTAL' };
}

/**
 * PutItem of a tombstone, returning what it replaced (a fenced copy tells where the session moved
 * on to); with `ifExists`, only over an existing item, so that destroying an id stored nowhere
 * writes nothing. Writing a tombstone twice is harmless, so a retry after a lost answer is safe.
 */
export function buildPutTombstoneInput(table: string, item: Item, ifExists = false): PutItemCommandInput {
  return {
    TableName: table,
    Item: item,
    ...(ifExists ? { ConditionExpression: 'attribute_exists(#id)', ExpressionAttributeNames: { '#id': ATTR.id } } : {}),
    ReturnValues: 'ALL_OLD',
    ReturnConsumedCapacity: 'TOTAL',
  };
}

/** One page of a Scan over a session table (for `all`, `length` and `clear`, which are expensive). */
export function buildScanInput(table: string, consistentRead: boolean, startKey?: Item): ScanCommandInput {
  return {
    TableName: table,
    ConsistentRead: consistentRead,
    ReturnConsumedCapacity: 'TOTAL',
    ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
  };
}

/** CreateTable of a session table: hash key `id` (S), on-demand or provisioned. */
export function buildCreateTableInput(table: string, capacity: CapacityOptions): CreateTableCommandInput {
  return {
    TableName: table,
    AttributeDefinitions: [{ AttributeName: ATTR.id, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: ATTR.id, KeyType: 'HASH' }],
    ...(capacity.billingMode === 'PROVISIONED'
      ? {
          BillingMode: 'PROVISIONED',
          ProvisionedThroughput: {
            ReadCapacityUnits: capacity.readCapacityUnits,
            WriteCapacityUnits: capacity.writeCapacityUnits,
          },
        }
      : { BillingMode: 'PAY_PER_REQUEST' }),
  };
}

/**
 * GetItem of the maintainer lease (eventually consistent: a stale answer only delays a takeover
 * by one round).
 */
export function buildLeaseGetInput(table: string): GetItemCommandInput {
  return { TableName: table, Key: keyOf(RESERVED_KEY.maintainer), ConsistentRead: false, ReturnConsumedCapacity: 'TOTAL' };
}

/**
 * UpdateItem taking or renewing the maintainer lease until `untilMs`: only when it is free, is
 * ours, or has run out at `nowMs`.
 */
export function buildLeaseTakeInput(table: string, owner: string, nowMs: number, untilMs: number): UpdateItemCommandInput {
  return {
    TableName: table,
    Key: keyOf(RESERVED_KEY.maintainer),
    UpdateExpression: 'SET #owner = :owner, #until = :until',
    ConditionExpression: 'attribute_not_exists(#owner) OR #owner = :owner OR #until < :now',
    ExpressionAttributeNames: { '#owner': 'owner', '#until': 'until' },
    ExpressionAttributeValues: { ':owner': { S: owner }, ':until': { N: String(untilMs) }, ':now': { N: String(nowMs) } },
    ReturnConsumedCapacity: 'TOTAL',
  };
}
