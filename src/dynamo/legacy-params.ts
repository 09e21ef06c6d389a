import type { GetItemCommandInput, ScanCommandInput, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { Item } from '../codec/codec.js';
import { LEGACY_ATTR, legacyKeyOf, type LegacyKeyFormat } from '../codec/connect-dynamodb-item.js';

/**
 * Pure builders of the calls this store sends to connect-dynamodb's table while it takes sessions
 * over (`migrateFrom`). Nothing here touches a client. See docs/migration.md.
 */

/** GetItem of one legacy session. */
export function buildLegacyGetInput(format: LegacyKeyFormat, id: string, consistentRead: boolean): GetItemCommandInput {
  return { TableName: format.table, Key: legacyKeyOf(format, id), ConsistentRead: consistentRead, ReturnConsumedCapacity: 'TOTAL' };
}

/**
 * UpdateItem that fences a legacy session before it moves into `movedTo`: only the copy that was
 * read (its `sess` text unchanged) and only if no fence is there yet, so two servers taking the
 * same session over cannot both succeed, and a session deleted meanwhile (a logout) is not
 * brought back. The data stays, so a move cut short can be completed.
 */
export function buildLegacyFenceInput(format: LegacyKeyFormat, id: string, sessText: string, movedTo: string, writeId: string): UpdateItemCommandInput {
  return {
    TableName: format.table,
    Key: legacyKeyOf(format, id),
    UpdateExpression: 'SET #moved = :to, #w = :w',
    ConditionExpression: '#sess = :sess AND attribute_not_exists(#moved)',
    ExpressionAttributeNames: { '#moved': LEGACY_ATTR.movedTo, '#w': LEGACY_ATTR.writeId, '#sess': LEGACY_ATTR.sess },
    ExpressionAttributeValues: { ':to': { S: movedTo }, ':w': { S: writeId }, ':sess': { S: sessText } },
    ReturnConsumedCapacity: 'TOTAL',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/**
 * UpdateItem that destroys a legacy session (a logout): removes `sess` (connect-dynamodb then
 * serves nothing either) and sets `dsmDestroyedAt`, only over an existing item (an id stored
 * nowhere gets no item), returning what was there: a fence names the table a move may still land
 * in. Applied twice (a retry after a lost answer) it returns its own mark and the fence it kept,
 * so the retry still knows the session existed and where it was moving.
 */
export function buildLegacyDestroyInput(format: LegacyKeyFormat, id: string, nowMs: number): UpdateItemCommandInput {
  return {
    TableName: format.table,
    Key: legacyKeyOf(format, id),
    UpdateExpression: 'SET #destroyed = :now REMOVE #sess',
    ConditionExpression: 'attribute_exists(#key)',
    ExpressionAttributeNames: { '#destroyed': LEGACY_ATTR.destroyedAt, '#sess': LEGACY_ATTR.sess, '#key': format.hashKey },
    ExpressionAttributeValues: { ':now': { N: String(nowMs) } },
    ReturnValues: 'ALL_OLD',
    ReturnConsumedCapacity: 'TOTAL',
  };
}

/** One page of an eventually consistent Scan of the legacy table (`dsm migrate`): half the read units of a consistent one. */
export function buildLegacyScanInput(format: LegacyKeyFormat, limit: number, startKey?: Item): ScanCommandInput {
  return {
    TableName: format.table,
    ConsistentRead: false,
    Limit: limit,
    ReturnConsumedCapacity: 'TOTAL',
    ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
  };
}
