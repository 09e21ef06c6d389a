import { describe, expect, it } from 'vitest';
import { buildRotationReport, buildTtlReport, diffTables, planRotationTables, type TableFacts } from './status-model.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 24, 10, 20, 0); // period starting 10:00
const base = { tableBaseName: 'app', endpoint: 'http://127.0.0.1:8000', region: undefined };
const active = (itemCount = 0): TableFacts => ({ status: 'ACTIVE', itemCount, sizeBytes: itemCount * 100 });
const missing: TableFacts = { status: 'MISSING', itemCount: null, sizeBytes: null };

describe('planRotationTables', () => {
  it('lists our tables newest first, ignores other names, and adds the expected current and previous tables', () => {
    const planned = planRotationTables(
      ['app_20261124_080000', 'app_20261124_110000', 'app-beta_20261124_100000', 'app_backup', 'app_20261124_100000x', 'app_20261124_100000'],
      'app',
      HOUR,
      NOW,
    );
    expect(planned.map((t) => [t.name, t.role, t.listed])).toEqual([
      ['app_20261124_110000', 'next', true],
      ['app_20261124_100000', 'current', true],
      ['app_20261124_090000', 'previous', false],
      ['app_20261124_080000', 'expired', true],
    ]);
  });

  it('plans the current and previous tables when nothing is listed', () => {
    expect(planRotationTables([], 'app', HOUR, NOW).map((t) => t.name)).toEqual(['app_20261124_100000', 'app_20261124_090000']);
  });
});

describe('buildRotationReport', () => {
  it('reports roles, periods, the write table and the time to the next rotation', () => {
    const planned = planRotationTables(['app_20261124_100000', 'app_20261124_090000'], 'app', HOUR, NOW);
    const report = buildRotationReport(base, planned, [active(3), active(1)], HOUR, NOW);
    expect(report).toMatchObject({
      mode: 'rotation',
      endpoint: 'http://127.0.0.1:8000',
      region: null,
      now: '2026-11-24T10:20:00.000Z',
      rotation: { periodSeconds: 3600, currentPeriodStart: '2026-11-24T10:00:00.000Z', nextRotationAt: '2026-11-24T11:00:00.000Z', msUntilRotation: 40 * 60_000 },
      writeTable: 'app_20261124_100000',
      problems: [],
    });
    expect(report.tables[0]).toEqual({
      name: 'app_20261124_100000',
      role: 'current',
      status: 'ACTIVE',
      itemCount: 3,
      sizeBytes: 300,
      periodStart: '2026-11-24T10:00:00.000Z',
      periodEnd: '2026-11-24T11:00:00.000Z',
      ttl: null,
    });
  });

  it('writes go to the previous table while the current one is missing, and says so', () => {
    const planned = planRotationTables(['app_20261124_090000'], 'app', HOUR, NOW);
    const report = buildRotationReport(base, planned, [missing, active()], HOUR, NOW);
    expect(report.writeTable).toBe('app_20261124_090000');
    expect(report.problems).toEqual([expect.stringMatching(/current table app_20261124_100000 is MISSING.*dsm maintain.*sessions go to app_20261124_090000/)]);
  });

  it('never writes to a next table, and reports when no table can take sessions', () => {
    const planned = planRotationTables(['app_20261124_110000'], 'app', HOUR, NOW);
    const report = buildRotationReport(base, planned, [active(), missing, missing], HOUR, NOW);
    expect(report.writeTable).toBeNull();
    expect(report.problems[0]).toMatch(/no table can take sessions/);
  });

  it('counts expired tables that still exist, but not those being deleted', () => {
    const planned = planRotationTables(['app_20261124_100000', 'app_20261124_070000', 'app_20261124_080000'], 'app', HOUR, NOW);
    const facts = planned.map((t): TableFacts => (t.name.endsWith('070000') ? { status: 'DELETING', itemCount: 0, sizeBytes: 0 } : t.listed ? active() : missing));
    expect(buildRotationReport(base, planned, facts, HOUR, NOW).problems).toEqual(['1 expired table still exists; `dsm maintain` deletes it.']);
  });
});

describe('buildTtlReport', () => {
  it('reports the single table and its TTL', () => {
    const report = buildTtlReport({ ...base, tableBaseName: 'app' }, { ...active(2), ttl: 'ENABLED on expiresAt' }, NOW);
    expect(report).toMatchObject({ mode: 'ttl', rotation: null, writeTable: 'app', problems: [] });
    expect(report.tables).toEqual([{ name: 'app', role: 'current', status: 'ACTIVE', itemCount: 2, sizeBytes: 200, periodStart: null, periodEnd: null, ttl: 'ENABLED on expiresAt' }]);
  });

  it.each([
    [missing, /The table app is MISSING; `dsm maintain` creates it/],
    [{ ...active(), ttl: 'DISABLED' }, /TTL is off on app/],
  ])('reports a problem: %o', (fact, problem) => {
    expect(buildTtlReport(base, fact, NOW).problems).toEqual([expect.stringMatching(problem)]);
  });
});

describe('diffTables', () => {
  it('finds the tables a round created and deleted', () => {
    const before = buildRotationReport(base, planRotationTables(['app_20261124_080000'], 'app', HOUR, NOW), [missing, missing, active()], HOUR, NOW);
    const planned = planRotationTables(['app_20261124_100000', 'app_20261124_080000'], 'app', HOUR, NOW);
    const after = buildRotationReport(base, planned, [active(), missing, { status: 'DELETING', itemCount: 0, sizeBytes: 0 }], HOUR, NOW);
    expect(diffTables(before, after)).toEqual({ created: ['app_20261124_100000'], deleted: ['app_20261124_080000'] });
    expect(diffTables(after, after)).toEqual({ created: [], deleted: [] });
  });
});
