import type {
  CreateTableCommandInput,
  DeleteItemCommandInput,
  GetItemCommandInput,
  PutItemCommandInput,
  QueryCommandInput,
  ScanCommandInput,
  UpdateItemCommandInput,
  UpdateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { ATTR, RESERVED_KEY, USER_INDEX_NAME, toEpochSeconds } from '../codec/item-format.js';
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
 * so a move cut short (a crash between fence and copy) can be completed by the next request. The
 * user index key (`uid`) goes: only live copies are in the user index.
 */
export function buildFenceInput(table: string, id: string, expectedVersion: number, movedTo: string, writeId: string): UpdateItemCommandInput {
  return {
    TableName: table,
    Key: keyOf(id),
    UpdateExpression: 'SET #moved = :to, #v = :next, #w = :w REMOVE #uid',
    ConditionExpression: '#v = :expected AND attribute_exists(#data) AND attribute_not_exists(#moved)',
    ExpressionAttributeNames: { '#moved': ATTR.movedTo, '#v': ATTR.version, '#w': ATTR.writeId, '#data': ATTR.data, '#uid': ATTR.uid },
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

/** The provisioned throughput of `capacity`, or nothing for on-demand tables. */
function throughputOf(capacity: CapacityOptions): { ReadCapacityUnits: number; WriteCapacityUnits: number } | undefined {
  return capacity.billingMode === 'PROVISIONED' ? { ReadCapacityUnits: capacity.readCapacityUnits, WriteCapacityUnits: capacity.writeCapacityUnits } : undefined;
}

/** The user index: hash key `uid`, keys only (the smallest projection), with the table's capacity. */
function userIndexOf(capacity: CapacityOptions): NonNullable<CreateTableCommandInput['GlobalSecondaryIndexes']>[number] {
  const throughput = throughputOf(capacity);
  return {
    IndexName: USER_INDEX_NAME,
    KeySchema: [{ AttributeName: ATTR.uid, KeyType: 'HASH' }],
    Projection: { ProjectionType: 'KEYS_ONLY' },
    ...(throughput === undefined ? {} : { ProvisionedThroughput: throughput }),
  };
}

/**
 * CreateTable of a session table: hash key `id` (S), on-demand or provisioned; with `userIndex`,
 * the sparse keys-only global secondary index `uid-index` on `uid` (S), with the table's capacity.
 */
export function buildCreateTableInput(table: string, capacity: CapacityOptions, userIndex = false): CreateTableCommandInput {
  const throughput = throughputOf(capacity);
  return {
    TableName: table,
    AttributeDefinitions: [{ AttributeName: ATTR.id, AttributeType: 'S' }, ...(userIndex ? [{ AttributeName: ATTR.uid, AttributeType: 'S' as const }] : [])],
    KeySchema: [{ AttributeName: ATTR.id, KeyType: 'HASH' }],
    ...(throughput === undefined ? { BillingMode: 'PAY_PER_REQUEST' } : { BillingMode: 'PROVISIONED', ProvisionedThroughput: throughput }),
    ...(userIndex ? { GlobalSecondaryIndexes: [userIndexOf(capacity)] } : {}),
  };
}

/**
 * UpdateTable adding the user index to an existing table (`dsm add-user-index`): the same index
 * as {@link buildCreateTableInput} makes, with the table's current capacity when provisioned.
 */
export function buildAddUserIndexInput(table: string, capacity: CapacityOptions): UpdateTableCommandInput {
  return {
    TableName: table,
    AttributeDefinitions: [{ AttributeName: ATTR.uid, AttributeType: 'S' }],
    GlobalSecondaryIndexUpdates: [{ Create: userIndexOf(capacity) }],
  };
}

/**
 * One page of a Query of the user index for the user whose index key is `uid`: keys only
 * (`id` and `uid`). Index reads are eventually consistent (a global secondary index has no other).
 * With `limit` 1 and the reserved probe key, it costs half a read unit and tells whether the index
 * is there and readable.
 */
export function buildUserQueryInput(table: string, uid: string, startKey?: Item, limit?: number): QueryCommandInput {
  return {
    TableName: table,
    IndexName: USER_INDEX_NAME,
    KeyConditionExpression: '#uid = :uid',
    ExpressionAttributeNames: { '#uid': ATTR.uid },
    ExpressionAttributeValues: { ':uid': { S: uid } },
    ReturnConsumedCapacity: 'TOTAL',
    ...(limit === undefined ? {} : { Limit: limit }),
    ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
  };
}

/** GetItem of a revocation marker (`#revoked#<uid>`), strongly consistent: a revoke written before the read is seen. */
export function buildMarkerGetInput(table: string, key: string): GetItemCommandInput {
  return { TableName: table, Key: keyOf(key), ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' };
}

/** PutItem of a revocation marker, replacing an older one (the latest revoke is what counts). */
export function buildMarkerPutInput(table: string, item: Item): PutItemCommandInput {
  return { TableName: table, Item: item, ReturnConsumedCapacity: 'TOTAL' };
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
