import { describe, expect, it } from 'vitest';
import { inUsePeriod, tableRoleAt } from './table-roles.js';

type Known = readonly (readonly [number, string])[];
const known = (tables: Known): Map<number, { status: string }> => new Map(tables.map(([period, status]) => [period, { status }]));

describe('inUsePeriod', () => {
  it.each<[string, number, Known, number | undefined]>([
    ['nothing known', 10, [], undefined],
    ["the clock's table is ACTIVE", 10, [[9, 'ACTIVE'], [10, 'ACTIVE']], 10],
    ["the clock's table is UPDATING (usable)", 10, [[9, 'ACTIVE'], [10, 'UPDATING']], 10],
    ["the clock's table is CREATING: the previous one stays in use", 10, [[9, 'ACTIVE'], [10, 'CREATING']], 9],
    ["the clock's table is MISSING: the previous one stays in use", 10, [[9, 'ACTIVE'], [10, 'MISSING']], 9],
    ['an UPDATING previous table stays in use', 10, [[9, 'UPDATING'], [10, 'CREATING']], 9],
    ['the latest usable table wins, however old', 10, [[7, 'ACTIVE'], [8, 'ACTIVE'], [9, 'DELETING']], 8],
    ['a usable next table is never in use early', 10, [[10, 'ACTIVE'], [11, 'ACTIVE']], 10],
    ['only tables after the clock are usable', 10, [[11, 'ACTIVE'], [12, 'UPDATING']], undefined],
    ['no table is usable', 10, [[9, 'DELETING'], [10, 'CREATING']], undefined],
    ['unknown statuses are not usable', 10, [[10, 'ARCHIVED'], [9, 'INACCESSIBLE_ENCRYPTION_CREDENTIALS']], undefined],
    ['order of the entries does not matter', 10, [[10, 'CREATING'], [8, 'ACTIVE'], [9, 'ACTIVE'], [7, 'ACTIVE']], 9],
  ])('%s', (_, clockPeriod, tables, expected) => {
    expect(inUsePeriod(clockPeriod, known(tables))).toBe(expected);
  });

  it('takes any iterable of [period, state] pairs', () => {
    expect(inUsePeriod(10, [[9, { status: 'ACTIVE' }], [10, { status: 'MISSING' }]] as const)).toBe(9);
  });
});

describe('tableRoleAt', () => {
  it.each([
    // The clock's table is in use.
    [10, 10, 10, 'current'],
    [9, 10, 10, 'previous'],
    [11, 10, 10, 'next'],
    [8, 10, 10, 'expired'],
    [12, 10, 10, 'future'],
    // The clock's table (10) is not usable yet: 9 is still current.
    [9, 10, 9, 'current'],
    [8, 10, 9, 'previous'],
    [7, 10, 9, 'expired'],
    [10, 10, 9, 'future'],
    [11, 10, 9, 'next'],
    [12, 10, 9, 'future'],
  ] as const)('period %d, clock in %d, %d in use: %s', (period, clockPeriod, inUse, role) => {
    expect(tableRoleAt(period, { clockPeriod, inUsePeriod: inUse })).toBe(role);
  });
});
