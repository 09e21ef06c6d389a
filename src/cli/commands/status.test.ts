import { describe, expect, it } from 'vitest';
import { buildRotationReport, buildTtlReport, planRotationTables } from '../status-model.js';
import { formatStatus } from './status.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 24, 10, 20, 0);

describe('formatStatus', () => {
  it('rotation: mode, endpoint, next rotation, write table and one line per table', () => {
    const planned = planRotationTables(['app_20261124_100000'], 'app', HOUR, NOW);
    const report = buildRotationReport(
      { tableBaseName: 'app', endpoint: 'http://127.0.0.1:8000', region: undefined },
      planned,
      [{ status: 'ACTIVE', itemCount: 1234, sizeBytes: 3174 }, { status: 'MISSING', itemCount: null, sizeBytes: null }],
      HOUR,
      NOW,
    );
    expect(formatStatus(report)).toBe(
      [
        'Mode           rotation: one table per 1 h period, app_<yyyyMMdd_HHmmss> (UTC start)',
        'Endpoint       http://127.0.0.1:8000 (region us-east-1)',
        'Now            2026-11-24 10:20:00Z',
        'Next rotation  2026-11-24 11:00:00Z, in 40 min',
        'Writes go to   app_20261124_100000',
        '',
        'ROLE      TABLE                STATUS   ITEMS    SIZE  PERIOD START (UTC)',
        'current   app_20261124_100000  ACTIVE   1,234  3.1 KB  2026-11-24 10:00:00Z',
        'previous  app_20261124_090000  MISSING      -       -  2026-11-24 09:00:00Z',
        '',
        "Item counts and sizes are DynamoDB's estimates, refreshed about every six hours.",
      ].join('\n'),
    );
  });

  it('ttl: the TTL column and the problems', () => {
    const report = buildTtlReport({ tableBaseName: 'app', endpoint: undefined, region: 'eu-west-1' }, { status: 'MISSING', itemCount: null, sizeBytes: null }, NOW);
    const text = formatStatus(report);
    expect(text).toContain('Mode          ttl: one table, app;');
    expect(text).toContain('Endpoint      AWS, region eu-west-1');
    expect(text).toMatch(/ROLE\s+TABLE\s+STATUS\s+ITEMS\s+SIZE\s+TTL/);
    expect(text).toContain('Needs attention:\n  - The table app is MISSING');
    expect(text).not.toContain('Next rotation');
  });
});
