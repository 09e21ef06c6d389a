import { describe, expect, it } from 'vitest';
import { buildSessionItem, encodeSessionData } from '../codec/codec.js';
import {
  buildCreateTableInput,
  buildDeleteInput,
  buildGetInput,
  buildPutIfAbsentInput,
  buildPutIfVersionInput,
  buildFenceInput,
  buildPutTombstoneInput,
  buildRefreshInput,
  buildScanInput,
  buildAddUserIndexInput,
  buildMarkerGetInput,
  buildMarkerPutInput,
  buildUserQueryInput,
} from './params.js';

const item = buildSessionItem({
  id: 'abcdefgh',
  data: encodeSessionData({ cookie: {} }).data,
  version: 2,
  lastAccessedMs: 1000,
  expiresAtMs: 5000,
});

describe('input builders', () => {
  it.each([true, false])('GetItem with ConsistentRead %s asks for consumed capacity', (consistent) => {
    expect(buildGetInput('t1', 'abcdefgh', consistent)).toEqual({
      TableName: 't1',
      Key: { id: { S: 'abcdefgh' } },
      ConsistentRead: consistent,
      ReturnConsumedCapacity: 'TOTAL',
    });
  });

  it('a new session is put only when absent', () => {
    const input = buildPutIfAbsentInput('t1', item);
    expect(input.ConditionExpression).toBe('attribute_not_exists(#id)');
    expect(input.ExpressionAttributeNames).toEqual({ '#id': 'id' });
    expect(input.Item).toBe(item);
  });

  it('a replace is conditional on the loaded version and on the item being neither a tombstone nor fenced', () => {
    const input = buildPutIfVersionInput('t1', item, 7);
    expect(input.ConditionExpression).toBe('#v = :expected AND attribute_exists(#data) AND attribute_not_exists(#moved)');
    expect(input.ExpressionAttributeNames).toEqual({ '#v': 'version', '#data': 'data', '#moved': 'movedTo' });
    expect(input.ExpressionAttributeValues).toEqual({ ':expected': { N: '7' } });
    expect(input.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
  });

  it('a fence names the later table, moves the version on and keeps the data, only over the loaded unfenced copy; the user index key goes', () => {
    const input = buildFenceInput('t1', 'abcdefgh', 4, 't2', 'w1');
    expect(input.UpdateExpression).toBe('SET #moved = :to, #v = :next, #w = :w REMOVE #uid');
    expect(input.ExpressionAttributeNames).toMatchObject({ '#uid': 'uid' });
    expect(input.ConditionExpression).toBe('#v = :expected AND attribute_exists(#data) AND attribute_not_exists(#moved)');
    expect(input.ExpressionAttributeValues).toEqual({ ':to': { S: 't2' }, ':next': { N: '5' }, ':w': { S: 'w1' }, ':expected': { N: '4' } });
    expect(input.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
  });

  it('a tombstone returns what it replaced, put unconditionally or only over an existing item', () => {
    const input = buildPutTombstoneInput('t1', item);
    expect(input).not.toHaveProperty('ConditionExpression');
    expect(input.ReturnValues).toBe('ALL_OLD');
    expect(buildPutTombstoneInput('t1', item, true).ConditionExpression).toBe('attribute_exists(#id)');
  });

  it('a refresh sets only the timestamps (the exact expiry, and the TTL in epoch seconds rounded up), and never creates an item', () => {
    const input = buildRefreshInput('t1', 'abcdefgh', 3, 1_700_000_000_500, 1_700_003_600_500);
    expect(input.UpdateExpression).toBe('SET #la = :la, #exp = :exp, #expMs = :expMs');
    expect(input.ConditionExpression).toContain('attribute_exists(#data)');
    expect(input.ExpressionAttributeValues).toEqual({
      ':la': { N: '1700000000500' },
      ':exp': { N: '1700003601' },
      ':expMs': { N: '1700003600500' },
      ':expected': { N: '3' },
    });
  });

  it('a refresh without a version only requires a live unfenced session', () => {
    const input = buildRefreshInput('t1', 'abcdefgh', undefined, 1000, 2000);
    expect(input.ConditionExpression).toBe('attribute_exists(#data) AND attribute_not_exists(#moved)');
    expect(input.ExpressionAttributeValues).not.toHaveProperty(':expected');
    expect(input.ExpressionAttributeNames).not.toHaveProperty('#v');
  });

  it('a delete returns the old item', () => {
    expect(buildDeleteInput('t1', 'abcdefgh').ReturnValues).toBe('ALL_OLD');
  });

  it('a scan pages from a start key', () => {
    expect(buildScanInput('t1', false, { id: { S: 'k' } }).ExclusiveStartKey).toEqual({ id: { S: 'k' } });
    expect(buildScanInput('t1', true)).not.toHaveProperty('ExclusiveStartKey');
  });

  it.each([
    [{ billingMode: 'PAY_PER_REQUEST' } as const, { BillingMode: 'PAY_PER_REQUEST' }],
    [
      { billingMode: 'PROVISIONED', readCapacityUnits: 5, writeCapacityUnits: 10, source: 'formula' } as const,
      { BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 10 } },
    ],
  ])('CreateTable with %j', (capacity, expected) => {
    expect(buildCreateTableInput('t1', capacity)).toEqual({
      TableName: 't1',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      ...expected,
    });
  });
});

describe('user index inputs', () => {
  const provisioned = { billingMode: 'PROVISIONED', readCapacityUnits: 7, writeCapacityUnits: 3, source: 'explicit' } as const;
  const onDemand = { billingMode: 'PAY_PER_REQUEST' } as const;

  it('a table is created without the index unless asked', () => {
    const input = buildCreateTableInput('t1', onDemand);
    expect(input.GlobalSecondaryIndexes).toBeUndefined();
    expect(input.AttributeDefinitions).toEqual([{ AttributeName: 'id', AttributeType: 'S' }]);
  });

  it('with the index: keys only on uid (S); on-demand tables give it no throughput', () => {
    const input = buildCreateTableInput('t1', onDemand, true);
    expect(input.AttributeDefinitions).toEqual([{ AttributeName: 'id', AttributeType: 'S' }, { AttributeName: 'uid', AttributeType: 'S' }]);
    expect(input.GlobalSecondaryIndexes).toEqual([{ IndexName: 'uid-index', KeySchema: [{ AttributeName: 'uid', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } }]);
  });

  it('a provisioned table gives its index its own units', () => {
    const input = buildCreateTableInput('t1', provisioned, true);
    expect(input.ProvisionedThroughput).toEqual({ ReadCapacityUnits: 7, WriteCapacityUnits: 3 });
    expect(input.GlobalSecondaryIndexes?.[0]?.ProvisionedThroughput).toEqual({ ReadCapacityUnits: 7, WriteCapacityUnits: 3 });
  });

  it('adding the index to a table creates the same index, with its capacity', () => {
    expect(buildAddUserIndexInput('t1', onDemand)).toEqual({
      TableName: 't1',
      AttributeDefinitions: [{ AttributeName: 'uid', AttributeType: 'S' }],
      GlobalSecondaryIndexUpdates: [{ Create: buildCreateTableInput('t1', onDemand, true).GlobalSecondaryIndexes?.[0] }],
    });
    expect(buildAddUserIndexInput('t1', provisioned).GlobalSecondaryIndexUpdates?.[0]?.Create?.ProvisionedThroughput).toEqual({ ReadCapacityUnits: 7, WriteCapacityUnits: 3 });
  });

  it('a user query reads the index for one key, keys only, paged', () => {
    const input = buildUserQueryInput('t1', 'alice', { id: { S: 'x' }, uid: { S: 'alice' } });
    expect(input).toMatchObject({ TableName: 't1', IndexName: 'uid-index', KeyConditionExpression: '#uid = :uid', ExpressionAttributeNames: { '#uid': 'uid' }, ExpressionAttributeValues: { ':uid': { S: 'alice' } }, ExclusiveStartKey: { id: { S: 'x' }, uid: { S: 'alice' } } });
    expect(input).not.toHaveProperty('ConsistentRead');
    expect(input).not.toHaveProperty('Limit');
    expect(buildUserQueryInput('t1', '#probe', undefined, 1).Limit).toBe(1);
  });

  it('a revocation marker is read strongly consistent and written over an older one', () => {
    expect(buildMarkerGetInput('t1', '#revoked#alice')).toMatchObject({ Key: { id: { S: '#revoked#alice' } }, ConsistentRead: true });
    expect(buildMarkerPutInput('t1', { id: { S: '#revoked#alice' } })).not.toHaveProperty('ConditionExpression');
  });
});
