import type { TableDescription } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { asUsableState, isUsableStatus, userIndexStatusOf, type TableState, type UserIndexStatus } from './table-admin.js';

describe('isUsableStatus', () => {
  it.each([
    ['ACTIVE', true],
    ['UPDATING', true],
    ['CREATING', false],
    ['DELETING', false],
    ['MISSING', false],
    ['ARCHIVED', false],
    ['INACCESSIBLE_ENCRYPTION_CREDENTIALS', false],
    ['active', false],
    ['', false],
  ] as const)('%s: %s', (status, usable) => {
    expect(isUsableStatus(status)).toBe(usable);
  });
});

describe('asUsableState', () => {
  const capacity = { billingMode: 'PAY_PER_REQUEST' } as const;
  it.each<[TableState['status'], TableState['status']]>([
    ['ACTIVE', 'ACTIVE'],
    ['UPDATING', 'ACTIVE'],
    ['CREATING', 'CREATING'],
    ['DELETING', 'DELETING'],
    ['MISSING', 'MISSING'],
  ])('%s is kept as %s', (status, kept) => {
    const state: TableState = { status, capacity, itemCount: 3, sizeBytes: 300 };
    expect(asUsableState(state)).toEqual({ ...state, status: kept });
  });
});

describe('userIndexStatusOf', () => {
  const gsi = (fields: Record<string, unknown>): TableDescription => ({ GlobalSecondaryIndexes: [{ IndexName: 'uid-index', ...fields }] });
  it.each<[string, TableDescription | undefined, UserIndexStatus]>([
    ['no table', undefined, 'MISSING'],
    ['no index', {}, 'MISSING'],
    ['another index only', { GlobalSecondaryIndexes: [{ IndexName: 'email-index', IndexStatus: 'ACTIVE' }] }, 'MISSING'],
    ['ACTIVE', gsi({ IndexStatus: 'ACTIVE' }), 'ACTIVE'],
    ['UPDATING (capacity)', gsi({ IndexStatus: 'UPDATING' }), 'ACTIVE'],
    ['CREATING', gsi({ IndexStatus: 'CREATING', Backfilling: false }), 'CREATING'],
    ['backfilling', gsi({ IndexStatus: 'CREATING', Backfilling: true }), 'CREATING'],
    ['DELETING', gsi({ IndexStatus: 'DELETING' }), 'MISSING'],
  ])('%s: %s', (_what, table, status) => {
    expect(userIndexStatusOf(table)).toBe(status);
  });
});
