import { describe, expect, it } from 'vitest';
import { PRICES_AS_OF, estimateCost, formatUsd } from '../../capacity/index.js';
import { formatCost } from './cost.js';

describe('formatCost', () => {
  const estimate = estimateCost({ requestsPerSecond: 100, sessionSizeKb: 2, intervalSeconds: 3600 });
  const text = formatCost(estimate);
  const lines = text.split('\n');

  it('states the prices and their date', () => {
    expect(text).toContain(`us-east-1, as of ${PRICES_AS_OF}`);
    expect(text).toContain('$0.125 / $0.625 per million read / write units');
    expect(text).toContain('https://aws.amazon.com/dynamodb/pricing/');
  });

  it('has one column per strategy with the monthly dollars of both billing modes', () => {
    expect(lines.find((line) => line.trimStart().startsWith('rotation'))).toMatch(/rotation\s+ttl\s+scan reaper$/);
    for (const [label, pick] of [
      ['Provisioned, per month', (s: (typeof estimate.strategies)['ttl']) => s.monthlyUsd.provisionedTotal],
      ['On-demand, per month', (s: (typeof estimate.strategies)['ttl']) => s.monthlyUsd.onDemandTotal],
    ] as const) {
      const line = lines.find((l) => l.startsWith(label));
      const expected = [estimate.strategies.rotation, estimate.strategies.ttl, estimate.strategies.scanReaper].map((s) => formatUsd(pick(s)));
      expect(line?.split(/\s{2,}/).slice(1)).toEqual(expected);
    }
  });

  it('shows provisioned tables and capacity, and the workload', () => {
    const rotation = estimate.strategies.rotation.provisionedCapacityPerTable;
    expect(text).toContain(`2 × ${rotation.readCapacityUnits} RCU, ${rotation.writeCapacityUnits} WCU`);
    expect(lines[0]).toBe('Workload: 100 requests/s, 2 KB sessions, idle timeout 1 h, 90% read-only, 2% new sessions, strongly consistent reads.');
  });

  it('lists every assumption of the model', () => {
    for (const assumption of estimate.assumptions) expect(text).toContain(`  - ${assumption}`);
  });
});
