import type {
  CreateTableCommandInput,
  DeleteItemCommandInput,
  GetItemCommandInput,
  PutItemCommandInput,
  ScanCommandInput,
  UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { ATTR, toEpochSeconds } from '../codec/item-format.js';
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

/** PutItem replacing a session whose stored version must still be `expectedVersion` (optimistic locking). */
export function buildPutIfVersionInput(table: string, item: Item, expectedVersion: number): PutItemCommandInput {
  return {
    TableName: table,
    Item: item,
    ConditionExpression: '#v = :expected AND attribute_exists(#data)',
    ExpressionAttributeNames: { '#v': ATTR.version, '#data': ATTR.data },
    ExpressionAttributeValues: { ':expected': { N: String(expectedVersion) } },
    ReturnConsumedCapacity: 'TOTAL',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/**
 * PutItem without a version: last writer wins, but a destroyed session (tombstone) is never
 * brought back. Used when the caller's session was not loaded through this store.
 */
export function buildPutUnlessDestroyedInput(table: string, item: Item): PutItemCommandInput {
  return {
    TableName: table,
    Item: item,
    ConditionExpression: 'attribute_not_exists(#id) OR attribute_exists(#data)',
    ExpressionAttributeNames: { '#id': ATTR.id, '#data': ATTR.data },
    ReturnConsumedCapacity: 'TOTAL',
  };
}

/**
 * UpdateItem that refreshes only `lastAccessed` and `expiresAt`, on the condition that the session
 * still exists (at `expectedVersion` when given). It never creates an item.
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
    UpdateExpression: 'SET #la = :la, #exp = :exp',
    ConditionExpression: versioned ? 'attribute_exists(#data) AND #v = :expected' : 'attribute_exists(#data)',
    ExpressionAttributeNames: {
      '#la': ATTR.lastAccessed,
      '#exp': ATTR.expiresAt,
      '#data': ATTR.data,
      ...(versioned ? { '#v': ATTR.version } : {}),
    },
    ExpressionAttributeValues: {
      ':la': { N: String(lastAccessedMs) },
      ':exp': { N: String(toEpochSeconds(expiresAtMs)) },
      ...(versioned ? { ':expected': { N: String(expectedVersion) } } : {}),
    },
    ReturnConsumedCapacity: 'TOTAL',
  };
}

/** DeleteItem of a session, returning what was there. */
export function buildDeleteInput(table: string, id: string): DeleteItemCommandInput {
  return { TableName: table, Key: keyOf(id), ReturnValues: 'ALL_OLD', ReturnConsumedCapacity: 'TOTAL' };
}

/** PutItem of a tombstone, unconditionally. */
export function buildPutTombstoneInput(table: string, item: Item): PutItemCommandInput {
  return { TableName: table, Item: item, ReturnConsumedCapacity: 'TOTAL' };
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
