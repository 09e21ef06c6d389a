import { describe, expect, it } from 'vitest';
import type { DynamoSessionStoreOptions } from './options.js';
import { resolveOptions } from './resolve-options.js';

describe('migrateFrom', () => {
  it('is off by default', () => {
    expect(resolveOptions().migrateFrom).toBeUndefined();
  });

  it("applies connect-dynamodb's own defaults: table sessions, hash key id, prefix sess:", () => {
    expect(resolveOptions({ tableBaseName: 'app-dsm', migrateFrom: { connectDynamodb: {} } }).migrateFrom).toEqual({ kind: 'connect-dynamodb', table: 'sessions', prefix: 'sess:', hashKey: 'id' });
  });

  it('keeps what is given, an empty prefix included, and never writes into the input', () => {
    const input = { table: 'app-sessions', prefix: '', hashKey: 'sid' };
    const resolved = resolveOptions({ migrateFrom: { connectDynamodb: input } }).migrateFrom;
    expect(resolved).toEqual({ kind: 'connect-dynamodb', table: 'app-sessions', prefix: '', hashKey: 'sid' });
    expect(Object.isFrozen(resolved)).toBe(true);
    expect(input).toEqual({ table: 'app-sessions', prefix: '', hashKey: 'sid' });
  });

  it('the default table sessions is fine beside rotated tables of base name sessions', () => {
    expect(resolveOptions({ expiry: 'rotation', tableBaseName: 'sessions', migrateFrom: { connectDynamodb: {} } }).migrateFrom?.table).toBe('sessions');
  });

  it.each<[string, DynamoSessionStoreOptions, RegExp]>([
    ['not an object', { migrateFrom: 'connect-dynamodb' as never }, /Option `migrateFrom` must be an object/],
    ['an unknown store', { migrateFrom: { connectRedis: {} } as never }, /Unknown option `connectRedis` for migrateFrom/],
    ['a misspelt store', { migrateFrom: { connectDynamoDB: {} } as never }, /Unknown option `connectDynamoDB` for migrateFrom\. Did you mean `connectDynamodb`\?/],
    ['no source object', { migrateFrom: { connectDynamodb: true } as never }, /Option `migrateFrom.connectDynamodb` must be an object/],
    ['an unknown source key', { migrateFrom: { connectDynamodb: { tableName: 'x' } } as never }, /Unknown option `tableName` for migrateFrom.connectDynamodb\. Did you mean `table`\?/],
    ['a bad table name', { migrateFrom: { connectDynamodb: { table: 'a b' } } }, /Option `migrateFrom.connectDynamodb.table` must be a DynamoDB table name/],
    ['a prefix that is not a string', { migrateFrom: { connectDynamodb: { prefix: 5 as never } } }, /Option `migrateFrom.connectDynamodb.prefix` must be a string/],
    ['an empty hash key', { migrateFrom: { connectDynamodb: { hashKey: '' } } }, /Option `migrateFrom.connectDynamodb.hashKey` must be an attribute name/],
    ['the ttl table itself (both defaults: TTL is the default expiry)', { migrateFrom: { connectDynamodb: {} } }, /`migrateFrom.connectDynamodb.table` and `tableBaseName` name the same table \(sessions\)/],
    [
      'one of the rotated tables',
      { expiry: 'rotation', tableBaseName: 'app', migrateFrom: { connectDynamodb: { table: 'app_20260101_000000' } } },
      /`migrateFrom.connectDynamodb.table` and `tableBaseName` name the same table \(app_20260101_000000\)/,
    ],
  ])('%s fails at construction, naming the option', (_label, input, message) => {
    expect(() => resolveOptions(input)).toThrow(message);
  });
});
