import { describe, expect, it } from 'vitest';
import { buildLegacyDestroyInput, buildLegacyFenceInput, buildLegacyGetInput, buildLegacyScanInput } from './legacy-params.js';

const format = { table: 'sessions', hashKey: 'sid', prefix: 'app:' };

describe('inputs sent to connect-dynamodb\'s table', () => {
  it('GetItem of the prefixed key', () => {
    expect(buildLegacyGetInput(format, 'abc', true)).toEqual({ TableName: 'sessions', Key: { sid: { S: 'app:abc' } }, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' });
  });

  it('the fence: only the copy read (same sess text), only once, the old item returned when it fails', () => {
    const input = buildLegacyFenceInput(format, 'abc', '{"cookie":{}}', 'app_20261124_100000', 'w1');
    expect(input).toMatchObject({
      TableName: 'sessions',
      Key: { sid: { S: 'app:abc' } },
      UpdateExpression: 'SET #moved = :to, #w = :w',
      ConditionExpression: '#sess = :sess AND attribute_not_exists(#moved)',
      ExpressionAttributeNames: { '#moved': 'dsmMovedTo', '#w': 'dsmWriteId', '#sess': 'sess' },
      ExpressionAttributeValues: { ':to': { S: 'app_20261124_100000' }, ':w': { S: 'w1' }, ':sess': { S: '{"cookie":{}}' } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('the destroy: removes sess and marks the item, only where one exists, returning what was there; an eventually consistent Scan page', () => {
    expect(buildLegacyDestroyInput(format, 'abc', 1234)).toEqual({
      TableName: 'sessions',
      Key: { sid: { S: 'app:abc' } },
      UpdateExpression: 'SET #destroyed = :now REMOVE #sess',
      ConditionExpression: 'attribute_exists(#key)',
      ExpressionAttributeNames: { '#destroyed': 'dsmDestroyedAt', '#sess': 'sess', '#key': 'sid' },
      ExpressionAttributeValues: { ':now': { N: '1234' } },
      ReturnValues: 'ALL_OLD',
      ReturnConsumedCapacity: 'TOTAL',
    });
    expect(buildLegacyScanInput(format, 100)).toEqual({ TableName: 'sessions', ConsistentRead: false, Limit: 100, ReturnConsumedCapacity: 'TOTAL' });
    expect(buildLegacyScanInput(format, 10, { sid: { S: 'app:x' } })).toMatchObject({ ExclusiveStartKey: { sid: { S: 'app:x' } } });
  });
});
