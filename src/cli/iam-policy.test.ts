import { describe, expect, it } from 'vitest';
import { buildIamPolicy, type IamPolicyInput } from './iam-policy.js';

const base: IamPolicyInput = {
  role: 'all',
  tableBaseName: 'sessions',
  expiry: 'rotation',
  region: 'eu-west-1',
  account: '123456789012',
  partition: 'aws',
  createTables: true,
  withScan: false,
  withUserIndex: false,
};

const actionsOf = (input: Partial<IamPolicyInput>): Record<string, { actions: readonly string[]; resource: string }> =>
  Object.fromEntries(buildIamPolicy({ ...base, ...input }).Statement.map((s) => [s.Sid, { actions: s.Action, resource: s.Resource }]));

describe('buildIamPolicy', () => {
  it('rotation: item and table actions on the rotated tables only, ListTables on *', () => {
    const policy = buildIamPolicy(base);
    expect(policy.Version).toBe('2012-10-17');
    expect(policy.Statement.every((s) => s.Effect === 'Allow')).toBe(true);
    expect(actionsOf({})).toEqual({
      SessionItems: {
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resource: 'arn:aws:dynamodb:eu-west-1:123456789012:table/sessions_????????_??????',
      },
      SessionTables: {
        actions: ['dynamodb:DescribeTable', 'dynamodb:CreateTable', 'dynamodb:DeleteTable'],
        resource: 'arn:aws:dynamodb:eu-west-1:123456789012:table/sessions_????????_??????',
      },
      ListSessionTables: { actions: ['dynamodb:ListTables'], resource: '*' },
    });
  });

  it('rotation without createTables: no CreateTable nor DeleteTable; ListTables stays (the store lists its kept tables)', () => {
    const statements = actionsOf({ createTables: false });
    expect(Object.keys(statements)).toEqual(['SessionItems', 'SessionTables', 'ListSessionTables']);
    expect(statements.SessionTables?.actions).toEqual(['dynamodb:DescribeTable']);
  });

  it('ttl: the single table, with the TTL actions', () => {
    expect(actionsOf({ expiry: 'ttl' })).toEqual({
      SessionItems: {
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resource: 'arn:aws:dynamodb:eu-west-1:123456789012:table/sessions',
      },
      SessionTable: {
        actions: ['dynamodb:DescribeTable', 'dynamodb:DescribeTimeToLive', 'dynamodb:CreateTable', 'dynamodb:UpdateTimeToLive'],
        resource: 'arn:aws:dynamodb:eu-west-1:123456789012:table/sessions',
      },
    });
  });

  it('ttl without createTables keeps DescribeTimeToLive (the store checks TTL) and drops the rest', () => {
    expect(actionsOf({ expiry: 'ttl', createTables: false }).SessionTable?.actions).toEqual(['dynamodb:DescribeTable', 'dynamodb:DescribeTimeToLive']);
  });

  it.each(['rotation', 'ttl'] as const)('%s: Scan only with withScan', (expiry) => {
    expect(actionsOf({ expiry }).SessionItems?.actions).not.toContain('dynamodb:Scan');
    expect(actionsOf({ expiry, withScan: true }).SessionItems?.actions).toContain('dynamodb:Scan');
  });

  it('never grants a wildcard action or DeleteTable in ttl mode', () => {
    for (const expiry of ['rotation', 'ttl'] as const) {
      for (const createTables of [true, false]) {
        const actions = buildIamPolicy({ ...base, expiry, createTables, withScan: true }).Statement.flatMap((s) => s.Action);
        expect(actions.some((a) => a.includes('*'))).toBe(false);
        if (expiry === 'ttl') expect(actions).not.toContain('dynamodb:DeleteTable');
      }
    }
  });

  it.each([
    ['rotation', true, ['SessionItems'], ['SessionTables', 'ListSessionTables']],
    ['rotation', false, ['SessionItems'], ['SessionTables', 'ListSessionTables']],
    ['ttl', true, ['SessionItems'], ['SessionTable']],
    ['ttl', false, ['SessionItems'], ['SessionTable']],
  ] as const)('%s (createTables %s): request gets the item statement alone, maintainer the table statements alone, all both', (expiry, createTables, request, maintainer) => {
    const all = actionsOf({ expiry, createTables });
    const requestPolicy = actionsOf({ expiry, createTables, role: 'request' });
    const maintainerPolicy = actionsOf({ expiry, createTables, role: 'maintainer' });
    expect(Object.keys(requestPolicy)).toEqual(request);
    expect(Object.keys(maintainerPolicy)).toEqual(maintainer);
    expect({ ...requestPolicy, ...maintainerPolicy }).toEqual(all);
    // The request path never gets a table action; the maintainer never an item action.
    expect(Object.values(requestPolicy).flatMap((s) => s.actions).filter((a) => /Table|TimeToLive/.test(a))).toEqual([]);
    expect(Object.values(maintainerPolicy).flatMap((s) => s.actions).filter((a) => /Item$/.test(a))).toEqual([]);
  });

  describe('withUserIndex', () => {
    it.each([
      ['rotation', 'arn:aws:dynamodb:eu-west-1:123456789012:table/sessions_????????_??????'],
      ['ttl', 'arn:aws:dynamodb:eu-west-1:123456789012:table/sessions'],
    ] as const)('%s: Query on the tables\' indexes, beside the item statement; UpdateTable with the table actions', (expiry, table) => {
      const without = actionsOf({ expiry });
      const withIndex = actionsOf({ expiry, withUserIndex: true });
      expect(withIndex.SessionUserIndex).toEqual({ actions: ['dynamodb:Query'], resource: `${table}/index/*` });
      const tables = expiry === 'ttl' ? 'SessionTable' : 'SessionTables';
      expect(withIndex[tables]).toEqual({ actions: [...(without[tables]?.actions ?? []), 'dynamodb:UpdateTable'], resource: table });
      // Nothing else changes: the item statement keeps its actions, Query is never granted on the table itself.
      expect(withIndex.SessionItems).toEqual(without.SessionItems);
      expect(Object.values(withIndex).filter((s) => s.actions.includes('dynamodb:Query')).map((s) => s.resource)).toEqual([`${table}/index/*`]);
    });

    it.each([
      ['rotation', true],
      ['rotation', false],
      ['ttl', true],
      ['ttl', false],
    ] as const)('%s (createTables %s): request gets Query and no UpdateTable, maintainer UpdateTable only where it may change tables, all both', (expiry, createTables) => {
      const request = actionsOf({ expiry, createTables, withUserIndex: true, role: 'request' });
      const maintainer = actionsOf({ expiry, createTables, withUserIndex: true, role: 'maintainer' });
      const all = actionsOf({ expiry, createTables, withUserIndex: true });
      const actions = (policy: typeof all): string[] => Object.values(policy).flatMap((s) => s.actions);
      expect(Object.keys(request)).toEqual(['SessionItems', 'SessionUserIndex']);
      expect(actions(request)).not.toContain('dynamodb:UpdateTable');
      expect(actions(maintainer)).not.toContain('dynamodb:Query');
      expect(actions(maintainer).includes('dynamodb:UpdateTable')).toBe(createTables);
      expect({ ...request, ...maintainer }).toEqual(all);
    });

    it('never grants a wildcard action, and Query only under the session tables', () => {
      for (const expiry of ['rotation', 'ttl'] as const) {
        const statements = buildIamPolicy({ ...base, expiry, withUserIndex: true, withScan: true }).Statement;
        expect(statements.flatMap((s) => s.Action).some((a) => a.includes('*'))).toBe(false);
        for (const s of statements.filter((st) => st.Action.includes('dynamodb:Query'))) expect(s.Resource).toMatch(/^arn:aws:dynamodb:eu-west-1:123456789012:table\/sessions[^*]*\/index\/\*$/);
      }
    });
  });

  it('puts wildcards for an unknown region and account, and honours the partition', () => {
    expect(actionsOf({ region: '*', account: '*', partition: 'aws-cn' }).SessionItems?.resource).toBe('arn:aws-cn:dynamodb:*:*:table/sessions_????????_??????');
  });

  it.each([
    [{ account: '12' }, /--account must be a 12-digit/],
    [{ account: 'abcdefghijkl' }, /--account/],
    [{ region: 'EU WEST' }, /--region must be/],
    [{ partition: 'azure' }, /--partition must be/],
  ])('rejects %o', (input, message) => {
    expect(() => buildIamPolicy({ ...base, ...input })).toThrow(expect.objectContaining({ code: 'cli.usage', message: expect.stringMatching(message) }));
  });
});
