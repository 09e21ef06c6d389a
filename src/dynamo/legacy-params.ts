import type { DeleteItemCommandInput, GetItemCommandInput, ScanCommandInput, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
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

/** DeleteItem of a legacy session (a destroy), returning what was there: a fence names the table a move may still land in. */
export function buildLegacyDeleteInput(format: LegacyKeyFormat, id: string): DeleteItemCommandInput {
  return { TableName: format.table, Key: legacyKeyOf(format, id), ReturnValues: 'ALL_OLD', ReturnConsumedCapacity: 'TOTAL' };
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
