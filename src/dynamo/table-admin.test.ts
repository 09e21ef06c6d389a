import { describe, expect, it } from 'vitest';
import { asUsableState, isUsableStatus, type TableState } from './table-admin.js';

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
